// Drafted briefings over a simulated first quarter of 2023: drafted on the
// dates the cadence gives, with contents that match what happened.
#include "engine/briefings/briefings.h"

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ranking.h"
#include "engine/engine.h"
#include "engine/storage/yaml_util.h"
#include "engine/supervision/supervision.h"
#include "engine/time/clock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

CommandMeta As(std::string actor) {
  CommandMeta m;
  m.actor = std::move(actor);
  return m;
}

class BriefingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions opts;
    auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
    ASSERT_TRUE(cal.ok()) << cal.status();
    auto cad = LoadCadencesFile(SourcePath("tests/data/cadences-from-january.yaml"));
    ASSERT_TRUE(cad.ok()) << cad.status();
    auto sup = LoadSupervisionFile(SourcePath("config/supervision.yaml"));
    ASSERT_TRUE(sup.ok()) << sup.status();
    opts.calendar = std::make_shared<const WorkCalendar>(std::move(*cal));
    opts.cadences = std::make_shared<const CadenceConfig>(std::move(*cad));
    opts.supervision = std::make_shared<const SupervisionConfig>(std::move(*sup));
    auto e = Engine::Open(dir_.sub("db"), &clock_, opts);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok());
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
    auto cfg = LoadAccountabilityConfigFile(SourcePath("config/accountability.yaml"), engine_->directory());
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    config_ = std::make_shared<const AccountabilityConfig>(std::move(*cfg));
    rankings_ = std::make_unique<Rankings>(&engine_->context(), &engine_->tasks(), &engine_->obligations(), config_);
    acct_ = std::make_unique<Accountability>(&engine_->context(), &engine_->supervision(), config_, rankings_.get());
    ASSERT_TRUE(acct_->Init().ok());
    briefings_ = std::make_unique<Briefings>(engine_.get(), rankings_.get(), acct_.get());
    ASSERT_TRUE(engine_->StartCadences().ok());
  }

  // Moves the clock a day at a time, firing timers and drafting as the
  // daemon's timer thread does.
  void AdvanceTo(absl::Time to) {
    while (clock_.Now() < to) {
      absl::Time step = std::min(to, clock_.Now() + absl::Hours(24));
      auto run = engine_->AdvanceClock(step);
      ASSERT_TRUE(run.ok()) << run.status();
      auto drafted = briefings_->DraftDue(clock_.Now());
      ASSERT_TRUE(drafted.ok()) << drafted.status();
    }
  }

  void Task(const std::string& actor, const std::string& id, v1::TaskCommand c, const std::string& reason = "",
            const v1::ProgressReport* report = nullptr) {
    TaskCommandArgs a;
    a.task_id = id;
    a.command = c;
    a.reason = reason;
    if (report) a.report = *report;
    auto r = engine_->Execute(As(actor), a);
    ASSERT_TRUE(r.ok()) << actor << " " << id << ": " << r.status();
  }

  v1::Briefing Get(const std::string& id) {
    auto b = briefings_->Get(id);
    EXPECT_TRUE(b.ok()) << id << ": " << b.status();
    return b.ok() ? *b : v1::Briefing();
  }

  TempDir dir_;
  SimulatedClock clock_{Beijing(2023, 1, 1)};
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const AccountabilityConfig> config_;
  std::unique_ptr<Rankings> rankings_;
  std::unique_ptr<Accountability> acct_;
  std::unique_ptr<Briefings> briefings_;
};

bool HasTask(const google::protobuf::RepeatedPtrField<v1::TaskLine>& lines, const std::string& id,
             const std::string& note = "") {
  for (const auto& l : lines) {
    if (l.task_id() == id && (note.empty() || l.note() == note)) return true;
  }
  return false;
}

