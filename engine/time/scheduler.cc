// Engine: the effects of the timers (the reporting cadence, obligations and
// warnings) and their registration with the timer runner
// (engine/time/timer_runner.h), which fires them.
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

namespace {

std::string StateWord(v1::ObligationState s) {
  std::string n = v1::ObligationState_Name(s);
  return absl::AsciiStrToLower(n.substr(std::string("OBLIGATION_STATE_").size()));
}

}  // namespace

// The score counters of a unit, read and written in the batch.
static absl::Status ScoreUnit(Batch& b, const std::string& unit, const std::function<void(v1::UnitScore*)>& fn) {
  v1::UnitScore s;
  std::string key = keys::Entity(keys::Kind::kUnitScore, unit);
  absl::Status st = b.Get(Cf::kEntities, key, &s);
  if (!st.ok() && !absl::IsNotFound(st)) return st;
  s.set_unit_id(unit);
  fn(&s);
  b.Put(Cf::kEntities, key, s);
  return absl::OkStatus();
}

// An obligation event: the obligation moves to `to` at the next version.
// evidence (resolved, may be null): files the event carries, attached in
// this batch.
static absl::Status RecordObligationEvent(Batch& b, v1::Obligation* o, const std::string& kind, v1::ObligationState to,
                                          const std::string& actor, const std::string& text, bool late,
                                          const EvidenceRefs* evidence = nullptr) {
  v1::ObligationEvent ev;
  ev.set_obligation_id(o->id());
  ev.set_version(o->version() + 1);
  *ev.mutable_at() = Ts(b.now());
  ev.set_actor(actor);
  ev.set_kind(kind);
  ev.set_from_state(o->state());
  ev.set_to_state(to);
  ev.set_text(text);
  ev.set_late(late);
  if (evidence != nullptr && !evidence->empty()) {
    *ev.mutable_evidence() = *evidence;
    b.ctx().evidence->PutAttachments(b.batch(), *evidence,
                                     NewEvidenceAttachment("obligation", o->id(), ev.version(), b.now(), actor, {o->unit_id()}));
  }
  o->set_version(ev.version());
  o->set_state(to);
  b.Put(Cf::kEvents, keys::Event(o->id(), ev.version()), ev);
  b.Put(Cf::kEntities, keys::Entity(keys::Kind::kObligation, o->id()), *o);
  return absl::OkStatus();
}

