// The audit trail at the gRPC boundary: every command that reaches duband,
// accepted or refused, gets exactly one audit entry.
//
// A server interceptor opens an AuditScope when a command's request has
// arrived (who, from where, which request, on what, the request's digest).
// The command's first write carries the entry in its own WriteBatch
// (AuditLog::Write); when the command ends without one (refused, replayed,
// an export), the entry is recorded with the result code in a synced batch
// of its own, before the status is sent. If that entry cannot be written, an
// otherwise successful answer becomes UNAVAILABLE: no act goes unrecorded.
// Reads (Get*, List*, History, Watch, ...) are not entries.
//
// duband's sync server runs a call's interceptor hooks and its handler on
// one thread, which is what lets the scope be thread-local.
#ifndef DUBAN_SERVICES_AUDIT_INTERCEPTOR_H_
#define DUBAN_SERVICES_AUDIT_INTERCEPTOR_H_

#include <string>
#include <vector>

#include "engine/engine.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "services/audit_config.h"

namespace duban {

// Who is calling, as the audit trail records it.
struct CallPrincipal {
  std::string account;     // the authenticated account, "anonymous" without one
  std::string role;        // its role grants, "a,b"
  std::string unit_id;
  std::string acting_for;  // the account acted for (act_for role), if any
};

// A call's principal for the trail: the account the Guard authenticated
// (services/auth/guard.h), never anything the request or its metadata
// claims. The Guard runs after this interceptor has opened the entry of a
// unary or server-streaming call, and then writes the verified caller into
// the open entry itself; a client stream's entry opens inside its guarded
// handler and takes the caller from here.
CallPrincipal PrincipalOf(const grpc::ServerContext& ctx);

// True for methods that change nothing and are not audited.
bool IsReadMethod(const std::string& full_method);

// "task:T1", "obligation:...", "supervision:S3" ... from the request's
// fields; "" when it names nothing.
std::string SubjectOf(const std::string& full_method, const google::protobuf::Message& request);

class AuditInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  AuditInterceptorFactory(Engine* engine, AuditConfig config) : engine_(engine), config_(std::move(config)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  Engine* engine_;
  const AuditConfig config_;
};

}  // namespace duban

#endif  // DUBAN_SERVICES_AUDIT_INTERCEPTOR_H_
