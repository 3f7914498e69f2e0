// What a plan import would change in the organisation directory. An import
// never redefines silently: every difference from the stored units, groups,
// people and jurisdiction is listed, and applied only in update mode. No
// update may drop or re-point a name or alias that resolves today, so every
// reference the loaded rule files make (they name units by name or alias)
// keeps resolving after the import and the daemon can restart.
#ifndef DUBAN_ENGINE_PLANS_IMPORT_CHECK_H_
#define DUBAN_ENGINE_PLANS_IMPORT_CHECK_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/plans/plan_import.h"
#include "engine/plans/plan_loader.h"

namespace duban {

struct DirectorySnapshot {
  std::optional<v1::Jurisdiction> jurisdiction;  // the stored one with the bundle's id
  const std::map<std::string, v1::Unit>* units = nullptr;
  const std::map<std::string, v1::UnitGroup>* groups = nullptr;
  std::function<std::optional<v1::Person>(const std::string& id)> person;
};

struct ImportChanges {
  std::vector<std::string> redefinitions;  // "units.fgj: aliases: - 发改局", one per changed field
  std::vector<std::string> refused;        // changes no import may make (dropped or re-pointed names)
};

ImportChanges CompareWithDirectory(const PlanBundle& bundle, const DirectorySnapshot& now);

// How an import treats records that already exist.
struct ImportMode {
  bool update = false;   // apply redefinitions of existing units, groups, people and jurisdiction
  bool dry_run = false;  // only list what would change; write nothing
};

struct CheckedImport {
  ImportSummary summary;             // of the import, or of the plan file on a dry run
  std::vector<std::string> changes;  // redefinitions of existing records
};

// Compares the plan file with the directory of plans' context, then imports
// it through PlanImport::ImportPlan unless it is refused or a dry run: FAILED_PRECONDITION
// "<file>: refused, in no mode: ..." when it would drop or re-point a name
// in use; "<file>: would redefine N existing record(s) ...: ..." when it
// would redefine records and mode.update is not set.
absl::StatusOr<CheckedImport> ImportPlanChecked(PlanImport* plans, absl::string_view file_name, absl::string_view yaml,
                                                absl::string_view actor, bool assign, ImportMode mode);

}  // namespace duban

#endif  // DUBAN_ENGINE_PLANS_IMPORT_CHECK_H_
