// Engine: commands in, events out, state in RocksDB. Knows nothing of gRPC.
//
// Every command is validated first, then its events, the new records and the
// index entries are written in one WriteBatch with a synced WAL. Commands on
// different tasks run concurrently (RocksDB groups their synced writes into
// one); commands on the same task are serialised.
#ifndef DUBAN_ENGINE_ENGINE_H_
#define DUBAN_ENGINE_ENGINE_H_

#include <array>
#include <functional>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "duban/v1/model.pb.h"
#include "engine/accountability/bulletin.h"
#include "engine/audit/audit_log.h"
#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/time/cadence.h"
#include "engine/time/clock.h"
#include "engine/storage/outbox.h"
#include "engine/storage/paging.h"
#include "engine/storage/pipeline.h"
#include "engine/plans/directory.h"
#include "engine/plans/plan_import.h"
#include "engine/plans/plan_loader.h"
#include "engine/storage/store.h"
#include "engine/supervision/supervision.h"
#include "engine/evidence/evidence_store.h"
#include "engine/obligations/obligations.h"
#include "engine/tasks/task_commands.h"
#include "engine/tasks/task_machine.h"
#include "engine/time/timer_runner.h"
#include "engine/time/work_calendar.h"

namespace duban {

struct EngineOptions {
  WorkflowOptions workflow;
  // The work calendar and the reporting cadences; without them no
  // obligations are generated and tasks get no warning levels. The calendar
  // is constant after Open; the cadences are swapped by ReloadCadences, so
  // a running engine's are read through Engine::cadences() only.
  std::shared_ptr<const WorkCalendar> calendar;
  std::shared_ptr<const CadenceConfig> cadences;
  // Supervision levels, supervisors and escalation rules; without them the
  // supervision commands are refused.
  std::shared_ptr<const SupervisionConfig> supervision;
  // The audit trail (always on; these say how it hashes, signs and keeps).
  audit::AuditOptions audit;
  // Evidence files: size limit, type allow-list, grace period.
  EvidenceOptions evidence;
  // Memory and log bounds of the store, and its environment (tests).
  StoreOptions store;
};

class Engine {
 public:
  static absl::StatusOr<std::unique_ptr<Engine>> Open(const std::string& data_dir, Clock* clock,
                                                      EngineOptions options = {});
  ~Engine();

  // ---- plans and organisation: engine/plans/plan_import.h
  PlanImport& plans() { return *plans_; }
  const PlanImport& plans() const { return *plans_; }
  absl::StatusOr<ImportSummary> ImportPlan(const yamlx::Doc& doc, absl::string_view actor, bool assign,
                                           absl::string_view done_marker = {}) {
    return plans_->ImportPlan(doc, actor, assign, done_marker);
  }
  absl::StatusOr<bool> ImportDemoOnce(const yamlx::Doc& doc) { return plans_->ImportDemoOnce(doc); }
  absl::StatusOr<ImportSummary> ImportPlanText(absl::string_view file_name, absl::string_view yaml,
                                               absl::string_view actor, bool assign) {
    return plans_->ImportPlanText(file_name, yaml, actor, assign);
  }
  absl::StatusOr<std::vector<v1::Plan>> ListPlans() const { return plans_->ListPlans(); }
  absl::StatusOr<v1::Plan> GetPlan(absl::string_view plan_id) const { return plans_->GetPlan(plan_id); }
  absl::StatusOr<std::vector<v1::Campaign>> ListCampaigns(absl::string_view plan_id) const {
    return plans_->ListCampaigns(plan_id);
  }
  absl::StatusOr<v1::Campaign> GetCampaign(absl::string_view campaign_id) const {
    return plans_->GetCampaign(campaign_id);
  }
  std::vector<v1::Unit> ListUnits(v1::UnitCategory category) const { return directory_.ListUnits(category); }
  std::vector<v1::UnitGroup> ListUnitGroups() const { return directory_.ListUnitGroups(); }
  absl::StatusOr<v1::Unit> GetUnit(absl::string_view unit_id) const { return directory_.GetUnit(unit_id); }
  absl::StatusOr<Resolved> Resolve(absl::string_view name) const { return directory_.Resolve(name); }
  // The organisation directory (engine/plans/directory.h).
  const Directory& directory() const { return directory_; }
  absl::StatusOr<std::vector<v1::Person>> ListPeople() const { return plans_->ListPeople(); }
  absl::StatusOr<v1::LeadingGroup> GetLeadingGroup(absl::string_view plan_id) const {
    return plans_->GetLeadingGroup(plan_id);
  }
  absl::StatusOr<std::vector<v1::TaskForce>> ListTaskForces(absl::string_view plan_id) const {
    return plans_->ListTaskForces(plan_id);
  }

