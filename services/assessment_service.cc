// AssessmentService: figures reported for the year-end assessment and their
// evaluation (config/demo/safety-assessment.yaml).
#include "absl/strings/str_cat.h"
#include "services/list_page.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

namespace {
grpc::Status NotConfigured() {
  return ToGrpc(absl::FailedPreconditionError("assessment: not configured (duband --assessment)"));
}
}  // namespace

grpc::Status AssessmentServiceImpl::ReportFigures(grpc::ServerContext* ctx, const v1::ReportFiguresRequest* req,
                                                  v1::ReportFiguresResponse* out) {
  if (assessments_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  const v1::AssessmentFigures& f = req->figures();
  absl::Status s = assessments_->ReportFigures(*meta, f);
  if (!s.ok()) return ToGrpc(s);
  auto stored = assessments_->GetFigures(f.assessment_id(), f.year(), f.unit());
  if (!stored.ok()) return ToGrpc(stored.status());
  *out->mutable_figures() = std::move(*stored);
  return grpc::Status::OK;
}

grpc::Status AssessmentServiceImpl::Evaluate(grpc::ServerContext*, const v1::EvaluateRequest* req,
                                             v1::AssessmentResult* out) {
  if (assessments_ == nullptr) return NotConfigured();
  auto r = assessments_->Evaluate(req->assessment_id(), req->year(), req->unit());
  if (!r.ok()) return ToGrpc(r.status());
  *out = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AssessmentServiceImpl::EvaluateAll(grpc::ServerContext*, const v1::EvaluateAllRequest* req,
                                                v1::EvaluateAllResponse* out) {
  if (assessments_ == nullptr) return NotConfigured();
  auto r = assessments_->EvaluateAll(req->assessment_id(), req->year());
  if (!r.ok()) return ToGrpc(r.status());
  auto page = PositionPage(std::move(*r), [](const v1::AssessmentResult& x) { return x.unit(); }, "assessment-results",
                           req->page_token(), req->page_size());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& x : page->items) *out->add_results() = std::move(x);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace duban
