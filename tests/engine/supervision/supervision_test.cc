// Supervision items: the state machine, one-call escalation, escalation by
// rule on the simulated clock, the look-back, and bad input and rule files.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/validate.h"
#include "gtest/gtest.h"
#include "tests/store_dump.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

class SupervisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    opts_.calendar = std::make_shared<const WorkCalendar>(*WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml")));
    auto cad = LoadCadencesFile(SourcePath("config/cadences.yaml"));
    ASSERT_TRUE(cad.ok());
    CadenceConfig no_rules = *cad;
    no_rules.rules.clear();  // only warnings and escalation here
    opts_.cadences = std::make_shared<const CadenceConfig>(no_rules);
    auto sup = LoadSupervisionFile(SourcePath("config/supervision.yaml"));
    ASSERT_TRUE(sup.ok()) << sup.status();
    opts_.supervision = std::make_shared<const SupervisionConfig>(*sup);
    auto e = Engine::Open(dir_.sub("db"), &clock_, opts_);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok());
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
  }

  CommandMeta As(const std::string& actor) {
    CommandMeta m;
    m.actor = actor;
    return m;
  }

  std::string MakeTask(const std::string& due) {
    duban::NewTask t;
    t.campaign_id = "safety";
    t.code = absl::StrCat("9.", ++n_);
    t.title = "城镇燃气隐患整治";
    t.lead_units = {"市城管局"};
    t.due_date = due;
    auto r = engine_->CreateTask(As("市应急管理局"), t);
    EXPECT_TRUE(r.ok()) << r.status();
    TaskCommandArgs a;
    a.task_id = r->task.id();
    a.command = v1::TASK_COMMAND_ASSIGN;
    EXPECT_TRUE(engine_->Execute(As("市应急管理局"), a).ok());
    return r->task.id();
  }

  std::map<std::string, std::string> Dump() { return testing::DumpStore(engine_->store()); }

  TempDir dir_;
  SimulatedClock clock_{Beijing(2023, 4, 3, 8)};
  EngineOptions opts_;
  std::unique_ptr<Engine> engine_;
  int n_ = 0;
};

TEST_F(SupervisionTest, AHazardGoesFromListedToClosedThroughTheStateMachine) {
  NewSupervisionItem in;
  in.title = "某加油站油罐区防火间距不足";
  in.level = 1;
  in.hazard_list = "油罐区与民房防火间距不足；可燃气体报警器失效";
  in.responsible_unit = "市商务局";
  in.responsible_person = "张三";
  in.rectification_target = "拆除违章建筑，恢复防火间距";
  in.measures = "限期拆除；更换报警器";
  in.deadline = "2023-04-28";
  in.inspection_cycle_days = 7;
  auto item = engine_->ListForSupervision(As("市安委办"), in);
  ASSERT_TRUE(item.ok()) << item.status();
  EXPECT_EQ(item->id(), "S1");
  EXPECT_EQ(item->state(), v1::SUPERVISION_STATE_LISTED);
  EXPECT_EQ(item->responsible_unit_id(), engine_->Resolve("市商务局")->units[0].id());
  EXPECT_EQ(item->listed_by(), "行业主管部门");

  auto step = [&](const std::string& actor, SupervisionCommand c, const std::string& text) {
    return engine_->SupervisionStep(As(actor), "S1", c, text);
  };
  EXPECT_EQ(step("市商务局", SupervisionCommand::kStartRectification, "")->state(), v1::SUPERVISION_STATE_RECTIFYING);
  EXPECT_EQ(step("市商务局", SupervisionCommand::kReportRectification, "已拆除")->state(),
            v1::SUPERVISION_STATE_RECTIFICATION_REPORTED);
  // Only a supervisor verifies.
  auto denied = step("市商务局", SupervisionCommand::kVerify, "");
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(denied.status().message(), "meta.actor"));
  EXPECT_EQ(step("市安委办", SupervisionCommand::kReturn, "报警器未更换")->state(), v1::SUPERVISION_STATE_RECTIFYING);
  EXPECT_EQ(step("市商务局", SupervisionCommand::kReportRectification, "报警器已更换")->state(),
            v1::SUPERVISION_STATE_RECTIFICATION_REPORTED);
  EXPECT_EQ(step("市安委办", SupervisionCommand::kVerify, "")->state(), v1::SUPERVISION_STATE_VERIFIED);
  auto closed = step("市安委办", SupervisionCommand::kClose, "销号");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->state(), v1::SUPERVISION_STATE_CLOSED);
  // The look-back is 20 working days after closing (3 April 2023 → 4 May, over the May Day holiday).
  EXPECT_EQ(closed->lookback_date(),
            validate::FormatDate(opts_.calendar->AddWorkingDays(absl::CivilDay(2023, 4, 3), 20)));
  // Illegal: a closed item cannot be reported on.
  auto bad = step("市商务局", SupervisionCommand::kReportRectification, "x");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "closed")) << bad.status();
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "reopen")) << bad.status();
  auto h = engine_->SupervisionHistory("S1");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 7u);
  EXPECT_EQ((*h)[0].kind(), "listed");
  EXPECT_EQ((*h)[3].kind(), "returned");
  EXPECT_EQ((*h)[3].text(), "报警器未更换");
  EXPECT_EQ((*h)[6].kind(), "closed");
}

