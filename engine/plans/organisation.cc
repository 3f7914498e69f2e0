// PlanImport: the import of plan files and the reads of stored plan records.
#include "engine/plans/plan_import.h"

#include "absl/strings/str_cat.h"
#include "engine/plans/plan_loader.h"
#include "engine/plans/plan_records.h"
#include "absl/strings/match.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "engine/tasks/task_commands.h"
#include "spdlog/spdlog.h"

namespace duban {

absl::Status PlanImport::LoadDirectory() { return ctx_->directory->Load(*ctx_->store); }

absl::StatusOr<std::vector<v1::Person>> PlanImport::ListPeople() const { return ReadPeople(*ctx_->store); }

absl::StatusOr<std::vector<v1::Plan>> PlanImport::ListPlans() const { return ReadPlans(*ctx_->store); }

absl::StatusOr<v1::Plan> PlanImport::GetPlan(absl::string_view plan_id) const { return ReadPlan(*ctx_->store, plan_id); }

absl::StatusOr<std::vector<v1::Campaign>> PlanImport::ListCampaigns(absl::string_view plan_id) const {
  return ReadCampaigns(*ctx_->store, plan_id);
}

absl::StatusOr<v1::Campaign> PlanImport::GetCampaign(absl::string_view campaign_id) const {
  return ReadCampaign(*ctx_->store, campaign_id);
}

absl::StatusOr<v1::LeadingGroup> PlanImport::GetLeadingGroup(absl::string_view plan_id) const {
  return ReadLeadingGroup(*ctx_->store, plan_id);
}

absl::StatusOr<std::vector<v1::TaskForce>> PlanImport::ListTaskForces(absl::string_view plan_id) const {
  return ReadTaskForces(*ctx_->store, plan_id);
}

absl::StatusOr<ImportSummary> PlanImport::ImportPlanText(absl::string_view file_name, absl::string_view yaml,
                                                     absl::string_view actor, bool assign) {
  RETURN_IF_ERROR(validate::Required("file_name", file_name, validate::kMaxName));
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::Parse(file_name, yaml));
  return ImportPlan(doc, actor, assign);
}

absl::StatusOr<ImportSummary> PlanImport::ImportPlan(const yamlx::Doc& doc, absl::string_view actor, bool assign,
                                                 absl::string_view done_marker) {
  absl::Time start = absl::Now();
  CommandInfo info{"plan", "", "import_plan", CommandMeta{std::string(actor), "", "", 0}};
  auto summary = ImportPlanImpl(doc, actor, assign, done_marker);
  if (summary.ok()) info.subject_id = summary->plan.id();
  Pipeline::Log(info, summary.status(), false, start);
  return summary;
}

absl::StatusOr<bool> PlanImport::ImportDemoOnce(const yamlx::Doc& doc) {
  const std::string marker = keys::DemoLoaded();
  ASSIGN_OR_RETURN(bool loaded, ctx_->store->Exists(Cf::kMeta, marker));
  if (loaded) return false;
  auto s = ImportPlan(doc, "duband", /*assign=*/true, marker);
  if (s.ok()) return true;
  // A store written before the marker joined the import's batch may hold
  // the demo plan without its marker: take the plan as loaded.
  if (absl::IsAlreadyExists(s.status()) && absl::StartsWith(s.status().message(), "plan.id:")) {
    rocksdb::WriteBatch b;
    ctx_->store->Put(&b, Cf::kMeta, marker, "recovered");
    std::vector<v1::Notification> none;
    RETURN_IF_ERROR(ctx_->pipeline->Commit(&b, &none));
    return false;
  }
  return s.status();
}

