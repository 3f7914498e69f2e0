#include "services/auth/guard.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/audit/audit_scope.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/support/method_handler.h"
#include "grpcpp/security/auth_context.h"
#include "services/auth/credentials.h"
#include "services/request_bounds.h"
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

// The refusal a client-streaming call answers with: such a handler ignores
// HandlerParameter::status, so a refused call runs this one instead, which
// reads nothing and returns the refusal (set just before, on this thread).
thread_local grpc::Status refusal;
grpc::internal::ClientStreamingHandler<grpc::Service, grpc::ByteBuffer, grpc::ByteBuffer>& RefuseClientStream() {
  static auto* h = new grpc::internal::ClientStreamingHandler<grpc::Service, grpc::ByteBuffer, grpc::ByteBuffer>(
      [](grpc::Service*, grpc::ServerContext*, grpc::ServerReader<grpc::ByteBuffer>*, grpc::ByteBuffer*) {
        return refusal;
      },
      nullptr);
  return *h;
}

class GuardHandler : public MethodHandler {
 public:
  GuardHandler(Guard* guard, std::string method, MethodHandler* inner, bool client_streaming)
      : guard_(guard), method_(std::move(method)), inner_(inner), client_streaming_(client_streaming) {}

  void RunHandler(const HandlerParameter& param) override {
    if (!param.status.ok()) {
      inner_->RunHandler(param);
      return;
    }
    auto* ctx = static_cast<grpc::ServerContext*>(param.server_context);
    // A client stream's requests are read by its handler: the check sees
    // no request, and its row judges the caller alone.
    auto* request = client_streaming_ ? nullptr : static_cast<google::protobuf::Message*>(param.request);
    std::unique_ptr<Principal> principal;
    // A client stream reaches the audit layer only with its first message;
    // the caller of a stream refused here is collected in a scope of its own,
    // which the audit layer reads when the refusal is sent.
    std::optional<audit::AuditScope> refused_caller;
    if (client_streaming_) refused_caller.emplace(v1::AuditEntry());
    absl::Status s = guard_->Check(method_, *ctx, request, &principal);
    if (!s.ok() && client_streaming_) {
      refusal = ToGrpc(s);
      RefuseClientStream().RunHandler(param);
      return;
    }
    refused_caller.reset();
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
  const bool client_streaming_;
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

namespace {

// The account a request names as its actor: meta.actor, else a top-level
// `actor` field; "" when it names none.
std::string NamedActor(const google::protobuf::Message* m) {
  if (m == nullptr) return "";
  const auto* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  if (const auto* meta = d->FindFieldByName("meta");
      meta != nullptr && meta->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE && !meta->is_repeated() &&
      r->HasField(*m, meta)) {
    const auto& mm = r->GetMessage(*m, meta);
    if (const auto* f = mm.GetDescriptor()->FindFieldByName("actor");
        f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
      return mm.GetReflection()->GetString(mm, f);
    }
  }
  if (const auto* f = d->FindFieldByName("actor");
      f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
    return r->GetString(*m, f);
  }
  return "";
}

// The audit entry of the act now open on this thread (the gRPC layer's
// scope, services/audit_interceptor.h) names the verified caller, and the
// account acted for when there is one.
void RecordCaller(const Principal* caller, const std::string& acted_for) {
  audit::AuditScope* scope = audit::AuditScope::Current();
  if (scope == nullptr) return;
  v1::AuditEntry& e = scope->entry();
  e.set_account(caller != nullptr ? caller->account_id : "anonymous");
  e.set_role(caller != nullptr ? RolesText(*caller) : "");
  e.set_unit_id(caller != nullptr ? caller->unit_id : "");
  e.set_acting_for(acted_for);
}

}  // namespace

absl::Status Guard::Check(const std::string& method, const grpc::ServerContext& ctx,
                          google::protobuf::Message* request, std::unique_ptr<Principal>* principal) {
  const auto& table = RpcTable();
  auto row = table.find(method);
  if (row != table.end() && row->second.access == Access::kPublic) return absl::OkStatus();
  auto p = Authenticate(ctx);
  if (!p.ok()) {
    RecordCaller(nullptr, "");
    return p.status();
  }
  RecordCaller(p->get(), "");
  // Acting for another account is the act_for role's; the check below is
  // then made for the account acted for, and the trail records both.
  std::string named = *p ? NamedActor(request) : "";
  if (!named.empty() && named != (*p)->account_id) {
    const Principal& caller = **p;
    const Grant* g = caller.Find(kActFor);
    if (g == nullptr) {
      return absl::PermissionDeniedError(absl::StrCat("meta.actor: '", named, "' is not the authenticated account '",
                                                      caller.account_id,
                                                      "' (acting for another account needs the act_for role)"));
    }
    auto target = accounts_->ActedFor(named);
    if (!target.ok()) return target.status();
    bool in_scope = g->scope.empty() ||
                    std::find(g->scope.begin(), g->scope.end(), target->account_id) != g->scope.end() ||
                    (!target->unit_id.empty() &&
                     std::find(g->scope.begin(), g->scope.end(), target->unit_id) != g->scope.end());
    if (!in_scope) {
      return absl::PermissionDeniedError(
          absl::StrCat("meta.actor: account '", caller.account_id, "' may not act for '", named, "'"));
    }
    target->acting_account = caller.account_id;
    target->session = caller.session;
    RecordCaller(&caller, target->account_id);
    *p = std::make_unique<Principal>(std::move(*target));
  }
  absl::Status s = Authorize(method, p->get(), request, *objects_, options_);
  if (!s.ok()) {
    spdlog::info("auth: denied method={} account={} code={}", method, *p ? (*p)->account_id : "-",
                 absl::StatusCodeToString(s.code()));
    return s;
  }
  // The caller is known and allowed: a request over the bounds is refused
  // before any handler sees it (an over-long list is invalid input, not a
  // reason to reveal what the caller may not see).
  if (request != nullptr) {
    absl::Status bounds = CheckRequestBounds(*request);
    if (!bounds.ok()) return bounds;
  }
  *principal = std::move(*p);
  return absl::OkStatus();
}

GuardedService::GuardedService(Guard* guard, grpc::Service* inner,
                               const google::protobuf::ServiceDescriptor* descriptor) {
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const auto* m = descriptor->method(i);
    names_.push_back("/" + descriptor->full_name() + "/" + m->name());
    grpc::internal::RpcMethod::RpcType type = grpc::internal::RpcMethod::NORMAL_RPC;
    if (m->client_streaming() && m->server_streaming()) {
      type = grpc::internal::RpcMethod::BIDI_STREAMING;
    } else if (m->client_streaming()) {
      type = grpc::internal::RpcMethod::CLIENT_STREAMING;
    } else if (m->server_streaming()) {
      type = grpc::internal::RpcMethod::SERVER_STREAMING;
    }
    AddMethod(new grpc::internal::RpcServiceMethod(
        names_.back().c_str(), type,
        new GuardHandler(guard, names_.back(), HandlerAccess::Get(inner, i), m->client_streaming())));
  }
}

const Principal* PrincipalOf(const grpc::ServerContextBase* ctx) {
  absl::MutexLock l(&registry_mu);
  auto it = Registry().find(ctx);
  return it == Registry().end() ? nullptr : it->second;
}

}  // namespace duban::auth
