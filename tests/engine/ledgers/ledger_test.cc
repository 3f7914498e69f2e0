// Ledgers (台账) as XLSX and CSV: the XLSX is read back with a real reader
// (openpyxl, tests/xlsx_readback.py) and its sheets, rows, columns and
// Chinese text are checked against the engine's data.
#include "engine/ledgers/ledger.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ranking.h"
#include "engine/engine.h"
#include "engine/storage/yaml_util.h"
#include "engine/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::SourcePath;
using testing::TempDir;

struct Sheet {
  std::string name;
  int max_row = 0;
  int max_column = 0;
  std::string freeze;
  std::vector<std::vector<std::string>> rows;
};

// Runs the openpyxl reader on the bytes; fails the test when it cannot.
std::vector<Sheet> ReadBack(const std::string& xlsx, const TempDir& dir) {
  std::string path = dir.sub("ledger.xlsx");
  {
    std::ofstream f(path, std::ios::binary);
    f << xlsx;
  }
  // Debian's interpreter, which python3-openpyxl installs into.
  const char* python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  std::string cmd = absl::StrCat(python, " ", SourcePath("tests/xlsx_readback.py"), " ", path);
  FILE* p = ::popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr);
  std::string json;
  char buf[65536];
  size_t n;
  while (p && (n = std::fread(buf, 1, sizeof(buf), p)) > 0) json.append(buf, n);
  int rc = p ? ::pclose(p) : -1;
  EXPECT_EQ(rc, 0) << "openpyxl could not read the workbook";
  google::protobuf::Struct doc;
  auto st = google::protobuf::util::JsonStringToMessage(json, &doc);
  EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << json.substr(0, 500);
  std::vector<Sheet> out;
  for (const auto& s : doc.fields().at("sheets").list_value().values()) {
    const auto& f = s.struct_value().fields();
    Sheet sheet;
    sheet.name = f.at("name").string_value();
    sheet.max_row = static_cast<int>(f.at("max_row").number_value());
    sheet.max_column = static_cast<int>(f.at("max_column").number_value());
    sheet.freeze = f.at("freeze").string_value();
    for (const auto& r : f.at("rows").list_value().values()) {
      std::vector<std::string> row;
      for (const auto& c : r.list_value().values()) row.push_back(c.string_value());
      sheet.rows.push_back(std::move(row));
    }
    out.push_back(std::move(sheet));
  }
  return out;
}

