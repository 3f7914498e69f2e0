// Directory: the organisation directory, the units and groups of units of
// every imported plan with their names and aliases, held in memory and read
// by every command that names a unit.
//
// Owns: the in-memory maps (units by id, groups by id, every id, name and
// alias to its unit or group). Its records live in the store under
// keys::Entity(kUnit / kUnitGroup, id) (engine/storage/keys.h); the
// directory reads them once at open (Load) and is told of new ones after a
// plan import commits (Add). It writes nothing itself.
// Depends on: storage (Store, keys, validate). Thread-safe: readers share
// one lock, Load and Add take it exclusively.
#ifndef DUBAN_ENGINE_PLANS_DIRECTORY_H_
#define DUBAN_ENGINE_PLANS_DIRECTORY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/store.h"

namespace duban {

// What a name stands for: one unit, or a group and its member units.
struct Resolved {
  std::vector<v1::Unit> units;
  std::optional<v1::UnitGroup> group;
};

class Directory {
 public:
  Directory() = default;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // Reads every unit and group record of the store.
  absl::Status Load(const Store& store) ABSL_LOCKS_EXCLUDED(mu_);
  // Adds (or replaces) units and groups, e.g. after an import committed.
  void Add(const std::vector<v1::Unit>& units, const std::vector<v1::UnitGroup>& groups) ABSL_LOCKS_EXCLUDED(mu_);

  // The unit or group an id, name or alias names; nullopt when none.
  std::optional<v1::UnitRef> LookupName(absl::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  // The unit ids that names stand for, in order and without repeats; a
  // group stands for its members when allow_groups (INVALID_ARGUMENT
  // otherwise). NOT_FOUND "<field>[i]: unknown unit" for an unknown name.
  absl::StatusOr<std::vector<std::string>> ResolveUnits(absl::string_view field, const std::vector<std::string>& names,
                                                        bool allow_groups) const ABSL_LOCKS_EXCLUDED(mu_);
  // The unit, or the group and its members, that `name` names.
  absl::StatusOr<Resolved> Resolve(absl::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  // The units of a category (all with UNIT_CATEGORY_UNSPECIFIED), by id.
  std::vector<v1::Unit> ListUnits(v1::UnitCategory category) const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<v1::UnitGroup> ListUnitGroups() const ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<v1::Unit> GetUnit(absl::string_view unit_id) const ABSL_LOCKS_EXCLUDED(mu_);
  // The member unit ids of a group (empty when there is no such group).
  std::vector<std::string> Members(absl::string_view group_id) const ABSL_LOCKS_EXCLUDED(mu_);
  // ALREADY_EXISTS "<file>: units: ..." when a unit or group id of an
  // import is already taken under another name.
  absl::Status CheckSameNames(absl::string_view file, const std::vector<v1::Unit>& units,
                              const std::vector<v1::UnitGroup>& groups) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void AddUnit(const v1::Unit& u) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddGroup(const v1::UnitGroup& g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, v1::Unit> units_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::UnitGroup> groups_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::UnitRef, std::less<>> names_ ABSL_GUARDED_BY(mu_);
};

}  // namespace duban

#endif  // DUBAN_ENGINE_PLANS_DIRECTORY_H_
