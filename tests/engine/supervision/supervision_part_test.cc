// The supervision part built on a PartContext of its own, without an
// Engine, over the tasks' and obligations' parts: a red task listed by the
// escalation rule's timer, the steps of an item and who may give them, an
// overdue item sent up a level by its deadline check and then by request,
// request-id replays, and item numbers continuing over a rebuilt part.
#include "engine/supervision/supervision.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/obligations/obligations.h"
#include "engine/storage/keys.h"
#include "engine/storage/yaml_util.h"
#include "engine/tasks/task_commands.h"
#include "engine/time/work_calendar.h"
#include "gtest/gtest.h"
#include "tests/part_context.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using testing::SourcePath;

absl::Time Beijing(int y, int mo, int d, int h = 0) {
  return absl::FromCivil(absl::CivilHour(y, mo, d, h), PlanTimeZone());
}

CommandMeta Meta(std::string actor, std::string request_id = "") {
  CommandMeta m;
  m.actor = std::move(actor);
  m.request_id = std::move(request_id);
  return m;
}

constexpr char kRules[] =
    "levels:\n"
    "  - {level: 1, name: 行业领域挂牌督办, listed_by: 行业主管部门}\n"
    "  - {level: 2, name: 专业委员会挂牌督办, listed_by: 专业委员会}\n"
    "  - {level: 3, name: 市政府挂牌督办, listed_by: 市安委办}\n"
    "supervisors: [市安委办]\n"
    "escalation:\n"
    "  - id: red-task\n"
    "    when: {task_red_working_days: 0}\n"
    "    then: {list_at_level: 2, deadline_working_days: 5}\n"
    "  - id: level-1-overdue\n"
    "    when: {level: 1, overdue_working_days: 0}\n"
    "    then: {escalate: true, deadline_working_days: 10}\n";

class SupervisionPartTest : public testing::PartContextTest {
 protected:
  // Monday 9 January 2023, 08:00 in Beijing.
  SupervisionPartTest() : PartContextTest(Beijing(2023, 1, 9, 8)) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(WireContext());
    auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
    ASSERT_TRUE(cal.ok()) << cal.status();
    ctx_.calendar = std::make_shared<const WorkCalendar>(std::move(*cal));
    auto doc = yamlx::Parse("supervision.yaml", kRules);
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto rules = LoadSupervision(*doc);
    ASSERT_TRUE(rules.ok()) << rules.status();
    ctx_.supervision = std::make_shared<const SupervisionConfig>(std::move(*rules));

    v1::Unit unit;
    unit.set_id("u1");
    unit.set_name("县应急管理局");
    v1::Unit office;
    office.set_id("aqb");
    office.set_name("市安委办");
    directory_.Add({unit, office}, {});
    ASSERT_NO_FATAL_FAILURE(PutCampaign("c1", "p1"));

    tasks_ = std::make_unique<TaskCommands>(&ctx_);
    ASSERT_TRUE(tasks_->Init().ok());
    obligations_ = std::make_unique<Obligations>(&ctx_);
    supervision_ = std::make_unique<Supervision>(&ctx_, tasks_.get(), obligations_.get());
    ASSERT_TRUE(supervision_->Init().ok());
    supervision_->RegisterTimerHandlers(timers_.get());
  }

  std::string CreateTask() {
    NewTask t;
    t.campaign_id = "c1";
    t.code = "A1";
    t.title = "隐患排查";
    t.lead_units = {"县应急管理局"};
    t.due_date = "2023-06-30";
    auto r = tasks_->Create(Meta("office"), t);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->task.id() : "";
  }

  NewSupervisionItem Hazard(const std::string& deadline) {
    NewSupervisionItem in;
    in.title = "加油站防火间距不足";
    in.hazard_list = "油罐区与民房防火间距不足";
    in.responsible_unit = "县应急管理局";
    in.deadline = deadline;
    return in;
  }

  std::unique_ptr<TaskCommands> tasks_;
  std::unique_ptr<Obligations> obligations_;
  std::unique_ptr<Supervision> supervision_;
};

TEST_F(SupervisionPartTest, ARedTaskIsListedAtTheRulesLevelWhenItsEscalationTimerFires) {
  std::string id = CreateTask();
  ASSERT_FALSE(id.empty());
  // The task turned red; the tasks' part set the escalation timer of the
  // rule (written here as it writes it).
  {
    Batch b(&ctx_, clock_.Now());
    v1::Task task;
    ASSERT_TRUE(b.Get(Cf::kEntities, keys::Entity(keys::Kind::kTask, id), &task).ok());
    task.set_warning_level(v1::WARNING_LEVEL_RED);
    b.Put(Cf::kEntities, keys::Entity(keys::Kind::kTask, id), task);
    v1::Timer t;
    t.set_id("esc:" + id + ":red-task");
    *t.mutable_due() = Ts(Beijing(2023, 1, 9, 9));
    t.mutable_escalation()->set_task_id(id);
    t.mutable_escalation()->set_rule_id("red-task");
    b.AddTimer(std::move(t));
    ASSERT_TRUE(b.Commit().ok());
  }
  auto run = timers_->Run(Beijing(2023, 1, 9, 10), true, absl::Minutes(5));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->failed, 0);

  SupervisionFilter on_task;
  on_task.subject_id = id;
  auto items = supervision_->List(on_task);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 1u);
  const v1::SupervisionItem& item = (*items)[0];
  EXPECT_EQ(item.id(), "S1");
  EXPECT_EQ(item.level(), 2);
  EXPECT_EQ(item.rule_id(), "red-task");
  EXPECT_EQ(item.responsible_unit_id(), "u1");
  EXPECT_EQ(item.listed_by(), "专业委员会");
  EXPECT_EQ(item.state(), v1::SUPERVISION_STATE_LISTED);
  // Five working days from Monday 9 January.
  EXPECT_EQ(item.deadline(), "2023-01-16");

  // Listing the same task again by hand is refused: it is under supervision.
  NewSupervisionItem again;
  again.subject_kind = v1::SUPERVISION_SUBJECT_TASK;
  again.subject_id = id;
  again.title = "再次挂牌";
  EXPECT_TRUE(IsError(supervision_->ListForSupervision(Meta("市安委办"), again).status(),
                      absl::StatusCode::kAlreadyExists, "subject_id"));
}

