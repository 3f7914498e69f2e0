// Obligations: report obligations, their cadence ticks, reminders and
// deadlines, the reports and their review, the units' score counters, and
// the reload of the cadences with the deadlines it moves.
#include "engine/obligations/obligations.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/plans/plan_records.h"
#include "engine/storage/events.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

std::string StateWord(v1::ObligationState s) {
  std::string n = v1::ObligationState_Name(s);
  return absl::AsciiStrToLower(n.substr(std::string("OBLIGATION_STATE_").size()));
}

const CadenceRule* FindRule(const CadenceConfig& cfg, absl::string_view id) {
  for (const auto& r : cfg.rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool IsOpenObligation(v1::ObligationState s) {
  return s == v1::OBLIGATION_STATE_PENDING || s == v1::OBLIGATION_STATE_RETURNED;
}

// A command's value, or its error.
template <typename M>
absl::StatusOr<M> Unwrap(absl::StatusOr<Outcome<M>> r) {
  if (!r.ok()) return r.status();
  return std::move(r->value);
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

absl::Status Obligations::Tick(Batch& b, const v1::Timer& t, bool late) {
  const std::shared_ptr<const CadenceConfig> cfg = ctx_->cadences();
  const auto& cal = ctx_->calendar;
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
    auto recipient = ctx_->directory->LookupName(rule->recipient);
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

absl::Status Obligations::Remind(Batch& b, const v1::Timer& t, bool late) {
  v1::Obligation o;
  absl::Status s = b.Get(Cf::kEntities, keys::Entity(keys::Kind::kObligation, t.reminder().obligation_id()), &o);
  if (absl::IsNotFound(s)) return absl::OkStatus();
  RETURN_IF_ERROR(s);
  if (o.state() != v1::OBLIGATION_STATE_PENDING && o.state() != v1::OBLIGATION_STATE_RETURNED) return absl::OkStatus();
  b.Notify(ObligationNote(o, v1::NOTIFICATION_KIND_REMINDER, "提醒：", "将于", " 截止", t, late));
  return absl::OkStatus();
}

absl::Status Obligations::Deadline(Batch& b, const v1::Timer& t, bool late) {
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

std::string Obligations::SubjectName(const std::string& subject_id) const {
  v1::TaskForce f;
  if (ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTaskForce, subject_id), &f).ok()) return f.name();
  return subject_id;
}

std::vector<std::string> Obligations::ReporterUnits(const CadenceRule& rule, std::vector<std::string>* subjects) const {
  std::vector<std::string> units;
  std::set<std::string> seen;
  auto add = [&](const std::string& unit, const std::string& subject) {
    if (seen.insert(subject).second) {
      units.push_back(unit);
      subjects->push_back(subject);
    }
  };
  if (rule.reporters.all_task_forces) {
    auto fs = ReadTaskForces(*ctx_->store, "");
    if (fs.ok()) {
      for (const auto& f : *fs) add(f.office_unit_id(), f.id());
    }
  } else if (!rule.reporters.task_force_members.empty()) {
    auto c = ReadCampaign(*ctx_->store, rule.reporters.task_force_members);
    if (c.ok() && !c->task_force_id().empty()) {
      v1::TaskForce f;
      if (ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTaskForce, c->task_force_id()), &f).ok()) {
        for (const auto& m : f.members()) {
          if (m.has_unit_id()) {
            add(m.unit_id(), m.unit_id());
          } else {
            for (const auto& u : ctx_->directory->Members(m.group_id())) add(u, u);
          }
        }
      }
    }
  }
  if (!rule.reporters.units.empty()) {
    auto ids = ctx_->directory->ResolveUnits("reporters.units", rule.reporters.units, true);
    if (ids.ok()) {
      for (const auto& u : *ids) add(u, u);
    } else {
      spdlog::warn("cadence rule {}: {}", rule.id, std::string(ids.status().message()));
    }
  }
  return units;
}

absl::Status Obligations::StartCadences() {
  absl::MutexLock run(&ctx_->timers->run_mu());
  const std::shared_ptr<const CadenceConfig> cfg = ctx_->cadences();
  if (!cfg || !ctx_->calendar) return absl::OkStatus();
  rocksdb::WriteBatch b;
  int scheduled = 0;
  for (const auto& rule : cfg->rules) {
    std::string marker = keys::CadenceStarted(rule.id);
    ASSIGN_OR_RETURN(bool scheduled_before, ctx_->store->Exists(Cf::kMeta, marker));
    if (scheduled_before) continue;
    auto first = FirstPeriodStart(rule, ctx_->clock->Now(), *ctx_->calendar);
    ctx_->store->Put(&b, Cf::kMeta, marker, first ? validate::FormatDate(*first) : std::string("none"));
    if (!first) continue;
    Period p = PeriodAt(rule, *first, *ctx_->calendar);
    v1::Timer tick;
    tick.set_id(absl::StrCat("tick:", rule.id, ":", p.label));
    *tick.mutable_due() = Ts(std::max(p.generate_at, ctx_->clock->Now()));
    tick.mutable_cadence_tick()->set_rule_id(rule.id);
    tick.mutable_cadence_tick()->set_period_start(validate::FormatDate(*first));
    ctx_->store->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(FromTs(tick.due())), tick.id()), tick);
    ++scheduled;
  }
  if (b.Count() == 0) return absl::OkStatus();
  spdlog::info("cadences: scheduled the first period of {} rules", scheduled);
  std::vector<v1::Notification> none;
  return ctx_->pipeline->Commit(&b, &none);
}
void Obligations::RegisterTimerHandlers(TimerRunner* timers) {
  auto fire = [this](absl::Status (Obligations::*effect)(Batch&, const v1::Timer&, bool)) {
    return [this, effect](Txn* txn, const v1::Timer& t, bool late) {
      return (this->*effect)(*static_cast<Batch*>(txn), t, late);
    };
  };
  timers->Register(v1::Timer::kCadenceTick, {fire(&Obligations::Tick), {}});
  timers->Register(v1::Timer::kReminder, {fire(&Obligations::Remind), [](const v1::Timer& t) {
                                            return std::vector<std::string>{t.reminder().obligation_id()};
                                          }});
  timers->Register(v1::Timer::kDeadline, {fire(&Obligations::Deadline), [this](const v1::Timer& t) {
                                            const std::string& id = t.deadline().obligation_id();
                                            std::vector<std::string> subjects{id};
                                            // A deadline scores the obligation's unit (which never changes).
                                            v1::Obligation o;
                                            if (ctx_->store->GetProto(Cf::kEntities,
                                                                      keys::Entity(keys::Kind::kObligation, id), &o)
                                                    .ok()) {
                                              subjects.push_back(ScoreSubject(o.unit_id()));
                                            }
                                            return subjects;
                                          }});
}


