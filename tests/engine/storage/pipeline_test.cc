// The command pipeline and the defects it fixes: replays scoped to the
// actor with whole-request fingerprints, notification sequence numbers
// under concurrency, score counters, dead timers, the clock's bounds, the
// demo import's marker, input bounds and error quoting.
#include "engine/storage/pipeline.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "engine/storage/validate.h"
#include "engine/storage/yaml_util.h"
#include "engine/time/cadence.h"
#include "engine/time/clock.h"
#include "engine/time/work_calendar.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/transaction_log.h"
#include "rocksdb/write_batch.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

CommandMeta Meta(std::string actor, std::string request_id = "") {
  CommandMeta m;
  m.actor = std::move(actor);
  m.request_id = std::move(request_id);
  return m;
}

TaskCommandArgs Report(const std::string& task_id, const std::string& text) {
  TaskCommandArgs a;
  a.task_id = task_id;
  a.command = v1::TASK_COMMAND_REPORT_PROGRESS;
  a.report.set_work_done(text);
  return a;
}

// The demo plan on a simulated clock at 2023-01-01, with the real calendar
// and cadences when `with_cadences`.
class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenWith(true); }

  void OpenWith(bool with_cadences) {
    EngineOptions opts;
    if (with_cadences) {
      auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
      ASSERT_TRUE(cal.ok()) << cal.status();
      opts.calendar = std::make_shared<const WorkCalendar>(std::move(*cal));
      auto cad = LoadCadencesFile(SourcePath("tests/data/cadences-from-january.yaml"));
      ASSERT_TRUE(cad.ok()) << cad.status();
      opts.cadences = std::make_shared<const CadenceConfig>(std::move(*cad));
    }
    options_ = opts;
    Reopen();
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto imported = engine_->ImportDemoOnce(*doc);
    ASSERT_TRUE(imported.ok()) << imported.status();
  }

  void Reopen() {
    engine_.reset();
    auto e = Engine::Open(dir_.sub("db"), &clock_, options_);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }

  void Accept(const std::string& task_id) {
    TaskCommandArgs a;
    a.task_id = task_id;
    a.command = v1::TASK_COMMAND_ACCEPT;
    auto r = engine_->Execute(Meta("office"), a);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  std::vector<v1::Notification> AllNotes() {
    std::vector<v1::Notification> out;
    uint64_t after = 0;
    while (true) {
      auto batch = engine_->outbox().ReadAll(after, 5000).value();
      if (batch.empty()) break;
      after = batch.back().seq();
      for (auto& n : batch) out.push_back(std::move(n));
    }
    return out;
  }

  TempDir dir_;
  SimulatedClock clock_{Beijing(2023, 1, 1)};
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
};

// ---------------------------------------------------------------- replays

