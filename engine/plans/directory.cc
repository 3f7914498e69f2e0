#include "engine/plans/directory.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"

namespace duban {

absl::Status Directory::Load(const Store& store) {
  ASSIGN_OR_RETURN(auto units, ScanRecords<v1::Unit>(store, Cf::kEntities, keys::EntityPrefix(keys::Kind::kUnit)));
  ASSIGN_OR_RETURN(auto groups,
                   ScanRecords<v1::UnitGroup>(store, Cf::kEntities, keys::EntityPrefix(keys::Kind::kUnitGroup)));
  Add(units, groups);
  return absl::OkStatus();
}

void Directory::Add(const std::vector<v1::Unit>& units, const std::vector<v1::UnitGroup>& groups) {
  absl::MutexLock l(&mu_);
  for (const auto& u : units) AddUnit(u);
  for (const auto& g : groups) AddGroup(g);
}

void Directory::AddUnit(const v1::Unit& u) {
  v1::UnitRef ref;
  ref.set_unit_id(u.id());
  names_[u.id()] = ref;
  names_[u.name()] = ref;
  for (const auto& a : u.aliases()) names_[a] = ref;
  units_[u.id()] = u;
}

void Directory::AddGroup(const v1::UnitGroup& g) {
  v1::UnitRef ref;
  ref.set_group_id(g.id());
  names_[g.id()] = ref;
  names_[g.name()] = ref;
  for (const auto& a : g.aliases()) names_[a] = ref;
  groups_[g.id()] = g;
}

std::optional<v1::UnitRef> Directory::LookupName(absl::string_view name) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = names_.find(name);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::vector<std::string>> Directory::ResolveUnits(absl::string_view field,
                                                                 const std::vector<std::string>& names,
                                                                 bool allow_groups) const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  absl::ReaderMutexLock l(&mu_);
  for (size_t i = 0; i < names.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    RETURN_IF_ERROR(validate::Required(f, names[i], validate::kMaxName));
    auto it = names_.find(names[i]);
    if (it == names_.end()) return absl::NotFoundError(absl::StrCat(f, ": unknown unit '", validate::Quote(names[i]), "'"));
    if (it->second.has_unit_id()) {
      if (seen.insert(it->second.unit_id()).second) out.push_back(it->second.unit_id());
      continue;
    }
    if (!allow_groups) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ": '", names[i], "' is a group of units; name one unit"));
    }
    for (const auto& m : groups_.at(it->second.group_id()).member_unit_ids()) {
      if (seen.insert(m).second) out.push_back(m);
    }
  }
  return out;
}

absl::StatusOr<Resolved> Directory::Resolve(absl::string_view name) const {
  RETURN_IF_ERROR(validate::Required("name", name, validate::kMaxName));
  absl::ReaderMutexLock l(&mu_);
  auto it = names_.find(name);
  if (it == names_.end()) return absl::NotFoundError(absl::StrCat("name: unknown unit '", validate::Quote(name), "'"));
  Resolved r;
  if (it->second.has_unit_id()) {
    r.units.push_back(units_.at(it->second.unit_id()));
  } else {
    const auto& g = groups_.at(it->second.group_id());
    r.group = g;
    for (const auto& m : g.member_unit_ids()) {
      if (auto u = units_.find(m); u != units_.end()) r.units.push_back(u->second);
    }
  }
  return r;
}

std::vector<v1::Unit> Directory::ListUnits(v1::UnitCategory category) const {
  absl::ReaderMutexLock l(&mu_);
  std::vector<v1::Unit> out;
  for (const auto& [id, u] : units_) {
    if (category == v1::UNIT_CATEGORY_UNSPECIFIED || u.category() == category) out.push_back(u);
  }
  return out;
}

std::vector<v1::UnitGroup> Directory::ListUnitGroups() const {
  absl::ReaderMutexLock l(&mu_);
  std::vector<v1::UnitGroup> out;
  for (const auto& [id, g] : groups_) out.push_back(g);
  return out;
}

absl::StatusOr<v1::Unit> Directory::GetUnit(absl::string_view unit_id) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = units_.find(std::string(unit_id));
  if (it == units_.end()) return absl::NotFoundError(absl::StrCat("unit_id: no unit '", unit_id, "'"));
  return it->second;
}

std::vector<std::string> Directory::Members(absl::string_view group_id) const {
  absl::ReaderMutexLock l(&mu_);
  std::vector<std::string> out;
  if (auto g = groups_.find(std::string(group_id)); g != groups_.end()) {
    out.assign(g->second.member_unit_ids().begin(), g->second.member_unit_ids().end());
  }
  return out;
}

absl::Status Directory::CheckSameNames(absl::string_view file, const std::vector<v1::Unit>& units,
                                       const std::vector<v1::UnitGroup>& groups) const {
  absl::ReaderMutexLock l(&mu_);
  for (const auto& u : units) {
    auto it = units_.find(u.id());
    if (it != units_.end() && it->second.name() != u.name()) {
      return absl::AlreadyExistsError(absl::StrCat(file, ": units: unit id '", u.id(), "' is already '",
                                                   it->second.name(), "', not '", u.name(), "'"));
    }
  }
  for (const auto& g : groups) {
    auto it = groups_.find(g.id());
    if (it != groups_.end() && it->second.name() != g.name()) {
      return absl::AlreadyExistsError(absl::StrCat(file, ": unit_groups: group id '", g.id(), "' is already '",
                                                   it->second.name(), "', not '", g.name(), "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace duban
