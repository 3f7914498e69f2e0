// The task workflow: every (state, command) pair checked against a table
// written out here by hand from the design, independent of TransitionTable().
#include "engine/tasks/task_machine.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace duban {
namespace {

using v1::TaskCommand;
using v1::TaskState;

// ---------------------------------------------------------------- the design

// Where a legal command leads, as the design states it.
enum class Lead {
  kFixed,             // to a fixed state
  kResume,            // back to the state saved when the task was paused
  kCompletionReview,  // completed (1 step) or completion_leader_review (2 steps)
  kExtensionReview,   // resume state (1 step) or extension_leader_review (2 steps)
};

struct Legal {
  TaskCommand command;
  Lead lead;
  TaskState to;  // for kFixed only
};

::testing::AssertionResult Contains(const std::string& hay, const std::string& needle) {
  if (hay.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << hay << "' does not contain '" << needle << "'";
}

constexpr TaskState kNone = v1::TASK_STATE_UNSPECIFIED;

const std::map<TaskState, std::vector<Legal>>& Design() {
  static const auto* design = new std::map<TaskState, std::vector<Legal>>{
      {v1::TASK_STATE_DRAFT,
       {{v1::TASK_COMMAND_ASSIGN, Lead::kFixed, v1::TASK_STATE_ASSIGNED},
        {v1::TASK_COMMAND_CANCEL, Lead::kFixed, v1::TASK_STATE_CANCELLED}}},
      {v1::TASK_STATE_ASSIGNED,
       {{v1::TASK_COMMAND_ACCEPT, Lead::kFixed, v1::TASK_STATE_ACCEPTED},
        {v1::TASK_COMMAND_SEND_BACK, Lead::kFixed, v1::TASK_STATE_SENT_BACK},
        {v1::TASK_COMMAND_TRANSFER, Lead::kFixed, v1::TASK_STATE_ASSIGNED},
        {v1::TASK_COMMAND_SUSPEND, Lead::kFixed, v1::TASK_STATE_SUSPENDED},
        {v1::TASK_COMMAND_CANCEL, Lead::kFixed, v1::TASK_STATE_CANCELLED}}},
      {v1::TASK_STATE_SENT_BACK,
       {{v1::TASK_COMMAND_TRANSFER, Lead::kFixed, v1::TASK_STATE_ASSIGNED},
        {v1::TASK_COMMAND_CANCEL, Lead::kFixed, v1::TASK_STATE_CANCELLED}}},
      {v1::TASK_STATE_ACCEPTED,
       {{v1::TASK_COMMAND_REPORT_PROGRESS, Lead::kFixed, v1::TASK_STATE_IN_PROGRESS},
        {v1::TASK_COMMAND_REQUEST_EXTENSION, Lead::kFixed, v1::TASK_STATE_EXTENSION_REQUESTED},
        {v1::TASK_COMMAND_SUSPEND, Lead::kFixed, v1::TASK_STATE_SUSPENDED},
        {v1::TASK_COMMAND_CANCEL, Lead::kFixed, v1::TASK_STATE_CANCELLED}}},
      {v1::TASK_STATE_IN_PROGRESS,
       {{v1::TASK_COMMAND_REPORT_PROGRESS, Lead::kFixed, v1::TASK_STATE_IN_PROGRESS},
        {v1::TASK_COMMAND_REQUEST_COMPLETION, Lead::kFixed, v1::TASK_STATE_COMPLETION_REQUESTED},
        {v1::TASK_COMMAND_REQUEST_EXTENSION, Lead::kFixed, v1::TASK_STATE_EXTENSION_REQUESTED},
        {v1::TASK_COMMAND_SUSPEND, Lead::kFixed, v1::TASK_STATE_SUSPENDED},
        {v1::TASK_COMMAND_CANCEL, Lead::kFixed, v1::TASK_STATE_CANCELLED}}},
      {v1::TASK_STATE_COMPLETION_REQUESTED,
       {{v1::TASK_COMMAND_APPROVE_COMPLETION, Lead::kCompletionReview, kNone},
        {v1::TASK_COMMAND_RETURN_COMPLETION, Lead::kFixed, v1::TASK_STATE_IN_PROGRESS}}},
      {v1::TASK_STATE_COMPLETION_LEADER_REVIEW,
       {{v1::TASK_COMMAND_APPROVE_COMPLETION, Lead::kFixed, v1::TASK_STATE_COMPLETED},
        {v1::TASK_COMMAND_RETURN_COMPLETION, Lead::kFixed, v1::TASK_STATE_IN_PROGRESS}}},
      {v1::TASK_STATE_EXTENSION_REQUESTED,
       {{v1::TASK_COMMAND_APPROVE_EXTENSION, Lead::kExtensionReview, kNone},
        {v1::TASK_COMMAND_DENY_EXTENSION, Lead::kResume, kNone}}},
      {v1::TASK_STATE_EXTENSION_LEADER_REVIEW,
       {{v1::TASK_COMMAND_APPROVE_EXTENSION, Lead::kResume, kNone},
        {v1::TASK_COMMAND_DENY_EXTENSION, Lead::kResume, kNone}}},
      {v1::TASK_STATE_SUSPENDED,
       {{v1::TASK_COMMAND_RESUME, Lead::kResume, kNone},
        {v1::TASK_COMMAND_CANCEL, Lead::kFixed, v1::TASK_STATE_CANCELLED}}},
      {v1::TASK_STATE_COMPLETED, {{v1::TASK_COMMAND_ARCHIVE, Lead::kFixed, v1::TASK_STATE_ARCHIVED}}},
      {v1::TASK_STATE_ARCHIVED, {}},
      {v1::TASK_STATE_CANCELLED, {}},
  };
  return *design;
}

// The names the messages must use, written out by hand.
std::string HandStateName(TaskState s) {
  static const std::map<TaskState, std::string> names = {
      {v1::TASK_STATE_DRAFT, "draft"},
      {v1::TASK_STATE_ASSIGNED, "assigned"},
      {v1::TASK_STATE_ACCEPTED, "accepted"},
      {v1::TASK_STATE_IN_PROGRESS, "in_progress"},
      {v1::TASK_STATE_COMPLETION_REQUESTED, "completion_requested"},
      {v1::TASK_STATE_COMPLETION_LEADER_REVIEW, "completion_leader_review"},
      {v1::TASK_STATE_COMPLETED, "completed"},
      {v1::TASK_STATE_ARCHIVED, "archived"},
      {v1::TASK_STATE_EXTENSION_REQUESTED, "extension_requested"},
      {v1::TASK_STATE_EXTENSION_LEADER_REVIEW, "extension_leader_review"},
      {v1::TASK_STATE_SUSPENDED, "suspended"},
      {v1::TASK_STATE_CANCELLED, "cancelled"},
      {v1::TASK_STATE_SENT_BACK, "sent_back"},
  };
  auto it = names.find(s);
  if (it == names.end()) {
    ADD_FAILURE() << "state " << static_cast<int>(s) << " is new: add it to the hand-written tables";
    return "?";
  }
  return it->second;
}

std::string HandCommandName(TaskCommand c) {
  static const std::map<TaskCommand, std::string> names = {
      {v1::TASK_COMMAND_ASSIGN, "assign"},
      {v1::TASK_COMMAND_ACCEPT, "accept"},
      {v1::TASK_COMMAND_SEND_BACK, "send_back"},
      {v1::TASK_COMMAND_TRANSFER, "transfer"},
      {v1::TASK_COMMAND_REPORT_PROGRESS, "report_progress"},
      {v1::TASK_COMMAND_REQUEST_COMPLETION, "request_completion"},
      {v1::TASK_COMMAND_APPROVE_COMPLETION, "approve_completion"},
      {v1::TASK_COMMAND_RETURN_COMPLETION, "return_completion"},
      {v1::TASK_COMMAND_REQUEST_EXTENSION, "request_extension"},
      {v1::TASK_COMMAND_APPROVE_EXTENSION, "approve_extension"},
      {v1::TASK_COMMAND_DENY_EXTENSION, "deny_extension"},
      {v1::TASK_COMMAND_SUSPEND, "suspend"},
      {v1::TASK_COMMAND_RESUME, "resume"},
      {v1::TASK_COMMAND_CANCEL, "cancel"},
      {v1::TASK_COMMAND_ARCHIVE, "archive"},
      // Written by the engine itself, never legal as a command.
      {v1::TASK_COMMAND_WARNING, "warning"},
  };
  auto it = names.find(c);
  if (it == names.end()) {
    ADD_FAILURE() << "command " << static_cast<int>(c) << " is new: add it to the hand-written tables";
    return "?";
  }
  return it->second;
}

std::vector<TaskState> AllStates() {
  std::vector<TaskState> out;
  for (int i = v1::TaskState_MIN; i <= v1::TaskState_MAX; ++i) {
    if (!v1::TaskState_IsValid(i) || i == v1::TASK_STATE_UNSPECIFIED) continue;
    out.push_back(static_cast<TaskState>(i));
  }
  return out;
}

// Every command except UNSPECIFIED and CREATE.
std::vector<TaskCommand> AllCommands() {
  std::vector<TaskCommand> out;
  for (int i = v1::TaskCommand_MIN; i <= v1::TaskCommand_MAX; ++i) {
    if (!v1::TaskCommand_IsValid(i) || i == v1::TASK_COMMAND_UNSPECIFIED || i == v1::TASK_COMMAND_CREATE) continue;
    out.push_back(static_cast<TaskCommand>(i));
  }
  return out;
}

std::optional<Legal> FindLegal(TaskState s, TaskCommand c) {
  for (const Legal& l : Design().at(s)) {
    if (l.command == c) return l;
  }
  return std::nullopt;
}

// Where the design says (s, c) leads with these options and saved state.
TaskState ExpectedTo(const Legal& l, TaskState resume, const WorkflowOptions& o) {
  switch (l.lead) {
    case Lead::kFixed:
      return l.to;
    case Lead::kResume:
      return resume;
    case Lead::kCompletionReview:
      return o.completion_review_steps >= 2 ? v1::TASK_STATE_COMPLETION_LEADER_REVIEW : v1::TASK_STATE_COMPLETED;
    case Lead::kExtensionReview:
      return o.extension_review_steps >= 2 ? v1::TASK_STATE_EXTENSION_LEADER_REVIEW : resume;
  }
  return kNone;
}

std::vector<WorkflowOptions> AllOptions() {
  std::vector<WorkflowOptions> out;
  for (int c : {1, 2}) {
    for (int e : {1, 2}) {
      WorkflowOptions o;
      o.completion_review_steps = c;
      o.extension_review_steps = e;
      out.push_back(o);
    }
  }
  return out;
}

std::string Describe(TaskState s, TaskCommand c, TaskState resume, const WorkflowOptions& o) {
  return HandStateName(s) + " + " + HandCommandName(c) + " (resume=" +
         (resume == kNone ? std::string("none") : HandStateName(resume)) +
         ", completion_steps=" + std::to_string(o.completion_review_steps) +
         ", extension_steps=" + std::to_string(o.extension_review_steps) + ")";
}

// ---------------------------------------------------------------- per state

class TransitionTest : public ::testing::TestWithParam<TaskState> {};

TEST_P(TransitionTest, DesignCoversState) {
  EXPECT_TRUE(Design().count(GetParam())) << "state missing from the hand-written design";
}

TEST_P(TransitionTest, LegalCommandsLeadWhereTheDesignSays) {
  const TaskState s = GetParam();
  int checked = 0;
  for (TaskCommand c : AllCommands()) {
    auto legal = FindLegal(s, c);
    if (!legal) continue;
    for (const WorkflowOptions& o : AllOptions()) {
      for (TaskState resume : {v1::TASK_STATE_ASSIGNED, v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_IN_PROGRESS}) {
        auto step = NextState(s, resume, c, o);
        ASSERT_TRUE(step.ok()) << Describe(s, c, resume, o) << ": " << step.status();
        EXPECT_EQ(step->to, ExpectedTo(*legal, resume, o))
            << Describe(s, c, resume, o) << " went to " << HandStateName(step->to);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(Design().at(s).size()) * 4 * 3);
}

TEST_P(TransitionTest, IllegalCommandsAreFailedPreconditionNamingStateAndAllowed) {
  const TaskState s = GetParam();
  std::vector<std::string> allowed;
  for (const Legal& l : Design().at(s)) allowed.push_back(HandCommandName(l.command));
  int checked = 0;
  for (TaskCommand c : AllCommands()) {
    if (FindLegal(s, c)) continue;
    for (const WorkflowOptions& o : AllOptions()) {
      auto step = NextState(s, v1::TASK_STATE_IN_PROGRESS, c, o);
      ASSERT_FALSE(step.ok()) << Describe(s, c, v1::TASK_STATE_IN_PROGRESS, o) << " should be illegal";
      EXPECT_EQ(step.status().code(), absl::StatusCode::kFailedPrecondition) << step.status();
      std::string msg(step.status().message());
      EXPECT_TRUE(Contains(msg, "task is " + HandStateName(s))) << msg;
      EXPECT_TRUE(Contains(msg, HandCommandName(c))) << msg;
      auto pos = msg.find("allowed: ");
      ASSERT_NE(pos, std::string::npos) << msg;
      std::string listed = msg.substr(pos + 9);
      if (allowed.empty()) {
        EXPECT_EQ(listed, "none");
      } else {
        std::string want;
        for (size_t i = 0; i < allowed.size(); ++i) want += (i ? ", " : "") + allowed[i];
        // Order of the listing is not part of the design: compare as sets.
        std::set<std::string> got_set, want_set(allowed.begin(), allowed.end());
        size_t start = 0;
        while (start <= listed.size()) {
          size_t comma = listed.find(", ", start);
          got_set.insert(listed.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
          if (comma == std::string::npos) break;
          start = comma + 2;
        }
        EXPECT_EQ(got_set, want_set) << msg << " (want " << want << ")";
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(AllCommands().size() - Design().at(s).size()) * 4);
}

TEST_P(TransitionTest, AllowedCommandsMatchTheDesign) {
  const TaskState s = GetParam();
  std::set<TaskCommand> want, got;
  for (const Legal& l : Design().at(s)) want.insert(l.command);
  for (TaskCommand c : AllowedCommands(s)) got.insert(c);
  EXPECT_EQ(got, want);
}

TEST_P(TransitionTest, StateNameIsTheLowerCaseShortName) {
  EXPECT_EQ(StateName(GetParam()), HandStateName(GetParam()));
}

TEST_P(TransitionTest, OnlyCompletedArchivedCancelledAreTerminal) {
  const TaskState s = GetParam();
  bool want = s == v1::TASK_STATE_COMPLETED || s == v1::TASK_STATE_ARCHIVED || s == v1::TASK_STATE_CANCELLED;
  EXPECT_EQ(IsTerminal(s), want);
}

TEST_P(TransitionTest, CreateAndUnspecifiedAreNeverLegal) {
  for (TaskCommand c : {v1::TASK_COMMAND_CREATE, v1::TASK_COMMAND_UNSPECIFIED}) {
    auto step = NextState(GetParam(), v1::TASK_STATE_IN_PROGRESS, c, WorkflowOptions{});
    EXPECT_EQ(step.status().code(), absl::StatusCode::kFailedPrecondition);
  }
}

INSTANTIATE_TEST_SUITE_P(AllStates, TransitionTest, ::testing::ValuesIn(AllStates()),
                         [](const ::testing::TestParamInfo<TaskState>& info) {
                           return HandStateName(info.param);
                         });

// ---------------------------------------------------------------- review steps

TEST(ReviewSteps, OneStepCompletionApprovalCompletes) {
  WorkflowOptions o;
  o.completion_review_steps = 1;
  auto step = NextState(v1::TASK_STATE_COMPLETION_REQUESTED, kNone, v1::TASK_COMMAND_APPROVE_COMPLETION, o);
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(step->to, v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(step->review_step, 1);
}

TEST(ReviewSteps, TwoStepCompletionGoesToLeaderThenCompletes) {
  WorkflowOptions o;
  o.completion_review_steps = 2;
  auto office = NextState(v1::TASK_STATE_COMPLETION_REQUESTED, kNone, v1::TASK_COMMAND_APPROVE_COMPLETION, o);
  ASSERT_TRUE(office.ok()) << office.status();
  EXPECT_EQ(office->to, v1::TASK_STATE_COMPLETION_LEADER_REVIEW);
  EXPECT_EQ(office->review_step, 1);
  auto leader = NextState(office->to, kNone, v1::TASK_COMMAND_APPROVE_COMPLETION, o);
  ASSERT_TRUE(leader.ok()) << leader.status();
  EXPECT_EQ(leader->to, v1::TASK_STATE_COMPLETED);
  EXPECT_EQ(leader->review_step, 2);
}

TEST(ReviewSteps, TwoStepCompletionLeaderCanReturn) {
  WorkflowOptions o;
  o.completion_review_steps = 2;
  auto step = NextState(v1::TASK_STATE_COMPLETION_LEADER_REVIEW, kNone, v1::TASK_COMMAND_RETURN_COMPLETION, o);
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(step->to, v1::TASK_STATE_IN_PROGRESS);
  EXPECT_EQ(step->review_step, 2);
}

TEST(ReviewSteps, CompletionStepsDoNotAffectExtension) {
  WorkflowOptions o;
  o.completion_review_steps = 2;
  o.extension_review_steps = 1;
  auto step = NextState(v1::TASK_STATE_EXTENSION_REQUESTED, v1::TASK_STATE_ACCEPTED,
                        v1::TASK_COMMAND_APPROVE_EXTENSION, o);
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(step->to, v1::TASK_STATE_ACCEPTED);
}

TEST(ReviewSteps, ExtensionStepsDoNotAffectCompletion) {
  WorkflowOptions o;
  o.completion_review_steps = 1;
  o.extension_review_steps = 2;
  auto step = NextState(v1::TASK_STATE_COMPLETION_REQUESTED, kNone, v1::TASK_COMMAND_APPROVE_COMPLETION, o);
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(step->to, v1::TASK_STATE_COMPLETED);
}

TEST(ReviewSteps, OneStepExtensionApprovalReturnsToPriorState) {
  WorkflowOptions o;
  o.extension_review_steps = 1;
  for (TaskState prior : {v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_IN_PROGRESS}) {
    auto step = NextState(v1::TASK_STATE_EXTENSION_REQUESTED, prior, v1::TASK_COMMAND_APPROVE_EXTENSION, o);
    ASSERT_TRUE(step.ok()) << step.status();
    EXPECT_EQ(step->to, prior);
    EXPECT_FALSE(step->save_resume_state);
  }
}

TEST(ReviewSteps, TwoStepExtensionGoesToLeaderThenReturnsToPriorState) {
  WorkflowOptions o;
  o.extension_review_steps = 2;
  for (TaskState prior : {v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_IN_PROGRESS}) {
    auto office = NextState(v1::TASK_STATE_EXTENSION_REQUESTED, prior, v1::TASK_COMMAND_APPROVE_EXTENSION, o);
    ASSERT_TRUE(office.ok()) << office.status();
    EXPECT_EQ(office->to, v1::TASK_STATE_EXTENSION_LEADER_REVIEW);
    EXPECT_EQ(office->review_step, 1);
    for (TaskCommand c : {v1::TASK_COMMAND_APPROVE_EXTENSION, v1::TASK_COMMAND_DENY_EXTENSION}) {
      auto leader = NextState(office->to, prior, c, o);
      ASSERT_TRUE(leader.ok()) << leader.status();
      EXPECT_EQ(leader->to, prior) << HandCommandName(c);
      EXPECT_EQ(leader->review_step, 2);
    }
  }
}

TEST(ReviewSteps, ExtensionDenialByOfficeReturnsToPriorStateInEitherMode) {
  for (int steps : {1, 2}) {
    WorkflowOptions o;
    o.extension_review_steps = steps;
    auto step = NextState(v1::TASK_STATE_EXTENSION_REQUESTED, v1::TASK_STATE_IN_PROGRESS,
                          v1::TASK_COMMAND_DENY_EXTENSION, o);
    ASSERT_TRUE(step.ok()) << step.status();
    EXPECT_EQ(step->to, v1::TASK_STATE_IN_PROGRESS) << steps << " steps";
  }
}

TEST(ReviewSteps, NonReviewCommandsHaveNoReviewStep) {
  auto step = NextState(v1::TASK_STATE_ASSIGNED, kNone, v1::TASK_COMMAND_ACCEPT, WorkflowOptions{});
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->review_step, 0);
}

// ---------------------------------------------------------------- resume state

TEST(ResumeState, SuspendSavesTheStateAndResumeReturnsToIt) {
  for (TaskState prior : {v1::TASK_STATE_ASSIGNED, v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_IN_PROGRESS}) {
    auto suspend = NextState(prior, kNone, v1::TASK_COMMAND_SUSPEND, WorkflowOptions{});
    ASSERT_TRUE(suspend.ok()) << suspend.status();
    EXPECT_EQ(suspend->to, v1::TASK_STATE_SUSPENDED);
    EXPECT_TRUE(suspend->save_resume_state) << HandStateName(prior);
    auto resume = NextState(v1::TASK_STATE_SUSPENDED, prior, v1::TASK_COMMAND_RESUME, WorkflowOptions{});
    ASSERT_TRUE(resume.ok()) << resume.status();
    EXPECT_EQ(resume->to, prior);
    EXPECT_FALSE(resume->save_resume_state);
  }
}

TEST(ResumeState, RequestExtensionSavesTheState) {
  for (TaskState prior : {v1::TASK_STATE_ACCEPTED, v1::TASK_STATE_IN_PROGRESS}) {
    auto step = NextState(prior, kNone, v1::TASK_COMMAND_REQUEST_EXTENSION, WorkflowOptions{});
    ASSERT_TRUE(step.ok()) << step.status();
    EXPECT_EQ(step->to, v1::TASK_STATE_EXTENSION_REQUESTED);
    EXPECT_TRUE(step->save_resume_state);
  }
}

TEST(ResumeState, OtherCommandsDoNotSaveTheState) {
  for (TaskState s : AllStates()) {
    for (const Legal& l : Design().at(s)) {
      if (l.command == v1::TASK_COMMAND_SUSPEND || l.command == v1::TASK_COMMAND_REQUEST_EXTENSION) continue;
      auto step = NextState(s, v1::TASK_STATE_IN_PROGRESS, l.command, WorkflowOptions{});
      ASSERT_TRUE(step.ok());
      EXPECT_FALSE(step->save_resume_state) << HandStateName(s) << " + " << HandCommandName(l.command);
    }
  }
}

TEST(ResumeState, ResumeWithoutSavedStateIsAnErrorNotAGuess) {
  auto step = NextState(v1::TASK_STATE_SUSPENDED, kNone, v1::TASK_COMMAND_RESUME, WorkflowOptions{});
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(Contains(std::string(step.status().message()), "suspended"));
}

TEST(ResumeState, OneStepExtensionApprovalWithoutSavedStateIsAnError) {
  WorkflowOptions o;
  o.extension_review_steps = 1;
  auto step = NextState(v1::TASK_STATE_EXTENSION_REQUESTED, kNone, v1::TASK_COMMAND_APPROVE_EXTENSION, o);
  EXPECT_FALSE(step.ok());
}

TEST(Names, CommandNamesAreLowerCaseShortNames) {
  for (TaskCommand c : AllCommands()) EXPECT_EQ(CommandName(c), HandCommandName(c));
}

TEST(Names, DesignCoversEveryState) {
  EXPECT_EQ(Design().size(), AllStates().size());
  EXPECT_EQ(AllStates().size(), 13u);
  for (TaskCommand c : AllCommands()) EXPECT_NE(HandCommandName(c), "?");
}

}  // namespace
}  // namespace duban
