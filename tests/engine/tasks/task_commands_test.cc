// The engine's task commands on a real store, with the demo plan imported
// and a simulated clock.
#include "engine/engine.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/time/clock.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/status_matchers.h"
#include "tests/store_dump.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;

using ::duban::testing::DumpDiff;
using ::duban::testing::DumpStore;

using testing::SourcePath;
using testing::TempDir;

constexpr int kDemoTasks = 170;

::testing::AssertionResult Contains(absl::string_view hay, absl::string_view needle) {
  if (hay.find(needle) != absl::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << hay << "' does not contain '" << needle << "'";
}

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

CommandMeta Meta(std::string actor = "office", std::string request_id = "", uint64_t expected_version = 0) {
  CommandMeta m;
  m.actor = std::move(actor);
  m.request_id = std::move(request_id);
  m.expected_version = expected_version;
  return m;
}

TaskCommandArgs Args(std::string task_id, v1::TaskCommand c, std::string reason = "") {
  TaskCommandArgs a;
  a.task_id = std::move(task_id);
  a.command = c;
  a.reason = std::move(reason);
  if (c == v1::TASK_COMMAND_REPORT_PROGRESS) a.report.set_work_done("已召开专题会议，推进项目建设");
  return a;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open(EngineOptions{});
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto summary = engine_->ImportPlan(*doc, "tester", true);
    ASSERT_TRUE(summary.ok()) << summary.status();
    ASSERT_EQ(summary->tasks, kDemoTasks);
  }

  void Open(EngineOptions options) {
    engine_.reset();
    auto e = Engine::Open(dir_.path(), &clock_, options);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }

  absl::StatusOr<CommandResult> Run(const std::string& task_id, v1::TaskCommand c, std::string reason = "",
                                    std::string actor = "office") {
    return engine_->Execute(Meta(std::move(actor)), Args(task_id, c, std::move(reason)));
  }

  // Runs a command that must succeed and returns the task after it.
  v1::Task Must(const std::string& task_id, v1::TaskCommand c, std::string reason = "") {
    auto r = Run(task_id, c, std::move(reason));
    EXPECT_TRUE(r.ok()) << CommandName(c) << " on " << task_id << ": " << r.status();
    return r.ok() ? r->task : v1::Task();
  }

  v1::Task Task(const std::string& id) {
    auto t = engine_->GetTask(id);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : v1::Task();
  }

  std::vector<v1::TaskEvent> History(const std::string& id) {
    auto h = engine_->History(id);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? *h : std::vector<v1::TaskEvent>();
  }

  std::map<std::string, std::string> Dump() { return DumpStore(engine_->store()); }

  std::vector<std::string> Ids(const TaskFilter& f) {
    std::vector<std::string> ids;
    TaskFilter page = f;
    page.page_size = 500;
    for (int guard = 0; guard < 100; ++guard) {
      auto p = engine_->ListTasks(page);
      EXPECT_TRUE(p.ok()) << p.status();
      if (!p.ok()) break;
      for (const auto& t : p->tasks) ids.push_back(t.id());
      if (p->next_page_token.empty()) break;
      page.page_token = p->next_page_token;
    }
    return ids;
  }

  TempDir dir_;
  SimulatedClock clock_{Beijing(2023, 6, 1, 9, 0)};
  std::unique_ptr<Engine> engine_;
};

// Versions 1..n in order, with no gaps.
void ExpectNoGaps(const std::vector<v1::TaskEvent>& h, const std::string& task_id) {
  for (size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(h[i].version(), i + 1) << task_id << " event " << i;
    EXPECT_EQ(h[i].task_id(), task_id);
  }
}

// ---------------------------------------------------------------- import

