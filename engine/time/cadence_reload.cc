// Rule changes while running and calendar years added on restart: the
// cadences are swapped under the timer runner's lock, the cadence ticks of
// removed and changed rules are dropped (changed ones start again at their
// next period), and the deadlines of open obligations are recomputed from
// the rules and calendar in force, their reminder and deadline timers moved
// with them. Tasks' pending warning checks are recomputed the same way.
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

const CadenceRule* FindRule(const CadenceConfig& cfg, absl::string_view id) {
  for (const auto& r : cfg.rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool IsOpenObligation(v1::ObligationState s) {
  return s == v1::OBLIGATION_STATE_PENDING || s == v1::OBLIGATION_STATE_RETURNED;
}

// The audit entry lists at most this many moves; the log has every one.
constexpr size_t kMovesInAuditDetail = 50;

}  // namespace

absl::StatusOr<CadenceReload> Engine::ReloadCadences(std::shared_ptr<const CadenceConfig> cadences) {
  if (!cadences) return absl::InvalidArgumentError("cadences: required");
  if (!options_.calendar || !this->cadences()) {
    return absl::FailedPreconditionError("cadences: duband runs without calendar and cadences; start it with both");
  }
  CadenceReload out;
  bool warnings_changed = false;
  {
    absl::MutexLock run(&timers_->run_mu());
    const std::shared_ptr<const CadenceConfig> old = this->cadences();
    warnings_changed = !SameWarningTimes(old->warnings, cadences->warnings);
    std::set<std::string> dropped;  // rules whose pending ticks go
    for (const auto& r : old->rules) {
      const CadenceRule* now = FindRule(*cadences, r.id);
      if (!now) {
        out.removed.push_back(r.id);
        dropped.insert(r.id);
      } else if (RuleFingerprint(*now) != RuleFingerprint(r)) {
        out.changed.push_back(r.id);
        dropped.insert(r.id);
      }
    }
    for (const auto& r : cadences->rules) {
      if (!FindRule(*old, r.id)) out.added.push_back(r.id);
    }
    rocksdb::WriteBatch b;
    RETURN_IF_ERROR(store_->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
      v1::Timer t;
      if (t.ParseFromArray(v.data(), static_cast<int>(v.size())) && t.has_cadence_tick() &&
          dropped.count(t.cadence_tick().rule_id())) {
        store_->Delete(&b, Cf::kTimers, std::string(k));
      }
      return true;
    }));
    // StartCadences schedules rules without a marker from their next period.
    for (const auto& id : dropped) store_->Delete(&b, Cf::kMeta, absl::StrCat("cadence|", id));
    std::vector<v1::Notification> none;
    RETURN_IF_ERROR(pipeline_->Commit(&b, &none));
    std::atomic_store(&options_.cadences, std::move(cadences));
  }
  RETURN_IF_ERROR(StartCadences());
  std::set<std::string> changed(out.changed.begin(), out.changed.end());
  if (!changed.empty()) {
    ASSIGN_OR_RETURN(out.obligations_moved, RecomputeDeadlines(changed, "rules reloaded"));
  }
  if (warnings_changed) {
    ASSIGN_OR_RETURN(out.warning_checks_moved, RecomputeWarningChecks("rules reloaded"));
  }
  spdlog::info("cadences reloaded: {} added, {} removed, {} changed, {} deadlines moved, {} warning checks moved",
               out.added.size(), out.removed.size(), out.changed.size(), out.obligations_moved,
               out.warning_checks_moved);
  return out;
}

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

absl::StatusOr<int> Engine::RecomputeDeadlines(const std::set<std::string>& rule_ids, absl::string_view why) {
  absl::MutexLock run(&timers_->run_mu());
  // Every stripe, in order: no command on an obligation runs while its
  // deadline moves.
  KeyLocks::Guard all = pipeline_->locks().LockAll();
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  if (!options_.calendar || !cfg) return 0;
  const WorkCalendar& cal = *options_.calendar;
  const absl::Time now = clock_->Now();

  // Reminder and deadline timers per obligation.
  std::map<std::string, std::vector<std::string>> timers;
  RETURN_IF_ERROR(store_->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
    v1::Timer t;
    if (!t.ParseFromArray(v.data(), static_cast<int>(v.size()))) return true;
    if (t.has_reminder()) timers[t.reminder().obligation_id()].emplace_back(k);
    if (t.has_deadline()) timers[t.deadline().obligation_id()].emplace_back(k);
    return true;
  }));

  rocksdb::WriteBatch b;
  int moved = 0;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kObligation), [&](absl::string_view, absl::string_view v) {
    v1::Obligation o;
    if (!o.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError("obligations: unparsable record");
      return false;
    }
    if (!IsOpenObligation(o.state()) || FromTs(o.deadline()) <= now) return true;
    if (!rule_ids.empty() && !rule_ids.count(o.rule_id())) return true;
    const CadenceRule* rule = FindRule(*cfg, o.rule_id());
    if (!rule) return true;
    auto start = validate::Date("period_start", o.period_start());
    if (!start.ok()) return true;
    Period p = PeriodAt(*rule, *start, cal);
    if (p.label != o.period_label()) return true;  // the schedule's periods changed shape; the obligation keeps its own
    std::string note = DeadlineNote(p, cal);
    absl::Time old_deadline = FromTs(o.deadline());
    if (p.deadline == old_deadline && note == o.deadline_note()) return true;

    v1::ObligationEvent ev;
    ev.set_obligation_id(o.id());
    ev.set_version(o.version() + 1);
    *ev.mutable_at() = Ts(now);
    ev.set_actor("duband");
    ev.set_kind("deadline_moved");
    ev.set_from_state(o.state());
    ev.set_to_state(o.state());
    ev.set_text(absl::StrCat(why, ": deadline ", FormatBeijing(old_deadline), " → ", FormatBeijing(p.deadline),
                             note.empty() ? "" : absl::StrCat(" (", note, ")")));
    o.set_version(ev.version());
    *o.mutable_deadline() = Ts(p.deadline);
    o.set_deadline_note(note);
    store_->Put(&b, Cf::kEvents, keys::Event(o.id(), ev.version()), ev);
    store_->Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kObligation, o.id()), o);
    for (const auto& k : timers[o.id()]) store_->Delete(&b, Cf::kTimers, k);
    for (size_t r = 0; r < p.reminders.size(); ++r) {
      if (p.reminders[r] <= now) continue;
      v1::Timer rem;
      rem.set_id(absl::StrCat("rem:", o.id(), ":", r));
      *rem.mutable_due() = Ts(p.reminders[r]);
      rem.mutable_reminder()->set_obligation_id(o.id());
      rem.mutable_reminder()->set_reminder_index(static_cast<int>(r));
      store_->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(p.reminders[r]), rem.id()), rem);
    }
    v1::Timer dl;
    dl.set_id(absl::StrCat("dl:", o.id()));
    *dl.mutable_due() = Ts(p.deadline);
    dl.mutable_deadline()->set_obligation_id(o.id());
    store_->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(p.deadline), dl.id()), dl);
    ++moved;
    return true;
  }));
  RETURN_IF_ERROR(bad);
  if (moved > 0) {
    std::vector<v1::Notification> none;
    RETURN_IF_ERROR(pipeline_->Commit(&b, &none));
    spdlog::info("deadlines: {} open obligations recomputed ({})", moved, std::string(why));
  }
  return moved;
}

}  // namespace duban
