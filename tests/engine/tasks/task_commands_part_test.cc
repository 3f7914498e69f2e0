// The tasks' part built on a PartContext of its own, without an Engine:
// task numbers continue from the store's marker, a task is created and
// assigned in a campaign read from the store, it is listed by its indexes,
// the part's own warning-check handler turns an assigned task yellow then
// red, and the commands' errors name their field.
#include "engine/tasks/task_commands.h"

#include <memory>
#include <string>

#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/evidence/evidence_store.h"
#include "engine/plans/directory.h"
#include "engine/storage/keys.h"
#include "engine/storage/outbox.h"
#include "engine/storage/pipeline.h"
#include "engine/storage/store.h"
#include "engine/time/cadence.h"
#include "engine/time/clock.h"
#include "engine/time/timer_runner.h"
#include "engine/time/work_calendar.h"
#include "gtest/gtest.h"
#include "tests/part_context.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using testing::SourcePath;
using testing::TempDir;

CommandMeta Meta(std::string actor) {
  CommandMeta m;
  m.actor = std::move(actor);
  return m;
}

class TaskCommandsPartTest : public testing::PartContextTest {
 protected:
  TaskCommandsPartTest() : PartContextTest(absl::FromCivil(absl::CivilDay(2023, 1, 9), PlanTimeZone())) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(WireContext());

    v1::Unit unit;
    unit.set_id("u1");
    unit.set_name("县应急管理局");
    directory_.Add({unit}, {});
    ASSERT_NO_FATAL_FAILURE(PutCampaign("c1", "p1"));
  }

  NewTask Task(const std::string& code) {
    NewTask t;
    t.campaign_id = "c1";
    t.code = code;
    t.title = "隐患排查";
    t.lead_units = {"县应急管理局"};
    t.due_date = "2023-06-30";
    return t;
  }

};

TEST_F(TaskCommandsPartTest, NumbersContinueAfterTheStoredMarker) {
  {
    TaskCommands first(&ctx_);
    ASSERT_TRUE(first.Init().ok());
    auto t1 = first.Create(Meta("office"), Task("A1"));
    ASSERT_TRUE(t1.ok()) << t1.status();
    EXPECT_EQ(t1->task.id(), "T1");
    auto t2 = first.Create(Meta("office"), Task("A2"));
    ASSERT_TRUE(t2.ok()) << t2.status();
    EXPECT_EQ(t2->task.id(), "T2");
  }
  // A part built again on the same store gives the next number.
  TaskCommands again(&ctx_);
  ASSERT_TRUE(again.Init().ok());
  auto t3 = again.Create(Meta("office"), Task("A3"));
  ASSERT_TRUE(t3.ok()) << t3.status();
  EXPECT_EQ(t3->task.id(), "T3");
}

TEST_F(TaskCommandsPartTest, CreateAssignAndListByUnitAndState) {
  TaskCommands tasks(&ctx_);
  ASSERT_TRUE(tasks.Init().ok());
  auto created = tasks.Create(Meta("office"), Task("A1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->task.plan_id(), "p1");
  ASSERT_EQ(created->task.lead_unit_ids_size(), 1);
  EXPECT_EQ(created->task.lead_unit_ids(0), "u1");

  TaskCommandArgs assign;
  assign.task_id = created->task.id();
  assign.command = v1::TASK_COMMAND_ASSIGN;
  auto assigned = tasks.Execute(Meta("office"), assign);
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(assigned->task.state(), v1::TASK_STATE_ASSIGNED);
  EXPECT_EQ(assigned->task.version(), 2u);

  TaskFilter by_unit;
  by_unit.unit = "县应急管理局";
  by_unit.state = v1::TASK_STATE_ASSIGNED;
  auto page = tasks.List(by_unit);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tasks.size(), 1u);
  EXPECT_EQ(page->tasks[0].id(), created->task.id());

  TaskFilter drafts;
  drafts.state = v1::TASK_STATE_DRAFT;
  auto none = tasks.List(drafts);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->tasks.empty());

  auto history = tasks.History(created->task.id());
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].command(), v1::TASK_COMMAND_ASSIGN);
}

TEST_F(TaskCommandsPartTest, RegisteredWarningCheckTurnsAnAssignedTaskYellowThenRed) {
  auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
  ASSERT_TRUE(cal.ok()) << cal.status();
  auto cad = LoadCadencesFile(SourcePath("config/cadences.yaml"));
  ASSERT_TRUE(cad.ok()) << cad.status();
  CadenceConfig warnings_only = *cad;
  warnings_only.rules.clear();  // no obligations here: only the warning thresholds
  ctx_.calendar = std::make_shared<const WorkCalendar>(*cal);
  cadences_ = std::make_shared<const CadenceConfig>(warnings_only);

  TaskCommands tasks(&ctx_);
  ASSERT_TRUE(tasks.Init().ok());
  tasks.RegisterTimerHandlers(timers_.get());
  auto created = tasks.Create(Meta("office"), Task("A1"));  // due 2023-06-30
  ASSERT_TRUE(created.ok()) << created.status();
  TaskCommandArgs assign;
  assign.task_id = created->task.id();
  assign.command = v1::TASK_COMMAND_ASSIGN;
  ASSERT_TRUE(tasks.Execute(Meta("office"), assign).ok());

  // Yellow from 3 working days before the due date (config/cadences.yaml).
  auto run = timers_->Run(absl::FromCivil(absl::CivilDay(2023, 6, 29), PlanTimeZone()), true, absl::Minutes(5));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->failed, 0);
  auto yellow = tasks.Get(created->task.id());
  ASSERT_TRUE(yellow.ok()) << yellow.status();
  EXPECT_EQ(yellow->warning_level(), v1::WARNING_LEVEL_YELLOW);
  EXPECT_FALSE(yellow->overdue());

  // Red from 5 working days after it; the task is overdue by then.
  run = timers_->Run(absl::FromCivil(absl::CivilDay(2023, 7, 15), PlanTimeZone()), true, absl::Minutes(5));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->failed, 0);
  auto red = tasks.Get(created->task.id());
  ASSERT_TRUE(red.ok()) << red.status();
  EXPECT_EQ(red->warning_level(), v1::WARNING_LEVEL_RED);
  EXPECT_TRUE(red->overdue());
  auto history = tasks.History(created->task.id());
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 4u);  // create, assign, yellow, red
  EXPECT_EQ((*history)[2].command(), v1::TASK_COMMAND_WARNING);
  EXPECT_EQ((*history)[3].warning_level(), v1::WARNING_LEVEL_RED);
}

TEST_F(TaskCommandsPartTest, ErrorsNameTheField) {
  TaskCommands tasks(&ctx_);
  ASSERT_TRUE(tasks.Init().ok());
  EXPECT_TRUE(IsError(tasks.Get("X1").status(), absl::StatusCode::kInvalidArgument, "task_id"));
  EXPECT_TRUE(IsError(tasks.Get("T9").status(), absl::StatusCode::kNotFound, "task_id"));
  NewTask no_campaign = Task("A1");
  no_campaign.campaign_id = "c9";
  EXPECT_TRUE(IsError(tasks.Create(Meta("office"), no_campaign).status(), absl::StatusCode::kNotFound,
                      "campaign_id"));
  NewTask unknown_unit = Task("A1");
  unknown_unit.lead_units = {"不存在的单位"};
  EXPECT_TRUE(IsError(tasks.Create(Meta("office"), unknown_unit).status(), absl::StatusCode::kNotFound,
                      "lead_units"));
}

}  // namespace
}  // namespace duban
