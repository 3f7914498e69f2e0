// The audit trail end to end: duband records every command that reaches it,
// accepted or refused, with who / where / what; the audit administrator
// lists, filters and exports it; dubanctl verifies it online and offline
// against the checkpoints duband appended to its checkpoint file. The
// account of an entry is the authenticated one (a bearer token), never a
// name the request or its metadata claims; logins, failed logins and role
// grants are entries too, with no secret in them or in the log.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "duban/v1/audit_service.grpc.pb.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::ReadFile;

using ::duban::testing::BinaryPath;
using ::duban::testing::Daemon;
using ::duban::testing::DeadlineIn;
using ::duban::testing::Scaled;
using ::duban::testing::kTestPassword;
using ::duban::testing::TempDir;

// Runs dubanctl; returns its exit status, output in *out.
// env: "NAME=value " assignments put before the command (e.g. DUBAN_TOKEN).
int Dubanctl(const std::string& addr, const std::string& args, std::string* out, const std::string& env = "") {
  return testing::RunCommand(absl::StrCat(env, BinaryPath("clients/dubanctl"), " --addr=", addr, " ", args, " 2>&1"),
                             out);
}

class AuditE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.sub("keys"));
    std::filesystem::create_directories(dir_.sub("collector"));
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"),
                                       std::vector<std::string>{"--audit_key_file=" + key_file(),
                                                                "--audit_checkpoint_file=" + checkpoint_file(),
                                                                "--audit_checkpoint_every=4"});
    ASSERT_TRUE(daemon_->Start()) << ReadFile(daemon_->log_path());
    // Calls carry exactly the credential each test gives them (Ctx).
    tasks_ = v1::TaskService::NewStub(daemon_->AnonymousChannel());
    audit_ = v1::AuditService::NewStub(daemon_->AnonymousChannel());
    auth_ = v1::AuthService::NewStub(daemon_->AnonymousChannel());
  }
  void TearDown() override { daemon_->Kill(SIGTERM); }

  std::string key_file() const { return dir_.sub("keys/audit.pem"); }
  std::string checkpoint_file() const { return dir_.sub("collector/checkpoints.jsonl"); }

  // The call carries the account's bearer token (none for "").
  void Ctx(grpc::ClientContext* ctx, const std::string& account) {
    ctx->set_deadline(DeadlineIn(std::chrono::seconds(30)));
    if (account.empty()) return;
    std::string err;
    std::string token = daemon_->Login(account, &err);
    ASSERT_FALSE(token.empty()) << account << ": " << err;
    ctx->AddMetadata("authorization", "Bearer " + token);
  }

  grpc::Status Accept(const std::string& md_actor, const std::string& meta_actor, const std::string& task,
                      const std::string& request_id = "") {
    grpc::ClientContext ctx;
    Ctx(&ctx, md_actor);
    v1::TaskRef req;
    req.mutable_meta()->set_actor(meta_actor);
    req.mutable_meta()->set_request_id(request_id);
    req.set_task_id(task);
    v1::CommandResponse resp;
    return tasks_->AcceptTask(&ctx, req, &resp);
  }

  grpc::Status Export(const std::string& actor, int* lines) {
    grpc::ClientContext ctx;
    Ctx(&ctx, actor);
    auto reader = audit_->ExportAudit(&ctx, v1::ExportAuditRequest());
    v1::AuditTrailLine l;
    *lines = 0;
    while (reader->Read(&l)) ++*lines;
    return reader->Finish();
  }

  std::vector<v1::AuditEntry> List(v1::AuditFilter filter) {
    std::vector<v1::AuditEntry> out;
    v1::ListAuditEntriesRequest req;
    *req.mutable_filter() = filter;
    req.set_page_size(7);  // several pages
    while (true) {
      grpc::ClientContext ctx;
      Ctx(&ctx, "auditadmin");
      v1::ListAuditEntriesResponse resp;
      grpc::Status s = audit_->ListAuditEntries(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      out.insert(out.end(), resp.entries().begin(), resp.entries().end());
      if (!s.ok() || resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }

  // A Login call with the password given (no credential on the call).
  grpc::Status LoginWith(const std::string& account, const std::string& password, v1::LoginResponse* resp) {
    grpc::ClientContext ctx;
    Ctx(&ctx, "");
    v1::LoginRequest req;
    req.set_account_id(account);
    req.set_password(password);
    return auth_->Login(&ctx, req, resp);
  }

  // The security administrator grants kjj a leader's role on the economy campaign.
  grpc::Status GrantKjjALeadersRole() {
    grpc::ClientContext ctx;
    Ctx(&ctx, "secadmin");
    v1::GrantRoleRequest req;
    req.set_account_id("kjj");
    req.mutable_grant()->set_role("leader");
    req.mutable_grant()->add_scope("economy");
    v1::RoleChangeResponse resp;
    return auth_->GrantRole(&ctx, req, &resp);
  }

  std::vector<v1::AuditEntry> ByCommand(const std::string& command) {
    std::vector<v1::AuditEntry> out;
    for (auto& e : List(v1::AuditFilter())) {
      if (e.command() == command) out.push_back(e);
    }
    return out;
  }

  // Waits (up to 30 s, times TimeScale()) until duband has appended a
  // checkpoint at or after seq.
  bool WaitForCheckpoint(uint64_t seq) {
    const auto deadline = std::chrono::steady_clock::now() + Scaled(std::chrono::seconds(30));
    while (std::chrono::steady_clock::now() < deadline) {
      std::string text = ReadFile(checkpoint_file());
      size_t lines = 0;
      for (char c : text) lines += c == '\n';
      if (lines > 0) {
        // The last line's seq.
        auto last = text.rfind("\"seq\":\"");
        if (last != std::string::npos) {
          uint64_t s = std::stoull(text.substr(last + 7));
          if (s >= seq) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::TaskService::Stub> tasks_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
};

TEST_F(AuditE2eTest, MixedWorkloadHasExactlyOneEntryPerActWithItsFields) {
  const std::string accept = "duban.v1.TaskService/AcceptTask";
  // Accepted.
  ASSERT_TRUE(Accept("swj", "swj", "T1", "req-accept-1").ok());
  // Refused by the state machine (validation of the state).
  EXPECT_EQ(Accept("swj", "swj", "T1").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Refused: bad input.
  EXPECT_EQ(Accept("swj", "swj", "not-a-task").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Refused for permission: the request names another actor than the caller
  // (swj holds no act_for role).
  EXPECT_EQ(Accept("swj", "fgj", "T3").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // An export by someone without the role is refused; the administrator's goes through.
  int lines = 0;
  EXPECT_EQ(Export("swj", &lines).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Export("auditadmin", &lines).ok());
  EXPECT_GT(lines, 0);

  std::vector<v1::AuditEntry> accepts = ByCommand(accept);
  ASSERT_EQ(accepts.size(), 4u);
  const v1::AuditEntry& ok = accepts[0];
  EXPECT_EQ(ok.result_code(), 0);
  EXPECT_EQ(ok.account(), "swj");
  EXPECT_EQ(ok.role(), "unit_contact");
  EXPECT_EQ(ok.unit_id(), "swj");
  EXPECT_EQ(ok.subject(), "task:T1");
  EXPECT_EQ(ok.request_id(), "req-accept-1");
  EXPECT_NE(ok.source().find("127.0.0.1"), std::string::npos) << ok.source();
  EXPECT_EQ(ok.request_digest().size(), 32u);
  EXPECT_EQ(accepts[1].result_code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(accepts[1].subject(), "task:T1");
  EXPECT_NE(accepts[1].result_message().find("accepted"), std::string::npos) << accepts[1].result_message();
  EXPECT_EQ(accepts[2].result_code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(accepts[2].subject(), "task:not-a-task");
  EXPECT_EQ(accepts[3].result_code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(accepts[3].account(), "swj");  // the caller, not the name in the request
  EXPECT_NE(accepts[0].request_digest(), accepts[1].request_digest());

  std::vector<v1::AuditEntry> exports = ByCommand("duban.v1.AuditService/ExportAudit");
  ASSERT_EQ(exports.size(), 2u);
  EXPECT_EQ(exports[0].account(), "swj");
  EXPECT_EQ(exports[0].result_code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(exports[1].account(), "auditadmin");
  EXPECT_EQ(exports[1].role(), "audit_admin");
  EXPECT_EQ(exports[1].result_code(), 0);
  // Reads are not entries.
  EXPECT_TRUE(ByCommand("duban.v1.AuditService/ListAuditEntries").empty());
  // The daemon's own acts: the demo plan's import.
  EXPECT_EQ(ByCommand("plans.import-demo").size(), 1u);

  // A subject's history: who, when, from where, with the refusals.
  v1::AuditFilter f;
  f.set_subject("task:T1");
  std::vector<v1::AuditEntry> history = List(f);
  ASSERT_EQ(history.size(), 2u);
  f.set_result(v1::AuditFilter::RESULT_REFUSED);
  EXPECT_EQ(List(f).size(), 1u);
  v1::AuditFilter by_unit;
  by_unit.set_unit_id("swj");
  std::vector<v1::AuditEntry> swj_acts;
  for (auto& e : List(by_unit)) {
    if (e.command() != "duban.v1.AuthService/Login") swj_acts.push_back(e);
  }
  EXPECT_EQ(swj_acts.size(), 5u);  // 4 accepts and the refused export (and swj's login)

  // Only the audit administrator lists.
  grpc::ClientContext ctx;
  Ctx(&ctx, "swj");
  v1::ListAuditEntriesResponse resp;
  EXPECT_EQ(audit_->ListAuditEntries(&ctx, v1::ListAuditEntriesRequest(), &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Every kind of act the trail must hold, in one workload, each counted: the
// entries written after the workload starts are exactly the acts it made
// (plus one timers.fire entry per firing batch), each with its fields.
TEST_F(AuditE2eTest, EveryKindOfActInOneWorkloadIsExactlyOneEntry) {
  // Sessions used below are opened first, so that their logins fall before
  // the count starts.
  for (const char* a : {"swj", "secadmin", "sysadmin", "auditadmin", "auditor"}) {
    std::string err;
    ASSERT_FALSE(daemon_->Login(a, &err).empty()) << a << ": " << err;
  }
  auto last_seq = [&] {
    std::vector<v1::AuditEntry> all = List(v1::AuditFilter());
    return all.empty() ? uint64_t{0} : all.back().seq();
  };
  const uint64_t before = last_seq();

  struct Act {
    std::string command, account, role, subject;
    grpc::StatusCode code;
  };
  std::vector<Act> acts;
  const std::string task_cmd = "duban.v1.TaskService/";
  // Commands: accepted, refused by the state, by validation, for permission.
  ASSERT_TRUE(Accept("swj", "swj", "T1", "mix-1").ok());
  acts.push_back({task_cmd + "AcceptTask", "swj", "unit_contact", "task:T1", grpc::StatusCode::OK});
  EXPECT_EQ(Accept("swj", "swj", "T1", "mix-2").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  acts.push_back({task_cmd + "AcceptTask", "swj", "unit_contact", "task:T1", grpc::StatusCode::FAILED_PRECONDITION});
  EXPECT_EQ(Accept("swj", "swj", "no-such-task", "mix-3").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  acts.push_back({task_cmd + "AcceptTask", "swj", "unit_contact", "task:no-such-task",
                  grpc::StatusCode::INVALID_ARGUMENT});
  EXPECT_EQ(Accept("swj", "fgj", "T3", "mix-4").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  acts.push_back({task_cmd + "AcceptTask", "swj", "unit_contact", "task:T3", grpc::StatusCode::PERMISSION_DENIED});
  // A command without a credential.
  EXPECT_EQ(Accept("", "", "T4", "mix-5").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  acts.push_back({task_cmd + "AcceptTask", "anonymous", "", "task:T4", grpc::StatusCode::UNAUTHENTICATED});

  // Logins: one that succeeds, one with a wrong password; then a logout.
  std::string kjj_token;
  for (const std::string& password : {std::string("Not-the-password-1"), std::string(kTestPassword)}) {
    v1::LoginResponse resp;
    grpc::Status st = LoginWith("kjj", password, &resp);
    bool right = password == kTestPassword;
    EXPECT_EQ(st.ok(), right) << st.error_message();
    if (right) kjj_token = resp.token();
    acts.push_back({"duban.v1.AuthService/Login", "kjj", right ? "unit_contact" : "", "account:kjj",
                    right ? grpc::StatusCode::OK : grpc::StatusCode::UNAUTHENTICATED});
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + kjj_token);
    v1::LogoutResponse resp;
    ASSERT_TRUE(auth_->Logout(&ctx, v1::LogoutRequest(), &resp).ok());
    acts.push_back({"duban.v1.AuthService/Logout", "kjj", "unit_contact", "", grpc::StatusCode::OK});
  }
  // A lockout: the fifth wrong password locks gxj, and its entry says so.
  for (int i = 0; i < 5; ++i) {
    v1::LoginResponse resp;
    EXPECT_EQ(LoginWith("gxj", "Wrong-password-" + std::to_string(i), &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    acts.push_back({"duban.v1.AuthService/Login", "gxj", "", "account:gxj", grpc::StatusCode::UNAUTHENTICATED});
  }
  // An account change that ends the account's sessions: disabling kjj
  // revokes its tokens (the system administrator's act).
  {
    grpc::ClientContext ctx;
    Ctx(&ctx, "sysadmin");
    v1::SetAccountDisabledRequest req;
    req.set_account_id("kjj");
    req.set_disabled(true);
    v1::SetAccountDisabledResponse resp;
    grpc::Status st = auth_->SetAccountDisabled(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    acts.push_back({"duban.v1.AuthService/SetAccountDisabled", "sysadmin", "system_admin", "account:kjj",
                    grpc::StatusCode::OK});
  }
  // A grant.
  {
    grpc::Status st = GrantKjjALeadersRole();
    ASSERT_TRUE(st.ok()) << st.error_message();
    acts.push_back({"duban.v1.AuthService/GrantRole", "secadmin", "security_admin", "account:kjj",
                    grpc::StatusCode::OK});
  }
  // A reload of the rules, by the system administrator and refused to a unit.
  auto admin = v1::AdminService::NewStub(daemon_->AnonymousChannel());
  for (const char* who : {"sysadmin", "swj"}) {
    grpc::ClientContext ctx;
    Ctx(&ctx, who);
    v1::ReloadRulesResponse resp;
    grpc::Status st = admin->ReloadRules(&ctx, v1::ReloadRulesRequest(), &resp);
    bool allowed = std::string(who) == "sysadmin";
    EXPECT_EQ(st.ok(), allowed) << who << ": " << st.error_message();
    acts.push_back({"duban.v1.AdminService/ReloadRules", who, allowed ? "system_admin" : "unit_contact", "",
                    allowed ? grpc::StatusCode::OK : grpc::StatusCode::PERMISSION_DENIED});
  }
  // Exports: refused to a unit, done by the audit administrator.
  int lines = 0;
  EXPECT_EQ(Export("swj", &lines).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  acts.push_back({"duban.v1.AuditService/ExportAudit", "swj", "unit_contact", "", grpc::StatusCode::PERMISSION_DENIED});
  ASSERT_TRUE(Export("auditadmin", &lines).ok());
  acts.push_back({"duban.v1.AuditService/ExportAudit", "auditadmin", "audit_admin", "", grpc::StatusCode::OK});
  // Uploads (a client stream): done by a unit; refused by the Guard to an
  // auditor and to a caller without a credential before any message is read.
  auto evidence = v1::EvidenceService::NewStub(daemon_->AnonymousChannel());
  for (const char* who : {"swj", "auditor", ""}) {
    grpc::ClientContext ctx;
    Ctx(&ctx, who);
    v1::EvidenceFile file;
    auto writer = evidence->Upload(&ctx, &file);
    v1::UploadEvidenceRequest m;
    m.mutable_header()->set_file_name("现场.pdf");
    writer->Write(m);
    m.set_chunk("%PDF-1.7\n" + std::string(400, 'p'));
    writer->Write(m);
    writer->WritesDone();
    grpc::Status st = writer->Finish();
    std::string account = *who == '\0' ? "anonymous" : who;
    grpc::StatusCode code = std::string(who) == "swj"       ? grpc::StatusCode::OK
                            : std::string(who) == "auditor" ? grpc::StatusCode::PERMISSION_DENIED
                                                            : grpc::StatusCode::UNAUTHENTICATED;
    EXPECT_EQ(st.error_code(), code) << who << ": " << st.error_message();
    acts.push_back({"duban.v1.EvidenceService/Upload", account,
                    account == "swj" ? "unit_contact" : account == "auditor" ? "auditor" : "", "", code});
  }
  // The clock moved ten days: the firings that change state are entries of the
  // daemon's own, one per firing batch, naming every timer fired.
  int fired = 0;
  {
    grpc::ClientContext ctx;
    Ctx(&ctx, "sysadmin");
    v1::AdvanceClockRequest req;
    req.set_by("240h");
    v1::AdvanceClockResponse resp;
    grpc::Status st = admin->AdvanceClock(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    fired = resp.timers_fired();
    acts.push_back({"duban.v1.AdminService/AdvanceClock", "sysadmin", "system_admin", "", grpc::StatusCode::OK});
  }

  std::vector<v1::AuditEntry> recorded;
  for (auto& e : List(v1::AuditFilter())) {
    if (e.seq() > before) recorded.push_back(e);
  }
  std::vector<v1::AuditEntry> firings, others;
  for (auto& e : recorded) (e.command() == "timers.fire" ? firings : others).push_back(e);
  // Exactly one entry per act, in the order the acts were made.
  ASSERT_EQ(others.size(), acts.size());
  for (size_t i = 0; i < acts.size(); ++i) {
    const Act& a = acts[i];
    const v1::AuditEntry& e = others[i];
    SCOPED_TRACE(absl::StrCat("act ", i, ": ", a.command, " by ", a.account));
    EXPECT_EQ(e.command(), a.command);
    EXPECT_EQ(e.account(), a.account);
    EXPECT_EQ(e.role(), a.role);
    if (!a.subject.empty()) {
      EXPECT_EQ(e.subject(), a.subject);
    }
    EXPECT_EQ(e.result_code(), static_cast<int>(a.code)) << e.result_message();
    EXPECT_NE(e.source().find("127.0.0.1"), std::string::npos) << e.source();
    EXPECT_GT(e.at().seconds(), 0);
    EXPECT_EQ(e.hash().size(), 32u);
    // The digest of the request, for every act whose request was read.
    if (a.command != "duban.v1.EvidenceService/Upload" || a.code == grpc::StatusCode::OK) {
      EXPECT_EQ(e.request_digest().size(), 32u);
    }
  }
  EXPECT_EQ(others[0].request_id(), "mix-1");
  // The lockout is named on the login that caused it, and only there.
  std::vector<std::string> gxj_details;
  for (auto& e : others) {
    if (e.account() == "gxj") gxj_details.push_back(e.detail());
  }
  ASSERT_EQ(gxj_details.size(), 5u);
  EXPECT_EQ(gxj_details[3], "");
  EXPECT_EQ(gxj_details[4], "account locked");
  EXPECT_EQ(others[3].request_id(), "mix-4");
  // The timer firings: every timer the clock fired is named by exactly one entry.
  ASSERT_GT(fired, 0);
  int named = 0;
  for (auto& e : firings) {
    EXPECT_EQ(e.account(), "duband");
    EXPECT_EQ(e.role(), "system");
    named += static_cast<int>(std::count(e.detail().begin(), e.detail().end(), ',')) + 1;
  }
  EXPECT_EQ(named, fired);
}

TEST_F(AuditE2eTest, DubanctlVerifiesOnlineAndOfflineAgainstTheCollectedCheckpoints) {
  for (const char* t : {"T1", "T4", "T5", "T6", "T7"}) {
    grpc::Status s = Accept("", "", t);  // no credential: refused, still recorded
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  ASSERT_TRUE(WaitForCheckpoint(4)) << ReadFile(daemon_->log_path());
  std::string addr = daemon_->address();
  std::string pub = key_file() + ".pub";
  const std::string as_admin = absl::StrCat("DUBAN_TOKEN=", daemon_->Login("auditadmin"), " ");
  std::string out;
  int rc = Dubanctl(addr, absl::StrCat("audit verify --public-key=", pub,
                                       " --checkpoints=", checkpoint_file()), &out, as_admin);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("ok: "), std::string::npos) << out;

  // The checkpoints the office holds when it exports: the export is itself
  // an entry, and a checkpoint on it would be past the exported trail.
  std::string held = dir_.sub("held-checkpoints.jsonl");
  std::ofstream(held) << ReadFile(checkpoint_file());
  std::string trail = dir_.sub("trail.jsonl");
  out.clear();
  ASSERT_EQ(Dubanctl(addr, absl::StrCat("audit export --out=", trail), &out, as_admin), 0) << out;
  out.clear();
  rc = Dubanctl(addr, absl::StrCat("audit verify --trail=", trail, " --public-key=", pub,
                                   " --checkpoints=", held), &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("held checkpoint(s) matched"), std::string::npos) << out;

  // The exported file with one entry's subject changed.
  std::string text = ReadFile(trail);
  size_t at = text.find("task:T5");
  ASSERT_NE(at, std::string::npos);
  text[at + 6] = '9';
  std::ofstream(dir_.sub("tampered.jsonl")) << text;
  out.clear();
  rc = Dubanctl(addr, absl::StrCat("audit verify --trail=", dir_.sub("tampered.jsonl"), " --public-key=", pub,
                                   " --checkpoints=", held), &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("FAILED: entry"), std::string::npos) << out;
  EXPECT_NE(out.find("modified"), std::string::npos) << out;

  // Listing from the command line: the subject's history.
  out.clear();
  ASSERT_EQ(Dubanctl(addr, "audit history task:T5", &out, as_admin), 0) << out;
  EXPECT_NE(out.find("UNAUTHENTICATED"), std::string::npos) << out;
  EXPECT_NE(out.find("anonymous"), std::string::npos) << out;
}

TEST_F(AuditE2eTest, PruningInsideTheRetentionIsRefusedAndRecorded) {
  grpc::ClientContext ctx;
  Ctx(&ctx, "auditadmin");
  v1::PruneAuditRequest req;
  req.mutable_before()->set_seconds(absl::ToUnixSeconds(absl::Now()));  // long after the simulated clock
  v1::PruneAuditResponse resp;
  grpc::Status s = audit_->PruneAudit(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("180-day retention"), std::string::npos) << s.error_message();
  std::vector<v1::AuditEntry> prunes = ByCommand("duban.v1.AuditService/PruneAudit");
  ASSERT_EQ(prunes.size(), 1u);
  EXPECT_EQ(prunes[0].result_code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(AuditE2eTest, LoginsFailedLoginsAndGrantsAreEntriesWithoutTheirSecrets) {
  const std::string wrong = "Wrong-password-7741";
  {
    grpc::ClientContext ctx;
    Ctx(&ctx, "");
    v1::LoginRequest req;
    req.set_account_id("kjj");
    req.set_password(wrong);
    v1::LoginResponse resp;
    EXPECT_EQ(auth_->Login(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  std::string token;
  {
    grpc::ClientContext ctx;
    Ctx(&ctx, "");
    v1::LoginRequest req;
    req.set_account_id("kjj");
    req.set_password(kTestPassword);
    v1::LoginResponse resp;
    ASSERT_TRUE(auth_->Login(&ctx, req, &resp).ok());
    token = resp.token();
  }
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::LogoutResponse resp;
    ASSERT_TRUE(auth_->Logout(&ctx, v1::LogoutRequest(), &resp).ok());
  }
  {
    // Then the security administrator grants kjj a leader's role on a campaign.
    grpc::Status s = GrantKjjALeadersRole();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::vector<v1::AuditEntry> kjj_logins;
  for (auto& e : ByCommand("duban.v1.AuthService/Login")) {
    if (e.account() == "kjj") kjj_logins.push_back(e);
  }
  ASSERT_EQ(kjj_logins.size(), 2u);
  EXPECT_EQ(kjj_logins[0].result_code(), static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(kjj_logins[0].subject(), "account:kjj");
  EXPECT_EQ(kjj_logins[1].result_code(), 0);
  EXPECT_EQ(kjj_logins[1].role(), "unit_contact");
  // Digested without the password: both attempts hash alike.
  EXPECT_EQ(kjj_logins[0].request_digest(), kjj_logins[1].request_digest());

  std::vector<v1::AuditEntry> grants = ByCommand("duban.v1.AuthService/GrantRole");
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].account(), "secadmin");
  EXPECT_EQ(grants[0].role(), "security_admin");
  EXPECT_EQ(grants[0].subject(), "account:kjj");
  EXPECT_EQ(grants[0].result_code(), 0);

  std::vector<v1::AuditEntry> logouts = ByCommand("duban.v1.AuthService/Logout");
  ASSERT_EQ(logouts.size(), 1u);
  EXPECT_EQ(logouts[0].account(), "kjj");

  // No password, token or TOTP code in the trail or the daemon's log.
  int lines = 0;
  ASSERT_TRUE(Export("auditadmin", &lines).ok());
  std::string trail;
  {
    grpc::ClientContext ctx;
    Ctx(&ctx, "auditadmin");
    auto reader = audit_->ExportAudit(&ctx, v1::ExportAuditRequest());
    v1::AuditTrailLine l;
    while (reader->Read(&l)) trail += l.DebugString();
    ASSERT_TRUE(reader->Finish().ok());
  }
  std::string log = ReadFile(daemon_->log_path());
  for (const std::string& secret : {wrong, std::string(kTestPassword), token}) {
    EXPECT_EQ(trail.find(secret), std::string::npos) << "secret in the trail";
    EXPECT_EQ(log.find(secret), std::string::npos) << "secret in the log";
  }
  EXPECT_NE(trail.find("account:kjj"), std::string::npos);
}

TEST_F(AuditE2eTest, ActingForAnotherAccountNeedsTheRoleAndRecordsBoth) {
  // office-clerk holds act_for:swj; swj and fgj hold no such role.
  grpc::Status s = Accept("office-clerk", "swj", "T1", "clerk-1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = Accept("office-clerk", "fgj", "T3");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("may not act for 'fgj'"), std::string::npos) << s.error_message();
  s = Accept("fgj", "swj", "T4");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("act_for"), std::string::npos) << s.error_message();

  std::vector<v1::AuditEntry> accepts = ByCommand("duban.v1.TaskService/AcceptTask");
  ASSERT_EQ(accepts.size(), 3u);
  EXPECT_EQ(accepts[0].account(), "office-clerk");
  EXPECT_EQ(accepts[0].acting_for(), "swj");
  EXPECT_EQ(accepts[0].result_code(), 0);
  EXPECT_EQ(accepts[1].account(), "office-clerk");
  EXPECT_EQ(accepts[1].acting_for(), "");
  EXPECT_EQ(accepts[2].account(), "fgj");

  // The task's own history names the account acted for.
  grpc::ClientContext ctx;
  Ctx(&ctx, "swj");
  v1::HistoryRequest hreq;
  hreq.set_task_id("T1");
  v1::HistoryResponse hist;
  ASSERT_TRUE(tasks_->History(&ctx, hreq, &hist).ok());
  ASSERT_GT(hist.events_size(), 0);
  EXPECT_EQ(hist.events(hist.events_size() - 1).actor(), "swj");
}

TEST(AuditConfigTest, RetentionBelow180DaysStopsTheDaemon) {
  TempDir dir;
  std::string out;
  int rc = Daemon::RunToExit({"--data_dir=" + dir.sub("data"), "--demo_plan=none", "--calendar=none",
                              "--listen=127.0.0.1:0", "--audit_retention_days=90"},
                             &out);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("audit.retention_days"), std::string::npos) << out;
}

}  // namespace
}  // namespace duban