TEST_F(EngineTest, ImportedTasksAreAssignedAtVersionTwoWithCreateAndAssignEvents) {
  v1::Task t = Task("T1");
  EXPECT_EQ(t.state(), v1::TASK_STATE_ASSIGNED);
  EXPECT_EQ(t.version(), 2u);
  EXPECT_EQ(t.campaign_id(), "economy");
  EXPECT_EQ(t.code(), "1.1.1");
  auto h = History("T1");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].command(), v1::TASK_COMMAND_CREATE);
  EXPECT_EQ(h[0].to_state(), v1::TASK_STATE_DRAFT);
  EXPECT_EQ(h[0].actor(), "tester");
  EXPECT_EQ(h[1].command(), v1::TASK_COMMAND_ASSIGN);
  EXPECT_EQ(h[1].from_state(), v1::TASK_STATE_DRAFT);
  EXPECT_EQ(h[1].to_state(), v1::TASK_STATE_ASSIGNED);
  ExpectNoGaps(h, "T1");
  EXPECT_TRUE(engine_->GetTask(absl::StrCat("T", kDemoTasks)).ok());
  EXPECT_EQ(engine_->GetTask(absl::StrCat("T", kDemoTasks + 1)).status().code(), absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------- happy path

TEST_F(EngineTest, HappyPathWithReturnAndTwoStepReview) {
  EngineOptions two;
  two.workflow.completion_review_steps = 2;
  Open(two);

  struct Step {
    v1::TaskCommand command;
    std::string actor;
    std::string reason;
    v1::TaskState from, to;
    int review_step;
  };
  const std::vector<Step> steps = {
      {v1::TASK_COMMAND_ACCEPT, "商务局-王", "", v1::TASK_STATE_ASSIGNED, v1::TASK_STATE_ACCEPTED, 0},
      {v1::TASK_COMMAND_REPORT_PROGRESS, "商务局-王", "", v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_IN_PROGRESS, 0},
      {v1::TASK_COMMAND_REQUEST_COMPLETION, "商务局-王", "", v1::TASK_STATE_IN_PROGRESS,
       v1::TASK_STATE_COMPLETION_REQUESTED, 0},
      {v1::TASK_COMMAND_RETURN_COMPLETION, "督查室-李", "佐证材料不全", v1::TASK_STATE_COMPLETION_REQUESTED,
       v1::TASK_STATE_IN_PROGRESS, 1},
      {v1::TASK_COMMAND_REPORT_PROGRESS, "商务局-王", "", v1::TASK_STATE_IN_PROGRESS, v1::TASK_STATE_IN_PROGRESS, 0},
      {v1::TASK_COMMAND_REQUEST_COMPLETION, "商务局-王", "", v1::TASK_STATE_IN_PROGRESS,
       v1::TASK_STATE_COMPLETION_REQUESTED, 0},
      {v1::TASK_COMMAND_APPROVE_COMPLETION, "督查室-李", "", v1::TASK_STATE_COMPLETION_REQUESTED,
       v1::TASK_STATE_COMPLETION_LEADER_REVIEW, 1},
      {v1::TASK_COMMAND_APPROVE_COMPLETION, "黄滔", "", v1::TASK_STATE_COMPLETION_LEADER_REVIEW,
       v1::TASK_STATE_COMPLETED, 2},
      {v1::TASK_COMMAND_ARCHIVE, "督查室-李", "", v1::TASK_STATE_COMPLETED, v1::TASK_STATE_ARCHIVED, 0},
  };
  uint64_t version = 2;
  std::vector<absl::Time> times;
  for (const Step& s : steps) {
    clock_.Advance(absl::Hours(1));
    times.push_back(clock_.Now());
    auto r = Run("T1", s.command, s.reason, s.actor);
    ASSERT_TRUE(r.ok()) << CommandName(s.command) << ": " << r.status();
    ++version;
    EXPECT_EQ(r->task.state(), s.to) << CommandName(s.command);
    EXPECT_EQ(r->task.version(), version);
    EXPECT_FALSE(r->replayed);
    ASSERT_EQ(r->events.size(), 1u);
    EXPECT_EQ(r->events[0].version(), version);
    v1::Task stored = Task("T1");
    EXPECT_EQ(stored.state(), s.to);
    EXPECT_EQ(stored.version(), version);
  }
  v1::Task t = Task("T1");
  EXPECT_EQ(t.report_count(), 2);
  EXPECT_EQ(t.return_count(), 1);
  EXPECT_EQ(t.last_reason(), "佐证材料不全");
  EXPECT_EQ(t.last_report().work_done(), "已召开专题会议，推进项目建设");

  auto h = History("T1");
  ASSERT_EQ(h.size(), 2 + steps.size());
  ExpectNoGaps(h, "T1");
  for (size_t i = 0; i < steps.size(); ++i) {
    const v1::TaskEvent& e = h[i + 2];
    SCOPED_TRACE(CommandName(steps[i].command) + " at version " + std::to_string(e.version()));
    EXPECT_EQ(e.command(), steps[i].command);
    EXPECT_EQ(e.from_state(), steps[i].from);
    EXPECT_EQ(e.to_state(), steps[i].to);
    EXPECT_EQ(e.actor(), steps[i].actor);
    EXPECT_EQ(e.reason(), steps[i].reason);
    EXPECT_EQ(e.review_step(), steps[i].review_step);
    EXPECT_EQ(e.at().seconds(), absl::ToUnixSeconds(times[i]));
    if (steps[i].command == v1::TASK_COMMAND_REPORT_PROGRESS) {
      EXPECT_EQ(e.report().work_done(), "已召开专题会议，推进项目建设");
    }
  }
}

TEST_F(EngineTest, OneStepReviewCompletesOnOfficeApproval) {
  for (auto c : {v1::TASK_COMMAND_ACCEPT, v1::TASK_COMMAND_REPORT_PROGRESS, v1::TASK_COMMAND_REQUEST_COMPLETION}) {
    Must("T2", c);
  }
  v1::Task t = Must("T2", v1::TASK_COMMAND_APPROVE_COMPLETION);
  EXPECT_EQ(t.state(), v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(t.version(), 6u);
  auto h = History("T2");
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h.back().review_step(), 1);
  EXPECT_EQ(h.back().to_state(), v1::TASK_STATE_COMPLETED);
}

TEST_F(EngineTest, StateIndexFollowsTransitions) {
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  TaskFilter accepted;
  accepted.state = v1::TASK_STATE_ACCEPTED;
  EXPECT_EQ(Ids(accepted), std::vector<std::string>{"T1"});
  TaskFilter assigned;
  assigned.state = v1::TASK_STATE_ASSIGNED;
  auto ids = Ids(assigned);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kDemoTasks - 1));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "T1"), 0);
}

// ---------------------------------------------------------------- transfer

TEST_F(EngineTest, SendBackRequiresReasonAndLeadsToSentBack) {
  auto no_reason = Run("T1", v1::TASK_COMMAND_SEND_BACK);
  EXPECT_TRUE(IsError(no_reason.status(), absl::StatusCode::kInvalidArgument, "reason"));
  v1::Task t = Must("T1", v1::TASK_COMMAND_SEND_BACK, "不属于本单位职责");
  EXPECT_EQ(t.state(), v1::TASK_STATE_SENT_BACK);
  EXPECT_EQ(t.version(), 3u);
  EXPECT_EQ(t.last_reason(), "不属于本单位职责");
  auto h = History("T1");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].reason(), "不属于本单位职责");
}

TEST_F(EngineTest, TransferByChineseNameReassignsToTheNewUnit) {
  ASSERT_EQ(Task("T1").lead_unit_ids(0), "swj");
  Must("T1", v1::TASK_COMMAND_SEND_BACK, "不属于本单位职责");
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_TRANSFER);
  a.lead_units = {"市发改局"};
  auto r = engine_->Execute(Meta(), a);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->task.state(), v1::TASK_STATE_ASSIGNED);
  ASSERT_EQ(r->task.lead_unit_ids_size(), 1);
  EXPECT_EQ(r->task.lead_unit_ids(0), "fgj");
  ASSERT_EQ(r->events[0].unit_ids_size(), 1);
  EXPECT_EQ(r->events[0].unit_ids(0), "fgj");
  EXPECT_EQ(Task("T1").lead_unit_ids(0), "fgj");
  // The unit index moved with it.
  TaskFilter by_new;
  by_new.unit = "市发改局";
  auto fgj = Ids(by_new);
  EXPECT_NE(std::find(fgj.begin(), fgj.end(), "T1"), fgj.end());
  TaskFilter by_old;
  by_old.unit = "市商务局";
  auto swj = Ids(by_old);
  EXPECT_EQ(std::find(swj.begin(), swj.end(), "T1"), swj.end());
}

TEST_F(EngineTest, TransferByAliasFromAssigned) {
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_TRANSFER);
  a.lead_units = {"科技局"};
  a.responsible_units = {"发改局"};
  auto r = engine_->Execute(Meta(), a);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->task.state(), v1::TASK_STATE_ASSIGNED);
  EXPECT_EQ(r->task.version(), 3u);
  ASSERT_EQ(r->task.lead_unit_ids_size(), 1);
  EXPECT_EQ(r->task.lead_unit_ids(0), "kjj");
  ASSERT_EQ(r->task.responsible_unit_ids_size(), 1);
  EXPECT_EQ(r->task.responsible_unit_ids(0), "fgj");
}