TEST_F(BriefingsTest, AQuarterIsDraftedOnTheCadenceDatesWithWhatHappened) {
  // January: 市商务局 reports on T1 (with a highlight, a difficulty and an
  // indicator) and asks to close it; the office returns it.
  AdvanceTo(Beijing(2023, 1, 5, 10));
  v1::ProgressReport report;
  report.set_work_done("开展促消费活动12场");
  report.set_highlights("“乐购宁乡”消费季带动消费1.2亿元");
  report.set_difficulties("促消费专项资金到位滞后");
  auto* iv = report.add_indicator_values();
  iv->set_indicator("社会消费品零售总额增长");
  iv->set_value(6.5);
  iv->set_unit_of_measure("%");
  Task("swj", "T1", v1::TASK_COMMAND_ACCEPT);
  Task("swj", "T1", v1::TASK_COMMAND_REPORT_PROGRESS, "", &report);
  AdvanceTo(Beijing(2023, 1, 16, 10));
  Task("swj", "T1", v1::TASK_COMMAND_REQUEST_COMPLETION);
  Task("fgj", "T1", v1::TASK_COMMAND_RETURN_COMPLETION, "缺少活动成效数据");
  // February: reported again and completed (one review step by default).
  AdvanceTo(Beijing(2023, 2, 6, 10));
  v1::ProgressReport again;
  again.set_work_done("补充12场活动成效数据");
  Task("swj", "T1", v1::TASK_COMMAND_REPORT_PROGRESS, "", &again);
  Task("swj", "T1", v1::TASK_COMMAND_REQUEST_COMPLETION);
  Task("fgj", "T1", v1::TASK_COMMAND_APPROVE_COMPLETION);
  // March: T10 is listed for supervision; the enforcement rankings of
  // January and February are entered, 市住建局 last both times.
  AdvanceTo(Beijing(2023, 3, 8, 10));
  EscalateRequest esc;
  esc.task_id = "T10";
  esc.reason = "逾期未完成，挂牌督办";
  auto item = engine_->Escalate(As("supervisor"), esc);
  ASSERT_TRUE(item.ok()) << item.status();
  std::vector<std::string> order = {"市应急管理局", "市交通运输局", "市市场监管局", "市水利局",         "市农业农村局",
                                    "市自然资源局", "市城管局",     "市消防救援大队", "市公安局交警大队", "市住建局"};
  std::vector<std::string> case_ids;
  for (const std::string month : {"2023-01", "2023-02"}) {
    RankingInput in;
    in.board = "enforcement";
    in.period = month;
    for (const auto& u : order) in.entries.push_back({u, std::nullopt});
    auto r = rankings_->EnterRanking(As("市安委办"), in);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const auto& c : r->opened) case_ids.push_back(c.id());
  }
  ASSERT_FALSE(case_ids.empty());
  AdvanceTo(Beijing(2023, 4, 15));

  // The dates: the cadence starts with the last periods of 2022 (their
  // deadlines fall in January), then nine dekad briefings for the quarter and
  // April's first, three monthly bulletins, one quarterly review; no annual
  // summary yet.
  auto all = briefings_->List(v1::BRIEFING_KIND_UNSPECIFIED, v1::BRIEFING_STATE_UNSPECIFIED);
  ASSERT_TRUE(all.ok()) << all.status();
  std::map<v1::BriefingKind, int> count;
  for (const auto& b : *all) ++count[b.kind()];
  EXPECT_EQ(count[v1::BRIEFING_KIND_DEKAD], 1 + 10);
  EXPECT_EQ(count[v1::BRIEFING_KIND_MONTHLY], 1 + 3);
  EXPECT_EQ(count[v1::BRIEFING_KIND_QUARTERLY], 1 + 1);
  EXPECT_EQ(FromTs(Get("dekad-briefing:2022-12-d3").drafted_at()), Beijing(2023, 1, 1, 8, 30));
  EXPECT_EQ(Get("quarterly-review:2022-Q4").period_end(), "2022-12-31");
  EXPECT_EQ(count[v1::BRIEFING_KIND_ANNUAL], 0);
  // Each on the morning after its period closes.
  v1::Briefing d1 = Get("dekad-briefing:2023-01-d1");
  EXPECT_EQ(FromTs(d1.drafted_at()), Beijing(2023, 1, 11, 8, 30));
  EXPECT_EQ(d1.period_start(), "2023-01-01");
  EXPECT_EQ(d1.period_end(), "2023-01-10");
  EXPECT_EQ(FromTs(Get("dekad-briefing:2023-02-d3").drafted_at()), Beijing(2023, 3, 1, 8, 30));
  v1::Briefing jan = Get("monthly-bulletin:2023-01");
  EXPECT_EQ(FromTs(jan.drafted_at()), Beijing(2023, 2, 1, 8, 30));
  v1::Briefing feb = Get("monthly-bulletin:2023-02");
  v1::Briefing mar = Get("monthly-bulletin:2023-03");
  v1::Briefing q1 = Get("quarterly-review:2023-Q1");
  EXPECT_EQ(FromTs(q1.drafted_at()), Beijing(2023, 4, 1, 8, 30));
  EXPECT_EQ(q1.period_start(), "2023-01-01");
  EXPECT_EQ(q1.period_end(), "2023-03-31");
  EXPECT_EQ(q1.state(), v1::BRIEFING_STATE_DRAFT);

  // Contents: progress per campaign and target, with the reported value.
  const v1::CampaignProgress* economy = nullptr;
  for (const auto& c : jan.campaigns()) {
    if (c.campaign_id() == "economy") economy = &c;
  }
  ASSERT_NE(economy, nullptr);
  EXPECT_EQ(economy->reports_in_period(), 1);
  EXPECT_EQ(economy->tasks_completed(), 0);
  bool found = false;
  for (const auto& i : economy->indicators()) {
    if (i.indicator() != "社会消费品零售总额增长") continue;
    found = true;
    EXPECT_TRUE(i.reported());
    EXPECT_DOUBLE_EQ(i.reported_value(), 6.5);
    EXPECT_DOUBLE_EQ(i.target_value(), 7);
    EXPECT_EQ(i.reported_by_task(), "1.1.1");
  }
  EXPECT_TRUE(found);
  // Returned in January, completed in February, both in the quarter.
  EXPECT_TRUE(HasTask(jan.returned(), "T1", "缺少活动成效数据"));
  EXPECT_FALSE(HasTask(jan.completed(), "T1"));
  EXPECT_TRUE(HasTask(feb.completed(), "T1"));
  EXPECT_FALSE(HasTask(feb.returned(), "T1"));
  EXPECT_TRUE(HasTask(q1.completed(), "T1"));
  EXPECT_TRUE(HasTask(q1.returned(), "T1"));
  EXPECT_TRUE(HasTask(Get("dekad-briefing:2023-01-d2").returned(), "T1"));
  EXPECT_FALSE(HasTask(Get("dekad-briefing:2023-01-d1").returned(), "T1"));
  for (const auto& c : feb.campaigns()) {
    if (c.campaign_id() == "economy") EXPECT_EQ(c.tasks_completed(), 1);
  }
  // Highlights and difficulties quoted from the report, in its month only.
  ASSERT_EQ(jan.highlights_size(), 1);
  EXPECT_EQ(jan.highlights(0).text(), "“乐购宁乡”消费季带动消费1.2亿元");
  EXPECT_EQ(jan.highlights(0).unit_name(), "市商务局");
  ASSERT_EQ(jan.difficulties_size(), 1);
  EXPECT_EQ(jan.difficulties(0).text(), "促消费专项资金到位滞后");
  EXPECT_EQ(feb.highlights_size(), 0);
  // Overdue: every task due by the end of the quarter and not completed.
  TaskFilter tf;
  tf.page_size = 500;
  auto tasks = engine_->ListTasks(tf);
  ASSERT_TRUE(tasks.ok());
  std::set<std::string> want_overdue, got_overdue;
  for (const auto& t : tasks->tasks) {
    if (!t.due_date().empty() && t.due_date() <= "2023-03-31" && t.state() != v1::TASK_STATE_COMPLETED &&
        t.state() != v1::TASK_STATE_ARCHIVED && t.state() != v1::TASK_STATE_CANCELLED) {
      want_overdue.insert(t.id());
    }
  }
  for (const auto& l : q1.overdue()) got_overdue.insert(l.task_id());
  EXPECT_EQ(got_overdue, want_overdue);
  // Late units, named: the reports of March that were missed, per unit.
  ObligationFilter of;
  of.page_size = 500;
  std::map<std::string, int> missed;
  while (true) {
    auto page = engine_->ListObligations(of);
    ASSERT_TRUE(page.ok());
    for (const auto& o : page->obligations) {
      absl::Time dl = FromTs(o.deadline());
      if (dl >= Beijing(2023, 3, 1) && dl < Beijing(2023, 4, 1) && o.state() == v1::OBLIGATION_STATE_MISSED) {
        ++missed[o.unit_id()];
      }
    }
    if (page->next_page_token.empty()) break;
    of.page_token = page->next_page_token;
  }
  ASSERT_FALSE(missed.empty());
  std::map<std::string, int> named;
  for (const auto& u : mar.late_units()) {
    if (u.obligations_missed() > 0) named[u.unit_id()] = u.obligations_missed();
    EXPECT_FALSE(u.unit_name().empty());
  }
  EXPECT_EQ(named, missed);
  // Supervision opened in March, rankings and cases of March.
  ASSERT_EQ(mar.supervision_opened_size(), 1);
  EXPECT_EQ(mar.supervision_opened(0).subject_id(), "T10");
  EXPECT_EQ(feb.supervision_opened_size(), 0);
  EXPECT_EQ(mar.rankings_size(), 2);
  EXPECT_EQ(feb.rankings_size(), 0);
  std::vector<std::string> in_march;
  for (const auto& c : mar.cases()) in_march.push_back(c.id());
  EXPECT_EQ(in_march, case_ids);
  EXPECT_EQ(q1.cases_size(), static_cast<int>(case_ids.size()));

  // Drafting again drafts nothing: each period once.
  auto again_drafted = briefings_->DraftDue(clock_.Now());
  ASSERT_TRUE(again_drafted.ok());
  EXPECT_EQ(*again_drafted, 0);
}

