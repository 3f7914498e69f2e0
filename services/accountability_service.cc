// AccountabilityService: incidents, monthly-notice problems and the cases
// they and the rankings open (config/accountability.yaml).
#include "absl/strings/str_cat.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

namespace {
grpc::Status NotConfigured() {
  return ToGrpc(absl::FailedPreconditionError("accountability: not configured (duband --accountability)"));
}

grpc::Status Reply(absl::StatusOr<v1::AccountabilityCase> c, v1::AccountabilityCase* out) {
  if (!c.ok()) return ToGrpc(c.status());
  *out = std::move(*c);
  return grpc::Status::OK;
}
}  // namespace

grpc::Status AccountabilityServiceImpl::ReportIncident(grpc::ServerContext* ctx, const v1::ReportIncidentRequest* req,
                                                       v1::ReportIncidentResponse* out) {
  if (accountability_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  IncidentInput in;
  in.unit = req->unit();
  in.date = req->date();
  in.kind = req->kind();
  in.deaths = req->deaths();
  in.description = req->description();
  auto r = accountability_->ReportIncident(*meta, in);
  if (!r.ok()) return ToGrpc(r.status());
  *out->mutable_incident() = std::move(r->incident);
  for (auto& c : r->opened) *out->add_opened() = std::move(c);
  return grpc::Status::OK;
}

grpc::Status AccountabilityServiceImpl::RecordNoticeProblem(grpc::ServerContext* ctx,
                                                            const v1::RecordNoticeProblemRequest* req,
                                                            v1::RecordNoticeProblemResponse* out) {
  if (accountability_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  auto r = accountability_->RecordNoticeProblem(*meta, req->unit(), req->month(), req->problem());
  if (!r.ok()) return ToGrpc(r.status());
  *out->mutable_problem() = std::move(r->problem);
  out->set_times(r->times);
  for (auto& c : r->opened) *out->add_opened() = std::move(c);
  return grpc::Status::OK;
}

grpc::Status AccountabilityServiceImpl::Hold(grpc::ServerContext* ctx, const v1::HoldCaseRequest* req,
                                             v1::AccountabilityCase* out) {
  if (accountability_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  std::vector<std::string> commitments(req->commitments().begin(), req->commitments().end());
  return Reply(accountability_->Hold(*meta, req->case_id(), req->minutes(), commitments), out);
}

grpc::Status AccountabilityServiceImpl::FollowUp(grpc::ServerContext* ctx, const v1::FollowUpCaseRequest* req,
                                                 v1::AccountabilityCase* out) {
  if (accountability_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  return Reply(accountability_->FollowUp(*meta, req->case_id(), req->follow_up(), req->evidence()), out);
}

grpc::Status AccountabilityServiceImpl::Close(grpc::ServerContext* ctx, const v1::CloseCaseRequest* req,
                                              v1::AccountabilityCase* out) {
  if (accountability_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  return Reply(accountability_->Close(*meta, req->case_id(), req->text()), out);
}

grpc::Status AccountabilityServiceImpl::GetCase(grpc::ServerContext*, const v1::GetCaseRequest* req,
                                                v1::AccountabilityCase* out) {
  if (accountability_ == nullptr) return NotConfigured();
  return Reply(accountability_->GetCase(req->case_id()), out);
}

grpc::Status AccountabilityServiceImpl::ListCases(grpc::ServerContext*, const v1::ListCasesRequest* req,
                                                  v1::ListCasesResponse* out) {
  if (accountability_ == nullptr) return NotConfigured();
  CaseFilter f;
  f.unit = req->unit();
  f.period = req->period();
  f.state = req->state();
  f.rule_id = req->rule_id();
  f.page_size = req->page_size();
  f.page_token = req->page_token();
  auto page = accountability_->ListCasesPage(f);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& c : page->cases) *out->add_cases() = std::move(c);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status AccountabilityServiceImpl::CaseHistory(grpc::ServerContext*, const v1::CaseHistoryRequest* req,
                                                    v1::CaseHistoryResponse* out) {
  if (accountability_ == nullptr) return NotConfigured();
  auto h = accountability_->CaseHistoryPage(req->case_id(), req->after_version(), req->page_size());
  if (!h.ok()) return ToGrpc(h.status());
  for (auto& e : h->events) *out->add_events() = std::move(e);
  out->set_next_after_version(h->next_after_version);
  return grpc::Status::OK;
}

}  // namespace duban
