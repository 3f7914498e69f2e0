#include "engine/accountability/accountability.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/accountability/ladder_rules.h"
#include "engine/time/clock.h"
#include "engine/storage/events.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

constexpr char kTriggerIndex[] = "acct-trigger";


// ---------------------------------------------------------------- transitions

struct CaseTransition {
  CaseCommand command;
  v1::AccountabilityState from;
  v1::AccountabilityState to;
  const char* kind;  // the event's kind
};

constexpr CaseTransition kTransitions[] = {
    {CaseCommand::kHold, v1::ACCOUNTABILITY_STATE_SCHEDULED, v1::ACCOUNTABILITY_STATE_HELD, "held"},
    {CaseCommand::kFollowUp, v1::ACCOUNTABILITY_STATE_HELD, v1::ACCOUNTABILITY_STATE_FOLLOWED_UP, "followed_up"},
    {CaseCommand::kClose, v1::ACCOUNTABILITY_STATE_FOLLOWED_UP, v1::ACCOUNTABILITY_STATE_CLOSED, "closed"},
};

const CaseTransition* FindTransition(v1::AccountabilityState from, CaseCommand c) {
  for (const auto& t : kTransitions) {
    if (t.from == from && t.command == c) return &t;
  }
  return nullptr;
}

absl::StatusOr<uint64_t> ReadCounter(const Store& store, const std::string& key) {
  auto v = store.Get(Cf::kMeta, key);
  if (absl::IsNotFound(v.status())) return 1;
  RETURN_IF_ERROR(v.status());
  uint64_t n = 1;
  if (!absl::SimpleAtoi(*v, &n)) return absl::DataLossError(absl::StrCat("meta ", key, ": not a number"));
  return std::max<uint64_t>(n, 1);
}

uint64_t CaseNumber(absl::string_view id) {
  uint64_t n = 0;
  if (id.size() < 2 || id[0] != 'A' || !absl::SimpleAtoi(id.substr(1), &n)) return 0;
  return n;
}

std::string TriggerKey(absl::string_view rule_id, absl::string_view unit_id, absl::string_view period) {
  std::string k = keys::IndexPrefix(kTriggerIndex, rule_id);
  k.append(unit_id.data(), unit_id.size());
  k.push_back(keys::kSep);
  k.append(period.data(), period.size());
  return k;
}

std::string NoticeKey(absl::string_view unit_id, absl::string_view problem, absl::string_view month) {
  std::string k(unit_id);
  k.push_back(keys::kSep);
  k.append(problem.data(), problem.size());
  k.push_back(keys::kSep);
  k.append(month.data(), month.size());
  return k;
}

}  // namespace

absl::StatusOr<v1::AccountabilityState> NextCaseState(v1::AccountabilityState from, CaseCommand c) {
  if (const CaseTransition* t = FindTransition(from, c)) return t->to;
  std::vector<std::string> allowed;
  for (const auto& t : kTransitions) {
    if (t.from == from) allowed.push_back(CaseCommandName(t.command));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      CaseCommandName(c), ": the case is ", CaseStateName(from), "; allowed in ", CaseStateName(from), ": ",
      allowed.empty() ? std::string("nothing (the case is closed)") : absl::StrJoin(allowed, ", ")));
}

std::string CaseStateName(v1::AccountabilityState s) {
  switch (s) {
    case v1::ACCOUNTABILITY_STATE_SCHEDULED: return "scheduled";
    case v1::ACCOUNTABILITY_STATE_HELD: return "held";
    case v1::ACCOUNTABILITY_STATE_FOLLOWED_UP: return "followed_up";
    case v1::ACCOUNTABILITY_STATE_CLOSED: return "closed";
    default: return "unspecified";
  }
}

std::string CaseCommandName(CaseCommand c) {
  switch (c) {
    case CaseCommand::kHold: return "hold";
    case CaseCommand::kFollowUp: return "follow_up";
    case CaseCommand::kClose: return "close";
  }
  return "unknown";
}

namespace {
// The next number after the highest "<letter><n>" id of a kind, and at
// least the stored counter (the counter alone may lag: concurrent batches
// commit in any order).
// A read error is returned: a counter set too low would reuse an id.
absl::StatusOr<uint64_t> NextNumber(const Store& store, keys::Kind kind, const std::string& counter) {
  ASSIGN_OR_RETURN(uint64_t next, ReadCounter(store, counter));
  RETURN_IF_ERROR(store.Scan(Cf::kEntities, keys::EntityPrefix(kind), [&](absl::string_view k, absl::string_view) {
    uint64_t n = 0;
    if (k.size() > 2 && absl::SimpleAtoi(k.substr(2), &n)) next = std::max(next, n + 1);
    return true;
  }));
  return next;
}
}  // namespace