TEST_F(PipelineTest, RequestIdsAreScopedToTheActor) {
  Accept("T1");
  Accept("T2");
  auto a = engine_->Execute(Meta("swj", "r-1"), Report("T1", "第一次报送"));
  ASSERT_TRUE(a.ok()) << a.status();
  // Another actor's request with the same id is its own command.
  auto b = engine_->Execute(Meta("fgj", "r-1"), Report("T2", "另一单位的报送"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->replayed);
  EXPECT_EQ(b->task.id(), "T2");
  // The first actor's retry replays its own result.
  auto again = engine_->Execute(Meta("swj", "r-1"), Report("T1", "第一次报送"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->task.version(), a->task.version());
}

TEST_F(PipelineTest, FingerprintCoversTheWholeRequest) {
  NewTask t;
  t.campaign_id = "economy";
  t.code = "X-1";
  t.title = "新增任务";
  t.lead_units = {"swj"};
  t.due_date = "2023-06-30";
  t.lead_leader = "黄涛";
  auto first = engine_->CreateTask(Meta("office", "create-1"), t);
  ASSERT_TRUE(first.ok()) << first.status();
  // Same id, a field that the old fingerprint left out changed: refused.
  NewTask other = t;
  other.lead_leader = "另一位领导";
  EXPECT_TRUE(IsError(engine_->CreateTask(Meta("office", "create-1"), other).status(),
                      absl::StatusCode::kAlreadyExists, "meta.request_id"));
  other = t;
  other.milestones.emplace_back();
  other.milestones.back().set_title("阶段一");
  other.milestones.back().set_due_date("2023-03-31");
  EXPECT_TRUE(IsError(engine_->CreateTask(Meta("office", "create-1"), other).status(),
                      absl::StatusCode::kAlreadyExists, "meta.request_id"));
  auto again = engine_->CreateTask(Meta("office", "create-1"), t);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->task.id(), first->task.id());
}

// ---------------------------------------------------------------- audit hook

class CountingAudit : public AuditSink {
 public:
  absl::Status OnCommand(const CommandInfo& command, const google::protobuf::MessageLite&,
                         rocksdb::WriteBatch* batch) override {
    ++calls;
    last = command.command;
    batch->Put(rocksdb::Slice("audit-probe"), rocksdb::Slice(command.command));
    return absl::OkStatus();
  }
  int calls = 0;
  std::string last;
};

TEST_F(PipelineTest, AuditSinkAddsToTheCommandsOwnBatch) {
  Accept("T1");
  CountingAudit audit;
  engine_->pipeline().SetAuditSink(&audit);
  ASSERT_TRUE(engine_->Execute(Meta("swj"), Report("T1", "报送")).ok());
  EXPECT_EQ(audit.calls, 1);
  EXPECT_EQ(audit.last, "report_progress");
  auto probe = engine_->store().Get(Cf::kMeta, "audit-probe");
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(*probe, "report_progress");
  // A refused command is not audited and writes nothing.
  TaskCommandArgs bad = Report("T1", "");
  EXPECT_FALSE(engine_->Execute(Meta("swj"), bad).ok());
  EXPECT_EQ(audit.calls, 1);
  engine_->pipeline().SetAuditSink(nullptr);
}

// ---------------------------------------------------------------- concurrency

TEST_F(PipelineTest, ConcurrentCommandsGetContiguousNotificationSeqs) {
  // Returning obligation reports notifies the unit: many threads at once.
  ASSERT_TRUE(engine_->StartCadences().ok());
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 1, 9)).ok());
  ObligationFilter f;
  f.page_size = 1000;
  auto page = engine_->ListObligations(f);
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<v1::Obligation> pending;
  for (const auto& o : page->obligations) {
    if (o.state() == v1::OBLIGATION_STATE_PENDING) pending.push_back(o);
  }
  ASSERT_GE(pending.size(), 16u);
  pending.resize(16);
  uint64_t before = engine_->outbox().last_seq();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (const auto& o : pending) {
    threads.emplace_back([&, id = o.id(), unit = o.unit_id()] {
      if (!engine_->SubmitReport(Meta(unit), id, "已报送").ok()) ++failures;
      if (!engine_->ReviewReport(Meta("fgj"), id, false, "材料不全").ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto notes = engine_->outbox().ReadAll(before, 1000).value();
  ASSERT_EQ(notes.size(), pending.size());
  for (size_t i = 0; i < notes.size(); ++i) EXPECT_EQ(notes[i].seq(), before + 1 + i);
  EXPECT_EQ(engine_->outbox().last_seq(), before + pending.size());
}

TEST_F(PipelineTest, ConcurrentObligationsOfOneUnitKeepEveryScoreIncrement) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 3, 1)).ok());
  // Every obligation of one unit that can be submitted, then returned, in
  // parallel: each return counts once on the unit's score.
  ObligationFilter f;
  f.page_size = 1000;
  f.unit = "市发改局";
  auto page = engine_->ListObligations(f);
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<std::string> ids;
  for (const auto& o : page->obligations) {
    if (o.state() == v1::OBLIGATION_STATE_PENDING || o.state() == v1::OBLIGATION_STATE_MISSED) ids.push_back(o.id());
  }
  ASSERT_GE(ids.size(), 4u);
  auto before = engine_->GetUnitScore("市发改局");
  ASSERT_TRUE(before.ok());
  std::vector<std::thread> threads;
  for (const auto& id : ids) {
    threads.emplace_back([&, id] {
      ASSERT_TRUE(engine_->SubmitReport(Meta("fgj"), id, "已报送").ok());
      ASSERT_TRUE(engine_->ReviewReport(Meta("office"), id, false, "退回补充").ok());
    });
  }
  for (auto& t : threads) t.join();
  auto after = engine_->GetUnitScore("市发改局");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->returned() - before->returned(), static_cast<int>(ids.size()));
}

