// Plan import: the demo plan's exact counts through the Engine API, and
// malformed plan files refused with file:line messages and no writes.
#include "engine/plans/plan_loader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/time/clock.h"
#include "engine/engine.h"
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

// ---------------------------------------------------------------- expected counts of the demo plan

constexpr char kPlanId[] = "ningxiang-2023-six-battles";
constexpr int kUnits = 115;
constexpr int kDepartments = 56;
constexpr int kTownships = 29;
constexpr int kParks = 2;
constexpr int kPlatformCompanies = 4;
constexpr int kOtherUnits = 24;
constexpr int kUnitGroups = 4;
constexpr int kPeople = 21;
constexpr int kCampaigns = 6;
constexpr int kTasks = 170;

struct CampaignCounts {
  const char* id;
  int tasks;
  int task_force_members;
};
constexpr CampaignCounts kCampaignCounts[] = {
    {"economy", 31, 32},  {"innovation", 13, 12}, {"environment", 29, 24},
    {"risk", 31, 23},     {"safety", 28, 31},     {"livelihood", 38, 24},
};

::testing::AssertionResult Contains(absl::string_view hay, absl::string_view needle) {
  if (hay.find(needle) != absl::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << hay << "' does not contain '" << needle << "'";
}

// "targets.<campaign>: N" lines of config/demo/plan-counts.txt, read at test
// time (the targets are being revised).
std::map<std::string, int> TargetCountsFromFile() {
  std::map<std::string, int> out;
  std::ifstream in(SourcePath("config/demo/plan-counts.txt"));
  EXPECT_TRUE(in.good()) << "cannot read config/demo/plan-counts.txt";
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view l = line;
    if (!absl::ConsumePrefix(&l, "targets.")) continue;
    auto colon = l.find(':');
    if (colon == absl::string_view::npos) continue;
    int n = 0;
    std::string campaign(l.substr(0, colon));
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(l.substr(colon + 1)), &n)) << line;
    out[campaign] = n;
  }
  return out;
}

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = Engine::Open(dir_.path(), &clock_);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
  }
  std::map<std::string, std::string> Dump() { return DumpStore(engine_->store()); }

  TempDir dir_;
  SimulatedClock clock_{absl::FromCivil(absl::CivilSecond(2023, 6, 1, 9, 0, 0), PlanTimeZone())};
  std::unique_ptr<Engine> engine_;
};

// ---------------------------------------------------------------- the demo plan

class DemoPlanTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    doc_ = *doc;
    auto s = engine_->ImportPlan(doc_, "tester", true);
    ASSERT_TRUE(s.ok()) << s.status();
    summary_ = *s;
  }
  yamlx::Doc doc_;
  ImportSummary summary_;
};

TEST_F(DemoPlanTest, ImportSummaryCounts) {
  EXPECT_EQ(summary_.plan.id(), kPlanId);
  EXPECT_EQ(summary_.units, kUnits);
  EXPECT_EQ(summary_.tasks, kTasks);
  EXPECT_EQ(summary_.campaigns, kCampaigns);
  EXPECT_EQ(summary_.task_forces, kCampaigns);
}

TEST_F(DemoPlanTest, PlanHeader) {
  auto plans = engine_->ListPlans().value();
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].id(), kPlanId);
  EXPECT_EQ(plans[0].year(), 2023);
  EXPECT_EQ(plans[0].issued_date(), "2023-03-17");
  EXPECT_EQ(plans[0].jurisdiction_id(), "ningxiang");
  EXPECT_EQ(plans[0].campaign_ids_size(), kCampaigns);
}

TEST_F(DemoPlanTest, CampaignsInOrderWithTaskCounts) {
  auto cs = engine_->ListCampaigns(kPlanId);
  ASSERT_TRUE(cs.ok()) << cs.status();
  ASSERT_EQ(cs->size(), static_cast<size_t>(kCampaigns));
  for (int i = 0; i < kCampaigns; ++i) {
    EXPECT_EQ((*cs)[i].id(), kCampaignCounts[i].id);
    EXPECT_EQ((*cs)[i].task_count(), kCampaignCounts[i].tasks) << kCampaignCounts[i].id;
    EXPECT_EQ((*cs)[i].plan_id(), kPlanId);
  }
  int total = 0;
  for (const auto& c : kCampaignCounts) total += c.tasks;
  EXPECT_EQ(total, kTasks);
}

