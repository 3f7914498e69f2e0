#include "services/audit_service.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/audit/audit_scope.h"
#include "engine/storage/paging.h"
#include "engine/storage/status_macros.h"
#include "services/audit_interceptor.h"
#include "services/auth.h"
#include "services/status.h"

namespace duban {

namespace {

constexpr int kDefaultPage = 100;
constexpr int kMaxPage = 1000;

absl::StatusOr<audit::AuditFilter> ToFilter(const v1::AuditFilter& f) {
  audit::AuditFilter out;
  out.account = f.account();
  out.unit_id = f.unit_id();
  out.subject = f.subject();
  if (f.has_from()) out.from = FromTs(f.from());
  if (f.has_to()) out.to = FromTs(f.to());
  if (out.from && out.to && *out.to <= *out.from) {
    return absl::InvalidArgumentError("filter.to: must be after filter.from");
  }
  switch (f.result()) {
    case v1::AuditFilter::RESULT_ANY: break;
    case v1::AuditFilter::RESULT_ACCEPTED: out.result = audit::AuditFilter::Result::kAccepted; break;
    case v1::AuditFilter::RESULT_REFUSED: out.result = audit::AuditFilter::Result::kRefused; break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("filter.result: unknown value ", static_cast<int>(f.result())));
  }
  return out;
}

bool EmptyFilter(const v1::AuditFilter& f) {
  return f.account().empty() && f.unit_id().empty() && f.subject().empty() && !f.has_from() && !f.has_to() &&
         f.result() == v1::AuditFilter::RESULT_ANY;
}

}  // namespace

absl::Status AuditServiceImpl::CheckAdministrator(const grpc::ServerContext& ctx,
                                                  const google::protobuf::Message& request) const {
  // The Guard's table already requires audit_admin; checked again here so
  // the trail stays closed should a row ever be loosened by mistake.
  const auth::Principal* p = auth::PrincipalOf(&ctx);
  if (p == nullptr) return absl::UnauthenticatedError("authorization: missing (log in first)");
  if (!p->acting_account.empty() || !p->Has(auth::kAuditAdmin)) {
    return absl::PermissionDeniedError(
        absl::StrCat("caller: '", p->account_id, "' does not hold the audit administrator role"));
  }
  return absl::OkStatus();
}

grpc::Status AuditServiceImpl::ListAuditEntries(grpc::ServerContext* ctx, const v1::ListAuditEntriesRequest* req,
                                                v1::ListAuditEntriesResponse* resp) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckAdministrator(*ctx, *req));
    ASSIGN_OR_RETURN(audit::AuditFilter filter, ToFilter(req->filter()));
    if (req->page_size() < 0) return absl::InvalidArgumentError("page_size: must not be negative");
    int size = req->page_size() == 0 ? kDefaultPage : std::min(req->page_size(), kMaxPage);
    uint64_t from = 1;
    if (!req->page_token().empty() && (!absl::SimpleAtoi(req->page_token(), &from) || from == 0)) {
      return absl::InvalidArgumentError("page_token: not a token of this listing");
    }
    ASSIGN_OR_RETURN(audit::AuditPage page, engine_->audit().List(filter, from, static_cast<size_t>(size)));
    for (auto& e : page.entries) *resp->add_entries() = std::move(e);
    if (page.next_seq != 0) resp->set_next_page_token(absl::StrCat(page.next_seq));
    return absl::OkStatus();
  };
  return ToGrpc(run());
}

grpc::Status AuditServiceImpl::ExportAudit(grpc::ServerContext* ctx, const v1::ExportAuditRequest* req,
                                           grpc::ServerWriter<v1::AuditTrailLine>* writer) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckAdministrator(*ctx, *req));
    ASSIGN_OR_RETURN(audit::AuditFilter filter, ToFilter(req->filter()));
    bool whole = EmptyFilter(req->filter());
    bool gone = false;
    RETURN_IF_ERROR(engine_->audit().Export([&](const v1::AuditTrailLine& line) {
      if (!whole && (line.has_anchor() || !filter.Matches(line.entry()))) return true;
      if (!writer->Write(line)) {
        gone = true;
        return false;
      }
      return true;
    }));
    if (gone) return absl::CancelledError("export: the client went away");
    return absl::OkStatus();
  };
  return ToGrpc(run());
}

grpc::Status AuditServiceImpl::GetAuditHead(grpc::ServerContext*, const v1::GetAuditHeadRequest*,
                                            v1::GetAuditHeadResponse* resp) {
  auto [seq, hash] = engine_->audit().Head();
  resp->set_seq(seq);
  resp->set_head_hash(hash);
  resp->set_hash_algorithm(audit::HashAlgorithmName(engine_->audit().options().hash));
  auto anchor = engine_->audit().Anchor();
  if (!anchor.ok()) return ToGrpc(anchor.status());
  if (*anchor) *resp->mutable_anchor() = **anchor;
  resp->set_retention_days(static_cast<uint64_t>(engine_->audit().options().retention_days));
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::ListAuditCheckpoints(grpc::ServerContext* ctx, const v1::ListAuditCheckpointsRequest* req,
                                                    v1::ListAuditCheckpointsResponse* resp) {
  if (absl::Status s = CheckAdministrator(*ctx, *req); !s.ok()) return ToGrpc(s);
  auto limit = PageSize(req->page_size(), kMaxListPageSize, kMaxListPageSize);
  if (!limit.ok()) return ToGrpc(limit.status());
  // Nothing comes after the last seq (after_seq + 1 would start again at 0).
  if (req->after_seq() == std::numeric_limits<uint64_t>::max()) return grpc::Status::OK;
  size_t bytes = 0;
  auto checkpoints = engine_->audit().Checkpoints(req->after_seq());
  if (!checkpoints.ok()) return ToGrpc(checkpoints.status());
  for (auto& c : *checkpoints) {
    // A page ends at page_size checkpoints or before kMaxPageBytes; the
    // next starts after the last one given.
    if (resp->checkpoints_size() == *limit ||
        (resp->checkpoints_size() > 0 && bytes + c.ByteSizeLong() > kMaxPageBytes)) {
      resp->set_next_after_seq(resp->checkpoints().rbegin()->seq());
      break;
    }
    bytes += c.ByteSizeLong();
    *resp->add_checkpoints() = std::move(c);
  }
  return grpc::Status::OK;
}

grpc::Status AuditServiceImpl::PruneAudit(grpc::ServerContext* ctx, const v1::PruneAuditRequest* req,
                                          v1::PruneAuditResponse* resp) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckAdministrator(*ctx, *req));
    if (!req->has_before()) return absl::InvalidArgumentError("before: required");
    v1::AuditEntry act;  // used when no interceptor scope is open
    act.set_account(PrincipalOf(*ctx).account);
    act.set_command("duban.v1.AuditService/PruneAudit");
    act.set_subject("audit");
    ASSIGN_OR_RETURN(audit::PruneResult r, engine_->audit().Prune(FromTs(req->before()), std::move(act)));
    resp->set_pruned(r.pruned);
    *resp->mutable_anchor() = r.anchor;
    return absl::OkStatus();
  };
  return ToGrpc(run());
}

}  // namespace duban
