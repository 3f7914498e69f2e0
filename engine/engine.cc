// Engine: opening the store and the task commands.
#include "engine/engine.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>

#include "absl/hash/hash.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/audit/audit_scope.h"
#include "engine/storage/events.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

constexpr int kSchemaVersion = 1;
constexpr int kMaxPageSize = 500;
constexpr char kTaskNumberPrefix[] = "task_number|";

std::string TaskNumberKey(uint64_t n) {
  std::string k = kTaskNumberPrefix;
  keys::AppendU64(&k, n);
  return k;
}


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

}  // namespace

void LogCommand(absl::string_view subject_kind, absl::string_view subject_id, absl::string_view command,
                absl::string_view actor, const absl::Status& result, absl::Time start) {
  spdlog::info("{}={} command={} actor={} result={} latency_us={}", std::string(subject_kind), std::string(subject_id),
               std::string(command), std::string(actor),
               result.ok() ? std::string("OK") : absl::StatusCodeToString(result.code()),
               absl::ToInt64Microseconds(absl::Now() - start));
}

uint64_t TaskNumber(absl::string_view task_id) {
  if (task_id.size() < 2 || task_id[0] != 'T' || task_id.size() > 21) return 0;
  uint64_t n = 0;
  auto r = std::from_chars(task_id.data() + 1, task_id.data() + task_id.size(), n);
  if (r.ec != std::errc() || r.ptr != task_id.data() + task_id.size() || task_id[1] == '0') return 0;
  return n;
}

Engine::Engine(std::unique_ptr<Store> store, Clock* clock, EngineOptions options)
    : store_(std::move(store)), clock_(clock), options_(options) {}

Engine::~Engine() {
  if (store_) store_->SetWriteHook(nullptr);
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(const std::string& data_dir, Clock* clock,
                                                     EngineOptions options) {
  if (clock == nullptr) return absl::InvalidArgumentError("clock: required");
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(data_dir, options.store));
  auto version = store->Get(Cf::kMeta, keys::SchemaVersion());
  if (version.ok()) {
    int v = 0;
    if (!absl::SimpleAtoi(*version, &v) || v != kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat("data_dir ", data_dir, ": schema version '", *version,
                                                        "', this build reads ", kSchemaVersion));
    }
  } else {
    rocksdb::WriteBatch b;
    store->Put(&b, Cf::kMeta, keys::SchemaVersion(), std::to_string(kSchemaVersion));
    RETURN_IF_ERROR(store->Write(&b));
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(store), clock, options));
  // The audit trail: every write made for an act from now on carries its entry.
  ASSIGN_OR_RETURN(engine->audit_, audit::AuditLog::Open(engine->store_.get(), clock, options.audit));
  engine->store_->SetWriteHook(engine->audit_.get());
  uint64_t next_task = 1;
  if (auto next = engine->store_->Get(Cf::kMeta, "next_task_id"); next.ok()) {
    if (!absl::SimpleAtoi(*next, &next_task)) return absl::DataLossError("meta next_task_id: not a number");
  } else if (!absl::IsNotFound(next.status())) {
    return next.status();
  }
  auto last = engine->store_->LastKey(Cf::kMeta, kTaskNumberPrefix);
  if (last.ok()) {
    if (last->size() != sizeof(kTaskNumberPrefix) - 1 + 8) return absl::DataLossError("meta task_number: malformed key");
    next_task = std::max(next_task, keys::DecodeU64(absl::string_view(*last).substr(sizeof(kTaskNumberPrefix) - 1)) + 1);
  } else if (!absl::IsNotFound(last.status())) {
    return last.status();
  }
  engine->next_task_number_.store(next_task);
  RETURN_IF_ERROR(engine->LoadDirectory());
  RETURN_IF_ERROR(engine->LoadSupervisionCounter());
  engine->outbox_ = std::make_unique<Outbox>(engine->store_.get());
  RETURN_IF_ERROR(engine->outbox_->Init());
  engine->evidence_ = std::make_unique<EvidenceStore>(engine->store_.get(), clock, data_dir + "/evidence",
                                                      engine->options_.evidence);
  RETURN_IF_ERROR(engine->evidence_->Init());
  engine->pipeline_ = std::make_unique<Pipeline>(engine->store_.get(), engine->outbox_.get());
  Engine* e = engine.get();
  engine->timers_ = std::make_unique<TimerRunner>(
      engine->store_.get(), engine->pipeline_.get(), clock,
      [e](absl::Time now) -> std::unique_ptr<Txn> { return std::make_unique<Batch>(&e->ctx_, now); });
  engine->ctx_ = engine->MakeContext();
  engine->obligations_ = std::make_unique<Obligations>(&engine->ctx_);
  engine->obligations_->RegisterTimerHandlers(engine->timers_.get());
  engine->RegisterTimerHandlers();
  if (auto sim = engine->store_->Get(Cf::kMeta, keys::SimulatedNow()); sim.ok() && clock->IsSimulated()) {
    int64_t us = 0;
    if (absl::SimpleAtoi(*sim, &us)) clock->MoveTo(absl::FromUnixMicros(us));
  }
  return engine;
}

