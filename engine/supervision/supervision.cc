// Supervision items: config, transition table, and the part Supervision:
// its commands, reads and timers.
#include "engine/supervision/supervision.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/obligations/obligations.h"
#include "engine/storage/events.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "engine/tasks/task_commands.h"
#include "spdlog/spdlog.h"

namespace duban {

using v1::SupervisionState;

// ---------------------------------------------------------------- config

absl::StatusOr<SupervisionConfig> LoadSupervisionFile(const std::string& path) {
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::ParseFile(path));
  return LoadSupervision(doc);
}

absl::StatusOr<SupervisionConfig> LoadSupervision(const yamlx::Doc& doc) {
  SupervisionConfig c;
  c.file = doc.file;
  const YAML::Node& r = doc.root;
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, r, "", {"levels", "supervisors", "lookback_working_days",
                                               "default_deadline_working_days", "escalation"}));
  ASSIGN_OR_RETURN(YAML::Node levels, yamlx::Seq(doc, r, "levels", "", true));
  if (levels.size() != 3) return yamlx::Error(doc, levels, "levels: exactly three levels (1, 2, 3) are required");
  for (size_t i = 0; i < levels.size(); ++i) {
    std::string p = absl::StrCat("levels[", i, "]");
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, levels[i], p, {"level", "name", "listed_by"}));
    SupervisionLevel l;
    ASSIGN_OR_RETURN(l.level, yamlx::Int(doc, levels[i], "level", p, true));
    if (l.level != static_cast<int>(i) + 1) return yamlx::Error(doc, levels[i], p + ".level: levels must be 1, 2, 3 in order");
    ASSIGN_OR_RETURN(l.name, yamlx::String(doc, levels[i], "name", p, true));
    ASSIGN_OR_RETURN(l.listed_by, yamlx::String(doc, levels[i], "listed_by", p, true));
    c.levels.push_back(l);
  }
  ASSIGN_OR_RETURN(c.supervisors, yamlx::StringList(doc, r, "supervisors", ""));
  if (c.supervisors.empty()) return yamlx::Error(doc, r, "supervisors: at least one supervisor is required");
  ASSIGN_OR_RETURN(c.lookback_working_days, yamlx::Int(doc, r, "lookback_working_days", "", false, 20));
  if (c.lookback_working_days < 1 || c.lookback_working_days > 250) {
    return yamlx::Error(doc, r["lookback_working_days"], "lookback_working_days: must be 1 to 250");
  }
  ASSIGN_OR_RETURN(c.default_deadline_working_days, yamlx::Int(doc, r, "default_deadline_working_days", "", false, 10));
  if (c.default_deadline_working_days < 1 || c.default_deadline_working_days > 250) {
    return yamlx::Error(doc, r["default_deadline_working_days"], "default_deadline_working_days: must be 1 to 250");
  }
  ASSIGN_OR_RETURN(YAML::Node rules, yamlx::Seq(doc, r, "escalation", "", false));
  std::set<std::string> ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    const YAML::Node& n = rules[i];
    std::string p = absl::StrCat("escalation[", i, "]");
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, n, p, {"id", "when", "then", "note"}));
    EscalationRule rule;
    rule.line = n.Mark().line + 1;
    ASSIGN_OR_RETURN(rule.id, yamlx::String(doc, n, "id", p, true));
    if (auto s = validate::Id(p + ".id", rule.id); !s.ok()) return yamlx::Error(doc, n["id"], s.message());
    if (!ids.insert(rule.id).second) return yamlx::Error(doc, n["id"], absl::StrCat(p, ".id: duplicate rule '", rule.id, "'"));
    ASSIGN_OR_RETURN(YAML::Node when, yamlx::Map(doc, n, "when", p, true));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, when, p + ".when", {"task_red_working_days", "level", "overdue_working_days"}));
    ASSIGN_OR_RETURN(YAML::Node then, yamlx::Map(doc, n, "then", p, true));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, then, p + ".then", {"list_at_level", "escalate", "deadline_working_days"}));
    bool red = when["task_red_working_days"].IsDefined();
    bool overdue = when["level"].IsDefined();
    if (red == overdue) {
      return yamlx::Error(doc, when, p + ".when: give task_red_working_days, or level with overdue_working_days");
    }
    if (red) {
      ASSIGN_OR_RETURN(int days, yamlx::Int(doc, when, "task_red_working_days", p + ".when", true));
      if (days < 0 || days > 250) return yamlx::Error(doc, when, p + ".when.task_red_working_days: must be 0 to 250");
      rule.task_red_working_days = days;
      ASSIGN_OR_RETURN(rule.list_level, yamlx::Int(doc, then, "list_at_level", p + ".then", true));
      if (rule.list_level < 1 || rule.list_level > 3) return yamlx::Error(doc, then, p + ".then.list_at_level: must be 1 to 3");
      if (then["escalate"].IsDefined()) return yamlx::Error(doc, then, p + ".then.escalate: only for overdue rules");
    } else {
      ASSIGN_OR_RETURN(int level, yamlx::Int(doc, when, "level", p + ".when", true));
      if (level < 1 || level > 2) return yamlx::Error(doc, when["level"], p + ".when.level: must be 1 or 2 (3 is the top)");
      rule.overdue_level = level;
      ASSIGN_OR_RETURN(rule.overdue_working_days, yamlx::Int(doc, when, "overdue_working_days", p + ".when", false, 0));
      if (rule.overdue_working_days < 0 || rule.overdue_working_days > 250) {
        return yamlx::Error(doc, when, p + ".when.overdue_working_days: must be 0 to 250");
      }
      ASSIGN_OR_RETURN(bool esc, yamlx::Bool(doc, then, "escalate", p + ".then", false));
      if (!esc) return yamlx::Error(doc, then, p + ".then.escalate: must be true for an overdue rule");
      if (then["list_at_level"].IsDefined()) return yamlx::Error(doc, then, p + ".then.list_at_level: only for task_red rules");
    }
    ASSIGN_OR_RETURN(rule.deadline_working_days,
                     yamlx::Int(doc, then, "deadline_working_days", p + ".then", false, c.default_deadline_working_days));
    if (rule.deadline_working_days < 1 || rule.deadline_working_days > 250) {
      return yamlx::Error(doc, then, p + ".then.deadline_working_days: must be 1 to 250");
    }
    c.rules.push_back(rule);
  }
  return c;
}

