#include "absl/strings/str_cat.h"
#include "services/list_page.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

grpc::Status OrgServiceImpl::ListUnits(grpc::ServerContext*, const v1::ListUnitsRequest* req,
                                       v1::ListUnitsResponse* out) {
  if (!v1::UnitCategory_IsValid(req->category())) {
    return ToGrpc(absl::InvalidArgumentError(absl::StrCat("category: unknown value ", req->category())));
  }
  auto page = SortedPage(engine_->ListUnits(req->category()), [](const v1::Unit& u) { return u.id(); }, "units",
                         req->page_token(), req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& u : page->items) *out->add_units() = std::move(u);
  out->set_next_page_token(page->next_page_token);
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

grpc::Status OrgServiceImpl::ListPeople(grpc::ServerContext*, const v1::ListPeopleRequest* req,
                                        v1::ListPeopleResponse* out) {
  auto people = engine_->ListPeople();
  if (!people.ok()) return ToGrpc(people.status());
  auto page = SortedPage(*std::move(people), [](const v1::Person& p) { return p.id(); }, "people",
                         req->page_token(), req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& p : page->items) *out->add_people() = std::move(p);
  out->set_next_page_token(page->next_page_token);
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
  auto page = PositionPage(std::move(*fs), [](const v1::TaskForce& f) { return f.id(); }, "task-forces",
                           req->page_token(), req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& f : page->items) *out->add_task_forces() = std::move(f);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace duban