absl::Status Engine::ObligationTick(Batch& b, const v1::Timer& t, bool late) {
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  const auto& cal = options_.calendar;
  if (!cfg || !cal) return absl::OkStatus();
  const CadenceRule* rule = nullptr;
  for (const auto& r : cfg->rules) {
    if (r.id == t.cadence_tick().rule_id()) rule = &r;
  }
  if (rule == nullptr) {
    spdlog::warn("timer {}: rule {} is no longer configured; its cadence stops", t.id(), t.cadence_tick().rule_id());
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(absl::CivilDay start, validate::Date("period_start", t.cadence_tick().period_start()));
  Period p = PeriodAt(*rule, start, *cal);
  bool in_range = (!rule->active_from || p.nominal_due >= *rule->active_from) &&
                  (!rule->active_until || p.nominal_due <= *rule->active_until);
  if (in_range) {
    std::vector<std::string> subjects;
    std::vector<std::string> units = ReporterUnits(*rule, &subjects);
    auto recipient = LookupName(rule->recipient);
    std::string recipient_id = recipient && recipient->has_unit_id() ? recipient->unit_id() : rule->recipient;
    for (size_t i = 0; i < units.size(); ++i) {
      std::string id = absl::StrCat(rule->id, ":", p.label, ":", subjects[i]);
      std::string key = keys::Entity(keys::Kind::kObligation, id);
      v1::Obligation existing;
      if (b.Get(Cf::kEntities, key, &existing).ok()) continue;
      v1::Obligation o;
      o.set_id(id);
      o.set_rule_id(rule->id);
      o.set_rule_name(rule->name);
      o.set_what(rule->what);
      o.set_unit_id(units[i]);
      o.set_subject_id(subjects[i]);
      if (subjects[i] != units[i]) o.set_subject_name(SubjectName(subjects[i]));
      o.set_recipient_unit_id(recipient_id);
      o.set_period_label(p.label);
      o.set_period_start(validate::FormatDate(p.start));
      o.set_period_end(validate::FormatDate(p.end));
      *o.mutable_deadline() = Ts(p.deadline);
      o.set_deadline_note(DeadlineNote(p, *cal));
      o.set_state(v1::OBLIGATION_STATE_UNSPECIFIED);
      RETURN_IF_ERROR(RecordObligationEvent(b, &o, "created", v1::OBLIGATION_STATE_PENDING, "duband", o.deadline_note(), late));
      b.PutRaw(Cf::kIndex, keys::ObligationIndex("obligation-unit", o.unit_id(), id), "");
      b.PutRaw(Cf::kIndex, keys::ObligationIndex("obligation-rule", rule->id, id), "");
      for (size_t r = 0; r < p.reminders.size(); ++r) {
        // A reminder already past when its obligation is created on time
        // (the first period after installation) is not sent; one that fell
        // due while the daemon was down is, marked late.
        if (!late && p.reminders[r] < b.now()) continue;
        v1::Timer rem;
        rem.set_id(absl::StrCat("rem:", id, ":", r));
        *rem.mutable_due() = Ts(p.reminders[r]);
        rem.mutable_reminder()->set_obligation_id(id);
        rem.mutable_reminder()->set_reminder_index(static_cast<int>(r));
        b.AddTimer(std::move(rem));
      }
      v1::Timer dl;
      dl.set_id(absl::StrCat("dl:", id));
      *dl.mutable_due() = Ts(p.deadline);
      dl.mutable_deadline()->set_obligation_id(id);
      b.AddTimer(std::move(dl));
    }
  }
  if (auto next = NextPeriodStart(*rule, start)) {
    Period np = PeriodAt(*rule, *next, *cal);
    v1::Timer tick;
    tick.set_id(absl::StrCat("tick:", rule->id, ":", np.label));
    *tick.mutable_due() = Ts(np.generate_at);
    tick.mutable_cadence_tick()->set_rule_id(rule->id);
    tick.mutable_cadence_tick()->set_period_start(validate::FormatDate(*next));
    b.AddTimer(std::move(tick));
  }
  return absl::OkStatus();
}

// A notification to the obligation's unit about its deadline:
// "<prefix><rule>（<period>，<subject>）<verb> <deadline><tail>".
static v1::Notification ObligationNote(const v1::Obligation& o, v1::NotificationKind kind, absl::string_view prefix,
                                       absl::string_view verb, absl::string_view tail, const v1::Timer& t,
                                       bool late) {
  v1::Notification n;
  n.set_recipient(o.unit_id());
  n.set_kind(kind);
  n.set_subject_id(o.id());
  n.set_title(absl::StrCat(prefix, o.rule_name(), "（", o.period_label(),
                           o.subject_name().empty() ? "" : absl::StrCat("，", o.subject_name()), "）", verb, " ",
                           FormatBeijing(FromTs(o.deadline())), tail));
  n.set_body(o.what());
  *n.mutable_due() = t.due();
  n.set_late(late);
  n.set_timer_id(t.id());
  return n;
}

absl::Status Engine::ObligationReminder(Batch& b, const v1::Timer& t, bool late) {
  v1::Obligation o;
  absl::Status s = b.Get(Cf::kEntities, keys::Entity(keys::Kind::kObligation, t.reminder().obligation_id()), &o);
  if (absl::IsNotFound(s)) return absl::OkStatus();
  RETURN_IF_ERROR(s);
  if (o.state() != v1::OBLIGATION_STATE_PENDING && o.state() != v1::OBLIGATION_STATE_RETURNED) return absl::OkStatus();
  b.Notify(ObligationNote(o, v1::NOTIFICATION_KIND_REMINDER, "提醒：", "将于", " 截止", t, late));
  return absl::OkStatus();
}

absl::Status Engine::ObligationDeadline(Batch& b, const v1::Timer& t, bool late) {
  v1::Obligation o;
  absl::Status s = b.Get(Cf::kEntities, keys::Entity(keys::Kind::kObligation, t.deadline().obligation_id()), &o);
  if (absl::IsNotFound(s)) return absl::OkStatus();
  RETURN_IF_ERROR(s);
  bool met = o.state() == v1::OBLIGATION_STATE_SUBMITTED || o.state() == v1::OBLIGATION_STATE_ACCEPTED;
  if (met) {
    return ScoreUnit(b, o.unit_id(), [](v1::UnitScore* sc) {
      sc->set_due(sc->due() + 1);
      sc->set_on_time(sc->on_time() + 1);
    });
  }
  o.set_urges(o.urges() + 1);
  RETURN_IF_ERROR(RecordObligationEvent(b, &o, "missed", v1::OBLIGATION_STATE_MISSED, "duband", "", late));
  RETURN_IF_ERROR(ScoreUnit(b, o.unit_id(), [](v1::UnitScore* sc) {
    sc->set_due(sc->due() + 1);
    sc->set_missed(sc->missed() + 1);
    sc->set_urges(sc->urges() + 1);
  }));
  b.Notify(ObligationNote(o, v1::NOTIFICATION_KIND_URGE, "催办：", "已于", " 截止，尚未报送", t, late));
  return absl::OkStatus();
}

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

std::string Engine::SubjectName(const std::string& subject_id) const {
  v1::TaskForce f;
  if (store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTaskForce, subject_id), &f).ok()) return f.name();
  return subject_id;
}

