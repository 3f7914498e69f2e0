#include "services/office_services.h"
#include "services/services.h"
#include "services/status.h"

namespace duban {

grpc::Status BriefingServiceImpl::GetBriefing(grpc::ServerContext*, const v1::GetBriefingRequest* req,
                                              v1::BriefingResponse* out) {
  auto b = briefings_->Get(req->briefing_id());
  if (!b.ok()) return ToGrpc(b.status());
  switch (req->format()) {
    case v1::FILE_FORMAT_UNSPECIFIED: break;
    case v1::FILE_FORMAT_HTML: out->set_rendered(BriefingToHtml(*b)); break;
    case v1::FILE_FORMAT_MARKDOWN: out->set_rendered(BriefingToMarkdown(*b)); break;
    default: return ToGrpc(absl::InvalidArgumentError("format: a briefing renders as HTML or MARKDOWN"));
  }
  *out->mutable_briefing() = std::move(*b);
  return grpc::Status::OK;
}

grpc::Status BriefingServiceImpl::ListBriefings(grpc::ServerContext*, const v1::ListBriefingsRequest* req,
                                                v1::ListBriefingsResponse* out) {
  auto page = briefings_->ListPage(req->kind(), req->state(), req->page_size(), req->page_token());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& b : page->briefings) *out->add_briefings() = std::move(b);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status BriefingServiceImpl::EditBriefing(grpc::ServerContext* ctx, const v1::EditBriefingRequest* req,
                                               v1::Briefing* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  auto b = briefings_->Edit(*meta, req->briefing_id(), req->title(), req->preface(), req->remarks());
  if (!b.ok()) return ToGrpc(b.status());
  *out = std::move(*b);
  return grpc::Status::OK;
}

grpc::Status BriefingServiceImpl::PublishBriefing(grpc::ServerContext* ctx, const v1::PublishBriefingRequest* req,
                                                  v1::Briefing* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  auto b = briefings_->Publish(*meta, req->briefing_id());
  if (!b.ok()) return ToGrpc(b.status());
  *out = std::move(*b);
  return grpc::Status::OK;
}

}  // namespace duban
