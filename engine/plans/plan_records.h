// Plan records: reads of the stored plans, campaigns, leading groups, task
// forces and people, as the plan import wrote them (keys.h "entity|").
//
// Owns: nothing; each function reads the store it is given.
// Reads: Cf::kEntities only.
// Thread-safety: as the Store's reads (any thread).
// Errors: INVALID_ARGUMENT names the id field when it is not an id,
// NOT_FOUND names the field and the id, DATA_LOSS when a record does not
// parse.
#ifndef DUBAN_ENGINE_PLANS_PLAN_RECORDS_H_
#define DUBAN_ENGINE_PLANS_PLAN_RECORDS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/store.h"

namespace duban {

absl::StatusOr<std::vector<v1::Person>> ReadPeople(const Store& store);
absl::StatusOr<std::vector<v1::Plan>> ReadPlans(const Store& store);
absl::StatusOr<v1::Plan> ReadPlan(const Store& store, absl::string_view plan_id);
// The campaigns of one plan, or of every plan when plan_id is empty.
absl::StatusOr<std::vector<v1::Campaign>> ReadCampaigns(const Store& store, absl::string_view plan_id);
absl::StatusOr<v1::Campaign> ReadCampaign(const Store& store, absl::string_view campaign_id);
absl::StatusOr<v1::LeadingGroup> ReadLeadingGroup(const Store& store, absl::string_view plan_id);
// The task forces of the campaigns of one plan (every plan when empty).
absl::StatusOr<std::vector<v1::TaskForce>> ReadTaskForces(const Store& store, absl::string_view plan_id);

}  // namespace duban

#endif  // DUBAN_ENGINE_PLANS_PLAN_RECORDS_H_
