// Runs duband as a child process on a loopback port, for end-to-end tests.
//
// The daemon starts with the test accounts file (tests/data/accounts.yaml,
// every account's password is kTestPassword) and creates the bootstrap
// administrators (sysadmin, secadmin, auditadmin) on its first start.
// Login(account) logs in with one call, answering TOTP and the first-login
// password change of the administrators; ChannelAs(account) is a channel
// whose every call carries that account's bearer token. channel() carries,
// on each call, the token of the account that the request's meta.actor (or
// actor) names, and of default_account() when it names none.
#ifndef DUBAN_TESTS_DAEMON_HARNESS_H_
#define DUBAN_TESTS_DAEMON_HARNESS_H_

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "duban/v1/auth.grpc.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/client_interceptor.h"
#include "services/auth/credentials.h"
#include "tests/test_util.h"

namespace duban::testing {

// The password of every account in tests/data/accounts.yaml.
inline constexpr char kTestPassword[] = "Duban-test-2023";

// Logs accounts in and keeps their tokens; shared by a Daemon's channels.
class TokenBook {
 public:
  explicit TokenBook(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  void Reset(const std::string& address) {
    std::lock_guard<std::mutex> l(mu_);
    tokens_.clear();
    address_ = address;
  }

  // The account's token, logging in when there is none. Empty on failure
  // (*error says why).
  std::string Token(const std::string& account, std::string* error = nullptr) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = tokens_.find(account);
    if (it != tokens_.end()) return it->second;
    std::string err;
    std::string token = LoginLocked(account, &err);
    if (!token.empty()) tokens_[account] = token;
    if (error != nullptr) *error = err;
    return token;
  }
  void Forget(const std::string& account) {
    std::lock_guard<std::mutex> l(mu_);
    tokens_.erase(account);
  }
  // The password the harness knows for the account now.
  std::string Password(const std::string& account) {
    std::lock_guard<std::mutex> l(mu_);
    return PasswordLocked(account);
  }
  std::string TotpSecret(const std::string& account) {
    std::lock_guard<std::mutex> l(mu_);
    ReadBootstrap();
    auto it = bootstrap_totp_.find(account);
    return it == bootstrap_totp_.end() ? "" : it->second;
  }

 private:
  void ReadBootstrap() {
    std::ifstream in(data_dir_ + "/bootstrap-credentials.txt");
    std::string line, account;
    while (std::getline(in, line)) {
      auto value = [&](const char* key) -> std::string {
        std::string k = std::string(key) + ": ";
        return line.rfind(k, 0) == 0 ? line.substr(k.size()) : "";
      };
      if (auto v = value("account"); !v.empty()) account = v;
      if (auto v = value("password"); !v.empty() && !changed_.count(account)) bootstrap_pw_[account] = v;
      if (auto v = value("totp_secret"); !v.empty()) bootstrap_totp_[account] = v;
    }
  }
  std::string PasswordLocked(const std::string& account) {
    auto c = changed_.find(account);
    if (c != changed_.end()) return c->second;
    ReadBootstrap();
    auto b = bootstrap_pw_.find(account);
    if (b != bootstrap_pw_.end()) return b->second;
    return kTestPassword;
  }
  std::string LoginLocked(const std::string& account, std::string* error) {
    auto ch = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    auto stub = v1::AuthService::NewStub(ch);
    for (int attempt = 0; attempt < 2; ++attempt) {
      v1::LoginRequest req;
      req.set_account_id(account);
      req.set_password(PasswordLocked(account));
      auto secret = bootstrap_totp_.find(account);
      if (secret != bootstrap_totp_.end()) {
        req.set_totp_code(auth::TotpCode(secret->second, absl::Now()).value_or(""));
      }
      v1::LoginResponse res;
      grpc::ClientContext ctx;
      grpc::Status s = stub->Login(&ctx, req, &res);
      if (!s.ok()) {
        *error = "login " + account + ": " + s.error_message();
        return "";
      }
      if (!res.must_change_password()) return res.token();
      // First login of a bootstrap administrator: a new password, then again.
      std::string fresh = "Changed-2023-" + std::to_string(attempt) + "x";
      v1::ChangePasswordRequest cp;
      cp.set_old_password(req.password());
      cp.set_new_password(fresh);
      v1::ChangePasswordResponse cpr;
      grpc::ClientContext cctx;
      cctx.AddMetadata("authorization", "Bearer " + res.token());
      s = stub->ChangePassword(&cctx, cp, &cpr);
      if (!s.ok()) {
        *error = "change password " + account + ": " + s.error_message();
        return "";
      }
      changed_[account] = fresh;
    }
    *error = "login " + account + ": still must change the password";
    return "";
  }