TEST_F(EngineTest, TransferToUnknownUnitIsNotFoundAndWritesNothing) {
  Must("T1", v1::TASK_COMMAND_SEND_BACK, "不属于本单位职责");
  auto before = Dump();
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_TRANSFER);
  a.lead_units = {"市不存在局"};
  auto r = engine_->Execute(Meta(), a);
  EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kNotFound, "lead_units[0]"));
  EXPECT_TRUE(Contains(r.status().message(), "市不存在局"));
  EXPECT_EQ(DumpDiff(before, Dump()), "");
  EXPECT_EQ(Task("T1").state(), v1::TASK_STATE_SENT_BACK);
}

TEST_F(EngineTest, TransferToAGroupAsLeadIsRefused) {
  auto before = Dump();
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_TRANSFER);
  a.lead_units = {"各乡镇（街道）"};
  auto r = engine_->Execute(Meta(), a);
  EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kInvalidArgument, "lead_units[0]"));
  EXPECT_EQ(DumpDiff(before, Dump()), "");
}

TEST_F(EngineTest, TransferWithoutLeadUnitsIsRefused) {
  auto before = Dump();
  auto r = Run("T1", v1::TASK_COMMAND_TRANSFER);
  EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kInvalidArgument, "lead_units"));
  EXPECT_EQ(DumpDiff(before, Dump()), "");
}

// ---------------------------------------------------------------- extension

TEST_F(EngineTest, ExtensionDateMustBeAfterTheCurrentDueDate) {
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  ASSERT_EQ(Task("T1").due_date(), "2023-12-31");
  auto before = Dump();
  for (std::string d : {"2023-12-31", "2023-12-30", "2023-06-01"}) {
    TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_REQUEST_EXTENSION, "项目审批延后");
    a.new_due_date = d;
    auto r = engine_->Execute(Meta(), a);
    EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kInvalidArgument, "new_due_date")) << d;
  }
  EXPECT_EQ(DumpDiff(before, Dump()), "");
}

TEST_F(EngineTest, ExtensionRequestNeedsAReason) {
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  auto before = Dump();
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_REQUEST_EXTENSION);
  a.new_due_date = "2024-03-31";
  EXPECT_TRUE(IsError(engine_->Execute(Meta(), a).status(), absl::StatusCode::kInvalidArgument, "reason"));
  EXPECT_EQ(DumpDiff(before, Dump()), "");
}

TEST_F(EngineTest, ExtensionApprovedChangesDueDateAndReturnsToPriorState) {
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  Must("T1", v1::TASK_COMMAND_REPORT_PROGRESS);
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_REQUEST_EXTENSION, "项目审批延后");
  a.new_due_date = "2024-03-31";
  auto req = engine_->Execute(Meta("商务局-王"), a);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->task.state(), v1::TASK_STATE_EXTENSION_REQUESTED);
  EXPECT_EQ(req->task.resume_state(), v1::TASK_STATE_IN_PROGRESS);
  EXPECT_EQ(req->task.due_date(), "2023-12-31");
  EXPECT_EQ(req->task.pending_extension().requested_due_date(), "2024-03-31");
  EXPECT_EQ(req->task.pending_extension().requested_by(), "商务局-王");

  v1::Task t = Must("T1", v1::TASK_COMMAND_APPROVE_EXTENSION);
  EXPECT_EQ(t.state(), v1::TASK_STATE_IN_PROGRESS);
  EXPECT_EQ(t.due_date(), "2024-03-31");
  EXPECT_EQ(t.resume_state(), v1::TASK_STATE_UNSPECIFIED);
  EXPECT_FALSE(t.has_pending_extension());
  EXPECT_EQ(t.version(), 6u);
  auto h = History("T1");
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h.back().due_date(), "2024-03-31");
  // The due index moved too.
  TaskFilter late;
  late.due_after = "2024-03-31";
  late.due_before = "2024-03-31";
  EXPECT_EQ(Ids(late), std::vector<std::string>{"T1"});
}

TEST_F(EngineTest, ExtensionDeniedLeavesDueDateAndReturnsToPriorState) {
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_REQUEST_EXTENSION, "项目审批延后");
  a.new_due_date = "2024-03-31";
  ASSERT_TRUE(engine_->Execute(Meta(), a).ok());
  auto no_reason = Run("T1", v1::TASK_COMMAND_DENY_EXTENSION);
  EXPECT_TRUE(IsError(no_reason.status(), absl::StatusCode::kInvalidArgument, "reason"));
  v1::Task t = Must("T1", v1::TASK_COMMAND_DENY_EXTENSION, "理由不充分");
  EXPECT_EQ(t.state(), v1::TASK_STATE_ACCEPTED);
  EXPECT_EQ(t.due_date(), "2023-12-31");
  EXPECT_FALSE(t.has_pending_extension());
  EXPECT_EQ(t.resume_state(), v1::TASK_STATE_UNSPECIFIED);
  EXPECT_EQ(t.version(), 5u);
}

TEST_F(EngineTest, TwoStepExtensionWaitsForTheLeader) {
  EngineOptions two;
  two.workflow.extension_review_steps = 2;
  Open(two);
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_REQUEST_EXTENSION, "项目审批延后");
  a.new_due_date = "2024-03-31";
  ASSERT_TRUE(engine_->Execute(Meta(), a).ok());
  v1::Task office = Must("T1", v1::TASK_COMMAND_APPROVE_EXTENSION);
  EXPECT_EQ(office.state(), v1::TASK_STATE_EXTENSION_LEADER_REVIEW);
  EXPECT_EQ(office.due_date(), "2023-12-31");
  EXPECT_EQ(office.resume_state(), v1::TASK_STATE_ACCEPTED);
  v1::Task leader = Must("T1", v1::TASK_COMMAND_APPROVE_EXTENSION);
  EXPECT_EQ(leader.state(), v1::TASK_STATE_ACCEPTED);
  EXPECT_EQ(leader.due_date(), "2024-03-31");
  auto h = History("T1");
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h[4].review_step(), 1);
  EXPECT_EQ(h[5].review_step(), 2);
}

