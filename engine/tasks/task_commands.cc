// TaskCommands: the task commands and reads, the task indexes and numbers,
// and the tasks' warning checks.
#include "engine/tasks/task_commands.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/audit/audit_scope.h"
#include "engine/plans/plan_records.h"
#include "engine/storage/events.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "engine/supervision/supervision.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

constexpr int kMaxPageSize = 500;


bool NeedsReason(v1::TaskCommand c) {
  switch (c) {
    case v1::TASK_COMMAND_SEND_BACK:
    case v1::TASK_COMMAND_RETURN_COMPLETION:
    case v1::TASK_COMMAND_DENY_EXTENSION:
    case v1::TASK_COMMAND_SUSPEND:
    case v1::TASK_COMMAND_CANCEL:
    case v1::TASK_COMMAND_REQUEST_EXTENSION:
      return true;
    default:
      return false;
  }
}

// The audit entry of a recompute lists at most this many moves; the log has
// every one.
constexpr size_t kMovesInAuditDetail = 50;

}  // namespace

uint64_t TaskNumber(absl::string_view task_id) {
  if (task_id.size() < 2 || task_id[0] != 'T' || task_id.size() > 21) return 0;
  uint64_t n = 0;
  auto r = std::from_chars(task_id.data() + 1, task_id.data() + task_id.size(), n);
  if (r.ec != std::errc() || r.ptr != task_id.data() + task_id.size() || task_id[1] == '0') return 0;
  return n;
}

absl::Status TaskCommands::Init() {
  uint64_t next_task = 1;
  if (auto next = ctx_->store->Get(Cf::kMeta, keys::LegacyNextTaskId()); next.ok()) {
    if (!absl::SimpleAtoi(*next, &next_task)) return absl::DataLossError("meta next_task_id: not a number");
  } else if (!absl::IsNotFound(next.status())) {
    return next.status();
  }
  const std::string prefix = keys::TaskNumberPrefix();
  auto last = ctx_->store->LastKey(Cf::kMeta, prefix);
  if (last.ok()) {
    if (last->size() != prefix.size() + 8) return absl::DataLossError("meta task_number: malformed key");
    next_task = std::max(next_task, keys::DecodeU64(absl::string_view(*last).substr(prefix.size())) + 1);
  } else if (!absl::IsNotFound(last.status())) {
    return last.status();
  }
  next_task_number_.store(next_task);
  return absl::OkStatus();
}

void TaskCommands::RegisterTimerHandlers(TimerRunner* timers) {
  timers->Register(v1::Timer::kTaskWarning,
                   {[this](Txn* txn, const v1::Timer& t, bool late) {
                      return WarningCheck(*static_cast<Batch*>(txn), t, late);
                    },
                    [](const v1::Timer& t) { return std::vector<std::string>{t.task_warning().task_id()}; }});
}

uint64_t TaskCommands::NextNumbers(Txn* txn, uint64_t n) {
  uint64_t first = next_task_number_.fetch_add(n);
  uint64_t last = first + n - 1;
  // The highest marker is the last number given, whatever order concurrent
  // batches commit in; each batch removes the marker below its own.
  txn->PutRaw(Cf::kMeta, keys::TaskNumber(last), "");
  if (first > 1) txn->Delete(Cf::kMeta, keys::TaskNumber(first - 1));
  return first;
}

void TaskCommands::Decorate(v1::Task* t) const {
  t->set_overdue(false);
  if (IsTerminal(t->state()) || t->state() == v1::TASK_STATE_DRAFT) return;
  auto due = validate::Date("due_date", t->due_date());
  if (!due.ok()) return;
  // Due at the end of the due day, Beijing time.
  absl::Time deadline = absl::FromCivil(*due + 1, PlanTimeZone());
  t->set_overdue(ctx_->clock->Now() >= deadline);
}

absl::StatusOr<v1::Task> TaskCommands::Load(absl::string_view task_id) const {
  if (task_id.empty()) return absl::InvalidArgumentError("task_id: required");
  if (TaskNumber(task_id) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("task_id: '", task_id, "' is not a task id (T<number>)"));
  }
  v1::Task t;
  absl::Status s = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTask, task_id), &t);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("task_id: no task '", task_id, "'"));
  if (!s.ok()) return s;
  return t;
}

