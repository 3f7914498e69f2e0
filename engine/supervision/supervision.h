// Supervision (督办): listed supervision items on a task, a report
// obligation or a standalone hazard, at three levels, with the "一单四制"
// fields, a state machine, escalation (by request or by rule) and a
// look-back (回头看) after closing. Rules live in config/supervision.yaml.
#ifndef DUBAN_ENGINE_SUPERVISION_SUPERVISION_H_
#define DUBAN_ENGINE_SUPERVISION_SUPERVISION_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "duban/v1/model.pb.h"
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

}  // namespace duban

#endif  // DUBAN_ENGINE_SUPERVISION_SUPERVISION_H_
