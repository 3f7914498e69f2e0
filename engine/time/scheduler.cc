// Engine: the registration of the timer kinds the engine still handles
// (supervision) with the timer runner (engine/time/timer_runner.h), and
// the runs of the timers.
#include <algorithm>
#include <map>
#include <set>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/engine.h"
#include "engine/storage/events.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/audit/audit_scope.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

// ---------------------------------------------------------------- engine side

void Engine::RegisterTimerHandlers() {
  // Each kind's effects write into the batch the runner makes (a Batch on
  // this engine's context): supervision (supervision.cc). The obligations
  // and the tasks register their own.
  auto fire = [this](absl::Status (Engine::*effect)(Batch&, const v1::Timer&, bool)) {
    return [this, effect](Txn* txn, const v1::Timer& t, bool late) {
      return (this->*effect)(*static_cast<Batch*>(txn), t, late);
    };
  };
  auto one = [](auto id_of) {
    return [id_of](const v1::Timer& t) { return std::vector<std::string>{id_of(t)}; };
  };
  timers_->Register(v1::Timer::kEscalation, {fire(&Engine::EscalationDue),
                                             one([](const v1::Timer& t) { return t.escalation().task_id(); })});
  timers_->Register(v1::Timer::kSupervisionDeadline,
                    {fire(&Engine::SupervisionDeadlineDue),
                     one([](const v1::Timer& t) { return t.supervision_deadline().item_id(); })});
  timers_->Register(v1::Timer::kLookback,
                    {fire(&Engine::LookbackDue), one([](const v1::Timer& t) { return t.lookback().item_id(); })});
}

absl::Duration Engine::LateAfter() const {
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  return cfg ? cfg->late_after : absl::Minutes(5);
}

absl::StatusOr<TimerRun> Engine::RunTimers(absl::Time until, bool step_clock,
                                           const std::function<bool()>& cancelled) {
  return timers_->Run(until, step_clock, LateAfter(), cancelled);
}

absl::StatusOr<TimerRun> Engine::AdvanceClock(absl::Time to, const std::function<bool()>& cancelled) {
  return timers_->AdvanceClock(to, LateAfter(), cancelled);
}

}  // namespace duban