int Column(const Sheet& s, const std::string& heading) {
  for (size_t i = 0; i < s.rows[0].size(); ++i) {
    if (s.rows[0][i] == heading) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << heading << " in sheet " << s.name;
  return 0;
}

const std::vector<std::string>* Row(const Sheet& s, int col, const std::string& value) {
  for (const auto& r : s.rows) {
    if (static_cast<int>(r.size()) > col && r[col] == value) return &r;
  }
  return nullptr;
}

CommandMeta Meta(std::string actor) {
  CommandMeta m;
  m.actor = std::move(actor);
  return m;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = Engine::Open(dir_.sub("db"), &clock_);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
    auto cfg = LoadAccountabilityConfigFile(SourcePath("config/accountability.yaml"), engine_->directory());
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    config_ = std::make_shared<const AccountabilityConfig>(std::move(*cfg));
    rankings_ = std::make_unique<Rankings>(&engine_->context(), &engine_->tasks(), &engine_->obligations(), config_);
    acct_ = std::make_unique<Accountability>(&engine_->context(), &engine_->supervision(), config_, rankings_.get());
    ASSERT_TRUE(acct_->Init().ok());
  }

  // Reports progress on the task as the unit, with `photos` evidence files
  // (distinct JPEG contents) uploaded by the unit.
  void Report(const std::string& task, const std::string& unit, const std::string& work, int photos = 0) {
    TaskCommandArgs a;
    a.task_id = task;
    a.command = v1::TASK_COMMAND_ACCEPT;
    ASSERT_TRUE(engine_->Execute(Meta(unit), a).ok());
    a.command = v1::TASK_COMMAND_REPORT_PROGRESS;
    a.report.set_work_done(work);
    for (int i = 0; i < photos; ++i) {
      auto up = engine_->evidence().BeginUpload(unit, absl::StrCat("现场照片", i, ".jpg"));
      ASSERT_TRUE(up.ok()) << up.status();
      std::string jpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00", 14) +
                         std::string(1000 + i, 'x');
      ASSERT_TRUE((*up)->Append(jpeg).ok());
      auto file = (*up)->Finish();
      ASSERT_TRUE(file.ok()) << file.status();
      a.report.add_evidence()->set_sha256(file->sha256());
    }
    auto r = engine_->Execute(Meta(unit), a);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  TempDir dir_;
  SimulatedClock clock_{absl::FromCivil(absl::CivilMinute(2023, 4, 1, 9, 0), PlanTimeZone())};
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<const AccountabilityConfig> config_;
  std::unique_ptr<Rankings> rankings_;
  std::unique_ptr<Accountability> acct_;
};

TEST_F(LedgerTest, TaskLedgerOfOneCampaignReadsBackWithOpenpyxl) {
  Report("T1", "swj", "开展促消费活动12场，带动消费约1.2亿元", /*photos=*/2);
  LedgerQuery q;
  q.kind = LedgerKind::kTasks;
  q.campaign_id = "economy";
  auto tables = BuildLedger(*engine_, rankings_.get(), acct_.get(), q);
  ASSERT_TRUE(tables.ok()) << tables.status();
  ASSERT_EQ(tables->size(), 1u);
  auto xlsx = LedgerToXlsx(*tables);
  ASSERT_TRUE(xlsx.ok()) << xlsx.status();

  auto campaign = engine_->GetCampaign("economy");
  ASSERT_TRUE(campaign.ok());
  TaskFilter f;
  f.campaign_id = "economy";
  f.page_size = 500;
  auto tasks = engine_->ListTasks(f);
  ASSERT_TRUE(tasks.ok());

  std::vector<Sheet> sheets = ReadBack(*xlsx, dir_);
  ASSERT_EQ(sheets.size(), 1u);
  const Sheet& s = sheets[0];
  EXPECT_EQ(s.name, campaign->name().substr(0, s.name.size()));
  EXPECT_EQ(s.freeze, "A2");  // the heading row stays in view
  EXPECT_EQ(s.rows[0], (std::vector<std::string>{"编号", "任务", "牵头单位", "责任单位", "牵头领导", "完成时限", "状态",
                                                 "逾期", "最近报送", "最近报送内容", "预警", "督办级别", "报送次数",
                                                 "佐证材料"}));
  EXPECT_EQ(s.max_column, 14);
  EXPECT_EQ(s.max_row, static_cast<int>(tasks->tasks.size()) + 1);
  const auto* t1 = Row(s, Column(s, "编号"), "1.1.1");
  ASSERT_NE(t1, nullptr);
  EXPECT_EQ((*t1)[Column(s, "任务")], "开展系列消费促进活动");
  EXPECT_EQ((*t1)[Column(s, "牵头单位")], "市商务局");
  EXPECT_EQ((*t1)[Column(s, "状态")], "推进中");
  EXPECT_EQ((*t1)[Column(s, "最近报送内容")], "开展促消费活动12场，带动消费约1.2亿元");
  EXPECT_EQ((*t1)[Column(s, "最近报送")], "2023-04-01 09:00");
  EXPECT_EQ((*t1)[Column(s, "报送次数")], "1");
  EXPECT_EQ((*t1)[Column(s, "佐证材料")], "2");  // the report's two photos
  // Every task of the campaign is there once, in the engine's order.
  for (size_t i = 0; i < tasks->tasks.size(); ++i) {
    EXPECT_EQ(s.rows[i + 1][0], tasks->tasks[i].code());
    EXPECT_EQ(s.rows[i + 1][1], tasks->tasks[i].title());
  }
}

TEST_F(LedgerTest, TaskLedgerOfAllCampaignsHasOneSheetPerCampaign) {
  LedgerQuery q;
  auto tables = BuildLedger(*engine_, nullptr, nullptr, q);
  ASSERT_TRUE(tables.ok()) << tables.status();
  auto xlsx = LedgerToXlsx(*tables);
  ASSERT_TRUE(xlsx.ok());
  std::vector<Sheet> sheets = ReadBack(*xlsx, dir_);
  auto campaigns = engine_->ListCampaigns("");
  ASSERT_TRUE(campaigns.ok());
  ASSERT_EQ(sheets.size(), campaigns->size());
  int rows = 0;
  for (const Sheet& s : sheets) rows += s.max_row - 1;
  EXPECT_EQ(rows, 170);  // every demo task, once
}

TEST_F(LedgerTest, TaskLedgerOfOneUnitHasOnlyItsTasks) {
  LedgerQuery q;
  q.unit = "市商务局";
  auto tables = BuildLedger(*engine_, nullptr, nullptr, q);
  ASSERT_TRUE(tables.ok()) << tables.status();
  ASSERT_FALSE(tables->empty());
  int rows = 0;
  for (const auto& t : *tables) {
    for (const auto& r : t.rows) {
      ++rows;
      EXPECT_TRUE(r[2].find("市商务局") != std::string::npos || r[3].find("市商务局") != std::string::npos)
          << r[0] << " " << r[2] << " / " << r[3];
    }
  }
  EXPECT_GT(rows, 0);
  EXPECT_LT(rows, 170);
}

TEST_F(LedgerTest, RankingsLedgerListsPlacementsAndTheCasesTheyOpened) {
  std::vector<std::string> order = {"市应急管理局", "市交通运输局", "市市场监管局", "市水利局",         "市农业农村局",
                                    "市自然资源局", "市城管局",     "市消防救援大队", "市公安局交警大队", "市住建局"};
  RankingInput in;
  in.board = "enforcement";
  in.period = "2023-01";
  for (const auto& u : order) in.entries.push_back({u, std::nullopt});
  auto r = rankings_->EnterRanking(Meta("市安委办"), in);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->opened.empty());

  LedgerQuery q;
  q.kind = LedgerKind::kRankings;
  auto tables = BuildLedger(*engine_, rankings_.get(), acct_.get(), q);
  ASSERT_TRUE(tables.ok()) << tables.status();
  auto xlsx = LedgerToXlsx(*tables);
  ASSERT_TRUE(xlsx.ok());
  std::vector<Sheet> sheets = ReadBack(*xlsx, dir_);
  ASSERT_EQ(sheets.size(), 2u);
  EXPECT_EQ(sheets[0].name, "排名");
  EXPECT_EQ(sheets[0].max_row, 11);
  const auto* last = Row(sheets[0], Column(sheets[0], "单位"), "市住建局");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ((*last)[Column(sheets[0], "名次")], "10");
  EXPECT_EQ((*last)[Column(sheets[0], "末位")], "是");
  EXPECT_EQ(sheets[1].name, "问责");
  EXPECT_EQ(sheets[1].max_row, static_cast<int>(r->opened.size()) + 1);
  const auto* c = Row(sheets[1], Column(sheets[1], "编号"), r->opened[0].id());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ((*c)[Column(sheets[1], "单位")], "市住建局");
  EXPECT_EQ((*c)[Column(sheets[1], "措施")], r->opened[0].action_name());
  EXPECT_EQ((*c)[Column(sheets[1], "状态")], "待约谈");
}

