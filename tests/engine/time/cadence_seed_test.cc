// The seed's reporting duties, each with its rule in config/cadences.yaml:
// the simulated 2023 from the plan's issue date (2023-03-17) with the real
// calendar and demo plan, listing for every duty its reporters, its first
// deadline and whether it repeats, against what the plan says.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/time/cadence.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

std::string Local(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M", FromTs(ts), PlanTimeZone());
}

// One reporting duty of the seed.
struct Duty {
  std::string rule;
  std::string clause;                     // where the plan states it
  int reporters;                          // distinct reporting subjects
  std::vector<std::string> must_report;   // units named by the plan that must be among them
  std::string first_deadline;             // Beijing time
  bool repeats;
};

const std::vector<Duty>& SeedDuties() {
  static const auto* v = new std::vector<Duty>{
      // 各专班于每月7日、17日、27日前 — six task forces; the plan is issued on the 17th.
      {"task-force-feedback", "附件7 第十一条", 6, {}, "2023-03-27 17:30", true},
      {"dekad-briefing", "附件7 第五条", 1, {"市发改局"}, "2023-03-22 17:30", true},
      {"monthly-bulletin", "附件7 第六条", 1, {"市发改局"}, "2023-04-10 17:30", true},
      {"quarterly-review", "附件7 第七条", 1, {"市发改局"}, "2023-04-17 17:30", true},
      // 年底: 2023-12-31 is a Sunday.
      {"annual-summary", "附件7 第八条", 1, {"市发改局"}, "2023-12-29 17:30", true},
      // 各园区、乡镇（街道）、各部门每周四 / 每月20日前 / 每季度 / 2023年12月5日前.
      {"safety-weekly", "附件5 四（二）", 63, {"宁乡经开区", "宁乡高新区", "市交通运输局", "市公安局交警大队", "道林镇", "市应急管理局"},
       "2023-03-23 17:30", true},
      {"safety-monthly", "附件5 四（二）", 63, {"宁乡经开区", "宁乡高新区", "市交通运输局", "市公安局交警大队", "道林镇"},
       "2023-03-20 17:30", true},
      {"safety-quarterly-analysis", "附件5 四（二）", 63, {"宁乡经开区", "市公安局交警大队"}, "2023-04-10 17:30", true},
      {"safety-annual", "附件5 四（二）", 63, {"宁乡高新区", "市交通运输局"}, "2023-12-05 17:30", false},
      // 专委会至少每季度 … 向市委和政府（安委会）报告.
      {"safety-committee-quarterly", "附件5 三（一）2", 10, {"市应急管理局", "市消防救援大队"}, "2023-03-31 17:30", true},
      // 4.3.10 每周调度未全面复工项目.
      {"real-estate-weekly-scheduling", "4.3.10", 1, {"市住建局"}, "2023-03-20 17:30", true},
      // 附件4 二（一）3 继续坚持周调度和月调度.
      {"debt-weekly-scheduling", "附件4 二（一）3", 4, {}, "2023-03-20 17:30", true},
      {"debt-monthly-scheduling", "附件4 二（一）3", 4, {}, "2023-04-06 17:30", true},
  };
  return *v;
}

class CadenceSeedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    clock_ = new SimulatedClock(Beijing(2023, 3, 17));
    auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
    ASSERT_TRUE(cal.ok()) << cal.status();
    auto cad = LoadCadencesFile(SourcePath("config/cadences.yaml"));
    ASSERT_TRUE(cad.ok()) << cad.status();
    cadences_ = new CadenceConfig(*cad);
    EngineOptions opts;
    opts.calendar = std::make_shared<const WorkCalendar>(std::move(*cal));
    opts.cadences = std::make_shared<const CadenceConfig>(std::move(*cad));
    auto e = Engine::Open(dir_->sub("db"), clock_, opts);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = e->release();
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok());
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
    ASSERT_TRUE(engine_->StartCadences().ok());
    ASSERT_TRUE(engine_->AdvanceClock(Beijing(2024, 1, 1)).ok());
    ObligationFilter f;
    f.page_size = 1000;
    while (true) {
      auto page = engine_->ListObligations(f);
      ASSERT_TRUE(page.ok()) << page.status();
      for (auto& o : page->obligations) obligations_->push_back(std::move(o));
      if (page->next_page_token.empty()) break;
      f.page_token = page->next_page_token;
    }
  }
  static void TearDownTestSuite() {
    delete engine_;
    delete clock_;
    delete dir_;
    delete cadences_;
  }

  static TempDir* dir_;
  static SimulatedClock* clock_;
  static Engine* engine_;
  static CadenceConfig* cadences_;
  static std::vector<v1::Obligation>* obligations_;
};