// ---------------------------------------------------------------- state machine

namespace {

struct Row {
  SupervisionState from;
  SupervisionCommand command;
  SupervisionState to;
};

const std::vector<Row>& Table() {
  using S = SupervisionState;
  using C = SupervisionCommand;
  static const std::vector<Row> rows = {
      {S::SUPERVISION_STATE_LISTED, C::kStartRectification, S::SUPERVISION_STATE_RECTIFYING},
      {S::SUPERVISION_STATE_LISTED, C::kReportRectification, S::SUPERVISION_STATE_RECTIFICATION_REPORTED},
      {S::SUPERVISION_STATE_RECTIFYING, C::kReportRectification, S::SUPERVISION_STATE_RECTIFICATION_REPORTED},
      {S::SUPERVISION_STATE_RECTIFICATION_REPORTED, C::kVerify, S::SUPERVISION_STATE_VERIFIED},
      {S::SUPERVISION_STATE_RECTIFICATION_REPORTED, C::kReturn, S::SUPERVISION_STATE_RECTIFYING},
      {S::SUPERVISION_STATE_VERIFIED, C::kClose, S::SUPERVISION_STATE_CLOSED},
      {S::SUPERVISION_STATE_CLOSED, C::kLookBackPassed, S::SUPERVISION_STATE_CLOSED},
      {S::SUPERVISION_STATE_CLOSED, C::kReopen, S::SUPERVISION_STATE_RECTIFYING},
  };
  return rows;
}

bool IsOpen(SupervisionState s) {
  return s != v1::SUPERVISION_STATE_CLOSED && s != v1::SUPERVISION_STATE_VERIFIED;
}

std::string EventKind(SupervisionCommand c) {
  switch (c) {
    case SupervisionCommand::kStartRectification: return "rectifying";
    case SupervisionCommand::kReportRectification: return "reported";
    case SupervisionCommand::kVerify: return "verified";
    case SupervisionCommand::kReturn: return "returned";
    case SupervisionCommand::kClose: return "closed";
    case SupervisionCommand::kLookBackPassed: return "lookback_passed";
    case SupervisionCommand::kReopen: return "reopened";
  }
  return "?";
}

}  // namespace

std::string SupervisionStateName(SupervisionState s) {
  std::string n = v1::SupervisionState_Name(s);
  std::string out = n.rfind("SUPERVISION_STATE_", 0) == 0 ? n.substr(18) : n;
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string SupervisionCommandName(SupervisionCommand c) {
  switch (c) {
    case SupervisionCommand::kStartRectification: return "start_rectification";
    case SupervisionCommand::kReportRectification: return "report_rectification";
    case SupervisionCommand::kVerify: return "verify";
    case SupervisionCommand::kReturn: return "return";
    case SupervisionCommand::kClose: return "close";
    case SupervisionCommand::kLookBackPassed: return "lookback_passed";
    case SupervisionCommand::kReopen: return "reopen";
  }
  return "?";
}

bool NeedsSupervisor(SupervisionCommand c) {
  return c == SupervisionCommand::kVerify || c == SupervisionCommand::kReturn || c == SupervisionCommand::kClose ||
         c == SupervisionCommand::kLookBackPassed || c == SupervisionCommand::kReopen;
}

absl::StatusOr<SupervisionState> NextSupervisionState(SupervisionState from, SupervisionCommand c) {
  std::vector<std::string> allowed;
  for (const Row& r : Table()) {
    if (r.from != from) continue;
    if (r.command == c) return r.to;
    allowed.push_back(SupervisionCommandName(r.command));
  }
  return absl::FailedPreconditionError(absl::StrCat("supervision item is ", SupervisionStateName(from), ": cannot ",
                                                    SupervisionCommandName(c), "; allowed: ",
                                                    allowed.empty() ? std::string("escalate") :
                                                    absl::StrCat(absl::StrJoin(allowed, ", "), ", escalate")));
}

// ---------------------------------------------------------------- the part

namespace {

// The one log line of a command: what, on what, by whom, the result and
// the latency.
void LogCommand(absl::string_view subject_kind, absl::string_view subject_id, absl::string_view command,
                absl::string_view actor, const absl::Status& result, absl::Time start) {
  spdlog::info("{}={} command={} actor={} result={} latency_us={}", std::string(subject_kind), std::string(subject_id),
               std::string(command), std::string(actor),
               result.ok() ? std::string("OK") : absl::StatusCodeToString(result.code()),
               absl::ToInt64Microseconds(absl::Now() - start));
}

std::string LevelName(const SupervisionConfig& c, int level) {
  for (const auto& l : c.levels) {
    if (l.level == level) return l.name;
  }
  return absl::StrCat("level ", level);
}

std::string ListedBy(const SupervisionConfig& c, int level) {
  for (const auto& l : c.levels) {
    if (l.level == level) return l.listed_by;
  }
  return "";
}

}  // namespace

absl::Status Supervision::CommitCommand(Batch* w, const CommandInfo& info, const std::string& fingerprint,
                                        const google::protobuf::MessageLite& result) {
  Pipeline::RecordRequest(w, info.meta, fingerprint, result);
  RETURN_IF_ERROR(ctx_->pipeline->Audit(info, result, w->batch()));
  return ctx_->pipeline->Commit(w);
}

KeyLocks::Guard Supervision::LockCommand(const CommandMeta& meta, std::vector<std::string> subjects) {
  if (!meta.request_id.empty()) subjects.push_back(Pipeline::RequestSubject(meta));
  return ctx_->pipeline->locks().Lock(subjects);
}

void Supervision::RegisterTimerHandlers(TimerRunner* timers) {
  // Each kind's effects write into the batch the runner makes (a Batch on
  // the parts' context).
  auto fire = [this](absl::Status (Supervision::*effect)(Batch&, const v1::Timer&, bool)) {
    return [this, effect](Txn* txn, const v1::Timer& t, bool late) {
      return (this->*effect)(*static_cast<Batch*>(txn), t, late);
    };
  };
  auto one = [](auto id_of) {
    return [id_of](const v1::Timer& t) { return std::vector<std::string>{id_of(t)}; };
  };
  timers->Register(v1::Timer::kEscalation, {fire(&Supervision::EscalationDue),
                                            one([](const v1::Timer& t) { return t.escalation().task_id(); })});
  timers->Register(v1::Timer::kSupervisionDeadline,
                   {fire(&Supervision::SupervisionDeadlineDue),
                    one([](const v1::Timer& t) { return t.supervision_deadline().item_id(); })});
  timers->Register(v1::Timer::kLookback,
                   {fire(&Supervision::LookbackDue), one([](const v1::Timer& t) { return t.lookback().item_id(); })});
}

absl::Status Supervision::Init() {
  uint64_t max = 0;
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kSupervision), [&](absl::string_view k, absl::string_view) {
    uint64_t n = 0;
    if (k.size() > 2 && absl::SimpleAtoi(k.substr(2), &n)) max = std::max(max, n);
    return true;
  }));
  next_supervision_number_.store(max + 1);
  return absl::OkStatus();
}

