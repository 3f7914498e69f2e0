// Plan drafting on short plans written for the tests (other bracket
// styles and heading conventions than the seed), a .docx round trip through
// pandoc, the text clean-up, and malformed documents that get a report.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/plans/draft/plan_draft.h"
#include "engine/plans/plan_loader.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::ReadFile;

using plandraft::Directory;
using plandraft::Draft;
using plandraft::DraftTask;
using testing::SourcePath;
using testing::TempDir;

const Directory& Demo() {
  static const Directory* d = [] {
    auto r = Directory::FromPlanYaml(ReadFile(SourcePath("config/demo/plan.yaml")));
    EXPECT_TRUE(r.ok()) << r.status();
    return new Directory(*r);
  }();
  return *d;
}

Draft Parse(const std::string& text, const Directory& dir = Demo()) {
  auto d = plandraft::ParsePlanText(text, dir, {.plan_id = "t"});
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Draft{};
}

const DraftTask* Task(const Draft& d, const std::string& code) {
  for (const auto& c : d.campaigns) {
    for (const auto& t : c.tasks) {
      if (t.code == code) return &t;
    }
  }
  return nullptr;
}

std::vector<std::string> V(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }

bool Uncertain(const Draft& d, const std::string& what_part, const std::string& reason_part) {
  for (const auto& u : d.uncertain) {
    if (absl::StrContains(u.what, what_part) && absl::StrContains(u.reason, reason_part)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- the county water plan

TEST(CountyWaterPlan, AnnexesWithChineseNumeralsBecomeCampaigns) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/county-water-plan.txt")));
  EXPECT_EQ(d.title, "宁乡市水利和防汛工作实施方案（2024年）");
  EXPECT_EQ(d.document_no, "宁政办发〔2024〕12号");
  EXPECT_EQ(d.issued, "2024-02-20");
  ASSERT_EQ(d.campaigns.size(), 2u);
  EXPECT_EQ(d.campaigns[0].name, "水利建设专项");
  EXPECT_EQ(d.campaigns[0].lead_unit, "slj");
  EXPECT_EQ(d.campaigns[1].lead_unit, "yjj");
  std::vector<std::string> codes;
  for (const auto& c : d.campaigns) {
    for (const auto& t : c.tasks) codes.push_back(t.code);
  }
  // The running header and the page number between pages are no tasks.
  EXPECT_EQ(codes, V({"1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.2.3", "2.1.1", "2.1.2", "2.2.1", "2.2.2", "2.2.3"}));
}

TEST(CountyWaterPlan, ReadsEachBracketStyle) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/county-water-plan.txt")));
  // 【牵头单位：…；配合单位：…】
  ASSERT_NE(Task(d, "1.1.1"), nullptr);
  EXPECT_EQ(Task(d, "1.1.1")->lead_units, V({"slj"}));
  EXPECT_EQ(Task(d, "1.1.1")->responsible_units, V({"zrzyj", "nyncj", "各乡镇（街道）"}));
  // （A牵头，B、C等负责）, the clause on the line after a broken wrap.
  EXPECT_EQ(Task(d, "1.1.2")->lead_units, V({"slj"}));
  EXPECT_EQ(Task(d, "1.1.2")->responsible_units, V({"czj", "zrzyj"}));
  EXPECT_TRUE(absl::StrContains(Task(d, "1.1.2")->text, "整治河道岸线")) << Task(d, "1.1.2")->text;
  // 〔水利局、财政局〕: no roles, short names; the first leads.
  EXPECT_EQ(Task(d, "1.2.1")->lead_units, V({"slj"}));
  EXPECT_EQ(Task(d, "1.2.1")->responsible_units, V({"czj"}));
  // （市应急管理局、市水利局、市气象局）
  EXPECT_EQ(Task(d, "2.1.1")->lead_units, V({"yjj"}));
  EXPECT_EQ(Task(d, "2.1.1")->responsible_units, V({"slj", "qxj"}));
  // （A牵头，各乡镇（街道）配合）
  EXPECT_EQ(Task(d, "2.1.2")->responsible_units, V({"各乡镇（街道）"}));
  // [牵头单位：…；责任单位：各乡镇（街道）、各园区]
  EXPECT_EQ(Task(d, "2.2.1")->lead_units, V({"yjj"}));
  EXPECT_EQ(Task(d, "2.2.1")->responsible_units, V({"各乡镇（街道）", "各园区"}));
}

TEST(CountyWaterPlan, ProposesUnknownUnitsAndFlagsTasksWithoutALead) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/county-water-plan.txt")));
  ASSERT_EQ(d.proposed_units.size(), 1u);
  EXPECT_EQ(d.proposed_units[0].name, "市河长办");
  EXPECT_EQ(d.proposed_units[0].category, "department");
  EXPECT_EQ(Task(d, "1.2.2")->lead_units, V({d.proposed_units[0].id.c_str()}));
  EXPECT_TRUE(Uncertain(d, "市河长办", "unknown unit"));
  // "3、开展节水型社会建设。…" names no unit.
  EXPECT_TRUE(Task(d, "1.2.3")->lead_inferred);
  EXPECT_EQ(Task(d, "1.2.3")->lead_units, V({"slj"}));
  EXPECT_TRUE(Uncertain(d, "task 1.2.3", "task without a lead"));
  std::string report = plandraft::WriteReport(d);
  EXPECT_TRUE(absl::StrContains(report, "line 49: 市河长办")) << report;
  EXPECT_TRUE(absl::StrContains(report, "line 51: task 1.2.3: task without a lead")) << report;
}

