#include "engine/plans/import_check.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/yaml_util.h"

namespace duban {

namespace {

std::set<std::string> Names(const std::string& name, const google::protobuf::RepeatedPtrField<std::string>& aliases) {
  std::set<std::string> out(aliases.begin(), aliases.end());
  out.insert(name);
  return out;
}

void DiffNames(const std::string& what, const std::set<std::string>& before, const std::set<std::string>& after,
               ImportChanges* out) {
  for (const auto& n : before) {
    if (!after.count(n)) {
      out->refused.push_back(absl::StrCat(what, ": drops the name '", n,
                                          "', which resolves today (rule files may name it)"));
    }
  }
  std::vector<std::string> added;
  for (const auto& n : after) {
    if (!before.count(n)) added.push_back(n);
  }
  if (!added.empty()) out->redefinitions.push_back(absl::StrCat(what, ": adds names ", absl::StrJoin(added, ", ")));
}

}  // namespace

ImportChanges CompareWithDirectory(const PlanBundle& b, const DirectorySnapshot& now) {
  ImportChanges out;
  if (now.jurisdiction && now.jurisdiction->name() != b.jurisdiction.name()) {
    out.redefinitions.push_back(absl::StrCat("jurisdiction.", b.jurisdiction.id(), ": name '",
                                             now.jurisdiction->name(), "' -> '", b.jurisdiction.name(), "'"));
  }
  // Every name in use today, and the unit or group it names.
  std::map<std::string, std::string> owner;
  if (now.units != nullptr) {
    for (const auto& [id, u] : *now.units) {
      for (const auto& n : Names(u.name(), u.aliases())) owner[n] = "unit " + id;
      owner[id] = "unit " + id;
    }
  }
  if (now.groups != nullptr) {
    for (const auto& [id, g] : *now.groups) {
      for (const auto& n : Names(g.name(), g.aliases())) owner[n] = "group " + id;
    }
  }
  auto repointed = [&](const std::string& what, const std::string& self, const std::set<std::string>& names) {
    for (const auto& n : names) {
      auto it = owner.find(n);
      if (it != owner.end() && it->second != self) {
        out.refused.push_back(absl::StrCat(what, ": the name '", n, "' already names ", it->second));
      }
    }
  };
  for (const auto& u : b.units) {
    std::string what = absl::StrCat("units.", u.id());
    auto after = Names(u.name(), u.aliases());
    repointed(what, "unit " + u.id(), after);
    if (now.units == nullptr) continue;
    auto it = now.units->find(u.id());
    if (it == now.units->end()) continue;
    const v1::Unit& cur = it->second;
    if (cur.category() != u.category()) {
      out.redefinitions.push_back(absl::StrCat(what, " (", cur.name(), "): category ",
                                               v1::UnitCategory_Name(cur.category()), " -> ",
                                               v1::UnitCategory_Name(u.category())));
    }
    if (cur.jurisdiction_id() != u.jurisdiction_id()) {
      out.redefinitions.push_back(absl::StrCat(what, " (", cur.name(), "): jurisdiction ", cur.jurisdiction_id(),
                                               " -> ", u.jurisdiction_id()));
    }
    DiffNames(absl::StrCat(what, " (", cur.name(), ")"), Names(cur.name(), cur.aliases()), after, &out);
  }
  for (const auto& g : b.groups) {
    std::string what = absl::StrCat("unit_groups.", g.id());
    auto after = Names(g.name(), g.aliases());
    repointed(what, "group " + g.id(), after);
    if (now.groups == nullptr) continue;
    auto it = now.groups->find(g.id());
    if (it == now.groups->end()) continue;
    const v1::UnitGroup& cur = it->second;
    DiffNames(absl::StrCat(what, " (", cur.name(), ")"), Names(cur.name(), cur.aliases()), after, &out);
    std::set<std::string> m0(cur.member_unit_ids().begin(), cur.member_unit_ids().end());
    std::set<std::string> m1(g.member_unit_ids().begin(), g.member_unit_ids().end());
    if (m0 != m1) {
      out.redefinitions.push_back(absl::StrCat(what, " (", cur.name(), "): members ", absl::StrJoin(m0, ","), " -> ",
                                               absl::StrJoin(m1, ",")));
    }
  }
  if (now.person) {
    for (const auto& p : b.people) {
      auto cur = now.person(p.id());
      if (cur && cur->SerializeAsString() != p.SerializeAsString()) {
        out.redefinitions.push_back(absl::StrCat("people.", p.id(), " (", cur->name(), "): name or posts differ"));
      }
    }
  }
  return out;
}

absl::StatusOr<CheckedImport> ImportPlanChecked(PlanImport* plans, absl::string_view file_name, absl::string_view yaml,
                                                absl::string_view actor, bool assign, ImportMode mode) {
  if (file_name.empty()) return absl::InvalidArgumentError("file_name: required");
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::Parse(file_name, yaml));
  Store& store = *plans->ctx().store;
  const Directory& directory = *plans->ctx().directory;
  std::map<std::string, v1::UnitGroup> groups;
  RETURN_IF_ERROR(store.Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kUnitGroup),
                             [&](absl::string_view, absl::string_view v) {
                               v1::UnitGroup g;
                               if (g.ParseFromArray(v.data(), static_cast<int>(v.size()))) groups[g.id()] = g;
                               return true;
                             }));
  std::map<std::string, v1::Unit> units;
  for (auto& u : directory.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED)) units[u.id()] = u;
  auto existing = [&directory](absl::string_view name) -> std::optional<v1::UnitRef> {
    auto r = directory.Resolve(name);
    if (!r.ok()) return std::nullopt;
    v1::UnitRef ref;
    if (r->group) {
      ref.set_group_id(r->group->id());
    } else if (r->units.size() == 1) {
      ref.set_unit_id(r->units[0].id());
    } else {
      return std::nullopt;
    }
    return ref;
  };
  auto members = [&groups](absl::string_view group_id) {
    std::vector<std::string> out;
    if (auto g = groups.find(std::string(group_id)); g != groups.end()) {
      out.assign(g->second.member_unit_ids().begin(), g->second.member_unit_ids().end());
    }
    return out;
  };
  ASSIGN_OR_RETURN(PlanBundle bundle, LoadPlan(doc, existing, members));
  DirectorySnapshot snapshot;
  v1::Jurisdiction j;
  if (store.GetProto(Cf::kEntities, keys::Entity(keys::Kind::kJurisdiction, bundle.jurisdiction.id()), &j).ok()) {
    snapshot.jurisdiction = j;
  }
  snapshot.units = &units;
  snapshot.groups = &groups;
  snapshot.person = [&store](const std::string& id) -> std::optional<v1::Person> {
    v1::Person p;
    if (!store.GetProto(Cf::kEntities, keys::Entity(keys::Kind::kPerson, id), &p).ok()) return std::nullopt;
    return p;
  };
  ImportChanges changes = CompareWithDirectory(bundle, snapshot);
  if (!changes.refused.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(doc.file, ": refused, in no mode: ", absl::StrJoin(changes.refused, "; ")));
  }
  if (!changes.redefinitions.empty() && !mode.update && !mode.dry_run) {
    return absl::FailedPreconditionError(absl::StrCat(
        doc.file, ": would redefine ", changes.redefinitions.size(),
        " existing record(s) (import with update mode to apply, or dry run to review): ",
        absl::StrJoin(changes.redefinitions, "; ")));
  }
  CheckedImport out;
  out.changes = std::move(changes.redefinitions);
  if (mode.dry_run) {
    out.summary.plan = bundle.plan;
    out.summary.units = static_cast<int>(bundle.units.size());
    out.summary.tasks = static_cast<int>(bundle.tasks.size());
    out.summary.campaigns = static_cast<int>(bundle.campaigns.size());
    out.summary.task_forces = static_cast<int>(bundle.task_forces.size());
    return out;
  }
  ASSIGN_OR_RETURN(out.summary, plans->ImportPlan(doc, actor, assign));
  return out;
}

}  // namespace duban
