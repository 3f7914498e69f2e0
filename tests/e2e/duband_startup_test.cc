// duband's start-up checks: the listen address and --help.
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::BinaryPath;
using testing::Daemon;
using testing::SourcePath;
using testing::TempDir;

// Runs duband with the flags for at most 60 s (a daemon that wrongly
// starts is killed by `timeout`, exit 124); returns its exit code.
int RunDuband(const std::vector<std::string>& flags, std::string* output) {
  std::string cmd = "timeout 60 " + BinaryPath("services/duband");
  for (const auto& f : flags) cmd += " '" + f + "'";
  return testing::RunCommand(cmd + " 2>&1", output);
}

TEST(DubandStartupTest, RefusesAPortOutOfRange) {
  TempDir dir;
  std::string out;
  // Everything else is a valid start (the demo plan, whose units the rule
  // files name), so that a duband which did not check the port would start
  // serving on 73005 mod 65536 and be stopped by the timeout (124).
  int code = RunDuband({"--config=" + SourcePath("config/duband.yaml"), "--data_dir=" + dir.sub("db"),
                        "--listen=127.0.0.1:73005"},
                       &out);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(code, 124) << "duband served on a port out of range";
  EXPECT_NE(out.find("listen: port '73005' is out of range"), std::string::npos) << out;
}

TEST(DubandStartupTest, RefusesAPortInUse) {
  TempDir dir;
  Daemon first(dir.sub("first"));
  ASSERT_TRUE(first.Start());
  std::string out;
  int code = RunDuband({"--config=" + SourcePath("config/duband.yaml"), "--data_dir=" + dir.sub("second"),
                        "--listen=" + first.address()},
                       &out);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(code, 124) << "the second duband kept running on a port in use";
  EXPECT_NE(out.find("listen"), std::string::npos) << out;
}

TEST(DubandStartupTest, HelpListsTheFlags) {
  std::string out;
  RunDuband({"--help"}, &out);
  EXPECT_EQ(out.find("No flags matched"), std::string::npos) << out;
  EXPECT_NE(out.find("--data_dir"), std::string::npos) << out;
  EXPECT_NE(out.find("--listen"), std::string::npos) << out;
}

}  // namespace
}  // namespace duban