PartContext Engine::MakeContext() {
  PartContext ctx;
  ctx.store = store_.get();
  ctx.pipeline = pipeline_.get();
  ctx.outbox = outbox_.get();
  ctx.audit = audit_.get();
  ctx.evidence = evidence_.get();
  ctx.clock = clock_;
  ctx.directory = &directory_;
  ctx.timers = timers_.get();
  ctx.workflow = &options_.workflow;
  ctx.calendar = options_.calendar;
  ctx.supervision = options_.supervision;
  ctx.cadences_slot = &options_.cadences;
  return ctx;
}

absl::Status Engine::CommitCommand(Batch* w, const CommandInfo& info, const std::string& fingerprint,
                                   const google::protobuf::MessageLite& result) {
  Pipeline::RecordRequest(w, info.meta, fingerprint, result);
  RETURN_IF_ERROR(pipeline_->Audit(info, result, w->batch()));
  return pipeline_->Commit(w);
}

KeyLocks::Guard Engine::LockCommand(const CommandMeta& meta, std::vector<std::string> subjects) {
  if (!meta.request_id.empty()) subjects.push_back(Pipeline::RequestSubject(meta));
  return pipeline_->locks().Lock(subjects);
}

uint64_t Engine::NextTaskNumbers(Txn* txn, uint64_t n) {
  uint64_t first = next_task_number_.fetch_add(n);
  uint64_t last = first + n - 1;
  // The highest marker is the last number given, whatever order concurrent
  // batches commit in; each batch removes the marker below its own.
  txn->PutRaw(Cf::kMeta, TaskNumberKey(last), "");
  if (first > 1) txn->Delete(Cf::kMeta, TaskNumberKey(first - 1));
  return first;
}

void Engine::Decorate(v1::Task* t) const {
  t->set_overdue(false);
  if (IsTerminal(t->state()) || t->state() == v1::TASK_STATE_DRAFT) return;
  auto due = validate::Date("due_date", t->due_date());
  if (!due.ok()) return;
  // Due at the end of the due day, Beijing time.
  absl::Time deadline = absl::FromCivil(*due + 1, PlanTimeZone());
  t->set_overdue(clock_->Now() >= deadline);
}

absl::StatusOr<v1::Task> Engine::LoadTask(absl::string_view task_id) const {
  if (task_id.empty()) return absl::InvalidArgumentError("task_id: required");
  if (TaskNumber(task_id) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("task_id: '", task_id, "' is not a task id (T<number>)"));
  }
  v1::Task t;
  absl::Status s = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTask, task_id), &t);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("task_id: no task '", task_id, "'"));
  if (!s.ok()) return s;
  return t;
}

absl::StatusOr<v1::Task> Engine::GetTask(absl::string_view task_id) const {
  ASSIGN_OR_RETURN(v1::Task t, LoadTask(task_id));
  Decorate(&t);
  return t;
}

void Engine::PutTaskIndexes(Txn* txn, const v1::Task* before, const v1::Task& after) const {
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

void AddMilestones(std::string* body, const std::vector<v1::Milestone>& ms) {
  AddField(body, static_cast<int64_t>(ms.size()));
  for (const auto& m : ms) AddField(body, m.SerializeAsString());
}

}  // namespace