TEST_F(EngineTest, SuspendAndResumeReturnToThePriorState) {
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  Must("T1", v1::TASK_COMMAND_REPORT_PROGRESS);
  auto no_reason = Run("T1", v1::TASK_COMMAND_SUSPEND);
  EXPECT_TRUE(IsError(no_reason.status(), absl::StatusCode::kInvalidArgument, "reason"));
  v1::Task s = Must("T1", v1::TASK_COMMAND_SUSPEND, "上级政策调整");
  EXPECT_EQ(s.state(), v1::TASK_STATE_SUSPENDED);
  EXPECT_EQ(s.resume_state(), v1::TASK_STATE_IN_PROGRESS);
  v1::Task r = Must("T1", v1::TASK_COMMAND_RESUME);
  EXPECT_EQ(r.state(), v1::TASK_STATE_IN_PROGRESS);
  EXPECT_EQ(r.resume_state(), v1::TASK_STATE_UNSPECIFIED);
}

// ---------------------------------------------------------------- overdue

TEST_F(EngineTest, OverdueStartsAtMidnightBeijingAfterTheDueDay) {
  ASSERT_EQ(Task("T1").due_date(), "2023-12-31");
  clock_.SetIfLater(Beijing(2023, 12, 31, 23, 59));
  v1::Task before = Task("T1");
  EXPECT_FALSE(before.overdue());
  clock_.Advance(absl::Minutes(1));
  ASSERT_EQ(clock_.Now(), Beijing(2024, 1, 1, 0, 0));
  v1::Task after = Task("T1");
  EXPECT_TRUE(after.overdue());
  EXPECT_EQ(after.state(), before.state());
  EXPECT_EQ(after.version(), before.version());
  EXPECT_EQ(History("T1").size(), 2u);
}

TEST_F(EngineTest, OneSecondBeforeMidnightIsNotOverdue) {
  clock_.SetIfLater(Beijing(2024, 1, 1, 0, 0) - absl::Seconds(1));
  EXPECT_FALSE(Task("T1").overdue());
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Task("T1").overdue());
}

TEST_F(EngineTest, CompletedAndCancelledTasksAreNeverOverdue) {
  for (auto c : {v1::TASK_COMMAND_ACCEPT, v1::TASK_COMMAND_REPORT_PROGRESS, v1::TASK_COMMAND_REQUEST_COMPLETION,
                 v1::TASK_COMMAND_APPROVE_COMPLETION}) {
    Must("T1", c);
  }
  Must("T2", v1::TASK_COMMAND_CANCEL, "任务调整");
  clock_.SetIfLater(Beijing(2025, 1, 1));
  EXPECT_EQ(Task("T1").state(), v1::TASK_STATE_COMPLETED);
  EXPECT_FALSE(Task("T1").overdue());
  EXPECT_FALSE(Task("T2").overdue());
  EXPECT_TRUE(Task("T3").overdue());
  v1::Task archived = Must("T1", v1::TASK_COMMAND_ARCHIVE);
  EXPECT_FALSE(archived.overdue());
}

TEST_F(EngineTest, CommandResultsCarryTheOverdueFlag) {
  clock_.SetIfLater(Beijing(2024, 1, 2));
  v1::Task t = Must("T1", v1::TASK_COMMAND_ACCEPT);
  EXPECT_TRUE(t.overdue());
}

// ---------------------------------------------------------------- optimistic concurrency

TEST_F(EngineTest, ExpectedVersionMismatchIsAbortedAndWritesNothing) {
  auto before = Dump();
  for (uint64_t wrong : {1u, 3u, 100u}) {
    auto r = engine_->Execute(Meta("office", "", wrong), Args("T1", v1::TASK_COMMAND_ACCEPT));
    EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kAborted, "meta.expected_version")) << wrong;
  }
  EXPECT_EQ(History("T1").size(), 2u);
  EXPECT_EQ(DumpDiff(before, Dump()), "");
}

TEST_F(EngineTest, ExpectedVersionMatchSucceeds) {
  auto r = engine_->Execute(Meta("office", "", 2), Args("T1", v1::TASK_COMMAND_ACCEPT));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->task.version(), 3u);
  auto r2 = engine_->Execute(Meta("office", "", 3), Args("T1", v1::TASK_COMMAND_REPORT_PROGRESS));
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->task.version(), 4u);
}

// ---------------------------------------------------------------- idempotency

TEST_F(EngineTest, SameRequestIdReplaysTheFirstResult) {
  auto first = engine_->Execute(Meta("office", "req-1"), Args("T1", v1::TASK_COMMAND_ACCEPT));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->replayed);
  auto before = Dump();
  auto second = engine_->Execute(Meta("office", "req-1"), Args("T1", v1::TASK_COMMAND_ACCEPT));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->task.version(), first->task.version());
  EXPECT_EQ(second->task.state(), v1::TASK_STATE_ACCEPTED);
  ASSERT_EQ(second->events.size(), 1u);
  EXPECT_EQ(second->events[0].version(), 3u);
  EXPECT_EQ(second->events[0].request_id(), "req-1");
  EXPECT_EQ(History("T1").size(), 3u);
  EXPECT_EQ(DumpDiff(before, Dump()), "");
}

TEST_F(EngineTest, ReplayWinsOverAStaleExpectedVersion) {
  ASSERT_TRUE(engine_->Execute(Meta("office", "req-v", 2), Args("T1", v1::TASK_COMMAND_ACCEPT)).ok());
  // A client retrying after a lost reply sends the same expected version.
  auto retry = engine_->Execute(Meta("office", "req-v", 2), Args("T1", v1::TASK_COMMAND_ACCEPT));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(History("T1").size(), 3u);
}

TEST_F(EngineTest, SameRequestIdForADifferentCommandIsAlreadyExists) {
  ASSERT_TRUE(engine_->Execute(Meta("office", "req-2"), Args("T1", v1::TASK_COMMAND_ACCEPT)).ok());
  auto before = Dump();
  auto other_command = engine_->Execute(Meta("office", "req-2"), Args("T1", v1::TASK_COMMAND_REPORT_PROGRESS));
  EXPECT_TRUE(IsError(other_command.status(), absl::StatusCode::kAlreadyExists, "meta.request_id"));
  auto other_task = engine_->Execute(Meta("office", "req-2"), Args("T2", v1::TASK_COMMAND_ACCEPT));
  EXPECT_TRUE(IsError(other_task.status(), absl::StatusCode::kAlreadyExists, "meta.request_id"));
  EXPECT_EQ(DumpDiff(before, Dump()), "");
  EXPECT_EQ(History("T1").size(), 3u);
  EXPECT_EQ(Task("T2").version(), 2u);
}