// No 牵头 written: the unit the text names acting at a clause's head leads
// ("由市气象局对…进行复盘评估"); unit groups so named ("各园区、乡镇（街道）要…")
// are responsible units, and the campaign's lead unit leads.
TEST(CountyWaterPlan, ReadsTheUnitsItsTextNamesActing) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/county-water-plan.txt")));
  ASSERT_NE(Task(d, "2.2.2"), nullptr);
  EXPECT_EQ(Task(d, "2.2.2")->lead_units, V({"qxj"}));
  EXPECT_TRUE(Task(d, "2.2.2")->responsible_units.empty());
  EXPECT_TRUE(Task(d, "2.2.2")->lead_inferred);
  EXPECT_TRUE(Uncertain(d, "task 2.2.2", "the unit its text names acting"));
  ASSERT_NE(Task(d, "2.2.3"), nullptr);
  EXPECT_EQ(Task(d, "2.2.3")->lead_units, V({"yjj"}));
  EXPECT_EQ(Task(d, "2.2.3")->responsible_units, V({"各园区", "各乡镇（街道）"}));
  EXPECT_TRUE(Task(d, "2.2.3")->lead_inferred);
  EXPECT_TRUE(Uncertain(d, "task 2.2.3", "the campaign's lead unit proposed"));
}

TEST(CountyWaterPlan, ReadsTargetsWithTheirComparison) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/county-water-plan.txt")));
  const auto& t = d.campaigns[0].targets;
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].indicator, "完成水利投资");  // 约15亿元
  EXPECT_EQ(t[0].value, 15);
  EXPECT_EQ(t[0].unit, "亿元");
  EXPECT_EQ(t[0].comparison, "about");
  EXPECT_EQ(t[1].comparison, "at_least");  // 不少于12公里
  EXPECT_EQ(t[1].unit, "公里");
  EXPECT_EQ(t[3].indicator, "水土流失面积下降");
  // 提高到0.56: a target without a unit is kept and reported.
  EXPECT_EQ(t[4].unit, "");
  EXPECT_EQ(t[4].value, 0.56);
  EXPECT_TRUE(Uncertain(d, "0.56", "target without a unit"));
  const auto& t2 = d.campaigns[1].targets;
  ASSERT_EQ(t2.size(), 2u);
  EXPECT_EQ(t2[0].indicator, "因灾死亡人数");  // 控制在0人
  EXPECT_EQ(t2[0].comparison, "at_most");
  EXPECT_EQ(t2[0].direction, "down");
}