// ---------------------------------------------------------------- obligations

TEST_F(PipelineTest, SubmitAndReviewReport) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 1, 9)).ok());
  ObligationFilter f;
  f.state = v1::OBLIGATION_STATE_PENDING;
  f.page_size = 1;
  auto page = engine_->ListObligations(f);
  ASSERT_TRUE(page.ok() && !page->obligations.empty());
  v1::Obligation o = page->obligations[0];

  // Review before submission: refused with the state.
  EXPECT_TRUE(IsError(engine_->ReviewReport(Meta("fgj"), o.id(), true, "").status(),
                      absl::StatusCode::kFailedPrecondition, "pending"));
  EXPECT_TRUE(IsError(engine_->SubmitReport(Meta(o.unit_id()), o.id(), "").status(),
                      absl::StatusCode::kInvalidArgument, "text"));
  auto submitted = engine_->SubmitReport(Meta(o.unit_id(), "s-1"), o.id(), "本期工作情况");
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->state(), v1::OBLIGATION_STATE_SUBMITTED);
  EXPECT_EQ(submitted->report_text(), "本期工作情况");
  EXPECT_EQ(submitted->version(), o.version() + 1);
  // A retry replays; a different text under the same id is refused.
  auto retry = engine_->SubmitReport(Meta(o.unit_id(), "s-1"), o.id(), "本期工作情况");
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->version(), submitted->version());
  EXPECT_TRUE(IsError(engine_->SubmitReport(Meta(o.unit_id(), "s-1"), o.id(), "别的内容").status(),
                      absl::StatusCode::kAlreadyExists, "meta.request_id"));
  // Returning needs a reason; it notifies the unit and counts on its score.
  EXPECT_TRUE(IsError(engine_->ReviewReport(Meta("fgj"), o.id(), false, "").status(),
                      absl::StatusCode::kInvalidArgument, "reason"));
  uint64_t seq = engine_->outbox().last_seq();
  auto returned = engine_->ReviewReport(Meta("fgj"), o.id(), false, "缺少数据");
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_EQ(returned->state(), v1::OBLIGATION_STATE_RETURNED);
  auto notes = engine_->outbox().Read(o.unit_id(), seq, 10).value();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind(), v1::NOTIFICATION_KIND_RETURNED);
  auto score = engine_->GetUnitScore(o.unit_id());
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->returned(), 1);
  // Resubmitted and accepted; a stale expected_version is ABORTED.
  ASSERT_TRUE(engine_->SubmitReport(Meta(o.unit_id()), o.id(), "补充数据").ok());
  CommandMeta stale = Meta("fgj");
  stale.expected_version = returned->version();
  EXPECT_TRUE(IsError(engine_->ReviewReport(stale, o.id(), true, "").status(), absl::StatusCode::kAborted,
                      "expected_version"));
  auto accepted = engine_->ReviewReport(Meta("fgj"), o.id(), true, "");
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->state(), v1::OBLIGATION_STATE_ACCEPTED);
  auto history = engine_->ObligationHistory(o.id());
  ASSERT_TRUE(history.ok());
  ASSERT_GE(history->size(), 5u);
  EXPECT_EQ(history->back().kind(), "accepted");
}

// ---------------------------------------------------------------- versions

TEST_F(PipelineTest, CompletionClearsTheWarningInItsOwnVersion) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  // Late in the year most demo tasks are red.
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 12, 29)).ok());
  auto t = engine_->GetTask("T1");
  ASSERT_TRUE(t.ok());
  ASSERT_NE(t->warning_level(), v1::WARNING_LEVEL_NONE);
  for (auto c : {v1::TASK_COMMAND_ACCEPT, v1::TASK_COMMAND_REPORT_PROGRESS, v1::TASK_COMMAND_REQUEST_COMPLETION,
                 v1::TASK_COMMAND_APPROVE_COMPLETION, v1::TASK_COMMAND_APPROVE_COMPLETION}) {
    auto now = engine_->GetTask("T1");
    ASSERT_TRUE(now.ok());
    if (now->state() == v1::TASK_STATE_COMPLETED) break;  // a one-step review
    TaskCommandArgs a = Report("T1", "全部完成");
    a.command = c;
    if (c != v1::TASK_COMMAND_REPORT_PROGRESS) a.report.Clear();
    auto r = engine_->Execute(Meta("office"), a);
    ASSERT_TRUE(r.ok()) << CommandName(c) << ": " << r.status();
  }
  auto done = engine_->GetTask("T1");
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->state(), v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(done->warning_level(), v1::WARNING_LEVEL_NONE);
  // Time passes; the version the client got is still the task's version.
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2024, 1, 10)).ok());
  auto later = engine_->GetTask("T1");
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->version(), done->version());
  CommandMeta m = Meta("office");
  m.expected_version = done->version();
  TaskCommandArgs archive;
  archive.task_id = "T1";
  archive.command = v1::TASK_COMMAND_ARCHIVE;
  EXPECT_TRUE(engine_->Execute(m, archive).ok());
}

