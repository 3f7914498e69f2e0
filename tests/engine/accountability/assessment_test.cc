// The year-end assessment: the demo tables (config/demo/safety-assessment.yaml),
// every rule kind met and not met, the outcomes, rewards and incentives, the
// figures stored through an engine, and malformed assessment files.
#include "engine/accountability/assessment.h"

#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/time/clock.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/store_dump.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::DumpDiff;
using ::duban::testing::DumpStore;

using testing::SourcePath;
using testing::TempDir;

constexpr char kDemo[] = "config/demo/safety-assessment.yaml";

// status has the code and its message names `field`.
::testing::AssertionResult IsError(const absl::Status& s, absl::StatusCode code, absl::string_view field) {
  if (s.ok()) return ::testing::AssertionFailure() << "expected " << absl::StatusCodeToString(code) << ", got OK";
  if (s.code() != code) {
    return ::testing::AssertionFailure() << "expected " << absl::StatusCodeToString(code) << ", got " << s;
  }
  if (s.message().find(field) == absl::string_view::npos) {
    return ::testing::AssertionFailure() << "message '" << s.message() << "' does not name '" << field << "'";
  }
  return ::testing::AssertionSuccess();
}

const AssessmentBook& DemoBook() {
  static const AssessmentBook* book = [] {
    auto b = LoadAssessmentFile(SourcePath(kDemo));
    EXPECT_TRUE(b.ok()) << b.status();
    return new AssessmentBook(b.ok() ? *b : AssessmentBook());
  }();
  return *book;
}

using Values = std::map<std::string, double>;

// Figures with every required figure at 0 (and the two veto figures at 0),
// then `values` and `baseline` on top.
v1::AssessmentFigures Figures(const std::string& unit, const Values& values = {}, const Values& baseline = {}) {
  v1::AssessmentFigures f;
  f.set_assessment_id("safety-2023");
  f.set_unit(unit);
  f.set_year(2023);
  auto& v = *f.mutable_values();
  for (const char* name : {"accidents", "deaths", "enforcement_last_times", "major_accidents", "forest_fire_major"}) {
    v[name] = 0;
  }
  for (const char* l : kAssessmentLevels) {
    v[absl::StrCat("constraint.", l)] = 0;
    v[absl::StrCat("incentive.", l)] = 0;
  }
  (*f.mutable_baseline())["accidents"] = 0;
  (*f.mutable_baseline())["deaths"] = 0;
  for (const auto& [k, x] : values) v[k] = x;
  for (const auto& [k, x] : baseline) (*f.mutable_baseline())[k] = x;
  return f;
}

// The incentive targets of a row, as figures exactly meeting them.
Values IncentivesMet(const std::string& unit) {
  const AssessmentRow* row = DemoBook().FindRow(unit);
  Values v;
  if (row == nullptr) return v;
  for (size_t i = 0; i < kAssessmentLevels.size(); ++i) {
    v[absl::StrCat("incentive.", kAssessmentLevels[i])] = row->incentive_targets[i];
  }
  return v;
}

Values Merge(Values a, const Values& b) {
  for (const auto& [k, v] : b) a[k] = v;
  return a;
}

v1::AssessmentResult MustEvaluate(const v1::AssessmentFigures& f, const AssessmentBook& book = DemoBook()) {
  auto r = Evaluate(book, f);
  EXPECT_TRUE(r.ok()) << f.unit() << ": " << r.status();
  return r.ok() ? *r : v1::AssessmentResult();
}

const v1::IndicatorResult* Find(const v1::AssessmentResult& r, const std::string& indicator) {
  for (const auto& i : r.results()) {
    if (i.indicator() == indicator) return &i;
  }
  return nullptr;
}

// The `met` flag of one indicator (fails the test when it is absent).
bool Met(const v1::AssessmentResult& r, const std::string& indicator) {
  const auto* i = Find(r, indicator);
  EXPECT_NE(i, nullptr) << indicator << " missing in " << r.ShortDebugString();
  return i != nullptr && i->met();
}

bool HasReason(const v1::AssessmentResult& r, absl::string_view text) {
  for (const auto& s : r.reasons()) {
    if (absl::string_view(s).find(text) != absl::string_view::npos) return true;
  }
  return false;
}

std::vector<std::string> Rewards(const v1::AssessmentResult& r) { return {r.rewards().begin(), r.rewards().end()}; }

// ------------------------------------------------------------------ the demo file