Accountability::Accountability(const PartContext* ctx, const Supervision* supervision,
                               std::shared_ptr<const AccountabilityConfig> config, Rankings* rankings)
    : ctx_(ctx), supervision_(supervision), config_(std::move(config)), rankings_(rankings) {
  rankings_->SetListener(this);
}

absl::Status Accountability::Init() {
  ASSIGN_OR_RETURN(uint64_t next_case, NextNumber(*ctx_->store, keys::Kind::kAccountability, keys::CaseCounter()));
  ASSIGN_OR_RETURN(uint64_t next_incident, NextNumber(*ctx_->store, keys::Kind::kIncident, keys::IncidentCounter()));
  next_case_.store(next_case);
  next_incident_.store(next_incident);
  return absl::OkStatus();
}

Accountability::~Accountability() { rankings_->SetListener(nullptr); }

void Accountability::SetConfig(std::shared_ptr<const AccountabilityConfig> config) {
  std::lock_guard<std::mutex> lock(retired_mu_);
  retired_.push_back(std::atomic_load(&config_));
  std::atomic_store(&config_, std::move(config));
}

absl::StatusOr<std::string> Accountability::ResolveUnit(absl::string_view field, absl::string_view name) const {
  RETURN_IF_ERROR(validate::Required(field, name, validate::kMaxName));
  auto r = ctx_->directory->Resolve(name);
  if (!r.ok()) return absl::NotFoundError(absl::StrCat(field, ": unknown unit '", name, "'"));
  if (r->group || r->units.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", name, "' is a group of units; name one unit"));
  }
  return r->units[0].id();
}

absl::Status Accountability::OpenCase(Pending* p, const std::string& unit_id, const std::string& rule_id,
                                      const ActionSpec& action, int step, const std::string& period,
                                      const std::string& reason, const std::string& trigger_period) {
  Store& store = *ctx_->store;
  std::string trigger = TriggerKey(rule_id, unit_id, trigger_period.empty() ? period : trigger_period);
  if (p->triggers.count(trigger)) return absl::OkStatus();  // one per period
  ASSIGN_OR_RETURN(bool opened_before, store.Exists(Cf::kIndex, trigger));
  if (opened_before) return absl::OkStatus();
  // Numbers come from a counter shared by concurrent commands; the stored
  // counter is only a floor (see NextNumber).
  uint64_t n = next_case_.fetch_add(1);
  p->next_case = n + 1;
  store.Put(p->batch, Cf::kMeta, keys::CaseCounter(), std::to_string(n + 1));
  absl::Time now = ctx_->clock->Now();

  v1::AccountabilityCase c;
  c.set_id(absl::StrCat("A", n));
  c.set_unit_id(unit_id);
  c.set_action(action.id);
  c.set_action_name(action.name);
  c.set_by_role(action.by_role);
  c.set_ladder_id(rule_id);
  c.set_period(period);
  c.set_reason(reason);
  c.set_state(v1::ACCOUNTABILITY_STATE_SCHEDULED);
  c.set_version(1);
  c.set_step(step);
  *c.mutable_created_at() = Ts(now);
  *c.mutable_updated_at() = Ts(now);

  v1::AccountabilityEvent ev;
  ev.set_case_id(c.id());
  ev.set_version(1);
  *ev.mutable_at() = Ts(now);
  ev.set_actor(p->actor);
  ev.set_kind("opened");
  ev.set_from_state(v1::ACCOUNTABILITY_STATE_UNSPECIFIED);
  ev.set_to_state(v1::ACCOUNTABILITY_STATE_SCHEDULED);
  ev.set_text(reason);

  store.Put(p->batch, Cf::kEntities, keys::Entity(keys::Kind::kAccountability, c.id()), c);
  store.Put(p->batch, Cf::kEvents, keys::Event(c.id(), 1), ev);
  store.Put(p->batch, Cf::kIndex, trigger, c.id());
  p->triggers.insert(trigger);

  auto role = p->cfg->roles.find(action.by_role);
  std::string role_title = role != p->cfg->roles.end() ? role->second : action.by_role;
  auto unit = ctx_->directory->GetUnit(unit_id);
  v1::Notification note;
  note.set_recipient(unit_id);
  note.set_kind(v1::NOTIFICATION_KIND_ACCOUNTABILITY);
  note.set_subject_id(c.id());
  note.set_title(absl::StrCat(action.name, "（", role_title, "）：", unit.ok() ? unit->name() : unit_id, " ", period));
  note.set_body(reason);
  *note.mutable_created_at() = Ts(now);
  p->notes->push_back(std::move(note));
  p->opened->push_back(c);
  return absl::OkStatus();
}

