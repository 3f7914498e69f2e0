// Rankings and accountability ladders (config/accountability.yaml) on a real
// store with the demo plan imported and a simulated clock: annex 5 三（二）4
// of the plan, a second ladder defined only in YAML, the case workflow, the
// computed scorecard, bad config files and bad input.
#include "engine/accountability/accountability.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "engine/time/clock.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/accountability/ranking.h"
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

::testing::AssertionResult Contains(absl::string_view hay, absl::string_view needle) {
  if (hay.find(needle) != absl::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << hay << "' does not contain '" << needle << "'";
}

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

CommandMeta Meta(std::string actor = "市安委办-张") {
  CommandMeta m;
  m.actor = std::move(actor);
  return m;
}

CaseFilter Filter(std::string unit, std::string period = "",
                  v1::AccountabilityState state = v1::ACCOUNTABILITY_STATE_UNSPECIFIED) {
  CaseFilter f;
  f.unit = std::move(unit);
  f.period = std::move(period);
  f.state = state;
  return f;
}

// The 10 key enforcement units, in the config's order.
const std::vector<std::string>& KeyUnits() {
  static const auto* v = new std::vector<std::string>{
      "市应急管理局", "市住建局", "市交通运输局", "市市场监管局",   "市水利局",
      "市农业农村局", "市自然资源局", "市城管局", "市消防救援大队", "市公安局交警大队"};
  return *v;
}

// `all` in its order, with `bottom` moved to the end in the order given
// (the last name is last) and `skip` left out.
std::vector<std::string> Order(const std::vector<std::string>& all, const std::vector<std::string>& bottom,
                               const std::vector<std::string>& skip = {}) {
  std::vector<std::string> out;
  for (const auto& u : all) {
    if (std::find(bottom.begin(), bottom.end(), u) == bottom.end() &&
        std::find(skip.begin(), skip.end(), u) == skip.end()) {
      out.push_back(u);
    }
  }
  out.insert(out.end(), bottom.begin(), bottom.end());
  return out;
}

class AccountabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = Engine::Open(dir_.path(), &clock_);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto summary = engine_->ImportPlan(*doc, "tester", true);
    ASSERT_TRUE(summary.ok()) << summary.status();
    auto cfg = yamlx::ParseFile(SourcePath("config/accountability.yaml"));
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    Load(*cfg);
  }

  void Load(const yamlx::Doc& doc) {
    acct_.reset();
    rankings_.reset();
    auto cfg = LoadAccountabilityConfig(doc, engine_->directory());
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    config_ = std::make_shared<const AccountabilityConfig>(std::move(*cfg));
    rankings_ = std::make_unique<Rankings>(&engine_->context(), &engine_->tasks(), &engine_->obligations(), config_);
    acct_ = std::make_unique<Accountability>(&engine_->context(), &engine_->supervision(), config_, rankings_.get());
    ASSERT_TRUE(acct_->Init().ok());
  }

  void LoadText(const std::string& yaml) {
    auto doc = yamlx::Parse("test-accountability.yaml", yaml);
    ASSERT_TRUE(doc.ok()) << doc.status();
    Load(*doc);
  }

  // The default config with changes made to its YAML tree.
  yamlx::Doc DefaultDoc() {
    auto doc = yamlx::ParseFile(SourcePath("config/accountability.yaml"));
    EXPECT_TRUE(doc.ok()) << doc.status();
    return doc.ok() ? *doc : yamlx::Doc{};
  }

  absl::StatusOr<RankingResult> Enter(const std::string& board, const std::string& period,
                                      const std::vector<std::string>& order,
                                      const std::vector<std::string>& not_ranked = {}, bool replace = false) {
    RankingInput in;
    in.board = board;
    in.period = period;
    for (const auto& u : order) in.entries.push_back({u, std::nullopt});
    in.not_ranked = not_ranked;
    in.replace = replace;
    return rankings_->EnterRanking(Meta(), in);
  }

  // Enters the enforcement ranking of a month with `last` in last place and
  // returns the cases it opened.
  std::vector<v1::AccountabilityCase> EnforcementLast(const std::string& period, const std::string& last,
                                                      const std::vector<std::string>& not_ranked = {}) {
    auto r = Enter("enforcement", period, Order(KeyUnits(), {last}, not_ranked), not_ranked);
    EXPECT_TRUE(r.ok()) << period << ": " << r.status();
    return r.ok() ? r->opened : std::vector<v1::AccountabilityCase>();
  }

  std::string Id(const std::string& name) {
    auto r = engine_->Resolve(name);
    EXPECT_TRUE(r.ok() && !r->units.empty()) << name;
    return r.ok() && !r->units.empty() ? r->units[0].id() : "";
  }

  std::string Name(const std::string& id) {
    auto u = engine_->GetUnit(id);
    return u.ok() ? u->name() : id;
  }

  // "unit action/by_role#step" for each case, sorted.
  std::vector<std::string> Summary(const std::vector<v1::AccountabilityCase>& cases) {
    std::vector<std::string> out;
    for (const auto& c : cases) {
      out.push_back(absl::StrCat(Name(c.unit_id()), " ", c.action(), "/", c.by_role(), "#", c.step()));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<v1::AccountabilityCase> AllCases() {
    auto l = acct_->ListCases({});
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? *l : std::vector<v1::AccountabilityCase>();
  }

  std::vector<v1::Notification> AccountabilityNotes() {
    std::vector<v1::Notification> out;
    const std::vector<v1::Notification> read_notes = engine_->outbox().ReadAll(0, 100000).value();
    for (auto n : read_notes) {
      if (n.kind() == v1::NOTIFICATION_KIND_ACCOUNTABILITY) out.push_back(std::move(n));
    }
    return out;
  }

  std::map<std::string, std::string> Dump() { return DumpStore(engine_->store()); }

  TempDir dir_;
  SimulatedClock clock_{Beijing(2023, 12, 20, 10, 0)};
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const AccountabilityConfig> config_;
  std::unique_ptr<Rankings> rankings_;
  std::unique_ptr<Accountability> acct_;
};

// ---------------------------------------------------------------- the config

TEST_F(AccountabilityTest, DefaultConfigIsThePlansRule) {
  const Board* b = config_->FindBoard("enforcement");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->source, BoardSource::kEntered);
  EXPECT_EQ(b->member_ids.size(), 10u);
  for (const auto& name : KeyUnits()) {
    EXPECT_NE(std::find(b->member_ids.begin(), b->member_ids.end(), Id(name)), b->member_ids.end()) << name;
  }
  EXPECT_EQ(b->not_ranked_ids.size(), 21u);  // the 市直 table's 不参与排名 rows
  EXPECT_EQ(b->tie_rule, TieRule::kAllLast);
  const Board* s = config_->FindBoard("scorecard");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->source, BoardSource::kComputed);
  EXPECT_TRUE(s->members_with_obligations);
  EXPECT_GT(s->weights.on_time_rate, 0);
  EXPECT_LT(s->weights.overdue_tasks, 0);
  EXPECT_LT(s->weights.returns, 0);

  ASSERT_EQ(config_->ladders.size(), 1u);
  const Ladder& l = config_->ladders[0];
  EXPECT_EQ(l.board, "enforcement");
  EXPECT_TRUE(l.band.last);
  ASSERT_EQ(l.steps.size(), 3u);
  EXPECT_EQ(l.steps[0].consecutive, 1);
  EXPECT_EQ(l.steps[0].action.by_role, "vice_mayor_in_charge");
  EXPECT_EQ(l.steps[1].consecutive, 2);
  EXPECT_EQ(l.steps[1].action.by_role, "mayor");
  EXPECT_EQ(l.steps[2].consecutive, 3);
  EXPECT_EQ(l.steps[2].action.id, "pre_accountability");
  EXPECT_EQ(l.steps[2].action.name, "事前问责");
  EXPECT_EQ(config_->roles.at("vice_mayor_in_charge"), "分管市领导");
  EXPECT_EQ(config_->roles.at("mayor"), "市主要领导");
  ASSERT_EQ(config_->incident_rules.size(), 1u);
  ASSERT_EQ(config_->notice_rules.size(), 1u);
  EXPECT_EQ(config_->notice_rules[0].repeats, 2);
  EXPECT_EQ(config_->notice_rules[0].action.name, "警示约谈");
}