TEST_F(DemoPlanTest, CampaignTargetsMatchPlanCounts) {
  auto want = TargetCountsFromFile();
  ASSERT_EQ(want.size(), static_cast<size_t>(kCampaigns)) << "targets.<campaign> lines in plan-counts.txt";
  auto cs = engine_->ListCampaigns(kPlanId);
  ASSERT_TRUE(cs.ok()) << cs.status();
  for (const auto& c : *cs) {
    ASSERT_TRUE(want.count(c.id())) << "no targets." << c.id() << " line";
    EXPECT_EQ(c.targets_size(), want[c.id()]) << c.id();
  }
}

TEST_F(DemoPlanTest, EveryCampaignHasATarget) {
  auto cs = engine_->ListCampaigns(kPlanId);
  ASSERT_TRUE(cs.ok()) << cs.status();
  for (const auto& c : *cs) EXPECT_GE(c.targets_size(), 1) << c.id();
}

TEST_F(DemoPlanTest, ListTasksPerCampaign) {
  int total = 0;
  for (const auto& cc : kCampaignCounts) {
    TaskFilter f;
    f.campaign_id = cc.id;
    f.page_size = 500;
    auto p = engine_->ListTasks(f);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->tasks.size(), static_cast<size_t>(cc.tasks)) << cc.id;
    EXPECT_TRUE(p->next_page_token.empty());
    for (const auto& t : p->tasks) {
      EXPECT_EQ(t.campaign_id(), cc.id);
      EXPECT_EQ(t.state(), v1::TASK_STATE_ASSIGNED);
    }
    total += static_cast<int>(p->tasks.size());
  }
  EXPECT_EQ(total, kTasks);
}

TEST_F(DemoPlanTest, UnitsPerCategory) {
  EXPECT_EQ(engine_->ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED).size(), static_cast<size_t>(kUnits));
  EXPECT_EQ(engine_->ListUnits(v1::UNIT_CATEGORY_DEPARTMENT).size(), static_cast<size_t>(kDepartments));
  EXPECT_EQ(engine_->ListUnits(v1::UNIT_CATEGORY_TOWNSHIP).size(), static_cast<size_t>(kTownships));
  EXPECT_EQ(engine_->ListUnits(v1::UNIT_CATEGORY_PARK).size(), static_cast<size_t>(kParks));
  EXPECT_EQ(engine_->ListUnits(v1::UNIT_CATEGORY_PLATFORM_COMPANY).size(), static_cast<size_t>(kPlatformCompanies));
  EXPECT_EQ(engine_->ListUnits(v1::UNIT_CATEGORY_OTHER).size(), static_cast<size_t>(kOtherUnits));
  EXPECT_EQ(kDepartments + kTownships + kParks + kPlatformCompanies + kOtherUnits, kUnits);
}

TEST_F(DemoPlanTest, UnitGroupsAndPeople) {
  EXPECT_EQ(engine_->ListUnitGroups().size(), static_cast<size_t>(kUnitGroups));
  EXPECT_EQ(engine_->ListPeople()->size(), static_cast<size_t>(kPeople));
}

TEST_F(DemoPlanTest, TaskForcesWithMemberCounts) {
  auto fs = engine_->ListTaskForces(kPlanId);
  ASSERT_TRUE(fs.ok()) << fs.status();
  ASSERT_EQ(fs->size(), static_cast<size_t>(kCampaigns));
  for (int i = 0; i < kCampaigns; ++i) {
    EXPECT_EQ((*fs)[i].campaign_id(), kCampaignCounts[i].id);
    EXPECT_EQ((*fs)[i].members_size(), kCampaignCounts[i].task_force_members) << kCampaignCounts[i].id;
    EXPECT_FALSE((*fs)[i].convener_person_id().empty());
    EXPECT_TRUE(engine_->GetUnit((*fs)[i].office_unit_id()).ok()) << (*fs)[i].office_unit_id();
  }
}