// ---------------------------------------------------------------- rankings

absl::Status Accountability::OnRanking(const v1::Ranking& ranking, const Board& board, rocksdb::WriteBatch* batch,
                                       std::vector<v1::Notification>* notes,
                                       std::vector<v1::AccountabilityCase>* opened) {
  Pending p;
  p.batch = batch;
  p.notes = notes;
  p.opened = opened;
  p.actor = ranking.published_by();
  p.cfg = current();
  const AccountabilityConfig& cfg = *p.cfg;
  ASSIGN_OR_RETURN(int64_t ord, ParsePeriod(board.cadence, "period", ranking.period()));
  const int year = PeriodYear(board.cadence, ord);
  auto period_of = [](const Board& b, int64_t o) {
    absl::CivilDay start = PeriodStart(b.cadence, o);
    return Occurrence{start, PeriodStart(b.cadence, o + 1) - 1};
  };
  const Occurrence this_period = period_of(board, ord);

  // Stored rankings of every board a ladder names, read once; the new
  // ranking replaces a stored one of its period.
  std::map<std::string, std::map<int64_t, v1::Ranking>> stored;
  absl::Status scanned_bad;
  auto rankings_of = [&](const std::string& board_id) -> const std::map<int64_t, v1::Ranking>& {
    auto it = stored.find(board_id);
    if (it != stored.end()) return it->second;
    std::map<int64_t, v1::Ranking> m;
    const Board* b = cfg.FindBoard(board_id);
    std::string prefix = keys::Entity(keys::Kind::kRanking, absl::StrCat(board_id, ":"));
    absl::Status scanned = ctx_->store->Scan(Cf::kEntities, prefix, [&](absl::string_view, absl::string_view v) {
      v1::Ranking r;
      if (!r.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
        scanned_bad = absl::DataLossError(absl::StrCat("rankings: record of board '", board_id, "' cannot be parsed"));
        return false;
      }
      auto o = ParsePeriod(b->cadence, "period", r.period());
      if (o.ok()) m[*o] = std::move(r);
      return true;
    });
    if (!scanned.ok() && p.read_error.ok()) p.read_error = scanned;
    if (!scanned_bad.ok() && p.read_error.ok()) p.read_error = scanned_bad;
    if (board_id == board.id) m[ord] = ranking;
    return stored.emplace(board_id, std::move(m)).first->second;
  };

  for (const Ladder& ladder : cfg.ladders) {
    if (ladder.signal != LadderSignal::kRanking || !ladder.OnBoard(board.id)) continue;
    const bool several = ladder.boards.size() > 1;
    // Units in the band per board and period.
    std::map<std::string, std::map<int64_t, std::set<std::string>>> bands;
    for (const std::string& b : ladder.boards) {
      const Board* bd = cfg.FindBoard(b);
      for (const auto& [o, r] : rankings_of(b)) bands[b][o] = UnitsInBand(r, ladder.band.bottom, bd->tie_rule);
    }
    const std::set<std::string>& now_in = bands[board.id][ord];
    const std::string trigger_period = several ? absl::StrCat(board.id, "@", ranking.period()) : ranking.period();
    RETURN_IF_ERROR(WithdrawReplaced(&p, ladder.id, trigger_period, now_in));
    // In rank order, so case numbers follow the ranking.
    for (const auto& e : ranking.entries()) {
      const std::string& unit = e.unit_id();
      if (!now_in.count(unit)) continue;
      std::optional<absl::CivilDay> cutoff;
      if (ladder.restart_after_case) cutoff = LastCaseEnd(&p, ladder.id, unit, trigger_period, this_period.end);
      auto counted = [&](const Occurrence& o) { return !cutoff || o.start > *cutoff; };

      std::vector<Occurrence> occurrences{this_period};
      for (const std::string& b : ladder.boards) {
        const Board* bd = cfg.FindBoard(b);
        for (const auto& [o, units] : bands[b]) {
          if (b == board.id && o == ord) continue;
          Occurrence occ = period_of(*bd, o);
          if (units.count(unit) && counted(occ)) occurrences.push_back(occ);
        }
      }
      LadderCounts counts = CountWindows(occurrences, this_period);
      if (!several) {
        const auto& mine = bands[board.id];
        for (int64_t o = ord; o >= 0; --o) {
          auto it = mine.find(o);
          if (it == mine.end() || !it->second.count(unit) || (o != ord && !counted(period_of(board, o)))) break;
          ++counts.consecutive;
        }
      }
      auto u = ctx_->directory->GetUnit(unit);
      v1::UnitCategory cat = u.ok() ? u->category() : v1::UNIT_CATEGORY_UNSPECIFIED;
      std::optional<StepChoice> choice = ChooseStep(ladder, cfg, cat, counts);
      if (!choice) continue;
      std::string reason = absl::StrCat(
          board.name, " ", ranking.period(), "：", u.ok() ? u->name() : unit,
          LadderEventWords(ladder, cfg), "（", CountFacts(ladder, counts, year, cutoff.has_value()), "）。依据“",
          ladder.name.empty() ? ladder.id : ladder.name, "”：", choice->rule, "。");
      RETURN_IF_ERROR(OpenCase(&p, unit, ladder.id, choice->action, choice->step, ranking.period(), reason,
                               trigger_period));
    }
  }
  return p.read_error;
}

