// Ladders written for the tests: each case is a few lines of YAML, a sequence
// of rankings, and the exact cases each ranking opens. Together they cover
// every ladder option of config/accountability.yaml (interviewers and
// levels_higher, by_category actions and roles, category offsets up and
// down, restart_after_case, the year / 12-month / quarter windows,
// consecutive periods, several boards combined, rule texts) in shapes other
// than Ningxiang's; signal ladders (missed reports) run on a simulated clock
// with the real work calendar.
#include <algorithm>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ladder_rules.h"
#include "engine/accountability/ranking.h"
#include "engine/engine.h"
#include "engine/time/cadence.h"
#include "engine/time/clock.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using ::duban::testing::SourcePath;
using ::duban::testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

CommandMeta Meta() {
  CommandMeta m;
  m.actor = "市安委办-测试";
  return m;
}

// Every ladder below shares these roles and boards.
constexpr char kCommon[] = R"(roles:
  vice_mayor_in_charge: 分管市领导
  mayor: 市主要领导
  party_secretary: 市委书记
  office: 市安委办
interviewers: [vice_mayor_in_charge, mayor, party_secretary]
boards:
  - id: general
    name: 综合排名
    source: entered
    cadence: monthly
    members: [道林镇, 大屯营镇, 花明楼镇, 宁乡经开区, 宁乡高新区, 市发改局, 市教育局, 市财政局]
  - id: fire
    name: 消防排名
    source: entered
    cadence: monthly
    members: [道林镇, 大屯营镇, 花明楼镇, 宁乡经开区, 宁乡高新区, 市发改局, 市教育局, 市财政局]
  - id: quarterly
    name: 季度考评
    source: entered
    cadence: quarterly
    members: [道林镇, 大屯营镇, 花明楼镇, 宁乡经开区, 宁乡高新区, 市发改局, 市教育局, 市财政局]
)";

const std::vector<std::string>& Members() {
  static const auto* v = new std::vector<std::string>{"道林镇",     "大屯营镇", "花明楼镇", "宁乡经开区",
                                                      "宁乡高新区", "市发改局", "市教育局", "市财政局"};
  return *v;
}

struct Entry {
  std::string board;
  std::string period;
  std::vector<std::string> bottom;    // moved to the end, the last name last
  std::vector<std::string> expected;  // "unit period action/by_role#step", sorted
};

struct LadderCase {
  std::string name;
  std::string ladders;  // the `ladders:` block
  std::vector<Entry> entries;
};