std::vector<std::string> Engine::ReporterUnits(const CadenceRule& rule, std::vector<std::string>* subjects) const {
  std::vector<std::string> units;
  std::set<std::string> seen;
  auto add = [&](const std::string& unit, const std::string& subject) {
    if (seen.insert(subject).second) {
      units.push_back(unit);
      subjects->push_back(subject);
    }
  };
  if (rule.reporters.all_task_forces) {
    auto fs = ListTaskForces("");
    if (fs.ok()) {
      for (const auto& f : *fs) add(f.office_unit_id(), f.id());
    }
  } else if (!rule.reporters.task_force_members.empty()) {
    auto c = GetCampaign(rule.reporters.task_force_members);
    if (c.ok() && !c->task_force_id().empty()) {
      v1::TaskForce f;
      if (store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTaskForce, c->task_force_id()), &f).ok()) {
        for (const auto& m : f.members()) {
          if (m.has_unit_id()) {
            add(m.unit_id(), m.unit_id());
          } else {
            for (const auto& u : directory_.Members(m.group_id())) add(u, u);
          }
        }
      }
    }
  }
  if (!rule.reporters.units.empty()) {
    auto ids = ResolveUnits("reporters.units", rule.reporters.units, true);
    if (ids.ok()) {
      for (const auto& u : *ids) add(u, u);
    } else {
      spdlog::warn("cadence rule {}: {}", rule.id, std::string(ids.status().message()));
    }
  }
  return units;
}

absl::Status Engine::StartCadences() {
  absl::MutexLock run(&timers_->run_mu());
  const std::shared_ptr<const CadenceConfig> cfg = cadences();
  if (!cfg || !options_.calendar) return absl::OkStatus();
  rocksdb::WriteBatch b;
  int scheduled = 0;
  for (const auto& rule : cfg->rules) {
    std::string marker = absl::StrCat("cadence|", rule.id);
    ASSIGN_OR_RETURN(bool scheduled_before, store_->Exists(Cf::kMeta, marker));
    if (scheduled_before) continue;
    auto first = FirstPeriodStart(rule, clock_->Now(), *options_.calendar);
    store_->Put(&b, Cf::kMeta, marker, first ? validate::FormatDate(*first) : std::string("none"));
    if (!first) continue;
    Period p = PeriodAt(rule, *first, *options_.calendar);
    v1::Timer tick;
    tick.set_id(absl::StrCat("tick:", rule.id, ":", p.label));
    *tick.mutable_due() = Ts(std::max(p.generate_at, clock_->Now()));
    tick.mutable_cadence_tick()->set_rule_id(rule.id);
    tick.mutable_cadence_tick()->set_period_start(validate::FormatDate(*first));
    store_->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(FromTs(tick.due())), tick.id()), tick);
    ++scheduled;
  }
  if (b.Count() == 0) return absl::OkStatus();
  spdlog::info("cadences: scheduled the first period of {} rules", scheduled);
  std::vector<v1::Notification> none;
  return pipeline_->Commit(&b, &none);
}

