#include "absl/strings/str_cat.h"
#include "services/auth.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

namespace {

grpc::Status Reply(absl::StatusOr<v1::SupervisionItem> item, v1::SupervisionItem* out) {
  if (!item.ok()) return ToGrpc(item.status());
  *out = std::move(*item);
  return grpc::Status::OK;
}
}  // namespace

grpc::Status SupervisionServiceImpl::ListForSupervision(grpc::ServerContext* ctx,
                                                        const v1::ListForSupervisionRequest* req,
                                                        v1::SupervisionItem* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  NewSupervisionItem in;
  in.subject_kind = req->subject_kind();
  in.subject_id = req->subject_id();
  in.title = req->title();
  in.level = req->level();
  in.hazard_list = req->hazard_list();
  in.responsible_unit = req->responsible_unit();
  in.responsible_person = req->responsible_person();
  in.rectification_target = req->rectification_target();
  in.measures = req->measures();
  in.deadline = req->deadline();
  in.inspection_cycle_days = req->inspection_cycle_days();
  return Reply(engine_->ListForSupervision(*meta, in), out);
}

grpc::Status SupervisionServiceImpl::Step(grpc::ServerContext* ctx, const v1::SupervisionStepRequest* req,
                                          v1::SupervisionItem* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  SupervisionCommand c;
  switch (req->action()) {
    case v1::SUPERVISION_ACTION_START_RECTIFICATION: c = SupervisionCommand::kStartRectification; break;
    case v1::SUPERVISION_ACTION_REPORT_RECTIFICATION: c = SupervisionCommand::kReportRectification; break;
    case v1::SUPERVISION_ACTION_VERIFY: c = SupervisionCommand::kVerify; break;
    case v1::SUPERVISION_ACTION_RETURN: c = SupervisionCommand::kReturn; break;
    case v1::SUPERVISION_ACTION_CLOSE: c = SupervisionCommand::kClose; break;
    case v1::SUPERVISION_ACTION_LOOKBACK_PASSED: c = SupervisionCommand::kLookBackPassed; break;
    case v1::SUPERVISION_ACTION_REOPEN: c = SupervisionCommand::kReopen; break;
    default:
      return ToGrpc(absl::InvalidArgumentError(absl::StrCat("action: unknown value ", static_cast<int>(req->action()))));
  }
  return Reply(engine_->SupervisionStep(*meta, req->item_id(), c, req->text(), req->evidence()), out);
}

grpc::Status SupervisionServiceImpl::Escalate(grpc::ServerContext* ctx, const v1::EscalateRequest* req,
                                              v1::SupervisionItem* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  EscalateRequest e;
  e.item_id = req->item_id();
  e.task_id = req->task_id();
  e.obligation_id = req->obligation_id();
  e.reason = req->reason();
  e.new_deadline = req->new_deadline();
  return Reply(engine_->Escalate(*meta, e), out);
}

grpc::Status SupervisionServiceImpl::GetSupervision(grpc::ServerContext*, const v1::GetSupervisionRequest* req,
                                                    v1::SupervisionItem* out) {
  return Reply(engine_->GetSupervision(req->item_id()), out);
}

grpc::Status SupervisionServiceImpl::ListSupervision(grpc::ServerContext*, const v1::ListSupervisionRequest* req,
                                                     v1::ListSupervisionResponse* out) {
  SupervisionFilter f;
  f.subject_id = req->subject_id();
  f.level = req->level();
  f.state = req->state();
  f.unit = req->unit();
  f.overdue_only = req->overdue_only();
  f.page_size = req->page_size();
  f.page_token = req->page_token();
  auto page = engine_->ListSupervisionPage(f);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& i : page->items) *out->add_items() = std::move(i);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status SupervisionServiceImpl::History(grpc::ServerContext*, const v1::SupervisionHistoryRequest* req,
                                             v1::SupervisionHistoryResponse* out) {
  auto h = engine_->SupervisionHistoryPage(req->item_id(), req->after_version(), req->page_size());
  if (!h.ok()) return ToGrpc(h.status());
  for (auto& e : h->events) *out->add_events() = std::move(e);
  out->set_next_after_version(h->next_after_version);
  return grpc::Status::OK;
}

}  // namespace duban