TEST_F(LedgerTest, RankingsLedgerWithoutAccountabilityIsRefused) {
  LedgerQuery q;
  q.kind = LedgerKind::kRankings;
  auto tables = BuildLedger(*engine_, nullptr, nullptr, q);
  EXPECT_EQ(tables.status().code(), absl::StatusCode::kFailedPrecondition);
  q.board = "no-such-board";
  tables = BuildLedger(*engine_, rankings_.get(), acct_.get(), q);
  EXPECT_EQ(tables.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(tables.status().message().find("board"), std::string::npos);
}

TEST_F(LedgerTest, UnknownCampaignOrUnitIsNotFoundNamingTheField) {
  LedgerQuery q;
  q.campaign_id = "nope";
  auto t = BuildLedger(*engine_, nullptr, nullptr, q);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("campaign_id"), std::string::npos);
  q.campaign_id.clear();
  q.unit = "不存在的单位";
  t = BuildLedger(*engine_, nullptr, nullptr, q);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("unit"), std::string::npos);
}

TEST_F(LedgerTest, ObligationLedgerHasOneRowPerObligation) {
  EngineOptions opts;
  auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
  ASSERT_TRUE(cal.ok()) << cal.status();
  auto cad = LoadCadencesFile(SourcePath("tests/data/cadences-from-january.yaml"));
  ASSERT_TRUE(cad.ok()) << cad.status();
  SimulatedClock clock(absl::FromCivil(absl::CivilMinute(2023, 1, 1, 0, 0), PlanTimeZone()));
  opts.calendar = std::make_shared<const WorkCalendar>(std::move(*cal));
  opts.cadences = std::make_shared<const CadenceConfig>(std::move(*cad));
  TempDir dir;
  auto e = Engine::Open(dir.sub("db"), &clock, opts);
  ASSERT_TRUE(e.ok()) << e.status();
  auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE((*e)->ImportPlan(*doc, "tester", true).ok());
  ASSERT_TRUE((*e)->StartCadences().ok());
  ASSERT_TRUE((*e)->AdvanceClock(absl::FromCivil(absl::CivilMinute(2023, 1, 20, 0, 0), PlanTimeZone())).ok());
  ObligationFilter of;
  of.rule_id = "task-force-feedback";
  of.page_size = 500;
  auto obligations = (*e)->ListObligations(of);
  ASSERT_TRUE(obligations.ok());
  ASSERT_FALSE(obligations->obligations.empty());

  LedgerQuery q;
  q.kind = LedgerKind::kObligations;
  q.rule_id = "task-force-feedback";
  auto tables = BuildLedger(**e, nullptr, nullptr, q);
  ASSERT_TRUE(tables.ok()) << tables.status();
  std::string csv = LedgerToCsv(*tables);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find("编号,报送事项,报送单位,报送内容对象,接收单位,周期,截止时间,状态,报送时间,迟报,催办次数\r\n"),
            std::string::npos);
  auto xlsx = LedgerToXlsx(*tables);
  ASSERT_TRUE(xlsx.ok());
  std::vector<Sheet> sheets = ReadBack(*xlsx, dir);
  ASSERT_EQ(sheets.size(), 1u);
  EXPECT_EQ(sheets[0].name, "报送事项");
  EXPECT_EQ(sheets[0].max_row, static_cast<int>(obligations->obligations.size()) + 1);
  const v1::Obligation& o = obligations->obligations[0];
  const auto* row = Row(sheets[0], 0, o.id());
  ASSERT_NE(row, nullptr);
  EXPECT_EQ((*row)[1], o.rule_name());
  EXPECT_EQ((*row)[5], o.period_label());
  EXPECT_EQ((*row)[7], ObligationStateLabel(o.state()));
}

TEST(LedgerCsvTest, QuotesCellsWithCommasQuotesAndLineBreaks) {
  LedgerTable t{"t", {"a", "b"}, {{"x,y", "say \"hi\"\nthere"}, {"平", ""}}};
  std::string csv = LedgerToCsv({t});
  EXPECT_EQ(csv, "\xEF\xBB\xBF" "a,b\r\n\"x,y\",\"say \"\"hi\"\"\nthere\"\r\n平,\r\n");
  LedgerTable u{"u", {"c"}, {{"1"}}};
  csv = LedgerToCsv({t, u});
  EXPECT_NE(csv.find("\r\nu\r\nc\r\n1\r\n"), std::string::npos);
}

}  // namespace
}  // namespace duban
