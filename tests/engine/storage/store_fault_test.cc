// The store under injected I/O faults: a command whose synced write fails
// is refused with UNAVAILABLE (a full disk: RESOURCE_EXHAUSTED) and leaves
// no visible trace; the store then refuses every write (reads go on) until
// it is reopened, since after a failed sync only a fresh open knows what is
// on the disk; after the reopen the failed command is there whole or not at
// all, and commands succeed again.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "engine/storage/store.h"
#include "engine/storage/yaml_util.h"
#include "engine/time/clock.h"
#include "gtest/gtest.h"
#include "tests/fault_fs.h"
#include "tests/status_matchers.h"
#include "tests/store_dump.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::DumpDiff;
using testing::DumpStore;
using testing::FaultFs;
using testing::IsError;
using testing::SourcePath;
using testing::TempDir;

CommandMeta Meta(std::string actor) {
  CommandMeta m;
  m.actor = std::move(actor);
  return m;
}

TaskCommandArgs Report(std::string task_id, std::string text) {
  TaskCommandArgs a;
  a.task_id = std::move(task_id);
  a.command = v1::TASK_COMMAND_REPORT_PROGRESS;
  a.report.set_work_done(std::move(text));
  return a;
}

class StoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = FaultFs::Create();
    env_ = fs_->NewEnv();
    Open();
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", /*assign=*/true).ok());
    // Progress is reported on accepted tasks.
    for (int i = 1; i <= 8; ++i) {
      TaskCommandArgs accept;
      accept.task_id = "T" + std::to_string(i);
      accept.command = v1::TASK_COMMAND_ACCEPT;
      auto r = engine_->Execute(Meta("swj"), accept);
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }
  void TearDown() override {
    fs_->Set(FaultFs::Fault::kNone);
    engine_.reset();
  }

  void Open() {
    engine_.reset();
    EngineOptions o;
    o.store.env = env_.get();
    auto e = Engine::Open(dir_.path(), &clock_, o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }

  uint64_t Version(const std::string& task_id) {
    auto t = engine_->GetTask(task_id);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? t->version() : 0;
  }

  // A fault makes the command fail with `code` naming `what` and changes
  // nothing visible; later writes are refused until a reopen, after which
  // the failed report is there whole or not at all and writes succeed.
  void CheckFault(FaultFs::Fault fault, absl::StatusCode code, absl::string_view what) {
    uint64_t before = Version("T1");
    uint64_t t2_before = Version("T2");
    auto dump = DumpStore(engine_->store());
    int failures = fs_->failures();
    fs_->Set(fault);
    auto r = engine_->Execute(Meta("swj"), Report("T1", "故障时的报送"));
    EXPECT_TRUE(IsError(r.status(), code, what));
    EXPECT_GT(fs_->failures(), failures) << "the fault was never hit";
    EXPECT_EQ(Version("T1"), before);
    EXPECT_EQ(DumpDiff(dump, DumpStore(engine_->store())), "");

    // The fault is gone, but the store takes no writes until reopened;
    // reads go on.
    fs_->Set(FaultFs::Fault::kNone);
    EXPECT_TRUE(engine_->store().write_failed());
    auto refused = engine_->Execute(Meta("swj"), Report("T2", "故障之后的报送"));
    EXPECT_TRUE(IsError(refused.status(), absl::StatusCode::kUnavailable, "restart"));
    EXPECT_EQ(Version("T1"), before);
    EXPECT_EQ(DumpDiff(dump, DumpStore(engine_->store())), "");

    // Reopened: the failed report whole or not at all, then writes work.
    Open();
    EXPECT_FALSE(engine_->store().write_failed());
    uint64_t now = Version("T1");
    EXPECT_TRUE(now == before || now == before + 1) << now;
    auto history = engine_->History("T1");
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), now);
    if (now == before + 1) EXPECT_EQ(history->back().report().work_done(), "故障时的报送");
    EXPECT_EQ(Version("T2"), t2_before) << "a refused write appeared";
    auto ok = engine_->Execute(Meta("swj"), Report("T1", "重启后报送"));
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(ok->task.version(), now + 1);
  }

  TempDir dir_;
  SimulatedClock clock_{absl::FromCivil(absl::CivilSecond(2023, 3, 20, 9, 0, 0), PlanTimeZone())};
  std::shared_ptr<FaultFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(StoreFaultTest, FailedSyncRefusesTheCommandWithUnavailableAndWritesNothing) {
  CheckFault(FaultFs::Fault::kSync, absl::StatusCode::kUnavailable, "write failed");
}

