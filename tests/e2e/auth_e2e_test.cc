// Accounts, sessions and transport through duband: the bootstrap
// administrators (credentials file 0600, TOTP, a password change at first
// login), a revoked token ending a Watch, request ids scoped to the
// account, a redefining plan import refused with its changes listed (and
// the daemon restarting), listener safety, and TLS with a right CA, a
// wrong one and a client certificate mapped to its account.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/auth/credentials.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using ::duban::testing::ReadFile;

using testing::Daemon;
using testing::DeadlineIn;
using testing::SourcePath;
using testing::TempDir;

grpc::Status LoginCall(const std::shared_ptr<grpc::Channel>& ch, const std::string& account,
                       const std::string& password, const std::string& code, v1::LoginResponse* res) {
  auto stub = v1::AuthService::NewStub(ch);
  grpc::ClientContext ctx;
  v1::LoginRequest req;
  req.set_account_id(account);
  req.set_password(password);
  req.set_totp_code(code);
  return stub->Login(&ctx, req, res);
}

TEST(AuthE2ETest, BootstrapAdministratorNeedsTotpAndAPasswordChange) {
  TempDir dir;
  Daemon daemon(dir.sub("data"));
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  std::string file = dir.sub("data") + "/bootstrap-credentials.txt";
  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string password = daemon.tokens().Password("sysadmin");
  std::string secret = daemon.tokens().TotpSecret("sysadmin");
  ASSERT_FALSE(secret.empty());
  // Not in the log.
  std::ifstream log(daemon.log_path());
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(absl::StrContains(text, password));
  EXPECT_FALSE(absl::StrContains(text, secret));

  auto ch = daemon.AnonymousChannel();
  v1::LoginResponse res;
  // Without the code, or with a wrong one: the same refusal as a wrong password.
  grpc::Status s = LoginCall(ch, "sysadmin", password, "", &res);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(s.error_message(), "account_id or password: not accepted");
  std::string code = *auth::TotpCode(secret, absl::Now());
  std::string wrong = code == "000000" ? "111111" : "000000";
  EXPECT_EQ(LoginCall(ch, "sysadmin", password, wrong, &res).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  s = LoginCall(ch, "sysadmin", password, code, &res);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(res.must_change_password());
  // The first session may change the password and nothing else.
  auto admin = v1::AdminService::NewStub(ch);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + res.token());
  v1::AdvanceClockRequest adv;
  adv.set_by("1h");
  v1::AdvanceClockResponse ares;
  s = admin->AdvanceClock(&ctx, adv, &ares);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "restricted")) << s.error_message();
  // The harness changes the password and logs in again: then the clock is the system administrator's.
  std::string err;
  ASSERT_FALSE(daemon.Login("sysadmin", &err).empty()) << err;
  auto admin2 = v1::AdminService::NewStub(daemon.ChannelAs("sysadmin"));
  grpc::ClientContext ctx2;
  s = admin2->AdvanceClock(&ctx2, adv, &ares);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // The old one-time password no longer works.
  EXPECT_EQ(LoginCall(ch, "sysadmin", password, *auth::TotpCode(secret, absl::Now()), &res).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(AuthE2ETest, TokenRevokedDuringWatchEndsTheStream) {
  TempDir dir;
  Daemon daemon(dir.sub("data"));
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  std::string token = daemon.Login("市住建局");
  ASSERT_FALSE(token.empty());
  auto notes = v1::NotificationService::NewStub(daemon.ChannelAs("市住建局"));
  grpc::ClientContext wctx;
  wctx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
  v1::WatchRequest wreq;
  wreq.set_recipient("市住建局");
  auto reader = notes->Watch(&wctx, wreq);
  // Log out from another connection with the same token.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto auth = v1::AuthService::NewStub(daemon.AnonymousChannel());
  grpc::ClientContext lctx;
  lctx.AddMetadata("authorization", "Bearer " + token);
  v1::LogoutResponse lres;
  ASSERT_TRUE(auth->Logout(&lctx, v1::LogoutRequest(), &lres).ok());
  v1::Notification n;
  auto start = std::chrono::steady_clock::now();
  while (reader->Read(&n)) {
  }
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  // The token is gone for every other call too.
  daemon.tokens().Forget("市住建局");
  grpc::ClientContext wctx2;
  wctx2.AddMetadata("authorization", "Bearer " + token);
  v1::WhoAmIResponse who;
  EXPECT_EQ(auth->WhoAmI(&wctx2, v1::WhoAmIRequest(), &who).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(AuthE2ETest, ActorIsTheAccountAndRequestIdsAreScopedToIt) {
  TempDir dir;
  Daemon daemon(dir.sub("data"));
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  auto tasks = v1::TaskService::NewStub(daemon.ChannelAs("市商务局"));
  grpc::ClientContext c1;
  v1::TaskRef ref;
  ref.set_task_id("T1");
  ref.mutable_meta()->set_request_id("r-1");
  v1::CommandResponse res;
  ASSERT_TRUE(tasks->AcceptTask(&c1, ref, &res).ok());
  ASSERT_FALSE(res.events().empty());
  EXPECT_EQ(res.events(0).actor(), "市商务局");  // meta.actor absent: the account
  // Another account's command with the same request id is not a replay of it.
  auto office = v1::TaskService::NewStub(daemon.ChannelAs("office"));
  grpc::ClientContext c2;
  v1::ReasonRequest sus;
  sus.set_task_id("T1");
  sus.set_reason("暂缓");
  sus.mutable_meta()->set_request_id("r-1");
  v1::CommandResponse res2;
  grpc::Status s = office->SuspendTask(&c2, sus, &res2);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(res2.replayed());
  EXPECT_EQ(res2.task().state(), v1::TASK_STATE_SUSPENDED);
  // Naming someone else as the actor is refused.
  grpc::ClientContext c3;
  v1::TaskRef other;
  other.set_task_id("T1");
  other.mutable_meta()->set_actor("office");
  s = tasks->AcceptTask(&c3, other, &res);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "meta.actor")) << s.error_message();
}

// The redefinition from the issue: a new plan that names 市发改局 without its
// aliases and makes 市住建局 a township.
constexpr char kRedefiningPlan[] = R"(jurisdiction: {id: ningxiang, name: "宁乡市"}
units:
  - id: fgj
    name: "市发改局"
    category: department
    aliases: []
  - id: zjj
    name: "市住建局"
    category: township
    aliases: []
plan:
  id: second-plan
  title: "第二个方案"
  year: 2023
  campaigns:
    - id: second
      code: "9"
      name: "第二仗"
      lead_unit: fgj
      tasks: []
)";