// ---------------------------------------------------------------- the plan's ladder

TEST_F(AccountabilityTest, LastThreeMonthsInARowClimbsTheLadder) {
  const std::string zjj = Id("市住建局");
  auto jan = EnforcementLast("2023-01", "市住建局");
  ASSERT_EQ(jan.size(), 1u);
  EXPECT_EQ(jan[0].id(), "A1");
  EXPECT_EQ(jan[0].unit_id(), zjj);
  EXPECT_EQ(jan[0].action(), "interview");
  EXPECT_EQ(jan[0].action_name(), "约谈");
  EXPECT_EQ(jan[0].by_role(), "vice_mayor_in_charge");
  EXPECT_EQ(jan[0].step(), 1);
  EXPECT_EQ(jan[0].period(), "2023-01");
  EXPECT_EQ(jan[0].ladder_id(), "enforcement-last");
  EXPECT_EQ(jan[0].state(), v1::ACCOUNTABILITY_STATE_SCHEDULED);
  EXPECT_EQ(jan[0].version(), 1u);
  EXPECT_TRUE(Contains(jan[0].reason(), "倒数第一"));

  auto feb = EnforcementLast("2023-02", "市住建局");
  ASSERT_EQ(feb.size(), 1u);
  EXPECT_EQ(feb[0].id(), "A2");
  EXPECT_EQ(feb[0].by_role(), "mayor");
  EXPECT_EQ(feb[0].action(), "interview");
  EXPECT_EQ(feb[0].step(), 2);
  EXPECT_TRUE(Contains(feb[0].reason(), "连续2期"));

  auto mar = EnforcementLast("2023-03", "市住建局");
  ASSERT_EQ(mar.size(), 1u);
  EXPECT_EQ(mar[0].action(), "pre_accountability");
  EXPECT_EQ(mar[0].action_name(), "事前问责");
  EXPECT_EQ(mar[0].by_role(), "supervision_office");
  EXPECT_EQ(mar[0].step(), 3);

  // "连续3次及以上": a fourth month stays at the top step.
  auto apr = EnforcementLast("2023-04", "市住建局");
  ASSERT_EQ(apr.size(), 1u);
  EXPECT_EQ(apr[0].action(), "pre_accountability");
  EXPECT_TRUE(Contains(apr[0].reason(), "连续4期"));

  // Stored, and each notified to the unit in the same commit.
  auto all = AllCases();
  ASSERT_EQ(all.size(), 4u);
  auto notes = AccountabilityNotes();
  ASSERT_EQ(notes.size(), 4u);
  for (size_t i = 0; i < notes.size(); ++i) {
    EXPECT_EQ(notes[i].recipient(), zjj);
    EXPECT_EQ(notes[i].subject_id(), all[i].id());
    EXPECT_TRUE(Contains(notes[i].title(), "市住建局"));
  }
  EXPECT_TRUE(Contains(notes[0].title(), "分管市领导"));
  EXPECT_TRUE(Contains(notes[1].title(), "市主要领导"));
  EXPECT_TRUE(Contains(notes[2].title(), "事前问责"));

  // The stored ranking: everybody ranked 1..10, only the last one marked.
  auto r = rankings_->GetRanking("enforcement", "2023-03");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->id(), "enforcement:2023-03");
  EXPECT_EQ(r->source(), v1::RANKING_SOURCE_ENTERED);
  ASSERT_EQ(r->entries_size(), 10);
  EXPECT_EQ(r->entries(9).unit_id(), zjj);
  EXPECT_EQ(r->entries(9).rank(), 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(r->entries(i).last(), i == 9);
  EXPECT_EQ(r->published_by(), "市安委办-张");
  auto list = rankings_->ListRankings("enforcement");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0].period(), "2023-01");
  EXPECT_EQ((*list)[3].period(), "2023-04");
}