TEST_F(SupervisionPartTest, AStepMovesTheItemAndOnlyASupervisorVerifies) {
  auto listed = supervision_->ListForSupervision(Meta("市安委办"), Hazard("2023-01-20"));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->responsible_unit_id(), "u1");
  EXPECT_EQ(listed->listed_by(), "行业主管部门");

  auto reported = supervision_->SupervisionStep(Meta("县应急管理局"), listed->id(),
                                                SupervisionCommand::kReportRectification, "已拆除违章建筑");
  ASSERT_TRUE(reported.ok()) << reported.status();
  EXPECT_EQ(reported->state(), v1::SUPERVISION_STATE_RECTIFICATION_REPORTED);
  EXPECT_EQ(reported->last_report(), "已拆除违章建筑");

  EXPECT_TRUE(IsError(supervision_->SupervisionStep(Meta("县应急管理局"), listed->id(), SupervisionCommand::kVerify, "")
                          .status(),
                      absl::StatusCode::kPermissionDenied, "meta.actor"));
  // A supervisor named by its unit's id counts as the unit.
  auto verified = supervision_->SupervisionStep(Meta("aqb"), listed->id(), SupervisionCommand::kVerify, "");
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->state(), v1::SUPERVISION_STATE_VERIFIED);
  // Files ride only on a rectification report.
  EvidenceRefs files;
  files.Add()->set_sha256(std::string(64, 'a'));
  EXPECT_TRUE(IsError(supervision_->SupervisionStep(Meta("aqb"), listed->id(), SupervisionCommand::kClose, "", files)
                          .status(),
                      absl::StatusCode::kInvalidArgument, "evidence"));

  auto history = supervision_->History(listed->id());
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].kind(), "listed");
  EXPECT_EQ((*history)[1].kind(), "reported");
  EXPECT_EQ((*history)[2].kind(), "verified");
  auto page = supervision_->HistoryPage(listed->id(), 1, 1);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].kind(), "reported");
  EXPECT_TRUE(IsError(supervision_->Get("S99").status(), absl::StatusCode::kNotFound, "item_id"));
}

TEST_F(SupervisionPartTest, AnOverdueItemGoesUpALevelByRuleThenByRequestToTheTop) {
  auto listed = supervision_->ListForSupervision(Meta("市安委办"), Hazard("2023-01-10"));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->level(), 1);

  // The deadline check runs the morning after the deadline day; the rule
  // for level 1 sends the item up.
  auto run = timers_->Run(Beijing(2023, 1, 11, 12), true, absl::Minutes(5));
  ASSERT_TRUE(run.ok()) << run.status();
  auto item = supervision_->Get(listed->id());
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->level(), 2);
  EXPECT_EQ(item->listed_by(), "专业委员会");
  auto history = supervision_->History(listed->id());
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->back().kind(), "escalated");
  EXPECT_EQ(history->back().actor(), "duband");

  EscalateRequest up;
  up.item_id = listed->id();
  up.reason = "整改不力";
  up.new_deadline = "2023-02-10";
  auto top = supervision_->Escalate(Meta("市安委办", "r1"), up);
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_EQ(top->level(), 3);
  EXPECT_EQ(top->deadline(), "2023-02-10");
  // The same request again is the first result, nothing written twice.
  auto replay = supervision_->Escalate(Meta("市安委办", "r1"), up);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->version(), top->version());
  // Another request under that id is refused.
  EscalateRequest other = up;
  other.reason = "另一理由";
  EXPECT_EQ(supervision_->Escalate(Meta("市安委办", "r1"), other).status().code(),
            absl::StatusCode::kAlreadyExists);
  // Level 3 is the top.
  EXPECT_TRUE(IsError(supervision_->Escalate(Meta("市安委办"), up).status(), absl::StatusCode::kFailedPrecondition,
                      "level 3"));
}

TEST_F(SupervisionPartTest, ItemNumbersContinueInAPartBuiltAgainOnTheSameStore) {
  ASSERT_TRUE(supervision_->ListForSupervision(Meta("市安委办"), Hazard("2023-01-20")).ok());
  Supervision again(&ctx_, tasks_.get(), obligations_.get());
  ASSERT_TRUE(again.Init().ok());
  auto second = again.ListForSupervision(Meta("市安委办"), Hazard("2023-01-27"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->id(), "S2");
  SupervisionFilter all;
  auto page = again.ListPage(all);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id(), "S1");
}

}  // namespace
}  // namespace duban