const std::vector<LadderCase>& Cases() {
  static const auto* v = new std::vector<LadderCase>{
      // Shape 1: bottom three two months running or three times in a year;
      // departments are interviewed one level higher; parks need one fewer.
      {"bottom-three-departments-one-level-higher",
       R"(ladders:
  - id: bottom-three
    name: 综合排名后三名约谈
    board: general
    band: {bottom: 3}
    category_offsets: {park: -1}
    steps:
      - when: {consecutive: 2, within_year: 3}
        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}
        by_category: {department: {levels_higher: 1}}
      - when: {consecutive: 3}
        action: {id: interview, name: 约谈, by_role: mayor}
        by_category: {department: {levels_higher: 1}}
)",
       {
           {"general", "2023-01", {"道林镇", "市发改局", "宁乡经开区"}, {"宁乡经开区 2023-01 interview/vice_mayor_in_charge#1"}},
           {"general",
            "2023-02",
            {"道林镇", "市发改局", "花明楼镇"},
            {"市发改局 2023-02 interview/mayor#1", "道林镇 2023-02 interview/vice_mayor_in_charge#1"}},
           {"general",
            "2023-03",
            {"道林镇", "市发改局", "宁乡经开区"},
            {"宁乡经开区 2023-03 interview/vice_mayor_in_charge#1", "市发改局 2023-03 interview/party_secretary#2",
             "道林镇 2023-03 interview/mayor#2"}},
           {"general", "2023-04", {"花明楼镇", "市教育局", "市财政局"}, {}},
           // 花明楼镇: April and May running; 宁乡高新区: a park, once is enough.
           {"general",
            "2023-05",
            {"花明楼镇", "大屯营镇", "宁乡高新区"},
            {"宁乡高新区 2023-05 interview/vice_mayor_in_charge#1", "花明楼镇 2023-05 interview/vice_mayor_in_charge#1"}},
       }},
      // Shape 2: every second last place is criticised; the count restarts
      // after each case.
      {"every-second-last-place",
       R"(ladders:
  - id: every-second
    name: 倒数第一累计两次通报批评
    board: general
    band: last
    restart_after_case: true
    steps:
      - when: {within_year: 2}
        action: {id: criticism_notice, name: 通报批评, by_role: office}
)",
       {
           {"general", "2023-01", {"道林镇"}, {}},
           {"general", "2023-02", {"大屯营镇"}, {}},
           {"general", "2023-03", {"道林镇"}, {"道林镇 2023-03 criticism_notice/office#1"}},
           {"general", "2023-04", {"道林镇"}, {}},
           {"general", "2023-05", {"道林镇"}, {"道林镇 2023-05 criticism_notice/office#1"}},
           {"general", "2023-06", {"道林镇"}, {}},
           {"general", "2023-07", {"大屯营镇"}, {"大屯营镇 2023-07 criticism_notice/office#1"}},
       }},
      // Shape 3: last in two different rankings in one quarter.
      {"two-boards-in-a-quarter",
       R"(ladders:
  - id: two-boards
    name: 同一季度两项排名倒数第一
    boards: [general, fire]
    band: last
    steps:
      - when: {within_quarter: 2}
        action: {id: criticism_notice, name: 通报批评, by_role: office}
        rule: 同一季度内在综合排名和消防排名中两次排名倒数第一的，由市安委办通报批评
)",
       {
           {"general", "2023-01", {"道林镇"}, {}},
           {"fire", "2023-01", {"道林镇"}, {"道林镇 2023-01 criticism_notice/office#1"}},
           {"general", "2023-02", {"市发改局"}, {}},
           {"fire", "2023-03", {"花明楼镇"}, {}},
           // April is another quarter: 市发改局's February place no longer counts.
           {"fire", "2023-04", {"市发改局"}, {}},
           {"general", "2023-05", {"市发改局"}, {"市发改局 2023-05 criticism_notice/office#1"}},
       }},
      // Shape 4: three last places in any 12 months, across the year's end,
      // where the calendar year alone would never reach three; townships get
      // a criticism instead of an interview.
      {"rolling-twelve-months",
       R"(ladders:
  - id: rolling
    name: 十二个月内三次倒数第一
    board: general
    band: last
    steps:
      - when: {within_12_months: 3}
        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}
        by_category:
          township: {action: {id: criticism_notice, name: 通报批评, by_role: office}}
)",
       {
           {"general", "2023-01", {"市教育局"}, {}},
           {"general", "2023-06", {"道林镇"}, {}},
           {"general", "2023-07", {"市教育局"}, {}},
           {"general", "2023-11", {"道林镇"}, {}},
           {"general", "2024-02", {"道林镇"}, {"道林镇 2024-02 criticism_notice/office#1"}},
           // 市教育局: 2023-01 has left the window of 2024-03.
           {"general", "2024-03", {"市教育局"}, {}},
           {"general", "2024-06", {"市教育局"}, {"市教育局 2024-06 interview/vice_mayor_in_charge#1"}},
       }},
      // Shape 5: a quarterly board, two quarters running; departments need
      // one more, the parks' interviewer is named directly.
      {"quarterly-consecutive-with-offsets",
       R"(ladders:
  - id: quarters
    name: 季度考评后两名
    board: quarterly
    band: {bottom: 2}
    category_offsets: {department: 1}
    steps:
      - when: {consecutive: 2}
        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}
        by_category: {park: {by_role: mayor}}
)",
       {
           {"quarterly", "2023-Q1", {"宁乡高新区", "市财政局"}, {}},
           {"quarterly",
            "2023-Q2",
            {"宁乡高新区", "市财政局"},
            {"宁乡高新区 2023-Q2 interview/mayor#1"}},
           {"quarterly", "2023-Q3", {"道林镇", "市财政局"}, {"市财政局 2023-Q3 interview/vice_mayor_in_charge#1"}},
           {"quarterly", "2023-Q4", {"道林镇", "宁乡经开区"}, {"道林镇 2023-Q4 interview/vice_mayor_in_charge#1"}},
       }},
  };
  return *v;
}