TEST_F(AccountabilityTest, ABreakRestartsTheLadder) {
  EXPECT_EQ(Summary(EnforcementLast("2023-01", "市水利局")),
            std::vector<std::string>{"市水利局 interview/vice_mayor_in_charge#1"});
  EXPECT_EQ(Summary(EnforcementLast("2023-02", "市城管局")),
            std::vector<std::string>{"市城管局 interview/vice_mayor_in_charge#1"});
  EXPECT_EQ(Summary(EnforcementLast("2023-03", "市水利局")),
            std::vector<std::string>{"市水利局 interview/vice_mayor_in_charge#1"});
  EXPECT_EQ(AllCases().size(), 3u);
}

TEST_F(AccountabilityTest, ATieAtTheBottomMakesBothLastUnderAllLast) {
  RankingInput in;
  in.board = "enforcement";
  in.period = "2023-05";
  double score = 100;
  for (const auto& u : Order(KeyUnits(), {"市城管局", "市水利局"})) in.entries.push_back({u, score--});
  in.entries[8].score = 60;
  in.entries[9].score = 60;
  auto r = rankings_->EnterRanking(Meta(), in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ranking.entries(8).rank(), 9);
  EXPECT_EQ(r->ranking.entries(9).rank(), 9);  // tied units share the rank
  EXPECT_TRUE(r->ranking.entries(8).last());
  EXPECT_TRUE(r->ranking.entries(9).last());
  EXPECT_FALSE(r->ranking.entries(7).last());
  EXPECT_EQ(Summary(r->opened), (std::vector<std::string>{"市城管局 interview/vice_mayor_in_charge#1",
                                                          "市水利局 interview/vice_mayor_in_charge#1"}));

  // The rule is a choice in config: under none_last a tie at the bottom
  // makes nobody last.
  yamlx::Doc doc = DefaultDoc();
  doc.root["tie_rule"] = "none_last";
  Load(doc);
  in.period = "2023-06";
  auto none = rankings_->EnterRanking(Meta(), in);
  ASSERT_TRUE(none.ok()) << none.status();
  for (const auto& e : none->ranking.entries()) EXPECT_FALSE(e.last()) << e.unit_id();
  EXPECT_TRUE(none->opened.empty());
  EXPECT_EQ(AllCases().size(), 2u);
}

TEST_F(AccountabilityTest, NotRankedUnitsNeverTrigger) {
  // 交警 not ranked for three months: nine units ranked, the last of them
  // gets the case, never 交警.
  const std::vector<std::string> nr = {"市公安局交警大队"};
  for (const std::string month : {"2023-01", "2023-02", "2023-03"}) {
    auto cases = EnforcementLast(month, "市农业农村局", nr);
    for (const auto& c : cases) EXPECT_NE(c.unit_id(), Id("市公安局交警大队"));
  }
  auto r = rankings_->GetRanking("enforcement", "2023-01");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries_size(), 9);
  // The board's own 不参与排名 units first, then this period's.
  ASSERT_EQ(r->not_ranked_unit_ids_size(), 22);
  EXPECT_EQ(r->not_ranked_unit_ids(0), Id("市发改局"));
  EXPECT_EQ(r->not_ranked_unit_ids(21), Id("市公安局交警大队"));
  for (const auto& c : AllCases()) EXPECT_NE(c.unit_id(), Id("市公安局交警大队"));

  // A month not ranked breaks a run of last places.
  EnforcementLast("2023-04", "市自然资源局");
  EnforcementLast("2023-05", "市城管局", {"市自然资源局"});
  EXPECT_EQ(Summary(EnforcementLast("2023-06", "市自然资源局")),
            std::vector<std::string>{"市自然资源局 interview/vice_mayor_in_charge#1"});

  // A unit of the board's 不参与排名 list cannot be ranked at all.
  auto bad = Enter("enforcement", "2023-07", Order(KeyUnits(), {"市发改局"}));
  EXPECT_TRUE(IsError(bad.status(), absl::StatusCode::kInvalidArgument, "entries[10].unit"));
  EXPECT_TRUE(Contains(bad.status().message(), "不参与排名"));
}

// ---------------------------------------------------------------- incidents and notices

TEST_F(AccountabilityTest, AFatalAccidentOpensAnInterviewThatMonthOnce) {
  IncidentInput in{"市住建局", "2023-03-15", "production_safety", 1, "某工地高处坠落"};
  auto first = acct_->ReportIncident(Meta(), in);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->incident.id(), "I1");
  EXPECT_EQ(first->incident.unit_id(), Id("市住建局"));
  ASSERT_EQ(first->opened.size(), 1u);
  const v1::AccountabilityCase& c = first->opened[0];
  EXPECT_EQ(c.action(), "interview");
  EXPECT_EQ(c.by_role(), "vice_mayor_in_charge");
  EXPECT_EQ(c.period(), "2023-03");
  EXPECT_EQ(c.ladder_id(), "fatal-accident");
  EXPECT_TRUE(Contains(c.reason(), "死亡1人"));

  // A second fatal accident the same month: recorded, no second case.
  auto second = acct_->ReportIncident(Meta(), {"市住建局", "2023-03-28", "road_traffic", 2, ""});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->incident.id(), "I2");
  EXPECT_TRUE(second->opened.empty());
  // No deaths: no case.
  auto minor = acct_->ReportIncident(Meta(), {"道林镇", "2023-03-20", "fire", 0, "仓库起火，无人员伤亡"});
  ASSERT_TRUE(minor.ok()) << minor.status();
  EXPECT_TRUE(minor->opened.empty());
  // Next month: a new case.
  auto april = acct_->ReportIncident(Meta(), {"住建局", "2023-04-02", "fire", 1, ""});
  ASSERT_TRUE(april.ok()) << april.status();
  ASSERT_EQ(april->opened.size(), 1u);
  EXPECT_EQ(april->opened[0].period(), "2023-04");

  EXPECT_EQ(AllCases().size(), 2u);
  v1::Incident stored;
  ASSERT_TRUE(engine_->store().GetProto(Cf::kEntities, keys::Entity(keys::Kind::kIncident, "I2"), &stored).ok());
  EXPECT_EQ(stored.deaths(), 2);
  EXPECT_EQ(AccountabilityNotes().size(), 2u);
}