absl::Status Accountability::WithdrawReplaced(Pending* p, const std::string& ladder_id, const std::string& period,
                                              const std::set<std::string>& still_in) {
  Store& store = *ctx_->store;
  std::string prefix = keys::IndexPrefix(kTriggerIndex, ladder_id);
  std::vector<std::pair<std::string, std::string>> found;  // trigger key, case id
  absl::Status scanned = store.Scan(Cf::kIndex, prefix, [&](absl::string_view k, absl::string_view v) {
    absl::string_view rest = k.substr(prefix.size());
    size_t sep = rest.find(keys::kSep);
    if (sep == absl::string_view::npos || rest.substr(sep + 1) != period) return true;
    if (still_in.count(std::string(rest.substr(0, sep)))) return true;
    found.emplace_back(std::string(k), std::string(v));
    return true;
  });
  RETURN_IF_ERROR(scanned);
  absl::Time now = ctx_->clock->Now();
  for (const auto& [trigger, case_id] : found) {
    store.Delete(p->batch, Cf::kIndex, trigger);
    v1::AccountabilityCase c;
    absl::Status s = store.GetProto(Cf::kEntities, keys::Entity(keys::Kind::kAccountability, case_id), &c);
    if (absl::IsNotFound(s)) continue;
    RETURN_IF_ERROR(s);
    if (c.state() == v1::ACCOUNTABILITY_STATE_CLOSED) continue;
    v1::AccountabilityEvent ev;
    ev.set_case_id(c.id());
    ev.set_version(c.version() + 1);
    *ev.mutable_at() = Ts(now);
    ev.set_actor(p->actor);
    ev.set_kind("withdrawn");
    ev.set_from_state(c.state());
    ev.set_to_state(v1::ACCOUNTABILITY_STATE_CLOSED);
    ev.set_text(absl::StrCat("排名 ", period, " 已更正，该单位不再位于排名区间，撤销"));
    c.set_state(v1::ACCOUNTABILITY_STATE_CLOSED);
    c.set_version(ev.version());
    *c.mutable_updated_at() = Ts(now);
    store.Put(p->batch, Cf::kEntities, keys::Entity(keys::Kind::kAccountability, c.id()), c);
    store.Put(p->batch, Cf::kEvents, keys::Event(c.id(), ev.version()), ev);
    v1::Notification note;
    note.set_recipient(c.unit_id());
    note.set_kind(v1::NOTIFICATION_KIND_ACCOUNTABILITY);
    note.set_subject_id(c.id());
    note.set_title(absl::StrCat("撤销：", c.action_name(), " ", period, "（排名已更正）"));
    *note.mutable_created_at() = Ts(now);
    p->notes->push_back(std::move(note));
  }
  return absl::OkStatus();
}

