#include "engine/tasks/task_machine.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace duban {

using v1::TaskCommand;
using v1::TaskState;

namespace {
constexpr TaskState kNone = v1::TASK_STATE_UNSPECIFIED;
}  // namespace

const std::vector<Transition>& TransitionTable() {
  using S = TaskState;
  using C = TaskCommand;
  static const std::vector<Transition> table = {
      // from                                  command                           target               to / leader review                    final
      {S::TASK_STATE_DRAFT,                    C::TASK_COMMAND_ASSIGN,            Target::kState,      S::TASK_STATE_ASSIGNED,               kNone},
      {S::TASK_STATE_DRAFT,                    C::TASK_COMMAND_CANCEL,            Target::kState,      S::TASK_STATE_CANCELLED,              kNone},

      {S::TASK_STATE_ASSIGNED,                 C::TASK_COMMAND_ACCEPT,            Target::kState,      S::TASK_STATE_ACCEPTED,               kNone},
      {S::TASK_STATE_ASSIGNED,                 C::TASK_COMMAND_SEND_BACK,         Target::kState,      S::TASK_STATE_SENT_BACK,              kNone},
      {S::TASK_STATE_ASSIGNED,                 C::TASK_COMMAND_TRANSFER,          Target::kState,      S::TASK_STATE_ASSIGNED,               kNone},
      {S::TASK_STATE_ASSIGNED,                 C::TASK_COMMAND_SUSPEND,           Target::kState,      S::TASK_STATE_SUSPENDED,              kNone},
      {S::TASK_STATE_ASSIGNED,                 C::TASK_COMMAND_CANCEL,            Target::kState,      S::TASK_STATE_CANCELLED,              kNone},

      {S::TASK_STATE_SENT_BACK,                C::TASK_COMMAND_TRANSFER,          Target::kState,      S::TASK_STATE_ASSIGNED,               kNone},
      {S::TASK_STATE_SENT_BACK,                C::TASK_COMMAND_CANCEL,            Target::kState,      S::TASK_STATE_CANCELLED,              kNone},

      {S::TASK_STATE_ACCEPTED,                 C::TASK_COMMAND_REPORT_PROGRESS,   Target::kState,      S::TASK_STATE_IN_PROGRESS,            kNone},
      {S::TASK_STATE_ACCEPTED,                 C::TASK_COMMAND_REQUEST_EXTENSION, Target::kState,      S::TASK_STATE_EXTENSION_REQUESTED,    kNone},
      {S::TASK_STATE_ACCEPTED,                 C::TASK_COMMAND_SUSPEND,           Target::kState,      S::TASK_STATE_SUSPENDED,              kNone},
      {S::TASK_STATE_ACCEPTED,                 C::TASK_COMMAND_CANCEL,            Target::kState,      S::TASK_STATE_CANCELLED,              kNone},

      {S::TASK_STATE_IN_PROGRESS,              C::TASK_COMMAND_REPORT_PROGRESS,   Target::kState,      S::TASK_STATE_IN_PROGRESS,            kNone},
      {S::TASK_STATE_IN_PROGRESS,              C::TASK_COMMAND_REQUEST_COMPLETION,Target::kState,      S::TASK_STATE_COMPLETION_REQUESTED,   kNone},
      {S::TASK_STATE_IN_PROGRESS,              C::TASK_COMMAND_REQUEST_EXTENSION, Target::kState,      S::TASK_STATE_EXTENSION_REQUESTED,    kNone},
      {S::TASK_STATE_IN_PROGRESS,              C::TASK_COMMAND_SUSPEND,           Target::kState,      S::TASK_STATE_SUSPENDED,              kNone},
      {S::TASK_STATE_IN_PROGRESS,              C::TASK_COMMAND_CANCEL,            Target::kState,      S::TASK_STATE_CANCELLED,              kNone},

      {S::TASK_STATE_COMPLETION_REQUESTED,     C::TASK_COMMAND_APPROVE_COMPLETION,Target::kReviewStep, S::TASK_STATE_COMPLETION_LEADER_REVIEW, S::TASK_STATE_COMPLETED, 1},
      {S::TASK_STATE_COMPLETION_REQUESTED,     C::TASK_COMMAND_RETURN_COMPLETION, Target::kState,      S::TASK_STATE_IN_PROGRESS,            kNone},
      {S::TASK_STATE_COMPLETION_LEADER_REVIEW, C::TASK_COMMAND_APPROVE_COMPLETION,Target::kState,      S::TASK_STATE_COMPLETED,              kNone},
      {S::TASK_STATE_COMPLETION_LEADER_REVIEW, C::TASK_COMMAND_RETURN_COMPLETION, Target::kState,      S::TASK_STATE_IN_PROGRESS,            kNone},

      {S::TASK_STATE_EXTENSION_REQUESTED,      C::TASK_COMMAND_APPROVE_EXTENSION, Target::kReviewStep, S::TASK_STATE_EXTENSION_LEADER_REVIEW, kNone, 2},
      {S::TASK_STATE_EXTENSION_REQUESTED,      C::TASK_COMMAND_DENY_EXTENSION,    Target::kResume,     kNone,                                kNone},
      {S::TASK_STATE_EXTENSION_LEADER_REVIEW,  C::TASK_COMMAND_APPROVE_EXTENSION, Target::kResume,     kNone,                                kNone},
      {S::TASK_STATE_EXTENSION_LEADER_REVIEW,  C::TASK_COMMAND_DENY_EXTENSION,    Target::kResume,     kNone,                                kNone},

      {S::TASK_STATE_SUSPENDED,                C::TASK_COMMAND_RESUME,            Target::kResume,     kNone,                                kNone},
      {S::TASK_STATE_SUSPENDED,                C::TASK_COMMAND_CANCEL,            Target::kState,      S::TASK_STATE_CANCELLED,              kNone},

      {S::TASK_STATE_COMPLETED,                C::TASK_COMMAND_ARCHIVE,           Target::kState,      S::TASK_STATE_ARCHIVED,               kNone},
  };
  return table;
}