TEST(CountyWaterPlan, ProposesTheMonthlyReportAsACadenceRule) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/county-water-plan.txt")));
  ASSERT_EQ(d.cadences.size(), 1u);
  EXPECT_EQ(d.cadences[0].schedule_yaml, "{kind: monthly, day: 10}");
  EXPECT_EQ(d.cadences[0].recipient, "slj");  // 向市水利局报送
  EXPECT_EQ(d.cadences[0].what, "工作进展情况");
  // "市水利局每季度汇总讲评" names no recipient and the plan has no leading
  // group office: the rule is not proposed, and the report says only that.
  int quarter_notes = 0;
  for (const auto& u : d.uncertain) quarter_notes += absl::StrContains(u.what, "quarter-end");
  EXPECT_EQ(quarter_notes, 1) << plandraft::WriteReport(d);
  EXPECT_TRUE(Uncertain(d, "quarter-end", "not proposed"));
}

// ---------------------------------------------------------------- the street safety plan

TEST(StreetSafetyPlan, PartsGroupsAndParenthesisedNumbers) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/street-safety-plan.txt")));
  EXPECT_EQ(d.title, "宁乡市玉潭街道2024年安全生产工作要点");
  EXPECT_EQ(d.year, 2024);
  ASSERT_EQ(d.campaigns.size(), 1u);  // no annex: the document is the campaign
  std::vector<std::string> codes;
  for (const auto& t : d.campaigns[0].tasks) codes.push_back(t.code);
  EXPECT_EQ(codes, V({"1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.3.1", "1.3.2", "1.3.3",
                      "1.3.4", "1.4.1"}));
  EXPECT_EQ(Task(d, "1.1.1")->title, "落实党政同责");
}

TEST(StreetSafetyPlan, ReadsRolesShortNamesAndLeadsInTheText) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/street-safety-plan.txt")));
  // (责任单位：A、B) alone: the first leads.
  EXPECT_EQ(Task(d, "1.1.1")->lead_units, V({"yjj"}));
  EXPECT_EQ(Task(d, "1.1.1")->responsible_units, V({"各乡镇（街道）"}));
  // (A、发改局、市住建局等): a short name and a trailing 等.
  EXPECT_EQ(Task(d, "1.1.2")->lead_units, V({"yjj"}));
  EXPECT_EQ(Task(d, "1.1.2")->responsible_units, V({"fgj", "zjj"}));
  // (A牵头，B、C配合) and (A牵头;B、C参与)
  EXPECT_EQ(Task(d, "1.2.1")->lead_units, V({"cgj"}));
  EXPECT_EQ(Task(d, "1.2.1")->responsible_units, V({"scjgj", "xfjydd"}));
  EXPECT_EQ(Task(d, "1.2.2")->lead_units, V({"jjdd"}));
  EXPECT_EQ(Task(d, "1.2.2")->responsible_units, V({"jtysj", "jyj"}));
  // "由市林业局牵头组织实施"
  EXPECT_EQ(Task(d, "1.2.3")->lead_units, V({"lyj"}));
  EXPECT_FALSE(Task(d, "1.2.3")->lead_inferred);
  // "各园区、乡镇（街道）配合": the later item takes 各 too.
  EXPECT_EQ(Task(d, "1.2.4")->lead_units, V({"xfjydd"}));
  EXPECT_EQ(Task(d, "1.2.4")->responsible_units, V({"各园区", "各乡镇（街道）"}));
  // "市教育局将组织…": no 牵头, the unit the text names acting leads.
  EXPECT_EQ(Task(d, "1.2.5")->lead_units, V({"jyj"}));
  EXPECT_TRUE(Task(d, "1.2.5")->lead_inferred);
}