  const std::string data_dir_;
  std::mutex mu_;
  std::string address_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::string> changed_;
  std::map<std::string, std::string> bootstrap_pw_;
  std::map<std::string, std::string> bootstrap_totp_;
};

// Adds "authorization: Bearer <token>" to every call: the token of a fixed
// account, or of the account the request's meta.actor / actor names.
class BearerInterceptor : public grpc::experimental::Interceptor {
 public:
  BearerInterceptor(TokenBook* book, std::string fixed, std::string fallback)
      : book_(book), fixed_(std::move(fixed)), fallback_(std::move(fallback)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    using grpc::experimental::InterceptionHookPoints;
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::string account = fixed_;
      if (account.empty() && m->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
        account = ActorOf(static_cast<const google::protobuf::Message*>(m->GetSendMessage()));
      }
      if (account.empty()) account = fallback_;
      std::string token = book_->Token(account);
      if (!token.empty()) m->GetSendInitialMetadata()->insert({"authorization", "Bearer " + token});
    }
    m->Proceed();
  }

 private:
  static std::string ActorOf(const google::protobuf::Message* msg) {
    if (msg == nullptr) return "";
    const auto* d = msg->GetDescriptor();
    const auto* r = msg->GetReflection();
    if (const auto* meta = d->FindFieldByName("meta");
        meta != nullptr && meta->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE && r->HasField(*msg, meta)) {
      const auto& m = r->GetMessage(*msg, meta);
      if (const auto* actor = m.GetDescriptor()->FindFieldByName("actor")) return m.GetReflection()->GetString(m, actor);
    }
    if (const auto* actor = d->FindFieldByName("actor");
        actor != nullptr && actor->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      return r->GetString(*msg, actor);
    }
    return "";
  }
  TokenBook* book_;
  std::string fixed_, fallback_;
};

class BearerInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  BearerInterceptorFactory(TokenBook* book, std::string fixed, std::string fallback)
      : book_(book), fixed_(std::move(fixed)), fallback_(std::move(fallback)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    return new BearerInterceptor(book_, fixed_, fallback_);
  }

 private:
  TokenBook* book_;
  std::string fixed_, fallback_;
};

class Daemon {
 public:
  // data_dir persists across Start/Kill cycles; extra flags go to duband.
  Daemon(std::string data_dir, std::vector<std::string> extra = {})
      : data_dir_(std::move(data_dir)), extra_(std::move(extra)), book_(std::make_unique<TokenBook>(data_dir_)) {}
  ~Daemon() {
    if (pid_ > 0) Kill(SIGKILL);
  }

  // The directory duband starts in (relative flag paths resolve there);
  // the test's own by default.
  void set_working_dir(std::string dir) { working_dir_ = std::move(dir); }

