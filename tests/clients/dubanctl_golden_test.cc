// Golden outputs of dubanctl: a representative command of every noun (as a
// table and with --json), help, usage errors and refusals, each run against a
// daemon on loopback with the demo plan and the harness's simulated clock
// (2023-03-20 08:00 Beijing time), compared byte for byte with
// tests/golden/dubanctl/<case>.txt (stdout, stderr and the exit status).
//
// The daemon's address, the temporary directory and the source tree are masked; nothing else
// is, so a change to what dubanctl prints fails this test. After an intended
// change, refresh the files and review the diff:
//   DUBAN_UPDATE_GOLDEN=1 build/tests/dubanctl_golden_test
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::BinaryPath;
using testing::Daemon;
using testing::ReadFile;
using testing::SourcePath;
using testing::TempDir;

struct Case {
  std::string name;     // the golden file's name, without .txt
  std::string account;  // whose token dubanctl is given; "" for none
  std::string args;     // after "dubanctl --addr=ADDR"
};

class DubanctlGoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    // The demo plan is loaded by a relative name, so that what the daemon
    // records about its source ("imported from plan.yaml") is the same on
    // every machine, whatever the length of the checkout's path.
    std::filesystem::copy_file(SourcePath("config/demo/plan.yaml"), tmp_->sub("plan.yaml"),
                               std::filesystem::copy_options::overwrite_existing);
    daemon_ = new Daemon(tmp_->sub("data"), {"--demo_plan=plan.yaml"});
    daemon_->set_working_dir(tmp_->path());
    ASSERT_TRUE(daemon_->Start()) << "duband did not start; log: " << daemon_->log_path();
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
    delete tmp_;
    tmp_ = nullptr;
  }

  // Runs dubanctl as c.account; returns the transcript with the address and
  // the temporary directory masked.
  static std::string Run(const Case& c) {
    std::string token = c.account.empty() ? "" : daemon_->Login(c.account);
    EXPECT_TRUE(c.account.empty() || !token.empty()) << c.account << " could not log in";
    std::string out_file = tmp_->sub(c.name + ".stdout");
    std::string err_file = tmp_->sub(c.name + ".stderr");
    // HOME points at the temporary directory so that no token file of the
    // machine's user is read; DUBAN_TOKEN gives the session.
    std::string cmd = absl::StrCat("cd '", tmp_->path(), "' && env -u DUBAN_ADDR -u DUBAN_ACTOR -u DUBAN_TOKEN_FILE HOME='",
                                   tmp_->path(), "' ", token.empty() ? "" : "DUBAN_TOKEN=" + token + " ",
                                   BinaryPath("clients/dubanctl"), " --addr=", daemon_->address(), " ", c.args, " >'",
                                   out_file, "' 2>'", err_file, "' </dev/null");
    int status = std::system(cmd.c_str());
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::string transcript = absl::StrCat("$ dubanctl ", c.args, "\nexit: ", rc, "\n--- stdout\n", ReadFile(out_file),
                                          "--- stderr\n", ReadFile(err_file));
    return absl::StrReplaceAll(transcript,
                               {{daemon_->address(), "ADDR"}, {tmp_->path(), "TMP"}, {SourcePath(""), "SRC/"}});
  }

  // Compares with (or, with DUBAN_UPDATE_GOLDEN=1, writes) the golden file.
  static void Check(const Case& c) {
    std::string got = Run(c);
    std::string path = SourcePath("tests/golden/dubanctl/" + c.name + ".txt");
    const char* update = std::getenv("DUBAN_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << got;
      return;
    }
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; run with DUBAN_UPDATE_GOLDEN=1";
    EXPECT_EQ(got, ReadFile(path)) << "dubanctl's output changed for " << c.name
                                   << " (DUBAN_UPDATE_GOLDEN=1 refreshes tests/golden/dubanctl/)";
  }

  static TempDir* tmp_;
  static Daemon* daemon_;
};

TempDir* DubanctlGoldenTest::tmp_ = nullptr;
Daemon* DubanctlGoldenTest::daemon_ = nullptr;

TEST_F(DubanctlGoldenTest, HelpAndUsageErrorsPrintTheUsageAndExitTwo) {
  for (const Case& c : std::vector<Case>{
           {"help", "", "--help"},
           {"help-word", "", "help"},
           {"help-task-get", "", "task get --help"},
           {"help-word-noun-verb", "", "help supervision add"},
           {"error-no-command", "", ""},
           {"error-unknown-noun", "", "frobnicate all"},
           {"error-noun-without-verb", "", "task"},
           {"error-unknown-verb", "", "task frobnicate"},
           {"error-unknown-flag", "office", "task list --colour=red"},
           {"error-missing-operand", "office", "task get"},
           {"error-extra-operand", "office", "plan get a b"},
           {"error-flag-without-value", "office", "task send-back T1 --reason"},
           {"error-flag-twice", "office", "task list --plan=a --plan=b"},
           {"error-bad-enum", "office", "task list --state=sleeping"},
           {"error-bad-date", "office", "task request-extension T1 --due=2023-4-1 --reason=r"},
           {"error-bad-timeout", "office", "--timeout=soon task list"},
           {"error-stray-help", "office", "task get T1 help"},
           {"error-stray-verb", "office", "task list get"},
       }) {
    SCOPED_TRACE(c.name);
    Check(c);
  }
}