// A task or group heading that names a sector ("建筑施工领域（含自建房）：…")
// and no unit: the unit whose declared sectors (the demo plan's
// units[].sectors) the heading contains leads, flagged and reported.
TEST(StreetSafetyPlan, SectorHeadingsTakeTheSectorsRegulatorAsLead) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/street-safety-plan.txt")));
  ASSERT_NE(Task(d, "1.3.1"), nullptr);
  EXPECT_EQ(Task(d, "1.3.1")->title, "建筑施工领域（含自建房）");
  EXPECT_EQ(Task(d, "1.3.1")->lead_units, V({"zjj"}));
  EXPECT_TRUE(Task(d, "1.3.1")->responsible_units.empty());
  EXPECT_TRUE(Task(d, "1.3.1")->lead_inferred);
  EXPECT_TRUE(Uncertain(d, "task 1.3.1", "lead from the directory's sectors (title '建筑施工': 建筑施工 -> zjj)"))
      << plandraft::WriteReport(d);
  // Two sectors in one heading: the first written leads, the other's regulator is responsible.
  EXPECT_EQ(Task(d, "1.3.2")->lead_units, V({"nyncj"}));
  EXPECT_EQ(Task(d, "1.3.2")->responsible_units, V({"slj"}));
  EXPECT_TRUE(Uncertain(d, "task 1.3.2", "农业 -> nyncj; 水利 -> slj"));
  // A written lead goes before the sector's regulator (市消防救援大队).
  EXPECT_EQ(Task(d, "1.3.3")->lead_units, V({"yjj"}));
  EXPECT_FALSE(Task(d, "1.3.3")->lead_inferred);
  EXPECT_FALSE(Uncertain(d, "task 1.3.3", "sectors"));
  // "其他行业部门…" names no sector a unit declares: the campaign's lead unit, as before.
  EXPECT_EQ(Task(d, "1.3.4")->lead_units, V({d.campaigns[0].lead_unit.c_str()}));
  EXPECT_TRUE(Uncertain(d, "task 1.3.4", "the campaign's lead unit proposed"));
  EXPECT_FALSE(Uncertain(d, "task 1.3.4", "sectors"));
  // The group heading "4. 城镇燃气行业" names the sector of its items.
  EXPECT_EQ(Task(d, "1.4.1")->lead_units, V({"cgj"}));
  EXPECT_TRUE(Task(d, "1.4.1")->lead_inferred);
  EXPECT_TRUE(Uncertain(d, "task 1.4.1", "lead from the directory's sectors (heading '城镇燃气': 城镇燃气 -> cgj)"));
  // The plan file marks them for review.
  std::string yaml = plandraft::WritePlanYaml(d, Demo());
  size_t at = yaml.find("建筑施工领域（含自建房）");
  ASSERT_NE(at, std::string::npos) << yaml;
  size_t next = yaml.find("- code:", at);
  std::string entry = yaml.substr(at, next == std::string::npos ? std::string::npos : next - at);
  EXPECT_TRUE(absl::StrContains(entry, "lead_basis: inferred")) << entry;
  EXPECT_TRUE(absl::StrContains(entry, "zjj")) << entry;
}

TEST(StreetSafetyPlan, ReadsBothAndCapTargets) {
  Draft d = Parse(ReadFile(SourcePath("tests/data/plan_draft/street-safety-plan.txt")));
  const auto& t = d.campaigns[0].targets;
  ASSERT_EQ(t.size(), 5u);
  // "事故起数和死亡人数同比均下降15%以上": two targets.
  EXPECT_EQ(t[0].indicator, "全街道安全生产事故起数同比下降");
  EXPECT_EQ(t[1].indicator, "死亡人数同比下降");
  EXPECT_EQ(t[1].value, 15);
  EXPECT_EQ(t[1].comparison, "at_least");
  EXPECT_EQ(t[3].indicator, "森林火灾受害率");  // 控制在0.9%以内
  EXPECT_EQ(t[3].comparison, "at_most");
  EXPECT_EQ(t[4].indicator, "PM2.5浓度");  // 不高于35微克/立方米
  EXPECT_EQ(t[4].unit, "微克/立方米");
  EXPECT_EQ(t[4].direction, "down");
  std::set<std::string> schedules;
  for (const auto& c : d.cadences) schedules.insert(c.schedule_yaml);
  EXPECT_EQ(schedules, (std::set<std::string>{"{kind: weekly, weekday: friday}", "{kind: yearly, month: 12, day: 20}"}));
}