TEST_F(AccountabilityTest, TheSameProblemInTwoMonthlyNoticesOpensAWarningInterview) {
  auto jan = acct_->RecordNoticeProblem(Meta(), "道林镇", "2023-01", "危化品仓储隐患未整改");
  ASSERT_TRUE(jan.ok()) << jan.status();
  EXPECT_EQ(jan->times, 1);
  EXPECT_TRUE(jan->opened.empty());
  auto other = acct_->RecordNoticeProblem(Meta(), "道林镇", "2023-02", "消防通道堵塞");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->times, 1);
  EXPECT_TRUE(other->opened.empty());
  auto elsewhere = acct_->RecordNoticeProblem(Meta(), "大屯营镇", "2023-02", "危化品仓储隐患未整改");
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(elsewhere->opened.empty());

  auto feb = acct_->RecordNoticeProblem(Meta(), "道林镇", "2023-02", "危化品仓储隐患未整改");
  ASSERT_TRUE(feb.ok()) << feb.status();
  EXPECT_EQ(feb->times, 2);
  ASSERT_EQ(feb->opened.size(), 1u);
  EXPECT_EQ(feb->opened[0].action(), "warning_interview");
  EXPECT_EQ(feb->opened[0].action_name(), "警示约谈");
  EXPECT_EQ(feb->opened[0].by_role(), "vice_mayor_in_charge");
  EXPECT_EQ(feb->opened[0].period(), "2023-02");
  EXPECT_EQ(feb->opened[0].unit_id(), Id("道林镇"));
  EXPECT_TRUE(Contains(feb->opened[0].reason(), "2023-01、2023-02"));

  auto again = acct_->RecordNoticeProblem(Meta(), "道林镇", "2023-02", "危化品仓储隐患未整改");
  EXPECT_TRUE(IsError(again.status(), absl::StatusCode::kAlreadyExists, "problem"));
  EXPECT_EQ(AllCases().size(), 1u);
}

// ---------------------------------------------------------------- a ladder only in YAML

constexpr char kBottomThreeYaml[] = R"(roles:
  vice_mayor_in_charge: 分管市领导
  safety_committee_office: 市安委办
boards:
  - id: towns-and-departments
    name: 执法排名（试）
    source: entered
    cadence: monthly
    members: [道林镇, 大屯营镇, 花明楼镇, 东湖塘镇, 金洲镇, 市发改局, 市教育局, 市财政局, 市科技局, 市民政局]
ladders:
  - id: bottom-three
    name: 排名后三名
    board: towns-and-departments
    band: {bottom: 3}
    category_offsets: {department: 1}
    steps:
      - when: {consecutive: 2, within_year: 3}
        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}
      - when: {consecutive: 3, within_year: 4}
        action: {id: criticism_notice, name: 通报批评, by_role: safety_committee_office}
)";

TEST_F(AccountabilityTest, ASecondLadderDefinedOnlyInYaml) {
  LoadText(kBottomThreeYaml);
  const std::vector<std::string> members = {"道林镇",   "大屯营镇", "花明楼镇", "东湖塘镇", "金洲镇",
                                            "市发改局", "市教育局", "市财政局", "市科技局", "市民政局"};
  // T1 道林镇, T2 大屯营镇 (townships); D1 市发改局, D2 市教育局 (departments);
  // the others fill the bottom three without reaching a threshold.
  struct Month {
    std::string period;
    std::vector<std::string> bottom;
    std::vector<std::string> expected;
  };
  const std::vector<Month> months = {
      {"2023-01", {"道林镇", "大屯营镇", "市发改局"}, {}},
      // T1 2 in a row → interview; D1 2 in a row is not enough for a department.
      {"2023-02", {"道林镇", "市发改局", "市教育局"}, {"道林镇 interview/vice_mayor_in_charge#1"}},
      // T1 3 in a row → criticism; D1 3 in a row → interview.
      {"2023-03",
       {"道林镇", "大屯营镇", "市发改局"},
       {"市发改局 interview/vice_mayor_in_charge#1", "道林镇 criticism_notice/safety_committee_office#2"}},
      // D1 4 in a row → criticism.
      {"2023-04", {"市发改局", "市教育局", "市财政局"}, {"市发改局 criticism_notice/safety_committee_office#2"}},
      // T2 3 in the year (not in a row) → interview.
      {"2023-05", {"大屯营镇", "花明楼镇", "市科技局"}, {"大屯营镇 interview/vice_mayor_in_charge#1"}},
      // D2 3 in the year: not enough for a department.
      {"2023-06", {"市教育局", "东湖塘镇", "市民政局"}, {}},
      // T2 4 in the year → criticism.
      {"2023-07",
       {"大屯营镇", "市财政局", "金洲镇"},
       {"大屯营镇 criticism_notice/safety_committee_office#2"}},
      // D2 4 in the year → interview.
      {"2023-08", {"市教育局", "花明楼镇", "市科技局"}, {"市教育局 interview/vice_mayor_in_charge#1"}},
      {"2023-09", {"市财政局", "市民政局", "东湖塘镇"}, {}},
      // D2 5 in the year → criticism.
      {"2023-10",
       {"市教育局", "金洲镇", "市科技局"},
       {"市教育局 criticism_notice/safety_committee_office#2"}},
  };
  size_t total = 0;
  for (const Month& m : months) {
    SCOPED_TRACE(m.period);
    auto r = Enter("towns-and-departments", m.period, Order(members, m.bottom));
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<std::string> expected = m.expected;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Summary(r->opened), expected);
    total += r->opened.size();
  }
  EXPECT_EQ(AllCases().size(), total);
  auto d1 = acct_->ListCases(Filter("市发改局"));
  ASSERT_TRUE(d1.ok());
  ASSERT_EQ(d1->size(), 2u);
  EXPECT_TRUE(Contains((*d1)[0].reason(), "连续3期"));
  EXPECT_TRUE(Contains((*d1)[0].reason(), "排名后3名"));
}