  // ---- tasks: engine/tasks/task_commands.h
  TaskCommands& tasks() { return *tasks_; }
  const TaskCommands& tasks() const { return *tasks_; }
  absl::StatusOr<CommandResult> CreateTask(const CommandMeta& meta, const NewTask& task) {
    return tasks_->Create(meta, task);
  }
  absl::StatusOr<CommandResult> Execute(const CommandMeta& meta, const TaskCommandArgs& args) {
    return tasks_->Execute(meta, args);
  }
  absl::StatusOr<v1::Task> GetTask(absl::string_view task_id) const { return tasks_->Get(task_id); }
  absl::StatusOr<TaskPage> ListTasks(const TaskFilter& filter) const { return tasks_->List(filter); }
  absl::StatusOr<std::vector<v1::TaskEvent>> History(absl::string_view task_id) const {
    return tasks_->History(task_id);
  }
  absl::StatusOr<HistoryPageResult> HistoryPage(absl::string_view task_id, uint64_t after_version,
                                                int page_size) const {
    return tasks_->HistoryPage(task_id, after_version, page_size);
  }

  // ---- reporting obligations (报送事项): engine/obligations/obligations.h
  Obligations& obligations() { return *obligations_; }
  const Obligations& obligations() const { return *obligations_; }
  absl::StatusOr<v1::Obligation> GetObligation(absl::string_view id) const { return obligations_->Get(id); }
  absl::StatusOr<ObligationPage> ListObligations(const ObligationFilter& filter) const {
    return obligations_->List(filter);
  }
  absl::StatusOr<std::vector<v1::ObligationEvent>> ObligationHistory(absl::string_view id) const {
    return obligations_->History(id);
  }
  absl::StatusOr<EventPage<v1::ObligationEvent>> ObligationHistoryPage(absl::string_view id, uint64_t after_version,
                                                                       int page_size) const {
    return obligations_->HistoryPage(id, after_version, page_size);
  }
  absl::StatusOr<v1::Obligation> SubmitReport(const CommandMeta& meta, absl::string_view id, absl::string_view text,
                                              const EvidenceRefs& evidence = {}) {
    return obligations_->SubmitReport(meta, id, text, evidence);
  }
  absl::StatusOr<v1::Obligation> ReviewReport(const CommandMeta& meta, absl::string_view id, bool accept,
                                              absl::string_view reason) {
    return obligations_->ReviewReport(meta, id, accept, reason);
  }
  absl::StatusOr<v1::UnitScore> GetUnitScore(absl::string_view unit) const { return obligations_->GetUnitScore(unit); }
  absl::StatusOr<std::vector<v1::UnitScore>> ListUnitScores() const { return obligations_->ListUnitScores(); }

  // ---- supervision (督办): engine/supervision/supervision.h
  Supervision& supervision() { return *supervision_; }
  const Supervision& supervision() const { return *supervision_; }
  absl::StatusOr<v1::SupervisionItem> ListForSupervision(const CommandMeta& meta, const NewSupervisionItem& item) {
    return supervision_->ListForSupervision(meta, item);
  }
  absl::StatusOr<v1::SupervisionItem> SupervisionStep(const CommandMeta& meta, absl::string_view id,
                                                      SupervisionCommand command, absl::string_view text,
                                                      const EvidenceRefs& evidence = {}) {
    return supervision_->SupervisionStep(meta, id, command, text, evidence);
  }
  absl::StatusOr<v1::SupervisionItem> Escalate(const CommandMeta& meta, const EscalateRequest& req) {
    return supervision_->Escalate(meta, req);
  }
  absl::StatusOr<v1::SupervisionItem> GetSupervision(absl::string_view id) const { return supervision_->Get(id); }
  absl::StatusOr<std::vector<v1::SupervisionItem>> ListSupervisionItems(const SupervisionFilter& filter) const {
    return supervision_->List(filter);
  }
  absl::StatusOr<std::vector<v1::SupervisionEvent>> SupervisionHistory(absl::string_view id) const {
    return supervision_->History(id);
  }
  absl::StatusOr<SupervisionPage> ListSupervisionPage(const SupervisionFilter& filter) const {
    return supervision_->ListPage(filter);
  }
  absl::StatusOr<EventPage<v1::SupervisionEvent>> SupervisionHistoryPage(absl::string_view id, uint64_t after_version,
                                                                         int page_size) const {
    return supervision_->HistoryPage(id, after_version, page_size);
  }

  // ---- the monthly bulletin: who is late, in one page. `cases` are the
  // accountability cases to include (those opened in the month count).
  // (engine/accountability/bulletin.h)
  absl::StatusOr<v1::Bulletin> MonthlyBulletin(absl::string_view month,
                                               const std::vector<v1::AccountabilityCase>& cases) const {
    return duban::MonthlyBulletin(
        BulletinSources{store_.get(), clock_, &directory_, tasks_.get(), supervision_.get()}, month, cases);
  }