absl::StatusOr<CommandResult> Engine::CreateTask(const CommandMeta& meta, const NewTask& in) {
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
  Batch txn(&ctx_, clock_->Now());
  auto out = pipeline_->Run<v1::CommandRecord, Batch>(
      spec, &txn, [&](Batch& w) -> absl::StatusOr<v1::CommandRecord> {
        ASSIGN_OR_RETURN(v1::Campaign campaign, GetCampaign(in.campaign_id));
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
        ASSIGN_OR_RETURN(std::vector<std::string> lead, ResolveUnits("lead_units", in.lead_units, false));
        ASSIGN_OR_RETURN(std::vector<std::string> resp, ResolveUnits("responsible_units", in.responsible_units, true));
        bool dup = false;
        absl::Status bad;
        RETURN_IF_ERROR(store_->Scan(Cf::kIndex, keys::IndexPrefix("campaign", campaign.id()),
                                     [&](absl::string_view k, absl::string_view) {
          v1::Task other;
          bad = store_->GetProto(Cf::kEntities,
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
        t.set_id(absl::StrCat("T", NextTaskNumbers(&w, 1)));
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
        PutTaskIndexes(&w, nullptr, t);
        v1::CommandRecord rec;
        *rec.mutable_task() = std::move(t);
        *rec.add_events() = std::move(e);
        return rec;
      });
  if (!out.ok()) return out.status();
  CommandResult r = ToResult(std::move(out->value), out->replayed);
  Decorate(&r.task);
  return r;
}

absl::Status Engine::CheckArgs(const TaskCommandArgs& a, const v1::Task& task) const {
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

absl::StatusOr<CommandResult> Engine::Execute(const CommandMeta& meta, const TaskCommandArgs& a) {
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
  Batch txn(&ctx_, clock_->Now());
  auto out = pipeline_->Run<v1::CommandRecord, Batch>(
      spec, &txn, [&](Batch& w) -> absl::StatusOr<v1::CommandRecord> {
    if (!v1::TaskCommand_IsValid(a.command)) {
      return absl::InvalidArgumentError(absl::StrCat("command: unknown value ", static_cast<int>(a.command)));
    }
    std::vector<std::string> lead, resp;
    if (a.command == v1::TASK_COMMAND_TRANSFER) {
      RETURN_IF_ERROR(validate::Count("lead_units", a.lead_units.size(), validate::kMaxUnitsPerTask));
      RETURN_IF_ERROR(validate::Count("responsible_units", a.responsible_units.size(), validate::kMaxUnitsPerTask));
      ASSIGN_OR_RETURN(lead, ResolveUnits("lead_units", a.lead_units, false));
      ASSIGN_OR_RETURN(resp, ResolveUnits("responsible_units", a.responsible_units, true));
    }
    ASSIGN_OR_RETURN(v1::Task task, LoadTask(a.task_id));
    if (meta.expected_version != 0 && meta.expected_version != task.version()) {
      return absl::AbortedError(absl::StrCat("meta.expected_version: task ", task.id(), " is at version ",
                                             task.version(), ", not ", meta.expected_version));
    }
    RETURN_IF_ERROR(CheckArgs(a, task));
    ASSIGN_OR_RETURN(Step step, NextState(task.state(), task.resume_state(), a.command, options_.workflow));

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
        RETURN_IF_ERROR(evidence_->Resolve("report.evidence", meta.actor, report.mutable_evidence()));
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
      evidence_->PutAttachments(w.batch(), e.report().evidence(), att);
    }

    w.Put(Cf::kEntities, keys::Entity(keys::Kind::kTask, task.id()), task);
    w.Put(Cf::kEvents, keys::Event(task.id(), e.version()), e);
    PutTaskIndexes(&w, &before, task);
    // Warning levels follow the due date and the state: check again when
    // either changes what the level could be.
    bool due_changed = before.due_date() != task.due_date();
    bool now_active = before.state() == v1::TASK_STATE_DRAFT && task.state() != v1::TASK_STATE_DRAFT;
    if (due_changed || now_active) RETURN_IF_ERROR(ScheduleWarningCheck(&w, task, now));
    v1::CommandRecord rec;
    *rec.mutable_task() = std::move(task);
    *rec.add_events() = std::move(e);
    return rec;
  });
  if (!out.ok()) return out.status();
  CommandResult r = ToResult(std::move(out->value), out->replayed);
  Decorate(&r.task);
  return r;
}

absl::StatusOr<std::vector<v1::TaskEvent>> Engine::History(absl::string_view task_id) const {
  RETURN_IF_ERROR(LoadTask(task_id).status());
  return ReadEvents<v1::TaskEvent>(*store_, task_id);
}

absl::StatusOr<HistoryPageResult> Engine::HistoryPage(absl::string_view task_id, uint64_t after_version,
                                                      int page_size) const {
  if (page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  RETURN_IF_ERROR(LoadTask(task_id).status());
  return ReadEventsPage<v1::TaskEvent>(*store_, task_id, after_version, page_size);
}

absl::StatusOr<TaskPage> Engine::ListTasks(const TaskFilter& f) const {
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
    auto ref = LookupName(f.unit);
    if (!ref) return absl::NotFoundError(absl::StrCat("unit: unknown unit '", f.unit, "'"));
    if (!ref->has_unit_id()) return absl::InvalidArgumentError(absl::StrCat("unit: '", f.unit, "' is a group; name one unit"));
    unit_id = ref->unit_id();
  }
  if (!f.campaign_id.empty()) RETURN_IF_ERROR(GetCampaign(f.campaign_id).status());
  if (!f.plan_id.empty()) RETURN_IF_ERROR(GetPlan(f.plan_id).status());

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
  RETURN_IF_ERROR(store_->Scan(Cf::kIndex, prefix, [&](absl::string_view k, absl::string_view) {
    if (static_cast<int>(page.tasks.size()) == page_size) {
      more = true;
      return false;
    }
    last_key = std::string(k);
    std::string id = absl::StrCat("T", keys::IndexTaskNumber(k));
    v1::Task t;
    absl::Status s = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kTask, id), &t);
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

}  // namespace duban