// ---------------------------------------------------------------- workflow

TEST_F(AccountabilityTest, CaseWorkflowFullPathAndIllegalTransitions) {
  auto opened = EnforcementLast("2023-01", "市市场监管局");
  ASSERT_EQ(opened.size(), 1u);
  const std::string id = opened[0].id();

  // Wrong order: FAILED_PRECONDITION naming the state and what it allows.
  auto early = acct_->FollowUp(Meta(), id, "已整改");
  EXPECT_TRUE(IsError(early.status(), absl::StatusCode::kFailedPrecondition, "scheduled"));
  EXPECT_TRUE(Contains(early.status().message(), "allowed in scheduled: hold"));
  EXPECT_TRUE(IsError(acct_->Close(Meta(), id).status(), absl::StatusCode::kFailedPrecondition, "close"));

  // Holding needs minutes and at least one commitment.
  EXPECT_TRUE(IsError(acct_->Hold(Meta(), id, "", {"一周内完成整改"}).status(), absl::StatusCode::kInvalidArgument,
                      "minutes"));
  EXPECT_TRUE(IsError(acct_->Hold(Meta(), id, "约谈记录", {}).status(), absl::StatusCode::kInvalidArgument,
                      "commitments"));
  EXPECT_TRUE(IsError(acct_->Hold(Meta(), id, "约谈记录", {" "}).status(), absl::StatusCode::kInvalidArgument,
                      "commitments[0]"));
  CommandMeta stale = Meta();
  stale.expected_version = 7;
  EXPECT_TRUE(IsError(acct_->Hold(stale, id, "约谈记录", {"整改"}).status(), absl::StatusCode::kAborted,
                      "meta.expected_version"));

  clock_.Advance(absl::Hours(1));
  CommandMeta vm = Meta("分管副市长");
  vm.expected_version = 1;
  auto held = acct_->Hold(vm, id, "约谈市市场监管局主要负责人，指出执法检查频次不足", {"一个月内补齐执法检查", "每周报送执法台账"});
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->state(), v1::ACCOUNTABILITY_STATE_HELD);
  EXPECT_EQ(held->version(), 2u);
  EXPECT_EQ(held->commitments_size(), 2);
  EXPECT_TRUE(IsError(acct_->Hold(Meta(), id, "再谈", {"x"}).status(), absl::StatusCode::kFailedPrecondition,
                      "allowed in held: follow_up"));
  EXPECT_TRUE(IsError(acct_->FollowUp(Meta(), id, "").status(), absl::StatusCode::kInvalidArgument, "follow_up"));
  auto followed = acct_->FollowUp(Meta(), id, "已补齐检查 42 次，台账按周报送");
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_EQ(followed->state(), v1::ACCOUNTABILITY_STATE_FOLLOWED_UP);
  auto closed = acct_->Close(Meta(), id, "整改到位");
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state(), v1::ACCOUNTABILITY_STATE_CLOSED);
  EXPECT_EQ(closed->version(), 4u);
  auto after = acct_->Close(Meta(), id);
  EXPECT_TRUE(IsError(after.status(), absl::StatusCode::kFailedPrecondition, "closed"));
  EXPECT_TRUE(Contains(after.status().message(), "nothing"));

  auto stored = acct_->GetCase(id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->minutes(), "约谈市市场监管局主要负责人，指出执法检查频次不足");
  EXPECT_EQ(stored->follow_up(), "已补齐检查 42 次，台账按周报送");

  auto h = acct_->CaseHistory(id);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->size(), 4u);
  const std::vector<std::string> kinds = {"opened", "held", "followed_up", "closed"};
  const std::vector<v1::AccountabilityState> to = {v1::ACCOUNTABILITY_STATE_SCHEDULED, v1::ACCOUNTABILITY_STATE_HELD,
                                                   v1::ACCOUNTABILITY_STATE_FOLLOWED_UP,
                                                   v1::ACCOUNTABILITY_STATE_CLOSED};
  for (size_t i = 0; i < h->size(); ++i) {
    EXPECT_EQ((*h)[i].version(), i + 1);
    EXPECT_EQ((*h)[i].case_id(), id);
    EXPECT_EQ((*h)[i].kind(), kinds[i]);
    EXPECT_EQ((*h)[i].to_state(), to[i]);
    if (i > 0) {
      EXPECT_EQ((*h)[i].from_state(), to[i - 1]);
    }
  }
  EXPECT_EQ((*h)[1].actor(), "分管副市长");

  // Listing by unit, period and state.
  EnforcementLast("2023-02", "市城管局");
  EXPECT_EQ(acct_->ListCases(Filter("", "", v1::ACCOUNTABILITY_STATE_CLOSED))->size(), 1u);
  EXPECT_EQ(acct_->ListCases(Filter("", "", v1::ACCOUNTABILITY_STATE_SCHEDULED))->size(), 1u);
  EXPECT_EQ(acct_->ListCases(Filter("", "2023-02"))->size(), 1u);
  EXPECT_EQ(acct_->ListCases(Filter("城管局"))->at(0).unit_id(), Id("市城管局"));
  EXPECT_TRUE(IsError(acct_->ListCases(Filter("不存在局")).status(), absl::StatusCode::kNotFound, "unit"));
  EXPECT_TRUE(IsError(acct_->GetCase("A99").status(), absl::StatusCode::kNotFound, "case_id"));
}

// ---------------------------------------------------------------- the computed scorecard