TEST_F(StoreFaultTest, FailedWriteRefusesTheCommandWithUnavailableAndWritesNothing) {
  CheckFault(FaultFs::Fault::kWrite, absl::StatusCode::kUnavailable, "write failed");
}

TEST_F(StoreFaultTest, FullDiskIsResourceExhaustedNamingTheDataDir) {
  CheckFault(FaultFs::Fault::kDiskFull, absl::StatusCode::kResourceExhausted, "disk full");
  CheckFault(FaultFs::Fault::kDiskFull, absl::StatusCode::kResourceExhausted, dir_.path());
}

TEST_F(StoreFaultTest, ReadsKeepWorkingDuringTheFault) {
  fs_->Set(FaultFs::Fault::kSync);
  EXPECT_FALSE(engine_->Execute(Meta("swj"), Report("T1", "报送")).ok());
  auto t = engine_->GetTask("T1");
  ASSERT_TRUE(t.ok()) << t.status();
  TaskFilter f;
  f.campaign_id = "economy";
  auto page = engine_->ListTasks(f);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_FALSE(page->tasks.empty());
}

// Writers on many tasks when a sync fails: every acknowledged report is
// there after the reopen, in order, once; of the refused ones at most the
// few whose batch reached the log before the failure, each whole and once.
TEST_F(StoreFaultTest, ConcurrentCommandsThroughAFaultKeepEveryAcknowledgedOneOnce) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 40;
  std::vector<uint64_t> start(kWriters);
  std::vector<std::string> ids;
  for (int w = 0; w < kWriters; ++w) {
    ids.push_back("T" + std::to_string(w + 1));
    start[w] = Version(ids[w]);
  }
  std::vector<std::vector<std::string>> acked(kWriters), refused(kWriters);
  std::atomic<int> done_commands{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        std::string text = "报送 " + std::to_string(w) + "-" + std::to_string(i);
        // The fault strikes once a third of the commands are through.
        if (done_commands.fetch_add(1) == kWriters * kPerWriter / 3) fs_->Set(FaultFs::Fault::kSync);
        auto r = engine_->Execute(Meta("swj"), Report(ids[w], text));
        if (r.ok()) {
          acked[w].push_back(text);
        } else {
          EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
          refused[w].push_back(text);
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  fs_->Set(FaultFs::Fault::kNone);
  int n_refused = 0;
  for (const auto& r : refused) n_refused += static_cast<int>(r.size());
  EXPECT_GT(n_refused, 0) << "no command met the fault; the test proves nothing";

  Open();
  for (int w = 0; w < kWriters; ++w) {
    auto history = engine_->History(ids[w]);
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), Version(ids[w])) << ids[w];
    std::vector<std::string> reports;
    for (const auto& e : *history) {
      if (e.version() > start[w]) reports.push_back(e.report().work_done());
    }
    // The acknowledged ones first, in order; then at most the first refused.
    ASSERT_GE(reports.size(), acked[w].size()) << ids[w];
    EXPECT_EQ(std::vector<std::string>(reports.begin(), reports.begin() + acked[w].size()), acked[w]) << ids[w];
    ASSERT_LE(reports.size(), acked[w].size() + 1) << ids[w];
    if (reports.size() == acked[w].size() + 1) {
      ASSERT_FALSE(refused[w].empty());
      EXPECT_EQ(reports.back(), refused[w].front()) << ids[w];
    }
  }
}

}  // namespace
}  // namespace duban
