// dubanctl: Accounts and sessions: login, logout, whoami, passwd, totp, account, role.
#include <cstdint>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <fstream>
#include "services/auth/credentials.h"
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "all_pages.h"
#include "client.h"
#include "text_table.h"

namespace dubanctl {
namespace {

// A secret read from the terminal without echo, or a line of stdin.
std::string ReadSecret(const std::string& prompt) {
  bool tty = ::isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void WipeString(std::string* s) {
  volatile char* p = s->data();
  for (size_t i = 0; i < s->size(); ++i) p[i] = 0;
  s->clear();
}

// Writes the token file with mode 0600 (its folder 0700 when created).
void WriteTokenFile(const std::string& path, const std::string& token) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string dir = path.substr(0, slash);
    std::string partial;
    for (size_t i = 0; i <= dir.size(); ++i) {
      if (i == dir.size() || dir[i] == '/') {
        if (!partial.empty()) ::mkdir(partial.c_str(), 0700);
      }
      if (i < dir.size()) partial.push_back(dir[i]);
    }
  }
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  FILE* f = nullptr;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) f = ::fdopen(fd, "w");
  if (f == nullptr || std::fprintf(f, "%s\n", token.c_str()) < 0 || std::fclose(f) != 0 ||
      std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw Failure("token file: cannot write " + path);
  }
}

void Login(Client& c, const Args& a, const Operands& ops) {
  v1::LoginRequest req;
  req.set_account_id(ops[0]);
  std::string pw = ReadSecret("password for " + ops[0] + ": ");
  req.set_password(pw);
  WipeString(&pw);
  req.set_totp_code(a.GetOr("totp", ""));
  v1::LoginResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().Login(ctx, req, &resp); });
  WriteTokenFile(c.opts().token_file, resp.token());
  if (c.opts().json) {
    resp.clear_token();
    return PrintJson(resp);
  }
  std::cout << "logged in as " << resp.account().id() << " (" << absl::StrJoin(resp.account().roles(), ", ")
            << "), until " << resp.expires_at() << "; token in " << c.opts().token_file << "\n";
  if (resp.must_change_password()) {
    std::cout << "this session may only change the password (dubanctl passwd) or enrol TOTP (dubanctl totp enrol)\n";
  }
}

void Logout(Client& c, const Args&, const Operands&) {
  v1::LogoutRequest req;
  v1::LogoutResponse resp;
  grpc::Status s = c.TryCall([&](grpc::ClientContext* ctx) { return c.auth().Logout(ctx, req, &resp); });
  ::unlink(c.opts().token_file.c_str());
  if (!s.ok() && s.error_code() != grpc::StatusCode::UNAUTHENTICATED) throw RpcFailure{s};
  std::cout << "logged out\n";
}

void PrintAccount(const v1::Account& a) {
  KeyValues kv;
  kv.Add("ACCOUNT", a.id());
  kv.Add("NAME", a.display_name());
  kv.Add("UNIT", a.unit_id().empty() ? "-" : a.unit_id());
  kv.Add("ROLES", absl::StrJoin(a.roles(), " "));
  kv.Add("KIND", a.kind() == v1::ACCOUNT_KIND_SERVICE ? "service" : "person");
  kv.Add("TOTP", a.totp_enabled() ? "yes" : "no");
  kv.Add("STATE", a.disabled() ? "disabled" : a.locked() ? "locked" : "active");
  kv.Print(std::cout);
}

void WhoAmI(Client& c, const Args&, const Operands&) {
  v1::WhoAmIRequest req;
  v1::WhoAmIResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().WhoAmI(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

void Passwd(Client& c, const Args&, const Operands&) {
  v1::ChangePasswordRequest req;
  std::string old_pw = ReadSecret("old password: ");
  std::string new_pw = ReadSecret("new password: ");
  req.set_old_password(old_pw);
  req.set_new_password(new_pw);
  WipeString(&old_pw);
  WipeString(&new_pw);
  v1::ChangePasswordResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().ChangePassword(ctx, req, &resp); });
  ::unlink(c.opts().token_file.c_str());
  std::cout << "password changed; every session of the account has ended: log in again\n";
}

void TotpEnrol(Client& c, const Args&, const Operands&) {
  v1::EnrolTotpRequest req;
  v1::EnrolTotpResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().EnrolTotp(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  std::cout << "secret: " << resp.secret_base32() << "\nuri:    " << resp.otpauth_uri()
            << "\nthen: dubanctl totp confirm <code>\n";
}

void TotpConfirm(Client& c, const Args&, const Operands& ops) {
  v1::ConfirmTotpRequest req;
  req.set_code(ops[0]);
  v1::ConfirmTotpResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().ConfirmTotp(ctx, req, &resp); });
  ::unlink(c.opts().token_file.c_str());
  std::cout << "TOTP enabled; log in again with --totp=CODE\n";
}

