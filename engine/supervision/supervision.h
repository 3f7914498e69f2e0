// Supervision (督办): listed supervision items on a task, a report
// obligation or a standalone hazard, at three levels, with the "一单四制"
// fields, a state machine, escalation (by request or by rule) and a
// look-back (回头看) after closing. Rules live in config/supervision.yaml.
//
// Owns: the supervision items and their events ("entity|supervision|",
// "event|S<n>|"), the index "supervision-subject", the item counter, and
// the timer kinds escalation, supervision deadline and look-back
// (Supervision::RegisterTimerHandlers).
// Reads: the context (engine/core/context.h): store, pipeline, clock,
// directory, calendar, supervision rules, evidence; the tasks
// (TaskCommands) and the report obligations (Obligations) an item is on.
// Thread-safety: the config functions are pure. Supervision is
// thread-safe: commands lock their item or subject (and their request
// record) through the pipeline; item numbers come from one atomic counter;
// the timer handlers write into the runner's batch under the locks it took.
#ifndef DUBAN_ENGINE_SUPERVISION_SUPERVISION_H_
#define DUBAN_ENGINE_SUPERVISION_SUPERVISION_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <atomic>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/model.pb.h"
#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/evidence/evidence_store.h"
#include "engine/storage/paging.h"
#include "engine/storage/pipeline.h"
#include "engine/storage/yaml_util.h"

namespace duban {

struct SupervisionLevel {
  int level = 1;
  std::string name;       // 行业领域挂牌督办 …
  std::string listed_by;  // the unit or body that lists at this level
};

// An escalation rule. Exactly one trigger:
//  - task_red_working_days: a task red for N working days gets listed at
//    `list_level` (when it has no open item);
//  - overdue_level: an open item of that level past its deadline by
//    `overdue_working_days` goes up one level.
struct EscalationRule {
  std::string id;
  std::optional<int> task_red_working_days;
  std::optional<int> overdue_level;
  int overdue_working_days = 0;
  int list_level = 1;                // for task_red rules
  int deadline_working_days = 10;    // the new deadline, counted from the step
  int line = 0;
};

struct SupervisionConfig {
  std::string file;
  std::vector<SupervisionLevel> levels;   // 1..3
  std::vector<std::string> supervisors;   // actors (unit names, aliases or ids) allowed to list, escalate, verify, close
  int lookback_working_days = 20;         // 回头看 after closing
  int default_deadline_working_days = 10;
  std::vector<EscalationRule> rules;
};

absl::StatusOr<SupervisionConfig> LoadSupervision(const yamlx::Doc& doc);
absl::StatusOr<SupervisionConfig> LoadSupervisionFile(const std::string& path);

enum class SupervisionCommand {
  kStartRectification,   // the responsible unit starts
  kReportRectification,  // the unit reports its rectification
  kVerify,               // a supervisor verifies it
  kReturn,               // a supervisor returns the report
  kClose,                // a supervisor strikes it off (销号)
  kLookBackPassed,       // the look-back found no recurrence
  kReopen,               // the look-back found the problem again
};

// The transition table; FAILED_PRECONDITION names the state and what it allows.
absl::StatusOr<v1::SupervisionState> NextSupervisionState(v1::SupervisionState from, SupervisionCommand c);
std::string SupervisionStateName(v1::SupervisionState s);
std::string SupervisionCommandName(SupervisionCommand c);
// True for commands only a supervisor may give.
bool NeedsSupervisor(SupervisionCommand c);

// What a new item says; the subject is a task, an obligation or nothing
// (a hazard).
struct NewSupervisionItem {
  v1::SupervisionSubjectKind subject_kind = v1::SUPERVISION_SUBJECT_HAZARD;
  std::string subject_id;
  std::string title;
  int level = 1;
  std::string hazard_list;
  std::string responsible_unit;  // name, alias or id
  std::string responsible_person;
  std::string rectification_target;
  std::string measures;
  std::string deadline;  // YYYY-MM-DD; empty: the configured number of working days from today
  int inspection_cycle_days = 0;
};

struct SupervisionFilter {
  std::string subject_id;
  int level = 0;  // 0: all
  v1::SupervisionState state = v1::SUPERVISION_STATE_UNSPECIFIED;
  std::string unit;  // responsible unit: id, name or alias
  bool overdue_only = false;
  int page_size = kDefaultListPageSize;  // 0: the default; at most kMaxListPageSize
  std::string page_token;                // engine/storage/paging.h
};

struct SupervisionPage {
  std::vector<v1::SupervisionItem> items;  // in id order
  std::string next_page_token;             // empty: no more
};

// One call to escalate: an item up a level, or a task / obligation (its open
// item up a level, or listed at level 1 when it has none).
struct EscalateRequest {
  std::string item_id;
  std::string task_id;
  std::string obligation_id;
  std::string reason;
  std::string new_deadline;  // optional YYYY-MM-DD
};

class TaskCommands;  // engine/tasks/task_commands.h
class Obligations;   // engine/obligations/obligations.h

class Supervision {
 public:
  // ctx, tasks and obligations outlive the part.
  Supervision(const PartContext* ctx, const TaskCommands* tasks, const Obligations* obligations)
      : ctx_(ctx), tasks_(tasks), obligations_(obligations) {}
  Supervision(const Supervision&) = delete;
  Supervision& operator=(const Supervision&) = delete;