void Engine::RegisterTimerHandlers() {
  // Each kind's effects write into the batch the runner makes (a Batch on
  // this engine's context); the handlers are grouped by the part they
  // belong to (scheduler.cc: obligations and warning checks; supervision.cc).
  auto fire = [this](absl::Status (Engine::*effect)(Batch&, const v1::Timer&, bool)) {
    return [this, effect](Txn* txn, const v1::Timer& t, bool late) {
      return (this->*effect)(*static_cast<Batch*>(txn), t, late);
    };
  };
  auto one = [](auto id_of) {
    return [id_of](const v1::Timer& t) { return std::vector<std::string>{id_of(t)}; };
  };
  timers_->Register(v1::Timer::kCadenceTick, {fire(&Engine::ObligationTick), {}});
  timers_->Register(v1::Timer::kReminder,
                    {fire(&Engine::ObligationReminder), one([](const v1::Timer& t) { return t.reminder().obligation_id(); })});
  timers_->Register(v1::Timer::kDeadline, {fire(&Engine::ObligationDeadline), [this](const v1::Timer& t) {
                                             const std::string& id = t.deadline().obligation_id();
                                             std::vector<std::string> subjects{id};
                                             // A deadline scores the obligation's unit (which never changes).
                                             v1::Obligation o;
                                             if (store_->GetProto(Cf::kEntities,
                                                                  keys::Entity(keys::Kind::kObligation, id), &o)
                                                     .ok()) {
                                               subjects.push_back(ScoreSubject(o.unit_id()));
                                             }
                                             return subjects;
                                           }});
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

// ---------------------------------------------------------------- obligations

absl::StatusOr<v1::Obligation> Engine::LoadObligation(absl::string_view id) const {
  if (id.empty()) return absl::InvalidArgumentError("obligation_id: required");
  if (!keys::IsValidComponent(id) || id.size() > 256) {
    return absl::InvalidArgumentError("obligation_id: not an obligation id");
  }
  v1::Obligation o;
  absl::Status s = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kObligation, id), &o);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("obligation_id: no obligation '", id, "'"));
  if (!s.ok()) return s;
  return o;
}

absl::StatusOr<v1::Obligation> Engine::LoadObligationAt(absl::string_view id, uint64_t expected_version) const {
  ASSIGN_OR_RETURN(v1::Obligation o, LoadObligation(id));
  if (expected_version != 0 && expected_version != o.version()) {
    return absl::AbortedError(absl::StrCat("meta.expected_version: obligation is at version ", o.version(), ", not ",
                                           expected_version));
  }
  return o;
}

absl::StatusOr<v1::Obligation> Engine::GetObligation(absl::string_view id) const { return LoadObligation(id); }

absl::StatusOr<std::vector<v1::ObligationEvent>> Engine::ObligationHistory(absl::string_view id) const {
  RETURN_IF_ERROR(LoadObligation(id).status());
  return ReadEvents<v1::ObligationEvent>(*store_, id);
}

absl::StatusOr<EventPage<v1::ObligationEvent>> Engine::ObligationHistoryPage(absl::string_view id,
                                                                             uint64_t after_version,
                                                                             int page_size) const {
  RETURN_IF_ERROR(LoadObligation(id).status());
  return ReadEventsPage<v1::ObligationEvent>(*store_, id, after_version, page_size);
}