TEST(AssessmentLoad, DemoFileHasBothTablesOf31Rows) {
  const AssessmentBook& b = DemoBook();
  EXPECT_EQ(b.id, "safety-2023");
  EXPECT_EQ(b.year, 2023);
  EXPECT_EQ(b.baseline_year, 2022);
  ASSERT_EQ(b.tables.size(), 2u);
  EXPECT_EQ(b.tables[0].id, "towns");
  EXPECT_EQ(b.tables[1].id, "departments");
  ASSERT_EQ(b.tables[0].rows.size(), 31u);
  ASSERT_EQ(b.tables[1].rows.size(), 31u);
  for (size_t i = 0; i < 31; ++i) {
    EXPECT_EQ(b.tables[0].rows[i].seq, static_cast<int>(i) + 1);
    EXPECT_EQ(b.tables[1].rows[i].seq, static_cast<int>(i) + 1);
    EXPECT_EQ(b.tables[0].rows[i].category, i < 29 ? "township" : "park") << b.tables[0].rows[i].unit;
    EXPECT_EQ(b.tables[1].rows[i].category, "department") << b.tables[1].rows[i].unit;
    EXPECT_EQ(b.tables[1].rows[i].unit_class, i < 13 ? "A" : "B") << b.tables[1].rows[i].unit;
  }
  EXPECT_EQ(b.tables[0].rows[29].unit, "宁乡经开区");
  EXPECT_EQ(b.tables[0].rows[30].unit, "宁乡高新区");
  // The towns table ranks everyone (last 3 places); the 市直 table ranks the 10 key enforcement units.
  int ranked = 0;
  for (const auto& r : b.tables[1].rows) ranked += r.ranked ? 1 : 0;
  EXPECT_EQ(ranked, 10);
  for (const auto& r : b.tables[0].rows) EXPECT_TRUE(r.ranked) << r.unit;

  const AssessmentRow* zjj = b.FindRow("住建局");
  ASSERT_NE(zjj, nullptr);
  EXPECT_EQ(zjj->accidents.kind, CountRuleKind::kLowerByPercent);
  EXPECT_EQ(zjj->accidents.percent, 50);
  EXPECT_TRUE(zjj->ranked);
  EXPECT_EQ(zjj->max_last_times, 2);
  EXPECT_EQ(zjj->constraint_caps, (std::array<int, 4>{0, 1, 3, 0}));
  const AssessmentRow* xdp = b.FindRow("夏铎铺镇");
  ASSERT_NE(xdp, nullptr);
  EXPECT_EQ(xdp->deaths.kind, CountRuleKind::kLowerByCount);
  EXPECT_EQ(xdp->deaths.n, 1);
  const AssessmentRow* fgj = b.FindRow("发改局");
  ASSERT_NE(fgj, nullptr);
  EXPECT_EQ(fgj->accidents.kind, CountRuleKind::kZero);
  EXPECT_FALSE(fgj->ranked);
  const AssessmentRow* xfj = b.FindRow("消防救援大队");
  ASSERT_NE(xfj, nullptr);
  EXPECT_EQ(xfj->accidents.percent, 10);
  EXPECT_EQ(xfj->deaths.kind, CountRuleKind::kZero);
  EXPECT_EQ(b.FindRow("应急管理局")->incentive_targets, (std::array<int, 4>{0, 2, 5, 5}));
  EXPECT_EQ(b.FindRow("宁乡高新区")->constraint_caps, (std::array<int, 4>{0, 1, 2, 0}));
  EXPECT_EQ(b.TableOf(zjj), &b.tables[1]);
  EXPECT_EQ(b.FindRow("不存在"), nullptr);

  ASSERT_EQ(b.rewards.size(), 2u);
  EXPECT_EQ(b.rewards[0].id, "no-road-death-reward");
  EXPECT_EQ(b.rewards[0].indicator, "road_traffic_deaths");
  EXPECT_EQ(b.rewards[1].indicator, "fire_accidents");
  for (const auto& r : b.rewards) {
    EXPECT_EQ(r.applies_to, std::vector<std::string>{"township"});
    EXPECT_EQ(r.amount_yuan, 1000000);
    EXPECT_EQ(r.rule.kind, CountRuleKind::kZero);
  }
  EXPECT_EQ(b.evaluation.veto_if.size(), 2u);
  EXPECT_EQ(b.evaluation.yellow_card_if.size(), 3u);
  EXPECT_EQ(b.evaluation.fail_if.size(), 1u);
}

TEST(AssessmentLoad, RuleWords) {
  EXPECT_EQ(CountRuleText({CountRuleKind::kFlatOrLower}, false), "持平或下降");
  EXPECT_EQ(CountRuleText({CountRuleKind::kLowerByCount, 1}, false), "减少1起以上");
  EXPECT_EQ(CountRuleText({CountRuleKind::kLowerByCount, 1}, true), "减少1人以上");
  EXPECT_EQ(CountRuleText({CountRuleKind::kLowerByPercent, 0, 20}, false), "下降20%以上");
  EXPECT_EQ(CountRuleText({CountRuleKind::kZero}, false), "零事故");
  EXPECT_EQ(CountRuleText({CountRuleKind::kZero}, true), "零死亡");
}

// ------------------------------------------------------------------ rule kinds

TEST(AssessmentRules, FlatOrLowerDaolin) {
  const std::string u = "道林镇";
  auto same = MustEvaluate(Figures(u, Merge(IncentivesMet(u), {{"accidents", 3}, {"deaths", 1}}),
                                   {{"accidents", 3}, {"deaths", 1}}));
  EXPECT_TRUE(Met(same, "accidents"));
  EXPECT_TRUE(Met(same, "deaths"));
  EXPECT_EQ(Find(same, "accidents")->rule(), "持平或下降");
  EXPECT_EQ(Find(same, "accidents")->value(), 3);
  EXPECT_EQ(Find(same, "accidents")->baseline(), 3);
  EXPECT_EQ(Find(same, "accidents")->limit(), 3);
  EXPECT_EQ(same.outcome(), v1::ASSESSMENT_OUTCOME_PASS);

  auto lower = MustEvaluate(Figures(u, {{"accidents", 2}}, {{"accidents", 3}}));
  EXPECT_TRUE(Met(lower, "accidents"));

  auto higher = MustEvaluate(Figures(u, {{"accidents", 4}, {"deaths", 2}}, {{"accidents", 3}, {"deaths", 1}}));
  EXPECT_FALSE(Met(higher, "accidents"));
  EXPECT_FALSE(Met(higher, "deaths"));
  EXPECT_EQ(higher.outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);
}