std::optional<absl::CivilDay> Accountability::LastCaseEnd(Pending* p, const std::string& rule_id,
                                                          const std::string& unit_id,
                                                          const std::string& current_trigger,
                                                          absl::CivilDay until) const {
  std::optional<absl::CivilDay> last;
  auto consider = [&](absl::string_view period) {
    if (period == current_trigger) return;
    auto end = PeriodLabelEndDay(period);
    if (!end.ok() || *end > until) return;
    if (!last || *end > *last) last = *end;
  };
  std::string prefix = TriggerKey(rule_id, unit_id, "");
  absl::Status scanned = ctx_->store->Scan(Cf::kIndex, prefix, [&](absl::string_view k, absl::string_view) {
    consider(k.substr(prefix.size()));
    return true;
  });
  if (!scanned.ok() && p->read_error.ok()) p->read_error = scanned;
  for (const std::string& t : p->triggers) {
    if (absl::StartsWith(t, prefix)) consider(absl::string_view(t).substr(prefix.size()));
  }
  return last;
}

// ---------------------------------------------------------------- incidents

absl::StatusOr<IncidentResult> Accountability::ReportIncident(const CommandMeta& meta, const IncidentInput& in) {
  RETURN_IF_ERROR(CheckCommandMeta(meta));
  ASSIGN_OR_RETURN(std::string unit_id, ResolveUnit("unit", in.unit));
  ASSIGN_OR_RETURN(absl::CivilDay day, validate::Date("date", in.date));
  absl::CivilDay today = absl::ToCivilDay(ctx_->clock->Now(), PlanTimeZone());
  if (day > today) {
    return absl::InvalidArgumentError(
        absl::StrCat("date: ", in.date, " is in the future (today is ", validate::FormatDate(today), ")"));
  }
  RETURN_IF_ERROR(validate::Required("kind", in.kind, validate::kMaxId));
  const std::shared_ptr<const AccountabilityConfig> cfg = current();
  auto kind = cfg->incident_kinds.find(in.kind);
  if (kind == cfg->incident_kinds.end()) {
    std::vector<std::string> known;
    for (const auto& [k, name] : cfg->incident_kinds) known.push_back(k);
    return absl::InvalidArgumentError(
        absl::StrCat("kind: unknown incident kind '", in.kind, "' (known: ", absl::StrJoin(known, ", "), ")"));
  }
  if (in.deaths < 0 || in.deaths > 10000) return absl::InvalidArgumentError("deaths: must be 0 to 10000");
  RETURN_IF_ERROR(validate::Optional("description", in.description, validate::kMaxText));
  std::string month = absl::StrFormat("%04d-%02d", day.year(), day.month());

  KeyLocks::Guard lock = ctx_->pipeline->locks().Lock({AccountabilitySubject(unit_id)});
  Store& store = *ctx_->store;
  rocksdb::WriteBatch batch;
  std::vector<v1::Notification> notes;
  IncidentResult result;
  Pending p;
  p.batch = &batch;
  p.notes = &notes;
  p.opened = &result.opened;
  p.actor = meta.actor;
  p.cfg = cfg;

  uint64_t n = next_incident_.fetch_add(1);
  v1::Incident& inc = result.incident;
  inc.set_id(absl::StrCat("I", n));
  inc.set_unit_id(unit_id);
  inc.set_date(validate::FormatDate(day));
  inc.set_kind(in.kind);
  inc.set_deaths(in.deaths);
  inc.set_description(in.description);
  store.Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kIncident, inc.id()), inc);
  store.Put(&batch, Cf::kMeta, keys::IncidentCounter(), std::to_string(n + 1));

  for (const IncidentRule& rule : cfg->incident_rules) {
    bool kind_ok = rule.kinds.empty() || std::find(rule.kinds.begin(), rule.kinds.end(), in.kind) != rule.kinds.end();
    if (!kind_ok || in.deaths < rule.min_deaths) continue;
    std::string reason = absl::StrCat(inc.date(), " ", kind->second, "事故，死亡", in.deaths, "人（", inc.id(), "）",
                                      in.description.empty() ? "" : "：", in.description);
    RETURN_IF_ERROR(OpenCase(&p, unit_id, rule.id, rule.action, 1, month, reason));
  }
  RETURN_IF_ERROR(ctx_->pipeline->Audit({"incident", inc.id(), "report_incident", meta}, inc, &batch));
  RETURN_IF_ERROR(ctx_->pipeline->Commit(&batch, &notes));
  spdlog::info("incident={} unit={} kind={} deaths={} actor={} cases={} result=OK", inc.id(), unit_id, in.kind,
               in.deaths, meta.actor, result.opened.size());
  return result;
}