absl::Status Supervision::CheckSupervisor(const CommandMeta& meta, absl::string_view what) const {
  const auto& cfg = ctx_->supervision;
  if (!cfg) return absl::FailedPreconditionError("supervision: not configured (supervision file)");
  auto actor_ref = ctx_->directory->LookupName(meta.actor);
  for (const auto& s : cfg->supervisors) {
    if (s == meta.actor) return absl::OkStatus();
    auto ref = ctx_->directory->LookupName(s);
    if (ref && actor_ref && ref->unit_id() == actor_ref->unit_id() && ref->has_unit_id()) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("meta.actor: '", meta.actor, "' may not ", what,
                                                  "; supervisors: ", absl::StrJoin(cfg->supervisors, ", ")));
}

absl::StatusOr<v1::SupervisionItem> Supervision::Get(absl::string_view id) const {
  if (id.empty()) return absl::InvalidArgumentError("item_id: required");
  if (!keys::IsValidComponent(id) || id.size() > 32) return absl::InvalidArgumentError("item_id: not an item id");
  v1::SupervisionItem item;
  absl::Status s = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kSupervision, id), &item);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("item_id: no supervision item '", id, "'"));
  RETURN_IF_ERROR(s);
  DecorateSupervision(&item);
  return item;
}

void Supervision::DecorateSupervision(v1::SupervisionItem* item) const {
  item->set_overdue(false);
  if (!IsOpen(item->state())) return;
  auto d = validate::Date("deadline", item->deadline());
  if (d.ok()) item->set_overdue(ctx_->clock->Now() >= absl::FromCivil(*d + 1, PlanTimeZone()));
}

namespace {

// The filter's responsible unit, resolved to its id ("" for none), once the
// filter's fields are checked.
absl::StatusOr<std::string> CheckSupervisionFilter(const SupervisionFilter& f,
                                                   const std::function<std::optional<v1::UnitRef>(absl::string_view)>& lookup) {
  if (!v1::SupervisionState_IsValid(f.state)) {
    return absl::InvalidArgumentError(absl::StrCat("state: unknown value ", static_cast<int>(f.state)));
  }
  if (f.level < 0 || f.level > 3) return absl::InvalidArgumentError("level: must be 1 to 3 (or 0 for all)");
  if (f.unit.empty()) return std::string();
  auto ref = lookup(f.unit);
  if (!ref || !ref->has_unit_id()) return absl::NotFoundError(absl::StrCat("unit: unknown unit '", f.unit, "'"));
  return ref->unit_id();
}

// item is decorated (overdue computed).
bool MatchesSupervisionFilter(const SupervisionFilter& f, const std::string& unit_id, const v1::SupervisionItem& item) {
  if (!f.subject_id.empty() && item.subject_id() != f.subject_id) return false;
  if (f.level != 0 && item.level() != f.level) return false;
  if (f.state != v1::SUPERVISION_STATE_UNSPECIFIED && item.state() != f.state) return false;
  if (!unit_id.empty() && item.responsible_unit_id() != unit_id) return false;
  if (f.overdue_only && !item.overdue()) return false;
  return true;
}

}  // namespace

absl::StatusOr<std::vector<v1::SupervisionItem>> Supervision::List(const SupervisionFilter& f) const {
  ASSIGN_OR_RETURN(std::string unit_id,
                   CheckSupervisionFilter(f, [this](absl::string_view n) { return ctx_->directory->LookupName(n); }));
  std::vector<v1::SupervisionItem> out;
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kSupervision), [&](absl::string_view, absl::string_view v) {
    v1::SupervisionItem item;
    if (!item.ParseFromArray(v.data(), static_cast<int>(v.size()))) return true;
    DecorateSupervision(&item);
    if (!MatchesSupervisionFilter(f, unit_id, item)) return true;
    out.push_back(std::move(item));
    return true;
  }));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    uint64_t x = 0, y = 0;
    (void)absl::SimpleAtoi(a.id().substr(1), &x);
    (void)absl::SimpleAtoi(b.id().substr(1), &y);
    return x < y;
  });
  return out;
}

