#include "engine/time/timer_runner.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/audit/audit_scope.h"
#include "engine/storage/keys.h"
#include "engine/storage/paging.h"
#include "engine/storage/status_macros.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

constexpr size_t kMaxTimersPerBatch = 2000;

}  // namespace

TimerRunner::TimerRunner(Store* store, Pipeline* pipeline, Clock* clock, TxnFactory make_txn)
    : store_(store), pipeline_(pipeline), clock_(clock), make_txn_(std::move(make_txn)) {}

void TimerRunner::Register(v1::Timer::ActionCase kind, Handler handler) { handlers_[kind] = std::move(handler); }

std::optional<absl::Time> TimerRunner::NextDue() const {
  std::optional<absl::Time> due;
  absl::Status s = store_->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view) {
    if (auto parts = keys::ParseTimer(k)) due = absl::FromUnixMicros(parts->due_unix_micros);
    return false;
  });
  // An unreadable timers column: report "due now" so the runner tries, and
  // its own scan returns the error.
  if (!s.ok()) return absl::InfinitePast();
  return due;
}

std::vector<std::string> TimerRunner::Subjects(const v1::Timer& t) const {
  auto h = handlers_.find(t.action_case());
  if (h == handlers_.end() || !h->second.subjects) return {};
  return h->second.subjects(t);
}

absl::Status TimerRunner::FireBatch(const std::vector<std::pair<std::string, v1::Timer>>& due, absl::Time now,
                                    bool late) {
  std::vector<std::string> subjects;
  for (const auto& [k, t] : due) {
    for (auto& s : Subjects(t)) subjects.push_back(std::move(s));
  }
  // Commands on these subjects wait for this batch.
  KeyLocks::Guard guard = pipeline_->locks().Lock(subjects);
  std::unique_ptr<Txn> firing = make_txn_(now);
  for (const auto& [k, t] : due) {
    firing->Delete(Cf::kTimers, k);
    auto h = handlers_.find(t.action_case());
    if (h == handlers_.end() || !h->second.fire) {
      spdlog::warn("timer {}: no action; dropped", t.id());
      continue;
    }
    RETURN_IF_ERROR(h->second.fire(firing.get(), t, late));
  }
  if (clock_->IsSimulated()) firing->PutRaw(Cf::kMeta, keys::SimulatedNow(), std::to_string(absl::ToUnixMicros(now)));
  // The firing's audit entry goes into its batch.
  v1::AuditEntry act;
  act.set_account("duband");
  act.set_role("system");
  act.set_command("timers.fire");
  act.set_subject(absl::StrCat("timer:", due.front().second.id()));
  std::vector<std::string> fired_ids;
  for (const auto& [k, t] : due) fired_ids.push_back(t.id());
  act.set_detail(absl::StrCat(late ? "late: " : "", absl::StrJoin(fired_ids, ", ")));
  audit::AuditScope audit_scope(std::move(act));
  return pipeline_->Commit(firing.get());
}

absl::Status TimerRunner::DeadLetter(const std::string& key, const v1::Timer& t, const absl::Status& error,
                                     absl::Time now) {
  spdlog::error("timer {}: firing failed, set aside: {}", t.id(), error.ToString());
  std::unique_ptr<Txn> w = make_txn_(now);
  v1::DeadTimer dead;
  *dead.mutable_timer() = t;
  dead.set_error(std::string(error.ToString()));
  *dead.mutable_failed_at() = Ts(now);
  w->Delete(Cf::kTimers, key);
  w->Put(Cf::kMeta, keys::DeadTimer(t.id()), dead);
  v1::Notification n;
  n.set_recipient(kAdminRecipient);
  n.set_kind(v1::NOTIFICATION_KIND_TIMER_FAILED);
  n.set_subject_id(t.id());
  n.set_title(absl::StrCat("定时任务执行失败，已移出：", t.id()));
  n.set_body(std::string(error.ToString()));
  *n.mutable_due() = t.due();
  n.set_timer_id(t.id());
  *n.mutable_created_at() = Ts(now);
  w->Notify(std::move(n));
  return pipeline_->Commit(w.get());
}

absl::StatusOr<std::vector<v1::DeadTimer>> TimerRunner::ListDead() const {
  std::vector<v1::DeadTimer> out;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(Cf::kMeta, keys::kDeadTimerPrefix, [&](absl::string_view k, absl::string_view v) {
    v1::DeadTimer d;
    if (!d.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError(absl::StrCat("dead timers: record cannot be parsed"));
      return false;
    }
    out.push_back(std::move(d));
    return out.size() < 1000;
  }));
  RETURN_IF_ERROR(bad);
  return out;
}