// ---------------------------------------------------------------- timers

TEST_F(PipelineTest, AFailingTimerIsSetAsideAndTheOthersKeepFiring) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  // T1's warning check cannot fire: its task record is unreadable.
  rocksdb::WriteBatch b;
  engine_->store().Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kTask, "T1"), absl::string_view("\xff\xff\xff"));
  ASSERT_TRUE(engine_->store().Write(&b).ok());
  auto run = engine_->AdvanceClock(Beijing(2023, 12, 31));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_GE(run->failed, 1);
  auto dead = engine_->ListDeadTimers();
  ASSERT_TRUE(dead.ok()) << dead.status();
  ASSERT_FALSE(dead->empty());
  bool t1 = false;
  for (const auto& d : *dead) {
    if (d.timer().has_task_warning() && d.timer().task_warning().task_id() == "T1") t1 = true;
    EXPECT_FALSE(d.error().empty());
  }
  EXPECT_TRUE(t1);
  // The administrator was told; the other timers fired (obligations exist,
  // T2 has its warning level, and the clock reached its target).
  auto admin = engine_->outbox().Read(kAdminRecipient, 0, 100).value();
  ASSERT_FALSE(admin.empty());
  EXPECT_EQ(admin[0].kind(), v1::NOTIFICATION_KIND_TIMER_FAILED);
  ObligationFilter f;
  f.page_size = 10;
  auto page = engine_->ListObligations(f);
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->obligations.empty());
  EXPECT_EQ(engine_->clock().Now(), Beijing(2023, 12, 31));
  auto t2 = engine_->GetTask("T2");
  ASSERT_TRUE(t2.ok());
  EXPECT_NE(t2->warning_level(), v1::WARNING_LEVEL_NONE);
  // And a later advance is not blocked by it.
  EXPECT_TRUE(engine_->AdvanceClock(Beijing(2024, 1, 8)).ok());
}

TEST_F(PipelineTest, AdvanceClockCoversABoundedSpan) {
  EXPECT_TRUE(IsError(engine_->AdvanceClock(Beijing(2030, 1, 1)).status(), absl::StatusCode::kInvalidArgument,
                      "to:"));
  EXPECT_EQ(engine_->clock().Now(), Beijing(2023, 1, 1));
}

TEST_F(PipelineTest, AdvanceClockStopsWhenTheCallerGoesAway) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  int asked = 0;
  auto r = engine_->AdvanceClock(Beijing(2023, 12, 31), [&] { return ++asked > 3; });
  EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kCancelled, "clock"));
  EXPECT_LT(engine_->clock().Now(), Beijing(2023, 12, 31));
  // What fired is committed; the next call carries on.
  EXPECT_TRUE(engine_->AdvanceClock(Beijing(2023, 2, 1)).ok());
}

// ---------------------------------------------------------------- start-up

TEST_F(PipelineTest, DemoImportAndItsMarkerCommitTogether) {
  auto marker = engine_->store().Get(Cf::kMeta, "demo_loaded");
  ASSERT_TRUE(marker.ok()) << marker.status();
  auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
  ASSERT_TRUE(doc.ok());
  auto again = engine_->ImportDemoOnce(*doc);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);
}

// Collects, per column family, the keys one write batch puts.
class BatchKeys : public rocksdb::WriteBatch::Handler {
 public:
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice&) override {
    keys_.insert({cf, key.ToString()});
    return rocksdb::Status::OK();
  }
  bool Has(uint32_t cf, const std::string& key) const { return keys_.count({cf, key}) > 0; }

 private:
  std::set<std::pair<uint32_t, std::string>> keys_;
};

