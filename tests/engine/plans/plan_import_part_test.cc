// The plan import built on a PartContext of its own, without an Engine,
// over the tasks' part: an import writes the plan, its campaigns and its
// tasks (numbered, indexed, assigned) and tells the directory; a second
// import of the plan is refused with nothing written; the demo import runs
// once; a part built again loads the directory from the store; the
// pre-import check's dry run writes nothing.
#include "engine/plans/plan_import.h"

#include <memory>
#include <string>

#include "engine/plans/import_check.h"
#include "engine/storage/keys.h"
#include "engine/storage/yaml_util.h"
#include "engine/tasks/task_commands.h"
#include "gtest/gtest.h"
#include "tests/part_context.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::IsError;
using testing::SourcePath;

constexpr char kPlanId[] = "ningxiang-2023-six-battles";

class PlanImportPartTest : public testing::PartContextTest {
 protected:
  PlanImportPartTest() : PartContextTest(absl::FromCivil(absl::CivilDay(2023, 3, 20), PlanTimeZone())) {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(WireContext());
    ASSERT_NO_FATAL_FAILURE(BuildTasksAndPlans(&tasks_, &plans_));
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    doc_ = *doc;
  }

  int CountTasks(v1::TaskState state) {
    TaskFilter f;
    f.state = state;
    f.page_size = 100;
    int n = 0;
    for (;;) {
      auto page = tasks_->List(f);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return -1;
      n += static_cast<int>(page->tasks.size());
      if (page->next_page_token.empty()) return n;
      f.page_token = page->next_page_token;
    }
  }

  yamlx::Doc doc_;
  std::unique_ptr<TaskCommands> tasks_;
  std::unique_ptr<PlanImport> plans_;
};

TEST_F(PlanImportPartTest, AnImportWritesThePlanItsAssignedTasksAndTellsTheDirectory) {
  EXPECT_TRUE(directory_.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED).empty());
  auto summary = plans_->ImportPlan(doc_, "tester", /*assign=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->plan.id(), kPlanId);
  EXPECT_GT(summary->tasks, 0);
  EXPECT_GT(summary->campaigns, 0);

  EXPECT_EQ(static_cast<int>(directory_.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED).size()), summary->units);
  auto plans = plans_->ListPlans();
  ASSERT_TRUE(plans.ok()) << plans.status();
  ASSERT_EQ(plans->size(), 1u);
  auto campaigns = plans_->ListCampaigns(kPlanId);
  ASSERT_TRUE(campaigns.ok()) << campaigns.status();
  EXPECT_EQ(static_cast<int>(campaigns->size()), summary->campaigns);
  auto forces = plans_->ListTaskForces(kPlanId);
  ASSERT_TRUE(forces.ok()) << forces.status();
  EXPECT_EQ(static_cast<int>(forces->size()), summary->task_forces);

  // Every task is assigned, at version 2, indexed by state; numbers start at 1.
  EXPECT_EQ(CountTasks(v1::TASK_STATE_ASSIGNED), summary->tasks);
  EXPECT_EQ(CountTasks(v1::TASK_STATE_DRAFT), 0);
  auto first = tasks_->Get("T1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version(), 2u);
  auto history = tasks_->History("T1");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].actor(), "tester");
}

TEST_F(PlanImportPartTest, ASecondImportOfThePlanIsRefusedAndWritesNothing) {
  auto summary = plans_->ImportPlan(doc_, "tester", /*assign=*/false);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(CountTasks(v1::TASK_STATE_DRAFT), summary->tasks);
  EXPECT_TRUE(IsError(plans_->ImportPlan(doc_, "tester", true).status(), absl::StatusCode::kAlreadyExists, "plan.id"));
  EXPECT_EQ(CountTasks(v1::TASK_STATE_DRAFT), summary->tasks);
  EXPECT_EQ(CountTasks(v1::TASK_STATE_ASSIGNED), 0);
  EXPECT_TRUE(IsError(plans_->ImportPlan(doc_, "", true).status(), absl::StatusCode::kInvalidArgument, "actor"));
  EXPECT_TRUE(IsError(plans_->ImportPlanText("", "plan: {}", "tester", true).status(),
                      absl::StatusCode::kInvalidArgument, "file_name"));
}

TEST_F(PlanImportPartTest, TheDemoImportRunsOnceAndARebuiltPartLoadsTheDirectory) {
  auto first = plans_->ImportDemoOnce(doc_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  ASSERT_TRUE(store_->Exists(Cf::kMeta, keys::DemoLoaded()).value());
  auto again = plans_->ImportDemoOnce(doc_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);

  // A restart: a fresh directory, filled from the store by the part.
  size_t units = directory_.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED).size();
  EXPECT_GT(units, 0u);
  Directory fresh;
  PartContext restarted = ctx_;
  restarted.directory = &fresh;
  PlanImport rebuilt(&restarted, tasks_.get());
  ASSERT_TRUE(rebuilt.LoadDirectory().ok());
  EXPECT_EQ(fresh.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED).size(), units);
  const std::string some_unit = directory_.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED)[0].id();
  EXPECT_TRUE(fresh.GetUnit(some_unit).ok()) << some_unit;
}

TEST_F(PlanImportPartTest, TheCheckedImportsDryRunCountsThePlanAndWritesNothing) {
  const std::string text = testing::ReadFile(SourcePath("config/demo/plan.yaml"));
  ASSERT_FALSE(text.empty());
  ImportMode dry;
  dry.dry_run = true;
  auto checked = ImportPlanChecked(plans_.get(), "plan.yaml", text, "tester", true, dry);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->summary.plan.id(), kPlanId);
  EXPECT_GT(checked->summary.tasks, 0);
  auto plans = plans_->ListPlans();
  ASSERT_TRUE(plans.ok()) << plans.status();
  EXPECT_TRUE(plans->empty());
  EXPECT_EQ(CountTasks(v1::TASK_STATE_ASSIGNED), 0);

  ImportMode write;
  auto imported = ImportPlanChecked(plans_.get(), "plan.yaml", text, "tester", true, write);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(CountTasks(v1::TASK_STATE_ASSIGNED), imported->summary.tasks);
}

}  // namespace
}  // namespace duban
