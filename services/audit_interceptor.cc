#include "services/audit_interceptor.h"

#include <algorithm>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/audit/audit_scope.h"
#include "services/auth.h"
#include "services/auth/secrets.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

std::string Metadata(const grpc::ServerContext& ctx, const char* key) {
  auto it = ctx.client_metadata().find(key);
  if (it == ctx.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// A string field by name, at the top level or inside `meta`.
std::string StringField(const google::protobuf::Message& m, const std::string& name) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  if (const auto* f = d->FindFieldByName(name);
      f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
    return r->GetString(m, f);
  }
  if (const auto* meta = d->FindFieldByName("meta");
      meta != nullptr && meta->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE && !meta->is_repeated() &&
      r->HasField(m, meta)) {
    return StringField(r->GetMessage(m, meta), name);
  }
  return "";
}

// "duban.v1.TaskService/AcceptTask" from "/duban.v1.TaskService/AcceptTask".
std::string CommandName(const std::string& full_method) {
  return full_method.empty() || full_method[0] != '/' ? full_method : full_method.substr(1);
}

std::string MethodName(const std::string& full_method) {
  auto slash = full_method.rfind('/');
  return slash == std::string::npos ? full_method : full_method.substr(slash + 1);
}

class AuditInterceptor : public grpc::experimental::Interceptor {
 public:
  AuditInterceptor(grpc::experimental::ServerRpcInfo* info, Engine* engine, const AuditConfig* config)
      : info_(info), engine_(engine), config_(config) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    using grpc::experimental::InterceptionHookPoints;
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) && !scope_) {
      Open(static_cast<const google::protobuf::Message*>(m->GetRecvMessage()), nullptr);
    }
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      // A call answered before any request was read (a client stream the
      // Guard refused, an empty stream, a request that could not be parsed)
      // is an act too. The Guard's scope, when it opened one for the call,
      // names the caller it verified or refused.
      if (!scope_) Open(nullptr, audit::AuditScope::Current());
      if (scope_) Close(m);
    }
    m->Proceed();
  }

 private:
  // Opens the call's scope. `request` is the first request message, or
  // nullptr when none was read; `caller`, when set, is the scope in which
  // the Guard recorded the caller of a call it answered itself.
  void Open(const google::protobuf::Message* request, audit::AuditScope* caller) {
    const std::string method = info_->method();
    if (!absl::StartsWith(method, "/duban.v1.") || IsReadMethod(method)) return;
    const grpc::ServerContext& ctx = *static_cast<grpc::ServerContext*>(info_->server_context());
    CallPrincipal who = PrincipalOf(ctx);
    v1::AuditEntry e;
    e.set_account(who.account);
    e.set_role(who.role);
    e.set_unit_id(who.unit_id);
    e.set_acting_for(who.acting_for);
    if (caller != nullptr && !caller->entry().account().empty()) {
      e.set_account(caller->entry().account());
      e.set_role(caller->entry().role());
      e.set_unit_id(caller->entry().unit_id());
      e.set_acting_for(caller->entry().acting_for());
    }
    e.set_source(ctx.peer());
    e.set_command(CommandName(method));
    if (request != nullptr) {
      e.set_subject(SubjectOf(method, *request));
      std::string request_id = StringField(*request, "request_id");
      e.set_request_id(request_id.empty() ? Metadata(ctx, "x-request-id") : request_id);
      // A request that carries a secret (a login's password, a token) is
      // digested without it: nothing in the trail is derived from a secret.
      std::unique_ptr<google::protobuf::Message> without_secrets;
      const google::protobuf::Message* digested = request;
      if (absl::StartsWith(method, "/duban.v1.AuthService/")) {
        without_secrets.reset(request->New());
        without_secrets->CopyFrom(*request);
        auth::WipeSecrets(without_secrets.get());
        digested = without_secrets.get();
      }
      std::string bytes;
      google::protobuf::io::StringOutputStream out(&bytes);
      {
        google::protobuf::io::CodedOutputStream coded(&out);
        coded.SetSerializationDeterministic(true);
        digested->SerializeToCodedStream(&coded);
      }
      auto digest = audit::Digest(engine_->audit().options().hash, bytes);
      if (digest.ok()) e.set_request_digest(*digest);
    } else {
      e.set_request_id(Metadata(ctx, "x-request-id"));
    }
    scope_ = std::make_unique<audit::AuditScope>(std::move(e));
  }

  void Close(grpc::experimental::InterceptorBatchMethods* m) {
    if (scope_->recorded_seq() == 0) {
      grpc::Status status = m->GetSendStatus();
      v1::AuditEntry e = scope_->entry();
      e.set_result_code(static_cast<int>(status.error_code()));
      e.set_result_message(status.error_message());
      auto r = engine_->audit().Record(std::move(e));
      if (!r.ok()) {
        spdlog::error("audit: {} by {} not recorded: {}", scope_->entry().command(), scope_->entry().account(),
                      std::string(r.status().message()));
        if (status.ok()) {
          m->ModifySendStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                           absl::StrCat("audit: the act could not be recorded: ",
                                                        r.status().message())));
        }
      }
    }
    scope_.reset();
  }

  grpc::experimental::ServerRpcInfo* info_;
  Engine* engine_;
  const AuditConfig* config_;
  std::unique_ptr<audit::AuditScope> scope_;
};

}  // namespace

CallPrincipal PrincipalOf(const grpc::ServerContext& ctx) {
  CallPrincipal c;
  const auth::Principal* p = auth::PrincipalOf(&ctx);
  if (p == nullptr) {
    c.account = "anonymous";
    return c;
  }
  if (p->acting_account.empty()) {
    c.account = p->account_id;
    c.role = auth::RolesText(*p);
    c.unit_id = p->unit_id;
  } else {
    c.account = p->acting_account;
    c.acting_for = p->account_id;
  }
  return c;
}

bool IsReadMethod(const std::string& full_method) {
  std::string name = MethodName(full_method);
  for (const char* prefix : {"Get", "List", "Resolve", "Watch"}) {
    if (absl::StartsWith(name, prefix)) return true;
  }
  // Computations that write nothing (an assessment's evaluation is
  // recomputed from the stored figures on every call).
  return absl::EndsWith(name, "History") || name == "MonthlyBulletin" || name == "ServerInfo" ||
         name == "Evaluate" || name == "EvaluateAll" || name == "WhoAmI";
}

std::string SubjectOf(const std::string& full_method, const google::protobuf::Message& request) {
  static const std::pair<const char*, const char*> kFields[] = {
      {"task_id", "task"},   {"obligation_id", "obligation"}, {"item_id", "supervision"}, {"case_id", "case"},
      {"subject_id", "subject"}, {"recipient", "recipient"},   {"board", "ranking"},      {"unit", "unit"},
      {"campaign_id", "campaign"}, {"plan_id", "plan"},       {"assessment_id", "assessment"}, {"account_id", "account"}};
  for (const auto& [field, kind] : kFields) {
    std::string v = StringField(request, field);
    if (!v.empty()) return absl::StrCat(kind, ":", v);
  }
  return "";
}

grpc::experimental::Interceptor* AuditInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new AuditInterceptor(info, engine_, &config_);
}

}  // namespace duban
