// Accounts and sessions: password and TOTP login, lockout, bearer-token
// sessions with an absolute lifetime and an idle timeout, account and role
// administration with the three administrators kept apart (三员分立).
//
// Thread-safe. Account records persist in the engine's store (column
// "meta", keys "auth/account/<id>"); sessions live in memory only (a restart
// ends every session), keyed by the token's SHA-256, never the token.
#ifndef DUBAN_SERVICES_AUTH_ACCOUNTS_H_
#define DUBAN_SERVICES_AUTH_ACCOUNTS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "duban/v1/auth.pb.h"
#include "engine/storage/store.h"
#include "services/auth/credentials.h"
#include "services/auth/principal.h"

namespace duban::auth {

struct AuthOptions {
  int lockout_threshold = 5;                              // failed logins before the account locks
  absl::Duration session_lifetime = absl::Hours(12);       // absolute, from login
  absl::Duration idle_timeout = absl::Minutes(30);         // people's sessions
  absl::Duration service_session_lifetime = absl::Hours(24 * 30);  // service accounts: no idle timeout
  absl::Duration password_max_age = absl::Hours(24 * 90);  // zero: passwords never expire
  Argon2Params argon2;
};

// An account as the accounts file declares it (services/auth/accounts_file.h).
struct DeclaredAccount {
  std::string id;
  std::string display_name;
  std::string unit;                   // resolved to a unit id on load
  std::vector<std::string> roles;     // "role" or "role:a,b"
  v1::AccountKind kind = v1::ACCOUNT_KIND_PERSON;
  std::string password_hash;          // argon2id, encoded (duband --hash_password)
  std::string totp_secret;            // base32, optional
  std::string client_cert_subject;    // CN for mutual TLS, optional
  bool must_change_password = false;
  int line = 0;                       // for errors
};

struct LoginResult {
  std::string token;  // the caller wipes it once sent
  absl::Time expires_at;
  bool must_change_password = false;
  bool must_enrol_totp = false;
  v1::Account account;
};

class AccountStore {
 public:
  using UnitResolver = std::function<absl::StatusOr<std::string>(absl::string_view name)>;
  using Now = std::function<absl::Time()>;

  // store may be null (tests): records then live in memory only.
  AccountStore(Store* store, AuthOptions options, UnitResolver resolve_unit, Now now = absl::Now);
  AccountStore(const AccountStore&) = delete;
  AccountStore& operator=(const AccountStore&) = delete;

  // Reads the persisted accounts.
  absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);
  // Creates or updates the declared accounts (unit, roles, kind, subject;
  // the password hash and TOTP secret only when the account has none yet).
  // INVALID_ARGUMENT "accounts[i] (line n).field: ..." on the first bad one;
  // nothing is applied then.
  absl::Status Declare(const std::vector<DeclaredAccount>& accounts) ABSL_LOCKS_EXCLUDED(mu_);
  // When no account holds system_admin: creates sysadmin, secadmin and
  // auditadmin with random passwords (changed at first login) and TOTP
  // secrets, and writes them to `path` with mode 0600. Returns true when it
  // created them.
  absl::StatusOr<bool> Bootstrap(const std::string& path) ABSL_LOCKS_EXCLUDED(mu_);
  // Creates an account with a random password for each entry that does not
  // exist yet and appends "id password" lines to `path` (mode 0600): the
  // local development mode's demo accounts.
  absl::Status CreateDevAccounts(const std::vector<DeclaredAccount>& accounts, const std::string& path)
      ABSL_LOCKS_EXCLUDED(mu_);

  // UNAUTHENTICATED "account_id or password: not accepted" for an unknown
  // account, a wrong password or code, a locked or disabled account alike.
  absl::StatusOr<LoginResult> Login(const std::string& account_id, std::string password, std::string totp_code)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The session of a bearer token; UNAUTHENTICATED when it is unknown,
  // expired, idle too long or revoked. Touches the session.
  absl::StatusOr<Principal> Authenticate(absl::string_view token) ABSL_LOCKS_EXCLUDED(mu_);
  // The account mapped to a verified client certificate's subject CN.
  absl::StatusOr<Principal> AuthenticateCertificate(absl::string_view common_name) ABSL_LOCKS_EXCLUDED(mu_);
  // The principal of account `id` when another account acts for it (the
  // act_for role): NOT_FOUND for an unknown, disabled or locked account,
  // PERMISSION_DENIED for an administrator (nobody acts for one).
  absl::StatusOr<Principal> ActedFor(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the session is still valid (without touching it).
  bool SessionAlive(const std::string& session) ABSL_LOCKS_EXCLUDED(mu_);

  void Logout(const Principal& p) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status ChangePassword(const Principal& p, std::string old_password, std::string new_password)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::EnrolTotpResponse> EnrolTotp(const Principal& p) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status ConfirmTotp(const Principal& p, std::string code) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::Account> Account(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);

  // Administration; `by` is the acting principal, already authorised for
  // the RPC. The rules of separation are checked here.
  absl::StatusOr<v1::Account> Create(const Principal& by, const v1::CreateAccountRequest& req)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::Account> SetDisabled(const Principal& by, const std::string& id, bool disabled)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status ResetPassword(const Principal& by, const std::string& id, std::string password) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::Account> GrantRole(const Principal& by, const std::string& id, const auth::Grant& g)
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::Account> RevokeRole(const Principal& by, const std::string& id, const std::string& role)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<v1::Account> List() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Session {
    std::string account_id;
    absl::Time expires;
    absl::Time last_used;
    absl::Duration idle;  // zero: none
    bool restricted = false;
  };
  absl::Status Persist(const v1::AccountRecord& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends the new accounts' credentials (`*text`, wiped after) to the
  // private file at `path`, then stores and keeps the accounts.
  absl::Status SaveNewAccounts(const std::string& path, std::string* text, std::vector<v1::AccountRecord>* made)
      ABSL_LOCKS_EXCLUDED(mu_);
  void RevokeAllLocked(const std::string& account_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Principal PrincipalOf(const v1::AccountRecord& r) const;
  // Roles valid, and no two administrator roles.
  static absl::Status CheckRoles(const std::string& field, const std::vector<std::string>& roles);

  Store* const store_;
  const AuthOptions options_;
  const UnitResolver resolve_unit_;
  const Now now_;
  const std::string dummy_hash_;  // verified against for unknown accounts, so both answers take as long

  absl::Mutex mu_;
  std::map<std::string, v1::AccountRecord> accounts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);  // token hash -> session
};

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_ACCOUNTS_H_