TempDir* CadenceSeedTest::dir_ = nullptr;
SimulatedClock* CadenceSeedTest::clock_ = nullptr;
Engine* CadenceSeedTest::engine_ = nullptr;
CadenceConfig* CadenceSeedTest::cadences_ = nullptr;
std::vector<v1::Obligation>* CadenceSeedTest::obligations_ = new std::vector<v1::Obligation>;

TEST_F(CadenceSeedTest, EveryReportingDutyOfTheSeedHasItsRuleReportersAndFirstDeadline) {
  std::set<std::string> listed;
  for (const Duty& d : SeedDuties()) {
    SCOPED_TRACE(d.rule);
    listed.insert(d.rule);
    const CadenceRule* rule = nullptr;
    for (const auto& r : cadences_->rules) {
      if (r.id == d.rule) rule = &r;
    }
    ASSERT_NE(rule, nullptr) << "no rule for " << d.clause;
    EXPECT_EQ(rule->source, d.clause);
    std::set<std::string> subjects, periods;
    std::string first;
    for (const auto& o : *obligations_) {
      if (o.rule_id() != d.rule) continue;
      subjects.insert(o.subject_id());
      periods.insert(o.period_label());
      if (first.empty() || Local(o.deadline()) < first) first = Local(o.deadline());
    }
    EXPECT_EQ(static_cast<int>(subjects.size()), d.reporters);
    for (const auto& name : d.must_report) {
      auto r = engine_->Resolve(name);
      ASSERT_TRUE(r.ok() && !r->units.empty()) << name;
      EXPECT_TRUE(subjects.count(r->units[0].id())) << name << " does not report";
    }
    EXPECT_EQ(first, d.first_deadline);
    // Nothing falls due before the plan was issued.
    EXPECT_GE(first, "2023-03-17");
    if (d.repeats) {
      // A yearly duty has one period in 2023; it repeats because nothing ends it.
      if (rule->kind != ScheduleKind::kYearly) EXPECT_GT(periods.size(), 1u);
      EXPECT_FALSE(rule->active_until.has_value());
    } else {
      EXPECT_EQ(periods.size(), 1u);
      ASSERT_TRUE(rule->active_until.has_value());
      EXPECT_EQ(rule->active_until->year(), 2023);
    }
  }
  // Every rule of the file is a duty of the seed.
  for (const auto& r : cadences_->rules) EXPECT_TRUE(listed.count(r.id)) << r.id << " is not a duty of the seed";
}

// What the plan does not state is marked as the file's choice, with a reason:
// the working-day offsets after each dekad, month and quarter, and the
// weekday of weekly duties the plan does not name.
TEST_F(CadenceSeedTest, ValuesThePlanDoesNotStateAreMarkedAsChoices) {
  for (const auto& r : cadences_->rules) {
    SCOPED_TRACE(r.id);
    bool offset_kind = r.kind == ScheduleKind::kDekad || r.kind == ScheduleKind::kMonthEnd ||
                       r.kind == ScheduleKind::kQuarterEnd;
    if (offset_kind) EXPECT_TRUE(r.choices.count("offset_working_days"));
    if (r.kind == ScheduleKind::kWeekly && r.id != "safety-weekly") EXPECT_TRUE(r.choices.count("weekday"));
    for (const auto& [key, reason] : r.choices) EXPECT_GT(reason.size(), 20u) << key;
  }
}

TEST(CadenceChoices, UnknownChoiceKeysAndEmptyReasonsAreRefused) {
  const std::string base = R"(rules:
  - id: r
    name: 周报
    reporters: {units: [市发改局]}
    recipient: 市政府办
    schedule: {kind: weekly, weekday: monday}
)";
  auto doc = yamlx::Parse("c.yaml", base + "    choices: {colour: blue is nice}\n");
  ASSERT_TRUE(doc.ok());
  auto c = LoadCadences(*doc);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("rules[0].choices.colour: not a value of the rule"), std::string::npos)
      << c.status();
  doc = yamlx::Parse("c.yaml", base + "    choices: {weekday: \"\"}\n");
  ASSERT_TRUE(doc.ok());
  c = LoadCadences(*doc);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("rules[0].choices.weekday: give the reason"), std::string::npos) << c.status();
}

}  // namespace
}  // namespace duban