std::vector<std::string> Order(const std::vector<std::string>& bottom) {
  std::vector<std::string> out;
  for (const auto& u : Members()) {
    if (std::find(bottom.begin(), bottom.end(), u) == bottom.end()) out.push_back(u);
  }
  out.insert(out.end(), bottom.begin(), bottom.end());
  return out;
}

class LadderRulesTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(EngineOptions{}); }

  // A fresh store with the demo plan imported, on a clock at `start`.
  void Open(EngineOptions options, absl::Time start = Beijing(2025, 1, 10, 10, 0)) {
    acct_.reset();
    rankings_.reset();
    engine_.reset();
    dir_ = std::make_unique<TempDir>();
    clock_ = std::make_unique<SimulatedClock>(start);
    auto e = Engine::Open(dir_->path(), clock_.get(), std::move(options));
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto summary = engine_->ImportPlan(*doc, "tester", true);
    ASSERT_TRUE(summary.ok()) << summary.status();
  }

  absl::Status Load(const std::string& ladders) {
    auto doc = yamlx::Parse("ladders.yaml", absl::StrCat(kCommon, ladders));
    if (!doc.ok()) return doc.status();
    auto cfg = LoadAccountabilityConfig(*doc, engine_->directory());
    if (!cfg.ok()) return cfg.status();
    config_ = std::make_shared<const AccountabilityConfig>(std::move(*cfg));
    rankings_ = std::make_unique<Rankings>(&engine_->context(), &engine_->tasks(), &engine_->obligations(), config_);
    acct_ = std::make_unique<Accountability>(&engine_->context(), &engine_->supervision(), config_, rankings_.get());
    return acct_->Init();
  }

  std::string Name(const std::string& id) {
    auto u = engine_->GetUnit(id);
    return u.ok() ? u->name() : id;
  }

  std::vector<std::string> Summary(const std::vector<v1::AccountabilityCase>& cases) {
    std::vector<std::string> out;
    for (const auto& c : cases) {
      out.push_back(absl::StrCat(Name(c.unit_id()), " ", c.period(), " ", c.action(), "/", c.by_role(), "#", c.step()));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<SimulatedClock> clock_;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const AccountabilityConfig> config_;
  std::unique_ptr<Rankings> rankings_;
  std::unique_ptr<Accountability> acct_;
};

TEST_F(LadderRulesTest, EachLadderOpensExactlyTheExpectedCases) {
  for (const LadderCase& lc : Cases()) {
    SCOPED_TRACE(lc.name);
    Open(EngineOptions{});
    ASSERT_TRUE(Load(lc.ladders).ok()) << Load(lc.ladders);
    size_t total = 0;
    for (const Entry& e : lc.entries) {
      SCOPED_TRACE(absl::StrCat(e.board, " ", e.period));
      RankingInput in;
      in.board = e.board;
      in.period = e.period;
      for (const auto& u : Order(e.bottom)) in.entries.push_back({u, std::nullopt});
      auto r = rankings_->EnterRanking(Meta(), in);
      ASSERT_TRUE(r.ok()) << r.status();
      std::vector<std::string> expected = e.expected;
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(Summary(r->opened), expected);
      total += r->opened.size();
    }
    auto all = acct_->ListCases({});
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), total);
  }
}