absl::StatusOr<v1::Task> TaskCommands::Get(absl::string_view task_id) const {
  ASSIGN_OR_RETURN(v1::Task t, Load(task_id));
  Decorate(&t);
  return t;
}

void TaskCommands::PutIndexes(Txn* txn, const v1::Task* before, const v1::Task& after) const {
  uint64_t n = TaskNumber(after.id());
  auto entries = [n](const v1::Task& t) {
    std::vector<std::string> out;
    out.push_back(keys::Index("plan", t.plan_id(), n));
    out.push_back(keys::Index("campaign", t.campaign_id(), n));
    out.push_back(keys::Index("state", std::to_string(t.state()), n));
    out.push_back(keys::Index("due", t.due_date(), n));
    for (const auto& u : t.lead_unit_ids()) out.push_back(keys::Index("unit", u, n));
    for (const auto& u : t.responsible_unit_ids()) out.push_back(keys::Index("unit", u, n));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  // Only the keys that changed: a command that moves no index writes none.
  std::vector<std::string> now = entries(after);
  std::vector<std::string> was;
  if (before != nullptr) was = entries(*before);
  for (const auto& k : was) {
    if (!std::binary_search(now.begin(), now.end(), k)) txn->Delete(Cf::kIndex, k);
  }
  for (const auto& k : now) {
    if (!std::binary_search(was.begin(), was.end(), k)) txn->PutRaw(Cf::kIndex, k, "");
  }
}

namespace {

// The task command's result as stored for replays: the task and its events.
CommandResult ToResult(v1::CommandRecord rec, bool replayed) {
  CommandResult r;
  r.task = std::move(*rec.mutable_task());
  r.events.assign(rec.events().begin(), rec.events().end());
  r.replayed = replayed;
  return r;
}

// What a task command stores for its replays: the task as it now stands
// and the event it appended.
v1::CommandRecord RecordOf(v1::Task task, v1::TaskEvent event) {
  v1::CommandRecord rec;
  *rec.mutable_task() = std::move(task);
  *rec.add_events() = std::move(event);
  return rec;
}

void AddMilestones(std::string* body, const std::vector<v1::Milestone>& ms) {
  AddField(body, static_cast<int64_t>(ms.size()));
  for (const auto& m : ms) AddField(body, m.SerializeAsString());
}

}  // namespace

absl::StatusOr<CommandResult> TaskCommands::Create(const CommandMeta& meta, const NewTask& in) {
  CommandSpec spec;
  spec.info = {"task", "", "create", meta};
  for (absl::string_view f : {in.campaign_id, in.code, in.title, in.text, in.lead_leader, in.responsible_person,
                              in.due_date}) {
    AddField(&spec.body, f);
  }
  AddField(&spec.body, in.lead_units);
  AddField(&spec.body, in.responsible_units);
  AddField(&spec.body, static_cast<int64_t>(in.list_kind));
  AddMilestones(&spec.body, in.milestones);
  AddField(&spec.body, meta.comment);
  // Codes are unique within a campaign: creating one locks the code.
  spec.subjects = {absl::StrCat("code|", in.campaign_id, "|", in.code)};
  Batch txn(ctx_, ctx_->clock->Now());
  auto out = ctx_->pipeline->Run<v1::CommandRecord, Batch>(
      spec, &txn, [&](Batch& w) -> absl::StatusOr<v1::CommandRecord> {
        ASSIGN_OR_RETURN(v1::Campaign campaign, ReadCampaign(*ctx_->store, in.campaign_id));
        RETURN_IF_ERROR(validate::Required("code", in.code, 32));
        RETURN_IF_ERROR(validate::Required("title", in.title, validate::kMaxTitle));
        RETURN_IF_ERROR(validate::Optional("text", in.text, validate::kMaxText));
        RETURN_IF_ERROR(validate::Optional("lead_leader", in.lead_leader, validate::kMaxName));
        RETURN_IF_ERROR(validate::Optional("responsible_person", in.responsible_person, validate::kMaxName));
        RETURN_IF_ERROR(validate::Date("due_date", in.due_date).status());
        if (in.lead_units.empty()) return absl::InvalidArgumentError("lead_units: at least one lead unit is required");
        RETURN_IF_ERROR(validate::Count("lead_units", in.lead_units.size(), validate::kMaxUnitsPerTask));
        RETURN_IF_ERROR(validate::Count("responsible_units", in.responsible_units.size(), validate::kMaxUnitsPerTask));
        RETURN_IF_ERROR(validate::Count("milestones", in.milestones.size(), validate::kMaxMilestones));
        if (!v1::ListKind_IsValid(in.list_kind) || in.list_kind == v1::LIST_KIND_UNSPECIFIED) {
          return absl::InvalidArgumentError(absl::StrCat("list_kind: unknown value ", static_cast<int>(in.list_kind)));
        }
        for (size_t i = 0; i < in.milestones.size(); ++i) {
          std::string f = absl::StrCat("milestones[", i, "]");
          RETURN_IF_ERROR(validate::Required(f + ".title", in.milestones[i].title(), validate::kMaxTitle));
          RETURN_IF_ERROR(validate::Date(f + ".due_date", in.milestones[i].due_date()).status());
        }
        ASSIGN_OR_RETURN(std::vector<std::string> lead, ctx_->directory->ResolveUnits("lead_units", in.lead_units, false));
        ASSIGN_OR_RETURN(std::vector<std::string> resp, ctx_->directory->ResolveUnits("responsible_units", in.responsible_units, true));
        bool dup = false;
        absl::Status bad;
        RETURN_IF_ERROR(ctx_->store->Scan(Cf::kIndex, keys::IndexPrefix("campaign", campaign.id()),
                                     [&](absl::string_view k, absl::string_view) {
          v1::Task other;
          bad = ctx_->store->GetProto(Cf::kEntities,
                                 keys::Entity(keys::Kind::kTask, absl::StrCat("T", keys::IndexTaskNumber(k))), &other);
          if (!bad.ok()) return false;
          dup = other.code() == in.code;
          return !dup;
        }));
        RETURN_IF_ERROR(bad);
        if (dup) {
          return absl::AlreadyExistsError(
              absl::StrCat("code: campaign '", campaign.id(), "' already has a task '", validate::Quote(in.code), "'"));
        }
        absl::Time now = w.now();
        v1::Task t;
        t.set_id(absl::StrCat("T", NextNumbers(&w, 1)));
        if (auto* scope = audit::AuditScope::Current()) scope->entry().set_subject(absl::StrCat("task:", t.id()));
        t.set_plan_id(campaign.plan_id());
        t.set_campaign_id(campaign.id());
        t.set_code(in.code);
        t.set_title(in.title);
        t.set_text(in.text);
        for (auto& u : lead) t.add_lead_unit_ids(u);
        for (auto& u : resp) {
          if (std::find(lead.begin(), lead.end(), u) == lead.end()) t.add_responsible_unit_ids(u);
        }
        t.set_lead_leader(in.lead_leader);
        t.set_responsible_person(in.responsible_person);
        t.set_due_date(in.due_date);
        for (const auto& m : in.milestones) *t.add_milestones() = m;
        t.set_list_kind(in.list_kind);
        t.set_state(v1::TASK_STATE_DRAFT);
        t.set_version(1);
        *t.mutable_created_at() = Ts(now);
        *t.mutable_updated_at() = Ts(now);

        v1::TaskEvent e;
        e.set_task_id(t.id());
        e.set_version(1);
        *e.mutable_at() = Ts(now);
        e.set_actor(meta.actor);
        e.set_comment(meta.comment);
        e.set_command(v1::TASK_COMMAND_CREATE);
        e.set_to_state(v1::TASK_STATE_DRAFT);
        e.set_due_date(in.due_date);
        e.set_request_id(meta.request_id);

        w.Put(Cf::kEntities, keys::Entity(keys::Kind::kTask, t.id()), t);
        w.Put(Cf::kEvents, keys::Event(t.id(), 1), e);
        PutIndexes(&w, nullptr, t);
        return RecordOf(std::move(t), std::move(e));
      });
  if (!out.ok()) return out.status();
  CommandResult r = ToResult(std::move(out->value), out->replayed);
  Decorate(&r.task);
  return r;
}

absl::Status TaskCommands::CheckArgs(const TaskCommandArgs& a, const v1::Task& task) const {
  if (NeedsReason(a.command)) {
    RETURN_IF_ERROR(validate::Required("reason", a.reason, validate::kMaxComment));
  } else {
    RETURN_IF_ERROR(validate::Optional("reason", a.reason, validate::kMaxComment));
  }
  switch (a.command) {
    case v1::TASK_COMMAND_REPORT_PROGRESS: {
      const auto& r = a.report;
      RETURN_IF_ERROR(validate::Optional("report.work_done", r.work_done(), validate::kMaxText));
      RETURN_IF_ERROR(validate::Optional("report.progress", r.progress(), validate::kMaxText));
      RETURN_IF_ERROR(validate::Optional("report.highlights", r.highlights(), validate::kMaxText));
      RETURN_IF_ERROR(validate::Optional("report.difficulties", r.difficulties(), validate::kMaxText));
      RETURN_IF_ERROR(validate::Optional("report.requests", r.requests(), validate::kMaxText));
      if (r.work_done().empty() && r.progress().empty()) {
        return absl::InvalidArgumentError("report.work_done: required (or report.progress)");
      }
      RETURN_IF_ERROR(validate::Count("report.indicator_values", r.indicator_values_size(),
                                      validate::kMaxIndicatorValues));
      for (int i = 0; i < r.indicator_values_size(); ++i) {
        RETURN_IF_ERROR(validate::Required(absl::StrCat("report.indicator_values[", i, "].indicator"),
                                           r.indicator_values(i).indicator(), validate::kMaxName));
        RETURN_IF_ERROR(validate::Finite(absl::StrCat("report.indicator_values[", i, "].value"),
                                         r.indicator_values(i).value()));
        RETURN_IF_ERROR(validate::Optional(absl::StrCat("report.indicator_values[", i, "].unit_of_measure"),
                                           r.indicator_values(i).unit_of_measure(), 32));
      }
      break;
    }
    case v1::TASK_COMMAND_REQUEST_EXTENSION: {
      ASSIGN_OR_RETURN(absl::CivilDay want, validate::Date("new_due_date", a.new_due_date));
      auto cur = validate::Date("due_date", task.due_date());
      if (cur.ok() && want <= *cur) {
        return absl::InvalidArgumentError(absl::StrCat("new_due_date: ", a.new_due_date,
                                                       " is not after the current due date ", task.due_date()));
      }
      break;
    }
    case v1::TASK_COMMAND_TRANSFER:
      if (a.lead_units.empty()) return absl::InvalidArgumentError("lead_units: at least one lead unit is required");
      break;
    case v1::TASK_COMMAND_UNSPECIFIED:
    case v1::TASK_COMMAND_CREATE:
    case v1::TASK_COMMAND_WARNING:
      return absl::InvalidArgumentError(absl::StrCat("command: '", CommandName(a.command), "' is not a task command"));
    default:
      if (!v1::TaskCommand_IsValid(a.command)) {
        return absl::InvalidArgumentError(absl::StrCat("command: unknown value ", static_cast<int>(a.command)));
      }
  }
  return absl::OkStatus();
}

absl::StatusOr<CommandResult> TaskCommands::Execute(const CommandMeta& meta, const TaskCommandArgs& a) {
  CommandSpec spec;
  spec.info = {"task", a.task_id, CommandName(a.command), meta};
  AddField(&spec.body, a.task_id);
  AddField(&spec.body, static_cast<int64_t>(a.command));
  AddField(&spec.body, a.reason);
  AddField(&spec.body, a.new_due_date);
  AddField(&spec.body, a.report.SerializeAsString());
  AddField(&spec.body, a.lead_units);
  AddField(&spec.body, a.responsible_units);
  AddField(&spec.body, meta.comment);
  AddField(&spec.body, static_cast<int64_t>(meta.expected_version));
  spec.subjects = {a.task_id};
  Batch txn(ctx_, ctx_->clock->Now());
  auto out = ctx_->pipeline->Run<v1::CommandRecord, Batch>(
      spec, &txn, [&](Batch& w) -> absl::StatusOr<v1::CommandRecord> {
    if (!v1::TaskCommand_IsValid(a.command)) {
      return absl::InvalidArgumentError(absl::StrCat("command: unknown value ", static_cast<int>(a.command)));
    }
    std::vector<std::string> lead, resp;
    if (a.command == v1::TASK_COMMAND_TRANSFER) {
      RETURN_IF_ERROR(validate::Count("lead_units", a.lead_units.size(), validate::kMaxUnitsPerTask));
      RETURN_IF_ERROR(validate::Count("responsible_units", a.responsible_units.size(), validate::kMaxUnitsPerTask));
      ASSIGN_OR_RETURN(lead, ctx_->directory->ResolveUnits("lead_units", a.lead_units, false));
      ASSIGN_OR_RETURN(resp, ctx_->directory->ResolveUnits("responsible_units", a.responsible_units, true));
    }
    ASSIGN_OR_RETURN(v1::Task task, Load(a.task_id));
    if (meta.expected_version != 0 && meta.expected_version != task.version()) {
      return absl::AbortedError(absl::StrCat("meta.expected_version: task ", task.id(), " is at version ",
                                             task.version(), ", not ", meta.expected_version));
    }
    RETURN_IF_ERROR(CheckArgs(a, task));
    ASSIGN_OR_RETURN(Step step, NextState(task.state(), task.resume_state(), a.command, *ctx_->workflow));

    absl::Time now = w.now();
    v1::Task before = task;
    v1::TaskEvent e;
    e.set_task_id(task.id());
    e.set_version(task.version() + 1);
    *e.mutable_at() = Ts(now);
    e.set_actor(meta.actor);
    e.set_comment(meta.comment);
    e.set_command(a.command);
    e.set_from_state(task.state());
    e.set_to_state(step.to);
    e.set_reason(a.reason);
    e.set_request_id(meta.request_id);
    e.set_review_step(step.review_step);

    if (step.save_resume_state) task.set_resume_state(task.state());
    bool leaving_pause = task.state() == v1::TASK_STATE_SUSPENDED ||
                         task.state() == v1::TASK_STATE_EXTENSION_REQUESTED ||
                         task.state() == v1::TASK_STATE_EXTENSION_LEADER_REVIEW;
    if (leaving_pause && step.to == task.resume_state()) task.clear_resume_state();
    if (!a.reason.empty()) task.set_last_reason(a.reason);

    switch (a.command) {
      case v1::TASK_COMMAND_REPORT_PROGRESS: {
        v1::ProgressReport report = a.report;
        RETURN_IF_ERROR(ctx_->evidence->Resolve("report.evidence", meta.actor, report.mutable_evidence()));
        *task.mutable_last_report() = report;
        *task.mutable_last_report_at() = Ts(now);
        task.set_report_count(task.report_count() + 1);
        *e.mutable_report() = std::move(report);
        break;
      }
      case v1::TASK_COMMAND_REQUEST_EXTENSION:
        task.mutable_pending_extension()->set_requested_due_date(a.new_due_date);
        task.mutable_pending_extension()->set_reason(a.reason);
        task.mutable_pending_extension()->set_requested_by(meta.actor);
        e.set_due_date(a.new_due_date);
        break;
      case v1::TASK_COMMAND_APPROVE_EXTENSION:
        if (step.to != v1::TASK_STATE_EXTENSION_LEADER_REVIEW) {
          task.set_due_date(task.pending_extension().requested_due_date());
          e.set_due_date(task.due_date());
          task.clear_pending_extension();
        }
        break;
      case v1::TASK_COMMAND_DENY_EXTENSION:
        task.clear_pending_extension();
        break;
      case v1::TASK_COMMAND_RETURN_COMPLETION:
        task.set_return_count(task.return_count() + 1);
        break;
      case v1::TASK_COMMAND_TRANSFER:
        task.clear_lead_unit_ids();
        for (auto& u : lead) {
          task.add_lead_unit_ids(u);
          e.add_unit_ids(u);
        }
        if (!resp.empty()) {
          task.clear_responsible_unit_ids();
          for (auto& u : resp) {
            if (std::find(lead.begin(), lead.end(), u) == lead.end()) task.add_responsible_unit_ids(u);
          }
        }
        break;
      default:
        break;
    }
    task.set_state(step.to);
    task.set_version(e.version());
    *task.mutable_updated_at() = Ts(now);
    task.clear_overdue();
    // A task that leaves for a terminal state has no warning level; cleared
    // here, in the command's own event, so no timer moves the version later.
    if (IsTerminal(task.state()) && task.warning_level() != v1::WARNING_LEVEL_NONE) {
      task.set_warning_level(v1::WARNING_LEVEL_NONE);
      e.set_warning_level(v1::WARNING_LEVEL_NONE);
    }
    if (e.has_report() && e.report().evidence_size() > 0) {
      v1::EvidenceAttachment att;
      att.set_subject_kind("task");
      att.set_subject_id(task.id());
      att.set_event_version(e.version());
      for (const auto& u : task.lead_unit_ids()) att.add_unit_ids(u);
      for (const auto& u : task.responsible_unit_ids()) att.add_unit_ids(u);
      att.set_period(absl::FormatTime("%Y-%m", now, PlanTimeZone()));
      *att.mutable_at() = Ts(now);
      att.set_actor(meta.actor);
      ctx_->evidence->PutAttachments(w.batch(), e.report().evidence(), att);
    }

    w.Put(Cf::kEntities, keys::Entity(keys::Kind::kTask, task.id()), task);
    w.Put(Cf::kEvents, keys::Event(task.id(), e.version()), e);
    PutIndexes(&w, &before, task);
    // Warning levels follow the due date and the state: check again when
    // either changes what the level could be.
    bool due_changed = before.due_date() != task.due_date();
    bool now_active = before.state() == v1::TASK_STATE_DRAFT && task.state() != v1::TASK_STATE_DRAFT;
    if (due_changed || now_active) RETURN_IF_ERROR(ScheduleWarningCheck(&w, task, now));
    return RecordOf(std::move(task), std::move(e));
  });
  if (!out.ok()) return out.status();
  CommandResult r = ToResult(std::move(out->value), out->replayed);
  Decorate(&r.task);
  return r;
}

absl::StatusOr<std::vector<v1::TaskEvent>> TaskCommands::History(absl::string_view task_id) const {
  RETURN_IF_ERROR(Load(task_id).status());
  return ReadEvents<v1::TaskEvent>(*ctx_->store, task_id);
}

absl::StatusOr<HistoryPageResult> TaskCommands::HistoryPage(absl::string_view task_id, uint64_t after_version,
                                                      int page_size) const {
  if (page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  RETURN_IF_ERROR(Load(task_id).status());
  return ReadEventsPage<v1::TaskEvent>(*ctx_->store, task_id, after_version, page_size);
}

absl::StatusOr<TaskPage> TaskCommands::List(const TaskFilter& f) const {
  if (f.page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  int page_size = f.page_size == 0 ? 50 : std::min(f.page_size, kMaxPageSize);
  if (!v1::TaskState_IsValid(f.state)) {
    return absl::InvalidArgumentError(absl::StrCat("state: unknown value ", static_cast<int>(f.state)));
  }
  std::optional<absl::CivilDay> before, after;
  if (!f.due_before.empty()) {
    ASSIGN_OR_RETURN(before, validate::Date("due_before", f.due_before));
  }
  if (!f.due_after.empty()) {
    ASSIGN_OR_RETURN(after, validate::Date("due_after", f.due_after));
  }
  std::string unit_id;
  if (!f.unit.empty()) {
    auto ref = ctx_->directory->LookupName(f.unit);
    if (!ref) return absl::NotFoundError(absl::StrCat("unit: unknown unit '", f.unit, "'"));
    if (!ref->has_unit_id()) return absl::InvalidArgumentError(absl::StrCat("unit: '", f.unit, "' is a group; name one unit"));
    unit_id = ref->unit_id();
  }
  if (!f.campaign_id.empty()) RETURN_IF_ERROR(ReadCampaign(*ctx_->store, f.campaign_id).status());
  if (!f.plan_id.empty()) RETURN_IF_ERROR(ReadPlan(*ctx_->store, f.plan_id).status());

  // The most selective index drives the scan; the rest filter.
  std::string prefix;
  if (!f.campaign_id.empty()) prefix = keys::IndexPrefix("campaign", f.campaign_id);
  else if (!unit_id.empty()) prefix = keys::IndexPrefix("unit", unit_id);
  else if (f.state != v1::TASK_STATE_UNSPECIFIED) prefix = keys::IndexPrefix("state", std::to_string(f.state));
  else if (!f.plan_id.empty()) prefix = keys::IndexPrefix("plan", f.plan_id);
  else prefix = std::string("plan") + keys::kSep;  // every task is in exactly one plan

  std::string start;
  if (!f.page_token.empty()) {
    std::string raw;
    if (!absl::WebSafeBase64Unescape(f.page_token, &raw) || raw.substr(0, prefix.size()) != prefix) {
      return absl::InvalidArgumentError("page_token: not a token of this listing");
    }
    start = raw;
    start.push_back('\0');  // the key after the last one returned
  }

  TaskPage page;
  std::string last_key;
  absl::Status bad;
  bool more = false;
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kIndex, prefix, [&](absl::string_view k, absl::string_view) {
    if (static_cast<int>(page.tasks.size()) == page_size) {
      more = true;
      return false;
    }
    last_key = std::string(k);
    std::string id = absl::StrCat("T", keys::IndexTaskNumber(k));
    v1::Task t;
    absl::Status s = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTask, id), &t);
    if (!s.ok()) {
      bad = s;
      return false;
    }
    if (!f.plan_id.empty() && t.plan_id() != f.plan_id) return true;
    if (!f.campaign_id.empty() && t.campaign_id() != f.campaign_id) return true;
    if (f.state != v1::TASK_STATE_UNSPECIFIED && t.state() != f.state) return true;
    if (!unit_id.empty()) {
      bool in = std::find(t.lead_unit_ids().begin(), t.lead_unit_ids().end(), unit_id) != t.lead_unit_ids().end() ||
                std::find(t.responsible_unit_ids().begin(), t.responsible_unit_ids().end(), unit_id) !=
                    t.responsible_unit_ids().end();
      if (!in) return true;
    }
    if (before || after) {
      auto due = validate::Date("due_date", t.due_date());
      if (!due.ok()) return true;
      if (before && *due > *before) return true;
      if (after && *due < *after) return true;
    }
    Decorate(&t);
    if (f.overdue_only && !t.overdue()) return true;
    page.tasks.push_back(std::move(t));
    return true;
  }, start));
  RETURN_IF_ERROR(bad);
  if (more) page.next_page_token = absl::WebSafeBase64Escape(last_key);
  return page;
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