TEST_F(BriefingsTest, AClockMovedFarAheadStillDraftsEveryPeriodOnTheWayOnce) {
  ASSERT_TRUE(briefings_->DraftDue(clock_.Now()).ok());  // the daemon's first pass, at start
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 4, 15)).ok());
  auto drafted = briefings_->DraftDue(clock_.Now());
  ASSERT_TRUE(drafted.ok()) << drafted.status();
  EXPECT_EQ(*drafted, 11 + 4 + 2);
  EXPECT_EQ(FromTs(Get("monthly-bulletin:2023-02").drafted_at()), Beijing(2023, 3, 1, 8, 30));
  EXPECT_EQ(*briefings_->DraftDue(clock_.Now()), 0);
}

TEST_F(BriefingsTest, TheOfficeEditsADraftThenPublishesItOnce) {
  AdvanceTo(Beijing(2023, 1, 12));
  v1::Briefing d = Get("dekad-briefing:2023-01-d1");
  ASSERT_EQ(d.version(), 1u);
  CommandMeta stale = As("fgj");
  stale.expected_version = 7;
  EXPECT_EQ(briefings_->Edit(stale, d.id(), "", "本期导语", "").status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(briefings_->Edit(As("fgj"), d.id(), "", "", "").status().code(), absl::StatusCode::kInvalidArgument);
  auto edited = briefings_->Edit(As("fgj"), d.id(), "宁乡市“六仗”工作专报（第1期）", "本期导语：开局良好。", "");
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->version(), 2u);
  EXPECT_EQ(edited->title(), "宁乡市“六仗”工作专报（第1期）");
  EXPECT_EQ(edited->preface(), "本期导语：开局良好。");
  EXPECT_EQ(edited->edited_by(), "fgj");
  auto published = briefings_->Publish(As("fgj"), d.id());
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->state(), v1::BRIEFING_STATE_PUBLISHED);
  EXPECT_EQ(FromTs(published->published_at()), clock_.Now());
  EXPECT_EQ(Get(d.id()).state(), v1::BRIEFING_STATE_PUBLISHED);
  EXPECT_EQ(briefings_->Publish(As("fgj"), d.id()).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(briefings_->Edit(As("fgj"), d.id(), "", "x", "").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(briefings_->Get("dekad-briefing:2099-01-d1").status().code(), absl::StatusCode::kNotFound);
  auto drafts = briefings_->List(v1::BRIEFING_KIND_DEKAD, v1::BRIEFING_STATE_PUBLISHED);
  ASSERT_TRUE(drafts.ok());
  ASSERT_EQ(drafts->size(), 1u);

  // Rendered for print and as Markdown, with the edits.
  std::string html = BriefingToHtml(*published);
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
  EXPECT_NE(html.find("<h1>宁乡市“六仗”工作专报（第1期）</h1>"), std::string::npos);
  EXPECT_NE(html.find("本期导语：开局良好。"), std::string::npos);
  EXPECT_NE(html.find("四、逾期未办结任务"), std::string::npos);
  std::string md = BriefingToMarkdown(*published);
  EXPECT_EQ(md.rfind("# 宁乡市“六仗”工作专报（第1期）\n", 0), 0u);
  EXPECT_NE(md.find("## 一、各仗工作推进情况\n\n| 战役 | 任务数 | 已办结 | 本期报送 |"), std::string::npos);
  EXPECT_NE(md.find("已印发"), std::string::npos);
}

// A briefing whose list was cut to keep it bounded says so under that
// section, in print and in Markdown.
TEST(BriefingRenderTest, ASectionCutToTheBoundSaysHowManyEntriesItLeftOut) {
  v1::Briefing b;
  b.set_title("专报");
  for (int i = 1; i <= 2; ++i) {
    v1::TaskLine* l = b.add_overdue();
    l->set_code(absl::StrCat("1.", i));
    l->set_title("逾期任务");
  }
  (*b.mutable_left_out())["overdue"] = 1234;
  const std::string line = "另有1234项未列入本期简报，详见台账。";
  std::string md = BriefingToMarkdown(b);
  size_t section = md.find("## 四、逾期未办结任务");
  size_t next = md.find("## 五、");
  ASSERT_NE(section, std::string::npos);
  size_t at = md.find(line);
  ASSERT_NE(at, std::string::npos) << md;
  EXPECT_TRUE(at > section && at < next) << "the line is under its own section";
  EXPECT_EQ(md.find(line, at + 1), std::string::npos) << "and under no other";
  EXPECT_NE(BriefingToHtml(b).find("<p>" + line + "</p>"), std::string::npos);
}

}  // namespace
}  // namespace duban
