#include "services/auth/guard.h"

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/security/auth_context.h"
#include "services/auth/credentials.h"
#include "services/status.h"
#include "spdlog/spdlog.h"

namespace duban::auth {

namespace {

using grpc::internal::MethodHandler;

// The principals of the handlers now running, by their call's context.
absl::Mutex registry_mu;
absl::flat_hash_map<const grpc::ServerContextBase*, const Principal*>& Registry()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(registry_mu) {
  static auto* m = new absl::flat_hash_map<const grpc::ServerContextBase*, const Principal*>();
  return *m;
}

class ScopedPrincipal {
 public:
  ScopedPrincipal(const grpc::ServerContextBase* ctx, const Principal* p) : ctx_(ctx) {
    absl::MutexLock l(&registry_mu);
    Registry()[ctx] = p;
  }
  ~ScopedPrincipal() {
    absl::MutexLock l(&registry_mu);
    Registry().erase(ctx_);
  }

 private:
  const grpc::ServerContextBase* ctx_;
};

// Reaches grpc::Service's protected GetHandler for another service object.
struct HandlerAccess : grpc::Service {
  static MethodHandler* Get(grpc::Service* s, int i) { return (s->*(&HandlerAccess::GetHandler))(i); }
};

class GuardHandler : public MethodHandler {
 public:
  GuardHandler(Guard* guard, std::string method, MethodHandler* inner)
      : guard_(guard), method_(std::move(method)), inner_(inner) {}

  void RunHandler(const HandlerParameter& param) override {
    if (!param.status.ok()) {
      inner_->RunHandler(param);
      return;
    }
    auto* ctx = static_cast<grpc::ServerContext*>(param.server_context);
    auto* request = static_cast<google::protobuf::Message*>(param.request);
    std::unique_ptr<Principal> principal;
    absl::Status s = guard_->Check(method_, *ctx, request, &principal);
    if (!s.ok()) {
      // The inner handler sends the status without running; it destroys the
      // request only when it runs, so it is destroyed here.
      request->~Message();
      inner_->RunHandler(HandlerParameter(param.call, param.server_context, nullptr, ToGrpc(s), param.internal_data,
                                          param.call_requester));
      return;
    }
    ScopedPrincipal scope(ctx, principal.get());
    inner_->RunHandler(param);
  }

  void* Deserialize(grpc_call* call, grpc_byte_buffer* req, grpc::Status* status, void** handler_data) override {
    return inner_->Deserialize(call, req, status, handler_data);
  }

 private:
  Guard* const guard_;
  const std::string method_;
  MethodHandler* const inner_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Principal>> Guard::Authenticate(const grpc::ServerContext& ctx) {
  auto it = ctx.client_metadata().find("authorization");
  if (it != ctx.client_metadata().end()) {
    std::string header(it->second.data(), it->second.size());
    auto token = ParseBearer(header);
    Wipe(&header);
    if (!token.ok()) return token.status();
    auto p = accounts_->Authenticate(*token);
    Wipe(&*token);
    if (!p.ok()) return p.status();
    return std::make_unique<Principal>(std::move(*p));
  }
  auto auth = ctx.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const auto& cn : auth->FindPropertyValues("x509_common_name")) {
      auto p = accounts_->AuthenticateCertificate(std::string(cn.data(), cn.size()));
      if (!p.ok()) return p.status();
      return std::make_unique<Principal>(std::move(*p));
    }
  }
  return std::unique_ptr<Principal>();
}

absl::Status Guard::Check(const std::string& method, const grpc::ServerContext& ctx,
                          google::protobuf::Message* request, std::unique_ptr<Principal>* principal) {
  const auto& table = RpcTable();
  auto row = table.find(method);
  if (row != table.end() && row->second.access == Access::kPublic) return absl::OkStatus();
  auto p = Authenticate(ctx);
  if (!p.ok()) return p.status();
  absl::Status s = Authorize(method, p->get(), request, *objects_, options_);
  if (!s.ok()) {
    spdlog::info("auth: denied method={} account={} code={}", method, *p ? (*p)->account_id : "-",
                 absl::StatusCodeToString(s.code()));
    return s;
  }
  *principal = std::move(*p);
  return absl::OkStatus();
}

GuardedService::GuardedService(Guard* guard, grpc::Service* inner,
                               const google::protobuf::ServiceDescriptor* descriptor) {
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const auto* m = descriptor->method(i);
    names_.push_back("/" + descriptor->full_name() + "/" + m->name());
    if (m->client_streaming()) {
      // The request of a client stream is read inside the handler, after the
      // point where the Guard could refuse it: such a method is not served.
      spdlog::error("auth: {} streams its requests; not served", names_.back());
      continue;
    }
    grpc::internal::RpcMethod::RpcType type = grpc::internal::RpcMethod::NORMAL_RPC;
    if (m->server_streaming()) {
      type = grpc::internal::RpcMethod::SERVER_STREAMING;
    }
    AddMethod(new grpc::internal::RpcServiceMethod(names_.back().c_str(), type,
                                                   new GuardHandler(guard, names_.back(), HandlerAccess::Get(inner, i))));
  }
}

const Principal* PrincipalOf(const grpc::ServerContextBase* ctx) {
  absl::MutexLock l(&registry_mu);
  auto it = Registry().find(ctx);
  return it == Registry().end() ? nullptr : it->second;
}

}  // namespace duban::auth
