// Rankings and Accountability built on a PartContext of their own and the
// parts they read (tasks, obligations, supervision), without an Engine: the
// configuration resolves its units against the directory the plan import
// filled, an entered ranking opens the ladder's case for the last unit,
// and a second ranking of the period is refused.
#include <memory>
#include <string>
#include <vector>

#include "engine/accountability/accountability.h"
#include "engine/accountability/bulletin.h"
#include "engine/accountability/ranking.h"
#include "engine/obligations/obligations.h"
#include "engine/plans/plan_import.h"
#include "engine/storage/keys.h"
#include "engine/storage/validate.h"
#include "engine/storage/yaml_util.h"
#include "engine/supervision/supervision.h"
#include "engine/tasks/task_commands.h"
#include "gtest/gtest.h"
#include "tests/part_context.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using testing::SourcePath;

CommandMeta Meta() {
  CommandMeta m;
  m.actor = "市安委办-张";
  return m;
}

// The 10 key enforcement units of config/accountability.yaml, in its order.
const std::vector<std::string>& KeyUnits() {
  static const auto* v = new std::vector<std::string>{
      "市应急管理局", "市住建局", "市交通运输局", "市市场监管局",   "市水利局",
      "市农业农村局", "市自然资源局", "市城管局", "市消防救援大队", "市公安局交警大队"};
  return *v;
}

class AccountabilityPartTest : public testing::PartContextTest {
 protected:
  AccountabilityPartTest()
      : PartContextTest(absl::FromCivil(absl::CivilMinute(2023, 12, 20, 10, 0), PlanTimeZone())) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(WireContext());
    ASSERT_NO_FATAL_FAILURE(BuildTasksAndPlans(&tasks_, &plans_));
    obligations_ = std::make_unique<Obligations>(&ctx_);
    supervision_ = std::make_unique<Supervision>(&ctx_, tasks_.get(), obligations_.get());
    ASSERT_TRUE(supervision_->Init().ok());

    auto plan = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_TRUE(plans_->ImportPlan(*plan, "tester", true).ok());