absl::StatusOr<ObligationPage> Engine::ListObligations(const ObligationFilter& f) const {
  if (!v1::ObligationState_IsValid(f.state)) {
    return absl::InvalidArgumentError(absl::StrCat("state: unknown value ", static_cast<int>(f.state)));
  }
  if (f.page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  int page_size = f.page_size == 0 ? 100 : std::min(f.page_size, 1000);
  std::optional<absl::CivilDay> from, to;
  if (!f.period_from.empty()) {
    ASSIGN_OR_RETURN(from, validate::Date("period_from", f.period_from));
  }
  if (!f.period_to.empty()) {
    ASSIGN_OR_RETURN(to, validate::Date("period_to", f.period_to));
  }
  std::string prefix;
  std::string unit_id;
  if (!f.unit.empty()) {
    auto ref = LookupName(f.unit);
    if (!ref || !ref->has_unit_id()) return absl::NotFoundError(absl::StrCat("unit: unknown unit '", f.unit, "'"));
    unit_id = ref->unit_id();
    prefix = keys::ObligationIndexPrefix("obligation-unit", unit_id);
  } else if (!f.rule_id.empty()) {
    prefix = keys::ObligationIndexPrefix("obligation-rule", f.rule_id);
  } else {
    prefix = keys::EntityPrefix(keys::Kind::kObligation);
  }
  Cf cf = (f.unit.empty() && f.rule_id.empty()) ? Cf::kEntities : Cf::kIndex;
  std::string start;
  if (!f.page_token.empty()) {
    std::string raw;
    if (!absl::WebSafeBase64Unescape(f.page_token, &raw) || raw.substr(0, prefix.size()) != prefix) {
      return absl::InvalidArgumentError("page_token: not a token of this listing");
    }
    start = raw + std::string(1, '\0');
  }
  ObligationPage page;
  std::string last;
  bool more = false;
  absl::Status bad;
  absl::Status scanned = store_->Scan(cf, prefix, [&](absl::string_view k, absl::string_view v) {
    if (static_cast<int>(page.obligations.size()) == page_size) {
      more = true;
      return false;
    }
    last = std::string(k);
    v1::Obligation o;
    if (cf == Cf::kEntities) {
      if (!o.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
        bad = absl::DataLossError("obligations: record cannot be parsed");
        return false;
      }
    } else {
      std::string id(k.substr(prefix.size()));
      bad = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kObligation, id), &o);
      if (!bad.ok()) return false;
    }
    if (!f.rule_id.empty() && o.rule_id() != f.rule_id) return true;
    if (f.state != v1::OBLIGATION_STATE_UNSPECIFIED && o.state() != f.state) return true;
    if (from || to) {
      auto ps = validate::Date("period_start", o.period_start());
      auto pe = validate::Date("period_end", o.period_end());
      if (!ps.ok() || !pe.ok()) return true;
      if (from && *pe < *from) return true;
      if (to && *ps > *to) return true;
    }
    page.obligations.push_back(std::move(o));
    return true;
  }, start);
  RETURN_IF_ERROR(scanned);
  RETURN_IF_ERROR(bad);
  if (more) page.next_page_token = absl::WebSafeBase64Escape(last);
  return page;
}

absl::StatusOr<v1::Obligation> Engine::SubmitReport(const CommandMeta& meta, absl::string_view id,
                                                    absl::string_view text, const EvidenceRefs& evidence) {
  CommandSpec spec;
  spec.info = {"obligation", std::string(id), "submit_report", meta};
  AddField(&spec.body, id);
  AddField(&spec.body, text);
  for (const auto& r : evidence) AddField(&spec.body, r.sha256());
  AddField(&spec.body, meta.comment);
  AddField(&spec.body, static_cast<int64_t>(meta.expected_version));
  spec.subjects = {std::string(id)};
  // A late submission scores the unit: lock its counters too (an
  // obligation's unit never changes, so reading it first is safe).
  if (auto o = LoadObligation(id); o.ok()) spec.subjects.push_back(ScoreSubject(o->unit_id()));
  Batch txn(&ctx_, clock_->Now());
  return Unwrap(pipeline_->Run<v1::Obligation, Batch>(
      spec, &txn, [&](Batch& w) { return SubmitReportImpl(&w, meta, id, text, evidence); }));
}

absl::StatusOr<v1::Obligation> Engine::SubmitReportImpl(Batch* wp, const CommandMeta& meta,
                                                        absl::string_view id, absl::string_view text,
                                                        const EvidenceRefs& evidence) {
  Batch& w = *wp;
  RETURN_IF_ERROR(validate::Required("text", text, validate::kMaxText));
  ASSIGN_OR_RETURN(v1::Obligation o, LoadObligationAt(id, meta.expected_version));
  if (o.state() != v1::OBLIGATION_STATE_PENDING && o.state() != v1::OBLIGATION_STATE_RETURNED &&
      o.state() != v1::OBLIGATION_STATE_MISSED) {
    return absl::FailedPreconditionError(absl::StrCat("obligation is ", StateWord(o.state()),
                                                      ": cannot submit; allowed from pending, returned, missed"));
  }
  absl::Time now = w.now();
  bool late = now > FromTs(o.deadline());
  bool was_missed = o.state() == v1::OBLIGATION_STATE_MISSED;
  EvidenceRefs files = evidence;
  RETURN_IF_ERROR(evidence_->Resolve("evidence", meta.actor, &files));
  o.set_report_text(std::string(text));
  *o.mutable_submitted_at() = Ts(now);
  o.set_submitted_late(late);
  RETURN_IF_ERROR(RecordObligationEvent(w, &o, "submitted", v1::OBLIGATION_STATE_SUBMITTED, meta.actor,
                                    meta.comment.empty() ? std::string(text) : meta.comment, late, &files));
  if (late && was_missed) {
    RETURN_IF_ERROR(ScoreUnit(w, o.unit_id(), [](v1::UnitScore* s) { s->set_late_submissions(s->late_submissions() + 1); }));
  }
  return o;
}