TEST_F(EngineTest, IdempotencySurvivesReopening) {
  auto first = engine_->Execute(Meta("office", "req-3"), Args("T1", v1::TASK_COMMAND_ACCEPT));
  ASSERT_TRUE(first.ok()) << first.status();
  Open(EngineOptions{});
  auto again = engine_->Execute(Meta("office", "req-3"), Args("T1", v1::TASK_COMMAND_ACCEPT));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->task.version(), 3u);
  EXPECT_EQ(History("T1").size(), 3u);
  auto other = engine_->Execute(Meta("office", "req-3"), Args("T1", v1::TASK_COMMAND_REPORT_PROGRESS));
  EXPECT_TRUE(IsError(other.status(), absl::StatusCode::kAlreadyExists, "meta.request_id"));
}

TEST_F(EngineTest, CreateTaskWithSameRequestIdReplays) {
  NewTask n;
  n.campaign_id = "economy";
  n.code = "1.9.9";
  n.title = "新增任务";
  n.lead_units = {"市发改局"};
  n.due_date = "2023-12-31";
  auto first = engine_->CreateTask(Meta("office", "create-1"), n);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = engine_->CreateTask(Meta("office", "create-1"), n);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->task.id(), first->task.id());
  n.title = "另一个任务";
  EXPECT_TRUE(IsError(engine_->CreateTask(Meta("office", "create-1"), n).status(),
                      absl::StatusCode::kAlreadyExists, "meta.request_id"));
}

// ---------------------------------------------------------------- concurrency