TEST_F(DemoPlanTest, LeadingGroupLeaderIsZhangZuolin) {
  auto lg = engine_->GetLeadingGroup(kPlanId);
  ASSERT_TRUE(lg.ok()) << lg.status();
  std::map<std::string, std::string> names;
  auto people = engine_->ListPeople().value();
  for (const auto& p : people) names[p.id()] = p.name();
  ASSERT_TRUE(names.count(lg->leader_person_id())) << lg->leader_person_id();
  EXPECT_EQ(names[lg->leader_person_id()], "张作林");
  EXPECT_EQ(lg->office_unit_id(), "fgj");
  for (const auto& id : lg->deputy_leader_person_ids()) EXPECT_TRUE(names.count(id)) << id;
  for (const auto& id : lg->member_person_ids()) EXPECT_TRUE(names.count(id)) << id;
}

TEST_F(DemoPlanTest, NameAndAliasResolveToTheSameUnit) {
  auto by_alias = engine_->Resolve("发改局");
  auto by_name = engine_->Resolve("市发改局");
  ASSERT_TRUE(by_alias.ok()) << by_alias.status();
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  ASSERT_EQ(by_alias->units.size(), 1u);
  ASSERT_EQ(by_name->units.size(), 1u);
  EXPECT_FALSE(by_alias->group.has_value());
  EXPECT_EQ(by_alias->units[0].id(), by_name->units[0].id());
  EXPECT_EQ(by_name->units[0].id(), "fgj");
  EXPECT_EQ(by_name->units[0].name(), "市发改局");
  auto by_id = engine_->Resolve("fgj");
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->units[0].id(), "fgj");
}

// units[].sectors is stored on the unit: the regulators of annex 5's sectors.
TEST_F(DemoPlanTest, UnitsKeepTheSectorsTheyRegulate) {
  auto zjj = engine_->GetUnit("zjj");
  ASSERT_TRUE(zjj.ok()) << zjj.status();
  EXPECT_EQ(std::vector<std::string>(zjj->sectors().begin(), zjj->sectors().end()),
            (std::vector<std::string>{"建筑施工", "自建房"}));
  auto cgj = engine_->GetUnit("cgj");
  ASSERT_TRUE(cgj.ok()) << cgj.status();
  EXPECT_EQ(std::vector<std::string>(cgj->sectors().begin(), cgj->sectors().end()),
            (std::vector<std::string>{"城镇燃气"}));
  int with_sectors = 0;
  for (const auto& u : engine_->ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED)) with_sectors += u.sectors_size() > 0;
  EXPECT_EQ(with_sectors, 15);
}

TEST_F(DemoPlanTest, TownshipGroupResolvesToTwentyNineTownships) {
  auto r = engine_->Resolve("各乡镇（街道）");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->group.has_value());
  EXPECT_EQ(r->group->name(), "各乡镇（街道）");
  EXPECT_EQ(r->units.size(), static_cast<size_t>(kTownships));
  std::set<std::string> ids;
  for (const auto& u : r->units) {
    EXPECT_EQ(u.category(), v1::UNIT_CATEGORY_TOWNSHIP) << u.name();
    ids.insert(u.id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTownships));
  auto alias = engine_->Resolve("29个乡镇（街道）");
  ASSERT_TRUE(alias.ok()) << alias.status();
  EXPECT_EQ(alias->group->id(), r->group->id());
}

TEST_F(DemoPlanTest, UnknownNameIsNotFound) {
  auto r = engine_->Resolve("无此单位");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(r.status().message(), "无此单位"));
}