absl::StatusOr<DeadTimerPage> TimerRunner::ListDeadPage(int page_size, absl::string_view page_token) const {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, kDefaultListPageSize, kMaxListPageSize));
  ASSIGN_OR_RETURN(std::string after, PageTokenKey(page_token, keys::kDeadTimerPrefix));
  std::string start;
  if (!after.empty()) start = after + std::string(1, '\0');  // the key after the last one returned
  DeadTimerPage page;
  std::string last;
  size_t bytes = 0;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(Cf::kMeta, keys::kDeadTimerPrefix, [&](absl::string_view k, absl::string_view v) {
    if (static_cast<int>(page.timers.size()) == limit || (!page.timers.empty() && bytes + v.size() > kMaxPageBytes)) {
      page.next_page_token = PageToken(last);
      return false;
    }
    v1::DeadTimer d;
    if (!d.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError("dead timers: record cannot be parsed");
      return false;
    }
    bytes += v.size();
    last = std::string(k);
    page.timers.push_back(std::move(d));
    return true;
  }, start));
  RETURN_IF_ERROR(bad);
  return page;
}

absl::StatusOr<TimerRun> TimerRunner::Run(absl::Time until, bool step_clock, absl::Duration late_after,
                                           const std::function<bool()>& cancelled) {
  absl::MutexLock run(&run_mu_);
  TimerRun total;
  while (true) {
    if (stopping_.load()) {
      return absl::CancelledError("clock: the daemon is shutting down; timers fired so far are committed");
    }
    if (cancelled && cancelled()) {
      return absl::CancelledError(absl::StrCat("clock: the caller went away; the clock stopped at ",
                                               FormatBeijing(clock_->Now()), " with every timer before it fired"));
    }
    // The earliest timers, all due at the same instant.
    std::vector<std::pair<std::string, v1::Timer>> due;
    std::vector<std::pair<std::string, absl::Status>> unreadable;
    int64_t first_due = -1;
    RETURN_IF_ERROR(store_->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
      auto parts = keys::ParseTimer(k);
      if (!parts) return true;
      if (absl::FromUnixMicros(parts->due_unix_micros) > until) return false;
      if (first_due >= 0 && parts->due_unix_micros != first_due) return false;
      first_due = parts->due_unix_micros;
      v1::Timer t;
      if (!t.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
        t.Clear();
        t.set_id(std::string(parts->timer_id));
        *t.mutable_due() = Ts(absl::FromUnixMicros(parts->due_unix_micros));
        unreadable.emplace_back(std::string(k), absl::DataLossError("timer record cannot be parsed"));
      }
      due.emplace_back(std::string(k), std::move(t));
      return due.size() < kMaxTimersPerBatch;
    }));
    if (due.empty()) break;
    absl::Time due_time = absl::FromUnixMicros(first_due);
    if (step_clock) clock_->MoveTo(due_time);
    absl::Time now = clock_->Now();
    bool late = now - due_time > late_after;

    absl::Status s = unreadable.empty() ? FireBatch(due, now, late) : absl::DataLossError("unreadable timer");
    if (!s.ok()) {
      // One of them fails (or the batch could not be written): fire them
      // one at a time; a timer that fails alone is set aside with a
      // notification to the administrator, and the rest keep firing.
      for (const auto& entry : due) {
        absl::Status one = absl::OkStatus();
        for (const auto& [k, err] : unreadable) {
          if (k == entry.first) one = err;
        }
        if (one.ok()) one = FireBatch({entry}, now, late);
        if (!one.ok()) {
          if (absl::IsUnavailable(one) || absl::IsInternal(one)) {
            // The store itself failed: nothing to blame on the timer.
            return one;
          }
          RETURN_IF_ERROR(DeadLetter(entry.first, entry.second, one, now));
          ++total.failed;
        }
      }
    }
    total.fired += static_cast<int>(due.size());
    if (late) total.late += static_cast<int>(due.size());
  }
  if (step_clock && clock_->MoveTo(until) && clock_->IsSimulated()) {
    rocksdb::WriteBatch b;
    store_->Put(&b, Cf::kMeta, keys::SimulatedNow(), std::to_string(absl::ToUnixMicros(clock_->Now())));
    std::vector<v1::Notification> none;
    RETURN_IF_ERROR(pipeline_->Commit(&b, &none));
  }
  if (total.fired > 0) {
    spdlog::info("timers: fired {} ({} late, {} failed), clock {}", total.fired, total.late, total.failed,
                 FormatBeijing(clock_->Now()));
  }
  return total;
}

absl::StatusOr<TimerRun> TimerRunner::AdvanceClock(absl::Time to, absl::Duration late_after,
                                                    const std::function<bool()>& cancelled) {
  if (!clock_->IsSimulated()) {
    return absl::FailedPreconditionError("clock: the daemon runs on the real clock; only a simulated clock can be advanced");
  }
  if (to < clock_->Now()) {
    return absl::InvalidArgumentError(absl::StrCat("to: ", FormatBeijing(to), " is before the clock's ",
                                                   FormatBeijing(clock_->Now()), "; time does not go back"));
  }
  if (to - clock_->Now() > kMaxAdvance) {
    return absl::InvalidArgumentError(absl::StrCat("to: ", FormatBeijing(to), " is more than ",
                                                   absl::ToInt64Hours(kMaxAdvance) / 24, " days after the clock's ",
                                                   FormatBeijing(clock_->Now()), "; advance in steps"));
  }
  return Run(to, /*step_clock=*/true, late_after, cancelled);
}

}  // namespace duban
