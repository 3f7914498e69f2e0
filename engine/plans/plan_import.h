// PlanImport: the import of a plan file (its jurisdiction, units, groups,
// people, leading group, plan, campaigns, task forces and tasks, in one
// batch), the demo plan's first-start import, the reads of the stored plan
// records, and the loading of the organisation directory from the store.
//
// Owns: the plan, campaign, jurisdiction, unit, group, person, leading
// group and task force records an import writes, the marker a demo import
// writes ("demo_loaded" in meta), and the lock subjects "plan|<id>",
// "campaign|<id>" and "directory".
// Reads: the context (engine/core/context.h): store, pipeline, clock,
// directory (loaded by LoadDirectory, told of every import); the tasks'
// part (TaskCommands) for task numbers, task indexes and first warning
// checks of the imported tasks.
// Thread-safety: thread-safe. An import locks its plan, its campaigns and
// the directory through the pipeline; the reads read the store. Call
// LoadDirectory once, before the first command.
#ifndef DUBAN_ENGINE_PLANS_PLAN_IMPORT_H_
#define DUBAN_ENGINE_PLANS_PLAN_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/model.pb.h"
#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/storage/yaml_util.h"

namespace duban {

class TaskCommands;  // engine/tasks/task_commands.h

struct ImportSummary {
  v1::Plan plan;
  int units = 0;
  int tasks = 0;
  int campaigns = 0;
  int task_forces = 0;
};

class PlanImport {
 public:
  // ctx and tasks outlive the part.
  PlanImport(const PartContext* ctx, TaskCommands* tasks) : ctx_(ctx), tasks_(tasks) {}
  PlanImport(const PlanImport&) = delete;
  PlanImport& operator=(const PlanImport&) = delete;

  // Fills the context's directory from the stored units and groups.
  absl::Status LoadDirectory();

  // Imports a plan file; its tasks are created and, when assign is true,
  // assigned to their lead units. All or nothing.
  // done_marker, when given, is a meta key written (to the plan id) in the
  // import's own batch.
  absl::StatusOr<ImportSummary> ImportPlan(const yamlx::Doc& doc, absl::string_view actor, bool assign,
                                           absl::string_view done_marker = {});
  // Imports the demo plan on the first start: the plan and the marker
  // "demo_loaded" commit together. True when it imported now.
  absl::StatusOr<bool> ImportDemoOnce(const yamlx::Doc& doc);
  absl::StatusOr<ImportSummary> ImportPlanText(absl::string_view file_name, absl::string_view yaml,
                                               absl::string_view actor, bool assign);

  // The plans and people stored (DATA_LOSS when a record does not parse).
  absl::StatusOr<std::vector<v1::Plan>> ListPlans() const;
  absl::StatusOr<v1::Plan> GetPlan(absl::string_view plan_id) const;
  absl::StatusOr<std::vector<v1::Campaign>> ListCampaigns(absl::string_view plan_id) const;
  absl::StatusOr<v1::Campaign> GetCampaign(absl::string_view campaign_id) const;
  absl::StatusOr<std::vector<v1::Person>> ListPeople() const;
  absl::StatusOr<v1::LeadingGroup> GetLeadingGroup(absl::string_view plan_id) const;
  absl::StatusOr<std::vector<v1::TaskForce>> ListTaskForces(absl::string_view plan_id) const;

  // The context the part stands on (the pre-import check reads its store
  // and directory: engine/plans/import_check.h).
  const PartContext& ctx() const { return *ctx_; }

 private:
  absl::StatusOr<ImportSummary> ImportPlanImpl(const yamlx::Doc& doc, absl::string_view actor, bool assign,
                                               absl::string_view done_marker);

  const PartContext* const ctx_;
  TaskCommands* const tasks_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_PLANS_PLAN_IMPORT_H_