TEST_F(DemoPlanTest, EveryTaskUnitIsAKnownUnit) {
  TaskFilter f;
  f.page_size = 500;
  auto p = engine_->ListTasks(f);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->tasks.size(), static_cast<size_t>(kTasks));
  for (const auto& t : p->tasks) {
    EXPECT_GE(t.lead_unit_ids_size(), 1) << t.id();
    for (const auto& u : t.lead_unit_ids()) EXPECT_TRUE(engine_->GetUnit(u).ok()) << t.id() << " lead " << u;
    for (const auto& u : t.responsible_unit_ids()) {
      EXPECT_TRUE(engine_->GetUnit(u).ok()) << t.id() << " responsible " << u;
    }
  }
}

TEST_F(DemoPlanTest, ImportingTheSamePlanTwiceIsAlreadyExistsAndChangesNothing) {
  auto before = Dump();
  auto again = engine_->ImportPlan(doc_, "tester", true);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists) << again.status();
  EXPECT_TRUE(Contains(again.status().message(), "plan.id"));
  EXPECT_EQ(DumpDiff(before, Dump()), "");
  EXPECT_EQ(engine_->ListPlans()->size(), 1u);
}

TEST_F(DemoPlanTest, SurvivesReopen) {
  engine_.reset();
  auto e = Engine::Open(dir_.path(), &clock_);
  ASSERT_TRUE(e.ok()) << e.status();
  engine_ = std::move(*e);
  EXPECT_EQ(engine_->ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED).size(), static_cast<size_t>(kUnits));
  EXPECT_EQ(engine_->ListUnitGroups().size(), static_cast<size_t>(kUnitGroups));
  auto r = engine_->Resolve("发改局");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->units[0].id(), "fgj");
}

// ---------------------------------------------------------------- malformed plan files

// A small valid plan; each bad case below changes one line of it.
constexpr char kGood[] = R"(jurisdiction: {id: j1, name: "测试市"}
units:
  - id: u1
    name: "甲局"
    category: department
    aliases: ["甲"]
  - id: u2
    name: "乙镇"
    category: township
unit_groups:
  - name: "各单位"
    members: [u1, u2]
people:
  - id: p-a
    name: "张三"
plan:
  id: p1
  title: "测试方案"
  year: 2023
  campaigns:
    - id: c1
      code: "1"
      name: "测试战役"
      lead_unit: u1
      tasks:
        - code: "1.1"
          title: "任务一"
          lead_units: ["甲局"]
          due: 2023-12-31
        - code: "1.2"
          title: "任务二"
          lead_units: ["各单位"]
          list_kind: project
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "'" << from << "' not in the plan";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// 1-based line of the n-th occurrence of needle.
int LineOf(const std::string& text, const std::string& needle, int occurrence = 1) {
  size_t pos = std::string::npos, from = 0;
  for (int i = 0; i < occurrence; ++i) {
    pos = text.find(needle, from);
    if (pos == std::string::npos) {
      ADD_FAILURE() << "'" << needle << "' not in the plan";
      return -1;
    }
    from = pos + 1;
  }
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

class BadPlanTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    // Something in the store already: the same units under another plan.
    std::string base = Replace(Replace(kGood, "  id: p1", "  id: base"), "- id: c1", "- id: c0");
    auto s = engine_->ImportPlanText("base.yaml", base, "tester", true);
    ASSERT_TRUE(s.ok()) << s.status();
    before_ = Dump();
  }

  // Imports yaml as file "bad.yaml" and checks: code, "bad.yaml:<line>:",
  // every needle in the message, and the store unchanged.
  void ExpectRefused(const std::string& yaml, int line, const std::vector<std::string>& needles,
                     absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
    auto r = engine_->ImportPlanText("bad.yaml", yaml, "tester", true);
    ASSERT_FALSE(r.ok()) << "imported:\n" << yaml;
    EXPECT_EQ(r.status().code(), code) << r.status();
    std::string msg(r.status().message());
    if (line > 0) {
      EXPECT_TRUE(Contains(msg, absl::StrCat("bad.yaml:", line, ":"))) << "want line " << line;
    }
    for (const auto& n : needles) EXPECT_TRUE(Contains(msg, n));
    EXPECT_EQ(DumpDiff(before_, Dump()), "") << "a refused import changed the store";
    EXPECT_EQ(engine_->ListPlans()->size(), 1u);
  }

  std::map<std::string, std::string> before_;
};