// Item ids are "S<n>" from one counter, so the items are read by number (a
// scan of the keys would give S10 before S2); a number whose command failed
// has no item.
absl::StatusOr<SupervisionPage> Supervision::ListPage(const SupervisionFilter& f) const {
  ASSIGN_OR_RETURN(int page_size, PageSize(f.page_size, kDefaultListPageSize, kMaxListPageSize));
  ASSIGN_OR_RETURN(std::string unit_id,
                   CheckSupervisionFilter(f, [this](absl::string_view n) { return ctx_->directory->LookupName(n); }));
  ASSIGN_OR_RETURN(uint64_t after, NumberedTokenAfter(f.page_token, keys::Kind::kSupervision, "S"));
  SupervisionPage page;
  size_t bytes = 0;
  uint64_t last = next_supervision_number_.load() - 1;
  for (uint64_t n = after + 1; n <= last; ++n) {
    v1::SupervisionItem item;
    absl::Status s = ctx_->store->GetProto(Cf::kEntities, NumberedKey(keys::Kind::kSupervision, "S", n), &item);
    if (absl::IsNotFound(s)) continue;
    RETURN_IF_ERROR(s);
    DecorateSupervision(&item);
    if (!MatchesSupervisionFilter(f, unit_id, item)) continue;
    size_t size = item.ByteSizeLong();
    if (static_cast<int>(page.items.size()) == page_size || (!page.items.empty() && bytes + size > kMaxPageBytes)) {
      page.next_page_token = PageToken(NumberedKey(keys::Kind::kSupervision, "S", n - 1));
      break;
    }
    bytes += size;
    page.items.push_back(std::move(item));
  }
  return page;
}

absl::StatusOr<std::vector<v1::SupervisionEvent>> Supervision::History(absl::string_view id) const {
  RETURN_IF_ERROR(Get(id).status());
  return ReadEvents<v1::SupervisionEvent>(*ctx_->store, id);
}

absl::StatusOr<EventPage<v1::SupervisionEvent>> Supervision::HistoryPage(absl::string_view id,
                                                                               uint64_t after_version,
                                                                               int page_size) const {
  RETURN_IF_ERROR(Get(id).status());
  return ReadEventsPage<v1::SupervisionEvent>(*ctx_->store, id, after_version, page_size);
}

// Writes an item, its event and its deadline check into the firing batch,
// and notifies its responsible unit and the body that listed it.
static void RecordSupervision(Batch* w, v1::SupervisionItem* item, const std::string& kind,
                              SupervisionState to, int to_level, const std::string& actor, const std::string& text,
                              bool deadline_changed, const EvidenceRefs* evidence = nullptr) {
  v1::SupervisionEvent ev;
  ev.set_item_id(item->id());
  ev.set_version(item->version() + 1);
  *ev.mutable_at() = Ts(w->now());
  ev.set_actor(actor);
  ev.set_kind(kind);
  ev.set_from_state(item->state());
  ev.set_to_state(to);
  ev.set_from_level(item->level());
  ev.set_to_level(to_level);
  ev.set_text(text);
  if (evidence != nullptr && !evidence->empty()) {
    *ev.mutable_evidence() = *evidence;
    v1::EvidenceAttachment a = NewEvidenceAttachment("supervision", item->id(), ev.version(), w->now(), actor,
                                                     {item->responsible_unit_id()});
    if (item->subject_kind() == v1::SUPERVISION_SUBJECT_TASK) a.set_task_id(item->subject_id());
    w->ctx().evidence->PutAttachments(w->batch(), *evidence, a);
  }
  item->set_version(ev.version());
  item->set_state(to);
  item->set_level(to_level);
  *item->mutable_updated_at() = Ts(w->now());
  item->clear_overdue();
  w->Put(Cf::kEvents, keys::Event(item->id(), ev.version()), ev);
  w->Put(Cf::kEntities, keys::Entity(keys::Kind::kSupervision, item->id()), *item);
  if (deadline_changed) {
    auto d = validate::Date("deadline", item->deadline());
    if (d.ok()) {
      v1::Timer t;
      // The check runs the morning after the deadline day.
      absl::Time due = At(*d + 1, 9, 0);
      t.set_id(absl::StrCat("sv:", item->id(), ":", item->level(), ":", item->deadline()));
      *t.mutable_due() = Ts(due);
      t.mutable_supervision_deadline()->set_item_id(item->id());
      t.mutable_supervision_deadline()->set_level(item->level());
      t.mutable_supervision_deadline()->set_deadline(item->deadline());
      w->AddTimer(std::move(t));
    }
  }
}

static void NotifySupervision(Batch* w, const v1::SupervisionItem& item, const std::string& title,
                              const std::vector<std::string>& recipients) {
  std::set<std::string> seen;
  for (const auto& r : recipients) {
    if (r.empty() || !seen.insert(r).second) continue;
    v1::Notification n;
    n.set_recipient(r);
    n.set_kind(v1::NOTIFICATION_KIND_SUPERVISION);
    n.set_subject_id(item.id());
    n.set_title(title);
    n.set_body(absl::StrCat(item.title(), "\n整改目标：", item.rectification_target(), "\n期限：", item.deadline()));
    w->Notify(std::move(n));
  }
}

std::string Supervision::ResolveUnitOrName(absl::string_view name) const {
  auto ref = ctx_->directory->LookupName(name);
  if (ref && ref->has_unit_id()) return ref->unit_id();
  return std::string(name);
}

