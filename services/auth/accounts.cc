#include "services/auth/accounts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/storage/keys.h"
#include "spdlog/spdlog.h"

namespace duban::auth {

namespace {

constexpr char kNotAccepted[] = "account_id or password: not accepted";

std::string Rfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone()); }

absl::Status CheckAccountId(const std::string& field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (id.size() > 64) return absl::InvalidArgumentError(absl::StrCat(field, ": at most 64 bytes"));
  for (unsigned char c : id) {
    if (c <= 0x20 || c == 0x7f || c == ':' || c == ',') {
      return absl::InvalidArgumentError(absl::StrCat(field, ": no spaces, control characters, ':' or ','"));
    }
  }
  return absl::OkStatus();
}

// Appends to a file that only its owner may read; creates it 0600.
absl::Status AppendPrivate(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("credentials file: cannot write ", path));
  ::fchmod(fd, 0600);
  ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    return absl::UnavailableError(absl::StrCat("credentials file: cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace

AccountStore::AccountStore(Store* store, AuthOptions options, UnitResolver resolve_unit, Now now)
    : store_(store),
      options_(options),
      resolve_unit_(std::move(resolve_unit)),
      now_(std::move(now)),
      dummy_hash_(HashPassword(NewPassword(), options.argon2).value_or("")) {}

absl::Status AccountStore::CheckRoles(const std::string& field, const std::vector<std::string>& roles) {
  int admin = 0;
  std::set<std::string> seen;
  for (size_t i = 0; i < roles.size(); ++i) {
    Grant g = ParseGrant(roles[i]);
    if (!IsKnownRole(g.role)) {
      return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "]: unknown role '", g.role, "'"));
    }
    if (!seen.insert(g.role).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "]: role '", g.role, "' given twice"));
    }
    if (IsAdminRole(g.role)) ++admin;
  }
  if (admin > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": one account may hold only one of system_admin, security_admin and audit_admin"));
  }
  return absl::OkStatus();
}

absl::Status AccountStore::Persist(const v1::AccountRecord& r) {
  if (store_ == nullptr) return absl::OkStatus();
  rocksdb::WriteBatch b;
  store_->Put(&b, Cf::kMeta, keys::Account(r.account().id()), r);
  return store_->Write(&b);
}

absl::Status AccountStore::Load() {
  if (store_ == nullptr) return absl::OkStatus();
  absl::MutexLock l(&mu_);
  absl::Status bad;
  absl::Status scanned = store_->Scan(Cf::kMeta, keys::AccountPrefix(), [&](absl::string_view k, absl::string_view v) {
    v1::AccountRecord r;
    if (!r.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError(absl::StrCat("accounts: record ", k, " is unreadable"));
      return false;
    }
    accounts_[r.account().id()] = std::move(r);
    return true;
  });
  if (!scanned.ok()) return scanned;
  return bad;
}

Principal AccountStore::PrincipalOf(const v1::AccountRecord& r) const {
  Principal p;
  p.account_id = r.account().id();
  p.display_name = r.account().display_name();
  p.unit_id = r.account().unit_id();
  p.person = r.account().kind() != v1::ACCOUNT_KIND_SERVICE;
  for (const auto& g : r.account().roles()) p.roles.push_back(ParseGrant(g));
  return p;
}