// ---------------------------------------------------------------- monthly notices

absl::StatusOr<NoticeResult> Accountability::RecordNoticeProblem(const CommandMeta& meta, absl::string_view unit,
                                                                 absl::string_view month, absl::string_view problem) {
  RETURN_IF_ERROR(CheckCommandMeta(meta));
  ASSIGN_OR_RETURN(std::string unit_id, ResolveUnit("unit", unit));
  ASSIGN_OR_RETURN(int64_t ord, ParsePeriod(BoardCadence::kMonthly, "month", month));
  absl::CivilDay today = absl::ToCivilDay(ctx_->clock->Now(), PlanTimeZone());
  if (PeriodStart(BoardCadence::kMonthly, ord) > today) {
    return absl::InvalidArgumentError(absl::StrCat("month: ", month, " has not begun (today is ",
                                                   validate::FormatDate(today), ")"));
  }
  RETURN_IF_ERROR(validate::Required("problem", problem, validate::kMaxTitle));

  KeyLocks::Guard lock = ctx_->pipeline->locks().Lock({AccountabilitySubject(unit_id)});
  Store& store = *ctx_->store;
  std::string key = keys::Entity(keys::Kind::kNoticeProblem, NoticeKey(unit_id, problem, month));
  ASSIGN_OR_RETURN(bool recorded, store.Exists(Cf::kEntities, key));
  if (recorded) {
    return absl::AlreadyExistsError(
        absl::StrCat("problem: '", problem, "' is already recorded against ", unit_id, " for ", month));
  }
  NoticeResult result;
  result.problem.set_unit_id(unit_id);
  result.problem.set_month(std::string(month));
  result.problem.set_problem(std::string(problem));

  // The months that named this problem against the unit, this one included.
  std::set<std::string> months{std::string(month)};
  std::string prefix = keys::Entity(keys::Kind::kNoticeProblem, NoticeKey(unit_id, problem, ""));
  RETURN_IF_ERROR(store.Scan(Cf::kEntities, prefix, [&](absl::string_view k, absl::string_view) {
    months.insert(std::string(k.substr(prefix.size())));
    return true;
  }));
  result.times = static_cast<int>(months.size());

  rocksdb::WriteBatch batch;
  std::vector<v1::Notification> notes;
  Pending p;
  p.batch = &batch;
  p.notes = &notes;
  p.opened = &result.opened;
  p.actor = meta.actor;
  p.cfg = current();
  store.Put(&batch, Cf::kEntities, key, result.problem);
  for (const NoticeRule& rule : p.cfg->notice_rules) {
    if (result.times < rule.repeats) continue;
    std::string reason = absl::StrCat("同一问题在", result.times, "期月通报中出现：", problem, "（",
                                      absl::StrJoin(months, "、"), "）");
    RETURN_IF_ERROR(OpenCase(&p, unit_id, rule.id, rule.action, 1, std::string(month), reason));
  }
  RETURN_IF_ERROR(ctx_->pipeline->Audit({"notice_problem", unit_id, "record_notice_problem", meta},
                                            result.problem, &batch));
  RETURN_IF_ERROR(ctx_->pipeline->Commit(&batch, &notes));
  spdlog::info("notice_problem unit={} month={} times={} actor={} cases={} result=OK", unit_id, result.problem.month(), result.times,
               meta.actor, result.opened.size());
  return result;
}

// ---------------------------------------------------------------- workflow

