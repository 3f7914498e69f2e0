#include "services/visibility.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"

namespace duban {

namespace {

bool IsOfficeUnit(Engine& engine, const std::string& unit_id, const std::string& plan_id) {
  if (auto lg = engine.GetLeadingGroup(plan_id); lg.ok() && lg->office_unit_id() == unit_id) return true;
  if (auto tfs = engine.ListTaskForces(plan_id); tfs.ok()) {
    for (const auto& tf : *tfs) {
      if (tf.office_unit_id() == unit_id) return true;
    }
  }
  return false;
}

bool IsSupervisor(Engine& engine, const std::string& actor, const std::string& unit_id) {
  const auto& cfg = engine.options().supervision;
  if (!cfg) return false;
  for (const auto& s : cfg->supervisors) {
    if (s == actor) return true;
    if (unit_id.empty()) continue;
    auto r = engine.Resolve(s);
    if (r.ok() && !r->group && r->units.size() == 1 && r->units[0].id() == unit_id) return true;
  }
  return false;
}

}  // namespace

bool MaySeeTask(Engine& engine, const std::string& actor, const v1::Task& task) {
  if (actor.empty()) return false;
  if (auto person = engine.store().Exists(Cf::kEntities, keys::Entity(keys::Kind::kPerson, actor));
      person.ok() && *person) {
    return true;
  }
  std::string unit_id;
  if (auto r = engine.Resolve(actor); r.ok() && !r->group && r->units.size() == 1) unit_id = r->units[0].id();
  if (IsSupervisor(engine, actor, unit_id)) return true;
  if (unit_id.empty()) return false;
  auto in = [&](const auto& ids) { return std::find(ids.begin(), ids.end(), unit_id) != ids.end(); };
  if (in(task.lead_unit_ids()) || in(task.responsible_unit_ids())) return true;
  return IsOfficeUnit(engine, unit_id, task.plan_id());
}

bool MaySeeAttachment(Engine& engine, const std::string& actor, const v1::EvidenceAttachment& a) {
  if (a.subject_kind() != "task") return false;
  auto task = engine.GetTask(a.subject_id());
  if (!task.ok()) return false;
  return MaySeeTask(engine, actor, *task);
}

bool MayReadFor(Engine& engine, const std::string& actor, const std::string& unit_or_person) {
  if (actor.empty()) return false;
  if (actor == unit_or_person) return true;
  if (auto person = engine.store().Exists(Cf::kEntities, keys::Entity(keys::Kind::kPerson, actor));
      person.ok() && *person) {
    return true;
  }
  std::string unit_id;
  if (auto r = engine.Resolve(actor); r.ok() && !r->group && r->units.size() == 1) unit_id = r->units[0].id();
  if (IsSupervisor(engine, actor, unit_id)) return true;
  if (unit_id.empty()) return false;
  if (unit_id == unit_or_person) return true;
  for (const auto& plan : engine.ListPlans()) {
    if (IsOfficeUnit(engine, unit_id, plan.id())) return true;
  }
  return false;
}

std::string CallerActor(const grpc::ServerContext& ctx) {
  auto it = ctx.client_metadata().find("x-duban-actor");
  if (it == ctx.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::Status CheckCallerMaySeeTask(const grpc::ServerContext& ctx, Engine& engine, const v1::Task& task) {
  std::string actor = CallerActor(ctx);
  if (actor.empty() || MaySeeTask(engine, actor, task)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("task_id: '", actor, "' may not see task ", task.id()));
}

absl::Status CheckCallerMayReadFor(const grpc::ServerContext& ctx, Engine& engine, const std::string& field,
                                   const std::string& recipient) {
  std::string actor = CallerActor(ctx);
  if (actor.empty() || MayReadFor(engine, actor, recipient)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(field, ": '", actor, "' may not read what is sent to ", recipient));
}

}  // namespace duban
