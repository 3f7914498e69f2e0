// RankingService: entered and computed rankings (config/accountability.yaml).
#include "absl/strings/str_cat.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

namespace {
grpc::Status NotConfigured() {
  return ToGrpc(absl::FailedPreconditionError("accountability: not configured (duband --accountability)"));
}

grpc::Status Reply(absl::StatusOr<RankingResult> r, v1::RankingResponse* out) {
  if (!r.ok()) return ToGrpc(r.status());
  *out->mutable_ranking() = std::move(r->ranking);
  for (auto& c : r->opened) *out->add_opened() = std::move(c);
  return grpc::Status::OK;
}
}  // namespace

grpc::Status RankingServiceImpl::EnterRanking(grpc::ServerContext* ctx, const v1::EnterRankingRequest* req,
                                              v1::RankingResponse* out) {
  if (rankings_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  RankingInput in;
  in.board = req->board();
  in.period = req->period();
  for (const auto& e : req->entries()) {
    RankedUnit u;
    u.unit = e.unit();
    if (e.has_score()) u.score = e.score();
    in.entries.push_back(std::move(u));
  }
  in.not_ranked.assign(req->not_ranked().begin(), req->not_ranked().end());
  in.replace = req->replace();
  return Reply(rankings_->EnterRanking(*meta, in), out);
}

grpc::Status RankingServiceImpl::ComputeScorecard(grpc::ServerContext* ctx, const v1::ComputeScorecardRequest* req,
                                                  v1::RankingResponse* out) {
  if (rankings_ == nullptr) return NotConfigured();
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  std::string board = req->board().empty() ? "scorecard" : req->board();
  return Reply(rankings_->ComputeScorecard(*meta, req->period(), board, req->replace()), out);
}

grpc::Status RankingServiceImpl::GetRanking(grpc::ServerContext*, const v1::GetRankingRequest* req,
                                            v1::Ranking* out) {
  if (rankings_ == nullptr) return NotConfigured();
  auto r = rankings_->GetRanking(req->board(), req->period());
  if (!r.ok()) return ToGrpc(r.status());
  *out = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status RankingServiceImpl::ListRankings(grpc::ServerContext*, const v1::ListRankingsRequest* req,
                                              v1::ListRankingsResponse* out) {
  if (rankings_ == nullptr) return NotConfigured();
  auto page = rankings_->ListRankingsPage(req->board(), req->page_size(), req->page_token());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& r : page->rankings) *out->add_rankings() = std::move(r);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace duban