TEST(AssessmentRules, LowerByCountXiaduopu) {
  const std::string u = "夏铎铺镇";
  auto met = MustEvaluate(Figures(u, {{"accidents", 3}, {"deaths", 1}}, {{"accidents", 4}, {"deaths", 2}}));
  EXPECT_TRUE(Met(met, "accidents"));
  EXPECT_TRUE(Met(met, "deaths"));
  EXPECT_EQ(Find(met, "accidents")->rule(), "减少1起以上");
  EXPECT_EQ(Find(met, "deaths")->rule(), "减少1人以上");
  EXPECT_EQ(Find(met, "accidents")->limit(), 3);
  EXPECT_EQ(met.outcome(), v1::ASSESSMENT_OUTCOME_PASS);

  auto flat = MustEvaluate(Figures(u, {{"accidents", 4}, {"deaths", 1}}, {{"accidents", 4}, {"deaths", 2}}));
  EXPECT_FALSE(Met(flat, "accidents"));  // flat is not "减少1起以上"
  EXPECT_TRUE(Met(flat, "deaths"));
  EXPECT_EQ(flat.outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);

  // From a baseline of 0 the count cannot go lower: 0 meets the target, 1 does not.
  auto zero = MustEvaluate(Figures(u, {}, {}));
  EXPECT_TRUE(Met(zero, "accidents"));
  EXPECT_EQ(Find(zero, "accidents")->limit(), 0);
  auto one = MustEvaluate(Figures(u, {{"accidents", 1}}, {}));
  EXPECT_FALSE(Met(one, "accidents"));
}

TEST(AssessmentRules, LowerByPercentMeitanba) {
  const std::string u = "煤炭坝镇";
  auto met = MustEvaluate(Figures(u, {{"accidents", 4}}, {{"accidents", 5}}));  // 5 * 0.8 = 4
  EXPECT_TRUE(Met(met, "accidents"));
  EXPECT_EQ(Find(met, "accidents")->rule(), "下降20%以上");
  EXPECT_DOUBLE_EQ(Find(met, "accidents")->limit(), 4);
  EXPECT_FALSE(Met(MustEvaluate(Figures(u, {{"accidents", 5}}, {{"accidents", 5}})), "accidents"));
  // 3 * 0.8 = 2.4: 2 meets, 3 does not.
  EXPECT_TRUE(Met(MustEvaluate(Figures(u, {{"deaths", 2}}, {{"deaths", 3}})), "deaths"));
  EXPECT_FALSE(Met(MustEvaluate(Figures(u, {{"deaths", 3}}, {{"deaths", 3}})), "deaths"));
  // Baseline 0: met only with 0.
  EXPECT_TRUE(Met(MustEvaluate(Figures(u, {}, {})), "accidents"));
  EXPECT_FALSE(Met(MustEvaluate(Figures(u, {{"accidents", 1}}, {})), "accidents"));
}

TEST(AssessmentRules, ZeroFagaijuAndNotRanked) {
  const std::string u = "发改局";
  auto ok = MustEvaluate(Figures(u, {}, {{"accidents", 2}, {"deaths", 1}}));
  EXPECT_TRUE(Met(ok, "accidents"));
  EXPECT_EQ(Find(ok, "accidents")->rule(), "零事故");
  EXPECT_EQ(Find(ok, "deaths")->rule(), "零死亡");
  EXPECT_EQ(ok.outcome(), v1::ASSESSMENT_OUTCOME_PASS);

  auto one = MustEvaluate(Figures(u, {{"accidents", 1}}, {{"accidents", 2}}));
  EXPECT_FALSE(Met(one, "accidents"));  // fewer than last year, but not zero
  EXPECT_TRUE(Met(one, "deaths"));
  EXPECT_EQ(one.outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);

  // 不参与排名: enforcement figures are ignored, and not required.
  auto last = MustEvaluate(Figures(u, {{"enforcement_last_times", 5}}));
  EXPECT_TRUE(Met(last, "enforcement_rank"));
  EXPECT_EQ(Find(last, "enforcement_rank")->rule(), "不参与排名");
  EXPECT_EQ(last.outcome(), v1::ASSESSMENT_OUTCOME_PASS);
  auto f = Figures(u);
  f.mutable_values()->erase("enforcement_last_times");
  EXPECT_EQ(MustEvaluate(f).outcome(), v1::ASSESSMENT_OUTCOME_PASS);
}

TEST(AssessmentRules, LowerByPercentJiaoyunju) {
  const std::string u = "交运局";
  auto met = MustEvaluate(Figures(u, Merge(IncentivesMet(u), {{"accidents", 8}, {"deaths", 4}}),
                                  {{"accidents", 10}, {"deaths", 5}}));
  EXPECT_TRUE(Met(met, "accidents"));
  EXPECT_TRUE(Met(met, "deaths"));
  EXPECT_EQ(met.outcome(), v1::ASSESSMENT_OUTCOME_PASS);
  auto missed = MustEvaluate(Figures(u, {{"accidents", 9}}, {{"accidents", 10}}));
  EXPECT_FALSE(Met(missed, "accidents"));
  EXPECT_EQ(missed.outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);
}