absl::StatusOr<v1::SupervisionItem> Supervision::NewItem(Batch* w, const NewSupervisionItem& in, const std::string& actor,
                                                    const std::string& rule_id) {
  const auto& cfg = *ctx_->supervision;
  v1::SupervisionItem item;
  item.set_id(absl::StrCat("S", next_supervision_number_.fetch_add(1)));
  item.set_subject_kind(in.subject_kind);
  item.set_subject_id(in.subject_id);
  item.set_title(in.title);
  item.set_level(in.level);
  item.set_hazard_list(in.hazard_list);
  item.set_responsible_unit_id(in.responsible_unit);
  item.set_responsible_person(in.responsible_person);
  item.set_rectification_target(in.rectification_target);
  item.set_measures(in.measures);
  std::string deadline = in.deadline;
  if (deadline.empty() && ctx_->calendar) {
    absl::CivilDay today = absl::ToCivilDay(w->now(), PlanTimeZone());
    deadline = validate::FormatDate(ctx_->calendar->AddWorkingDays(today, cfg.default_deadline_working_days));
  }
  item.set_deadline(deadline);
  item.set_inspection_cycle_days(in.inspection_cycle_days);
  item.set_listed_by(ListedBy(cfg, in.level));
  item.set_rule_id(rule_id);
  *item.mutable_created_at() = Ts(w->now());
  item.set_state(v1::SUPERVISION_STATE_UNSPECIFIED);
  RecordSupervision(w, &item, "listed", v1::SUPERVISION_STATE_LISTED, in.level, actor,
                    rule_id.empty() ? "" : absl::StrCat("rule ", rule_id), true);
  w->PutRaw(Cf::kIndex, keys::ObligationIndex("supervision-subject", in.subject_id.empty() ? "-" : in.subject_id, item.id()), "");
  NotifySupervision(w, item, absl::StrCat("挂牌督办（", LevelName(cfg, in.level), "）：", item.title()),
                    {item.responsible_unit_id(), ResolveUnitOrName(item.listed_by())});
  return item;
}

// The open item on a subject, if any. A read error is returned, never
// taken for "none" (which would list the subject a second time).
absl::StatusOr<std::optional<v1::SupervisionItem>> Supervision::OpenItemFor(Batch* w, const std::string& subject_id) {
  std::optional<v1::SupervisionItem> found;
  std::vector<std::string> ids;
  const std::string prefix = keys::ObligationIndexPrefix("supervision-subject", subject_id);
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kIndex, prefix, [&](absl::string_view k, absl::string_view) {
    ids.emplace_back(k.substr(prefix.size()));
    return true;
  }));
  for (const auto& id : ids) {
    v1::SupervisionItem item;
    absl::Status got = w->Get(Cf::kEntities, keys::Entity(keys::Kind::kSupervision, id), &item);
    if (absl::IsNotFound(got)) continue;
    RETURN_IF_ERROR(got);
    if (IsOpen(item.state())) found = item;
  }
  return found;
}

static std::string ItemFingerprint(const NewSupervisionItem& in) {
  return Fingerprint("list_supervision",
                     absl::StrCat(in.subject_kind, "\n", in.subject_id, "\n", in.title, "\n", in.level, "\n",
                                  in.hazard_list, "\n", in.responsible_unit, "\n", in.responsible_person, "\n",
                                  in.rectification_target, "\n", in.measures, "\n", in.deadline, "\n",
                                  in.inspection_cycle_days, "\n", in.title.size()));
}

absl::StatusOr<v1::SupervisionItem> Supervision::ListForSupervision(const CommandMeta& meta, const NewSupervisionItem& in) {
  absl::Time start = absl::Now();
  auto r = ListForSupervisionImpl(meta, in, ItemFingerprint(in));
  LogCommand("supervision", r.ok() ? r->id() : in.subject_id, "list", meta.actor, r.status(), start);
  return r;
}

absl::StatusOr<v1::SupervisionItem> Supervision::ListForSupervisionImpl(const CommandMeta& meta,
                                                                   const NewSupervisionItem& in,
                                                                   const std::string& fp) {
  RETURN_IF_ERROR(Pipeline::CheckMeta(meta));
  if (!ctx_->supervision) return absl::FailedPreconditionError("supervision: not configured (supervision file)");
  RETURN_IF_ERROR(CheckSupervisor(meta, "list an item for supervision"));
  if (!v1::SupervisionSubjectKind_IsValid(in.subject_kind) || in.subject_kind == v1::SUPERVISION_SUBJECT_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat("subject_kind: unknown value ", static_cast<int>(in.subject_kind)));
  }
  if (in.level < 1 || in.level > 3) return absl::InvalidArgumentError("level: must be 1, 2 or 3");
  RETURN_IF_ERROR(validate::Required("title", in.title, validate::kMaxTitle));
  RETURN_IF_ERROR(validate::Optional("hazard_list", in.hazard_list, validate::kMaxText));
  RETURN_IF_ERROR(validate::Optional("responsible_person", in.responsible_person, validate::kMaxName));
  RETURN_IF_ERROR(validate::Optional("rectification_target", in.rectification_target, validate::kMaxText));
  RETURN_IF_ERROR(validate::Optional("measures", in.measures, validate::kMaxText));
  if (!in.deadline.empty()) RETURN_IF_ERROR(validate::Date("deadline", in.deadline).status());
  if (in.inspection_cycle_days < 0 || in.inspection_cycle_days > 366) {
    return absl::InvalidArgumentError("inspection_cycle_days: must be 0 to 366");
  }
  NewSupervisionItem item = in;
  std::string lock_id = in.subject_id.empty() ? std::string("hazard") : in.subject_id;
  KeyLocks::Guard lock = LockCommand(meta, {lock_id});
  ASSIGN_OR_RETURN(std::optional<v1::SupervisionItem> replay, ReplayAs<v1::SupervisionItem>(meta, fp));
  if (replay) return std::move(*replay);
  switch (in.subject_kind) {
    case v1::SUPERVISION_SUBJECT_TASK: {
      ASSIGN_OR_RETURN(v1::Task t, tasks_->Load(in.subject_id));
      if (item.responsible_unit.empty() && t.lead_unit_ids_size() > 0) item.responsible_unit = t.lead_unit_ids(0);
      break;
    }
    case v1::SUPERVISION_SUBJECT_OBLIGATION: {
      if (in.subject_id.empty()) return absl::InvalidArgumentError("subject_id: required for an obligation");
      ASSIGN_OR_RETURN(v1::Obligation o, obligations_->Get(in.subject_id));
      if (item.responsible_unit.empty()) item.responsible_unit = o.unit_id();
      break;
    }
    default:
      if (!in.subject_id.empty()) return absl::InvalidArgumentError("subject_id: a hazard has no subject");
      RETURN_IF_ERROR(validate::Required("hazard_list", in.hazard_list, validate::kMaxText));
  }
  if (item.responsible_unit.empty()) return absl::InvalidArgumentError("responsible_unit: required");
  ASSIGN_OR_RETURN(std::vector<std::string> unit, ctx_->directory->ResolveUnits("responsible_unit", {item.responsible_unit}, false));
  item.responsible_unit = unit[0];
  Batch w(ctx_, ctx_->clock->Now());
  if (!in.subject_id.empty()) {
    ASSIGN_OR_RETURN(std::optional<v1::SupervisionItem> open, OpenItemFor(&w, in.subject_id));
    if (open) {
      return absl::AlreadyExistsError(absl::StrCat("subject_id: '", in.subject_id, "' is already under supervision as ",
                                                   open->id(), " (level ", open->level(), "); escalate it instead"));
    }
  }
  ASSIGN_OR_RETURN(v1::SupervisionItem created, NewItem(&w, item, meta.actor, ""));
  RETURN_IF_ERROR(CommitCommand(&w, {"supervision", created.id(), "list", meta}, fp, created));
  DecorateSupervision(&created);
  return created;
}