// Both short plans import with the engine's plan loader (names resolved
// against the demo plan, as a store holding it would).
TEST(ShortPlans, DraftsLoadWithThePlanLoader) {
  auto demo_doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
  ASSERT_TRUE(demo_doc.ok());
  auto none = [](absl::string_view) -> std::optional<v1::UnitRef> { return std::nullopt; };
  auto no_members = [](absl::string_view) { return std::vector<std::string>(); };
  auto demo = LoadPlan(*demo_doc, none, no_members);
  ASSERT_TRUE(demo.ok()) << demo.status();
  std::map<std::string, v1::UnitRef> names;
  for (const auto& u : demo->units) {
    v1::UnitRef r;
    r.set_unit_id(u.id());
    names[u.id()] = names[u.name()] = r;
  }
  for (const auto& g : demo->groups) {
    v1::UnitRef r;
    r.set_group_id(g.id());
    names[g.name()] = r;
  }
  for (const char* f : {"county-water-plan.txt", "street-safety-plan.txt"}) {
    Draft d = Parse(ReadFile(SourcePath(absl::StrCat("tests/data/plan_draft/", f))));
    auto doc = yamlx::Parse(f, plandraft::WritePlanYaml(d, Demo()));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto b = LoadPlan(
        *doc,
        [&](absl::string_view n) -> std::optional<v1::UnitRef> {
          auto it = names.find(std::string(n));
          if (it == names.end()) return std::nullopt;
          return it->second;
        },
        no_members);
    ASSERT_TRUE(b.ok()) << f << ": " << b.status() << "\n" << plandraft::WritePlanYaml(d, Demo());
    int tasks = 0;
    for (const auto& c : d.campaigns) tasks += c.tasks.size();
    EXPECT_EQ(static_cast<int>(b->tasks.size()), tasks) << f;
  }
}

// ---------------------------------------------------------------- directory

TEST(Directory, ResolvesShortNamesAndReportsAmbiguity) {
  Directory dir;
  dir.set_jurisdiction("x", "宁乡市");
  dir.Add({"fgj", "市发展和改革局", "department", {"市发改局"}, false});
  dir.Add({"gaj", "市公安局", "department", {}, false});
  dir.Add({"gaj2", "县公安局", "department", {}, false});
  dir.Add({"towns", "各乡镇（街道）", "", {}, true});
  EXPECT_EQ(dir.Resolve("发改局").entry->id, "fgj");      // 市 dropped
  EXPECT_EQ(dir.Resolve("宁乡市发改局").entry->id, "fgj");  // the jurisdiction's name
  EXPECT_EQ(dir.Resolve("各乡镇(街道)").entry->id, "towns");  // half-width brackets
  EXPECT_EQ(dir.Resolve("市 公安局").entry->id, "gaj");
  EXPECT_EQ(dir.Resolve("统计局").entry, nullptr);
  // Two units whose short forms are the same name: neither is chosen, the report says so.
  dir.Add({"sw1", "宁乡税务局", "department", {}, false});
  dir.Add({"sw2", "宁乡市税务局", "department", {}, false});
  auto m = dir.Resolve("税务局");
  EXPECT_TRUE(m.ambiguous);
  EXPECT_EQ(m.entry, nullptr);
  Draft d = Parse("附件1\n\n甲工作方案\n\n二、工作任务\n\n1.事项一。做好工作。（公安局牵头，税务局负责）\n", dir);
  ASSERT_NE(Task(d, "1.1.1"), nullptr);
  EXPECT_EQ(Task(d, "1.1.1")->lead_units, V({"gaj"}));
  EXPECT_TRUE(Task(d, "1.1.1")->responsible_units.empty());
  EXPECT_TRUE(Uncertain(d, "税务局", "ambiguous unit: sw1, sw2")) << plandraft::WriteReport(d);
}