// The reasons state the rule in the office's words: the facts, then the
// rule (the configured text, or one written from the step) — never a step
// number or an offset.
TEST_F(LadderRulesTest, CaseReasonsStateTheRuleInTheOfficesWords) {
  ASSERT_TRUE(Load(Cases()[0].ladders).ok());
  for (const Entry& e : Cases()[0].entries) {
    RankingInput in;
    in.board = e.board;
    in.period = e.period;
    for (const auto& u : Order(e.bottom)) in.entries.push_back({u, std::nullopt});
    ASSERT_TRUE(rankings_->EnterRanking(Meta(), in).ok());
  }
  CaseFilter f;
  f.unit = "市发改局";
  auto cases = acct_->ListCases(f);
  ASSERT_TRUE(cases.ok());
  ASSERT_EQ(cases->size(), 2u);
  EXPECT_EQ((*cases)[0].reason(),
            "综合排名 2023-02：市发改局排名后3名（连续2期，2023年累计2期）。依据“综合排名后三名约谈”："
            "市直部门连续2期排名后3名或一年内累计3期排名后3名的，由市主要领导约谈。");
  EXPECT_EQ((*cases)[1].reason(),
            "综合排名 2023-03：市发改局排名后3名（连续3期，2023年累计3期）。依据“综合排名后三名约谈”："
            "市直部门连续3期排名后3名的，由市委书记约谈。");
  f.unit = "宁乡经开区";
  cases = acct_->ListCases(f);
  ASSERT_TRUE(cases.ok());
  ASSERT_EQ(cases->size(), 2u);
  EXPECT_EQ((*cases)[0].reason(),
            "综合排名 2023-01：宁乡经开区排名后3名（连续1期，2023年累计1期）。依据“综合排名后三名约谈”："
            "园区连续1期排名后3名或一年内累计2期排名后3名的，由分管市领导约谈。");
  for (const auto& c : *cases) {
    EXPECT_EQ(c.reason().find("第1级"), std::string::npos);
    EXPECT_EQ(c.reason().find("offset"), std::string::npos);
  }
}

TEST_F(LadderRulesTest, ConfiguredRuleTextIsTheReasonsRule) {
  ASSERT_TRUE(Load(Cases()[2].ladders).ok());
  for (const char* board : {"general", "fire"}) {
    RankingInput in;
    in.board = board;
    in.period = "2023-01";
    for (const auto& u : Order({"道林镇"})) in.entries.push_back({u, std::nullopt});
    ASSERT_TRUE(rankings_->EnterRanking(Meta(), in).ok());
  }
  auto cases = acct_->ListCases({});
  ASSERT_TRUE(cases.ok());
  ASSERT_EQ(cases->size(), 1u);
  EXPECT_EQ((*cases)[0].reason(),
            "消防排名 2023-01：道林镇在综合排名、消防排名中排名倒数第一（本季度累计2期）。依据“同一季度两项排名倒数第一”："
            "同一季度内在综合排名和消防排名中两次排名倒数第一的，由市安委办通报批评。");
}