TEST_F(BadPlanTest, GoodPlanImports) {
  auto r = engine_->ImportPlanText("good.yaml", kGood, "tester", true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->tasks, 2);
  auto t = engine_->GetTask("T4");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->campaign_id(), "c1");
  std::vector<std::string> lead(t->lead_unit_ids().begin(), t->lead_unit_ids().end());
  EXPECT_EQ(lead, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(t->list_kind(), v1::LIST_KIND_PROJECT);
  EXPECT_EQ(t->due_date(), "2023-12-31");  // the plan year's last day by default
}

TEST_F(BadPlanTest, NotYamlAtAll) {
  std::string yaml = Replace(kGood, "  title: \"测试方案\"\n", "  title: [\"测试方案\", }\n");
  auto r = engine_->ImportPlanText("bad.yaml", yaml, "tester", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), absl::StrCat("bad.yaml:", LineOf(yaml, "title: [\""), ":")));
  EXPECT_EQ(DumpDiff(before_, Dump()), "");
}

TEST_F(BadPlanTest, NotAMapping) {
  ExpectRefused("just some words\n", 1, {"mapping"});
  ExpectRefused("- a\n- b\n", 1, {"mapping"});
  ExpectRefused("", 1, {});
}

TEST_F(BadPlanTest, MissingPlanId) {
  std::string yaml = Replace(kGood, "  id: p1\n", "");
  ExpectRefused(yaml, LineOf(yaml, "  title: \"测试方案\""), {"plan.id", "required"});
}

TEST_F(BadPlanTest, UnknownUnitInTaskLeadUnits) {
  std::string yaml = Replace(kGood, "lead_units: [\"甲局\"]", "lead_units: [\"丙局\"]");
  ExpectRefused(yaml, LineOf(yaml, "丙局"), {"plan.campaigns[0].tasks[0].lead_units[0]", "丙局"});
}

TEST_F(BadPlanTest, UnknownUnitOnALaterLineOfABlockList) {
  std::string yaml = Replace(kGood, "lead_units: [\"各单位\"]", "lead_units:\n            - 甲局\n            - 丁局");
  ExpectRefused(yaml, LineOf(yaml, "- 丁局"), {"plan.campaigns[0].tasks[1].lead_units[1]", "丁局"});
}

TEST_F(BadPlanTest, DuplicateUnitId) {
  std::string yaml = Replace(kGood, "  - id: u2\n", "  - id: u1\n");
  ExpectRefused(yaml, LineOf(yaml, "  - id: u1", 2), {"units[1].id", "duplicate", "u1"});
}

TEST_F(BadPlanTest, DuplicateTaskCode) {
  std::string yaml = Replace(kGood, "code: \"1.2\"", "code: \"1.1\"");
  ExpectRefused(yaml, LineOf(yaml, "code: \"1.1\"", 2), {"plan.campaigns[0].tasks[1].code", "duplicate", "1.1"});
}

TEST_F(BadPlanTest, UnknownCategory) {
  std::string yaml = Replace(kGood, "category: township", "category: village");
  ExpectRefused(yaml, LineOf(yaml, "category: village"), {"units[1].category", "village"});
}

TEST_F(BadPlanTest, UnknownListKind) {
  std::string yaml = Replace(kGood, "list_kind: project", "list_kind: programme");
  ExpectRefused(yaml, LineOf(yaml, "list_kind: programme"), {"plan.campaigns[0].tasks[1].list_kind", "programme"});
}