    auto doc = yamlx::ParseFile(SourcePath("config/accountability.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    auto cfg = LoadAccountabilityConfig(*doc, directory_);
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    config_ = std::make_shared<const AccountabilityConfig>(std::move(*cfg));
    rankings_ = std::make_unique<Rankings>(&ctx_, tasks_.get(), obligations_.get(), config_);
    acct_ = std::make_unique<Accountability>(&ctx_, supervision_.get(), config_, rankings_.get());
    ASSERT_TRUE(acct_->Init().ok());
  }

  void TearDown() override {
    acct_.reset();
    rankings_.reset();
  }

  RankingInput Enforcement(const std::string& period, const std::string& last) {
    RankingInput in;
    in.board = "enforcement";
    in.period = period;
    for (const auto& u : KeyUnits()) {
      if (u != last) in.entries.push_back({u, std::nullopt});
    }
    in.entries.push_back({last, std::nullopt});
    return in;
  }

  std::unique_ptr<TaskCommands> tasks_;
  std::unique_ptr<PlanImport> plans_;
  std::unique_ptr<Obligations> obligations_;
  std::unique_ptr<Supervision> supervision_;
  std::shared_ptr<const AccountabilityConfig> config_;
  std::unique_ptr<Rankings> rankings_;
  std::unique_ptr<Accountability> acct_;
};

TEST_F(AccountabilityPartTest, AnEnteredRankingOpensTheLastUnitsCaseAndIsStoredOnce) {
  auto zjj = directory_.Resolve("市住建局");
  ASSERT_TRUE(zjj.ok() && zjj->units.size() == 1u);
  const std::string zjj_id = zjj->units[0].id();

  auto r = rankings_->EnterRanking(Meta(), Enforcement("2023-01", "市住建局"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->ranking.entries_size(), 10);
  EXPECT_EQ(r->ranking.entries(9).unit_id(), zjj_id);
  EXPECT_TRUE(r->ranking.entries(9).last());
  ASSERT_EQ(r->opened.size(), 1u);
  EXPECT_EQ(r->opened[0].id(), "A1");
  EXPECT_EQ(r->opened[0].unit_id(), zjj_id);
  EXPECT_EQ(r->opened[0].action(), "interview");
  EXPECT_EQ(r->opened[0].step(), 1);

  // Stored: the ranking and the case.
  auto stored = rankings_->GetRanking("enforcement", "2023-01");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->id(), "enforcement:2023-01");
  auto cases = acct_->ListCases({});
  ASSERT_TRUE(cases.ok()) << cases.status();
  ASSERT_EQ(cases->size(), 1u);
  EXPECT_EQ((*cases)[0].id(), "A1");

  // A second ranking of the period is refused without replace; nothing new opens.
  EXPECT_TRUE(IsError(rankings_->EnterRanking(Meta(), Enforcement("2023-01", "市水利局")).status(),
                      absl::StatusCode::kAlreadyExists, "period"));
  cases = acct_->ListCases({});
  ASSERT_TRUE(cases.ok()) << cases.status();
  EXPECT_EQ(cases->size(), 1u);
}

TEST_F(AccountabilityPartTest, TheConfigurationNamesOnlyUnitsTheDirectoryKnows) {
  // On an empty directory the same file names units nobody knows.
  Directory empty;
  auto doc = yamlx::ParseFile(SourcePath("config/accountability.yaml"));
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto cfg = LoadAccountabilityConfig(*doc, empty);
  EXPECT_EQ(cfg.status().code(), absl::StatusCode::kInvalidArgument) << cfg.status();
}

// The bulletin reads the same parts: the imported tasks, the obligations
// due in the month, the cases it is given. An obligation record that does
// not parse stops it (DATA_LOSS naming the record) instead of leaving that
// unit's lateness out.
TEST_F(AccountabilityPartTest, TheBulletinCountsFromThePartsAndRefusesARecordThatDoesNotParse) {
  auto zjj = directory_.Resolve("市住建局");
  ASSERT_TRUE(zjj.ok() && zjj->units.size() == 1u);
  const std::string zjj_id = zjj->units[0].id();
  auto all = tasks_->List({});
  ASSERT_TRUE(all.ok()) << all.status();

  v1::Obligation o;
  o.set_id("O-1");
  o.set_unit_id(zjj_id);
  o.set_state(v1::OBLIGATION_STATE_MISSED);
  *o.mutable_deadline() = Ts(absl::FromCivil(absl::CivilDay(2023, 12, 7), PlanTimeZone()));
  rocksdb::WriteBatch b;
  store_->Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kObligation, o.id()), o.SerializeAsString());
  ASSERT_TRUE(store_->WriteDirect(&b).ok());
  auto r = rankings_->EnterRanking(Meta(), Enforcement("2023-12", "市住建局"));
  ASSERT_TRUE(r.ok()) << r.status();

  BulletinSources from{store_.get(), &clock_, &directory_, tasks_.get(), supervision_.get()};
  auto bulletin = MonthlyBulletin(from, "2023-12", r->opened);
  ASSERT_TRUE(bulletin.ok()) << bulletin.status();
  EXPECT_GT(bulletin->tasks_total(), 0);
  EXPECT_GE(bulletin->tasks_total(), static_cast<int>(all->tasks.size()));
  EXPECT_EQ(bulletin->obligations_due(), 1);
  ASSERT_GE(bulletin->units_size(), 1);
  EXPECT_EQ(bulletin->units(0).unit_id(), zjj_id);  // a case and a missed report: the latest
  EXPECT_EQ(bulletin->units(0).unit_name(), "市住建局");
  EXPECT_EQ(bulletin->units(0).obligations_missed(), 1);
  EXPECT_EQ(bulletin->units(0).accountability_cases(), 1);

  rocksdb::WriteBatch bad;
  store_->Put(&bad, Cf::kEntities, keys::Entity(keys::Kind::kObligation, "O-2"), std::string("\xff\xff not a record"));
  ASSERT_TRUE(store_->WriteDirect(&bad).ok());
  EXPECT_TRUE(IsError(MonthlyBulletin(from, "2023-12", r->opened).status(), absl::StatusCode::kDataLoss, "O-2"));
}

}  // namespace
}  // namespace duban
