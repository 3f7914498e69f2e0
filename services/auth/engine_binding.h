// The auth layer's view of the engine: the objects a permission check
// reads, unit names resolved to ids, and the demo accounts of the local
// development mode made from the loaded plan.
#ifndef DUBAN_SERVICES_AUTH_ENGINE_BINDING_H_
#define DUBAN_SERVICES_AUTH_ENGINE_BINDING_H_

#include <vector>

#include "engine/accountability/accountability.h"
#include "engine/engine.h"
#include "services/auth/accounts.h"
#include "services/auth/policy.h"

namespace duban::auth {

class EngineObjects final : public Objects {
 public:
  // accountability may be null (not configured): Case is then NOT_FOUND.
  EngineObjects(Engine* engine, Accountability* accountability) : engine_(engine), accountability_(accountability) {}
  absl::StatusOr<v1::Task> Task(const std::string& id) override;
  absl::StatusOr<v1::Obligation> Obligation(const std::string& id) override;
  absl::StatusOr<v1::SupervisionItem> Supervision(const std::string& id) override;
  absl::StatusOr<v1::AccountabilityCase> Case(const std::string& id) override;
  absl::StatusOr<std::string> UnitId(const std::string& name) override;
  absl::StatusOr<std::string> PersonId(const std::string& name) override;

 private:
  Engine* const engine_;
  Accountability* const accountability_;
};

// One unit id for a unit id, name or alias; NOT_FOUND or INVALID_ARGUMENT
// (a group) otherwise.
absl::StatusOr<std::string> ResolveOneUnit(const Engine& engine, absl::string_view name);

// The demo accounts for the plans loaded in engine: a contact per unit (id =
// unit id), "office" (leading_group_office, at the leading group's office
// unit), "tf-<campaign>" per task force (task_force_office, at its office
// unit), "safety-office" (safety_office, at 市安委办 when the plan has it),
// a leader per person who convenes a task force or leads the group (id =
// person id), "supervisor" and "auditor".
absl::StatusOr<std::vector<DeclaredAccount>> DemoAccounts(const Engine& engine);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_ENGINE_BINDING_H_