TEST_F(DubanctlGoldenTest, ServerRefusalsPrintTheCodeAndExitOne) {
  for (const Case& c : std::vector<Case>{
           {"refused-not-found", "office", "task get NO-SUCH-TASK"},
           {"refused-unauthenticated", "", "task list --plan=ningxiang-2023-six-battles"},
           {"refused-permission", "office", "account list"},
           // A word that names a noun is still the operand it stands for.
           {"refused-operand-naming-a-noun", "office", "unit resolve plan"},
       }) {
    SCOPED_TRACE(c.name);
    Check(c);
  }
}

TEST_F(DubanctlGoldenTest, EveryNounPrintsItsTableAndJson) {
  for (const Case& c : std::vector<Case>{
           {"unit-list", "office", "unit list --category=township"},
           {"unit-list-json", "office", "--json unit list --category=platform_company"},
           {"unit-resolve", "office", "unit resolve 市应急管理局"},
           {"person-list", "office", "person list"},
           {"leading-group-get", "office", "leading-group get ningxiang-2023-six-battles"},
           {"task-force-list", "office", "task-force list"},
           {"plan-list", "office", "plan list"},
           {"plan-get-json", "office", "plan get ningxiang-2023-six-battles --json"},
           {"campaign-list", "office", "campaign list"},
           {"campaign-get", "office", "campaign get economy"},
           {"task-list", "office", "task list --campaign=economy --page-size=5"},
           {"task-list-json", "office", "task list --campaign economy --page-size 2 --json"},
           {"task-get", "office", "task get T1"},
           {"task-history", "office", "task history T1"},
           {"obligation-list", "office", "obligation list --page-size=5"},
           {"score-list", "office", "score list"},
           {"notification-list", "office", "notification list fgj --limit=3"},
           {"supervision-list", "office", "supervision list"},
           {"ranking-list", "office", "ranking list"},
           {"case-list", "office", "case list"},
           {"briefing-list", "office", "briefing list"},
           {"export-csv", "office", "export tasks --format=csv --campaign=economy --out=-"},
           {"whoami", "office", "whoami"},
           {"timers-dead", "sysadmin", "timers dead"},
       }) {
    SCOPED_TRACE(c.name);
    Check(c);
  }
}

// The simulated clock stands still, so what a change prints is fixed too.
TEST_F(DubanctlGoldenTest, CommandsThatChangeSomethingPrintTheirResult) {
  for (const Case& c : std::vector<Case>{
           {"supervision-add", "supervisor",
            "supervision add --kind=task --subject=T1 --title=进度滞后 --level=2 --deadline=2023-04-28 "
            "--comment=golden --request-id=golden-1"},
           {"supervision-list-after-add", "supervisor", "supervision list"},
           {"supervision-get", "supervisor", "supervision get S1"},
           {"escalate", "supervisor", "escalate S1 --reason=未按期整改"},
           {"supervision-history", "supervisor", "supervision history S1 --json"},
       }) {
    SCOPED_TRACE(c.name);
    Check(c);
  }
}

// --progress: the phases of a plan import (one unary call) and the bytes of
// an export (a stream) go to stderr, one line each when stderr is a pipe;
// without --progress a pipe gets nothing.
TEST_F(DubanctlGoldenTest, ProgressGoesToStderrOnlyWhenAsked) {
  std::string plan = SourcePath("config/demo/plan.yaml");
  std::filesystem::copy_file(plan, tmp_->sub("plan.yaml"), std::filesystem::copy_options::overwrite_existing);
  for (const Case& c : std::vector<Case>{
           {"progress-plan-import", "sysadmin", "plan import plan.yaml --dry-run --progress"},
           {"progress-plan-import-silent", "sysadmin", "plan import plan.yaml --dry-run"},
           {"progress-export", "office", "export tasks --format=csv --campaign=economy --out=tasks.csv --progress"},
           {"progress-export-silent", "office", "export tasks --format=csv --campaign=economy --out=tasks.csv"},
       }) {
    SCOPED_TRACE(c.name);
    Check(c);
  }
  std::string silent = ReadFile(tmp_->sub("progress-export-silent.stderr"));
  EXPECT_EQ(silent, "");
  std::string shown = ReadFile(tmp_->sub("progress-export.stderr"));
  EXPECT_NE(shown.find("接收 "), std::string::npos) << shown;
}

// On a terminal (script(1) gives dubanctl one) the progress line is drawn in
// place and erased, without --progress.
TEST_F(DubanctlGoldenTest, ProgressIsDrawnInPlaceOnATerminal) {
  std::string token = daemon_->Login("office");
  ASSERT_FALSE(token.empty());
  std::string inner = absl::StrCat(BinaryPath("clients/dubanctl"), " --addr=", daemon_->address(),
                                   " export tasks --format=csv --campaign=economy --out=tty.csv");
  std::string cmd = absl::StrCat("cd '", tmp_->path(), "' && HOME='", tmp_->path(), "' DUBAN_TOKEN=", token,
                                 " script -qec '", inner, "' /dev/null </dev/null 2>&1");
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_NE(out.find("\r\033[K接收 tasks-economy.csv: "), std::string::npos) << out;
  EXPECT_NE(out.find("wrote tty.csv (31 rows"), std::string::npos) << out;
}

}  // namespace
}  // namespace duban