TEST(AssessmentRules, ZhujianjuHalfEnforcementAndCaps) {
  const std::string u = "住建局";
  Values base = {{"accidents", 4}, {"deaths", 2}};
  // 50%: 4 -> at most 2, 2 -> at most 1; two last places allowed; caps 0/1/3/0.
  auto ok = MustEvaluate(Figures(u,
                                 Merge(IncentivesMet(u), {{"accidents", 2},
                                                          {"deaths", 1},
                                                          {"enforcement_last_times", 2},
                                                          {"constraint.provincial", 1},
                                                          {"constraint.city", 3}}),
                                 base));
  EXPECT_EQ(ok.outcome(), v1::ASSESSMENT_OUTCOME_PASS) << ok.ShortDebugString();
  EXPECT_TRUE(Met(ok, "accidents"));
  EXPECT_TRUE(Met(ok, "enforcement_rank"));
  EXPECT_EQ(Find(ok, "enforcement_rank")->limit(), 2);
  EXPECT_EQ(Find(ok, "enforcement_rank")->rule(), "市执法排名最后1名次数≤2次");
  EXPECT_TRUE(Met(ok, "constraint.city"));
  EXPECT_EQ(Find(ok, "constraint.city")->limit(), 3);
  EXPECT_TRUE(ok.rewards().empty());  // a department gets no township reward

  EXPECT_FALSE(Met(MustEvaluate(Figures(u, {{"accidents", 3}}, base)), "accidents"));
  EXPECT_FALSE(Met(MustEvaluate(Figures(u, {{"deaths", 2}}, base)), "deaths"));

  auto third = MustEvaluate(Figures(u, {{"enforcement_last_times", 3}}, base));
  EXPECT_FALSE(Met(third, "enforcement_rank"));
  EXPECT_EQ(third.outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);
  EXPECT_TRUE(HasReason(third, "黄牌警告")) << third.ShortDebugString();

  auto city = MustEvaluate(Figures(u, {{"constraint.city", 4}}, base));
  EXPECT_FALSE(Met(city, "constraint.city"));
  EXPECT_EQ(city.outcome(), v1::ASSESSMENT_OUTCOME_FAIL);
  auto national = MustEvaluate(Figures(u, {{"constraint.national", 1}}, base));
  EXPECT_FALSE(Met(national, "constraint.national"));
  EXPECT_EQ(national.outcome(), v1::ASSESSMENT_OUTCOME_FAIL);
}

// ------------------------------------------------------------------ outcomes

TEST(AssessmentOutcomes, PassFailYellowVeto) {
  const std::string u = "道林镇";
  Values base = {{"accidents", 2}, {"deaths", 1}};
  auto pass = MustEvaluate(Figures(u, IncentivesMet(u), base));
  EXPECT_EQ(pass.outcome(), v1::ASSESSMENT_OUTCOME_PASS);
  EXPECT_EQ(pass.assessment_id(), "safety-2023");
  EXPECT_EQ(pass.unit(), u);
  EXPECT_EQ(pass.year(), 2023);
  EXPECT_TRUE(HasReason(pass, "合格"));
  // accidents, deaths, enforcement_rank, 4 constraints, 4 incentives.
  EXPECT_EQ(pass.results_size(), 11);
  for (const auto& r : pass.results()) EXPECT_TRUE(r.met()) << r.ShortDebugString();

  // A cap exceeded: notified once by the provincial safety committee (cap 0).
  auto fail = MustEvaluate(Figures(u, Merge(IncentivesMet(u), {{"constraint.provincial", 1}}), base));
  EXPECT_EQ(fail.outcome(), v1::ASSESSMENT_OUTCOME_FAIL);
  EXPECT_TRUE(HasReason(fail, "不合格")) << fail.ShortDebugString();
  EXPECT_TRUE(HasReason(fail, "constraint.provincial"));

  // Accident target missed, and a cap exceeded: the yellow card wins, both are reasons.
  auto yellow = MustEvaluate(Figures(u, {{"accidents", 3}, {"constraint.city", 1}}, base));
  EXPECT_EQ(yellow.outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);
  EXPECT_TRUE(HasReason(yellow, "黄牌警告：未达标：accidents")) << yellow.ShortDebugString();
  EXPECT_TRUE(HasReason(yellow, "不合格"));
  EXPECT_TRUE(HasReason(yellow, "事故防控"));  // the basis is quoted

  // A major accident vetoes, however good the rest.
  auto veto = MustEvaluate(Figures(u, Merge(IncentivesMet(u), {{"major_accidents", 1}}), base));
  EXPECT_EQ(veto.outcome(), v1::ASSESSMENT_OUTCOME_VETO);
  EXPECT_TRUE(HasReason(veto, "一票否决：major_accidents = 1")) << veto.ShortDebugString();
  EXPECT_TRUE(HasReason(veto, "坚决杜绝较大及以上事故"));
  auto veto_and_yellow = MustEvaluate(Figures(u, {{"major_accidents", 1}, {"accidents", 5}}, base));
  EXPECT_EQ(veto_and_yellow.outcome(), v1::ASSESSMENT_OUTCOME_VETO);
  EXPECT_TRUE(HasReason(veto_and_yellow, "黄牌警告"));

  // A major forest fire vetoes a township; departments do not report it.
  EXPECT_EQ(MustEvaluate(Figures(u, {{"forest_fire_major", 1}}, base)).outcome(), v1::ASSESSMENT_OUTCOME_VETO);
  auto dept = Figures("林业局");
  dept.mutable_values()->erase("forest_fire_major");
  EXPECT_EQ(MustEvaluate(dept).outcome(), v1::ASSESSMENT_OUTCOME_PASS);
  // ... while the major-accident veto applies to departments and parks too.
  EXPECT_EQ(MustEvaluate(Figures("林业局", {{"major_accidents", 1}})).outcome(), v1::ASSESSMENT_OUTCOME_VETO);
  EXPECT_EQ(MustEvaluate(Figures("宁乡高新区", {{"major_accidents", 2}})).outcome(), v1::ASSESSMENT_OUTCOME_VETO);
}

TEST(AssessmentOutcomes, ParkCapsFollowItsRow) {
  // 宁乡高新区: caps 0/1/2/0.
  auto ok = MustEvaluate(Figures("宁乡高新区", {{"constraint.provincial", 1}, {"constraint.city", 2}}));
  EXPECT_EQ(ok.outcome(), v1::ASSESSMENT_OUTCOME_PASS) << ok.ShortDebugString();
  auto over = MustEvaluate(Figures("宁乡高新区", {{"constraint.city", 3}}));
  EXPECT_EQ(over.outcome(), v1::ASSESSMENT_OUTCOME_FAIL);
}

