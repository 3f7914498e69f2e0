// Calendar years added on restart and warning thresholds reloaded: tasks'
// pending warning checks are recomputed from the thresholds and calendar
// in force (the obligations' deadlines: engine/obligations/).
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/audit/audit_scope.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

// The audit entry lists at most this many moves; the log has every one.
constexpr size_t kMovesInAuditDetail = 50;

}  // namespace

absl::StatusOr<int> Engine::RecomputeWarningChecks(absl::string_view why) {
  absl::MutexLock run(&timers_->run_mu());
  // Every stripe, in order: no command on a task runs while its check moves.
  KeyLocks::Guard all = pipeline_->locks().LockAll();
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  if (!options_.calendar || !cfg) return 0;
  const WorkCalendar& cal = *options_.calendar;
  const absl::Time now = clock_->Now();

  // Checks still ahead; those already due fire next and compute the level,
  // and their own next check, under the calendar in force.
  std::vector<std::pair<std::string, v1::Timer>> checks;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
    v1::Timer t;
    if (!t.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError(absl::StrCat("timers: unparsable record ", k));
      return false;
    }
    if (t.has_task_warning() && FromTs(t.due()) > now) checks.emplace_back(std::string(k), std::move(t));
    return true;
  }));
  RETURN_IF_ERROR(bad);

  rocksdb::WriteBatch b;
  std::vector<std::string> moves;
  for (const auto& [key, t] : checks) {
    v1::Task task;
    absl::Status s = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTask, t.task_warning().task_id()), &task);
    if (absl::IsNotFound(s)) continue;
    RETURN_IF_ERROR(s);
    // A check set for an earlier due date is ignored when it fires; a task
    // that is a draft or closed has no level to reach.
    if (task.due_date() != t.task_warning().due_date()) continue;
    if (IsTerminal(task.state()) || task.state() == v1::TASK_STATE_DRAFT) continue;
    auto due = validate::Date("due_date", task.due_date());
    if (!due.ok()) continue;
    const WarningTimes times = WarningTimesFor(*due, cfg->warnings, cal);
    absl::Time target;
    const char* which;
    if (task.warning_level() == v1::WARNING_LEVEL_NONE) {
      target = times.yellow;
      which = "yellow";
    } else if (task.warning_level() == v1::WARNING_LEVEL_YELLOW) {
      target = times.red;
      which = "red";
    } else {
      continue;
    }
    const absl::Time when = std::max(target, now);
    const absl::Time was = FromTs(t.due());
    if (when == was) continue;
    v1::Timer moved = t;
    moved.set_id(absl::StrCat("warn:", task.id(), ":", task.due_date(), ":", absl::ToUnixSeconds(when)));
    *moved.mutable_due() = Ts(when);
    store_->Delete(&b, Cf::kTimers, key);
    store_->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(when), moved.id()), moved);
    std::string move = absl::StrCat(task.id(), " (due ", task.due_date(), ") ", which, " check ", FormatBeijing(was),
                                    " → ", FormatBeijing(when));
    spdlog::info("warning check moved ({}): {}", std::string(why), move);
    moves.push_back(std::move(move));
  }
  if (moves.empty()) return 0;
  // The batch's audit entry says what moved and why.
  v1::AuditEntry act;
  act.set_account("duband");
  act.set_role("system");
  act.set_command("timers.recompute_warnings");
  act.set_subject("warning_checks");
  std::vector<std::string> listed(moves.begin(), moves.begin() + std::min(moves.size(), kMovesInAuditDetail));
  act.set_detail(absl::StrCat(why, ": ", moves.size(), " moved: ", absl::StrJoin(listed, "; "),
                              moves.size() > listed.size() ? absl::StrCat("; and ", moves.size() - listed.size(), " more")
                                                           : ""));
  audit::AuditScope audit_scope(std::move(act));
  std::vector<v1::Notification> none;
  RETURN_IF_ERROR(pipeline_->Commit(&b, &none));
  spdlog::info("warning checks: {} recomputed and moved ({})", moves.size(), std::string(why));
  return static_cast<int>(moves.size());
}

}  // namespace duban
