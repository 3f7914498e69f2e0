// TimerFiring: the reads and writes of one batch of fired timers or of one
// command, committed as one WriteBatch with its notifications. Internal to
// the engine (scheduler.cc, supervision.cc).
#ifndef DUBAN_ENGINE_TIME_TIMER_FIRING_H_
#define DUBAN_ENGINE_TIME_TIMER_FIRING_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/pipeline.h"

namespace duban {

// The reads and writes of one batch of fired timers (or of one command):
// a Txn that knows the engine, for the effects below.
class TimerFiring : public Txn {
 public:
  TimerFiring(Engine* e, absl::Time now) : Txn(e->store_.get(), now), e_(e) {}

  template <typename T>
  absl::Status Get(Cf cf, const std::string& key, T* msg) {
    return Txn::Get(cf, key, msg);
  }
  void AddTimer(v1::Timer t) {
    Put(Cf::kTimers, keys::Timer(absl::ToUnixMicros(FromTs(t.due())), t.id()), t);
  }
  void Notify(v1::Notification n) {
    *n.mutable_created_at() = Ts(now_);
    Txn::Notify(std::move(n));
  }
  // Commits through the engine's pipeline (Pipeline::Commit).
  absl::Status Commit() { return e_->pipeline_->Commit(this); }
  Engine* engine() { return e_; }

  // ---- effects
  absl::Status Score(const std::string& unit, const std::function<void(v1::UnitScore*)>& fn);
  // evidence (resolved, may be null): files the event carries, attached in
  // this batch.
  absl::Status ObligationEvent(v1::Obligation* o, const std::string& kind, v1::ObligationState to,
                               const std::string& actor, const std::string& text, bool late,
                               const EvidenceRefs* evidence = nullptr);

  // The handlers of the timer kinds (Engine::RegisterTimerHandlers).
  absl::Status Tick(const v1::Timer& t, bool late);
  absl::Status Remind(const v1::Timer& t, bool late);
  absl::Status Deadline(const v1::Timer& t, bool late);
  absl::Status Warn(const v1::Timer& t, bool late);
  // Supervision (supervision.cc).
  absl::Status EscalationDue(const v1::Timer& t, bool late);
  absl::Status SupervisionDeadlineDue(const v1::Timer& t, bool late);
  absl::Status LookbackDue(const v1::Timer& t, bool late);

 private:
  Engine* e_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_TIME_TIMER_FIRING_H_