absl::StatusOr<ImportSummary> PlanImport::ImportPlanImpl(const yamlx::Doc& doc, absl::string_view actor, bool assign,
                                                     absl::string_view done_marker) {
  RETURN_IF_ERROR(validate::Required("actor", actor, validate::kMaxActor));
  auto existing = [this](absl::string_view name) { return ctx_->directory->LookupName(name); };
  auto members = [this](absl::string_view group_id) { return ctx_->directory->Members(group_id); };
  ASSIGN_OR_RETURN(PlanBundle bundle, LoadPlan(doc, existing, members));

  // The plan, its campaigns and the directory (units and groups) are the
  // import's subjects.
  std::vector<std::string> subjects{absl::StrCat("plan|", bundle.plan.id()), "directory"};
  for (const auto& c : bundle.campaigns) subjects.push_back(absl::StrCat("campaign|", c.id()));
  KeyLocks::Guard lock = ctx_->pipeline->locks().Lock(subjects);
  ASSIGN_OR_RETURN(bool plan_exists, ctx_->store->Exists(Cf::kEntities, keys::Entity(keys::Kind::kPlan, bundle.plan.id())));
  if (plan_exists) {
    return absl::AlreadyExistsError(absl::StrCat("plan.id: plan '", bundle.plan.id(), "' already exists"));
  }
  for (const auto& c : bundle.campaigns) {
    ASSIGN_OR_RETURN(bool campaign_exists, ctx_->store->Exists(Cf::kEntities, keys::Entity(keys::Kind::kCampaign, c.id())));
    if (campaign_exists) {
      return absl::AlreadyExistsError(absl::StrCat("campaign.id: campaign '", c.id(), "' already exists"));
    }
  }
  Batch txn(ctx_, ctx_->clock->Now());
  rocksdb::WriteBatch& batch = *txn.batch();
  ImportSummary summary;
  ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kJurisdiction, bundle.jurisdiction.id()),
              bundle.jurisdiction);
  RETURN_IF_ERROR(ctx_->directory->CheckSameNames(doc.file, bundle.units, bundle.groups));
  for (const auto& u : bundle.units) {
    ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kUnit, u.id()), u);
  }
  for (const auto& g : bundle.groups) {
    ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kUnitGroup, g.id()), g);
  }
  for (const auto& p : bundle.people) {
    ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kPerson, p.id()), p);
  }
  if (bundle.leading_group) {
    ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kLeadingGroup, bundle.leading_group->id()),
                *bundle.leading_group);
  }
  ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kPlan, bundle.plan.id()), bundle.plan);
  for (const auto& c : bundle.campaigns) {
    ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kCampaign, c.id()), c);
  }
  for (const auto& f : bundle.task_forces) {
    ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kTaskForce, f.id()), f);
  }
  google::protobuf::Timestamp now;
  absl::Time t = ctx_->clock->Now();
  now.set_seconds(absl::ToUnixSeconds(t));
  uint64_t number = bundle.tasks.empty() ? 0 : tasks_->NextNumbers(&txn, bundle.tasks.size());
  for (auto task : bundle.tasks) {
    task.set_id(absl::StrCat("T", number++));
    *task.mutable_created_at() = now;
    *task.mutable_updated_at() = now;
    v1::TaskEvent created;
    created.set_task_id(task.id());
    created.set_version(1);
    *created.mutable_at() = now;
    created.set_actor(std::string(actor));
    created.set_comment(absl::StrCat("imported from ", doc.file));
    created.set_command(v1::TASK_COMMAND_CREATE);
    created.set_to_state(v1::TASK_STATE_DRAFT);
    created.set_due_date(task.due_date());
    ctx_->store->Put(&batch, Cf::kEvents, keys::Event(task.id(), 1), created);
    task.set_version(1);
    if (assign) {
      v1::TaskEvent assigned = created;
      assigned.set_version(2);
      assigned.set_command(v1::TASK_COMMAND_ASSIGN);
      assigned.set_from_state(v1::TASK_STATE_DRAFT);
      assigned.set_to_state(v1::TASK_STATE_ASSIGNED);
      assigned.set_comment("");
      assigned.clear_due_date();
      ctx_->store->Put(&batch, Cf::kEvents, keys::Event(task.id(), 2), assigned);
      task.set_version(2);
      task.set_state(v1::TASK_STATE_ASSIGNED);
    }
    ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kTask, task.id()), task);
    tasks_->PutIndexes(&txn, nullptr, task);
    if (assign) RETURN_IF_ERROR(tasks_->ScheduleWarningCheck(&txn, task, t));
    ++summary.tasks;
  }
  if (!done_marker.empty()) ctx_->store->Put(&batch, Cf::kMeta, done_marker, bundle.plan.id());
  RETURN_IF_ERROR(ctx_->pipeline->Audit({"plan", bundle.plan.id(), "import_plan", CommandMeta{std::string(actor), "", "", 0}},
                                   bundle.plan, &batch));
  RETURN_IF_ERROR(ctx_->pipeline->Commit(&txn));
  ctx_->directory->Add(bundle.units, bundle.groups);
  summary.plan = bundle.plan;
  summary.units = static_cast<int>(bundle.units.size());
  summary.campaigns = static_cast<int>(bundle.campaigns.size());
  summary.task_forces = static_cast<int>(bundle.task_forces.size());
  return summary;
}

}  // namespace duban
