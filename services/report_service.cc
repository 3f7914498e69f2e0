#include "absl/strings/str_cat.h"
#include "services/auth.h"
#include "services/list_page.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

grpc::Status ReportServiceImpl::ListObligations(grpc::ServerContext*, const v1::ListObligationsRequest* req,
                                                v1::ListObligationsResponse* out) {
  ObligationFilter f;
  f.unit = req->unit();
  f.rule_id = req->rule_id();
  f.state = req->state();
  f.period_from = req->period_from();
  f.period_to = req->period_to();
  f.page_size = req->page_size();
  f.page_token = req->page_token();
  auto page = engine_->ListObligations(f);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& o : page->obligations) *out->add_obligations() = std::move(o);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetObligation(grpc::ServerContext*, const v1::GetObligationRequest* req,
                                              v1::Obligation* out) {
  auto o = engine_->GetObligation(req->obligation_id());
  if (!o.ok()) return ToGrpc(o.status());
  *out = std::move(*o);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::SubmitReport(grpc::ServerContext* ctx, const v1::SubmitReportRequest* req,
                                             v1::Obligation* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  auto o = engine_->SubmitReport(*meta, req->obligation_id(), req->text(), req->evidence());
  if (!o.ok()) return ToGrpc(o.status());
  *out = std::move(*o);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ReviewReport(grpc::ServerContext* ctx, const v1::ReviewReportRequest* req,
                                             v1::Obligation* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  if (req->decision() != v1::REVIEW_DECISION_APPROVE && req->decision() != v1::REVIEW_DECISION_RETURN) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("decision: must be approve or return (got ", static_cast<int>(req->decision()), ")")));
  }
  auto o = engine_->ReviewReport(*meta, req->obligation_id(), req->decision() == v1::REVIEW_DECISION_APPROVE,
                                 req->reason());
  if (!o.ok()) return ToGrpc(o.status());
  *out = std::move(*o);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ObligationHistory(grpc::ServerContext*, const v1::ObligationHistoryRequest* req,
                                                  v1::ObligationHistoryResponse* out) {
  auto h = engine_->ObligationHistoryPage(req->obligation_id(), req->after_version(), req->page_size());
  if (!h.ok()) return ToGrpc(h.status());
  for (auto& e : h->events) *out->add_events() = std::move(e);
  out->set_next_after_version(h->next_after_version);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::GetUnitScore(grpc::ServerContext*, const v1::GetUnitScoreRequest* req,
                                             v1::UnitScore* out) {
  auto s = engine_->GetUnitScore(req->unit());
  if (!s.ok()) return ToGrpc(s.status());
  *out = std::move(*s);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ListUnitScores(grpc::ServerContext*, const v1::ListUnitScoresRequest* req,
                                               v1::ListUnitScoresResponse* out) {
  auto scores = engine_->ListUnitScores();
  if (!scores.ok()) return ToGrpc(scores.status());
  auto page = SortedPage(std::move(*scores), [](const v1::UnitScore& s) { return s.unit_id(); }, "unit-scores",
                         req->page_token(), req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& s : page->items) *out->add_scores() = std::move(s);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace duban