TEST_F(EngineTest, CommandsOnDifferentTasksRunConcurrently) {
  constexpr int kThreads = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::string id = absl::StrCat("T", 10 + i);
      for (auto c : {v1::TASK_COMMAND_ACCEPT, v1::TASK_COMMAND_REPORT_PROGRESS, v1::TASK_COMMAND_REPORT_PROGRESS}) {
        if (!engine_->Execute(Meta(absl::StrCat("worker-", i)), Args(id, c)).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kThreads; ++i) {
    std::string id = absl::StrCat("T", 10 + i);
    v1::Task t = Task(id);
    EXPECT_EQ(t.state(), v1::TASK_STATE_IN_PROGRESS) << id;
    EXPECT_EQ(t.version(), 5u) << id;
    EXPECT_EQ(t.report_count(), 2) << id;
    auto h = History(id);
    ASSERT_EQ(h.size(), 5u);
    ExpectNoGaps(h, id);
    for (size_t k = 2; k < h.size(); ++k) EXPECT_EQ(h[k].actor(), absl::StrCat("worker-", i));
  }
}

TEST_F(EngineTest, RacingTheSameCommandWithExpectedVersionHasOneWinner) {
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, lost{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = engine_->Execute(Meta(absl::StrCat("racer-", i), "", 2), Args("T20", v1::TASK_COMMAND_ACCEPT));
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == absl::StatusCode::kAborted ||
                 r.status().code() == absl::StatusCode::kFailedPrecondition) {
        ++lost;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(lost.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  auto h = History("T20");
  ASSERT_EQ(h.size(), 3u);
  ExpectNoGaps(h, "T20");
  EXPECT_EQ(Task("T20").state(), v1::TASK_STATE_ACCEPTED);
}

TEST_F(EngineTest, RacingReportsOnOneTaskLeaveNoGaps) {
  Must("T21", v1::TASK_COMMAND_ACCEPT);
  constexpr int kThreads = 8, kEach = 3;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < kEach; ++k) {
        if (!engine_->Execute(Meta(absl::StrCat("r", i)), Args("T21", v1::TASK_COMMAND_REPORT_PROGRESS)).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto h = History("T21");
  ASSERT_EQ(h.size(), 3u + kThreads * kEach);
  ExpectNoGaps(h, "T21");
  v1::Task t = Task("T21");
  EXPECT_EQ(t.version(), h.size());
  EXPECT_EQ(t.report_count(), kThreads * kEach);
}

// ---------------------------------------------------------------- CreateTask

NewTask SampleTask(std::string campaign, std::string code) {
  NewTask n;
  n.campaign_id = std::move(campaign);
  n.code = std::move(code);
  n.title = "新增督办事项";
  n.text = "按期完成";
  n.lead_units = {"市发改局"};
  n.responsible_units = {"市科技局", "各园区"};
  n.due_date = "2023-11-30";
  return n;
}

TEST_F(EngineTest, CreateTaskContinuesTheIdsAfterTheImport) {
  auto r = engine_->CreateTask(Meta(), SampleTask("economy", "1.9.1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->task.id(), absl::StrCat("T", kDemoTasks + 1));
  EXPECT_EQ(r->task.state(), v1::TASK_STATE_DRAFT);
  EXPECT_EQ(r->task.version(), 1u);
  EXPECT_EQ(r->task.plan_id(), "ningxiang-2023-six-battles");
  ASSERT_EQ(r->task.lead_unit_ids_size(), 1);
  EXPECT_EQ(r->task.lead_unit_ids(0), "fgj");
  std::vector<std::string> resp(r->task.responsible_unit_ids().begin(), r->task.responsible_unit_ids().end());
  EXPECT_EQ(resp, (std::vector<std::string>{"kjj", "jkq", "gxq"}));
  EXPECT_FALSE(r->task.overdue());  // drafts are never overdue
  auto h = History(r->task.id());
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].command(), v1::TASK_COMMAND_CREATE);
  EXPECT_EQ(h[0].actor(), "office");
  auto r2 = engine_->CreateTask(Meta(), SampleTask("economy", "1.9.2"));
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->task.id(), absl::StrCat("T", kDemoTasks + 2));
  TaskFilter economy;
  economy.campaign_id = "economy";
  EXPECT_EQ(Ids(economy).size(), 33u);
  // A draft can be assigned.
  EXPECT_EQ(Must(r->task.id(), v1::TASK_COMMAND_ASSIGN).state(), v1::TASK_STATE_ASSIGNED);
}

TEST_F(EngineTest, CreateTaskCodeIsUniqueWithinItsCampaign) {
  ASSERT_TRUE(engine_->CreateTask(Meta(), SampleTask("economy", "1.9.1")).ok());
  auto before = Dump();
  auto dup = engine_->CreateTask(Meta(), SampleTask("economy", "1.9.1"));
  EXPECT_TRUE(IsError(dup.status(), absl::StatusCode::kAlreadyExists, "code"));
  auto dup_imported = engine_->CreateTask(Meta(), SampleTask("economy", "1.1.1"));
  EXPECT_TRUE(IsError(dup_imported.status(), absl::StatusCode::kAlreadyExists, "code"));
  EXPECT_EQ(DumpDiff(before, Dump()), "");
  auto other_campaign = engine_->CreateTask(Meta(), SampleTask("risk", "1.9.1"));
  ASSERT_TRUE(other_campaign.ok()) << other_campaign.status();
  EXPECT_EQ(other_campaign->task.id(), absl::StrCat("T", kDemoTasks + 2));
}

TEST_F(EngineTest, CreatedIdsAreNotReusedAfterReopen) {
  auto a = engine_->CreateTask(Meta(), SampleTask("economy", "1.9.1"));
  ASSERT_TRUE(a.ok()) << a.status();
  Open(EngineOptions{});
  v1::Task again = Task(a->task.id());
  EXPECT_EQ(again.code(), "1.9.1");
  auto b = engine_->CreateTask(Meta(), SampleTask("economy", "1.9.2"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->task.id(), absl::StrCat("T", kDemoTasks + 2));
}

TEST_F(EngineTest, FailedCreateDoesNotConsumeAnId) {
  NewTask bad = SampleTask("economy", "1.9.1");
  bad.lead_units = {"无此单位"};
  EXPECT_FALSE(engine_->CreateTask(Meta(), bad).ok());
  auto good = engine_->CreateTask(Meta(), SampleTask("economy", "1.9.1"));
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->task.id(), absl::StrCat("T", kDemoTasks + 1));
}

// ---------------------------------------------------------------- ListTasks

TEST_F(EngineTest, ListByCampaign) {
  TaskFilter f;
  f.campaign_id = "innovation";
  auto ids = Ids(f);
  EXPECT_EQ(ids.size(), 13u);
  for (const auto& id : ids) EXPECT_EQ(Task(id).campaign_id(), "innovation");
}

TEST_F(EngineTest, ListByUnitChineseNameMatchesLeadAndResponsibleUnits) {
  std::set<std::string> want;
  for (const auto& id : Ids(TaskFilter{})) {
    v1::Task t = Task(id);
    bool in = std::count(t.lead_unit_ids().begin(), t.lead_unit_ids().end(), "swj") ||
              std::count(t.responsible_unit_ids().begin(), t.responsible_unit_ids().end(), "swj");
    if (in) want.insert(id);
  }
  ASSERT_FALSE(want.empty());
  TaskFilter f;
  f.unit = "市商务局";
  auto ids = Ids(f);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), want);
  EXPECT_EQ(ids.size(), want.size());  // no duplicates
  TaskFilter alias;
  alias.unit = "商务局";
  EXPECT_EQ(Ids(alias), ids);
}

TEST_F(EngineTest, ListByUnitAndCampaignCombined) {
  TaskFilter f;
  f.unit = "市商务局";
  f.campaign_id = "economy";
  auto ids = Ids(f);
  ASSERT_FALSE(ids.empty());
  for (const auto& id : ids) EXPECT_EQ(Task(id).campaign_id(), "economy");
  EXPECT_EQ(ids.front(), "T1");
}

TEST_F(EngineTest, ListUnknownUnitOrGroupIsRefused) {
  TaskFilter f;
  f.unit = "无此单位";
  EXPECT_TRUE(IsError(engine_->ListTasks(f).status(), absl::StatusCode::kNotFound, "unit"));
  f.unit = "各乡镇（街道）";
  EXPECT_TRUE(IsError(engine_->ListTasks(f).status(), absl::StatusCode::kInvalidArgument, "unit"));
}

TEST_F(EngineTest, ListByState) {
  Must("T5", v1::TASK_COMMAND_ACCEPT);
  Must("T7", v1::TASK_COMMAND_ACCEPT);
  Must("T7", v1::TASK_COMMAND_REPORT_PROGRESS);
  TaskFilter accepted;
  accepted.state = v1::TASK_STATE_ACCEPTED;
  EXPECT_EQ(Ids(accepted), std::vector<std::string>{"T5"});
  TaskFilter in_progress;
  in_progress.state = v1::TASK_STATE_IN_PROGRESS;
  EXPECT_EQ(Ids(in_progress), std::vector<std::string>{"T7"});
  TaskFilter economy_assigned;
  economy_assigned.campaign_id = "economy";
  economy_assigned.state = v1::TASK_STATE_ASSIGNED;
  EXPECT_EQ(Ids(economy_assigned).size(), 29u);
}

TEST_F(EngineTest, ListByDueRangeIsInclusive) {
  TaskFilter all_2023;
  all_2023.due_after = "2023-12-31";
  all_2023.due_before = "2023-12-31";
  EXPECT_EQ(Ids(all_2023).size(), static_cast<size_t>(kDemoTasks - 1));
  TaskFilter later;
  later.due_after = "2024-01-01";
  auto ids = Ids(later);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(Task(ids[0]).due_date(), "2026-12-31");
  EXPECT_EQ(Task(ids[0]).campaign_id(), "innovation");
  TaskFilter earlier;
  earlier.due_before = "2023-12-30";
  EXPECT_TRUE(Ids(earlier).empty());
  TaskFilter bad;
  bad.due_before = "2023/12/30";
  EXPECT_TRUE(IsError(engine_->ListTasks(bad).status(), absl::StatusCode::kInvalidArgument, "due_before"));
}

TEST_F(EngineTest, ListOverdueOnly) {
  TaskFilter overdue;
  overdue.overdue_only = true;
  EXPECT_TRUE(Ids(overdue).empty());
  Must("T3", v1::TASK_COMMAND_CANCEL, "任务调整");
  clock_.SetIfLater(Beijing(2024, 1, 1));
  auto ids = Ids(overdue);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kDemoTasks - 2));  // minus the 2026 task and the cancelled one
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "T3"), 0);
  for (const auto& id : ids) EXPECT_TRUE(Task(id).overdue()) << id;
  overdue.campaign_id = "economy";
  EXPECT_EQ(Ids(overdue).size(), 30u);
}

TEST_F(EngineTest, PagingReturnsEveryTaskOnceInOrder) {
  TaskFilter f;
  f.campaign_id = "risk";
  f.page_size = 7;
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    auto p = engine_->ListTasks(f);
    ASSERT_TRUE(p.ok()) << p.status();
    ++pages;
    EXPECT_LE(p->tasks.size(), 7u);
    for (const auto& t : p->tasks) seen.push_back(t.id());
    if (p->next_page_token.empty()) break;
    EXPECT_EQ(p->tasks.size(), 7u);
    f.page_token = p->next_page_token;
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(pages, 5);  // 31 tasks: 7+7+7+7+3
  ASSERT_EQ(seen.size(), 31u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 31u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(TaskNumber(seen[i - 1]), TaskNumber(seen[i]));
  TaskFilter all;
  all.campaign_id = "risk";
  EXPECT_EQ(Ids(all), seen);
}

TEST_F(EngineTest, PagingOverEveryTask) {
  TaskFilter f;
  f.page_size = 7;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 100; ++pages) {
    auto p = engine_->ListTasks(f);
    ASSERT_TRUE(p.ok()) << p.status();
    for (const auto& t : p->tasks) seen.push_back(t.id());
    if (p->next_page_token.empty()) break;
    f.page_token = p->next_page_token;
  }
  ASSERT_EQ(seen.size(), static_cast<size_t>(kDemoTasks));
  for (int i = 0; i < kDemoTasks; ++i) EXPECT_EQ(seen[i], absl::StrCat("T", i + 1));
}