  // ---- time
  // Schedules the first tick of every cadence rule not yet scheduled.
  absl::Status StartCadences() { return obligations_->StartCadences(); }
  // Fires every timer due at or before `until`, in due order. With
  // step_clock on a simulated clock, the clock is moved to each timer's due
  // time before it fires (nothing is late); the clock ends at `until`.
  // A timer whose firing fails is set aside (ListDeadTimers) with a
  // notification to kAdminRecipient; the others keep firing. `cancelled`,
  // when given, is asked between batches: true stops the run (CANCELLED).
  absl::StatusOr<TimerRun> RunTimers(absl::Time until, bool step_clock,
                                     const std::function<bool()>& cancelled = {});
  // Timers set aside because their firing failed (at most 1000).
  absl::StatusOr<std::vector<v1::DeadTimer>> ListDeadTimers() const { return timers_->ListDead(); }
  // One page of them, by timer id (engine/storage/paging.h; page_size 0:
  // kDefaultListPageSize).
  absl::StatusOr<DeadTimerPage> ListDeadTimersPage(int page_size, absl::string_view page_token) const {
    return timers_->ListDeadPage(page_size, page_token);
  }
  // Replaces the cadences while running (Obligations::ReloadCadences); when
  // the warning thresholds changed, the tasks' warning checks are
  // recomputed too. FAILED_PRECONDITION when the engine runs without
  // calendar and cadences.
  absl::StatusOr<CadenceReload> ReloadCadences(std::shared_ptr<const CadenceConfig> cadences) {
    return obligations_->ReloadCadences(std::move(cadences),
                                        [this](absl::string_view why) { return RecomputeWarningChecks(why); });
  }
  // Obligations::RecomputeDeadlines.
  absl::StatusOr<int> RecomputeDeadlines(const std::set<std::string>& rule_ids, absl::string_view why) {
    return obligations_->RecomputeDeadlines(rule_ids, why);
  }
  // TaskCommands::RecomputeWarningChecks (e.g. after a calendar year was
  // added or the thresholds reloaded).
  absl::StatusOr<int> RecomputeWarningChecks(absl::string_view why) { return tasks_->RecomputeWarningChecks(why); }
  // The due time of the earliest pending timer.
  std::optional<absl::Time> NextTimerDue() const { return timers_->NextDue(); }
  // Simulated clock only: FAILED_PRECONDITION otherwise. At most
  // kMaxAdvance per call (INVALID_ARGUMENT beyond); stops with CANCELLED
  // when `cancelled` returns true (the caller went away).
  absl::StatusOr<TimerRun> AdvanceClock(absl::Time to, const std::function<bool()>& cancelled = {});
  Outbox& outbox() { return *outbox_; }
  // The command pipeline every part commits through.
  Pipeline& pipeline() { return *pipeline_; }
  // Makes a running RunTimers stop after its current batch (shutdown).
  void RequestStop() { timers_->RequestStop(); }
  // The timer runner (engine/time/timer_runner.h).
  TimerRunner& timers() { return *timers_; }

  const Clock& clock() const { return *clock_; }
  Store& store() { return *store_; }
  audit::AuditLog& audit() { return *audit_; }
  // Evidence files, stored under <data_dir>/evidence.
  EvidenceStore& evidence() { return *evidence_; }
  const EvidenceStore& evidence() const { return *evidence_; }
  const EngineOptions& options() const { return options_; }
  // The parts' shared context (engine/core/context.h), for the readers
  // built beside the engine (rankings, accountability, assessments).
  const PartContext& context() const { return ctx_; }
  // The cadences in force (nullptr: none), read with one atomic load.
  // ReloadCadences swaps them at any time: a computation takes this pointer
  // once and holds it to its end, so that a reload during it can neither
  // free the rules it reads nor mix old rules with new ones. Never read
  // options().cadences on a running engine.
  std::shared_ptr<const CadenceConfig> cadences() const { return std::atomic_load(&options_.cadences); }

 private:
  Engine(std::unique_ptr<Store> store, Clock* clock, EngineOptions options);
  // The parts' shared context on this engine's members (ctx_).
  PartContext MakeContext();
  // How long after its due time a timer counts as late (the cadences').
  absl::Duration LateAfter() const;

  // Constant after Open.
  std::unique_ptr<Store> store_;
  std::unique_ptr<audit::AuditLog> audit_;  // the store's write hook
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<EvidenceStore> evidence_;
  std::unique_ptr<Pipeline> pipeline_;
  Clock* clock_;
  EngineOptions options_;

  std::unique_ptr<TimerRunner> timers_;
  // Non-owning views of the members above, handed to every Batch and part.
  PartContext ctx_;
  // The parts, built in this order on ctx_.
  std::unique_ptr<TaskCommands> tasks_;
  std::unique_ptr<PlanImport> plans_;
  std::unique_ptr<Obligations> obligations_;
  std::unique_ptr<Supervision> supervision_;

  // The organisation directory, read by every command, told of imports.
  Directory directory_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_ENGINE_H_
