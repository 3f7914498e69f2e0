// Reads a plan file (format: config/README.md) into records, resolving every
// unit name to one unit or unit group. Errors name the file, line and field.
#ifndef DUBAN_ENGINE_PLANS_PLAN_LOADER_H_
#define DUBAN_ENGINE_PLANS_PLAN_LOADER_H_

#include <functional>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/yaml_util.h"

namespace duban {

struct PlanBundle {
  v1::Jurisdiction jurisdiction;
  std::vector<v1::Unit> units;
  std::vector<v1::UnitGroup> groups;
  std::vector<v1::Person> people;
  std::optional<v1::LeadingGroup> leading_group;
  v1::Plan plan;
  std::vector<v1::Campaign> campaigns;
  std::vector<v1::TaskForce> task_forces;
  std::vector<v1::Task> tasks;  // without ids; state DRAFT
};

// Resolves a name, alias or id of a unit or group already in the store.
using ExistingNames = std::function<std::optional<v1::UnitRef>(absl::string_view name)>;
// The member unit ids of a group already in the store.
using ExistingGroupMembers = std::function<std::vector<std::string>(absl::string_view group_id)>;

absl::StatusOr<PlanBundle> LoadPlan(const yamlx::Doc& doc, const ExistingNames& existing,
                                    const ExistingGroupMembers& members);

}  // namespace duban

#endif  // DUBAN_ENGINE_PLANS_PLAN_LOADER_H_