absl::StatusOr<v1::AccountabilityCase> Accountability::Act(const CommandMeta& meta, absl::string_view case_id,
                                                           CaseCommand command, const CaseInput& in) {
  RETURN_IF_ERROR(CheckCommandMeta(meta));
  RETURN_IF_ERROR(validate::Required("case_id", case_id, validate::kMaxId));
  KeyLocks::Guard lock = ctx_->pipeline->locks().Lock({std::string(case_id)});
  ASSIGN_OR_RETURN(v1::AccountabilityCase c, GetCase(case_id));
  if (meta.expected_version != 0 && meta.expected_version != c.version()) {
    return absl::AbortedError(absl::StrCat("meta.expected_version: case ", c.id(), " is at version ", c.version(),
                                           ", not ", meta.expected_version));
  }
  auto next = NextCaseState(c.state(), command);
  if (!next.ok()) return absl::FailedPreconditionError(absl::StrCat("case ", c.id(), ": ", next.status().message()));
  const CaseTransition* t = FindTransition(c.state(), command);

  if (!in.evidence.empty() && command != CaseCommand::kFollowUp) {
    return absl::InvalidArgumentError(
        absl::StrCat("evidence: only a follow-up carries files, not ", CaseCommandName(command)));
  }
  EvidenceRefs files = in.evidence;
  RETURN_IF_ERROR(ctx_->evidence->Resolve("evidence", meta.actor, &files));
  std::string text;
  switch (command) {
    case CaseCommand::kHold: {
      RETURN_IF_ERROR(validate::Required("minutes", in.minutes, validate::kMaxText));
      if (in.commitments.empty()) {
        return absl::InvalidArgumentError("commitments: at least one commitment is required");
      }
      for (size_t i = 0; i < in.commitments.size(); ++i) {
        RETURN_IF_ERROR(validate::Required(absl::StrCat("commitments[", i, "]"), in.commitments[i], validate::kMaxText));
      }
      c.set_minutes(in.minutes);
      c.clear_commitments();
      for (const auto& s : in.commitments) c.add_commitments(s);
      text = absl::StrCat(in.minutes, "\n承诺：", absl::StrJoin(in.commitments, "；"));
      break;
    }
    case CaseCommand::kFollowUp:
      RETURN_IF_ERROR(validate::Required("follow_up", in.follow_up, validate::kMaxText));
      c.set_follow_up(in.follow_up);
      text = in.follow_up;
      break;
    case CaseCommand::kClose:
      RETURN_IF_ERROR(validate::Optional("text", in.text, validate::kMaxText));
      text = in.text;
      break;
  }

  absl::Time now = ctx_->clock->Now();
  v1::AccountabilityEvent ev;
  ev.set_case_id(c.id());
  ev.set_version(c.version() + 1);
  *ev.mutable_at() = Ts(now);
  ev.set_actor(meta.actor);
  ev.set_kind(t->kind);
  ev.set_from_state(c.state());
  ev.set_to_state(*next);
  ev.set_text(text);
  *ev.mutable_evidence() = files;
  c.set_state(*next);
  c.set_version(ev.version());
  *c.mutable_updated_at() = Ts(now);

  rocksdb::WriteBatch batch;
  if (!files.empty()) {
    ctx_->evidence->PutAttachments(
        &batch, files, NewEvidenceAttachment("case", c.id(), ev.version(), now, meta.actor, {c.unit_id()}));
  }
  ctx_->store->Put(&batch, Cf::kEntities, keys::Entity(keys::Kind::kAccountability, c.id()), c);
  ctx_->store->Put(&batch, Cf::kEvents, keys::Event(c.id(), ev.version()), ev);
  RETURN_IF_ERROR(ctx_->pipeline->Audit({"case", c.id(), CaseCommandName(command), meta}, c, &batch));
  std::vector<v1::Notification> none;
  RETURN_IF_ERROR(ctx_->pipeline->Commit(&batch, &none));
  spdlog::info("case={} command={} actor={} state={} result=OK", c.id(), CaseCommandName(command), meta.actor,
               CaseStateName(c.state()));
  return c;
}

absl::StatusOr<v1::AccountabilityCase> Accountability::Hold(const CommandMeta& meta, absl::string_view case_id,
                                                            absl::string_view minutes,
                                                            const std::vector<std::string>& commitments) {
  CaseInput in;
  in.minutes = std::string(minutes);
  in.commitments = commitments;
  return Act(meta, case_id, CaseCommand::kHold, in);
}

absl::StatusOr<v1::AccountabilityCase> Accountability::FollowUp(const CommandMeta& meta, absl::string_view case_id,
                                                                absl::string_view follow_up,
                                                                const EvidenceRefs& evidence) {
  CaseInput in;
  in.follow_up = std::string(follow_up);
  in.evidence = evidence;
  return Act(meta, case_id, CaseCommand::kFollowUp, in);
}

absl::StatusOr<v1::AccountabilityCase> Accountability::Close(const CommandMeta& meta, absl::string_view case_id,
                                                             absl::string_view text) {
  CaseInput in;
  in.text = std::string(text);
  return Act(meta, case_id, CaseCommand::kClose, in);
}

// ---------------------------------------------------------------- reads