// The directory's sectors: the longest declared sector a heading contains
// wins; one declared by two units is ambiguous and reported with both.
TEST(Directory, SectorHeadingsTakeTheLongestSectorAndReportAmbiguity) {
  Directory dir;
  dir.set_jurisdiction("x", "宁乡市");
  dir.Add({"jtj", "市交通局", "department", {}, false, {"交通"}});
  dir.Add({"jj", "市交警大队", "department", {}, false, {"道路交通"}});
  dir.Add({"ga", "市公安局", "department", {}, false, {"治安"}});
  dir.Add({"zf", "市执法局", "department", {}, false, {"治安"}});
  dir.Add({"yj", "市应急局", "department", {}, false, {}});
  auto m = dir.SectorsIn("道路交通");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].sector, "道路交通");
  EXPECT_EQ(m[0].unit_ids, V({"jj"}));
  Draft d = Parse(
      "附件1\n\n甲工作方案\n\n二、工作任务\n\n（一）行业领域\n\n"
      "1.道路交通领域：整治隐患点。\n\n2.交通领域：开展检查。\n\n3.治安领域：开展整治。\n\n"
      "4.统筹协调。加强调度。（市应急局牵头）\n\n5.强化行业监管，整治道路交通领域隐患。\n",
      dir);
  ASSERT_NE(Task(d, "1.1.3"), nullptr) << plandraft::WriteReport(d);
  EXPECT_EQ(Task(d, "1.1.1")->lead_units, V({"jj"}));  // not 市交通局, whose "交通" is inside "道路交通"
  EXPECT_EQ(Task(d, "1.1.2")->lead_units, V({"jtj"}));
  // Two units regulate 治安: neither is chosen; the campaign's lead unit is proposed instead.
  EXPECT_TRUE(Uncertain(d, "task 1.1.3", "several units regulate (治安 -> ga, zf); none chosen"))
      << plandraft::WriteReport(d);
  EXPECT_EQ(Task(d, "1.1.3")->lead_units, V({"yj"}));
  EXPECT_TRUE(Uncertain(d, "task 1.1.3", "the campaign's lead unit proposed"));
  // "强化行业…" holds no declared sector; the next "…领域" does.
  ASSERT_NE(Task(d, "1.1.5"), nullptr) << plandraft::WriteReport(d);
  EXPECT_EQ(Task(d, "1.1.5")->lead_units, V({"jj"}));
  EXPECT_TRUE(Uncertain(d, "task 1.1.5", "(title '整治道路交通': 道路交通 -> jj)")) << plandraft::WriteReport(d);
  // A directory file's units[].sectors are read.
  auto f = Directory::FromPlanYaml("units:\n  - {id: a, name: 市甲局, sectors: [城镇燃气]}\n");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->entries()[0].sectors, V({"城镇燃气"}));
}

