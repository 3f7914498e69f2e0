// The one place where calls are authenticated and authorised.
//
// duband registers every service wrapped in a GuardedService. Before a
// method's handler runs, the Guard authenticates the call (the metadata
// "authorization: Bearer <token>", or a verified client certificate mapped
// to an account) and runs Authorize (policy.h) with the method's full name
// and the decoded request. A refused call gets UNAUTHENTICATED,
// PERMISSION_DENIED or NOT_FOUND and its handler never runs; a method that
// is not in the table is refused. In-process channels reach the same
// handlers, so they are checked the same way.
#ifndef DUBAN_SERVICES_AUTH_GUARD_H_
#define DUBAN_SERVICES_AUTH_GUARD_H_

#include <deque>
#include <memory>
#include <string>

#include "google/protobuf/descriptor.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/server_context.h"
#include "services/auth/accounts.h"
#include "services/auth/policy.h"

namespace duban::auth {

class Guard {
 public:
  // All three must outlive the Guard.
  Guard(AccountStore* accounts, Objects* objects, PolicyOptions options)
      : accounts_(accounts), objects_(objects), options_(std::move(options)) {}

  // The caller of ctx, or nullptr when it sent no credential. An invalid
  // credential is UNAUTHENTICATED.
  absl::StatusOr<std::unique_ptr<Principal>> Authenticate(const grpc::ServerContext& ctx);
  // Authenticate + Authorize; fills *principal when allowed.
  absl::Status Check(const std::string& method, const grpc::ServerContext& ctx, google::protobuf::Message* request,
                     std::unique_ptr<Principal>* principal);
  AccountStore* accounts() const { return accounts_; }

 private:
  AccountStore* const accounts_;
  Objects* const objects_;
  const PolicyOptions options_;
};

// A service whose every method runs through the Guard first. Built from the
// inner service and its descriptor; the inner service must outlive it.
class GuardedService : public grpc::Service {
 public:
  GuardedService(Guard* guard, grpc::Service* inner, const google::protobuf::ServiceDescriptor* descriptor);

 private:
  std::deque<std::string> names_;  // RpcServiceMethod keeps a const char*
};

// The verified caller of the handler now running on ctx; nullptr outside a
// guarded handler or for a public method. Valid until the handler returns.
const Principal* PrincipalOf(const grpc::ServerContextBase* ctx);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_GUARD_H_
