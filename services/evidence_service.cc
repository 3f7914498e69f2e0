#include "services/evidence_service.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/auth.h"
#include "services/auth/policy.h"
#include "services/list_page.h"
#include "services/status.h"
#include "services/visibility.h"
#include "spdlog/spdlog.h"

namespace duban {

grpc::Status EvidenceServiceImpl::Upload(grpc::ServerContext* ctx, grpc::ServerReader<v1::UploadEvidenceRequest>* in,
                                         v1::EvidenceFile* out) {
  v1::UploadEvidenceRequest msg;
  if (!in->Read(&msg)) return ToGrpc(absl::InvalidArgumentError("header: the stream is empty"));
  if (!msg.has_header()) return ToGrpc(absl::InvalidArgumentError("header: must be the first message"));
  auto actor = ResolveActor(*ctx, "header.actor", msg.header().actor());
  if (!actor.ok()) return ToGrpc(actor.status());
  auto upload = engine_->evidence().BeginUpload(*actor, msg.header().file_name());
  if (!upload.ok()) return ToGrpc(upload.status());
  while (in->Read(&msg)) {
    if (msg.has_header()) return ToGrpc(absl::InvalidArgumentError("header: sent twice"));
    if (absl::Status s = (*upload)->Append(msg.chunk()); !s.ok()) return ToGrpc(s);
  }
  // The client may have gone away mid-stream: then nothing is kept (the
  // upload is discarded when it goes out of scope).
  if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "upload: cancelled by the client");
  auto file = (*upload)->Finish();
  if (!file.ok()) return ToGrpc(file.status());
  *out = *file;
  return grpc::Status::OK;
}

absl::StatusOr<v1::EvidenceFile> EvidenceServiceImpl::Visible(const auth::Principal& caller,
                                                              const std::string& sha256) const {
  auto file = engine_->evidence().Get(sha256);
  if (!file.ok()) return file.status();
  if (file->attachments().empty()) {
    if (engine_->evidence().UploadedBy(sha256, caller.account_id)) return file;
  } else {
    for (const auto& a : file->attachments()) {
      if (MaySeeAttachment(*objects_, caller, a)) return file;
    }
  }
  return absl::PermissionDeniedError(
      absl::StrCat("sha256: '", caller.account_id, "' may not see what file ", sha256, " is attached to"));
}

grpc::Status EvidenceServiceImpl::Download(grpc::ServerContext* ctx, const v1::DownloadEvidenceRequest* req,
                                           grpc::ServerWriter<v1::DownloadEvidenceResponse>* out) {
  auto actor = ResolveActor(*ctx, "actor", req->actor());
  if (!actor.ok()) return ToGrpc(actor.status());
  const auth::Principal* caller = auth::PrincipalOf(ctx);
  if (caller == nullptr) return ToGrpc(absl::UnauthenticatedError("authorization: missing (log in first)"));
  auto file = Visible(*caller, req->sha256());
  if (!file.ok()) return ToGrpc(file.status());
  v1::DownloadEvidenceResponse first;
  *first.mutable_file() = *file;
  if (!out->Write(first)) return grpc::Status::OK;
  absl::Status s = engine_->evidence().ReadContent(req->sha256(), [&](absl::string_view chunk) {
    v1::DownloadEvidenceResponse r;
    r.set_chunk(std::string(chunk));
    return !ctx->IsCancelled() && out->Write(r);
  });
  return ToGrpc(s);
}

grpc::Status EvidenceServiceImpl::ListEvidence(grpc::ServerContext* ctx, const v1::ListEvidenceRequest* req,
                                               v1::ListEvidenceResponse* out) {
  auto actor = ResolveActor(*ctx, "actor", req->actor());
  if (!actor.ok()) return ToGrpc(actor.status());
  const auth::Principal* caller = auth::PrincipalOf(ctx);
  if (caller == nullptr) return ToGrpc(absl::UnauthenticatedError("authorization: missing (log in first)"));
  std::string unit_id;
  if (!req->unit().empty()) {
    auto r = engine_->Resolve(req->unit());
    if (!r.ok()) return ToGrpc(absl::NotFoundError(absl::StrCat("unit: unknown unit '", req->unit(), "'")));
    if (r->group || r->units.size() != 1) {
      return ToGrpc(absl::InvalidArgumentError(absl::StrCat("unit: '", req->unit(), "' is a group; name one unit")));
    }
    unit_id = r->units[0].id();
  }
  if (!req->period().empty()) {
    absl::CivilMonth m;
    if (req->period().size() != 7 || !absl::ParseCivilTime(req->period(), &m)) {
      return ToGrpc(absl::InvalidArgumentError(absl::StrCat("period: '", req->period(), "' is not YYYY-MM")));
    }
  }
  if (!req->task_id().empty()) {
    auto task = engine_->GetTask(req->task_id());
    if (!task.ok()) return ToGrpc(task.status());
    if (!auth::MaySeeTask(*caller, *task)) {
      return ToGrpc(absl::PermissionDeniedError(
          absl::StrCat("task_id: '", *actor, "' may not see task ", req->task_id())));
    }
  }
  auto files = engine_->evidence().List(req->task_id(), unit_id, req->period());
  if (!files.ok()) return ToGrpc(files.status());
  // The files as shown, each with its place in the store's order (newest
  // attachment first, then sha256) as a key that sorts the same way.
  std::vector<std::pair<std::string, v1::EvidenceFile>> shown_files;
  for (auto& f : *files) {
    int64_t newest = 0;
    for (const auto& a : f.attachments()) newest = std::max<int64_t>(newest, a.at().seconds());
    // Keep only the attachments the caller may see; drop files with none.
    v1::EvidenceFile shown = f;
    shown.clear_attachments();
    for (const auto& a : f.attachments()) {
      if (MaySeeAttachment(*objects_, *caller, a)) *shown.add_attachments() = a;
    }
    if (shown.attachments().empty()) continue;
    std::string key = absl::StrFormat("%019d/%s", std::numeric_limits<int64_t>::max() - std::max<int64_t>(newest, 0),
                                      f.sha256());
    shown_files.emplace_back(std::move(key), std::move(shown));
  }
  using Shown = std::pair<std::string, v1::EvidenceFile>;
  auto page = SortedPageSized(
      std::move(shown_files), [](const Shown& s) { return s.first; },
      [](const Shown& s) { return static_cast<size_t>(s.second.ByteSizeLong()); }, "evidence", req->page_token(),
      req->page_size(), kDefaultListPageSize);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& s : page->items) *out->add_files() = std::move(s.second);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

}  // namespace duban
