// The task workflow as a transition table. Every legal (state, command) pair
// is one row; anything else is refused with FAILED_PRECONDITION naming the
// current state and the commands it allows.
#ifndef DUBAN_ENGINE_TASKS_TASK_MACHINE_H_
#define DUBAN_ENGINE_TASKS_TASK_MACHINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "duban/v1/model.pb.h"

namespace duban {

struct WorkflowOptions {
  // 1: the office's review completes the task; 2: the leader reviews after
  // the office.
  int completion_review_steps = 1;
  int extension_review_steps = 1;
};

// Where a row leads.
enum class Target {
  kState,       // to a fixed state
  kResume,      // back to the task's resume_state
  kReviewStep,  // to the leader's review when two steps are configured, else like kState/kResume
};

struct Transition {
  v1::TaskState from;
  v1::TaskCommand command;
  Target target;
  v1::TaskState to;  // for kState; for kReviewStep: the leader-review state
  // For kReviewStep: what the last step leads to (a fixed state, or kResume
  // when final_state is UNSPECIFIED).
  v1::TaskState final_state;
  int review_step_options = 0;  // 1 = completion steps, 2 = extension steps
};

const std::vector<Transition>& TransitionTable();

struct Step {
  v1::TaskState to;
  bool save_resume_state = false;  // the task will come back to `from` later
  int review_step = 0;             // 1 office, 2 leader; 0 when not a review
};

// Decides where `command` takes a task in `state`. resume is the task's
// saved resume_state.
absl::StatusOr<Step> NextState(v1::TaskState state, v1::TaskState resume, v1::TaskCommand command,
                               const WorkflowOptions& opts);

std::vector<v1::TaskCommand> AllowedCommands(v1::TaskState state);

// Lower-case short names used in messages and by dubanctl ("in_progress").
std::string StateName(v1::TaskState s);
std::string CommandName(v1::TaskCommand c);
bool IsTerminal(v1::TaskState s);  // completed, archived, cancelled

}  // namespace duban

#endif  // DUBAN_ENGINE_TASKS_TASK_MACHINE_H_