TEST(AuthE2ETest, ImportThatRedefinesUnitsIsRefusedAndTheDaemonRestarts) {
  TempDir dir;
  Daemon daemon(dir.sub("data"));
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  auto plans = v1::PlanService::NewStub(daemon.ChannelAs("sysadmin"));
  v1::ImportPlanRequest req;
  req.set_file_name("second.yaml");
  req.set_yaml(kRedefiningPlan);
  v1::ImportPlanResponse res;
  {
    grpc::ClientContext ctx;
    grpc::Status s = plans->ImportPlan(&ctx, req, &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    // Dropping 市发改局's alias is refused in every mode.
    EXPECT_TRUE(absl::StrContains(s.error_message(), "units.fgj")) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "drops the name")) << s.error_message();
  }
  {
    req.set_update(true);
    grpc::ClientContext ctx;
    EXPECT_EQ(plans->ImportPlan(&ctx, req, &res).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  }
  // Without the dropped aliases only the category change remains: listed by
  // a dry run, refused without update mode.
  std::string keeps;
  {
    grpc::ClientContext ctx;
    v1::OrgService::Stub org(daemon.ChannelAs("sysadmin"));
    v1::ResolveUnitRequest r;
    r.set_name("市发改局");
    v1::ResolveUnitResponse u;
    ASSERT_TRUE(org.ResolveUnit(&ctx, r, &u).ok());
    std::string aliases;
    for (const auto& a : u.units(0).aliases()) absl::StrAppend(&aliases, aliases.empty() ? "" : ", ", "\"", a, "\"");
    keeps = kRedefiningPlan;
    keeps.replace(keeps.find("aliases: []"), 11, "aliases: [" + aliases + "]");
    r.set_name("市住建局");
    grpc::ClientContext ctx2;
    ASSERT_TRUE(org.ResolveUnit(&ctx2, r, &u).ok());
    aliases.clear();
    for (const auto& a : u.units(0).aliases()) absl::StrAppend(&aliases, aliases.empty() ? "" : ", ", "\"", a, "\"");
    keeps.replace(keeps.rfind("aliases: []"), 11, "aliases: [" + aliases + "]");
  }
  req.set_yaml(keeps);
  req.set_update(false);
  {
    grpc::ClientContext ctx;
    grpc::Status s = plans->ImportPlan(&ctx, req, &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "units.zjj (市住建局): category UNIT_CATEGORY_DEPARTMENT -> "
                                                     "UNIT_CATEGORY_TOWNSHIP"))
        << s.error_message();
  }
  {
    req.set_dry_run(true);
    grpc::ClientContext ctx;
    grpc::Status s = plans->ImportPlan(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(res.changes_size(), 1);
    EXPECT_TRUE(absl::StrContains(res.changes(0), "units.zjj")) << res.changes(0);
    grpc::ClientContext lctx;
    v1::ListPlansResponse list;
    ASSERT_TRUE(plans->ListPlans(&lctx, v1::ListPlansRequest(), &list).ok());
    EXPECT_EQ(list.plans_size(), 1);  // nothing written
  }
  // The daemon restarts with every rule file.
  daemon.Kill(SIGTERM);
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  auto org = v1::OrgService::NewStub(daemon.ChannelAs("office"));
  grpc::ClientContext ctx;
  v1::ResolveUnitRequest r;
  r.set_name("发改局");
  v1::ResolveUnitResponse u;
  ASSERT_TRUE(org->ResolveUnit(&ctx, r, &u).ok());
  EXPECT_EQ(u.units(0).id(), "fgj");
}