TEST_F(BadPlanTest, BadDueDate) {
  std::string yaml = Replace(kGood, "due: 2023-12-31", "due: 2023-02-30");
  ExpectRefused(yaml, LineOf(yaml, "due: 2023-02-30"), {"plan.campaigns[0].tasks[0].due", "2023-02-30"});
  std::string slashes = Replace(kGood, "due: 2023-12-31", "due: 2023/12/31");
  ExpectRefused(slashes, LineOf(slashes, "due: 2023/12/31"), {"plan.campaigns[0].tasks[0].due"});
}

TEST_F(BadPlanTest, MisspeltKey) {
  std::string yaml = Replace(kGood, "          due: 2023-12-31", "          deu: 2023-12-31");
  ExpectRefused(yaml, LineOf(yaml, "deu:"), {"plan.campaigns[0].tasks[0].deu", "unknown field"});
  std::string top = Replace(kGood, "unit_groups:", "unit_group:");
  ExpectRefused(top, LineOf(top, "unit_group:"), {"unit_group", "unknown field"});
}

TEST_F(BadPlanTest, SectorsAreStoredOnTheUnit) {
  std::string yaml = Replace(kGood, "    aliases: [\"甲\"]\n", "    aliases: [\"甲\"]\n    sectors: [城镇燃气, 商贸流通]\n");
  auto r = engine_->ImportPlanText("good.yaml", yaml, "tester", true);
  ASSERT_TRUE(r.ok()) << r.status();
  auto u = engine_->GetUnit("u1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(std::vector<std::string>(u->sectors().begin(), u->sectors().end()),
            (std::vector<std::string>{"城镇燃气", "商贸流通"}));
}

TEST_F(BadPlanTest, BadSectors) {
  auto with = [](const std::string& sectors) {
    return Replace(kGood, "    aliases: [\"甲\"]\n", "    aliases: [\"甲\"]\n    sectors: " + sectors + "\n");
  };
  std::string list = with("[建筑施工、自建房]");
  ExpectRefused(list, LineOf(list, "sectors:"), {"units[0].sectors[0]", "one sector per entry"});
  std::string suffix = with("[城镇燃气领域]");
  ExpectRefused(suffix, LineOf(suffix, "sectors:"), {"units[0].sectors[0]", "领域"});
  std::string twice = with("[消防, 消防]");
  ExpectRefused(twice, LineOf(twice, "sectors:"), {"units[0].sectors[1]", "duplicate sector"});
  std::string blank = with("[\"\"]");
  ExpectRefused(blank, LineOf(blank, "sectors:"), {"units[0].sectors[0]", "required"});
  std::string scalar = with("消防");
  ExpectRefused(scalar, LineOf(scalar, "sectors:"), {"units[0].sectors", "must be a list"});
  std::string longer = with("[一二三四五六七八九十一二三四五六七八九十一]");  // 21 characters
  ExpectRefused(longer, LineOf(longer, "sectors:"), {"units[0].sectors[0]", "too long"});
  // A unit group has no sectors: an unknown key there.
  std::string group = Replace(kGood, "    members: [u1, u2]\n", "    members: [u1, u2]\n    sectors: [消防]\n");
  ExpectRefused(group, LineOf(group, "sectors:"), {"unit_groups[0].sectors", "unknown field"});
}

TEST_F(BadPlanTest, GroupWhereOneUnitIsNeeded) {
  std::string yaml = Replace(kGood, "lead_unit: u1", "lead_unit: 各单位");
  ExpectRefused(yaml, LineOf(yaml, "lead_unit: 各单位"), {"plan.campaigns[0].lead_unit", "各单位", "group"});
}

TEST_F(BadPlanTest, BadIds) {
  std::string yaml = Replace(kGood, "  id: p1", "  id: \"p 1\"");
  ExpectRefused(yaml, LineOf(yaml, "  id: \"p 1\""), {"plan.id"});
}

TEST_F(BadPlanTest, NameThatStandsForAnotherUnitInTheStore) {
  // 甲局 is u1 in the store; a new unit may not take the name.
  std::string yaml = Replace(kGood, "  - id: u2\n    name: \"乙镇\"", "  - id: u3\n    name: \"甲局\"");
  ExpectRefused(yaml, LineOf(yaml, "  - id: u3"), {"units[1].name", "甲局"});
}