TEST_F(SupervisionTest, ALookBackReopensAnItemWhoseProblemRecurs) {
  NewSupervisionItem in;
  in.title = "建筑工地深基坑支护隐患";
  in.hazard_list = "支护桩位移超限";
  in.responsible_unit = "市住建局";
  in.deadline = "2023-04-14";
  ASSERT_TRUE(engine_->ListForSupervision(As("市安委办"), in).ok());
  ASSERT_TRUE(engine_->SupervisionStep(As("市住建局"), "S1", SupervisionCommand::kReportRectification, "加固完成").ok());
  ASSERT_TRUE(engine_->SupervisionStep(As("市安委办"), "S1", SupervisionCommand::kVerify, "").ok());
  auto closed = engine_->SupervisionStep(As("市安委办"), "S1", SupervisionCommand::kClose, "");
  ASSERT_TRUE(closed.ok());
  // When the look-back falls due, the supervisors are told.
  auto lookback = validate::Date("lookback", closed->lookback_date());
  ASSERT_TRUE(lookback.ok());
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(lookback->year(), lookback->month(), lookback->day(), 10)).ok());
  bool told = false;
  const std::vector<v1::Notification> read_notes = engine_->outbox().ReadAll(0, 1000).value();
  for (const auto& n : read_notes) {
    told = told || (n.subject_id() == "S1" && absl::StrContains(n.title(), "回头看"));
  }
  EXPECT_TRUE(told);
  // The problem recurs: reopened, back to rectification with a new deadline.
  auto reopened = engine_->SupervisionStep(As("市安委办"), "S1", SupervisionCommand::kReopen, "支护桩再次位移");
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->state(), v1::SUPERVISION_STATE_RECTIFYING);
  EXPECT_EQ(reopened->reopen_count(), 1);
  EXPECT_TRUE(reopened->lookback_date().empty());
  EXPECT_GT(reopened->deadline(), closed->deadline());
}

TEST_F(SupervisionTest, OneCallEscalatesAnOverdueTaskLevelByLevel) {
  std::string task = MakeTask("2023-03-31");  // already overdue on 3 April
  EscalateRequest req;
  req.task_id = task;
  req.reason = "逾期未完成";
  auto l1 = engine_->Escalate(As("supervisor"), req);
  ASSERT_TRUE(l1.ok()) << l1.status();
  EXPECT_EQ(l1->level(), 1);
  EXPECT_EQ(l1->subject_id(), task);
  auto l2 = engine_->Escalate(As("supervisor"), req);
  ASSERT_TRUE(l2.ok());
  EXPECT_EQ(l2->id(), l1->id());
  EXPECT_EQ(l2->level(), 2);
  EXPECT_EQ(l2->listed_by(), "专业委员会");
  auto l3 = engine_->Escalate(As("supervisor"), req);
  ASSERT_TRUE(l3.ok());
  EXPECT_EQ(l3->level(), 3);
  auto top = engine_->Escalate(As("supervisor"), req);
  EXPECT_EQ(top.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(top.status().message(), "level 3")) << top.status();
  // Every step told the next owner.
  int told = 0;
  const std::vector<v1::Notification> read_notes = engine_->outbox().ReadAll(0, 1000).value();
  for (const auto& n : read_notes) {
    told += n.kind() == v1::NOTIFICATION_KIND_SUPERVISION && n.subject_id() == l1->id();
  }
  EXPECT_GE(told, 3);
  // Not a supervisor: refused, nothing written.
  auto before = Dump();
  auto denied = engine_->Escalate(As("市城管局"), req);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Dump(), before);
}