  // Finds the next item number from the stored items. Call once, before
  // the first command.
  absl::Status Init();
  // Gives the runner the handlers of escalations, item deadlines and
  // look-backs.
  void RegisterTimerHandlers(TimerRunner* timers);

  absl::StatusOr<v1::SupervisionItem> ListForSupervision(const CommandMeta& meta, const NewSupervisionItem& item);
  // evidence: files of a rectification report (kReportRectification only;
  // INVALID_ARGUMENT "evidence: ..." with another command), attached to its
  // event in the same batch.
  absl::StatusOr<v1::SupervisionItem> SupervisionStep(const CommandMeta& meta, absl::string_view id,
                                                      SupervisionCommand command, absl::string_view text,
                                                      const EvidenceRefs& evidence = {});
  absl::StatusOr<v1::SupervisionItem> Escalate(const CommandMeta& meta, const EscalateRequest& req);
  absl::StatusOr<v1::SupervisionItem> Get(absl::string_view id) const;
  // Every item that matches (page_size and page_token are not used), in id
  // order: for the engine's own summaries.
  absl::StatusOr<std::vector<v1::SupervisionItem>> List(const SupervisionFilter& filter) const;
  absl::StatusOr<std::vector<v1::SupervisionEvent>> History(absl::string_view id) const;
  // One page of the items, in id order: at most filter.page_size (and
  // kMaxPageBytes) of them after filter.page_token.
  absl::StatusOr<SupervisionPage> ListPage(const SupervisionFilter& filter) const;
  // One page of an item's history (engine/storage/paging.h).
  absl::StatusOr<EventPage<v1::SupervisionEvent>> HistoryPage(absl::string_view id, uint64_t after_version,
                                                              int page_size) const;

 private:
  // The result of an earlier command with meta's actor and request id and
  // the same fingerprint (the caller holds the request's lock).
  template <typename M>
  absl::StatusOr<std::optional<M>> ReplayAs(const CommandMeta& meta, const std::string& fingerprint) const {
    auto bytes = ctx_->pipeline->Replay(meta, fingerprint);
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return std::optional<M>();
    M m;
    if (!m.ParseFromString(**bytes)) return absl::DataLossError("requests: record cannot be parsed");
    return std::optional<M>(std::move(m));
  }
  // Steps 5 to 7 for a command that runs the pipeline's steps itself: the
  // request record, the audit entry, the synced commit.
  absl::Status CommitCommand(Batch* w, const CommandInfo& info, const std::string& fingerprint,
                             const google::protobuf::MessageLite& result);
  // Locks a command's subjects and its request record.
  KeyLocks::Guard LockCommand(const CommandMeta& meta, std::vector<std::string> subjects);

  absl::Status CheckSupervisor(const CommandMeta& meta, absl::string_view what) const;
  void DecorateSupervision(v1::SupervisionItem* item) const;
  absl::StatusOr<v1::SupervisionItem> NewItem(Batch* w, const NewSupervisionItem& in, const std::string& actor,
                                              const std::string& rule_id);
  absl::StatusOr<std::optional<v1::SupervisionItem>> OpenItemFor(Batch* w, const std::string& subject_id);
  absl::Status EscalateItem(Batch* w, v1::SupervisionItem* item, const std::string& actor,
                            const std::string& reason, int deadline_working_days, const std::string& new_deadline);
  std::string ResolveUnitOrName(absl::string_view name) const;
  absl::StatusOr<v1::SupervisionItem> SupervisionStepImpl(const CommandMeta& meta, absl::string_view id,
                                                          SupervisionCommand command, absl::string_view text,
                                                          const EvidenceRefs& evidence);
  absl::StatusOr<v1::SupervisionItem> ListForSupervisionImpl(const CommandMeta& meta, const NewSupervisionItem& item,
                                                             const std::string& fingerprint);
  absl::StatusOr<v1::SupervisionItem> EscalateImpl(const CommandMeta& meta, const EscalateRequest& req,
                                                   const std::string& fingerprint);
  // The effects of the timer kinds, written into the runner's batch: a task
  // red for long enough gets listed, an overdue item goes up a level, a
  // closed item's look-back falls due.
  absl::Status EscalationDue(Batch& b, const v1::Timer& t, bool late);
  absl::Status SupervisionDeadlineDue(Batch& b, const v1::Timer& t, bool late);
  absl::Status LookbackDue(Batch& b, const v1::Timer& t, bool late);

  const PartContext* const ctx_;
  const TaskCommands* const tasks_;
  const Obligations* const obligations_;
  std::atomic<uint64_t> next_supervision_number_{1};
};

}  // namespace duban

#endif  // DUBAN_ENGINE_SUPERVISION_SUPERVISION_H_
