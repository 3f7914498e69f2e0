#include "services/auth/auth_service.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/audit/audit_scope.h"
#include "services/auth/guard.h"
#include "services/auth/secrets.h"
#include "services/list_page.h"
#include "services/status.h"

namespace duban::auth {

namespace {

// Guarded handlers always have a principal; this answers if one is missing
// (a handler reached without the Guard).
#define DUBAN_PRINCIPAL(p, ctx)                                                          \
  const Principal* p = PrincipalOf(ctx);                                                 \
  if (p == nullptr) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "authorization: missing")

// Overwrites the request's secrets when the handler returns, whatever it
// returns (requests arrive const; the handler is their last reader).
class WipeOnReturn {
 public:
  explicit WipeOnReturn(const google::protobuf::Message* m) : m_(const_cast<google::protobuf::Message*>(m)) {}
  ~WipeOnReturn() { WipeSecrets(m_); }
  WipeOnReturn(const WipeOnReturn&) = delete;
  WipeOnReturn& operator=(const WipeOnReturn&) = delete;

 private:
  google::protobuf::Message* m_;
};

// The audit entry of this call (opened by the gRPC layer), when there is one.
v1::AuditEntry* Entry() {
  audit::AuditScope* scope = audit::AuditScope::Current();
  return scope == nullptr ? nullptr : &scope->entry();
}

}  // namespace

grpc::Status AuthServiceImpl::Login(grpc::ServerContext*, const v1::LoginRequest* req, v1::LoginResponse* out) {
  WipeOnReturn wipe(req);
  if (req->account_id().empty()) return ToGrpc(absl::InvalidArgumentError("account_id: required"));
  // A login is recorded under the account it names (successful or not);
  // a failure that locked the account says so.
  if (v1::AuditEntry* e = Entry()) e->set_account(req->account_id());
  absl::StatusOr<LoginResult> r;
  {
    // The login's own writes (the failure count, a lockout) must not carry
    // the call's entry, which would then say "accepted": they run under a
    // scope marked recorded, and the entry is recorded as the call ends,
    // with its result.
    audit::AuditScope own_writes{v1::AuditEntry()};
    own_writes.set_recorded_seq(std::numeric_limits<uint64_t>::max());
    r = accounts_->Login(req->account_id(), req->password(), req->totp_code());
  }
  if (!r.ok()) {
    if (v1::AuditEntry* e = Entry()) {
      auto a = accounts_->Account(req->account_id());
      if (a.ok() && a->locked()) e->set_detail("account locked");
    }
    return ToGrpc(r.status());
  }
  if (v1::AuditEntry* e = Entry()) {
    e->set_unit_id(r->account.unit_id());
    e->set_role(absl::StrJoin(r->account.roles(), ","));
  }
  out->set_token(r->token);
  Wipe(&r->token);
  out->set_expires_at(absl::FormatTime(absl::RFC3339_sec, r->expires_at, absl::UTCTimeZone()));
  out->set_must_change_password(r->must_change_password || r->must_enrol_totp);
  *out->mutable_account() = r->account;
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::Logout(grpc::ServerContext* ctx, const v1::LogoutRequest*, v1::LogoutResponse*) {
  DUBAN_PRINCIPAL(p, ctx);
  accounts_->Logout(*p);
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::ChangePassword(grpc::ServerContext* ctx, const v1::ChangePasswordRequest* req,
                                             v1::ChangePasswordResponse*) {
  WipeOnReturn wipe(req);
  DUBAN_PRINCIPAL(p, ctx);
  if (p->via_certificate) return ToGrpc(absl::FailedPreconditionError("password: log in with a password first"));
  return ToGrpc(accounts_->ChangePassword(*p, req->old_password(), req->new_password()));
}

grpc::Status AuthServiceImpl::WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest*, v1::WhoAmIResponse* out) {
  DUBAN_PRINCIPAL(p, ctx);
  auto a = accounts_->Account(p->account_id);
  if (!a.ok()) return ToGrpc(a.status());
  *out->mutable_account() = *a;
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::EnrolTotp(grpc::ServerContext* ctx, const v1::EnrolTotpRequest*,
                                        v1::EnrolTotpResponse* out) {
  DUBAN_PRINCIPAL(p, ctx);
  auto r = accounts_->EnrolTotp(*p);
  if (!r.ok()) return ToGrpc(r.status());
  *out = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::ConfirmTotp(grpc::ServerContext* ctx, const v1::ConfirmTotpRequest* req,
                                          v1::ConfirmTotpResponse*) {
  WipeOnReturn wipe(req);
  DUBAN_PRINCIPAL(p, ctx);
  return ToGrpc(accounts_->ConfirmTotp(*p, req->code()));
}

grpc::Status AuthServiceImpl::CreateAccount(grpc::ServerContext* ctx, const v1::CreateAccountRequest* req,
                                            v1::CreateAccountResponse* out) {
  WipeOnReturn wipe(req);
  DUBAN_PRINCIPAL(p, ctx);
  auto a = accounts_->Create(*p, *req);
  if (!a.ok()) return ToGrpc(a.status());
  *out->mutable_account() = *a;
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::SetAccountDisabled(grpc::ServerContext* ctx, const v1::SetAccountDisabledRequest* req,
                                                 v1::SetAccountDisabledResponse* out) {
  DUBAN_PRINCIPAL(p, ctx);
  auto a = accounts_->SetDisabled(*p, req->account_id(), req->disabled());
  if (!a.ok()) return ToGrpc(a.status());
  *out->mutable_account() = *a;
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::ResetPassword(grpc::ServerContext* ctx, const v1::ResetPasswordRequest* req,
                                            v1::ResetPasswordResponse*) {
  WipeOnReturn wipe(req);
  DUBAN_PRINCIPAL(p, ctx);
  return ToGrpc(accounts_->ResetPassword(*p, req->account_id(), req->new_password()));
}

grpc::Status AuthServiceImpl::GrantRole(grpc::ServerContext* ctx, const v1::GrantRoleRequest* req,
                                        v1::RoleChangeResponse* out) {
  DUBAN_PRINCIPAL(p, ctx);
  if (!IsKnownRole(req->grant().role())) {
    return ToGrpc(absl::InvalidArgumentError(absl::StrCat("grant.role: unknown role '", req->grant().role(), "'")));
  }
  Grant g{req->grant().role(), {req->grant().scope().begin(), req->grant().scope().end()}};
  auto a = accounts_->GrantRole(*p, req->account_id(), g);
  if (!a.ok()) return ToGrpc(a.status());
  *out->mutable_account() = *a;
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::RevokeRole(grpc::ServerContext* ctx, const v1::RevokeRoleRequest* req,
                                         v1::RoleChangeResponse* out) {
  DUBAN_PRINCIPAL(p, ctx);
  auto a = accounts_->RevokeRole(*p, req->account_id(), req->role());
  if (!a.ok()) return ToGrpc(a.status());
  *out->mutable_account() = *a;
  return grpc::Status::OK;
}

grpc::Status AuthServiceImpl::ListAccounts(grpc::ServerContext*, const v1::ListAccountsRequest* req,
                                           v1::ListAccountsResponse* out) {
  auto page = SortedPage(accounts_->List(), [](const v1::Account& a) { return a.id(); }, "accounts",
                         req->page_token(), req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& a : page->items) *out->add_accounts() = std::move(a);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace duban::auth
