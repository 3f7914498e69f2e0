#include "services/services.h"
#include "services/status.h"

namespace duban {

grpc::Status BulletinServiceImpl::MonthlyBulletin(grpc::ServerContext*, const v1::MonthlyBulletinRequest* req,
                                                  v1::Bulletin* out) {
  std::vector<v1::AccountabilityCase> cases;
  if (accountability_ != nullptr) {
    auto all = accountability_->ListCases(CaseFilter{});
    if (!all.ok()) return ToGrpc(all.status());
    cases = std::move(*all);
  }
  auto b = engine_->MonthlyBulletin(req->period(), cases);
  if (!b.ok()) return ToGrpc(b.status());
  *out = std::move(*b);
  return grpc::Status::OK;
}

}  // namespace duban