TEST(AssessmentOutcomes, TownshipRewards) {
  const std::string u = "道林镇";
  auto both = MustEvaluate(Figures(u, {{"road_traffic_deaths", 0}, {"fire_accidents", 0}}));
  EXPECT_EQ(Rewards(both), (std::vector<std::string>{"no-road-death-reward", "no-fire-reward"}));
  auto fire_only = MustEvaluate(Figures(u, {{"road_traffic_deaths", 1}, {"fire_accidents", 0}}));
  EXPECT_EQ(Rewards(fire_only), std::vector<std::string>{"no-fire-reward"});
  auto road_only = MustEvaluate(Figures(u, {{"road_traffic_deaths", 0}, {"fire_accidents", 2}}));
  EXPECT_EQ(Rewards(road_only), std::vector<std::string>{"no-road-death-reward"});
  // Not reported: not eligible.
  EXPECT_TRUE(MustEvaluate(Figures(u)).rewards().empty());
  // A street (街道) is a township for the reward.
  EXPECT_EQ(MustEvaluate(Figures("玉潭街道", {{"road_traffic_deaths", 0}, {"fire_accidents", 0}})).rewards_size(), 2);
  // The rewards do not depend on the outcome: the plan attaches no other condition.
  auto yellow = MustEvaluate(Figures(u, {{"accidents", 1}, {"road_traffic_deaths", 0}, {"fire_accidents", 0}}));
  EXPECT_EQ(yellow.outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);
  EXPECT_EQ(yellow.rewards_size(), 2);
  // Parks and departments never get the township rewards.
  for (const char* unit : {"宁乡经开区", "宁乡高新区", "交运局", "发改局"}) {
    auto r = MustEvaluate(Figures(unit, {{"road_traffic_deaths", 0}, {"fire_accidents", 0}}));
    EXPECT_TRUE(r.rewards().empty()) << unit;
  }
}

TEST(AssessmentOutcomes, IncentivesRecordedOnly) {
  const std::string u = "道林镇";  // incentive target 0/0/3/0
  auto short_of = MustEvaluate(Figures(u, {{"incentive.city", 2}}));
  EXPECT_FALSE(Met(short_of, "incentive.city"));
  EXPECT_TRUE(Met(short_of, "incentive.national"));
  EXPECT_EQ(Find(short_of, "incentive.city")->limit(), 3);
  EXPECT_EQ(Find(short_of, "incentive.city")->rule(), "市级发文推荐或经验交流≥3次");
  EXPECT_EQ(short_of.outcome(), v1::ASSESSMENT_OUTCOME_PASS);
  EXPECT_TRUE(HasReason(short_of, "记录（不影响结果）：未达标 incentive.city")) << short_of.ShortDebugString();

  auto met = MustEvaluate(Figures(u, {{"incentive.city", 4}}));
  EXPECT_TRUE(Met(met, "incentive.city"));
  EXPECT_FALSE(HasReason(met, "记录"));

  // Configurable: with {failed: any_incentive} in fail_if the same figures fail.
  AssessmentBook strict = DemoBook();
  AssessmentCondition c;
  c.kind = AssessmentCondition::Kind::kFailed;
  c.failed = "any_incentive";
  strict.evaluation.fail_if.push_back(c);
  auto strict_r = MustEvaluate(Figures(u, {{"incentive.city", 2}}), strict);
  EXPECT_EQ(strict_r.outcome(), v1::ASSESSMENT_OUTCOME_FAIL);
  EXPECT_FALSE(HasReason(strict_r, "记录"));
}

TEST(AssessmentErrors, EvaluateRejectsBadFigures) {
  const AssessmentBook& b = DemoBook();
  EXPECT_TRUE(IsError(Evaluate(b, Figures("不存在镇")).status(), absl::StatusCode::kNotFound, "unit"));

  auto f = Figures("道林镇");
  f.mutable_values()->erase("accidents");
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kInvalidArgument, "values.accidents"));
  f = Figures("道林镇");
  f.mutable_baseline()->erase("deaths");
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kInvalidArgument, "baseline.deaths"));
  f = Figures("住建局");
  f.mutable_values()->erase("enforcement_last_times");  // ranked
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kInvalidArgument, "values.enforcement_last_times"));
  f = Figures("道林镇");
  f.mutable_values()->erase("constraint.local");
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kInvalidArgument, "values.constraint.local"));
  f = Figures("道林镇");
  f.mutable_values()->erase("major_accidents");  // named by a veto condition
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kInvalidArgument, "values.major_accidents"));
  f = Figures("道林镇");
  f.mutable_values()->erase("forest_fire_major");  // townships only
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kInvalidArgument, "values.forest_fire_major"));

  EXPECT_TRUE(IsError(Evaluate(b, Figures("道林镇", {{"deaths", -1}})).status(), absl::StatusCode::kInvalidArgument,
                      "values.deaths"));
  EXPECT_TRUE(IsError(Evaluate(b, Figures("道林镇", {}, {{"accidents", std::nan("")}})).status(),
                      absl::StatusCode::kInvalidArgument, "baseline.accidents"));
  EXPECT_TRUE(IsError(Evaluate(b, Figures("道林镇", {{"injuries", 1}})).status(), absl::StatusCode::kInvalidArgument,
                      "values.injuries"));
  f = Figures("道林镇");
  f.set_year(2022);
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kInvalidArgument, "year"));
  f = Figures("道林镇");
  f.set_assessment_id("other-2023");
  EXPECT_TRUE(IsError(Evaluate(b, f).status(), absl::StatusCode::kNotFound, "assessment_id"));
}

// ------------------------------------------------------------------ through the engine

class AssessmentEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto summary = engine_->ImportPlan(*doc, "tester", true);
    ASSERT_TRUE(summary.ok()) << summary.status();
  }

  void Open() {
    assessments_.reset();
    engine_.reset();
    auto e = Engine::Open(dir_.path(), &clock_, {});
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    assessments_ = std::make_unique<Assessments>(&engine_->context(), DemoBook());
  }

  static CommandMeta Meta(std::string actor = "office") {
    CommandMeta m;
    m.actor = std::move(actor);
    return m;
  }

  // Reports must-succeed figures.
  void Report(const v1::AssessmentFigures& f) {
    absl::Status s = assessments_->ReportFigures(Meta(), f);
    ASSERT_TRUE(s.ok()) << f.unit() << ": " << s;
  }

  // The call fails with code/field and writes nothing.
  void ExpectRejected(const CommandMeta& meta, const v1::AssessmentFigures& f, absl::StatusCode code,
                      absl::string_view field) {
    auto before = DumpStore(engine_->store());
    EXPECT_TRUE(IsError(assessments_->ReportFigures(meta, f), code, field)) << f.ShortDebugString();
    EXPECT_TRUE(before == DumpStore(engine_->store())) << "store changed by a rejected report of " << f.unit();
  }

  TempDir dir_;
  SimulatedClock clock_{absl::FromCivil(absl::CivilSecond(2024, 1, 10, 9, 0, 0), PlanTimeZone())};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Assessments> assessments_;
};

TEST_F(AssessmentEngineTest, ReportAndEvaluate) {
  Report(Figures("道林镇", Merge(IncentivesMet("道林镇"), {{"accidents", 1}, {"road_traffic_deaths", 0}}),
                 {{"accidents", 2}}));
  auto r = assessments_->Evaluate("safety-2023", 2023, "道林镇");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), v1::ASSESSMENT_OUTCOME_PASS);
  EXPECT_EQ(Rewards(*r), std::vector<std::string>{"no-road-death-reward"});

  // Stored under 'X' "<assessment>:<year>:<unit>".
  std::string key = keys::Entity(keys::Kind::kAssessmentFigures, "safety-2023:2023:道林镇");
  v1::AssessmentFigures stored;
  ASSERT_TRUE(engine_->store().GetProto(Cf::kEntities, key, &stored).ok());
  EXPECT_EQ(stored.values().at("accidents"), 1);
  EXPECT_EQ(stored.baseline().at("accidents"), 2);

  // A second report replaces the first.
  Report(Figures("道林镇", {{"accidents", 3}}, {{"accidents", 2}}));
  r = assessments_->Evaluate("safety-2023", 2023, "道林镇");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);
  EXPECT_TRUE(r->rewards().empty());

  // Kept across a restart.
  Open();
  r = assessments_->Evaluate("safety-2023", 2023, "道林镇");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);
}

TEST_F(AssessmentEngineTest, UnitNamesResolveThroughTheEngine) {
  // The plan's name "市发改局" (the table writes "发改局") and its unit id.
  Report(Figures("市发改局", {{"accidents", 1}}));
  v1::AssessmentFigures stored;
  ASSERT_TRUE(engine_->store()
                  .GetProto(Cf::kEntities, keys::Entity(keys::Kind::kAssessmentFigures, "safety-2023:2023:发改局"),
                            &stored)
                  .ok());
  EXPECT_EQ(stored.unit(), "发改局");
  for (const char* name : {"发改局", "市发改局", "fgj"}) {
    auto r = assessments_->Evaluate("safety-2023", 2023, name);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status();
    EXPECT_EQ(r->unit(), "发改局");
    EXPECT_EQ(r->outcome(), v1::ASSESSMENT_OUTCOME_YELLOW_CARD);  // 零事故 missed
  }
  // 市交通运输局 is the table's 交运局, 市住建局 its 住建局.
  Report(Figures("市交通运输局", {}, {{"accidents", 3}}));
  auto jy = assessments_->GetFigures("safety-2023", 2023, "交运局");
  ASSERT_TRUE(jy.ok()) << jy.status();
  EXPECT_EQ(jy->unit(), "交运局");
  auto row = assessments_->ResolveRow("市住建局");
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ((*row)->unit, "住建局");
}

TEST_F(AssessmentEngineTest, EvaluateAllInTableOrder) {
  Report(Figures("住建局", {{"constraint.city", 4}}, {{"accidents", 1}}));
  Report(Figures("道林镇", IncentivesMet("道林镇")));
  Report(Figures("宁乡经开区", {{"major_accidents", 1}}));
  auto all = assessments_->EvaluateAll("safety-2023", 2023);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].unit(), "道林镇");
  EXPECT_EQ((*all)[0].outcome(), v1::ASSESSMENT_OUTCOME_PASS);
  EXPECT_EQ((*all)[1].unit(), "宁乡经开区");
  EXPECT_EQ((*all)[1].outcome(), v1::ASSESSMENT_OUTCOME_VETO);
  EXPECT_EQ((*all)[2].unit(), "住建局");
  EXPECT_EQ((*all)[2].outcome(), v1::ASSESSMENT_OUTCOME_FAIL);

  EXPECT_TRUE(IsError(assessments_->EvaluateAll("other", 2023).status(), absl::StatusCode::kNotFound,
                      "assessment_id"));
  EXPECT_TRUE(IsError(assessments_->EvaluateAll("safety-2023", 2022).status(), absl::StatusCode::kInvalidArgument,
                      "year"));
}

