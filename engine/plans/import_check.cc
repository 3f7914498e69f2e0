#include "engine/plans/import_check.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

}  // namespace duban