TEST(DemoImportTest, ThePlanAndItsMarkerAreOneWrite) {
  // Read back from the write-ahead log: the write that stores the demo plan
  // also stores its marker, so no crash can leave one without the other.
  TempDir dir;
  SimulatedClock clock(Beijing(2023, 1, 1));
  auto e = Engine::Open(dir.sub("db"), &clock, {});
  ASSERT_TRUE(e.ok()) << e.status();
  auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
  ASSERT_TRUE(doc.ok());
  rocksdb::DB* db = (*e)->store().db();
  rocksdb::SequenceNumber before = db->GetLatestSequenceNumber();
  auto once = (*e)->ImportDemoOnce(*doc);
  ASSERT_TRUE(once.ok()) << once.status();
  ASSERT_TRUE(*once);
  auto plan_id = (*e)->store().Get(Cf::kMeta, "demo_loaded");
  ASSERT_TRUE(plan_id.ok()) << plan_id.status();
  const uint32_t meta_cf = (*e)->store().handle(Cf::kMeta)->GetID();
  const uint32_t entities_cf = (*e)->store().handle(Cf::kEntities)->GetID();
  const std::string plan_key = keys::Entity(keys::Kind::kPlan, *plan_id);

  std::unique_ptr<rocksdb::TransactionLogIterator> it;
  ASSERT_TRUE(db->GetUpdatesSince(before + 1, &it).ok());
  int with_plan = 0, with_marker = 0, with_both = 0;
  for (; it->Valid(); it->Next()) {
    rocksdb::BatchResult r = it->GetBatch();
    BatchKeys k;
    ASSERT_TRUE(r.writeBatchPtr->Iterate(&k).ok());
    bool plan = k.Has(entities_cf, plan_key);
    bool marker = k.Has(meta_cf, "demo_loaded");
    with_plan += plan;
    with_marker += marker;
    with_both += plan && marker;
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(with_plan, 1);
  EXPECT_EQ(with_marker, 1);
  EXPECT_EQ(with_both, 1) << "the plan and the demo_loaded marker were written by separate writes";
}

TEST(DemoImportTest, AStoreWithThePlanButNoMarkerStarts) {
  // The state a crash between an import and a separately written marker
  // left behind: later starts must not fail.
  TempDir dir;
  SimulatedClock clock(Beijing(2023, 1, 1));
  auto e = Engine::Open(dir.sub("db"), &clock, {});
  ASSERT_TRUE(e.ok());
  auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE((*e)->ImportPlan(*doc, "duband", true).ok());
  auto once = (*e)->ImportDemoOnce(*doc);
  ASSERT_TRUE(once.ok()) << once.status();
  EXPECT_FALSE(*once);
  EXPECT_TRUE((*e)->store().Get(Cf::kMeta, "demo_loaded").ok());
}

// ---------------------------------------------------------------- notifications

TEST_F(PipelineTest, ReadingAfterTheLargestSeqGivesNothing) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 2, 1)).ok());
  ASSERT_GT(engine_->outbox().last_seq(), 0u);
  EXPECT_TRUE(engine_->outbox().ReadAll(std::numeric_limits<uint64_t>::max(), 10).value().empty());
  EXPECT_TRUE(engine_->outbox().Read("fgj", std::numeric_limits<uint64_t>::max(), 10).value().empty());
}

TEST_F(PipelineTest, NotificationSeqsSurviveARestart) {
  ASSERT_TRUE(engine_->StartCadences().ok());
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 2, 1)).ok());
  uint64_t last = engine_->outbox().last_seq();
  ASSERT_GT(last, 0u);
  Reopen();
  EXPECT_EQ(engine_->outbox().last_seq(), last);
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 3, 1)).ok());
  auto notes = engine_->outbox().ReadAll(last - 1, 2).value();
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].seq(), last + 1);
}

TEST_F(PipelineTest, TaskNumbersSurviveARestart) {
  NewTask t;
  t.campaign_id = "economy";
  t.code = "N-1";
  t.title = "任务";
  t.lead_units = {"swj"};
  t.due_date = "2023-06-30";
  auto a = engine_->CreateTask(Meta("office"), t);
  ASSERT_TRUE(a.ok()) << a.status();
  Reopen();
  t.code = "N-2";
  auto b = engine_->CreateTask(Meta("office"), t);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(TaskNumber(b->task.id()), TaskNumber(a->task.id()) + 1);
}