absl::StatusOr<v1::SupervisionItem> Supervision::SupervisionStep(const CommandMeta& meta, absl::string_view id,
                                                            SupervisionCommand c, absl::string_view text,
                                                            const EvidenceRefs& evidence) {
  absl::Time start = absl::Now();
  auto r = SupervisionStepImpl(meta, id, c, text, evidence);
  LogCommand("supervision", id, SupervisionCommandName(c), meta.actor, r.status(), start);
  return r;
}

absl::StatusOr<v1::SupervisionItem> Supervision::SupervisionStepImpl(const CommandMeta& meta, absl::string_view id,
                                                                SupervisionCommand c, absl::string_view text,
                                                                const EvidenceRefs& evidence) {
  RETURN_IF_ERROR(Pipeline::CheckMeta(meta));
  if (!ctx_->supervision) return absl::FailedPreconditionError("supervision: not configured (supervision file)");
  bool needs_text = c == SupervisionCommand::kReportRectification || c == SupervisionCommand::kReturn ||
                    c == SupervisionCommand::kReopen;
  RETURN_IF_ERROR(validate::Text(c == SupervisionCommand::kReportRectification ? "text" : "reason", text,
                                 validate::kMaxText, needs_text));
  if (!evidence.empty() && c != SupervisionCommand::kReportRectification) {
    return absl::InvalidArgumentError(absl::StrCat("evidence: only a rectification report carries files, not ",
                                                   SupervisionCommandName(c)));
  }
  if (NeedsSupervisor(c)) RETURN_IF_ERROR(CheckSupervisor(meta, SupervisionCommandName(c)));
  KeyLocks::Guard lock = LockCommand(meta, {std::string(id)});
  std::string shas;
  for (const auto& r : evidence) absl::StrAppend(&shas, "\n", r.sha256());
  std::string fp = Fingerprint(SupervisionCommandName(c), absl::StrCat(id, "\n", text, "\n", meta.comment, "\n",
                                                                       meta.expected_version, shas));
  ASSIGN_OR_RETURN(std::optional<v1::SupervisionItem> replay, ReplayAs<v1::SupervisionItem>(meta, fp));
  if (replay) return std::move(*replay);
  ASSIGN_OR_RETURN(v1::SupervisionItem item, Get(id));
  if (meta.expected_version != 0 && meta.expected_version != item.version()) {
    return absl::AbortedError(absl::StrCat("meta.expected_version: item is at version ", item.version(), ", not ",
                                           meta.expected_version));
  }
  ASSIGN_OR_RETURN(SupervisionState to, NextSupervisionState(item.state(), c));
  EvidenceRefs files = evidence;
  RETURN_IF_ERROR(ctx_->evidence->Resolve("evidence", meta.actor, &files));
  Batch w(ctx_, ctx_->clock->Now());
  bool deadline_changed = false;
  if (c == SupervisionCommand::kReportRectification) item.set_last_report(std::string(text));
  if (c == SupervisionCommand::kReopen) {
    item.set_reopen_count(item.reopen_count() + 1);
    item.clear_lookback_date();
    if (ctx_->calendar) {
      absl::CivilDay today = absl::ToCivilDay(w.now(), PlanTimeZone());
      item.set_deadline(validate::FormatDate(
          ctx_->calendar->AddWorkingDays(today, ctx_->supervision->default_deadline_working_days)));
      deadline_changed = true;
    }
  }
  if (c == SupervisionCommand::kLookBackPassed) item.clear_lookback_date();
  if (c == SupervisionCommand::kClose && ctx_->calendar) {
    absl::CivilDay today = absl::ToCivilDay(w.now(), PlanTimeZone());
    absl::CivilDay look = ctx_->calendar->AddWorkingDays(today, ctx_->supervision->lookback_working_days);
    item.set_lookback_date(validate::FormatDate(look));
    v1::Timer t;
    t.set_id(absl::StrCat("lookback:", item.id(), ":", item.version() + 1));
    *t.mutable_due() = Ts(At(look, 9, 0));
    t.mutable_lookback()->set_item_id(item.id());
    w.AddTimer(std::move(t));
  }
  RecordSupervision(&w, &item, EventKind(c), to, item.level(), meta.actor, std::string(text), deadline_changed,
                    &files);
  if (c == SupervisionCommand::kReturn || c == SupervisionCommand::kReopen) {
    NotifySupervision(&w, item, absl::StrCat(c == SupervisionCommand::kReopen ? "回头看发现问题复发，重新整改：" : "整改退回：",
                                             item.title()),
                      {item.responsible_unit_id()});
  }
  RETURN_IF_ERROR(CommitCommand(&w, {"supervision", item.id(), SupervisionCommandName(c), meta}, fp, item));
  DecorateSupervision(&item);
  return item;
}