static bool SavesResume(TaskCommand c) {
  return c == v1::TASK_COMMAND_SUSPEND || c == v1::TASK_COMMAND_REQUEST_EXTENSION;
}

static int ReviewStepOf(TaskState from) {
  switch (from) {
    case v1::TASK_STATE_COMPLETION_REQUESTED:
    case v1::TASK_STATE_EXTENSION_REQUESTED:
      return 1;
    case v1::TASK_STATE_COMPLETION_LEADER_REVIEW:
    case v1::TASK_STATE_EXTENSION_LEADER_REVIEW:
      return 2;
    default:
      return 0;
  }
}

absl::StatusOr<Step> NextState(TaskState state, TaskState resume, TaskCommand command,
                               const WorkflowOptions& opts) {
  for (const Transition& t : TransitionTable()) {
    if (t.from != state || t.command != command) continue;
    Step step;
    step.save_resume_state = SavesResume(command);
    step.review_step = ReviewStepOf(state);
    switch (t.target) {
      case Target::kState:
        step.to = t.to;
        break;
      case Target::kResume:
        if (resume == kNone) {
          return absl::InternalError(absl::StrCat("task in state ", StateName(state),
                                                  " has no state to go back to"));
        }
        step.to = resume;
        break;
      case Target::kReviewStep: {
        int steps = t.review_step_options == 1 ? opts.completion_review_steps
                                               : opts.extension_review_steps;
        if (steps >= 2) {
          step.to = t.to;
        } else if (t.final_state != kNone) {
          step.to = t.final_state;
        } else {
          if (resume == kNone) {
            return absl::InternalError(absl::StrCat("task in state ", StateName(state),
                                                    " has no state to go back to"));
          }
          step.to = resume;
        }
        break;
      }
    }
    return step;
  }
  std::vector<std::string> allowed;
  for (TaskCommand c : AllowedCommands(state)) allowed.push_back(CommandName(c));
  return absl::FailedPreconditionError(absl::StrCat(
      "task is ", StateName(state), ": cannot ", CommandName(command), "; allowed: ",
      allowed.empty() ? std::string("none") : absl::StrJoin(allowed, ", ")));
}

std::vector<TaskCommand> AllowedCommands(TaskState state) {
  std::vector<TaskCommand> out;
  for (const Transition& t : TransitionTable()) {
    if (t.from == state) out.push_back(t.command);
  }
  return out;
}

static std::string Lower(absl::string_view full, absl::string_view prefix) {
  std::string s(full.substr(full.rfind(prefix) == 0 ? prefix.size() : 0));
  return absl::AsciiStrToLower(s);
}

std::string StateName(TaskState s) {
  return Lower(v1::TaskState_Name(s), "TASK_STATE_");
}

std::string CommandName(TaskCommand c) {
  return Lower(v1::TaskCommand_Name(c), "TASK_COMMAND_");
}

bool IsTerminal(TaskState s) {
  return s == v1::TASK_STATE_COMPLETED || s == v1::TASK_STATE_ARCHIVED ||
         s == v1::TASK_STATE_CANCELLED;
}

}  // namespace duban