// An authenticator on the command line: the current code of a base32
// secret (for the local development mode's administrators and scripts).
void TotpCode(Client&, const Args&, const Operands& ops) {
  auto code = duban::auth::TotpCode(ops[0], absl::Now());
  if (!code.ok()) throw UsageError(std::string(code.status().message()));
  std::cout << *code << "\n";
}

void AccountList(Client& c, const Args&, const Operands&) {
  v1::ListAccountsRequest req;
  v1::ListAccountsResponse resp;
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.auth().ListAccounts(ctx, r, p); },
           [](auto* m) { return m->mutable_accounts(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ACCOUNT", "UNIT", "ROLES", "KIND", "STATE"});
  for (const auto& a : resp.accounts()) {
    t.AddRow({a.id(), a.unit_id().empty() ? "-" : a.unit_id(), absl::StrJoin(a.roles(), " "),
              a.kind() == v1::ACCOUNT_KIND_SERVICE ? "service" : "person",
              a.disabled() ? "disabled" : a.locked() ? "locked" : "active"});
  }
  t.Print(std::cout);
}

void AccountCreate(Client& c, const Args& a, const Operands& ops) {
  v1::CreateAccountRequest req;
  req.set_id(ops[0]);
  req.set_unit(a.GetOr("unit", ""));
  req.set_display_name(a.GetOr("name", ""));
  req.set_kind(a.Bool("service") ? v1::ACCOUNT_KIND_SERVICE : v1::ACCOUNT_KIND_PERSON);
  std::string pw = ReadSecret("initial password: ");
  req.set_initial_password(pw);
  WipeString(&pw);
  v1::CreateAccountResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().CreateAccount(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

template <bool kDisable>
void AccountSetDisabled(Client& c, const Args&, const Operands& ops) {
  v1::SetAccountDisabledRequest req;
  req.set_account_id(ops[0]);
  req.set_disabled(kDisable);
  v1::SetAccountDisabledResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().SetAccountDisabled(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

void AccountResetPassword(Client& c, const Args&, const Operands& ops) {
  v1::ResetPasswordRequest req;
  req.set_account_id(ops[0]);
  std::string pw = ReadSecret("temporary password: ");
  req.set_new_password(pw);
  WipeString(&pw);
  v1::ResetPasswordResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().ResetPassword(ctx, req, &resp); });
  std::cout << "password reset; " << ops[0] << " changes it at the next login\n";
}

void RoleGrant(Client& c, const Args&, const Operands& ops) {
  v1::GrantRoleRequest req;
  req.set_account_id(ops[0]);
  std::string role = ops[1];
  auto colon = role.find(':');
  req.mutable_grant()->set_role(role.substr(0, colon));
  if (colon != std::string::npos) {
    for (const auto& sc : Args::SplitList(role.substr(colon + 1))) req.mutable_grant()->add_scope(sc);
  }
  v1::RoleChangeResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().GrantRole(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

void RoleRevoke(Client& c, const Args&, const Operands& ops) {
  v1::RevokeRoleRequest req;
  req.set_account_id(ops[0]);
  req.set_role(ops[1]);
  v1::RoleChangeResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.auth().RevokeRole(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  PrintAccount(resp.account());
}

}  // namespace

void RegisterAccountCommands(Registry& r) {
  r.Add("login", "login <account> [--totp=CODE]", {"account"}, {"totp"}, false, Login);
  r.Add("logout", "logout", {}, {}, false, Logout);
  r.Add("whoami", "whoami", {}, {}, false, WhoAmI);
  r.Add("passwd", "passwd   (old, then new password: terminal or two lines of stdin)", {}, {}, false, Passwd);
  r.Add("totp enrol", "totp enrol", {}, {}, false, TotpEnrol);
  r.Add("totp confirm", "totp confirm <code>", {"code"}, {}, false, TotpConfirm);
  r.Add("totp code", "totp code <secret_base32>   (prints the current code; no server call)", {"secret"}, {}, false,
        TotpCode);
  r.Add("account list", "account list", {}, {}, false, AccountList);
  r.Add("account create", "account create <id> [--unit=UNIT] [--name=NAME] [--service]", {"id"},
        {"unit", "name", "service"}, false, AccountCreate);
  r.Add("account disable", "account disable <id>", {"id"}, {}, false, AccountSetDisabled<true>);
  r.Add("account enable", "account enable <id>", {"id"}, {}, false, AccountSetDisabled<false>);
  r.Add("account reset-password", "account reset-password <id>", {"id"}, {}, false, AccountResetPassword);
  r.Add("role grant", "role grant <account> <role>[:<scope>,...]", {"account", "role"}, {}, false, RoleGrant);
  r.Add("role revoke", "role revoke <account> <role>", {"account", "role"}, {}, false, RoleRevoke);
}

}  // namespace dubanctl