TEST_F(BadPlanTest, CampaignIdAlreadyInTheStore) {
  std::string yaml = Replace(kGood, "- id: c1", "- id: c0");
  ExpectRefused(yaml, 0, {"campaign", "c0"}, absl::StatusCode::kAlreadyExists);
}

TEST_F(BadPlanTest, UnitIdAlreadyInTheStoreUnderAnotherName) {
  std::string yaml = Replace(kGood, "    name: \"乙镇\"", "    name: \"戊镇\"");
  ExpectRefused(yaml, 0, {"u2", "乙镇", "戊镇"}, absl::StatusCode::kAlreadyExists);
}

TEST_F(BadPlanTest, PlanIdAlreadyInTheStore) {
  std::string yaml = Replace(Replace(kGood, "  id: p1", "  id: base"), "- id: c1", "- id: c9");
  ExpectRefused(yaml, 0, {"plan.id", "base"}, absl::StatusCode::kAlreadyExists);
}

TEST_F(BadPlanTest, EmptyActorIsRefused) {
  auto r = engine_->ImportPlanText("good.yaml", kGood, "", true);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "actor"));
  EXPECT_EQ(DumpDiff(before_, Dump()), "");
}

// ---------------------------------------------------------------- a second plan on top of the first

// The first plan defined the group 各单位; a second plan that names it must
// get its member units, not the group's id, as the task's units.
TEST_F(BadPlanTest, SecondPlanUsingAStoredGroupGetsItsMemberUnits) {
  std::string second = R"(jurisdiction: {id: j1, name: "测试市"}
units:
  - id: u1
    name: "甲局"
    category: department
plan:
  id: p2
  title: "第二个方案"
  year: 2023
  campaigns:
    - id: c2
      code: "1"
      name: "第二战役"
      lead_unit: u1
      tasks:
        - code: "1.1"
          title: "任务"
          lead_units: ["各单位"]
)";
  auto r = engine_->ImportPlanText("second.yaml", second, "tester", true);
  ASSERT_TRUE(r.ok()) << r.status();
  auto t = engine_->GetTask("T3");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->campaign_id(), "c2");
  std::vector<std::string> lead(t->lead_unit_ids().begin(), t->lead_unit_ids().end());
  EXPECT_EQ(lead, (std::vector<std::string>{"u1", "u2"}));
  for (const auto& u : lead) EXPECT_TRUE(engine_->GetUnit(u).ok()) << "lead unit id '" << u << "' is not a unit";
}

// Group ids made up from the jurisdiction and the group's position must not
// let a second plan overwrite the first plan's group.
TEST_F(BadPlanTest, SecondPlanGroupDoesNotReplaceTheFirstPlansGroup) {
  std::string second = R"(jurisdiction: {id: j1, name: "测试市"}
units:
  - id: u1
    name: "甲局"
    category: department
unit_groups:
  - name: "另一组"
    members: [u1]
plan:
  id: p3
  title: "第三个方案"
  year: 2023
  campaigns:
    - id: c3
      code: "1"
      name: "第三战役"
      lead_unit: u1
      tasks:
        - code: "1.1"
          title: "任务"
          lead_units: ["另一组"]
)";
  auto r = engine_->ImportPlanText("third.yaml", second, "tester", true);
  if (r.ok()) {
    auto g = engine_->Resolve("各单位");
    ASSERT_TRUE(g.ok()) << g.status();
    ASSERT_TRUE(g->group.has_value());
    EXPECT_EQ(g->group->name(), "各单位");
    EXPECT_EQ(g->units.size(), 2u);
    EXPECT_EQ(engine_->ListUnitGroups().size(), 2u);
  } else {
    // Refusing the clash is acceptable too, as long as it names the group.
    EXPECT_TRUE(Contains(r.status().message(), "unit_groups[0]")) << r.status();
    EXPECT_EQ(DumpDiff(before_, Dump()), "");
  }
}

}  // namespace
}  // namespace duban
