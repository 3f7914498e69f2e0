// Engine: the tasks' warning checks, the registration of the timer kinds
// the engine still handles with the timer runner
// (engine/time/timer_runner.h), and the runs of the timers.
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

// Warning level of a task at `now`.
static v1::WarningLevel LevelAt(const v1::Task& t, absl::Time now, const WorkCalendar& cal, const WarningThresholds& w,
                                absl::Time* next_change) {
  *next_change = absl::InfiniteFuture();
  if (IsTerminal(t.state()) || t.state() == v1::TASK_STATE_DRAFT) return v1::WARNING_LEVEL_NONE;
  auto due = validate::Date("due_date", t.due_date());
  if (!due.ok()) return v1::WARNING_LEVEL_NONE;
  const auto [yellow, red] = WarningTimesFor(*due, w, cal);
  if (now >= red) return v1::WARNING_LEVEL_RED;
  if (now >= yellow) {
    *next_change = red;
    return v1::WARNING_LEVEL_YELLOW;
  }
  *next_change = yellow;
  return v1::WARNING_LEVEL_NONE;
}

absl::Status Engine::TaskWarningCheck(Batch& b, const v1::Timer& t, bool late) {
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  const auto& cal = options_.calendar;
  if (!cfg || !cal) return absl::OkStatus();
  v1::Task task;
  absl::Status s = b.Get(Cf::kEntities, keys::Entity(keys::Kind::kTask, t.task_warning().task_id()), &task);
  if (absl::IsNotFound(s)) return absl::OkStatus();
  RETURN_IF_ERROR(s);
  if (task.due_date() != t.task_warning().due_date()) {
    // The due date moved since this check was set: a check for the new
    // date was scheduled with the change.
    return absl::OkStatus();
  }
  absl::Time next = absl::InfiniteFuture();
  v1::WarningLevel level = LevelAt(task, b.now(), *cal, cfg->warnings, &next);
  bool ev_written = false;
  if (level != task.warning_level()) {
    ev_written = true;
    v1::TaskEvent ev;
    ev.set_task_id(task.id());
    ev.set_version(task.version() + 1);
    *ev.mutable_at() = Ts(b.now());
    ev.set_actor("duband");
    ev.set_command(v1::TASK_COMMAND_WARNING);
    ev.set_from_state(task.state());
    ev.set_to_state(task.state());
    ev.set_warning_level(level);
    ev.set_due_date(task.due_date());
    task.set_version(ev.version());
    task.set_warning_level(level);
    *task.mutable_updated_at() = Ts(b.now());
    b.Put(Cf::kEvents, keys::Event(task.id(), ev.version()), ev);
    b.Put(Cf::kEntities, keys::Entity(keys::Kind::kTask, task.id()), task);
    if (level != v1::WARNING_LEVEL_NONE) {
      for (const auto& unit : task.lead_unit_ids()) {
        v1::Notification n;
        n.set_recipient(unit);
        n.set_kind(v1::NOTIFICATION_KIND_WARNING);
        n.set_subject_id(task.id());
        n.set_warning_level(level);
        n.set_title(absl::StrCat(level == v1::WARNING_LEVEL_RED ? "红灯预警：" : "黄灯预警：", task.code(), " ",
                                 task.title(), "（", "期限 ", task.due_date(), "）"));
        *n.mutable_due() = t.due();
        n.set_late(late);
        n.set_timer_id(t.id());
        b.Notify(std::move(n));
      }
    }
  }
  if (level == v1::WARNING_LEVEL_RED && task.warning_level() == v1::WARNING_LEVEL_RED &&
      options_.supervision && ev_written) {
    // Red from now on: the escalation rules start counting working days.
    absl::CivilDay today = absl::ToCivilDay(b.now(), PlanTimeZone());
    for (const auto& rule : options_.supervision->rules) {
      if (!rule.task_red_working_days) continue;
      absl::CivilDay day = cal->AddWorkingDays(today, *rule.task_red_working_days);
      v1::Timer esc;
      esc.set_id(absl::StrCat("esc:", rule.id, ":", task.id(), ":", validate::FormatDate(day)));
      *esc.mutable_due() = Ts(At(day, cfg->warnings.check_hour, cfg->warnings.check_minute));
      esc.mutable_escalation()->set_rule_id(rule.id);
      esc.mutable_escalation()->set_task_id(task.id());
      b.AddTimer(std::move(esc));
    }
  }
  if (next != absl::InfiniteFuture()) {
    v1::Timer check;
    check.set_id(absl::StrCat("warn:", task.id(), ":", task.due_date(), ":", absl::ToUnixSeconds(next)));
    *check.mutable_due() = Ts(next);
    check.mutable_task_warning()->set_task_id(task.id());
    check.mutable_task_warning()->set_due_date(task.due_date());
    b.AddTimer(std::move(check));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- engine side

absl::Status Engine::ScheduleWarningCheck(Txn* txn, const v1::Task& t, absl::Time not_before) const {
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  if (!cfg || !options_.calendar) return absl::OkStatus();
  auto due = validate::Date("due_date", t.due_date());
  if (!due.ok()) return absl::OkStatus();
  absl::Time yellow = WarningTimesFor(*due, cfg->warnings, *options_.calendar).yellow;
  absl::Time when = std::max(yellow, not_before);
  v1::Timer check;
  check.set_id(absl::StrCat("warn:", t.id(), ":", t.due_date(), ":", absl::ToUnixSeconds(when)));
  *check.mutable_due() = Ts(when);
  check.mutable_task_warning()->set_task_id(t.id());
  check.mutable_task_warning()->set_due_date(t.due_date());
  txn->Put(Cf::kTimers, keys::Timer(absl::ToUnixMicros(when), check.id()), check);
  return absl::OkStatus();
}

void Engine::RegisterTimerHandlers() {
  // Each kind's effects write into the batch the runner makes (a Batch on
  // this engine's context): warning checks (here) and supervision
  // (supervision.cc). The obligations register their own.
  auto fire = [this](absl::Status (Engine::*effect)(Batch&, const v1::Timer&, bool)) {
    return [this, effect](Txn* txn, const v1::Timer& t, bool late) {
      return (this->*effect)(*static_cast<Batch*>(txn), t, late);
    };
  };
  auto one = [](auto id_of) {
    return [id_of](const v1::Timer& t) { return std::vector<std::string>{id_of(t)}; };
  };
  timers_->Register(v1::Timer::kTaskWarning,
                    {fire(&Engine::TaskWarningCheck), one([](const v1::Timer& t) { return t.task_warning().task_id(); })});
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