TEST_F(AssessmentEngineTest, BadReportsLeaveTheStoreUnchanged) {
  Report(Figures("道林镇"));
  ExpectRejected(Meta(), Figures("不存在镇"), absl::StatusCode::kNotFound, "unit");
  // A real unit of the plan without a row in the tables.
  ExpectRejected(Meta(), Figures("市财政局"), absl::StatusCode::kNotFound, "unit");
  ExpectRejected(Meta(), Figures(""), absl::StatusCode::kInvalidArgument, "unit");
  ExpectRejected(Meta(), Figures("道林镇", {{"accidents", -1}}), absl::StatusCode::kInvalidArgument,
                 "values.accidents");
  ExpectRejected(Meta(), Figures("道林镇", {}, {{"deaths", -2}}), absl::StatusCode::kInvalidArgument,
                 "baseline.deaths");
  ExpectRejected(Meta(), Figures("道林镇", {{"accidents", std::numeric_limits<double>::infinity()}}),
                 absl::StatusCode::kInvalidArgument, "values.accidents");
  ExpectRejected(Meta(), Figures("道林镇", {{"injuries", 1}}), absl::StatusCode::kInvalidArgument, "values.injuries");
  auto f = Figures("道林镇");
  f.set_assessment_id("safety-2022");
  ExpectRejected(Meta(), f, absl::StatusCode::kNotFound, "assessment_id");
  f.set_assessment_id("");
  ExpectRejected(Meta(), f, absl::StatusCode::kInvalidArgument, "assessment_id");
  f = Figures("道林镇");
  f.set_year(2022);
  ExpectRejected(Meta(), f, absl::StatusCode::kInvalidArgument, "year");
  ExpectRejected(Meta(""), Figures("道林镇"), absl::StatusCode::kInvalidArgument, "meta.actor");

  // The earlier report is intact; nothing for units never reported.
  auto r = assessments_->Evaluate("safety-2023", 2023, "道林镇");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(IsError(assessments_->Evaluate("safety-2023", 2023, "夏铎铺镇").status(), absl::StatusCode::kNotFound,
                      "unit"));
  EXPECT_TRUE(IsError(assessments_->Evaluate("safety-2023", 2023, "不存在镇").status(), absl::StatusCode::kNotFound,
                      "unit"));
  auto all = assessments_->EvaluateAll("safety-2023", 2023);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(AssessmentEngineTest, IncompleteFiguresAreStoredButNotEvaluated) {
  // A report need not be complete; the evaluation says what is missing.
  v1::AssessmentFigures f;
  f.set_assessment_id("safety-2023");
  f.set_year(2023);
  f.set_unit("道林镇");
  (*f.mutable_values())["accidents"] = 1;
  Report(f);
  EXPECT_TRUE(IsError(assessments_->Evaluate("safety-2023", 2023, "道林镇").status(),
                      absl::StatusCode::kInvalidArgument, "baseline.accidents"));
  (*f.mutable_baseline())["accidents"] = 1;
  Report(f);
  EXPECT_TRUE(IsError(assessments_->Evaluate("safety-2023", 2023, "道林镇").status(),
                      absl::StatusCode::kInvalidArgument, "values.deaths"));
  EXPECT_TRUE(IsError(assessments_->EvaluateAll("safety-2023", 2023).status(), absl::StatusCode::kInvalidArgument,
                      "道林镇"));
}

// ------------------------------------------------------------------ malformed files

constexpr char kMinimal[] = R"(assessment:
  id: t-2023
  year: 2023
  tables:
    - id: towns
      category: township
      rows:
        - seq: 1
          unit: "道林镇"
          accidents: {rule: flat_or_lower}
          deaths: {rule: zero}
          enforcement_rank: {max_times: 0}
          constraint_caps: {national: 0, provincial: 0, city: 0, local: 0}
          incentive_targets: {national: 0, provincial: 0, city: 3, local: 0}
  rewards:
    - {id: r1, applies_to: township, condition: {indicator: fire_accidents, rule: zero}}
  evaluation:
    veto_if:
      - {indicator: major_accidents, op: ">", value: 0}
    fail_if:
      - {failed: any_constraint}
)";

absl::Status LoadText(const std::string& text) {
  auto doc = yamlx::Parse("bad.yaml", text);
  if (!doc.ok()) return doc.status();
  return LoadAssessment(*doc).status();
}

std::string Replace(const std::string& from, const std::string& to) {
  std::string s = kMinimal;
  EXPECT_NE(s.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(s, {{from, to}});
}

// INVALID_ARGUMENT "bad.yaml:<line>: ..." containing `what`.
::testing::AssertionResult FileError(const absl::Status& s, int line, absl::string_view what) {
  if (s.code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "expected INVALID_ARGUMENT, got " << s;
  }
  std::string prefix = absl::StrCat("bad.yaml:", line, ": ");
  if (!absl::StartsWith(s.message(), prefix) || s.message().find(what) == absl::string_view::npos) {
    return ::testing::AssertionFailure() << "'" << s.message() << "' is not '" << prefix << "...' with '" << what << "'";
  }
  return ::testing::AssertionSuccess();
}

TEST(AssessmentFile, MinimalLoads) {
  auto doc = yamlx::Parse("ok.yaml", kMinimal);
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto b = LoadAssessment(*doc);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->baseline_year, 2022);  // defaults to year - 1
  ASSERT_EQ(b->tables.size(), 1u);
  EXPECT_EQ(b->tables[0].rows[0].category, "township");
  EXPECT_EQ(b->evaluation.veto_if[0].op, ">");
  EXPECT_EQ(b->evaluation.fail_if[0].failed, "any_constraint");
}

TEST(AssessmentFile, DescriptiveKeysAreSkipped) {
  std::string text = std::string(kMinimal) + R"(  key_enforcement_units: ["住建局"]
  prose_targets:
    - {id: x, anything: [1, 2], rule: whatever}
  annual_assessment_text: "..."
  outcomes:
    - {id: yellow-card, name: "黄牌警告", whatever: true}
)";
  EXPECT_TRUE(LoadText(text).ok()) << LoadText(text);
}