absl::StatusOr<v1::AccountabilityCase> Accountability::GetCase(absl::string_view case_id) const {
  if (!keys::IsValidComponent(case_id)) return absl::InvalidArgumentError("case_id: required");
  v1::AccountabilityCase c;
  absl::Status s = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kAccountability, case_id), &c);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("case_id: no case '", case_id, "'"));
  RETURN_IF_ERROR(s);
  return c;
}

namespace {
bool MatchesCaseFilter(const CaseFilter& f, const std::string& unit_id, const v1::AccountabilityCase& c) {
  if (!unit_id.empty() && c.unit_id() != unit_id) return false;
  if (!f.period.empty() && c.period() != f.period) return false;
  if (f.state != v1::ACCOUNTABILITY_STATE_UNSPECIFIED && c.state() != f.state) return false;
  if (!f.rule_id.empty() && c.ladder_id() != f.rule_id) return false;
  return true;
}
}  // namespace

absl::StatusOr<std::string> Accountability::CheckCaseFilter(const CaseFilter& f) const {
  std::string unit_id;
  if (!f.unit.empty()) {
    ASSIGN_OR_RETURN(unit_id, ResolveUnit("unit", f.unit));
  }
  if (!v1::AccountabilityState_IsValid(f.state)) {
    return absl::InvalidArgumentError(absl::StrCat("state: unknown value ", static_cast<int>(f.state)));
  }
  return unit_id;
}

absl::StatusOr<std::vector<v1::AccountabilityCase>> Accountability::ListCases(const CaseFilter& f) const {
  ASSIGN_OR_RETURN(std::string unit_id, CheckCaseFilter(f));
  std::vector<v1::AccountabilityCase> out;
  absl::Status bad;
  absl::Status scanned = ctx_->store->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kAccountability),
                        [&](absl::string_view, absl::string_view v) {
                          v1::AccountabilityCase c;
                          if (!c.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
                            bad = absl::DataLossError("accountability cases: unparsable record");
                            return false;
                          }
                          if (MatchesCaseFilter(f, unit_id, c)) out.push_back(std::move(c));
                          return true;
                        });
  RETURN_IF_ERROR(scanned);
  RETURN_IF_ERROR(bad);
  std::sort(out.begin(), out.end(), [](const v1::AccountabilityCase& a, const v1::AccountabilityCase& b) {
    return CaseNumber(a.id()) < CaseNumber(b.id());
  });
  return out;
}

// Case ids are "A<n>" from one counter, so the cases are read by number (a
// scan of the keys would give A10 before A2); a number whose command failed
// has no case.
absl::StatusOr<CasePage> Accountability::ListCasesPage(const CaseFilter& f) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(f.page_size, kDefaultListPageSize, kMaxListPageSize));
  ASSIGN_OR_RETURN(std::string unit_id, CheckCaseFilter(f));
  ASSIGN_OR_RETURN(uint64_t after, NumberedTokenAfter(f.page_token, keys::Kind::kAccountability, "A"));
  CasePage page;
  size_t bytes = 0;
  uint64_t last = next_case_.load() - 1;
  for (uint64_t n = after + 1; n <= last; ++n) {
    v1::AccountabilityCase c;
    absl::Status s = ctx_->store->GetProto(Cf::kEntities, NumberedKey(keys::Kind::kAccountability, "A", n), &c);
    if (absl::IsNotFound(s)) continue;
    RETURN_IF_ERROR(s);
    if (!MatchesCaseFilter(f, unit_id, c)) continue;
    size_t size = c.ByteSizeLong();
    if (static_cast<int>(page.cases.size()) == page_size || (!page.cases.empty() && bytes + size > kMaxPageBytes)) {
      page.next_page_token = PageToken(NumberedKey(keys::Kind::kAccountability, "A", n - 1));
      break;
    }
    bytes += size;
    page.cases.push_back(std::move(c));
  }
  return page;
}

absl::StatusOr<std::vector<v1::AccountabilityEvent>> Accountability::CaseHistory(absl::string_view case_id) const {
  RETURN_IF_ERROR(GetCase(case_id).status());
  return ReadEvents<v1::AccountabilityEvent>(*ctx_->store, case_id);
}

absl::StatusOr<EventPage<v1::AccountabilityEvent>> Accountability::CaseHistoryPage(absl::string_view case_id,
                                                                                   uint64_t after_version,
                                                                                   int page_size) const {
  RETURN_IF_ERROR(GetCase(case_id).status());
  return ReadEventsPage<v1::AccountabilityEvent>(*ctx_->store, case_id, after_version, page_size);
}

}  // namespace duban
