// The store under injected I/O faults: a command whose synced write fails
// is refused with UNAVAILABLE (a full disk: RESOURCE_EXHAUSTED), leaves no
// trace, before or after a reopen, and the engine serves again as soon as
// the fault is gone.
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

  // A fault makes the command fail with `code` naming `what`, changes
  // nothing visible, and nothing appears after a reopen either; once the
  // fault is cleared the same command succeeds.
  void CheckFault(FaultFs::Fault fault, absl::StatusCode code, absl::string_view what) {
    uint64_t before = Version("T1");
    auto dump = DumpStore(engine_->store());
    int failures = fs_->failures();
    fs_->Set(fault);
    auto r = engine_->Execute(Meta("swj"), Report("T1", "第一次报送"));
    EXPECT_TRUE(IsError(r.status(), code, what));
    EXPECT_GT(fs_->failures(), failures) << "the fault was never hit";
    EXPECT_EQ(Version("T1"), before);
    EXPECT_EQ(DumpDiff(dump, DumpStore(engine_->store())), "");
    // Still refused while the fault lasts: no write slips through.
    auto again = engine_->Execute(Meta("swj"), Report("T1", "再次报送"));
    EXPECT_FALSE(again.ok());
    EXPECT_EQ(Version("T1"), before);

    fs_->Set(FaultFs::Fault::kNone);
    auto ok = engine_->Execute(Meta("swj"), Report("T1", "故障排除后报送"));
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(ok->task.version(), before + 1);
    auto history = engine_->History("T1");
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), before + 1);
    EXPECT_EQ(history->back().report().work_done(), "故障排除后报送");

    // After a reopen (the log replayed): the acknowledged report, and only it.
    auto acked = DumpStore(engine_->store());
    Open();
    EXPECT_EQ(Version("T1"), before + 1);
    EXPECT_EQ(DumpDiff(acked, DumpStore(engine_->store())), "");
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

// Writers on many tasks while the fault comes and goes: after a reopen every
// task holds exactly the reports that were acknowledged, in order.
TEST_F(StoreFaultTest, ConcurrentCommandsThroughFaultsKeepExactlyTheAcknowledgedOnes) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 30;
  std::vector<uint64_t> start(kWriters);
  std::vector<std::string> ids;
  for (int w = 0; w < kWriters; ++w) {
    ids.push_back("T" + std::to_string(w + 1));
    start[w] = Version(ids[w]);
  }
  std::vector<std::vector<std::string>> acked(kWriters);
  std::atomic<int> refused{0};
  std::atomic<bool> done{false};
  std::thread flipper([&] {
    int i = 0;
    while (!done.load()) {
      fs_->Set(i++ % 3 == 1 ? FaultFs::Fault::kSync : FaultFs::Fault::kNone);
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    fs_->Set(FaultFs::Fault::kNone);
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        std::string text = "报送 " + std::to_string(w) + "-" + std::to_string(i);
        auto r = engine_->Execute(Meta("swj"), Report(ids[w], text));
        if (r.ok()) {
          acked[w].push_back(text);
        } else {
          EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
          refused.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  done.store(true);
  flipper.join();
  EXPECT_GT(refused.load(), 0) << "no command met a fault; the test proves nothing";

  Open();
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(Version(ids[w]), start[w] + acked[w].size()) << ids[w];
    auto history = engine_->History(ids[w]);
    ASSERT_TRUE(history.ok());
    std::vector<std::string> reports;
    for (const auto& e : *history) {
      if (e.has_report() && !e.report().work_done().empty() && e.version() > start[w]) {
        reports.push_back(e.report().work_done());
      }
    }
    EXPECT_EQ(reports, acked[w]) << ids[w];
  }
}

}  // namespace
}  // namespace duban