TEST_F(AccountabilityTest, ComputedScorecardRanksByWeightedScoreAndFeedsItsLadder) {
  // A ladder on the scorecard, added to the default config's YAML.
  yamlx::Doc doc = DefaultDoc();
  auto extra = yamlx::Parse("extra.yaml", R"(ladder:
  id: scorecard-last
  board: scorecard
  band: last
  steps:
    - when: {consecutive: 1}
      action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}
)");
  ASSERT_TRUE(extra.ok()) << extra.status();
  doc.root["ladders"].push_back(extra->root["ladder"]);
  Load(doc);

  // Punctuality records written directly.
  struct Figures {
    std::string unit;
    int due, on_time, returned;
  };
  const std::vector<Figures> figures = {
      {"市发改局", 10, 10, 0}, {"市财政局", 10, 8, 1}, {"市教育局", 10, 5, 3}, {"道林镇", 10, 1, 6}};
  rocksdb::WriteBatch batch;
  for (const auto& f : figures) {
    v1::UnitScore s;
    s.set_unit_id(Id(f.unit));
    s.set_due(f.due);
    s.set_on_time(f.on_time);
    s.set_returned(f.returned);
    engine_->store().Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kUnitScore, s.unit_id()), s);
  }
  ASSERT_TRUE(engine_->store().Write(&batch).ok());

  // The expected scores, from the same figures and the lead tasks.
  const ScoreWeights& w = config_->FindBoard("scorecard")->weights;
  std::map<std::string, double> expected;
  for (const auto& f : figures) {
    TaskFilter tf;
    tf.unit = f.unit;
    tf.page_size = 500;
    auto page = engine_->ListTasks(tf);
    ASSERT_TRUE(page.ok());
    int all = 0, done = 0, overdue = 0;
    for (const auto& t : page->tasks) {
      if (std::find(t.lead_unit_ids().begin(), t.lead_unit_ids().end(), Id(f.unit)) == t.lead_unit_ids().end()) continue;
      ++all;
      done += t.state() == v1::TASK_STATE_COMPLETED || t.state() == v1::TASK_STATE_ARCHIVED;
      overdue += t.overdue();
    }
    double completion = all ? static_cast<double>(done) / all : 1.0;
    expected[Id(f.unit)] = w.on_time_rate * f.on_time / f.due + w.completion_rate * completion +
                           w.overdue_tasks * overdue + w.returns * f.returned;
  }

  auto r = rankings_->ComputeScorecard(Meta("duban"), "2023-11");
  ASSERT_TRUE(r.ok()) << r.status();
  const v1::Ranking& ranking = r->ranking;
  EXPECT_EQ(ranking.id(), "scorecard:2023-11");
  EXPECT_EQ(ranking.source(), v1::RANKING_SOURCE_COMPUTED);
  ASSERT_EQ(ranking.entries_size(), 4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(ranking.entries(i).score(), expected[ranking.entries(i).unit_id()], 1e-6);
    if (i > 0) {
      EXPECT_GE(ranking.entries(i - 1).score(), ranking.entries(i).score());
    }
  }
  // 道林镇 has the worst punctuality and most returns: last, with the ladder's case.
  EXPECT_EQ(ranking.entries(3).unit_id(), Id("道林镇"));
  EXPECT_TRUE(ranking.entries(3).last());
  EXPECT_EQ(Summary(r->opened), std::vector<std::string>{"道林镇 interview/vice_mayor_in_charge#1"});
  EXPECT_EQ(r->opened[0].ladder_id(), "scorecard-last");

  // Computed once per period unless replaced; the same last unit gets no second case.
  EXPECT_TRUE(IsError(rankings_->ComputeScorecard(Meta("duban"), "2023-11").status(),
                      absl::StatusCode::kAlreadyExists, "period"));
  auto again = rankings_->ComputeScorecard(Meta("duban"), "2023-11", "scorecard", true);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->opened.empty());
  // The enforcement board is entered, not computed.
  EXPECT_TRUE(IsError(rankings_->ComputeScorecard(Meta(), "2023-11", "enforcement").status(),
                      absl::StatusCode::kInvalidArgument, "board"));
}

// ---------------------------------------------------------------- replace, restart

TEST_F(AccountabilityTest, ReplacingAPeriodAddsOnlyNewCasesAndIdsSurviveARestart) {
  EnforcementLast("2023-01", "市水利局");
  auto dup = Enter("enforcement", "2023-01", Order(KeyUnits(), {"市城管局"}));
  EXPECT_TRUE(IsError(dup.status(), absl::StatusCode::kAlreadyExists, "period"));
  auto replaced = Enter("enforcement", "2023-01", Order(KeyUnits(), {"市城管局"}), {}, true);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(Summary(replaced->opened), std::vector<std::string>{"市城管局 interview/vice_mayor_in_charge#1"});
  auto same = Enter("enforcement", "2023-01", Order(KeyUnits(), {"市城管局"}), {}, true);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->opened.empty());
  EXPECT_EQ(rankings_->GetRanking("enforcement", "2023-01")->entries(9).unit_id(), Id("市城管局"));

  acct_.reset();
  rankings_.reset();
  engine_.reset();
  auto e = Engine::Open(dir_.path(), &clock_);
  ASSERT_TRUE(e.ok()) << e.status();
  engine_ = std::move(*e);
  Load(DefaultDoc());
  auto feb = EnforcementLast("2023-02", "市城管局");
  ASSERT_EQ(feb.size(), 1u);
  EXPECT_EQ(feb[0].id(), "A3");
  EXPECT_EQ(feb[0].by_role(), "mayor");  // January's stored ranking counts after the restart
}

