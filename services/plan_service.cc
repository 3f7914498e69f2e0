#include "absl/strings/str_cat.h"
#include "engine/plans/import_check.h"
#include "services/auth.h"
#include "services/list_page.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

grpc::Status PlanServiceImpl::ImportPlan(grpc::ServerContext* ctx, const v1::ImportPlanRequest* req,
                                         v1::ImportPlanResponse* out) {
  auto actor = ResolveActor(*ctx, "actor", req->actor());
  if (!actor.ok()) return ToGrpc(actor.status());
  if (req->yaml().empty()) return ToGrpc(absl::InvalidArgumentError("yaml: required"));
  std::string file = req->file_name().empty() ? std::string("plan.yaml") : req->file_name();
  ImportMode mode;
  mode.update = req->update();
  mode.dry_run = req->dry_run();
  auto checked = ImportPlanChecked(&engine_->plans(), file, req->yaml(), *actor, /*assign=*/true, mode);
  if (!checked.ok()) return ToGrpc(checked.status());
  const ImportSummary* s = &checked->summary;
  *out->mutable_plan() = s->plan;
  out->set_units(s->units);
  out->set_tasks(s->tasks);
  out->set_campaigns(s->campaigns);
  out->set_task_forces(s->task_forces);
  for (const auto& c : checked->changes) out->add_changes(c);
  return grpc::Status::OK;
}

grpc::Status PlanServiceImpl::ListPlans(grpc::ServerContext*, const v1::ListPlansRequest* req,
                                        v1::ListPlansResponse* out) {
  auto plans = engine_->ListPlans();
  if (!plans.ok()) return ToGrpc(plans.status());
  auto page = SortedPage(*std::move(plans), [](const v1::Plan& p) { return p.id(); }, "plans", req->page_token(),
                         req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& p : page->items) *out->add_plans() = std::move(p);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status PlanServiceImpl::GetPlan(grpc::ServerContext*, const v1::GetPlanRequest* req, v1::Plan* out) {
  auto p = engine_->GetPlan(req->plan_id());
  if (!p.ok()) return ToGrpc(p.status());
  *out = std::move(*p);
  return grpc::Status::OK;
}

grpc::Status PlanServiceImpl::ListCampaigns(grpc::ServerContext*, const v1::ListCampaignsRequest* req,
                                            v1::ListCampaignsResponse* out) {
  auto cs = engine_->ListCampaigns(req->plan_id());
  if (!cs.ok()) return ToGrpc(cs.status());
  auto page = PositionPage(std::move(*cs), [](const v1::Campaign& c) { return c.id(); }, "campaigns",
                           req->page_token(), req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& c : page->items) *out->add_campaigns() = std::move(c);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status PlanServiceImpl::GetCampaign(grpc::ServerContext*, const v1::GetCampaignRequest* req,
                                          v1::Campaign* out) {
  auto c = engine_->GetCampaign(req->campaign_id());
  if (!c.ok()) return ToGrpc(c.status());
  *out = std::move(*c);
  return grpc::Status::OK;
}

}  // namespace duban
