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

}  // namespace duban

#endif  // DUBAN_ENGINE_PLANS_IMPORT_CHECK_H_
