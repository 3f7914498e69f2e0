// Plan records: the reads of stored plans and their organisation.
#include "engine/plans/plan_records.h"

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"

namespace duban {

namespace {

template <typename T>
absl::StatusOr<T> GetEntity(const Store& store, keys::Kind kind, absl::string_view id,
                            absl::string_view field, absl::string_view what) {
  T rec;
  if (!keys::IsValidComponent(id)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  absl::Status s = store.GetProto(Cf::kEntities, keys::Entity(kind, id), &rec);
  if (absl::IsNotFound(s)) {
    return absl::NotFoundError(absl::StrCat(field, ": no ", what, " '", id, "'"));
  }
  if (!s.ok()) return s;
  return rec;
}

}  // namespace

absl::StatusOr<std::vector<v1::Person>> ReadPeople(const Store& store) {
  return ScanRecords<v1::Person>(store, Cf::kEntities, keys::EntityPrefix(keys::Kind::kPerson));
}

absl::StatusOr<std::vector<v1::Plan>> ReadPlans(const Store& store) {
  return ScanRecords<v1::Plan>(store, Cf::kEntities, keys::EntityPrefix(keys::Kind::kPlan));
}

absl::StatusOr<v1::Plan> ReadPlan(const Store& store, absl::string_view plan_id) {
  return GetEntity<v1::Plan>(store, keys::Kind::kPlan, plan_id, "plan_id", "plan");
}

absl::StatusOr<std::vector<v1::Campaign>> ReadCampaigns(const Store& store, absl::string_view plan_id) {
  std::vector<v1::Plan> plans;
  if (plan_id.empty()) {
    ASSIGN_OR_RETURN(plans, ReadPlans(store));
  } else {
    ASSIGN_OR_RETURN(v1::Plan p, ReadPlan(store, plan_id));
    plans.push_back(std::move(p));
  }
  std::vector<v1::Campaign> out;
  for (const auto& p : plans) {
    for (const auto& cid : p.campaign_ids()) {
      ASSIGN_OR_RETURN(v1::Campaign c, ReadCampaign(store, cid));
      out.push_back(std::move(c));
    }
  }
  return out;
}

absl::StatusOr<v1::Campaign> ReadCampaign(const Store& store, absl::string_view campaign_id) {
  return GetEntity<v1::Campaign>(store, keys::Kind::kCampaign, campaign_id, "campaign_id", "campaign");
}

absl::StatusOr<v1::LeadingGroup> ReadLeadingGroup(const Store& store, absl::string_view plan_id) {
  ASSIGN_OR_RETURN(v1::Plan p, ReadPlan(store, plan_id));
  if (p.leading_group_id().empty()) {
    return absl::NotFoundError(absl::StrCat("plan_id: plan '", plan_id, "' has no leading group"));
  }
  return GetEntity<v1::LeadingGroup>(store, keys::Kind::kLeadingGroup, p.leading_group_id(),
                                     "leading_group_id", "leading group");
}

absl::StatusOr<std::vector<v1::TaskForce>> ReadTaskForces(const Store& store, absl::string_view plan_id) {
  ASSIGN_OR_RETURN(std::vector<v1::Campaign> campaigns, ReadCampaigns(store, plan_id));
  std::vector<v1::TaskForce> out;
  for (const auto& c : campaigns) {
    if (c.task_force_id().empty()) continue;
    ASSIGN_OR_RETURN(v1::TaskForce f, GetEntity<v1::TaskForce>(store, keys::Kind::kTaskForce,
                                                               c.task_force_id(), "task_force_id", "task force"));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace duban
