// Engine: the runs of the timers (engine/time/timer_runner.h); each part
// registers the handlers of its own timer kinds.
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