absl::StatusOr<v1::Obligation> Obligations::Get(absl::string_view id) const {
  if (id.empty()) return absl::InvalidArgumentError("obligation_id: required");
  if (!keys::IsValidComponent(id) || id.size() > 256) {
    return absl::InvalidArgumentError("obligation_id: not an obligation id");
  }
  v1::Obligation o;
  absl::Status s = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kObligation, id), &o);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("obligation_id: no obligation '", id, "'"));
  if (!s.ok()) return s;
  return o;
}

absl::StatusOr<v1::Obligation> Obligations::GetAt(absl::string_view id, uint64_t expected_version) const {
  ASSIGN_OR_RETURN(v1::Obligation o, Get(id));
  if (expected_version != 0 && expected_version != o.version()) {
    return absl::AbortedError(absl::StrCat("meta.expected_version: obligation is at version ", o.version(), ", not ",
                                           expected_version));
  }
  return o;
}

absl::StatusOr<std::vector<v1::ObligationEvent>> Obligations::History(absl::string_view id) const {
  RETURN_IF_ERROR(Get(id).status());
  return ReadEvents<v1::ObligationEvent>(*ctx_->store, id);
}

absl::StatusOr<EventPage<v1::ObligationEvent>> Obligations::HistoryPage(absl::string_view id,
                                                                             uint64_t after_version,
                                                                             int page_size) const {
  RETURN_IF_ERROR(Get(id).status());
  return ReadEventsPage<v1::ObligationEvent>(*ctx_->store, id, after_version, page_size);
}