TEST_F(SupervisionTest, AnIgnoredTaskGoesYellowRedLevel1Level2OnTheConfiguredWorkingDays) {
  std::string task = MakeTask("2023-04-28");
  const auto& cal = *opts_.calendar;
  absl::CivilDay due(2023, 4, 28);
  absl::CivilDay yellow = cal.AddWorkingDays(due, -3);
  absl::CivilDay red = cal.AddWorkingDays(due, 5);        // red_working_days_after_due
  absl::CivilDay listed = cal.AddWorkingDays(red, 5);     // red for 5 working days
  absl::CivilDay l1_deadline = cal.AddWorkingDays(listed, 10);
  absl::CivilDay l2_day = l1_deadline + 1;                // checked the morning after the deadline

  auto level_on = [&](absl::CivilDay d) {
    EXPECT_TRUE(engine_->AdvanceClock(Beijing(d.year(), d.month(), d.day(), 12)).ok());
    return engine_->GetTask(task)->warning_level();
  };
  EXPECT_EQ(level_on(yellow - 1), v1::WARNING_LEVEL_NONE);
  EXPECT_EQ(level_on(yellow), v1::WARNING_LEVEL_YELLOW);
  EXPECT_EQ(level_on(cal.PreviousWorkingDay(red)), v1::WARNING_LEVEL_YELLOW);
  EXPECT_EQ(level_on(red), v1::WARNING_LEVEL_RED);
  SupervisionFilter f;
  f.subject_id = task;
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(cal.PreviousWorkingDay(listed).year(), cal.PreviousWorkingDay(listed).month(),
                                            cal.PreviousWorkingDay(listed).day(), 12)).ok());
  EXPECT_TRUE(engine_->ListSupervisionItems(f)->empty());
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(listed.year(), listed.month(), listed.day(), 12)).ok());
  auto items = engine_->ListSupervisionItems(f);
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].level(), 1);
  EXPECT_EQ((*items)[0].rule_id(), "red-task-to-level-1");
  EXPECT_EQ((*items)[0].deadline(), validate::FormatDate(l1_deadline));
  // Nobody acts: the morning after the level-1 deadline it goes to level 2.
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(l1_deadline.year(), l1_deadline.month(), l1_deadline.day(), 23)).ok());
  EXPECT_EQ(engine_->ListSupervisionItems(f)->at(0).level(), 1);
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(l2_day.year(), l2_day.month(), l2_day.day(), 9, 1)).ok());
  auto l2 = engine_->ListSupervisionItems(f)->at(0);
  EXPECT_EQ(l2.level(), 2);
  auto h = engine_->SupervisionHistory(l2.id());
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->back().kind(), "escalated");
  EXPECT_EQ(h->back().actor(), "duband");
  EXPECT_EQ(h->back().from_level(), 1);
  EXPECT_EQ(h->back().to_level(), 2);
  // Each change of warning level is an event in the task's history.
  int warnings = 0;
  auto history = engine_->History(task);
  ASSERT_TRUE(history.ok());
  for (const auto& e : *history) warnings += e.command() == v1::TASK_COMMAND_WARNING;
  EXPECT_EQ(warnings, 2);
}

