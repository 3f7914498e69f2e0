#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/storage/validate.h"
#include "services/auth.h"
#include "services/services.h"
#include "services/status.h"
#include "services/visibility.h"

namespace duban {

absl::StatusOr<std::string> NotificationServiceImpl::Recipient(const std::string& name) const {
  if (auto s = validate::Required("recipient", name, validate::kMaxName); !s.ok()) return s;
  auto r = engine_->Resolve(name);
  if (r.ok() && !r->group && r->units.size() == 1) return r->units[0].id();
  if (r.ok() && r->group) {
    return absl::InvalidArgumentError(absl::StrCat("recipient: '", name, "' is a group; watch one unit"));
  }
  // Not a unit: a person, or any other recipient that has been sent
  // something (a body such as 专业委员会 that lists supervision items).
  auto people = engine_->ListPeople();
  if (!people.ok()) return people.status();
  for (const auto& p : *people) {
    if (p.id() == name || p.name() == name) return p.id();
  }
  auto sent = engine_->outbox().Read(name, 0, 1);
  if (!sent.ok()) return sent.status();
  if (!sent->empty()) return name;
  return absl::NotFoundError(absl::StrCat("recipient: no unit, person or recipient '", name, "'"));
}

grpc::Status NotificationServiceImpl::Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                                            grpc::ServerWriter<v1::Notification>* writer) {
  auto recipient = Recipient(req->recipient());
  if (!recipient.ok()) return ToGrpc(recipient.status());
  Outbox& outbox = engine_->outbox();
  uint64_t after = req->after_seq() != 0 ? req->after_seq() : outbox.Acked(*recipient);
  const auth::Principal* caller = auth::PrincipalOf(ctx);
  while (!ctx->IsCancelled() && !stopping_->load()) {
    if (caller != nullptr && !caller->session.empty() && session_alive_ && !session_alive_(caller->session)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "authorization: session ended (log in again)");
    }
    uint64_t seen = outbox.last_seq();
    auto read = outbox.Read(*recipient, after, 200);
    // A bad record or a read error ends the stream with its status.
    if (!read.ok()) return ToGrpc(read.status());
    const std::vector<v1::Notification>& batch = *read;
    for (const auto& n : batch) {
      if (!writer->Write(n)) return grpc::Status::OK;  // the client went away
      after = n.seq();
    }
    if (batch.empty()) outbox.WaitFor(seen, absl::Now() + absl::Milliseconds(500));
  }
  return grpc::Status::OK;
}

grpc::Status NotificationServiceImpl::Ack(grpc::ServerContext*, const v1::AckRequest* req, v1::AckResponse* out) {
  auto recipient = Recipient(req->recipient());
  if (!recipient.ok()) return ToGrpc(recipient.status());
  if (req->seq() == 0) return ToGrpc(absl::InvalidArgumentError("seq: required"));
  absl::Status s = engine_->outbox().Ack(*recipient, req->seq());
  if (!s.ok()) return ToGrpc(s);
  out->set_acked_seq(engine_->outbox().Acked(*recipient));
  return grpc::Status::OK;
}

grpc::Status NotificationServiceImpl::ListNotifications(grpc::ServerContext* ctx,
                                                        const v1::ListNotificationsRequest* req,
                                                        v1::ListNotificationsResponse* out) {
  auto recipient = Recipient(req->recipient());
  if (!recipient.ok()) return ToGrpc(recipient.status());
  if (req->limit() < 0) return ToGrpc(absl::InvalidArgumentError("limit: must not be negative"));
  size_t limit = req->limit() == 0 ? 100 : std::min(req->limit(), 1000);
  auto notes = engine_->outbox().Read(*recipient, req->after_seq(), limit);
  if (!notes.ok()) return ToGrpc(notes.status());
  for (auto& n : *notes) *out->add_notifications() = std::move(n);
  return grpc::Status::OK;
}

}  // namespace duban