TEST_F(LadderRulesTest, BadLadderOptionsAreRefusedNamingTheField) {
  struct Bad {
    std::string ladders;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {"ladders:\n  - id: x\n    board: general\n    band: last\n    category_offsets: {park: -101}\n    steps:\n"
       "      - when: {consecutive: 1}\n        action: {id: a, name: 约谈, by_role: mayor}\n",
       "ladders[0].category_offsets.park: must be -100 to 100"},
      {"ladders:\n  - id: x\n    board: general\n    band: last\n    steps:\n      - when: {consecutive: 1}\n"
       "        action: {id: a, name: 约谈, by_role: party_secretary}\n        by_category: {department: {levels_higher: 1}}\n",
       "ladders[0].steps[0].by_category.department.levels_higher: 1 from 'party_secretary' is outside `interviewers`"},
      {"ladders:\n  - id: x\n    board: general\n    band: last\n    steps:\n      - when: {consecutive: 1}\n"
       "        action: {id: a, name: 约谈, by_role: office}\n        by_category: {department: {levels_higher: 1}}\n",
       "the step's role 'office' is not in `interviewers`"},
      {"ladders:\n  - id: x\n    boards: [general, fire]\n    band: last\n    steps:\n      - when: {consecutive: 2}\n"
       "        action: {id: a, name: 约谈, by_role: mayor}\n",
       "ladders[0].steps[0].when.consecutive: counts periods of one board"},
      {"ladders:\n  - id: x\n    board: general\n    signal: missed_report\n    steps:\n      - when: {within_year: 2}\n"
       "        action: {id: a, name: 约谈, by_role: mayor}\n",
       "ladders[0]: give exactly one of board, boards or signal"},
      {"ladders:\n  - id: x\n    signal: late_lunch\n    steps:\n      - when: {within_year: 2}\n"
       "        action: {id: a, name: 约谈, by_role: mayor}\n",
       "ladders[0].signal: 'late_lunch' is not missed_report, red_task or supervision_overdue"},
      {"ladders:\n  - id: x\n    board: general\n    band: last\n    steps:\n      - when: {within_quarter: 0}\n"
       "        action: {id: a, name: 约谈, by_role: mayor}\n",
       "ladders[0].steps[0].when.within_quarter: must be 1 to 100"},
      {"ladders:\n  - id: x\n    board: general\n    band: last\n    steps:\n      - when: {within_year: 2}\n"
       "        action: {id: a, name: 约谈, by_role: mayor}\n        by_category: {county: {by_role: mayor}}\n",
       "by_category.county: unknown unit category"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.message);
    EXPECT_TRUE(IsError(Load(b.ladders), absl::StatusCode::kInvalidArgument, b.message)) << Load(b.ladders);
  }
  auto doc = yamlx::Parse("x.yaml", "roles: {mayor: 市长}\ninterviewers: [mayor, governor]\nboards: []\n");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(IsError(LoadAccountabilityConfig(*doc, engine_->directory()).status(), absl::StatusCode::kInvalidArgument,
                      "interviewers[1]: unknown role 'governor'"));
}

