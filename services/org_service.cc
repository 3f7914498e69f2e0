#include "absl/strings/str_cat.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

grpc::Status OrgServiceImpl::ListUnits(grpc::ServerContext*, const v1::ListUnitsRequest* req,
                                       v1::ListUnitsResponse* out) {
  if (!v1::UnitCategory_IsValid(req->category())) {
    return ToGrpc(absl::InvalidArgumentError(absl::StrCat("category: unknown value ", req->category())));
  }
  for (auto& u : engine_->ListUnits(req->category())) *out->add_units() = std::move(u);
  return grpc::Status::OK;
}

grpc::Status OrgServiceImpl::ResolveUnit(grpc::ServerContext*, const v1::ResolveUnitRequest* req,
                                         v1::ResolveUnitResponse* out) {
  auto r = engine_->Resolve(req->name());
  if (!r.ok()) return ToGrpc(r.status());
  for (auto& u : r->units) *out->add_units() = std::move(u);
  if (r->group) *out->mutable_group() = *r->group;
  return grpc::Status::OK;
}

grpc::Status OrgServiceImpl::ListPeople(grpc::ServerContext*, const v1::ListPeopleRequest*,
                                        v1::ListPeopleResponse* out) {
  for (auto& p : engine_->ListPeople()) *out->add_people() = std::move(p);
  return grpc::Status::OK;
}

grpc::Status OrgServiceImpl::GetLeadingGroup(grpc::ServerContext*, const v1::GetLeadingGroupRequest* req,
                                             v1::LeadingGroup* out) {
  auto g = engine_->GetLeadingGroup(req->plan_id());
  if (!g.ok()) return ToGrpc(g.status());
  *out = std::move(*g);
  return grpc::Status::OK;
}

grpc::Status OrgServiceImpl::ListTaskForces(grpc::ServerContext*, const v1::ListTaskForcesRequest* req,
                                            v1::ListTaskForcesResponse* out) {
  auto fs = engine_->ListTaskForces(req->plan_id());
  if (!fs.ok()) return ToGrpc(fs.status());
  for (auto& f : *fs) *out->add_task_forces() = std::move(f);
  return grpc::Status::OK;
}

}  // namespace duban