TEST(Directory, RefusesAFileWithoutUnits) {
  EXPECT_FALSE(Directory::FromPlanYaml("plan: {id: x}").ok());
  EXPECT_FALSE(Directory::FromPlanYaml("[").ok());
  auto d = Directory::FromPlanYaml("units:\n  - {id: a, name: 市甲局}\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Resolve("甲局").entry->id, "a");
}

// ---------------------------------------------------------------- .docx through pandoc

TEST(Docx, RoundTripGivesTheSameTasksAsTheText) {
  if (std::system("pandoc --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "pandoc not installed";
  TempDir tmp;
  // The short plan as markdown: one paragraph per line, blank lines between.
  std::string text = ReadFile(SourcePath("tests/data/plan_draft/street-safety-plan.txt"));
  {
    std::ofstream md(tmp.sub("plan.md"));
    for (const auto& line : absl::StrSplit(text, '\n')) {
      std::string l(line);
      if (l.empty()) continue;
      // "1. " would be a markdown list; escape it so that the document keeps its numbers.
      if (l.size() > 2 && l[0] >= '0' && l[0] <= '9' && l[1] == '.') l = l.substr(0, 1) + "\\" + l.substr(1);
      md << l << "\n\n";
    }
  }
  std::string cmd = absl::StrCat("pandoc -f markdown -t docx -o '", tmp.sub("plan.docx"), "' '", tmp.sub("plan.md"), "'");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto read = plandraft::ReadDocument(tmp.sub("plan.docx"));
  ASSERT_TRUE(read.ok()) << read.status();
  Draft from_docx = Parse(*read);
  Draft from_text = Parse(text);
  ASSERT_EQ(from_docx.campaigns.size(), 1u);
  ASSERT_EQ(from_docx.campaigns[0].tasks.size(), from_text.campaigns[0].tasks.size());
  for (size_t i = 0; i < from_text.campaigns[0].tasks.size(); ++i) {
    const auto& a = from_docx.campaigns[0].tasks[i];
    const auto& b = from_text.campaigns[0].tasks[i];
    EXPECT_EQ(a.code, b.code);
    EXPECT_EQ(a.title, b.title);
    EXPECT_EQ(a.lead_units, b.lead_units) << a.code;
    EXPECT_EQ(a.responsible_units, b.responsible_units) << a.code;
  }
  EXPECT_EQ(from_docx.campaigns[0].targets.size(), from_text.campaigns[0].targets.size());
}

TEST(Docx, MissingFileAndBrokenDocxAreErrorsNamingTheFile) {
  auto r = plandraft::ReadDocument("/nonexistent/plan.docx");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "/nonexistent/plan.docx"));
  if (std::system("pandoc --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "pandoc not installed";
  TempDir tmp;
  std::ofstream(tmp.sub("bad.docx")) << "not a zip";
  auto bad = plandraft::ReadDocument(tmp.sub("bad.docx"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "bad.docx")) << bad.status();
}

// ---------------------------------------------------------------- text clean-up and malformed documents

TEST(Text, PageNumbersHeadersAndBrokenWrapsAreHandled) {
  std::string doc =
      "附件1\n\n测试工作方案\n\n二、工作任务\n\n"
      "1.推进第一项工作。这一句很长很长很长很长很长很长很长很长很长，在这里断\n"
      "第 2 页\n\n"
      "开了，后半句接着写完。（市发改局牵头）\n\n"
      "页眉文字\n\n2.推进第二项工作。内容。（市商务局牵头）\n\n页眉文字\n\n3.推进第三项工作。内容。\n\n"
      "页眉文字\n\n- 4 -\n";
  Draft d = Parse(doc);
  ASSERT_EQ(d.campaigns.size(), 1u);
  ASSERT_EQ(d.campaigns[0].tasks.size(), 3u);
  EXPECT_TRUE(absl::StrContains(d.campaigns[0].tasks[0].text, "在这里断开了")) << d.campaigns[0].tasks[0].text;
  EXPECT_EQ(d.campaigns[0].tasks[0].lead_units, V({"fgj"}));
  EXPECT_EQ(d.campaigns[0].tasks[1].lead_units, V({"swj"}));
}

TEST(Malformed, EmptyAndNonUtf8AreClearErrors) {
  EXPECT_EQ(plandraft::ParsePlanText("", Demo()).status().code(), absl::StatusCode::kInvalidArgument);
  std::string gbk(200, '\xb0');
  auto r = plandraft::ParsePlanText(gbk, Demo());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "not UTF-8")) << r.status();
}

TEST(Malformed, BrokenDocumentsGetAReport) {
  const char* docs[] = {
      "附件1\n\n二、工作任务\n\n1.（（（（市发改局牵头\n",            // unbalanced brackets
      "二、工作任务\n\n（一）\n\n1.\n\n2.\n\n（1）\n",                // headings only
      "附件99\n附件\n附件1：\n一、\n（一）（）\n1.（）（）〔〕\n",        // empty clauses
      "工作任务\n\x01\x02\xff\n\n二、任务\n\n1.事项。（市发改局、）\n",  // control bytes, a stray byte
      "二、重点任务\n\n1.甲。（牵头单位：；责任单位：）\n\n1.乙。（市发改局牵头）\n",  // a repeated number
  };
  for (const char* doc : docs) {
    auto d = plandraft::ParsePlanText(doc, Demo());
    ASSERT_TRUE(d.ok()) << d.status();
    std::string report = plandraft::WriteReport(*d);
    EXPECT_TRUE(absl::StrContains(report, "Uncertain")) << report;
    auto yaml = yamlx::Parse("draft.yaml", plandraft::WritePlanYaml(*d, Demo()));
    EXPECT_TRUE(yaml.ok()) << yaml.status();
  }
  auto d = plandraft::ParsePlanText(docs[4], Demo());
  EXPECT_TRUE(Uncertain(*d, "1.1.1", "repeated")) << plandraft::WriteReport(*d);
}

}  // namespace
}  // namespace duban
