// Who is acting. Calls are authenticated and authorised by the Guard
// (services/auth/guard.h) before a handler runs; handlers read the verified
// caller with PrincipalOf and derive the engine's actor with ResolveActor.
#ifndef DUBAN_SERVICES_AUTH_H_
#define DUBAN_SERVICES_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "services/auth/guard.h"
#include "services/auth/principal.h"

namespace duban {

namespace auth {
// The verified caller of a guarded handler (account id, unit id, roles and
// their scopes); nullptr outside one.
inline const Principal* PrincipalOf(const grpc::ServerContext* ctx) {
  return PrincipalOf(static_cast<const grpc::ServerContextBase*>(ctx));
}
}  // namespace auth

// The actor of a command: the authenticated account. `actor` (the
// request's field at field_path) may be empty or name that account;
// anything else is PERMISSION_DENIED. UNAUTHENTICATED without a caller.
absl::StatusOr<std::string> ResolveActor(const grpc::ServerContext& ctx, const std::string& field_path,
                                         const std::string& actor);

}  // namespace duban

#endif  // DUBAN_SERVICES_AUTH_H_