TEST_F(SupervisionTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  auto before = Dump();
  struct Case {
    NewSupervisionItem in;
    std::string actor;
    absl::StatusCode code;
    std::string field;
  };
  NewSupervisionItem ok;
  ok.title = "隐患";
  ok.hazard_list = "清单";
  ok.responsible_unit = "市住建局";
  std::vector<Case> cases;
  {
    Case c{ok, "市安委办", absl::StatusCode::kInvalidArgument, "level"};
    c.in.level = 4;
    cases.push_back(c);
  }
  {
    Case c{ok, "市安委办", absl::StatusCode::kInvalidArgument, "title"};
    c.in.title = "";
    cases.push_back(c);
  }
  {
    Case c{ok, "市安委办", absl::StatusCode::kNotFound, "responsible_unit"};
    c.in.responsible_unit = "市不存在局";
    cases.push_back(c);
  }
  {
    Case c{ok, "市安委办", absl::StatusCode::kInvalidArgument, "deadline"};
    c.in.deadline = "2023-02-30";
    cases.push_back(c);
  }
  {
    Case c{ok, "市安委办", absl::StatusCode::kNotFound, "task_id"};
    c.in.subject_kind = v1::SUPERVISION_SUBJECT_TASK;
    c.in.subject_id = "T9999";
    cases.push_back(c);
  }
  {
    Case c{ok, "市安委办", absl::StatusCode::kInvalidArgument, "subject_kind"};
    c.in.subject_kind = static_cast<v1::SupervisionSubjectKind>(42);
    cases.push_back(c);
  }
  cases.push_back(Case{ok, "市住建局", absl::StatusCode::kPermissionDenied, "meta.actor"});
  cases.push_back(Case{ok, "", absl::StatusCode::kInvalidArgument, "meta.actor"});
  for (const auto& c : cases) {
    auto r = engine_->ListForSupervision(As(c.actor), c.in);
    EXPECT_EQ(r.status().code(), c.code) << c.field << ": " << r.status();
    EXPECT_TRUE(absl::StrContains(r.status().message(), c.field)) << r.status();
    EXPECT_EQ(Dump(), before) << c.field;
  }
  auto unknown = engine_->SupervisionStep(As("市安委办"), "S42", SupervisionCommand::kVerify, "");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "item_id"));
  EXPECT_EQ(Dump(), before);
}

TEST(SupervisionConfigTest, WrongRuleFilesAreRejectedWithFileLineAndReason) {
  struct Case {
    std::string text, want;
  };
  std::string levels =
      "levels:\n  - {level: 1, name: a, listed_by: x}\n  - {level: 2, name: b, listed_by: y}\n"
      "  - {level: 3, name: c, listed_by: z}\nsupervisors: [市安委办]\n";
  std::vector<Case> cases = {
      {"levels: []\nsupervisors: [x]\n", "bad.yaml:1: levels: exactly three"},
      {levels + "escalation:\n  - id: r\n    when: {level: 3}\n    then: {escalate: true}\n", "bad.yaml:8: escalation[0].when.level"},
      {levels + "escalation:\n  - id: r\n    when: {task_red_working_days: 5}\n    then: {list_at_level: 7}\n",
       "bad.yaml:9: escalation[0].then.list_at_level"},
      {levels + "escalation:\n  - id: r\n    when: {}\n    then: {escalate: true}\n", "bad.yaml:8: escalation[0].when"},
      {levels + "lookback: 5\n", "bad.yaml:6: lookback: unknown field"},
  };
  for (const auto& c : cases) {
    auto doc = yamlx::Parse("bad.yaml", c.text);
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto cfg = LoadSupervision(*doc);
    EXPECT_EQ(cfg.status().code(), absl::StatusCode::kInvalidArgument) << c.want;
    EXPECT_TRUE(absl::StrContains(cfg.status().message(), c.want)) << cfg.status() << "\nwant: " << c.want;
  }
}

}  // namespace
}  // namespace duban

namespace duban {
namespace {

TEST_F(SupervisionTest, ARetriedRequestReturnsTheFirstResultAndWritesNothing) {
  std::string task = MakeTask("2023-03-31");
  CommandMeta m = As("supervisor");
  m.request_id = "esc-1";
  EscalateRequest req;
  req.task_id = task;
  req.reason = "逾期";
  auto first = engine_->Escalate(m, req);
  ASSERT_TRUE(first.ok()) << first.status();
  auto before = Dump();
  auto again = engine_->Escalate(m, req);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id(), first->id());
  EXPECT_EQ(again->level(), 1);  // not escalated a second time
  EXPECT_EQ(Dump(), before);
  // The same id for another command is refused.
  auto other = engine_->SupervisionStep(m, first->id(), SupervisionCommand::kStartRectification, "");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(other.status().message(), "meta.request_id"));
  EXPECT_EQ(Dump(), before);
}

}  // namespace
}  // namespace duban