TEST_F(EngineTest, MalformedPageTokenIsInvalidArgument) {
  TaskFilter f;
  f.campaign_id = "risk";
  f.page_token = "!!not a token!!";
  EXPECT_TRUE(IsError(engine_->ListTasks(f).status(), absl::StatusCode::kInvalidArgument, "page_token"));
  // A token of another listing is refused too.
  TaskFilter other;
  other.campaign_id = "economy";
  other.page_size = 2;
  auto p = engine_->ListTasks(other);
  ASSERT_TRUE(p.ok());
  ASSERT_FALSE(p->next_page_token.empty());
  f.page_token = p->next_page_token;
  EXPECT_TRUE(IsError(engine_->ListTasks(f).status(), absl::StatusCode::kInvalidArgument, "page_token"));
}

TEST_F(EngineTest, ListUnknownCampaignIsNotFound) {
  TaskFilter f;
  f.campaign_id = "nope";
  EXPECT_TRUE(IsError(engine_->ListTasks(f).status(), absl::StatusCode::kNotFound, "campaign_id"));
}

TEST_F(EngineTest, NegativePageSizeIsInvalidArgument) {
  TaskFilter f;
  f.page_size = -1;
  EXPECT_TRUE(IsError(engine_->ListTasks(f).status(), absl::StatusCode::kInvalidArgument, "page_size"));
}

// ---------------------------------------------------------------- bad input changes nothing

class BadInputTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    before_ = Dump();
  }
  void TearDown() override { EXPECT_EQ(DumpDiff(before_, Dump()), "") << "a refused command changed the store"; }
  // The command was refused with code, naming field, and wrote nothing.
  ::testing::AssertionResult Refused(const absl::Status& s, absl::StatusCode code, absl::string_view field) {
    ::testing::AssertionResult r = IsError(s, code, field);
    if (!r) return r;
    std::string diff = DumpDiff(before_, Dump());
    if (!diff.empty()) return ::testing::AssertionFailure() << "the refused command changed the store:" << diff;
    return r;
  }
  std::map<std::string, std::string> before_;
};

TEST_F(BadInputTest, EmptyActor) {
  auto r = engine_->Execute(Meta(""), Args("T1", v1::TASK_COMMAND_ACCEPT));
  EXPECT_TRUE(Refused(r.status(), absl::StatusCode::kInvalidArgument, "meta.actor"));
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(""), SampleTask("economy", "9.9")).status(),
                      absl::StatusCode::kInvalidArgument, "meta.actor"));
  EXPECT_TRUE(Refused(engine_->Execute(Meta("   "), Args("T1", v1::TASK_COMMAND_ACCEPT)).status(),
                      absl::StatusCode::kInvalidArgument, "meta.actor"));
}

TEST_F(BadInputTest, OverLongComment) {
  CommandMeta m = Meta();
  m.comment = std::string(2001, 'x');
  EXPECT_TRUE(Refused(engine_->Execute(m, Args("T1", v1::TASK_COMMAND_ACCEPT)).status(),
                      absl::StatusCode::kInvalidArgument, "meta.comment"));
  std::string chinese;
  for (int i = 0; i < 2001; ++i) chinese += "督";
  m.comment = chinese;
  EXPECT_TRUE(Refused(engine_->Execute(m, Args("T1", v1::TASK_COMMAND_ACCEPT)).status(),
                      absl::StatusCode::kInvalidArgument, "meta.comment"));
}

TEST_F(BadInputTest, OverLongTitleOnCreate) {
  NewTask n = SampleTask("economy", "1.9.1");
  n.title = std::string(501, 'x');
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument, "title"));
}

TEST_F(BadInputTest, EmptyReasonWhereOneIsRequired) {
  for (auto c : {v1::TASK_COMMAND_SEND_BACK, v1::TASK_COMMAND_SUSPEND, v1::TASK_COMMAND_CANCEL}) {
    EXPECT_TRUE(Refused(Run("T1", c).status(), absl::StatusCode::kInvalidArgument, "reason")) << CommandName(c);
    EXPECT_TRUE(Refused(Run("T1", c, " \n").status(), absl::StatusCode::kInvalidArgument, "reason"))
        << CommandName(c);
  }
}

TEST_F(BadInputTest, InvalidUtf8) {
  CommandMeta m = Meta();
  m.comment = "好\xff";
  EXPECT_TRUE(Refused(engine_->Execute(m, Args("T1", v1::TASK_COMMAND_ACCEPT)).status(),
                      absl::StatusCode::kInvalidArgument, "meta.comment"));
  EXPECT_TRUE(Refused(Run("T1", v1::TASK_COMMAND_SEND_BACK, "\xe5\xae").status(),
                      absl::StatusCode::kInvalidArgument, "reason"));
  EXPECT_TRUE(Refused(engine_->Execute(Meta("\xc3"), Args("T1", v1::TASK_COMMAND_ACCEPT)).status(),
                      absl::StatusCode::kInvalidArgument, "meta.actor"));
  NewTask n = SampleTask("economy", "1.9.1");
  n.title = "\x80任务";
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument, "title"));
  TaskCommandArgs report = Args("T1", v1::TASK_COMMAND_REPORT_PROGRESS);
  report.report.set_difficulties("\xff\xfe");
  // T1 is assigned: the report is checked before the transition.
  EXPECT_TRUE(Refused(engine_->Execute(Meta(), report).status(), absl::StatusCode::kInvalidArgument,
                      "report.difficulties"));
}

