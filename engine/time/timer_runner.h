// TimerRunner: fires the durable timers in due order, each batch of timers
// due at one instant in one WriteBatch, and sets aside a timer whose firing
// fails. It knows no timer kind: each part registers a Handler for the
// kinds it owns (v1::Timer's action), and the runner dispatches to it.
//
// Owns: the timers column's reading and the dead timers (meta keys
// keys::DeadTimer, engine/storage/keys.h); one run at a time (run_mu()).
// A timer fires exactly once: its key is deleted in the same batch as every
// effect of firing it. Timers are written by the parts, in their own
// batches (keys::Timer).
// Depends on: storage (Store, Pipeline, Txn, KeyLocks), time (Clock).
// Thread-safe; Register every handler before the first Run.
#ifndef DUBAN_ENGINE_TIME_TIMER_RUNNER_H_
#define DUBAN_ENGINE_TIME_TIMER_RUNNER_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/pipeline.h"
#include "engine/storage/store.h"
#include "engine/time/clock.h"

namespace duban {

// The recipient of notifications about the daemon itself (a timer that
// could not fire). `dubanctl watch admin` follows them.
inline constexpr char kAdminRecipient[] = "admin";
// The longest span one AdvanceClock call covers.
inline constexpr absl::Duration kMaxAdvance = absl::Hours(24 * 400);

struct TimerRun {
  int fired = 0;
  int late = 0;
  int failed = 0;  // set aside as dead timers
};

struct DeadTimerPage {
  std::vector<v1::DeadTimer> timers;  // in timer id order
  std::string next_page_token;        // empty: no more
};

class TimerRunner {
 public:
  // What a part does with the timers of one kind.
  struct Handler {
    // Fires one timer into `txn`, the batch of every timer due at that
    // instant (made by the runner's TxnFactory). `late`: fired more than
    // late_after after its due time.
    std::function<absl::Status(Txn* txn, const v1::Timer& t, bool late)> fire;
    // The lock subjects of the records its firing touches; commands on them
    // wait for the batch.
    std::function<std::vector<std::string>(const v1::Timer& t)> subjects;
  };
  // Makes the transaction of one batch (a Txn or a subclass that the
  // handlers expect).
  using TxnFactory = std::function<std::unique_ptr<Txn>(absl::Time now)>;

  // store, pipeline and clock must outlive the runner.
  TimerRunner(Store* store, Pipeline* pipeline, Clock* clock, TxnFactory make_txn);
  TimerRunner(const TimerRunner&) = delete;
  TimerRunner& operator=(const TimerRunner&) = delete;

  // One handler per timer kind; a later one replaces an earlier one.
  void Register(v1::Timer::ActionCase kind, Handler handler);

  // Fires every timer due at or before `until`, in due order. With
  // step_clock on a simulated clock, the clock is moved to each timer's due
  // time before it fires (nothing is late); the clock ends at `until`.
  // A timer whose firing fails is set aside (ListDead) with a notification
  // to kAdminRecipient; the others keep firing. `cancelled`, when given, is
  // asked between batches: true stops the run (CANCELLED). A timer of a
  // kind without a handler is dropped with a log line.
  absl::StatusOr<TimerRun> Run(absl::Time until, bool step_clock, absl::Duration late_after,
                               const std::function<bool()>& cancelled = {}) ABSL_LOCKS_EXCLUDED(run_mu_);
  // Simulated clock only: FAILED_PRECONDITION otherwise. At most
  // kMaxAdvance per call (INVALID_ARGUMENT beyond).
  absl::StatusOr<TimerRun> AdvanceClock(absl::Time to, absl::Duration late_after,
                                        const std::function<bool()>& cancelled = {}) ABSL_LOCKS_EXCLUDED(run_mu_);
  // The due time of the earliest pending timer.
  std::optional<absl::Time> NextDue() const;
  // Timers set aside because their firing failed (at most 1000).
  absl::StatusOr<std::vector<v1::DeadTimer>> ListDead() const;
  // One page of them, by timer id (engine/storage/paging.h; page_size 0:
  // kDefaultListPageSize).
  absl::StatusOr<DeadTimerPage> ListDeadPage(int page_size, absl::string_view page_token) const;
  // Makes a running Run stop after its current batch (shutdown).
  void RequestStop() { stopping_.store(true); }
  // Held by Run for its whole length; a part that rewrites pending timers
  // (a cadence reload) takes it too, so that no run fires meanwhile.
  absl::Mutex& run_mu() ABSL_LOCK_RETURNED(run_mu_) { return run_mu_; }

 private:
  std::vector<std::string> Subjects(const v1::Timer& t) const;
  absl::Status FireBatch(const std::vector<std::pair<std::string, v1::Timer>>& due, absl::Time now, bool late);
  absl::Status DeadLetter(const std::string& key, const v1::Timer& t, const absl::Status& error, absl::Time now);

  Store* const store_;
  Pipeline* const pipeline_;
  Clock* const clock_;
  const TxnFactory make_txn_;
  std::map<v1::Timer::ActionCase, Handler> handlers_;  // set before the first Run

  absl::Mutex run_mu_;  // one run at a time
  std::atomic<bool> stopping_{false};
};

}  // namespace duban

#endif  // DUBAN_ENGINE_TIME_TIMER_RUNNER_H_
