// TaskCommands: the task commands (create, and every command of the task
// state machine after it), the task reads, the task indexes and numbers,
// and the tasks' warning checks (yellow and red before the due date).
//
// Owns: the task records and their events ("entity|task|", "event|T<n>|"),
// the task indexes (plan, campaign, state, due, unit), the task number
// markers ("task_number|" in meta), and the timer kind task warning
// (RegisterTimerHandlers), with the escalation timers a task turning red
// sets for the supervision rules.
// Reads: the context (engine/core/context.h): store, pipeline, clock,
// directory, workflow options, calendar, cadences (the warning
// thresholds), supervision rules, evidence; the plan records
// (engine/plans/plan_records.h) for campaigns and plans.
// Thread-safety: thread-safe. Commands on one task are serialised by the
// pipeline's lock on the task id; numbers come from one atomic counter;
// the warning handler writes into the runner's batch under its locks;
// RecomputeWarningChecks holds the runner's run lock and every stripe.
#ifndef DUBAN_ENGINE_TASKS_TASK_COMMANDS_H_
#define DUBAN_ENGINE_TASKS_TASK_COMMANDS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/model.pb.h"
#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/storage/paging.h"
#include "engine/storage/pipeline.h"

namespace duban {

struct CommandResult {
  v1::Task task;
  std::vector<v1::TaskEvent> events;
  bool replayed = false;  // request_id matched an earlier command
};

struct NewTask {
  std::string campaign_id;
  std::string code;
  std::string title;
  std::string text;
  std::vector<std::string> lead_units;         // ids, names or aliases
  std::vector<std::string> responsible_units;  // ids, names, aliases or group names
  std::string lead_leader;
  std::string responsible_person;
  std::string due_date;
  v1::ListKind list_kind = v1::LIST_KIND_TASK;
  std::vector<v1::Milestone> milestones;
};

// Arguments of the commands after creation; which fields count depends on
// the command.
struct TaskCommandArgs {
  std::string task_id;
  v1::TaskCommand command = v1::TASK_COMMAND_UNSPECIFIED;
  std::string reason;
  v1::ProgressReport report;
  std::string new_due_date;
  std::vector<std::string> lead_units;
  std::vector<std::string> responsible_units;
};

struct TaskFilter {
  std::string plan_id;
  std::string campaign_id;
  std::string unit;  // id, name or alias
  v1::TaskState state = v1::TASK_STATE_UNSPECIFIED;
  std::string due_before;
  std::string due_after;
  bool overdue_only = false;
  int page_size = 50;
  std::string page_token;
};

// kMaxPageBytes and the page conventions: engine/storage/paging.h.
using HistoryPageResult = EventPage<v1::TaskEvent>;

struct TaskPage {
  std::vector<v1::Task> tasks;
  std::string next_page_token;
};

// Task ids are "T<number>"; returns 0 for anything else.
uint64_t TaskNumber(absl::string_view task_id);

class TaskCommands {
 public:
  // ctx outlives the part.
  explicit TaskCommands(const PartContext* ctx) : ctx_(ctx) {}
  TaskCommands(const TaskCommands&) = delete;
  TaskCommands& operator=(const TaskCommands&) = delete;

  // Finds the next task number from the store (meta "next_task_id" and the
  // highest "task_number|" marker). Call once, before the first command.
  absl::Status Init();
  // Gives the runner the handler of the task warning checks.
  void RegisterTimerHandlers(TimerRunner* timers);

  absl::StatusOr<CommandResult> Create(const CommandMeta& meta, const NewTask& task);
  absl::StatusOr<CommandResult> Execute(const CommandMeta& meta, const TaskCommandArgs& args);
  // The task with its computed fields (overdue).
  absl::StatusOr<v1::Task> Get(absl::string_view task_id) const;
  // The task as stored (INVALID_ARGUMENT / NOT_FOUND name task_id).
  absl::StatusOr<v1::Task> Load(absl::string_view task_id) const;
  absl::StatusOr<TaskPage> List(const TaskFilter& filter) const;
  absl::StatusOr<std::vector<v1::TaskEvent>> History(absl::string_view task_id) const;
  // One page of a task's history: events with version > after_version, at
  // most page_size (0: 500; at most 500) and at most kMaxPageBytes of them.
  absl::StatusOr<HistoryPageResult> HistoryPage(absl::string_view task_id, uint64_t after_version,
                                                int page_size) const;
  // Recomputes every task's pending warning check that is still ahead (the
  // day it turns yellow, or red when it is yellow) from the warning
  // thresholds and calendar in force; a check whose day has passed
  // meanwhile is moved to now. Each move is a log line, and the batch's
  // audit entry ("timers.recompute_warnings") lists them. Returns how many
  // moved.
  absl::StatusOr<int> RecomputeWarningChecks(absl::string_view why);

  // For a command that writes tasks in its own batch (the plan import):
  // gives the next n task numbers, their marker in the batch (keys.h
  // "task_number|").
  uint64_t NextNumbers(Txn* txn, uint64_t n);
  // Writes the index entries that changed between before (null: none) and
  // after.
  void PutIndexes(Txn* txn, const v1::Task* before, const v1::Task& after) const;
  // Sets the task's first warning check, not before not_before.
  absl::Status ScheduleWarningCheck(Txn* txn, const v1::Task& t, absl::Time not_before) const;

 private:
  void Decorate(v1::Task* t) const;  // computed fields (overdue)
  absl::Status CheckArgs(const TaskCommandArgs& args, const v1::Task& task) const;
  absl::Status WarningCheck(Batch& b, const v1::Timer& t, bool late);

  const PartContext* const ctx_;
  std::atomic<uint64_t> next_task_number_{1};
};

}  // namespace duban

#endif  // DUBAN_ENGINE_TASKS_TASK_COMMANDS_H_
