#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/services.h"
#include "engine/storage/validate.h"
#include "services/status.h"

namespace duban {

namespace {
constexpr char kVersion[] = "0.2.0";

}  // namespace

const char* DubanVersion() { return kVersion; }

grpc::Status AdminServiceImpl::ServerInfo(grpc::ServerContext*, const v1::ServerInfoRequest*,
                                          v1::ServerInfoResponse* out) {
  out->set_version(kVersion);
  out->set_data_dir(data_dir_);
  out->set_simulated_clock(engine_->clock().IsSimulated());
  *out->mutable_now() = Ts(engine_->clock().Now());
  if (auto next = engine_->NextTimerDue()) {
    out->set_pending_timers_hint(1);
    *out->mutable_next_timer_due() = Ts(*next);
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::AdvanceClock(grpc::ServerContext* ctx, const v1::AdvanceClockRequest* req,
                                            v1::AdvanceClockResponse* out) {
  if (!engine_->clock().IsSimulated()) {
    return ToGrpc(absl::FailedPreconditionError(
        "clock: the daemon runs on the real clock; start it with clock.mode: simulated to advance time"));
  }
  absl::Time to;
  switch (req->target_case()) {
    case v1::AdvanceClockRequest::kTo:
      to = absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(req->to()));
      break;
    case v1::AdvanceClockRequest::kBy: {
      absl::Duration d;
      if (!absl::ParseDuration(req->by(), &d) || d < absl::ZeroDuration()) {
        return ToGrpc(absl::InvalidArgumentError(absl::StrCat("by: '", validate::Quote(req->by()), "' is not a positive duration (e.g. 24h)")));
      }
      to = engine_->clock().Now() + d;
      break;
    }
    default:
      return ToGrpc(absl::InvalidArgumentError("to: required (or by)"));
  }
  // Stops between timer batches once the caller has gone (deadline passed
  // or cancelled); what fired so far stays committed.
  auto run = engine_->AdvanceClock(to, [ctx] { return ctx->IsCancelled(); });
  if (!run.ok()) return ToGrpc(run.status());
  *out->mutable_now() = Ts(engine_->clock().Now());
  out->set_timers_fired(run->fired);
  out->set_late(run->late);
  if (wake_timers_) wake_timers_();
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListDeadTimers(grpc::ServerContext*, const v1::ListDeadTimersRequest* req,
                                              v1::ListDeadTimersResponse* out) {
  auto page = engine_->ListDeadTimersPage(req->page_size(), req->page_token());
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& d : page->timers) *out->add_timers() = std::move(d);
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ReloadRules(grpc::ServerContext*, const v1::ReloadRulesRequest*,
                                           v1::ReloadRulesResponse* out) {
  if (!reload_) return ToGrpc(absl::UnimplementedError("rules: this server cannot reload its rule files"));
  auto r = reload_();
  if (!r.ok()) return ToGrpc(r.status());
  *out = std::move(*r);
  return grpc::Status::OK;
}

}  // namespace duban