// Overlong forms, surrogates and code points above U+10FFFF are not UTF-8;
// protobuf cannot parse a proto3 string holding them, so storing one would
// make the task unreadable.
TEST_F(BadInputTest, NonShortestFormAndSurrogateUtf8) {
  for (std::string bad : {std::string("\xc0\x80"), std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80")}) {
    EXPECT_TRUE(Refused(Run("T1", v1::TASK_COMMAND_SEND_BACK, "原因" + bad).status(),
                        absl::StatusCode::kInvalidArgument, "reason"));
  }
  // Whatever happened, the task and the listings must still be readable.
  EXPECT_TRUE(engine_->GetTask("T1").ok());
  EXPECT_TRUE(engine_->History("T1").ok());
  EXPECT_TRUE(engine_->ListTasks(TaskFilter{}).ok());
}

TEST_F(BadInputTest, UnknownTaskId) {
  auto r = Run("T9999", v1::TASK_COMMAND_ACCEPT);
  EXPECT_TRUE(Refused(r.status(), absl::StatusCode::kNotFound, "task_id"));
  EXPECT_TRUE(Refused(engine_->GetTask("T171").status(), absl::StatusCode::kNotFound, "task_id"));
  EXPECT_TRUE(Refused(engine_->History("T171").status(), absl::StatusCode::kNotFound, "task_id"));
}

TEST_F(BadInputTest, MalformedTaskId) {
  for (std::string id : std::vector<std::string>{"", "1", "T", "T01", "T0", "X1", "t1", "T1a", "T-1", "T99999999999999999999999",
                         std::string("T1\0", 3), "T18446744073709551616"}) {
    auto r = Run(id, v1::TASK_COMMAND_ACCEPT);
    EXPECT_TRUE(Refused(r.status(), absl::StatusCode::kInvalidArgument, "task_id")) << "'" << id << "'";
    EXPECT_TRUE(Refused(engine_->GetTask(id).status(), absl::StatusCode::kInvalidArgument, "task_id")) << id;
  }
}

TEST_F(BadInputTest, UnknownCampaignId) {
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), SampleTask("nope", "1")).status(), absl::StatusCode::kNotFound,
                      "campaign_id"));
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), SampleTask("", "1")).status(),
                      absl::StatusCode::kInvalidArgument, "campaign_id"));
}

TEST_F(BadInputTest, UnknownCommandValue) {
  auto r = Run("T1", static_cast<v1::TaskCommand>(99));
  EXPECT_TRUE(Refused(r.status(), absl::StatusCode::kInvalidArgument, "command"));
  EXPECT_TRUE(Contains(r.status().message(), "99"));
  EXPECT_TRUE(Refused(Run("T1", v1::TASK_COMMAND_CREATE).status(), absl::StatusCode::kInvalidArgument, "command"));
  EXPECT_TRUE(Refused(Run("T1", v1::TASK_COMMAND_WARNING).status(), absl::StatusCode::kInvalidArgument, "command"));
  EXPECT_TRUE(
      Refused(Run("T1", v1::TASK_COMMAND_UNSPECIFIED).status(), absl::StatusCode::kInvalidArgument, "command"));
}

TEST_F(BadInputTest, BadDates) {
  for (std::string d : {"2023-02-30", "2023/01/01", "", "2023-02-29", "1999-12-31", "2023- 1-01"}) {
    NewTask n = SampleTask("economy", "1.9.1");
    n.due_date = d;
    EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument, "due_date"))
        << d;
  }
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  before_ = Dump();
  for (std::string d : {"2024-02-30", "2024/01/01", ""}) {
    TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_REQUEST_EXTENSION, "延期");
    a.new_due_date = d;
    EXPECT_TRUE(Refused(engine_->Execute(Meta(), a).status(), absl::StatusCode::kInvalidArgument, "new_due_date"))
        << d;
  }
}

TEST_F(BadInputTest, IllegalTransition) {
  auto r = Run("T1", v1::TASK_COMMAND_APPROVE_COMPLETION);
  EXPECT_TRUE(Refused(r.status(), absl::StatusCode::kFailedPrecondition, "assigned"));
  EXPECT_TRUE(Contains(r.status().message(), "accept"));
  EXPECT_TRUE(Refused(Run("T1", v1::TASK_COMMAND_ASSIGN).status(), absl::StatusCode::kFailedPrecondition,
                      "assigned"));
  EXPECT_TRUE(Refused(Run("T1", v1::TASK_COMMAND_RESUME).status(), absl::StatusCode::kFailedPrecondition,
                      "assigned"));
}

TEST_F(BadInputTest, UnknownUnitNames) {
  NewTask n = SampleTask("economy", "1.9.1");
  n.lead_units = {"无此单位"};
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kNotFound, "lead_units[0]"));
  n = SampleTask("economy", "1.9.1");
  n.responsible_units = {"市发改局", "无此单位"};
  EXPECT_TRUE(
      Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kNotFound, "responsible_units[1]"));
  n = SampleTask("economy", "1.9.1");
  n.lead_units = {};
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument, "lead_units"));
  n.lead_units = {"各园区"};
  EXPECT_TRUE(
      Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument, "lead_units[0]"));
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_TRANSFER);
  a.lead_units = {"市发改局"};
  a.responsible_units = {"无此单位"};
  EXPECT_TRUE(Refused(engine_->Execute(Meta(), a).status(), absl::StatusCode::kNotFound, "responsible_units[0]"));
}

TEST_F(BadInputTest, BadCreateFields) {
  NewTask n = SampleTask("economy", "");
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument, "code"));
  n = SampleTask("economy", "1.9.1");
  n.list_kind = static_cast<v1::ListKind>(42);
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument, "list_kind"));
  n = SampleTask("economy", "1.9.1");
  v1::Milestone m;
  m.set_title("阶段一");
  m.set_due_date("2023-13-01");
  n.milestones = {m};
  EXPECT_TRUE(Refused(engine_->CreateTask(Meta(), n).status(), absl::StatusCode::kInvalidArgument,
                      "milestones[0].due_date"));
}

TEST_F(BadInputTest, ProgressReportWithoutContent) {
  Must("T1", v1::TASK_COMMAND_ACCEPT);
  before_ = Dump();
  TaskCommandArgs a = Args("T1", v1::TASK_COMMAND_REPORT_PROGRESS);
  a.report.Clear();
  EXPECT_TRUE(Refused(engine_->Execute(Meta(), a).status(), absl::StatusCode::kInvalidArgument, "report.work_done"));
}

TEST_F(BadInputTest, ExpectedVersionMismatch) {
  EXPECT_TRUE(Refused(engine_->Execute(Meta("office", "rid", 7), Args("T1", v1::TASK_COMMAND_ACCEPT)).status(),
                      absl::StatusCode::kAborted, "meta.expected_version"));
}

}  // namespace
}  // namespace duban