// ---------------------------------------------------------------- input bounds

TEST_F(PipelineTest, IndicatorValuesAreBoundedAndFinite) {
  // Accepted first, so that a report can only be refused for its values
  // (a task still assigned refuses every report).
  Accept("T1");
  TaskCommandArgs a = Report("T1", "报送");
  for (size_t i = 0; i <= validate::kMaxIndicatorValues; ++i) {
    auto* v = a.report.add_indicator_values();
    v->set_indicator(absl::StrCat("指标", i));
    v->set_value(1);
  }
  EXPECT_TRUE(IsError(engine_->Execute(Meta("swj"), a).status(), absl::StatusCode::kInvalidArgument,
                      "report.indicator_values"));
  for (double bad : {std::nan(""), -std::numeric_limits<double>::infinity()}) {
    TaskCommandArgs b = Report("T1", "报送");
    auto* v = b.report.add_indicator_values();
    v->set_indicator("增长");
    v->set_value(bad);
    EXPECT_TRUE(IsError(engine_->Execute(Meta("swj"), b).status(), absl::StatusCode::kInvalidArgument,
                        "report.indicator_values[0].value"));
  }
  auto t = engine_->GetTask("T1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->report_count(), 0);
}

TEST_F(PipelineTest, ErrorsQuoteAShortPrefixOfABadValue) {
  std::string huge(100000, 'x');
  NewTask t;
  t.campaign_id = "economy";
  t.code = "L-1";
  t.title = "任务";
  t.lead_units = {"swj"};
  t.due_date = huge;
  auto r = engine_->CreateTask(Meta("office"), t);
  ASSERT_TRUE(IsError(r.status(), absl::StatusCode::kInvalidArgument, "due_date"));
  EXPECT_LT(r.status().message().size(), 200u);
  t.due_date = "2023-06-30";
  t.lead_units = {std::string(190, 'y')};
  r = engine_->CreateTask(Meta("office"), t);
  ASSERT_TRUE(IsError(r.status(), absl::StatusCode::kNotFound, "lead_units"));
  EXPECT_LT(r.status().message().size(), 200u);
}

TEST_F(PipelineTest, HistoryComesInPagesBoundedByBytes) {
  // Reports as large as allowed: the whole history would pass the 4 MiB
  // message limit, each page stays under it.
  std::string big;
  while (validate::Utf8Length(big) + 1 < validate::kMaxText) big += "报";
  Accept("T1");
  int reports = 0;
  for (; reports < 30; ++reports) {
    TaskCommandArgs a = Report("T1", big);
    a.report.set_progress(big);
    a.report.set_highlights(big);
    ASSERT_TRUE(engine_->Execute(Meta("swj"), a).ok());
  }
  std::vector<v1::TaskEvent> all;
  uint64_t after = 0;
  int pages = 0;
  while (true) {
    auto page = engine_->HistoryPage("T1", after, 0);
    ASSERT_TRUE(page.ok()) << page.status();
    size_t bytes = 0;
    for (const auto& e : page->events) bytes += e.ByteSizeLong();
    EXPECT_LE(bytes, kMaxPageBytes);
    ++pages;
    for (auto& e : page->events) all.push_back(std::move(e));
    if (page->next_after_version == 0) break;
    after = page->next_after_version;
  }
  EXPECT_GT(pages, 1);
  ASSERT_EQ(all.size(), static_cast<size_t>(3 + reports));  // created, assigned, accepted, the reports
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].version(), i + 1);
  auto none = engine_->HistoryPage("T1", std::numeric_limits<uint64_t>::max(), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->events.empty());
}

TEST(QuoteTest, KeepsShortValuesAndCutsLongOnesOnACharacter) {
  EXPECT_EQ(validate::Quote("abc"), "abc");
  std::string han;
  for (int i = 0; i < 50; ++i) han += "督";
  std::string q = validate::Quote(han);
  EXPECT_EQ(q.substr(0, 3 * validate::kMaxQuoted), han.substr(0, 3 * validate::kMaxQuoted));
  EXPECT_NE(q.find("(150 bytes)"), std::string::npos);
}

}  // namespace
}  // namespace duban