// One level up, a new deadline, the next owner told. The caller holds the
// item's stripe and commits w.
absl::Status Supervision::EscalateItem(Batch* w, v1::SupervisionItem* item, const std::string& actor,
                                  const std::string& reason, int deadline_working_days, const std::string& new_deadline) {
  const auto& cfg = *ctx_->supervision;
  if (item->level() >= 3) {
    return absl::FailedPreconditionError(absl::StrCat("supervision item ", item->id(),
                                                      " is at level 3 (", LevelName(cfg, 3), "), the top"));
  }
  if (!IsOpen(item->state())) {
    return absl::FailedPreconditionError(absl::StrCat("supervision item is ", SupervisionStateName(item->state()),
                                                      ": cannot escalate"));
  }
  int to = item->level() + 1;
  if (!new_deadline.empty()) {
    item->set_deadline(new_deadline);
  } else if (ctx_->calendar) {
    absl::CivilDay today = absl::ToCivilDay(w->now(), PlanTimeZone());
    item->set_deadline(validate::FormatDate(ctx_->calendar->AddWorkingDays(today, deadline_working_days)));
  }
  item->set_listed_by(ListedBy(cfg, to));
  RecordSupervision(w, item, "escalated", item->state(), to, actor, reason, true);
  NotifySupervision(w, *item, absl::StrCat("督办升级至", LevelName(cfg, to), "：", item->title()),
                    {ResolveUnitOrName(item->listed_by()), item->responsible_unit_id()});
  return absl::OkStatus();
}

absl::StatusOr<v1::SupervisionItem> Supervision::Escalate(const CommandMeta& meta, const EscalateRequest& req) {
  absl::Time start = absl::Now();
  auto r = EscalateImpl(meta, req,
                      Fingerprint("escalate", absl::StrCat(req.item_id, "\n", req.task_id, "\n", req.obligation_id,
                                                           "\n", req.reason, "\n", req.new_deadline)));
  std::string subject = !req.item_id.empty() ? req.item_id : !req.task_id.empty() ? req.task_id : req.obligation_id;
  LogCommand("supervision", subject, "escalate", meta.actor, r.status(), start);
  return r;
}

absl::StatusOr<v1::SupervisionItem> Supervision::EscalateImpl(const CommandMeta& meta, const EscalateRequest& req,
                                                         const std::string& fp) {
  RETURN_IF_ERROR(Pipeline::CheckMeta(meta));
  if (!ctx_->supervision) return absl::FailedPreconditionError("supervision: not configured (supervision file)");
  RETURN_IF_ERROR(CheckSupervisor(meta, "escalate"));
  RETURN_IF_ERROR(validate::Required("reason", req.reason, validate::kMaxComment));
  if (!req.new_deadline.empty()) RETURN_IF_ERROR(validate::Date("new_deadline", req.new_deadline).status());
  int given = (!req.item_id.empty()) + (!req.task_id.empty()) + (!req.obligation_id.empty());
  if (given != 1) return absl::InvalidArgumentError("item_id: give exactly one of item_id, task_id, obligation_id");
  const auto& cfg = *ctx_->supervision;
  if (!req.item_id.empty()) {
    KeyLocks::Guard lock = LockCommand(meta, {req.item_id});
    ASSIGN_OR_RETURN(std::optional<v1::SupervisionItem> replay, ReplayAs<v1::SupervisionItem>(meta, fp));
    if (replay) return std::move(*replay);
    ASSIGN_OR_RETURN(v1::SupervisionItem item, Get(req.item_id));
    Batch w(ctx_, ctx_->clock->Now());
    RETURN_IF_ERROR(EscalateItem(&w, &item, meta.actor, req.reason, cfg.default_deadline_working_days, req.new_deadline));
    RETURN_IF_ERROR(CommitCommand(&w, {"supervision", item.id(), "escalate", meta}, fp, item));
    DecorateSupervision(&item);
    return item;
  }
  // A task or obligation: escalate its open item, or list it at level 1.
  std::string subject = req.task_id.empty() ? req.obligation_id : req.task_id;
  std::optional<v1::SupervisionItem> open;
  {
    KeyLocks::Guard lock = LockCommand(meta, {subject});
    ASSIGN_OR_RETURN(std::optional<v1::SupervisionItem> replay, ReplayAs<v1::SupervisionItem>(meta, fp));
    if (replay) return std::move(*replay);
    Batch probe(ctx_, ctx_->clock->Now());
    ASSIGN_OR_RETURN(open, OpenItemFor(&probe, subject));
  }
  if (open) {
    EscalateRequest by_item;
    by_item.item_id = open->id();
    by_item.reason = req.reason;
    by_item.new_deadline = req.new_deadline;
    return EscalateImpl(meta, by_item, fp);
  }
  NewSupervisionItem in;
  in.subject_kind = req.task_id.empty() ? v1::SUPERVISION_SUBJECT_OBLIGATION : v1::SUPERVISION_SUBJECT_TASK;
  in.subject_id = subject;
  in.level = 1;
  in.deadline = req.new_deadline;
  in.rectification_target = req.reason;
  if (!req.task_id.empty()) {
    ASSIGN_OR_RETURN(v1::Task t, tasks_->Load(req.task_id));
    in.title = absl::StrCat(t.code(), " ", t.title());
  } else {
    ASSIGN_OR_RETURN(v1::Obligation o, obligations_->Get(req.obligation_id));
    in.title = absl::StrCat(o.rule_name(), "（", o.period_label(), "）");
  }
  return ListForSupervisionImpl(meta, in, fp);
}