TEST_F(AccountabilityTest, ReplacingARankingWithdrawsTheCasesOfUnitsNoLongerLast) {
  auto jan = EnforcementLast("2023-01", "市水利局");
  ASSERT_EQ(jan.size(), 1u);
  std::string water = jan[0].id();
  auto replaced = Enter("enforcement", "2023-01", Order(KeyUnits(), {"市城管局"}), {}, true);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  // The unit now ranked above last keeps no open "倒数第一" interview.
  auto old = acct_->GetCase(water);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->state(), v1::ACCOUNTABILITY_STATE_CLOSED);
  auto history = acct_->CaseHistory(water);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().kind(), "withdrawn");
  int open_for_water = 0;
  for (const auto& c : AllCases()) {
    if (c.unit_id() == Id("市水利局") && c.state() != v1::ACCOUNTABILITY_STATE_CLOSED) ++open_for_water;
  }
  EXPECT_EQ(open_for_water, 0);
  // Ranked last again in a second correction: a case opens again.
  auto back = Enter("enforcement", "2023-01", Order(KeyUnits(), {"市水利局"}), {}, true);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(Summary(back->opened), std::vector<std::string>{"市水利局 interview/vice_mayor_in_charge#1"});
}

// ---------------------------------------------------------------- bad config files

TEST_F(AccountabilityTest, BadConfigFilesNameFileAndLine) {
  const std::string base = R"(roles:
  vice_mayor_in_charge: 分管市领导
boards:
  - id: b
    name: 排名
    source: entered
    cadence: monthly
    members: [市住建局, 市水利局]
ladders:
  - id: l
    board: b
    band: last
    steps:
      - when: {consecutive: 1}
        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}
)";
  {
    auto doc = yamlx::Parse("bad.yaml", base);
    ASSERT_TRUE(doc.ok());
    ASSERT_TRUE(LoadAccountabilityConfig(*doc, engine_->directory()).ok()) << LoadAccountabilityConfig(*doc, engine_->directory()).status();
  }
  struct Case {
    std::string what, from, to, expected;
  };
  const std::vector<Case> cases = {
      {"unknown board", "    board: b\n", "    board: nope\n", "bad.yaml:11: ladders[0].board: unknown board 'nope'"},
      {"unknown unit", "[市住建局, 市水利局]", "[市住建局, 不存在局]",
       "bad.yaml:8: boards[0].members[1]: unknown unit '不存在局'"},
      {"unit twice", "[市住建局, 市水利局]", "[市住建局, 住建局]", "bad.yaml:8: boards[0].members[1]: '住建局' is listed twice"},
      {"bad band", "band: last", "band: first", "bad.yaml:12: ladders[0].band: must be `last` or {bottom: k}"},
      {"bad bottom", "band: last", "band: {bottom: 0}", "bad.yaml:12: ladders[0].band.bottom: must be 1 to 1000"},
      {"step without action", "        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}\n", "",
       "bad.yaml:14: ladders[0].steps[0].action: required"},
      {"unknown role", "by_role: vice_mayor_in_charge}", "by_role: mayor}",
       "bad.yaml:15: ladders[0].steps[0].action.by_role: unknown role 'mayor'"},
      {"step without condition", "{consecutive: 1}", "{}", "bad.yaml:14: ladders[0].steps[0].when: give consecutive"},
      {"zero threshold", "{consecutive: 1}", "{consecutive: 0}",
       "bad.yaml:14: ladders[0].steps[0].when.consecutive: must be 1 to 100"},
      {"misspelt field", "    cadence: monthly\n", "    cadense: monthly\n", "bad.yaml:7: boards[0].cadense: unknown field"},
      {"bad cadence", "cadence: monthly", "cadence: weekly", "bad.yaml:7: boards[0].cadence: 'weekly' is not monthly"},
      {"bad source", "source: entered", "source: rumoured", "bad.yaml:6: boards[0].source: 'rumoured'"},
      {"bad tie rule", "boards:\n", "tie_rule: sometimes\nboards:\n",
       "bad.yaml:3: tie_rule: 'sometimes' is not a tie rule"},
      {"bad category", "    band: last\n", "    band: last\n    category_offsets: {county: 1}\n",
       "bad.yaml:13: ladders[0].category_offsets.county: unknown unit category"},
      {"weights on an entered board", "    members: [市住建局, 市水利局]\n",
       "    members: [市住建局, 市水利局]\n    weights: {returns: -1}\n",
       "bad.yaml:9: boards[0].weights: only computed boards have weights"},
      {"unknown metric", "    source: entered\n    cadence: monthly\n",
       "    source: computed\n    cadence: monthly\n    weights: {speed: 1}\n",
       "bad.yaml:8: boards[0].weights.speed: unknown field"},
      {"duplicate ladder id", "\n", "\n", ""},  // replaced below
      {"not YAML", "roles:\n", "roles: [\n", "bad.yaml:"},
      {"bad id", "  - id: b\n", "  - id: b:c\n", "bad.yaml:4: boards[0].id: 'b:c' is not an id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::string text = base;
    std::string expected = c.expected;
    if (c.what == "duplicate ladder id") {
      text = base + "  - id: l\n    board: b\n    band: last\n    steps:\n      - when: {within_year: 2}\n"
                    "        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}\n";
      expected = "bad.yaml:16: ladders[1].id: 'l' is already used";
    } else {
      ASSERT_NE(text.find(c.from), std::string::npos) << c.from;
      text.replace(text.find(c.from), c.from.size(), c.to);
    }
    auto doc = yamlx::Parse("bad.yaml", text);
    absl::Status s = doc.ok() ? LoadAccountabilityConfig(*doc, engine_->directory()).status() : doc.status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_TRUE(Contains(s.message(), expected)) << text;
  }

  // And from a file.
  TempDir tmp;
  std::string path = tmp.sub("accountability.yaml");
  {
    std::string text = absl::StrReplaceAll(base, {{"    board: b\n", "    board: nope\n"}});
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fwrite(text.data(), 1, text.size(), f);
    fclose(f);
  }
  auto s = LoadAccountabilityConfigFile(path, engine_->directory()).status();
  EXPECT_TRUE(IsError(s, absl::StatusCode::kInvalidArgument, path + ":11: ladders[0].board"));
}

// ---------------------------------------------------------------- bad input