// A ladder on a signal: three missed report deadlines in a quarter → 通报批评,
// the count restarting after each case. Weekly reports (Thursdays) for two
// townships on the real calendar; 道林镇 never reports, 大屯营镇 misses two.
TEST_F(LadderRulesTest, MissedReportsInAQuarterOpenCasesOnTheDayOfTheThirdMiss) {
  auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
  ASSERT_TRUE(cal.ok()) << cal.status();
  auto cad_doc = yamlx::Parse("cadences.yaml", R"(rules:
  - id: town-weekly
    name: 乡镇周报
    reporters: {units: [道林镇, 大屯营镇]}
    recipient: 市安委办
    schedule: {kind: weekly, weekday: thursday}
)");
  ASSERT_TRUE(cad_doc.ok());
  auto cad = LoadCadences(*cad_doc);
  ASSERT_TRUE(cad.ok()) << cad.status();
  EngineOptions opts;
  opts.calendar = std::make_shared<const WorkCalendar>(*cal);
  opts.cadences = std::make_shared<const CadenceConfig>(*cad);
  Open(opts, Beijing(2023, 3, 20, 8, 0));  // a Monday
  ASSERT_TRUE(engine_->StartCadences().ok());
  ASSERT_TRUE(Load(R"(ladders:
  - id: missed-three
    name: 季度内三次未按时报送
    signal: missed_report
    restart_after_case: true
    steps:
      - when: {within_quarter: 3}
        action: {id: criticism_notice, name: 通报批评, by_role: office}
)").ok());
  // Thursdays 23 March … 11 May; 大屯营镇 misses 30 March and 13 April.
  const std::set<std::string> datunying_misses = {"2023-03-30", "2023-04-13"};
  auto submit_due = [&](absl::CivilDay thursday) {
    ObligationFilter f;
    f.unit = "大屯营镇";
    f.state = v1::OBLIGATION_STATE_PENDING;
    auto page = engine_->ListObligations(f);
    ASSERT_TRUE(page.ok());
    for (const auto& o : page->obligations) {
      if (datunying_misses.count(absl::FormatCivilTime(thursday))) continue;
      ASSERT_TRUE(engine_->SubmitReport(Meta(), o.id(), "本周工作动态").ok());
    }
  };
  std::vector<std::string> opened_at;
  for (absl::CivilDay d(2023, 3, 23); d <= absl::CivilDay(2023, 5, 11); d += 7) {
    ASSERT_TRUE(engine_->AdvanceClock(absl::FromCivil(absl::CivilMinute(d.year(), d.month(), d.day(), 10, 0),
                                                      PlanTimeZone()))
                    .ok());
    submit_due(d);
    ASSERT_TRUE(engine_->AdvanceClock(absl::FromCivil(absl::CivilMinute(d.year(), d.month(), d.day(), 18, 0),
                                                      PlanTimeZone()))
                    .ok());
    auto r = acct_->EvaluateSignals(Meta());
    ASSERT_TRUE(r.ok()) << r.status();
    for (const auto& c : *r) opened_at.push_back(absl::StrCat(absl::FormatCivilTime(d), ": ", Summary({c})[0]));
  }
  // Q1 has two misses; Q2's third (20 April) opens a case, the count
  // restarts, and the sixth (11 May) opens the next.
  EXPECT_EQ(opened_at, (std::vector<std::string>{"2023-04-20: 道林镇 2023-04-20 criticism_notice/office#1",
                                                 "2023-05-11: 道林镇 2023-05-11 criticism_notice/office#1"}));
  auto again = acct_->EvaluateSignals(Meta());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  auto cases = acct_->ListCases({});
  ASSERT_TRUE(cases.ok());
  ASSERT_EQ(cases->size(), 2u);
  EXPECT_EQ((*cases)[0].reason(),
            "2023-04-20：道林镇未按时报送（本季度累计3次）。依据“季度内三次未按时报送”：一个季度内累计3次未按时报送的，"
            "由市安委办通报批评。");
  EXPECT_EQ((*cases)[1].reason(),
            "2023-05-11：道林镇未按时报送（自上次问责后本季度累计3次）。依据“季度内三次未按时报送”："
            "一个季度内累计3次未按时报送的，由市安委办通报批评。");
}

TEST(LadderWindows, CountsAndPeriodLabels) {
  auto month = [](int y, int m) {
    return Occurrence{absl::CivilDay(y, m, 1), absl::CivilDay(absl::CivilMonth(y, m) + 1) - 1};
  };
  std::vector<Occurrence> occ = {month(2023, 3), month(2023, 11), month(2024, 1), month(2024, 2), month(2024, 5)};
  LadderCounts c = CountWindows(occ, month(2024, 2));
  EXPECT_EQ(c.within_year, 2);       // 2024-01, 2024-02
  EXPECT_EQ(c.within_quarter, 2);    // Q1 2024
  EXPECT_EQ(c.within_12_months, 4);  // 2023-03 … 2024-02 (2024-05 is later)
  EXPECT_EQ(*PeriodLabelEndDay("2024-02"), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(*PeriodLabelEndDay("2023-Q3"), absl::CivilDay(2023, 9, 30));
  EXPECT_EQ(*PeriodLabelEndDay("2023"), absl::CivilDay(2023, 12, 31));
  EXPECT_EQ(*PeriodLabelEndDay("fire@2023-01"), absl::CivilDay(2023, 1, 31));
  EXPECT_EQ(*PeriodLabelEndDay("2023-05-04"), absl::CivilDay(2023, 5, 4));
  EXPECT_TRUE(IsError(PeriodLabelEndDay("2023-13").status(), absl::StatusCode::kInvalidArgument, "2023-13"));
}

}  // namespace
}  // namespace duban
