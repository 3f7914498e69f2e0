// End to end: a plan document drafted by `dubanctl plan draft` against the
// running daemon's directory (--directory=daemon), then imported over gRPC
// with `dubanctl plan import` (the system administrator's; the rest as the
// leading group's office, each with its token in DUBAN_TOKEN).
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::ReadFile;

using testing::BinaryPath;
using testing::Daemon;
using testing::SourcePath;
using testing::TempDir;

// Runs dubanctl with args against addr; returns the exit code, fills *out with stdout and stderr.
// token: the session's bearer token, given to dubanctl as DUBAN_TOKEN.
int Dubanctl(const std::string& addr, const std::string& args, std::string* out, const std::string& token = "") {
  return testing::RunCommand(absl::StrCat(token.empty() ? "" : "DUBAN_TOKEN=" + token + " ",
                                          BinaryPath("clients/dubanctl"), " --addr=", addr, " ", args, " 2>&1"),
                             out);
}

TEST(PlanDraftE2e, DraftAgainstTheDaemonThenImport) {
  TempDir tmp;
  Daemon d(tmp.sub("data"));
  ASSERT_TRUE(d.Start()) << "duband did not start; log: " << d.log_path();
  const std::string office = d.Login("office");
  const std::string sysadmin = d.Login("sysadmin");
  ASSERT_FALSE(office.empty());
  ASSERT_FALSE(sysadmin.empty());
  std::string out;
  std::string doc = SourcePath("tests/data/plan_draft/county-water-plan.txt");
  ASSERT_EQ(Dubanctl(d.address(),
                     absl::StrCat("plan draft '", doc, "' --directory=daemon -o '", tmp.sub("water.yaml"),
                                  "' --report='", tmp.sub("water.report"), "' --plan-id=water-2024"),
                     &out, office),
            0)
      << out;
  EXPECT_TRUE(absl::StrContains(out, "drafted water-2024: 2 campaigns, 10 tasks, 1 proposed units")) << out;
  EXPECT_TRUE(std::filesystem::exists(tmp.sub("water.cadences.yaml")));
  out.clear();
  ASSERT_EQ(Dubanctl(d.address(), absl::StrCat("plan import '", tmp.sub("water.yaml"), "'"), &out, sysadmin), 0)
      << out;
  EXPECT_TRUE(absl::StrContains(out, "imported plan water-2024")) << out;
  EXPECT_TRUE(absl::StrContains(out, "2 campaigns, 10 tasks")) << out;
  // The proposed unit is in the store now, and the tasks are on the board.
  out.clear();
  ASSERT_EQ(Dubanctl(d.address(), "unit resolve 市河长办", &out, office), 0) << out;
  out.clear();
  ASSERT_EQ(Dubanctl(d.address(), "task list --plan=water-2024", &out, office), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "推进灌区续建配套")) << out;
  // A second import of the same draft is refused: the plan id is taken.
  out.clear();
  EXPECT_NE(Dubanctl(d.address(), absl::StrCat("plan import '", tmp.sub("water.yaml"), "'"), &out, sysadmin), 0)
      << out;
}

// The daemon's units carry the sectors the demo plan declares (units[].sectors):
// `unit list` shows them, and a draft against the daemon gives a heading
// that names a sector its regulator as lead.
TEST(PlanDraftE2e, SectorHeadingsResolveAgainstTheDaemonsUnits) {
  TempDir tmp;
  Daemon d(tmp.sub("data"));
  ASSERT_TRUE(d.Start()) << "duband did not start; log: " << d.log_path();
  const std::string office = d.Login("office");
  ASSERT_FALSE(office.empty());
  std::string out;
  ASSERT_EQ(Dubanctl(d.address(), "unit list --category=department", &out, office), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "SECTORS")) << out;
  EXPECT_TRUE(absl::StrContains(out, "建筑施工、自建房")) << out;
  out.clear();
  std::string doc = SourcePath("tests/data/plan_draft/street-safety-plan.txt");
  ASSERT_EQ(Dubanctl(d.address(),
                     absl::StrCat("plan draft '", doc, "' --directory=daemon -o '", tmp.sub("street.yaml"),
                                  "' --report='", tmp.sub("street.report"), "' --plan-id=street-2024"),
                     &out, office),
            0)
      << out;
  std::string yaml = ReadFile(tmp.sub("street.yaml"));
  size_t at = yaml.find("建筑施工领域（含自建房）");
  ASSERT_NE(at, std::string::npos) << yaml;
  std::string entry = yaml.substr(at, yaml.find("- code:", at) - at);
  EXPECT_TRUE(absl::StrContains(entry, "lead_units: [\"zjj\"]")) << entry;
  EXPECT_TRUE(absl::StrContains(entry, "lead_basis: inferred")) << entry;
  std::string report = ReadFile(tmp.sub("street.report"));
  EXPECT_TRUE(absl::StrContains(report, "lead from the directory's sectors (heading '城镇燃气': 城镇燃气 -> cgj)"))
      << report;
}

TEST(PlanDraftE2e, DocumentThatCannotBeReadIsAnErrorNamingIt) {
  std::string out;
  // No daemon needed: the file is read first.
  EXPECT_EQ(Dubanctl("127.0.0.1:1", "plan draft /nonexistent/plan.txt", &out), 1) << out;
  EXPECT_TRUE(absl::StrContains(out, "/nonexistent/plan.txt: cannot read the file")) << out;
  out.clear();
  EXPECT_EQ(Dubanctl("127.0.0.1:1", "plan draft x.txt --directory=/nonexistent/plan.yaml", &out), 1) << out;
  EXPECT_TRUE(absl::StrContains(out, "--directory: /nonexistent/plan.yaml")) << out;
}

}  // namespace
}  // namespace duban
