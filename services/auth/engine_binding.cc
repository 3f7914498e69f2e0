#include "services/auth/engine_binding.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"

namespace duban::auth {

absl::StatusOr<v1::Task> EngineObjects::Task(const std::string& id) { return engine_->GetTask(id); }
absl::StatusOr<v1::Obligation> EngineObjects::Obligation(const std::string& id) { return engine_->GetObligation(id); }
absl::StatusOr<v1::SupervisionItem> EngineObjects::Supervision(const std::string& id) {
  return engine_->GetSupervision(id);
}
absl::StatusOr<v1::AccountabilityCase> EngineObjects::Case(const std::string& id) {
  if (accountability_ == nullptr) return absl::NotFoundError(absl::StrCat("case_id: no case '", id, "'"));
  return accountability_->GetCase(id);
}
absl::StatusOr<std::string> EngineObjects::UnitId(const std::string& name) { return ResolveOneUnit(*engine_, name); }
absl::StatusOr<std::string> EngineObjects::PersonId(const std::string& name) {
  auto people = engine_->ListPeople();
  if (!people.ok()) return people.status();
  for (const auto& p : *people) {
    if (p.id() == name || p.name() == name) return p.id();
  }
  return absl::NotFoundError(absl::StrCat("person: no person '", name, "'"));
}

absl::StatusOr<std::string> ResolveOneUnit(const Engine& engine, absl::string_view name) {
  auto r = engine.Resolve(name);
  if (!r.ok()) return r.status();
  if (r->group || r->units.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("'", name, "' is a group of units, not one unit"));
  }
  return r->units[0].id();
}

absl::StatusOr<std::vector<DeclaredAccount>> DemoAccounts(const Engine& engine) {
  std::vector<DeclaredAccount> out;
  std::set<std::string> ids;
  auto add = [&](std::string id, std::string name, std::string unit, std::string role) {
    DeclaredAccount d;
    d.id = std::move(id);
    d.display_name = std::move(name);
    d.unit = std::move(unit);
    d.roles = {std::move(role)};
    if (ids.insert(d.id).second) out.push_back(std::move(d));
  };
  std::map<std::string, std::vector<std::string>> convenes;  // person -> campaigns
  auto plans = engine.ListPlans();
  if (!plans.ok()) return plans.status();
  for (const auto& plan : *plans) {
    if (auto lg = engine.GetLeadingGroup(plan.id()); lg.ok()) {
      add("office", "领导小组办公室", lg->office_unit_id(), kLeadingGroupOffice);
      if (!lg->leader_person_id().empty()) convenes[lg->leader_person_id()];
      if (!lg->first_deputy_leader_person_id().empty()) convenes[lg->first_deputy_leader_person_id()];
    }
    if (auto tfs = engine.ListTaskForces(plan.id()); tfs.ok()) {
      for (const auto& tf : *tfs) {
        add(absl::StrCat("tf-", tf.campaign_id()), absl::StrCat(tf.campaign_id(), " 专班办公室"), tf.office_unit_id(),
            absl::StrCat(kTaskForceOffice, ":", tf.campaign_id()));
        if (!tf.convener_person_id().empty()) convenes[tf.convener_person_id()].push_back(tf.campaign_id());
      }
    }
  }
  if (auto safety = ResolveOneUnit(engine, "市安委办"); safety.ok()) {
    add("safety-office", "市安委办", *safety, kSafetyOffice);
  }
  for (const auto& [person, campaigns] : convenes) {
    std::string role = kLeader;
    if (!campaigns.empty()) {
      role += ":";
      for (size_t i = 0; i < campaigns.size(); ++i) absl::StrAppend(&role, i ? "," : "", campaigns[i]);
    }
    add(person, person, "", role);
  }
  std::string inspection = ResolveOneUnit(engine, "市政府督查室").value_or("");
  add("supervisor", "督查", inspection, kSupervisor);
  add("auditor", "审计（只读）", "", kAuditor);
  for (const auto& u : engine.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED)) {
    add(u.id(), u.name(), u.id(), kUnitContact);
  }
  return out;
}

}  // namespace duban::auth