absl::Status AccountStore::Declare(const std::vector<DeclaredAccount>& accounts) {
  std::vector<v1::AccountRecord> out;
  std::set<std::string> ids;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const auto& d = accounts[i];
    std::string f = absl::StrCat("accounts[", i, "] (line ", d.line, ")");
    if (auto s = CheckAccountId(f + ".id", d.id); !s.ok()) return s;
    if (!ids.insert(d.id).second) return absl::InvalidArgumentError(absl::StrCat(f, ".id: '", d.id, "' declared twice"));
    if (auto s = CheckRoles(f + ".roles", d.roles); !s.ok()) return s;
    v1::AccountRecord r;
    r.mutable_account()->set_id(d.id);
    r.mutable_account()->set_display_name(d.display_name.empty() ? d.id : d.display_name);
    if (!d.unit.empty()) {
      auto u = resolve_unit_(d.unit);
      if (!u.ok()) return absl::InvalidArgumentError(absl::StrCat(f, ".unit: ", u.status().message()));
      r.mutable_account()->set_unit_id(*u);
    }
    for (const auto& role : d.roles) r.mutable_account()->add_roles(role);
    r.mutable_account()->set_kind(d.kind);
    if (d.password_hash.empty() && d.client_cert_subject.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".password_hash: required (or client_cert_subject)"));
    }
    if (!d.password_hash.empty() && d.password_hash.rfind("$argon2id$", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".password_hash: not an argon2id hash (duband --hash_password)"));
    }
    if (!d.totp_secret.empty() && !Base32Decode(d.totp_secret).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".totp_secret: not base32"));
    }
    r.set_password_hash(d.password_hash);
    r.set_totp_secret(d.totp_secret);
    r.mutable_account()->set_totp_enabled(!d.totp_secret.empty());
    r.set_client_cert_subject(d.client_cert_subject);
    r.set_must_change_password(d.must_change_password);
    r.set_declared(true);
    out.push_back(std::move(r));
  }
  absl::MutexLock l(&mu_);
  int64_t now = absl::ToUnixSeconds(now_());
  for (auto& r : out) {
    auto it = accounts_.find(r.account().id());
    if (it != accounts_.end()) {
      // The file states unit, roles, kind and subject; the password and
      // second factor stay as their owner last set them.
      v1::AccountRecord& cur = it->second;
      bool roles_changed = cur.account().roles_size() != r.account().roles_size();
      for (int i = 0; !roles_changed && i < r.account().roles_size(); ++i) {
        roles_changed = cur.account().roles(i) != r.account().roles(i);
      }
      cur.mutable_account()->set_display_name(r.account().display_name());
      cur.mutable_account()->set_unit_id(r.account().unit_id());
      *cur.mutable_account()->mutable_roles() = r.account().roles();
      cur.mutable_account()->set_kind(r.account().kind());
      cur.set_client_cert_subject(r.client_cert_subject());
      if (cur.password_hash().empty()) cur.set_password_hash(r.password_hash());
      if (cur.totp_secret().empty() && !r.totp_secret().empty()) {
        cur.set_totp_secret(r.totp_secret());
        cur.mutable_account()->set_totp_enabled(true);
      }
      cur.set_declared(true);
      if (roles_changed) RevokeAllLocked(cur.account().id());
      if (auto s = Persist(cur); !s.ok()) return s;
    } else {
      r.set_password_changed_unix(now);
      r.mutable_account()->set_password_changed_at(Rfc3339(absl::FromUnixSeconds(now)));
      if (auto s = Persist(r); !s.ok()) return s;
      accounts_[r.account().id()] = std::move(r);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> AccountStore::Bootstrap(const std::string& path) {
  {
    absl::MutexLock l(&mu_);
    for (const auto& [id, r] : accounts_) {
      for (const auto& g : r.account().roles()) {
        if (ParseGrant(g).role == kSystemAdmin) return false;
      }
    }
  }
  std::string text =
      "# duban bootstrap administrators. Each password must be changed at first login;\n"
      "# the TOTP secret goes into an authenticator app (RFC 6238, SHA-1, 6 digits, 30 s).\n"
      "# Delete this file once the administrators have logged in.\n";
  std::vector<v1::AccountRecord> made;
  int64_t now = absl::ToUnixSeconds(now_());
  for (const auto& [id, role] : std::vector<std::pair<std::string, std::string>>{
           {"sysadmin", kSystemAdmin}, {"secadmin", kSecurityAdmin}, {"auditadmin", kAuditAdmin}}) {
    std::string password = NewPassword();
    std::string secret = NewTotpSecret();
    auto hash = HashPassword(password, options_.argon2);
    if (!hash.ok()) return hash.status();
    v1::AccountRecord r;
    r.mutable_account()->set_id(id);
    r.mutable_account()->set_display_name(id);
    r.mutable_account()->add_roles(role);
    r.mutable_account()->set_kind(v1::ACCOUNT_KIND_PERSON);
    r.mutable_account()->set_totp_enabled(true);
    r.mutable_account()->set_password_changed_at(Rfc3339(absl::FromUnixSeconds(now)));
    r.set_password_hash(*hash);
    r.set_totp_secret(secret);
    r.set_must_change_password(true);
    r.set_password_changed_unix(now);
    absl::StrAppend(&text, "account: ", id, "\nrole: ", role, "\npassword: ", password, "\ntotp_secret: ", secret,
                    "\n\n");
    Wipe(&password);
    Wipe(&secret);
    made.push_back(std::move(r));
  }
  ::unlink(path.c_str());
  if (absl::Status s = SaveNewAccounts(path, &text, &made); !s.ok()) return s;
  return true;
}

absl::Status AccountStore::CreateDevAccounts(const std::vector<DeclaredAccount>& accounts, const std::string& path) {
  std::string text;
  std::vector<v1::AccountRecord> made;
  int64_t now = absl::ToUnixSeconds(now_());
  for (const auto& d : accounts) {
    {
      absl::MutexLock l(&mu_);
      if (accounts_.count(d.id)) continue;
    }
    std::string password = NewPassword();
    auto hash = HashPassword(password, options_.argon2);
    if (!hash.ok()) return hash.status();
    v1::AccountRecord r;
    r.mutable_account()->set_id(d.id);
    r.mutable_account()->set_display_name(d.display_name.empty() ? d.id : d.display_name);
    r.mutable_account()->set_unit_id(d.unit);
    for (const auto& role : d.roles) r.mutable_account()->add_roles(role);
    r.mutable_account()->set_kind(d.kind);
    r.mutable_account()->set_password_changed_at(Rfc3339(absl::FromUnixSeconds(now)));
    r.set_password_hash(*hash);
    r.set_password_changed_unix(now);
    absl::StrAppend(&text, d.id, " ", password, "\n");
    Wipe(&password);
    made.push_back(std::move(r));
  }
  if (made.empty()) return absl::OkStatus();
  return SaveNewAccounts(path, &text, &made);
}

absl::Status AccountStore::SaveNewAccounts(const std::string& path, std::string* text,
                                           std::vector<v1::AccountRecord>* made) {
  absl::Status w = AppendPrivate(path, *text);
  Wipe(text);
  if (!w.ok()) return w;
  absl::MutexLock l(&mu_);
  for (auto& r : *made) {
    if (auto s = Persist(r); !s.ok()) return s;
    accounts_[r.account().id()] = std::move(r);
  }
  return absl::OkStatus();
}

absl::StatusOr<LoginResult> AccountStore::Login(const std::string& account_id, std::string password,
                                                std::string totp_code) {
  std::string hash = dummy_hash_;
  std::string secret;
  bool usable = false;
  {
    absl::MutexLock l(&mu_);
    auto it = accounts_.find(account_id);
    if (it != accounts_.end() && !it->second.password_hash().empty()) {
      hash = it->second.password_hash();
      secret = it->second.totp_secret();
      usable = !it->second.account().disabled() && !it->second.account().locked();
    }
  }
  // Verified whatever the account, so that an unknown account and a wrong
  // password take as long and answer alike.
  bool ok = VerifyPassword(hash, password);
  Wipe(&password);
  absl::Time now = now_();
  if (ok && !secret.empty()) ok = VerifyTotp(secret, totp_code, now);
  Wipe(&totp_code);
  Wipe(&secret);
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(account_id);
  if (it == accounts_.end()) return absl::UnauthenticatedError(kNotAccepted);
  v1::AccountRecord& r = it->second;
  if (!ok || !usable) {
    if (usable) {
      r.set_failed_logins(r.failed_logins() + 1);
      if (r.failed_logins() >= options_.lockout_threshold) {
        r.mutable_account()->set_locked(true);
        RevokeAllLocked(account_id);
        spdlog::warn("auth: account {} locked after {} failed logins", account_id, r.failed_logins());
      }
      (void)Persist(r);
    }
    spdlog::info("auth: login refused account={}", account_id);
    return absl::UnauthenticatedError(kNotAccepted);
  }
  r.set_failed_logins(0);
  (void)Persist(r);
  LoginResult out;
  bool person = r.account().kind() != v1::ACCOUNT_KIND_SERVICE;
  bool expired = person && options_.password_max_age > absl::ZeroDuration() &&
                 now - absl::FromUnixSeconds(r.password_changed_unix()) > options_.password_max_age;
  out.must_change_password = r.must_change_password() || expired;
  bool admin = false;
  for (const auto& g : r.account().roles()) admin |= IsAdminRole(ParseGrant(g).role);
  out.must_enrol_totp = admin && r.totp_secret().empty();
  Session s;
  s.account_id = account_id;
  s.expires = now + (person ? options_.session_lifetime : options_.service_session_lifetime);
  s.last_used = now;
  s.idle = person ? options_.idle_timeout : absl::ZeroDuration();
  s.restricted = out.must_change_password || out.must_enrol_totp;
  out.token = NewToken();
  out.expires_at = s.expires;
  out.account = r.account();
  sessions_[TokenHash(out.token)] = s;
  spdlog::info("auth: login account={}{}", account_id, s.restricted ? " (restricted session)" : "");
  return out;
}

absl::StatusOr<Principal> AccountStore::Authenticate(absl::string_view token) {
  std::string h = TokenHash(token);
  absl::MutexLock l(&mu_);
  auto it = sessions_.find(h);
  if (it == sessions_.end()) return absl::UnauthenticatedError("authorization: token not valid (log in again)");
  absl::Time now = now_();
  Session& s = it->second;
  if (now >= s.expires || (s.idle > absl::ZeroDuration() && now - s.last_used > s.idle)) {
    sessions_.erase(it);
    return absl::UnauthenticatedError("authorization: session expired (log in again)");
  }
  auto a = accounts_.find(s.account_id);
  if (a == accounts_.end() || a->second.account().disabled() || a->second.account().locked()) {
    sessions_.erase(it);
    return absl::UnauthenticatedError("authorization: token not valid (log in again)");
  }
  s.last_used = now;
  Principal p = PrincipalOf(a->second);
  p.restricted = s.restricted;
  p.session = h;
  return p;
}

absl::StatusOr<Principal> AccountStore::ActedFor(const std::string& id) {
  absl::MutexLock l(&mu_);
  auto a = accounts_.find(id);
  if (a == accounts_.end() || a->second.account().disabled() || a->second.account().locked()) {
    return absl::NotFoundError(absl::StrCat("meta.actor: no active account '", id, "' to act for"));
  }
  Principal p = PrincipalOf(a->second);
  for (const auto& g : p.roles) {
    if (IsAdminRole(g.role) || g.role == kActFor) {
      return absl::PermissionDeniedError(
          absl::StrCat("meta.actor: account '", id, "' holds ", g.role, "; nobody acts for it"));
    }
  }
  return p;
}

absl::StatusOr<Principal> AccountStore::AuthenticateCertificate(absl::string_view cn) {
  absl::MutexLock l(&mu_);
  for (const auto& [id, r] : accounts_) {
    if (!r.client_cert_subject().empty() && r.client_cert_subject() == cn) {
      if (r.account().disabled() || r.account().locked()) break;
      Principal p = PrincipalOf(r);
      p.via_certificate = true;
      return p;
    }
  }
  return absl::UnauthenticatedError("client certificate: no account for its subject");
}

bool AccountStore::SessionAlive(const std::string& session) {
  absl::MutexLock l(&mu_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return false;
  return now_() < it->second.expires;
}

void AccountStore::RevokeAllLocked(const std::string& account_id) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.account_id == account_id) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

void AccountStore::Logout(const Principal& p) {
  absl::MutexLock l(&mu_);
  sessions_.erase(p.session);
}

absl::Status AccountStore::ChangePassword(const Principal& p, std::string old_password, std::string new_password) {
  std::string hash;
  {
    absl::MutexLock l(&mu_);
    auto it = accounts_.find(p.account_id);
    if (it == accounts_.end()) return absl::NotFoundError("account: gone");
    hash = it->second.password_hash();
  }
  if (auto s = CheckPasswordPolicy("new_password", p.account_id, new_password); !s.ok()) {
    Wipe(&old_password);
    Wipe(&new_password);
    return s;
  }
  bool ok = VerifyPassword(hash, old_password);
  Wipe(&old_password);
  if (!ok) {
    Wipe(&new_password);
    return absl::PermissionDeniedError("old_password: not accepted");
  }
  if (VerifyPassword(hash, new_password)) {
    Wipe(&new_password);
    return absl::InvalidArgumentError("new_password: must differ from the old one");
  }
  auto nh = HashPassword(new_password, options_.argon2);
  Wipe(&new_password);
  if (!nh.ok()) return nh.status();
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(p.account_id);
  if (it == accounts_.end()) return absl::NotFoundError("account: gone");
  it->second.set_password_hash(*nh);
  it->second.set_must_change_password(false);
  absl::Time now = now_();
  it->second.set_password_changed_unix(absl::ToUnixSeconds(now));
  it->second.mutable_account()->set_password_changed_at(Rfc3339(now));
  RevokeAllLocked(p.account_id);
  return Persist(it->second);
}

absl::StatusOr<v1::EnrolTotpResponse> AccountStore::EnrolTotp(const Principal& p) {
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(p.account_id);
  if (it == accounts_.end()) return absl::NotFoundError("account: gone");
  if (!it->second.totp_secret().empty()) {
    return absl::FailedPreconditionError("totp: already enabled (a security administrator can reset it)");
  }
  v1::EnrolTotpResponse out;
  out.set_secret_base32(NewTotpSecret());
  out.set_otpauth_uri(absl::StrCat("otpauth://totp/duban:", p.account_id, "?secret=", out.secret_base32(),
                                   "&issuer=duban&digits=6&period=30"));
  it->second.set_pending_totp_secret(out.secret_base32());
  if (auto s = Persist(it->second); !s.ok()) return s;
  return out;
}

absl::Status AccountStore::ConfirmTotp(const Principal& p, std::string code) {
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(p.account_id);
  if (it == accounts_.end()) return absl::NotFoundError("account: gone");
  if (it->second.pending_totp_secret().empty()) return absl::FailedPreconditionError("totp: call EnrolTotp first");
  bool ok = VerifyTotp(it->second.pending_totp_secret(), code, now_());
  Wipe(&code);
  if (!ok) return absl::InvalidArgumentError("code: does not match the enrolled secret");
  it->second.set_totp_secret(it->second.pending_totp_secret());
  it->second.clear_pending_totp_secret();
  it->second.mutable_account()->set_totp_enabled(true);
  RevokeAllLocked(p.account_id);  // a restricted session ends; log in with the code
  return Persist(it->second);
}

absl::StatusOr<v1::Account> AccountStore::Account(const std::string& id) {
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return absl::NotFoundError(absl::StrCat("account_id: no account '", id, "'"));
  return it->second.account();
}

absl::StatusOr<v1::Account> AccountStore::Create(const Principal& by, const v1::CreateAccountRequest& req) {
  if (auto s = CheckAccountId("id", req.id()); !s.ok()) return s;
  if (req.roles_size() > 0 && !by.Has(kSecurityAdmin)) {
    return absl::PermissionDeniedError("roles: granted by a security administrator (GrantRole), not at creation");
  }
  std::vector<std::string> roles;
  for (const auto& g : req.roles()) roles.push_back(GrantText({g.role(), {g.scope().begin(), g.scope().end()}}));
  if (auto s = CheckRoles("roles", roles); !s.ok()) return s;
  std::string unit;
  if (!req.unit().empty()) {
    auto u = resolve_unit_(req.unit());
    if (!u.ok()) return absl::InvalidArgumentError(absl::StrCat("unit: ", u.status().message()));
    unit = *u;
  }
  std::string pw = req.initial_password();
  if (auto s = CheckPasswordPolicy("initial_password", req.id(), pw); !s.ok()) {
    Wipe(&pw);
    return s;
  }
  auto hash = HashPassword(pw, options_.argon2);
  Wipe(&pw);
  if (!hash.ok()) return hash.status();
  absl::MutexLock l(&mu_);
  if (accounts_.count(req.id())) return absl::AlreadyExistsError(absl::StrCat("id: account '", req.id(), "' exists"));
  v1::AccountRecord r;
  r.mutable_account()->set_id(req.id());
  r.mutable_account()->set_display_name(req.display_name().empty() ? req.id() : req.display_name());
  r.mutable_account()->set_unit_id(unit);
  for (const auto& x : roles) r.mutable_account()->add_roles(x);
  r.mutable_account()->set_kind(req.kind() == v1::ACCOUNT_KIND_UNSPECIFIED ? v1::ACCOUNT_KIND_PERSON : req.kind());
  absl::Time now = now_();
  r.mutable_account()->set_password_changed_at(Rfc3339(now));
  r.set_password_hash(*hash);
  r.set_must_change_password(true);
  r.set_password_changed_unix(absl::ToUnixSeconds(now));
  if (auto s = Persist(r); !s.ok()) return s;
  accounts_[req.id()] = r;
  spdlog::info("auth: account {} created by {}", req.id(), by.account_id);
  return r.account();
}

absl::StatusOr<v1::Account> AccountStore::SetDisabled(const Principal& by, const std::string& id, bool disabled) {
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return absl::NotFoundError(absl::StrCat("account_id: no account '", id, "'"));
  if (id == by.account_id) return absl::PermissionDeniedError("account_id: not one's own account");
  it->second.mutable_account()->set_disabled(disabled);
  if (!disabled) {
    it->second.mutable_account()->set_locked(false);
    it->second.set_failed_logins(0);
  }
  RevokeAllLocked(id);
  if (auto s = Persist(it->second); !s.ok()) return s;
  spdlog::info("auth: account {} {} by {}", id, disabled ? "disabled" : "enabled", by.account_id);
  return it->second.account();
}

absl::Status AccountStore::ResetPassword(const Principal& by, const std::string& id, std::string password) {
  if (id == by.account_id) {
    Wipe(&password);
    return absl::PermissionDeniedError("account_id: use ChangePassword for one's own account");
  }
  if (auto s = CheckPasswordPolicy("new_password", id, password); !s.ok()) {
    Wipe(&password);
    return s;
  }
  auto hash = HashPassword(password, options_.argon2);
  Wipe(&password);
  if (!hash.ok()) return hash.status();
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return absl::NotFoundError(absl::StrCat("account_id: no account '", id, "'"));
  it->second.set_password_hash(*hash);
  it->second.set_must_change_password(true);
  RevokeAllLocked(id);
  return Persist(it->second);
}

absl::StatusOr<v1::Account> AccountStore::GrantRole(const Principal& by, const std::string& id, const auth::Grant& g) {
  if (id == by.account_id) return absl::PermissionDeniedError("account_id: nobody grants a role to themselves");
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return absl::NotFoundError(absl::StrCat("account_id: no account '", id, "'"));
  std::vector<std::string> roles(it->second.account().roles().begin(), it->second.account().roles().end());
  for (auto& r : roles) {
    if (ParseGrant(r).role == g.role) r = GrantText(g);  // a new scope replaces the old one
  }
  bool had = false;
  for (const auto& r : roles) had |= ParseGrant(r).role == g.role;
  if (!had) roles.push_back(GrantText(g));
  if (auto s = CheckRoles("grant", roles); !s.ok()) return s;
  it->second.mutable_account()->clear_roles();
  for (const auto& r : roles) it->second.mutable_account()->add_roles(r);
  RevokeAllLocked(id);
  if (auto s = Persist(it->second); !s.ok()) return s;
  spdlog::info("auth: role {} granted to {} by {}", GrantText(g), id, by.account_id);
  return it->second.account();
}

absl::StatusOr<v1::Account> AccountStore::RevokeRole(const Principal& by, const std::string& id, const std::string& role) {
  if (id == by.account_id) return absl::PermissionDeniedError("account_id: not one's own roles");
  absl::MutexLock l(&mu_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return absl::NotFoundError(absl::StrCat("account_id: no account '", id, "'"));
  auto* roles = it->second.mutable_account()->mutable_roles();
  int before = roles->size();
  for (int i = roles->size() - 1; i >= 0; --i) {
    if (ParseGrant(roles->Get(i)).role == role) roles->DeleteSubrange(i, 1);
  }
  if (roles->size() == before) {
    return absl::NotFoundError(absl::StrCat("role: account '", id, "' does not hold '", role, "'"));
  }
  RevokeAllLocked(id);
  if (auto s = Persist(it->second); !s.ok()) return s;
  spdlog::info("auth: role {} revoked from {} by {}", role, id, by.account_id);
  return it->second.account();
}

std::vector<v1::Account> AccountStore::List() {
  absl::MutexLock l(&mu_);
  std::vector<v1::Account> out;
  for (const auto& [id, r] : accounts_) out.push_back(r.account());
  return out;
}

}  // namespace duban::auth