absl::StatusOr<v1::Obligation> Engine::ReviewReport(const CommandMeta& meta, absl::string_view id, bool accept,
                                                    absl::string_view reason) {
  CommandSpec spec;
  spec.info = {"obligation", std::string(id), accept ? "accept_report" : "return_report", meta};
  AddField(&spec.body, id);
  AddField(&spec.body, static_cast<int64_t>(accept));
  AddField(&spec.body, reason);
  AddField(&spec.body, meta.comment);
  AddField(&spec.body, static_cast<int64_t>(meta.expected_version));
  spec.subjects = {std::string(id)};
  if (auto o = LoadObligation(id); o.ok()) spec.subjects.push_back(ScoreSubject(o->unit_id()));
  Batch txn(&ctx_, clock_->Now());
  return Unwrap(pipeline_->Run<v1::Obligation, Batch>(
      spec, &txn, [&](Batch& w) { return ReviewReportImpl(&w, meta, id, accept, reason); }));
}

absl::StatusOr<v1::Obligation> Engine::ReviewReportImpl(Batch* wp, const CommandMeta& meta,
                                                        absl::string_view id, bool accept, absl::string_view reason) {
  Batch& w = *wp;
  if (!accept) RETURN_IF_ERROR(validate::Required("reason", reason, validate::kMaxComment));
  ASSIGN_OR_RETURN(v1::Obligation o, LoadObligationAt(id, meta.expected_version));
  if (o.state() != v1::OBLIGATION_STATE_SUBMITTED) {
    return absl::FailedPreconditionError(absl::StrCat("obligation is ", StateWord(o.state()), ": cannot ",
                                                      accept ? "accept" : "return", "; allowed from submitted"));
  }
  if (accept) {
    RETURN_IF_ERROR(RecordObligationEvent(w, &o, "accepted", v1::OBLIGATION_STATE_ACCEPTED, meta.actor, meta.comment, false));
  } else {
    o.set_last_reason(std::string(reason));
    RETURN_IF_ERROR(RecordObligationEvent(w, &o, "returned", v1::OBLIGATION_STATE_RETURNED, meta.actor,
                                      std::string(reason), false));
    RETURN_IF_ERROR(ScoreUnit(w, o.unit_id(), [](v1::UnitScore* s) { s->set_returned(s->returned() + 1); }));
    v1::Notification n;
    n.set_recipient(o.unit_id());
    n.set_kind(v1::NOTIFICATION_KIND_RETURNED);
    n.set_subject_id(o.id());
    n.set_title(absl::StrCat("退回：", o.rule_name(), "（", o.period_label(), "）"));
    n.set_body(std::string(reason));
    w.Notify(std::move(n));
  }
  return o;
}

absl::StatusOr<v1::UnitScore> Engine::GetUnitScore(absl::string_view unit) const {
  auto ref = LookupName(unit);
  if (!ref || !ref->has_unit_id()) return absl::NotFoundError(absl::StrCat("unit: unknown unit '", unit, "'"));
  v1::UnitScore s;
  absl::Status st = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kUnitScore, ref->unit_id()), &s);
  if (!st.ok() && !absl::IsNotFound(st)) return st;
  s.set_unit_id(ref->unit_id());
  return s;
}

absl::StatusOr<std::vector<v1::UnitScore>> Engine::ListUnitScores() const {
  std::vector<v1::UnitScore> out;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kUnitScore),
                               [&](absl::string_view, absl::string_view v) {
    v1::UnitScore s;
    if (!s.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError("unit scores: record cannot be parsed");
      return false;
    }
    out.push_back(std::move(s));
    return true;
  }));
  RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace duban