  // Starts duband and waits until it answers; false on failure.
  bool Start() {
    port_file_ = data_dir_ + ".port";
    ::unlink(port_file_.c_str());
    std::vector<std::string> args = {BinaryPath("services/duband"),
                                     "--config=" + SourcePath("config/duband.yaml"),
                                     "--data_dir=" + data_dir_,
                                     "--listen=127.0.0.1:0",
                                     "--port_file=" + port_file_,
                                     "--http_listen=127.0.0.1:0",
                                     "--accounts=" + SourcePath("tests/data/accounts.yaml"),
                                     "--demo_plan=" + SourcePath("config/demo/plan.yaml"),
                                     "--calendar=" + SourcePath("config/calendar/cn-workdays.yaml"),
                                     "--cadences=" + SourcePath("config/cadences.yaml"),
                                     "--supervision=" + SourcePath("config/supervision.yaml"),
                                     "--accountability=" + SourcePath("config/accountability.yaml"),
                                     "--assessment=" + SourcePath("config/demo/safety-assessment.yaml"),
                                     // A simulated clock just after the plan was issued, so that
                                     // no warning or reminder fires unless a test moves time.
                                     "--clock=simulated",
                                     "--clock_start=2023-03-20T08:00:00+08:00",
                                     // Tests keep abseil's lock-order checks on.
                                     "--lock_order_checks"};
    for (const auto& e : extra_) args.push_back(e);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string log = data_dir_ + ".log";
      FILE* f = std::freopen(log.c_str(), "a", stdout);
      (void)f;
      ::dup2(STDOUT_FILENO, STDERR_FILENO);
      if (!working_dir_.empty() && ::chdir(working_dir_.c_str()) != 0) ::_exit(126);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file_);
      int port = 0;
      if (in >> port && port > 0) {
        address_ = "127.0.0.1:" + std::to_string(port);
        book_->Reset(address_);
        channel_ = MakeChannel("", default_account_);
        return channel_->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Sends sig and waits for the process; returns its wait status.
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    channel_.reset();
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    channel_.reset();
    return status;
  }

  // Waits up to `timeout` for duband to exit by itself; its wait status,
  // or -1 when it is still running after that (it is left running).
  int WaitForExit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        channel_.reset();
        return status;
      }
      if (std::chrono::steady_clock::now() >= deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Sends sig without waiting (e.g. SIGHUP); false when not running.
  bool Signal(int sig) { return pid_ > 0 && ::kill(pid_, sig) == 0; }

  // Runs duband to completion with the given extra flags (no port file
  // wait); returns its exit status and fills *output with what it printed.
  static int RunToExit(const std::vector<std::string>& flags, std::string* output) {
    std::string cmd = BinaryPath("services/duband");
    for (const auto& f : flags) cmd += " '" + f + "'";
    cmd += " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return -1;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
    int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // A channel whose calls carry the account's token (logged in on first use).
  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& account) { return MakeChannel(account, account); }
  // A channel without credentials.
  std::shared_ptr<grpc::Channel> AnonymousChannel() const {
    return grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  }
  // Logs the account in (or reuses its session); the token, empty on failure.
  std::string Login(const std::string& account, std::string* error = nullptr) { return book_->Token(account, error); }
  TokenBook& tokens() { return *book_; }
  // The account of channel() calls whose request names no actor; set it
  // before Start.
  void set_default_account(const std::string& account) { default_account_ = account; }
  // The extra flags of the next Start (a restart with other files keeps
  // the harness's passwords and sessions).
  void set_extra(std::vector<std::string> extra) { extra_ = std::move(extra); }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& address() const { return address_; }
  std::string log_path() const { return data_dir_ + ".log"; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_;
  std::string working_dir_;
  std::string port_file_;
  std::string address_;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<TokenBook> book_;
  std::string default_account_ = "office";

  std::shared_ptr<grpc::Channel> MakeChannel(const std::string& fixed, const std::string& fallback) {
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<BearerInterceptorFactory>(book_.get(), fixed, fallback));
    return grpc::experimental::CreateCustomChannelWithInterceptors(address_, grpc::InsecureChannelCredentials(),
                                                                   grpc::ChannelArguments(), std::move(factories));
  }
};

}  // namespace duban::testing

#endif  // DUBAN_TESTS_DAEMON_HARNESS_H_