TEST(AssessmentFile, UnknownRuleKind) {
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: flat_or_lower}", "{rule: halve}")), 10,
                        "assessment.tables[0].rows[0].accidents.rule: unknown rule 'halve'"));
}

TEST(AssessmentFile, BadPercent) {
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: flat_or_lower}", "{rule: lower_by_percent, percent: 120}")), 10,
                        "assessment.tables[0].rows[0].accidents.percent: must be more than 0 and at most 100"));
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: flat_or_lower}", "{rule: lower_by_percent, percent: 0}")), 10,
                        "accidents.percent"));
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: flat_or_lower}", "{rule: lower_by_percent, percent: lots}")), 10,
                        "accidents.percent: 'lots' is not a number"));
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: flat_or_lower}", "{rule: lower_by_percent}")), 10,
                        "accidents.percent: required"));
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: flat_or_lower}", "{rule: flat_or_lower, percent: 20}")), 10,
                        "accidents.percent: not a parameter of rule flat_or_lower"));
}

TEST(AssessmentFile, BadCount) {
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: zero}", "{rule: lower_by_count, n: 0}")), 11,
                        "assessment.tables[0].rows[0].deaths.n: must be a whole number >= 1"));
  EXPECT_TRUE(FileError(LoadText(Replace("{rule: zero}", "{rule: lower_by_count, n: 1.5}")), 11, "deaths.n"));
}

TEST(AssessmentFile, MissingUnit) {
  EXPECT_TRUE(FileError(LoadText(Replace("          unit: \"道林镇\"\n", "")), 8,
                        "assessment.tables[0].rows[0].unit: required"));
}

TEST(AssessmentFile, UnknownKeys) {
  EXPECT_TRUE(FileError(LoadText(Replace("          deaths:", "          weight: 3\n          deaths:")), 11,
                        "assessment.tables[0].rows[0].weight: unknown field"));
  EXPECT_TRUE(FileError(LoadText(Replace("  year: 2023\n", "  year: 2023\n  scoring: {}\n")), 4,
                        "assessment.scoring: unknown field"));
  EXPECT_TRUE(FileError(LoadText(Replace("city: 0, local: 0}\n          incentive",
                                         "city: 0, local: 0, county: 0}\n          incentive")),
                        13, "constraint_caps.county: unknown field"));
  EXPECT_TRUE(FileError(LoadText(Replace("    fail_if:", "    pass_if:")), 20, "evaluation.pass_if: unknown field"));
}

TEST(AssessmentFile, OtherMistakes) {
  EXPECT_TRUE(FileError(LoadText(Replace("{max_times: 0}", "{max_times: 0, not_ranked: true}")), 12,
                        "enforcement_rank: give exactly one of"));
  EXPECT_TRUE(FileError(LoadText(Replace("{max_times: 0}", "{max_times: -1}")), 12, "max_times: must be >= 0"));
  EXPECT_TRUE(FileError(LoadText(Replace(", city: 0, local: 0}\n          incentive", ", city: 0}\n          incentive")),
                        13, "constraint_caps.local: required"));
  EXPECT_TRUE(FileError(LoadText(Replace("category: township", "category: village")), 6,
                        "tables[0].category: unknown category 'village'"));
  EXPECT_TRUE(FileError(LoadText(Replace("      category: township\n", "")), 7,
                        "rows[0].category: required"));
  EXPECT_TRUE(FileError(LoadText(Replace("{failed: any_constraint}", "{failed: everything}")), 21,
                        "fail_if[0].failed: unknown target group 'everything'"));
  EXPECT_TRUE(FileError(LoadText(Replace("{indicator: major_accidents,", "{indicator: injuries,")), 19,
                        "veto_if[0].indicator: unknown figure 'injuries'"));
  EXPECT_TRUE(FileError(LoadText(Replace("op: \">\"", "op: \"=>\"")), 19, "veto_if[0].op: unknown operator"));
  EXPECT_TRUE(FileError(LoadText(Replace("{failed: any_constraint}", "{failed: any_constraint, indicator: deaths}")),
                        21, "fail_if[0]: give either"));
  EXPECT_TRUE(FileError(LoadText(Replace("{indicator: fire_accidents,", "{indicator: fire,")), 16,
                        "rewards[0].condition.indicator: unknown figure 'fire'"));
  EXPECT_TRUE(FileError(LoadText(Replace("applies_to: township,", "applies_to: [township, city],")), 16,
                        "rewards[0].applies_to: unknown category 'city'"));
  // The same unit twice.
  std::string twice = Replace("  rewards:", R"(        - seq: 2
          unit: "道林镇"
          accidents: {rule: zero}
          deaths: {rule: zero}
          enforcement_rank: {not_ranked: true}
          constraint_caps: {national: 0, provincial: 0, city: 0, local: 0}
          incentive_targets: {national: 0, provincial: 0, city: 0, local: 0}
  rewards:)");
  EXPECT_TRUE(FileError(LoadText(twice), 16, "rows[1].unit: '道林镇' already has a row"));
  // An extra figure may be named once declared.
  std::string extra = Replace("    veto_if:\n      - {indicator: major_accidents,",
                              "    extra_figures: [fire_deaths]\n    veto_if:\n      - {indicator: fire_deaths,");
  EXPECT_TRUE(LoadText(extra).ok()) << LoadText(extra);
}

TEST(AssessmentFile, MissingFile) {
  EXPECT_EQ(LoadAssessmentFile(SourcePath("config/demo/no-such-assessment.yaml")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace duban