absl::StatusOr<ObligationPage> Obligations::List(const ObligationFilter& f) const {
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
    auto ref = ctx_->directory->LookupName(f.unit);
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
  absl::Status scanned = ctx_->store->Scan(cf, prefix, [&](absl::string_view k, absl::string_view v) {
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
      bad = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kObligation, id), &o);
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

absl::StatusOr<v1::Obligation> Obligations::SubmitReport(const CommandMeta& meta, absl::string_view id,
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
  if (auto o = Get(id); o.ok()) spec.subjects.push_back(ScoreSubject(o->unit_id()));
  Batch txn(ctx_, ctx_->clock->Now());
  return Unwrap(ctx_->pipeline->Run<v1::Obligation, Batch>(
      spec, &txn, [&](Batch& w) { return SubmitReportIn(w, meta, id, text, evidence); }));
}

absl::StatusOr<v1::Obligation> Obligations::SubmitReportIn(Batch& w, const CommandMeta& meta,
                                                        absl::string_view id, absl::string_view text,
                                                        const EvidenceRefs& evidence) {
  RETURN_IF_ERROR(validate::Required("text", text, validate::kMaxText));
  ASSIGN_OR_RETURN(v1::Obligation o, GetAt(id, meta.expected_version));
  if (o.state() != v1::OBLIGATION_STATE_PENDING && o.state() != v1::OBLIGATION_STATE_RETURNED &&
      o.state() != v1::OBLIGATION_STATE_MISSED) {
    return absl::FailedPreconditionError(absl::StrCat("obligation is ", StateWord(o.state()),
                                                      ": cannot submit; allowed from pending, returned, missed"));
  }
  absl::Time now = w.now();
  bool late = now > FromTs(o.deadline());
  bool was_missed = o.state() == v1::OBLIGATION_STATE_MISSED;
  EvidenceRefs files = evidence;
  RETURN_IF_ERROR(ctx_->evidence->Resolve("evidence", meta.actor, &files));
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

absl::StatusOr<v1::Obligation> Obligations::ReviewReport(const CommandMeta& meta, absl::string_view id, bool accept,
                                                    absl::string_view reason) {
  CommandSpec spec;
  spec.info = {"obligation", std::string(id), accept ? "accept_report" : "return_report", meta};
  AddField(&spec.body, id);
  AddField(&spec.body, static_cast<int64_t>(accept));
  AddField(&spec.body, reason);
  AddField(&spec.body, meta.comment);
  AddField(&spec.body, static_cast<int64_t>(meta.expected_version));
  spec.subjects = {std::string(id)};
  if (auto o = Get(id); o.ok()) spec.subjects.push_back(ScoreSubject(o->unit_id()));
  Batch txn(ctx_, ctx_->clock->Now());
  return Unwrap(ctx_->pipeline->Run<v1::Obligation, Batch>(
      spec, &txn, [&](Batch& w) { return ReviewReportIn(w, meta, id, accept, reason); }));
}

absl::StatusOr<v1::Obligation> Obligations::ReviewReportIn(Batch& w, const CommandMeta& meta,
                                                        absl::string_view id, bool accept, absl::string_view reason) {
  if (!accept) RETURN_IF_ERROR(validate::Required("reason", reason, validate::kMaxComment));
  ASSIGN_OR_RETURN(v1::Obligation o, GetAt(id, meta.expected_version));
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

absl::StatusOr<v1::UnitScore> Obligations::GetUnitScore(absl::string_view unit) const {
  auto ref = ctx_->directory->LookupName(unit);
  if (!ref || !ref->has_unit_id()) return absl::NotFoundError(absl::StrCat("unit: unknown unit '", unit, "'"));
  v1::UnitScore s;
  absl::Status st = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kUnitScore, ref->unit_id()), &s);
  if (!st.ok() && !absl::IsNotFound(st)) return st;
  s.set_unit_id(ref->unit_id());
  return s;
}

absl::StatusOr<std::vector<v1::UnitScore>> Obligations::ListUnitScores() const {
  std::vector<v1::UnitScore> out;
  absl::Status bad;
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kUnitScore),
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

absl::StatusOr<CadenceReload> Obligations::ReloadCadences(
    std::shared_ptr<const CadenceConfig> cadences,
    const std::function<absl::StatusOr<int>(absl::string_view why)>& recompute_warning_checks) {
  if (!cadences) return absl::InvalidArgumentError("cadences: required");
  if (!ctx_->calendar || !ctx_->cadences()) {
    return absl::FailedPreconditionError("cadences: duband runs without calendar and cadences; start it with both");
  }
  CadenceReload out;
  bool warnings_changed = false;
  {
    absl::MutexLock run(&ctx_->timers->run_mu());
    const std::shared_ptr<const CadenceConfig> old = ctx_->cadences();
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
    RETURN_IF_ERROR(ctx_->store->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
      v1::Timer t;
      if (t.ParseFromArray(v.data(), static_cast<int>(v.size())) && t.has_cadence_tick() &&
          dropped.count(t.cadence_tick().rule_id())) {
        ctx_->store->Delete(&b, Cf::kTimers, std::string(k));
      }
      return true;
    }));
    // StartCadences schedules rules without a marker from their next period.
    for (const auto& id : dropped) ctx_->store->Delete(&b, Cf::kMeta, keys::CadenceStarted(id));
    std::vector<v1::Notification> none;
    RETURN_IF_ERROR(ctx_->pipeline->Commit(&b, &none));
    std::atomic_store(ctx_->cadences_slot, std::move(cadences));
  }
  RETURN_IF_ERROR(StartCadences());
  std::set<std::string> changed(out.changed.begin(), out.changed.end());
  if (!changed.empty()) {
    ASSIGN_OR_RETURN(out.obligations_moved, RecomputeDeadlines(changed, "rules reloaded"));
  }
  if (warnings_changed) {
    ASSIGN_OR_RETURN(out.warning_checks_moved, recompute_warning_checks("rules reloaded"));
  }
  spdlog::info("cadences reloaded: {} added, {} removed, {} changed, {} deadlines moved, {} warning checks moved",
               out.added.size(), out.removed.size(), out.changed.size(), out.obligations_moved,
               out.warning_checks_moved);
  return out;
}
absl::StatusOr<int> Obligations::RecomputeDeadlines(const std::set<std::string>& rule_ids, absl::string_view why) {
  absl::MutexLock run(&ctx_->timers->run_mu());
  // Every stripe, in order: no command on an obligation runs while its
  // deadline moves.
  KeyLocks::Guard all = ctx_->pipeline->locks().LockAll();
  const std::shared_ptr<const CadenceConfig> cfg = ctx_->cadences();
  if (!ctx_->calendar || !cfg) return 0;
  const WorkCalendar& cal = *ctx_->calendar;
  const absl::Time now = ctx_->clock->Now();

  // Reminder and deadline timers per obligation.
  std::map<std::string, std::vector<std::string>> timers;
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
    v1::Timer t;
    if (!t.ParseFromArray(v.data(), static_cast<int>(v.size()))) return true;
    if (t.has_reminder()) timers[t.reminder().obligation_id()].emplace_back(k);
    if (t.has_deadline()) timers[t.deadline().obligation_id()].emplace_back(k);
    return true;
  }));

  rocksdb::WriteBatch b;
  int moved = 0;
  absl::Status bad;
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kObligation), [&](absl::string_view, absl::string_view v) {
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
    ctx_->store->Put(&b, Cf::kEvents, keys::Event(o.id(), ev.version()), ev);
    ctx_->store->Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kObligation, o.id()), o);
    for (const auto& k : timers[o.id()]) ctx_->store->Delete(&b, Cf::kTimers, k);
    for (size_t r = 0; r < p.reminders.size(); ++r) {
      if (p.reminders[r] <= now) continue;
      v1::Timer rem;
      rem.set_id(absl::StrCat("rem:", o.id(), ":", r));
      *rem.mutable_due() = Ts(p.reminders[r]);
      rem.mutable_reminder()->set_obligation_id(o.id());
      rem.mutable_reminder()->set_reminder_index(static_cast<int>(r));
      ctx_->store->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(p.reminders[r]), rem.id()), rem);
    }
    v1::Timer dl;
    dl.set_id(absl::StrCat("dl:", o.id()));
    *dl.mutable_due() = Ts(p.deadline);
    dl.mutable_deadline()->set_obligation_id(o.id());
    ctx_->store->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(p.deadline), dl.id()), dl);
    ++moved;
    return true;
  }));
  RETURN_IF_ERROR(bad);
  if (moved > 0) {
    std::vector<v1::Notification> none;
    RETURN_IF_ERROR(ctx_->pipeline->Commit(&b, &none));
    spdlog::info("deadlines: {} open obligations recomputed ({})", moved, std::string(why));
  }
  return moved;
}

}  // namespace duban