TEST_F(AccountabilityTest, BadInputNamesTheFieldAndLeavesTheStoreUnchanged) {
  EnforcementLast("2023-01", "市水利局");
  auto before = Dump();

  auto enter = [&](const std::vector<std::string>& order, std::string period = "2023-02",
                   std::vector<std::string> not_ranked = {}) {
    return Enter("enforcement", period, order, not_ranked).status();
  };
  std::vector<std::string> unknown = KeyUnits();
  unknown[3] = "不存在局";
  EXPECT_TRUE(IsError(enter(unknown), absl::StatusCode::kNotFound, "entries[3].unit"));
  std::vector<std::string> twice = KeyUnits();
  twice[5] = "住建局";  // 市住建局 by its alias, again
  EXPECT_TRUE(IsError(enter(twice), absl::StatusCode::kInvalidArgument, "entries[5].unit"));
  EXPECT_TRUE(Contains(enter(twice).message(), "listed twice (also entries[1].unit)"));
  for (const std::string bad : {"2023-1", "2023-13", "23-01", "2023/02", "2023-02-01", ""}) {
    EXPECT_TRUE(IsError(enter(KeyUnits(), bad), absl::StatusCode::kInvalidArgument, "period")) << bad;
  }
  EXPECT_TRUE(IsError(enter(KeyUnits(), "2024-01"), absl::StatusCode::kInvalidArgument, "has not begun"));
  EXPECT_TRUE(IsError(enter(KeyUnits(), "2023-01"), absl::StatusCode::kAlreadyExists, "period"));
  std::vector<std::string> nine(KeyUnits().begin(), KeyUnits().end() - 1);
  EXPECT_TRUE(IsError(enter(nine), absl::StatusCode::kInvalidArgument, "entries: member '市公安局交警大队'"));
  std::vector<std::string> outsider = KeyUnits();
  outsider.push_back("道林镇");
  EXPECT_TRUE(IsError(enter(outsider), absl::StatusCode::kInvalidArgument, "entries[10].unit"));
  std::vector<std::string> group = KeyUnits();
  group.push_back("各乡镇（街道）");
  EXPECT_TRUE(IsError(enter(group), absl::StatusCode::kInvalidArgument, "entries[10].unit"));
  EXPECT_TRUE(IsError(enter(nine, "2023-02", {"查无此局"}), absl::StatusCode::kNotFound, "not_ranked[0]"));
  EXPECT_TRUE(IsError(enter(nine, "2023-02", {"市应急管理局"}), absl::StatusCode::kInvalidArgument, "not_ranked[0]"));
  EXPECT_TRUE(IsError(enter({}), absl::StatusCode::kInvalidArgument, "entries"));
  EXPECT_TRUE(IsError(Enter("nope", "2023-02", KeyUnits()).status(), absl::StatusCode::kNotFound, "board"));
  EXPECT_TRUE(IsError(Enter("scorecard", "2023-02", KeyUnits()).status(), absl::StatusCode::kInvalidArgument, "board"));

  RankingInput scored;
  scored.board = "enforcement";
  scored.period = "2023-02";
  for (const auto& u : KeyUnits()) scored.entries.push_back({u, 90.0});
  scored.entries[1].score = std::nullopt;
  EXPECT_TRUE(IsError(rankings_->EnterRanking(Meta(), scored).status(), absl::StatusCode::kInvalidArgument,
                      "entries[1].score"));
  scored.entries[1].score = 80;
  scored.entries[2].score = 85;
  EXPECT_TRUE(IsError(rankings_->EnterRanking(Meta(), scored).status(), absl::StatusCode::kInvalidArgument,
                      "entries[2].score"));
  scored.entries[2].score = 80;
  EXPECT_TRUE(IsError(rankings_->EnterRanking(Meta(""), scored).status(), absl::StatusCode::kInvalidArgument,
                      "meta.actor"));
  EXPECT_TRUE(IsError(rankings_->ComputeScorecard(Meta(), "2023-14").status(), absl::StatusCode::kInvalidArgument,
                      "period"));

  EXPECT_TRUE(IsError(acct_->ReportIncident(Meta(), {"不存在局", "2023-03-01", "fire", 1, ""}).status(),
                      absl::StatusCode::kNotFound, "unit"));
  EXPECT_TRUE(IsError(acct_->ReportIncident(Meta(), {"市住建局", "2023-02-30", "fire", 1, ""}).status(),
                      absl::StatusCode::kInvalidArgument, "date"));
  EXPECT_TRUE(IsError(acct_->ReportIncident(Meta(), {"市住建局", "2024-01-05", "fire", 1, ""}).status(),
                      absl::StatusCode::kInvalidArgument, "date"));
  EXPECT_TRUE(IsError(acct_->ReportIncident(Meta(), {"市住建局", "2023-03-01", "meteor", 1, ""}).status(),
                      absl::StatusCode::kInvalidArgument, "kind"));
  EXPECT_TRUE(IsError(acct_->ReportIncident(Meta(), {"市住建局", "2023-03-01", "fire", -1, ""}).status(),
                      absl::StatusCode::kInvalidArgument, "deaths"));
  EXPECT_TRUE(IsError(acct_->RecordNoticeProblem(Meta(), "道林镇", "2023-3", "隐患").status(),
                      absl::StatusCode::kInvalidArgument, "month"));
  EXPECT_TRUE(IsError(acct_->RecordNoticeProblem(Meta(), "道林镇", "2023-03", "").status(),
                      absl::StatusCode::kInvalidArgument, "problem"));
  EXPECT_TRUE(IsError(acct_->RecordNoticeProblem(Meta(), "各乡镇（街道）", "2023-03", "隐患").status(),
                      absl::StatusCode::kInvalidArgument, "unit"));
  EXPECT_TRUE(IsError(acct_->Hold(Meta(), "A1", "", {"x"}).status(), absl::StatusCode::kInvalidArgument, "minutes"));
  EXPECT_TRUE(IsError(acct_->Hold(Meta(), "A42", "记录", {"x"}).status(), absl::StatusCode::kNotFound, "case_id"));

  auto after = Dump();
  EXPECT_EQ(before.size(), after.size());
  EXPECT_TRUE(before == after) << "the store changed:" << DumpDiff(before, after);
}

}  // namespace
}  // namespace duban
