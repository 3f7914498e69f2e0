// Rankings, accountability cases, one-call escalation and the year-end
// assessment through duband and the generated C++ client, on the harness's
// simulated clock (2023-03-20): the plan's ladder (倒数第一 three months in a
// row: 分管市领导约谈 → 市主要领导约谈 → 事前问责), a case's workflow, a fatal
// accident's interview, a repeated monthly-notice problem, an overdue task
// escalated by a supervisor in one call, figures reported and evaluated, one
// bad request per service, the services without their config files, and a
// malformed accountability file stopping the daemon.
#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "duban/v1/duban.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using google::protobuf::util::TimeUtil;
using testing::Daemon;
using testing::SourcePath;
using testing::TempDir;

// The 10 key enforcement units of config/accountability.yaml.
const std::vector<std::string>& KeyUnits() {
  static const auto* v = new std::vector<std::string>{
      "市应急管理局", "市住建局", "市交通运输局", "市市场监管局",   "市水利局",
      "市农业农村局", "市自然资源局", "市城管局", "市消防救援大队", "市公安局交警大队"};
  return *v;
}

// The status has the code and its message names `field`.
::testing::AssertionResult IsError(const grpc::Status& s, grpc::StatusCode code, const std::string& field) {
  if (s.ok()) return ::testing::AssertionFailure() << "expected code " << code << ", got OK";
  if (s.error_code() != code) {
    return ::testing::AssertionFailure() << "expected code " << code << ", got " << s.error_code() << ": "
                                         << s.error_message();
  }
  if (!absl::StrContains(s.error_message(), field)) {
    return ::testing::AssertionFailure() << "message '" << s.error_message() << "' does not name '" << field << "'";
  }
  return ::testing::AssertionSuccess();
}

v1::CommandMeta Meta(const std::string& actor) {
  v1::CommandMeta m;
  m.set_actor(actor);
  return m;
}