TEST(AuthE2ETest, NonLoopbackListenerWithoutTlsIsRefused) {
  TempDir dir;
  std::string out;
  int code = Daemon::RunToExit({"--config=" + SourcePath("config/duband.yaml"), "--data_dir=" + dir.sub("d"),
                                "--listen=0.0.0.0:0", "--demo_plan=none", "--accountability=none",
                                "--assessment=none"},
                               &out);
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(absl::StrContains(out, "listen: 0.0.0.0:0 is not a loopback address")) << out;
  // The HTTP listener too: plain HTTP is served on loopback only.
  out.clear();
  code = Daemon::RunToExit({"--config=" + SourcePath("config/duband.yaml"), "--data_dir=" + dir.sub("h"),
                            "--listen=127.0.0.1:0", "--http_listen=0.0.0.0:0", "--demo_plan=none",
                            "--accountability=none", "--assessment=none"},
                           &out);
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(absl::StrContains(out, "http_listen: 0.0.0.0:0 is not a loopback address")) << out;
}

// openssl CLI: a CA, a server certificate for 127.0.0.1, a client
// certificate with CN duban-test-client, and an unrelated CA.
bool MakeCertificates(const std::string& d) {
  std::string cmd = absl::StrCat(
      "(cd '", d, "' && ",
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=duban-test-ca && ",
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=other-ca && ",
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost && ",
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext && ",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
      "-extfile san.ext && ",
      "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=duban-test-client && ",
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2",
      ") >/dev/null 2>&1");
  return std::system(cmd.c_str()) == 0;
}

// True when a call never reached a service: the transport refused it
// (UNAVAILABLE) or the channel kept failing until the deadline.
bool NoConnection(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

TEST(TlsE2ETest, RightCaConnectsWrongCaFailsClientCertificateMapsToItsAccount) {
  TempDir dir;
  std::string certs = dir.sub("certs");
  ASSERT_EQ(std::system(("mkdir -p '" + certs + "'").c_str()), 0);
  ASSERT_TRUE(MakeCertificates(certs));
  Daemon daemon(dir.sub("data"), {"--tls_cert=" + certs + "/server.pem", "--tls_key=" + certs + "/server.key",
                                  "--tls_client_ca=" + certs + "/ca.pem"});
  // The harness's plaintext channel cannot connect: Start fails to reach it,
  // so the daemon is run and found through its port file here.
  daemon.Start();
  std::string port_text = ReadFile(dir.sub("data") + ".port");
  ASSERT_FALSE(port_text.empty()) << daemon.log_path();
  std::string address = "127.0.0.1:" + std::to_string(std::stoi(port_text));
  auto call = [&](const std::string& ca, bool with_client_cert, v1::WhoAmIResponse* who) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadFile(certs + "/" + ca);
    if (with_client_cert) {
      o.pem_cert_chain = ReadFile(certs + "/client.pem");
      o.pem_private_key = ReadFile(certs + "/client.key");
    }
    auto ch = grpc::CreateChannel(address, grpc::SslCredentials(o));
    auto stub = v1::AuthService::NewStub(ch);
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(std::chrono::seconds(10)));
    return stub->WhoAmI(&ctx, v1::WhoAmIRequest(), who);
  };
  v1::WhoAmIResponse who;
  // Right CA, no client certificate: connected, but not authenticated.
  EXPECT_EQ(call("ca.pem", false, &who).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Wrong CA: no connection. A refused handshake is UNAVAILABLE; on a loaded
  // machine the retrying channel may reach the deadline first instead. Either
  // way nothing is answered.
  grpc::Status wrong_ca = call("other.pem", false, &who);
  EXPECT_TRUE(NoConnection(wrong_ca)) << wrong_ca.error_code() << " " << wrong_ca.error_message();
  // Client certificate: the account whose client_cert_subject is its CN.
  grpc::Status s = call("ca.pem", true, &who);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(who.account().id(), "cert-client");
  // Plaintext to the TLS listener fails.
  auto plain = v1::AuthService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(std::chrono::seconds(10)));
  who.Clear();
  grpc::Status plain_status = plain->WhoAmI(&ctx, v1::WhoAmIRequest(), &who);
  EXPECT_TRUE(NoConnection(plain_status)) << plain_status.error_code() << " " << plain_status.error_message();
  EXPECT_FALSE(who.has_account());
  daemon.Kill(SIGTERM);
}

}  // namespace
}  // namespace duban