absl::Status TaskCommands::WarningCheck(Batch& b, const v1::Timer& t, bool late) {
  const std::shared_ptr<const CadenceConfig> cfg = ctx_->cadences();
  const auto& cal = ctx_->calendar;
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
      ctx_->supervision && ev_written) {
    // Red from now on: the escalation rules start counting working days.
    absl::CivilDay today = absl::ToCivilDay(b.now(), PlanTimeZone());
    for (const auto& rule : ctx_->supervision->rules) {
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

absl::Status TaskCommands::ScheduleWarningCheck(Txn* txn, const v1::Task& t, absl::Time not_before) const {
  const std::shared_ptr<const CadenceConfig> cfg = ctx_->cadences();
  if (!cfg || !ctx_->calendar) return absl::OkStatus();
  auto due = validate::Date("due_date", t.due_date());
  if (!due.ok()) return absl::OkStatus();
  absl::Time yellow = WarningTimesFor(*due, cfg->warnings, *ctx_->calendar).yellow;
  absl::Time when = std::max(yellow, not_before);
  v1::Timer check;
  check.set_id(absl::StrCat("warn:", t.id(), ":", t.due_date(), ":", absl::ToUnixSeconds(when)));
  *check.mutable_due() = Ts(when);
  check.mutable_task_warning()->set_task_id(t.id());
  check.mutable_task_warning()->set_due_date(t.due_date());
  txn->Put(Cf::kTimers, keys::Timer(absl::ToUnixMicros(when), check.id()), check);
  return absl::OkStatus();
}

absl::StatusOr<int> TaskCommands::RecomputeWarningChecks(absl::string_view why) {
  absl::MutexLock run(&ctx_->timers->run_mu());
  // Every stripe, in order: no command on a task runs while its check moves.
  KeyLocks::Guard all = ctx_->pipeline->locks().LockAll();
  const std::shared_ptr<const CadenceConfig> cfg = ctx_->cadences();
  if (!ctx_->calendar || !cfg) return 0;
  const WorkCalendar& cal = *ctx_->calendar;
  const absl::Time now = ctx_->clock->Now();

  // Checks still ahead; those already due fire next and compute the level,
  // and their own next check, under the calendar in force.
  std::vector<std::pair<std::string, v1::Timer>> checks;
  absl::Status bad;
  RETURN_IF_ERROR(ctx_->store->Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
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
    absl::Status s = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTask, t.task_warning().task_id()), &task);
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
    ctx_->store->Delete(&b, Cf::kTimers, key);
    ctx_->store->Put(&b, Cf::kTimers, keys::Timer(absl::ToUnixMicros(when), moved.id()), moved);
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
  RETURN_IF_ERROR(ctx_->pipeline->Commit(&b, &none));
  spdlog::info("warning checks: {} recomputed and moved ({})", moves.size(), std::string(why));
  return static_cast<int>(moves.size());
}

}  // namespace duban