// ---------------------------------------------------------------- timers

absl::Status Supervision::EscalationDue(Batch& b, const v1::Timer& t, bool late) {
  const auto& cfg = ctx_->supervision;
  if (!cfg) return absl::OkStatus();
  const EscalationRule* rule = nullptr;
  for (const auto& r : cfg->rules) {
    if (r.id == t.escalation().rule_id()) rule = &r;
  }
  if (rule == nullptr || !rule->task_red_working_days) return absl::OkStatus();
  v1::Task task;
  if (!b.Get(Cf::kEntities, keys::Entity(keys::Kind::kTask, t.escalation().task_id()), &task).ok()) return absl::OkStatus();
  if (task.warning_level() != v1::WARNING_LEVEL_RED || IsTerminal(task.state())) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<v1::SupervisionItem> open, OpenItemFor(&b, task.id()));
  if (open) return absl::OkStatus();
  NewSupervisionItem in;
  in.subject_kind = v1::SUPERVISION_SUBJECT_TASK;
  in.subject_id = task.id();
  in.title = absl::StrCat(task.code(), " ", task.title());
  in.level = rule->list_level;
  in.responsible_unit = task.lead_unit_ids_size() > 0 ? task.lead_unit_ids(0) : "";
  in.rectification_target = absl::StrCat("完成任务（原定期限 ", task.due_date(), "）");
  if (ctx_->calendar) {
    absl::CivilDay today = absl::ToCivilDay(b.now(), PlanTimeZone());
    in.deadline = validate::FormatDate(ctx_->calendar->AddWorkingDays(today, rule->deadline_working_days));
  }
  auto item = NewItem(&b, in, "duband", rule->id);
  return item.status();
}

absl::Status Supervision::SupervisionDeadlineDue(Batch& b, const v1::Timer& t, bool late) {
  const auto& cfg = ctx_->supervision;
  if (!cfg) return absl::OkStatus();
  v1::SupervisionItem item;
  if (!b.Get(Cf::kEntities, keys::Entity(keys::Kind::kSupervision, t.supervision_deadline().item_id()), &item).ok()) {
    return absl::OkStatus();
  }
  // Stale: the item moved level or got a new deadline since.
  if (item.level() != t.supervision_deadline().level() || item.deadline() != t.supervision_deadline().deadline()) {
    return absl::OkStatus();
  }
  if (!IsOpen(item.state())) return absl::OkStatus();
  for (const auto& rule : cfg->rules) {
    if (!rule.overdue_level || *rule.overdue_level != item.level()) continue;
    auto deadline = validate::Date("deadline", item.deadline());
    if (!deadline.ok() || !ctx_->calendar) continue;
    absl::CivilDay today = absl::ToCivilDay(b.now(), PlanTimeZone());
    int overdue_by = ctx_->calendar->WorkingDaysBetween(*deadline, today);
    if (overdue_by < rule.overdue_working_days) {
      // Not yet: look again on the working day the rule names.
      v1::Timer again;
      absl::CivilDay when = ctx_->calendar->AddWorkingDays(*deadline, rule.overdue_working_days);
      again.set_id(absl::StrCat("sv:", item.id(), ":", item.level(), ":", item.deadline(), ":", rule.id));
      *again.mutable_due() = Ts(At(when, 9, 0));
      *again.mutable_supervision_deadline() = t.supervision_deadline();
      b.AddTimer(std::move(again));
      return absl::OkStatus();
    }
    return EscalateItem(&b, &item, "duband", absl::StrCat("rule ", rule.id, "：逾期未完成整改"),
                        rule.deadline_working_days, "");
  }
  return absl::OkStatus();
}

absl::Status Supervision::LookbackDue(Batch& b, const v1::Timer& t, bool late) {
  const auto& cfg = ctx_->supervision;
  if (!cfg) return absl::OkStatus();
  v1::SupervisionItem item;
  if (!b.Get(Cf::kEntities, keys::Entity(keys::Kind::kSupervision, t.lookback().item_id()), &item).ok()) {
    return absl::OkStatus();
  }
  if (item.state() != v1::SUPERVISION_STATE_CLOSED || item.lookback_date().empty()) return absl::OkStatus();
  std::vector<std::string> recipients;
  for (const auto& s : cfg->supervisors) recipients.push_back(ResolveUnitOrName(s));
  recipients.push_back(ResolveUnitOrName(item.listed_by()));
  std::set<std::string> seen;
  for (const auto& r : recipients) {
    if (!seen.insert(r).second) continue;
    v1::Notification n;
    n.set_recipient(r);
    n.set_kind(v1::NOTIFICATION_KIND_SUPERVISION);
    n.set_subject_id(item.id());
    n.set_title(absl::StrCat("回头看到期：", item.title()));
    n.set_body("请复查整改成效；问题复发的重新挂牌整改（dubanctl supervision reopen）。");
    *n.mutable_due() = t.due();
    n.set_late(late);
    n.set_timer_id(t.id());
    b.Notify(std::move(n));
  }
  return absl::OkStatus();
}

}  // namespace duban