class AccountabilityE2ETest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"), std::move(extra));
    ASSERT_TRUE(daemon_->Start()) << daemon_->log_path();
    auto ch = daemon_->channel();
    org_ = v1::OrgService::NewStub(ch);
    tasks_ = v1::TaskService::NewStub(ch);
    notifications_ = v1::NotificationService::NewStub(ch);
    supervision_ = v1::SupervisionService::NewStub(ch);
    rankings_ = v1::RankingService::NewStub(ch);
    accountability_ = v1::AccountabilityService::NewStub(ch);
    assessment_ = v1::AssessmentService::NewStub(ch);
    admin_ = v1::AdminService::NewStub(daemon_->ChannelAs("sysadmin"));  // the clock is the system administrator's
  }

  std::string UnitId(const std::string& name) {
    grpc::ClientContext ctx;
    v1::ResolveUnitRequest req;
    req.set_name(name);
    v1::ResolveUnitResponse res;
    grpc::Status s = org_->ResolveUnit(&ctx, req, &res);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    return s.ok() && res.units_size() == 1 ? res.units(0).id() : "";
  }

  // The enforcement ranking of a month with `last` in last place.
  grpc::Status EnterEnforcement(const std::string& period, const std::string& last, v1::RankingResponse* res) {
    grpc::ClientContext ctx;
    v1::EnterRankingRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_board("enforcement");
    req.set_period(period);
    for (const auto& u : KeyUnits()) {
      if (u != last) req.add_entries()->set_unit(u);
    }
    req.add_entries()->set_unit(last);
    return rankings_->EnterRanking(&ctx, req, res);
  }

  grpc::Status ListCases(const std::string& unit, v1::AccountabilityState state, v1::ListCasesResponse* res) {
    grpc::ClientContext ctx;
    v1::ListCasesRequest req;
    req.set_unit(unit);
    req.set_state(state);
    return accountability_->ListCases(&ctx, req, res);
  }

  grpc::Status AdvanceTo(absl::Time to) {
    grpc::ClientContext ctx;
    v1::AdvanceClockRequest req;
    *req.mutable_to() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(to));
    v1::AdvanceClockResponse res;
    return admin_->AdvanceClock(&ctx, req, &res);
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::OrgService::Stub> org_;
  std::unique_ptr<v1::TaskService::Stub> tasks_;
  std::unique_ptr<v1::NotificationService::Stub> notifications_;
  std::unique_ptr<v1::SupervisionService::Stub> supervision_;
  std::unique_ptr<v1::RankingService::Stub> rankings_;
  std::unique_ptr<v1::AccountabilityService::Stub> accountability_;
  std::unique_ptr<v1::AssessmentService::Stub> assessment_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(AccountabilityE2ETest, LastThreeMonthsInARowOpenTheLaddersCasesAndACaseRunsItsWorkflow) {
  Start();
  const std::string zjj = UnitId("市住建局");
  ASSERT_FALSE(zjj.empty());

  struct Want {
    std::string period, action, action_name, by_role;
  };
  const std::vector<Want> want = {{"2023-01", "interview", "约谈", "vice_mayor_in_charge"},
                                  {"2023-02", "interview", "约谈", "mayor"},
                                  {"2023-03", "pre_accountability", "事前问责", "supervision_office"}};
  for (size_t i = 0; i < want.size(); ++i) {
    v1::RankingResponse res;
    grpc::Status s = EnterEnforcement(want[i].period, "市住建局", &res);
    ASSERT_TRUE(s.ok()) << want[i].period << ": " << s.error_message();
    EXPECT_EQ(res.ranking().id(), "enforcement:" + want[i].period);
    ASSERT_EQ(res.ranking().entries_size(), 10);
    EXPECT_EQ(res.ranking().entries(9).unit_id(), zjj);
    EXPECT_TRUE(res.ranking().entries(9).last());
    EXPECT_EQ(res.ranking().published_by(), "市安委办");
    ASSERT_EQ(res.opened_size(), 1) << want[i].period;
    EXPECT_EQ(res.opened(0).by_role(), want[i].by_role);
    EXPECT_EQ(res.opened(0).step(), static_cast<int>(i) + 1);
  }

  // The three cases, through ListCases.
  v1::ListCasesResponse cases;
  ASSERT_TRUE(ListCases("市住建局", v1::ACCOUNTABILITY_STATE_UNSPECIFIED, &cases).ok());
  ASSERT_EQ(cases.cases_size(), 3);
  for (int i = 0; i < 3; ++i) {
    const auto& c = cases.cases(i);
    EXPECT_EQ(c.id(), absl::StrCat("A", i + 1));
    EXPECT_EQ(c.unit_id(), zjj);
    EXPECT_EQ(c.period(), want[i].period);
    EXPECT_EQ(c.action(), want[i].action);
    EXPECT_EQ(c.action_name(), want[i].action_name);
    EXPECT_EQ(c.by_role(), want[i].by_role);
    EXPECT_EQ(c.ladder_id(), "enforcement-last");
    EXPECT_EQ(c.state(), v1::ACCOUNTABILITY_STATE_SCHEDULED);
  }

  // The stored rankings.
  {
    grpc::ClientContext ctx;
    v1::ListRankingsRequest req;  // every board
    v1::ListRankingsResponse res;
    ASSERT_TRUE(rankings_->ListRankings(&ctx, req, &res).ok());
    ASSERT_EQ(res.rankings_size(), 3);
    EXPECT_EQ(res.rankings(0).id(), "enforcement:2023-01");
    EXPECT_EQ(res.rankings(2).id(), "enforcement:2023-03");
    grpc::ClientContext gctx;
    v1::GetRankingRequest greq;
    greq.set_board("enforcement");
    greq.set_period("2023-02");
    v1::Ranking r;
    ASSERT_TRUE(rankings_->GetRanking(&gctx, greq, &r).ok());
    EXPECT_EQ(r.source(), v1::RANKING_SOURCE_ENTERED);
    EXPECT_EQ(r.not_ranked_unit_ids_size(), 21);
  }

  // Hold, follow up, close the first.
  {
    grpc::ClientContext ctx;
    v1::HoldCaseRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_case_id("A1");
    req.set_minutes("分管市领导约谈市住建局主要负责人，指出执法检查数量不足");
    req.add_commitments("一个月内补齐执法检查台账");
    req.add_commitments("每周调度执法进度");
    v1::AccountabilityCase c;
    grpc::Status s = accountability_->Hold(&ctx, req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(c.state(), v1::ACCOUNTABILITY_STATE_HELD);
    EXPECT_EQ(c.commitments_size(), 2);
    EXPECT_EQ(c.version(), 2u);
  }
  {
    grpc::ClientContext ctx;
    v1::FollowUpCaseRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_case_id("A1");
    req.set_follow_up("台账已补齐，执法检查量环比上升40%");
    v1::AccountabilityCase c;
    ASSERT_TRUE(accountability_->FollowUp(&ctx, req, &c).ok());
    EXPECT_EQ(c.state(), v1::ACCOUNTABILITY_STATE_FOLLOWED_UP);
  }
  {
    grpc::ClientContext ctx;
    v1::CloseCaseRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_case_id("A1");
    v1::AccountabilityCase c;
    ASSERT_TRUE(accountability_->Close(&ctx, req, &c).ok());
    EXPECT_EQ(c.state(), v1::ACCOUNTABILITY_STATE_CLOSED);
    EXPECT_EQ(c.version(), 4u);
  }
  {
    grpc::ClientContext ctx;
    v1::CaseHistoryRequest req;
    req.set_case_id("A1");
    v1::CaseHistoryResponse res;
    ASSERT_TRUE(accountability_->CaseHistory(&ctx, req, &res).ok());
    std::vector<std::string> kinds;
    for (const auto& e : res.events()) kinds.push_back(e.kind());
    EXPECT_EQ(kinds, (std::vector<std::string>{"opened", "held", "followed_up", "closed"}));
  }
  v1::ListCasesResponse closed;
  ASSERT_TRUE(ListCases("", v1::ACCOUNTABILITY_STATE_CLOSED, &closed).ok());
  ASSERT_EQ(closed.cases_size(), 1);
  EXPECT_EQ(closed.cases(0).id(), "A1");

  // Each case was notified to the unit.
  {
    grpc::ClientContext ctx;
    v1::ListNotificationsRequest req;
    req.set_recipient("市住建局");
    req.set_limit(1000);
    v1::ListNotificationsResponse res;
    ASSERT_TRUE(notifications_->ListNotifications(&ctx, req, &res).ok());
    std::vector<std::string> subjects;
    for (const auto& n : res.notifications()) {
      if (n.kind() == v1::NOTIFICATION_KIND_ACCOUNTABILITY) subjects.push_back(n.subject_id());
    }
    EXPECT_EQ(subjects, (std::vector<std::string>{"A1", "A2", "A3"}));
  }

  // Bad requests: a period that has not begun, a second ranking of a month,
  // a step out of order, an unknown case.
  v1::RankingResponse res;
  EXPECT_TRUE(IsError(EnterEnforcement("2023-04", "市住建局", &res), grpc::StatusCode::INVALID_ARGUMENT, "period"));
  EXPECT_EQ(EnterEnforcement("2023-03", "市城管局", &res).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  {
    grpc::ClientContext ctx;
    v1::HoldCaseRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_case_id("A2");
    req.set_minutes("约谈记录");  // no commitment
    v1::AccountabilityCase c;
    EXPECT_TRUE(IsError(accountability_->Hold(&ctx, req, &c), grpc::StatusCode::INVALID_ARGUMENT, "commitments"));
  }
  {
    grpc::ClientContext ctx;
    v1::CloseCaseRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_case_id("A2");
    v1::AccountabilityCase c;
    EXPECT_EQ(accountability_->Close(&ctx, req, &c).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    grpc::ClientContext ctx;
    v1::GetCaseRequest req;
    req.set_case_id("A99");
    v1::AccountabilityCase c;
    EXPECT_TRUE(IsError(accountability_->GetCase(&ctx, req, &c), grpc::StatusCode::NOT_FOUND, "case_id"));
  }
}

TEST_F(AccountabilityE2ETest, AFatalAccidentAndARepeatedNoticeProblemOpenInterviews) {
  Start();
  {
    grpc::ClientContext ctx;
    v1::ReportIncidentRequest req;
    *req.mutable_meta() = Meta("市应急管理局");
    req.set_unit("道林镇");
    req.set_date("2023-03-18");
    req.set_kind("production_safety");
    req.set_deaths(1);
    req.set_description("某建材厂机械伤害事故");
    v1::ReportIncidentResponse res;
    grpc::Status s = accountability_->ReportIncident(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(res.incident().unit_id(), UnitId("道林镇"));
    EXPECT_EQ(res.incident().deaths(), 1);
    ASSERT_EQ(res.opened_size(), 1);
    EXPECT_EQ(res.opened(0).action(), "interview");
    EXPECT_EQ(res.opened(0).action_name(), "约谈");
    EXPECT_EQ(res.opened(0).by_role(), "vice_mayor_in_charge");
    EXPECT_EQ(res.opened(0).ladder_id(), "fatal-accident");
    EXPECT_EQ(res.opened(0).period(), "2023-03");
  }
  v1::ListCasesResponse cases;
  ASSERT_TRUE(ListCases("道林镇", v1::ACCOUNTABILITY_STATE_SCHEDULED, &cases).ok());
  ASSERT_EQ(cases.cases_size(), 1);
  EXPECT_EQ(cases.cases(0).action(), "interview");

  // The same problem in the January and February notices: 警示约谈.
  auto notice = [&](const std::string& month, v1::RecordNoticeProblemResponse* res) {
    grpc::ClientContext ctx;
    v1::RecordNoticeProblemRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_unit("市城管局");
    req.set_month(month);
    req.set_problem("燃气管道占压");
    return accountability_->RecordNoticeProblem(&ctx, req, res);
  };
  v1::RecordNoticeProblemResponse jan, feb, again;
  ASSERT_TRUE(notice("2023-01", &jan).ok());
  EXPECT_EQ(jan.times(), 1);
  EXPECT_EQ(jan.opened_size(), 0);
  ASSERT_TRUE(notice("2023-02", &feb).ok());
  EXPECT_EQ(feb.times(), 2);
  ASSERT_EQ(feb.opened_size(), 1);
  EXPECT_EQ(feb.opened(0).action_name(), "警示约谈");
  EXPECT_EQ(notice("2023-02", &again).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // Bad requests name the field.
  {
    grpc::ClientContext ctx;
    v1::ReportIncidentRequest req;
    *req.mutable_meta() = Meta("市应急管理局");
    req.set_unit("道林镇");
    req.set_date("2023-03-18");
    req.set_kind("meteor_strike");
    req.set_deaths(1);
    v1::ReportIncidentResponse res;
    EXPECT_TRUE(IsError(accountability_->ReportIncident(&ctx, req, &res), grpc::StatusCode::INVALID_ARGUMENT,
                        "kind"));
  }
  {
    grpc::ClientContext ctx;
    v1::ReportIncidentRequest req;
    *req.mutable_meta() = Meta("市应急管理局");
    req.set_unit("不存在镇");
    req.set_date("2023-03-18");
    req.set_kind("fire");
    req.set_deaths(1);
    v1::ReportIncidentResponse res;
    EXPECT_TRUE(IsError(accountability_->ReportIncident(&ctx, req, &res), grpc::StatusCode::NOT_FOUND, "unit"));
  }
  {
    grpc::ClientContext ctx;
    v1::ReportIncidentRequest req;  // no credential
    req.set_unit("道林镇");
    req.set_date("2023-03-18");
    req.set_kind("fire");
    req.set_deaths(1);
    v1::ReportIncidentResponse res;
    auto anonymous = v1::AccountabilityService::NewStub(daemon_->AnonymousChannel());
    EXPECT_TRUE(IsError(anonymous->ReportIncident(&ctx, req, &res), grpc::StatusCode::UNAUTHENTICATED,
                        "authorization"));
  }
}

TEST_F(AccountabilityE2ETest, ASupervisorEscalatesAnOverdueTaskInOneCall) {
  Start();
  std::string task_id;
  {
    grpc::ClientContext ctx;
    v1::CreateTaskRequest req;
    *req.mutable_meta() = Meta("office");
    req.set_campaign_id("safety");
    req.set_code("5.9.1");
    req.set_title("汛前水库隐患排查");
    req.add_lead_units("市水利局");
    req.set_due_date("2023-03-31");
    v1::CommandResponse res;
    grpc::Status s = tasks_->CreateTask(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    task_id = res.task().id();
  }
  ASSERT_EQ(task_id[0], 'T');
  {
    grpc::ClientContext ctx;
    v1::TaskRef req;
    *req.mutable_meta() = Meta("office");
    req.set_task_id(task_id);
    v1::CommandResponse res;
    ASSERT_TRUE(tasks_->AssignTask(&ctx, req, &res).ok());
  }
  ASSERT_TRUE(AdvanceTo(absl::FromCivil(absl::CivilMinute(2023, 4, 3, 9, 0), absl::FixedTimeZone(8 * 3600))).ok());
  {
    grpc::ClientContext ctx;
    v1::GetTaskRequest req;
    req.set_task_id(task_id);
    v1::Task t;
    ASSERT_TRUE(tasks_->GetTask(&ctx, req, &t).ok());
    EXPECT_TRUE(t.overdue());
  }
  auto items_for_task = [&] {
    grpc::ClientContext ctx;
    v1::ListSupervisionRequest req;
    req.set_subject_id(task_id);
    v1::ListSupervisionResponse res;
    EXPECT_TRUE(supervision_->ListSupervision(&ctx, req, &res).ok());
    return res;
  };
  ASSERT_EQ(items_for_task().items_size(), 0);

  v1::SupervisionItem item;
  {
    grpc::ClientContext ctx;
    v1::EscalateRequest req;
    *req.mutable_meta() = Meta("supervisor");
    req.set_task_id(task_id);
    req.set_reason("逾期未完成，挂牌督办");
    grpc::Status s = supervision_->Escalate(&ctx, req, &item);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(item.id()[0], 'S');
  EXPECT_EQ(item.level(), 1);
  EXPECT_EQ(item.state(), v1::SUPERVISION_STATE_LISTED);
  EXPECT_EQ(item.subject_kind(), v1::SUPERVISION_SUBJECT_TASK);
  EXPECT_EQ(item.subject_id(), task_id);
  EXPECT_EQ(item.responsible_unit_id(), UnitId("市水利局"));
  auto listed = items_for_task();
  ASSERT_EQ(listed.items_size(), 1);
  EXPECT_EQ(listed.items(0).id(), item.id());
  EXPECT_EQ(listed.items(0).level(), 1);

  // Bad request: no reason.
  {
    grpc::ClientContext ctx;
    v1::EscalateRequest req;
    *req.mutable_meta() = Meta("supervisor");
    req.set_item_id(item.id());
    v1::SupervisionItem out;
    EXPECT_TRUE(IsError(supervision_->Escalate(&ctx, req, &out), grpc::StatusCode::INVALID_ARGUMENT, "reason"));
  }
}

TEST_F(AccountabilityE2ETest, FiguresAreReportedAndEvaluated) {
  Start();
  auto figures = [](const std::string& unit) {
    v1::AssessmentFigures f;
    f.set_assessment_id("safety-2023");
    f.set_year(2023);
    f.set_unit(unit);
    auto& v = *f.mutable_values();
    for (const char* name : {"accidents", "deaths", "enforcement_last_times", "major_accidents", "forest_fire_major"}) {
      v[name] = 0;
    }
    for (const char* l : {"national", "provincial", "city", "local"}) {
      v[absl::StrCat("constraint.", l)] = 0;
      v[absl::StrCat("incentive.", l)] = 0;
    }
    v["accidents"] = 2;
    v["incentive.city"] = 3;  // 道林镇's target: 3 citations at city level
    (*f.mutable_baseline())["accidents"] = 3;
    (*f.mutable_baseline())["deaths"] = 1;
    return f;
  };
  auto report = [&](const v1::AssessmentFigures& f, v1::ReportFiguresResponse* res) {
    grpc::ClientContext ctx;
    v1::ReportFiguresRequest req;
    *req.mutable_meta() = Meta("市应急管理局");
    *req.mutable_figures() = f;
    return assessment_->ReportFigures(&ctx, req, res);
  };
  v1::ReportFiguresResponse stored;
  grpc::Status s = report(figures("道林镇"), &stored);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(stored.figures().unit(), "道林镇");
  EXPECT_EQ(stored.figures().values().at("accidents"), 2);

  v1::AssessmentResult result;
  {
    grpc::ClientContext ctx;
    v1::EvaluateRequest req;
    req.set_assessment_id("safety-2023");
    req.set_year(2023);
    req.set_unit("道林镇");
    s = assessment_->Evaluate(&ctx, req, &result);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(result.unit(), "道林镇");
  EXPECT_EQ(result.outcome(), v1::ASSESSMENT_OUTCOME_PASS) << result.ShortDebugString();
  bool accidents_met = false;
  for (const auto& r : result.results()) {
    if (r.indicator() == "accidents") accidents_met = r.met();
  }
  EXPECT_TRUE(accidents_met) << result.ShortDebugString();

  // A second unit with a major accident: veto; EvaluateAll shows both.
  auto veto = figures("大屯营镇");
  (*veto.mutable_values())["major_accidents"] = 1;
  ASSERT_TRUE(report(veto, &stored).ok());
  {
    grpc::ClientContext ctx;
    v1::EvaluateAllRequest req;
    req.set_assessment_id("safety-2023");
    req.set_year(2023);
    v1::EvaluateAllResponse res;
    ASSERT_TRUE(assessment_->EvaluateAll(&ctx, req, &res).ok());
    ASSERT_EQ(res.results_size(), 2);
    EXPECT_EQ(res.results(0).unit(), "道林镇");
    EXPECT_EQ(res.results(1).unit(), "大屯营镇");
    EXPECT_EQ(res.results(1).outcome(), v1::ASSESSMENT_OUTCOME_VETO);
  }

  // Bad requests name the field.
  auto bad = figures("道林镇");
  (*bad.mutable_values())["happiness"] = 1;
  EXPECT_TRUE(IsError(report(bad, &stored), grpc::StatusCode::INVALID_ARGUMENT, "values.happiness"));
  {
    grpc::ClientContext ctx;
    v1::EvaluateRequest req;
    req.set_assessment_id("safety-2023");
    req.set_year(2023);
    req.set_unit("花明楼镇");  // a row without figures
    v1::AssessmentResult r;
    EXPECT_TRUE(IsError(assessment_->Evaluate(&ctx, req, &r), grpc::StatusCode::NOT_FOUND, "unit"));
  }
  {
    grpc::ClientContext ctx;
    v1::EvaluateAllRequest req;
    req.set_assessment_id("safety-2022");
    req.set_year(2023);
    v1::EvaluateAllResponse res;
    EXPECT_TRUE(IsError(assessment_->EvaluateAll(&ctx, req, &res), grpc::StatusCode::NOT_FOUND, "assessment_id"));
  }
}

TEST_F(AccountabilityE2ETest, WithoutTheirFilesTheServicesSayNotConfigured) {
  Start({"--accountability=none", "--assessment=none"});
  {
    grpc::ClientContext ctx;
    v1::ListRankingsRequest req;
    v1::ListRankingsResponse res;
    EXPECT_TRUE(IsError(rankings_->ListRankings(&ctx, req, &res), grpc::StatusCode::FAILED_PRECONDITION,
                        "accountability: not configured"));
  }
  {
    grpc::ClientContext ctx;
    v1::ListCasesRequest req;
    v1::ListCasesResponse res;
    EXPECT_TRUE(IsError(accountability_->ListCases(&ctx, req, &res), grpc::StatusCode::FAILED_PRECONDITION,
                        "accountability: not configured"));
  }
  {
    grpc::ClientContext ctx;
    v1::EvaluateAllRequest req;
    req.set_assessment_id("safety-2023");
    req.set_year(2023);
    v1::EvaluateAllResponse res;
    EXPECT_TRUE(IsError(assessment_->EvaluateAll(&ctx, req, &res), grpc::StatusCode::FAILED_PRECONDITION,
                        "assessment: not configured"));
  }
}

TEST(AccountabilityDaemonTest, AMalformedAccountabilityFileStopsTheDaemonNamingFileAndLine) {
  TempDir dir;
  struct Case {
    std::string file, text, want;
  };
  const std::vector<Case> cases = {
      // A unit the plan does not know (resolved through the engine, after the demo plan).
      {"acct-unit.yaml",
       "roles:\n  mayor: 市主要领导\nboards:\n  - id: enforcement\n    name: 排名\n    source: entered\n"
       "    cadence: monthly\n    members: [市住建局, 市不存在局]\n",
       "acct-unit.yaml:8:"},
      {"acct-tie.yaml", "roles:\n  mayor: 市主要领导\ntie_rule: sometimes\n", "acct-tie.yaml:3:"},
  };
  for (const auto& c : cases) {
    std::string path = dir.sub(c.file);
    std::ofstream(path) << c.text;
    std::vector<std::string> flags = {"--config=" + SourcePath("config/duband.yaml"),
                                      "--data_dir=" + dir.sub("db-" + c.file),
                                      "--listen=127.0.0.1:0",
                                      "--demo_plan=" + SourcePath("config/demo/plan.yaml"),
                                      "--calendar=" + SourcePath("config/calendar/cn-workdays.yaml"),
                                      "--cadences=" + SourcePath("config/cadences.yaml"),
                                      "--supervision=" + SourcePath("config/supervision.yaml"),
                                      "--assessment=" + SourcePath("config/demo/safety-assessment.yaml"),
                                      "--clock=simulated",
                                      "--clock_start=2023-03-20T08:00:00+08:00",
                                      "--accountability=" + path};
    std::string out;
    int code = Daemon::RunToExit(flags, &out);
    EXPECT_EQ(code, 2) << out;
    EXPECT_TRUE(absl::StrContains(out, dir.sub(c.want))) << out;
  }
  // A missing file too.
  std::string out;
  int code = Daemon::RunToExit({"--config=" + SourcePath("config/duband.yaml"), "--data_dir=" + dir.sub("db-missing"),
                                "--listen=127.0.0.1:0", "--clock=simulated",
                                "--accountability=" + dir.sub("no-such.yaml")},
                               &out);
  EXPECT_EQ(code, 2) << out;
  EXPECT_TRUE(absl::StrContains(out, dir.sub("no-such.yaml"))) << out;
}

}  // namespace
}  // namespace duban
