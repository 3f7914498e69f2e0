// Cadences: report obligations as rules (config/cadences.yaml). A rule says
// who reports to whom, what, and when, in Asia/Shanghai time; each of its
// periods yields one obligation per reporting unit.
#ifndef DUBAN_ENGINE_TIME_CADENCE_H_
#define DUBAN_ENGINE_TIME_CADENCE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "engine/time/work_calendar.h"
#include "engine/storage/yaml_util.h"

namespace duban {

enum class ScheduleKind {
  kMonthlyDays,  // days: [7, 17, 27] — one deadline on each day of every month
  kMonthly,      // day: 20 — one deadline a month
  kWeekly,       // weekday: thursday
  kDekad,        // after each dekad (1–10, 11–20, 21–end): offset_working_days
  kMonthEnd,     // after each month: offset_working_days
  kQuarterEnd,   // after each quarter: offset_working_days
  kYearly,       // month, day
};

// Who reports under a rule.
struct Reporters {
  bool all_task_forces = false;            // each task force, through its office unit
  std::string task_force_members;          // campaign id: every member unit of its task force
  std::vector<std::string> units;          // unit names, aliases or group names
};

struct Reminder {
  int working_days_before = 0;  // 0: the deadline day (or the working day before it)
  absl::CivilMinute at_time;    // only hour and minute count
};

struct CadenceRule {
  std::string id;
  std::string name;
  std::string what;
  Reporters reporters;
  std::string recipient;  // unit name
  ScheduleKind kind = ScheduleKind::kMonthly;
  std::vector<int> days;  // kMonthlyDays
  int day = 0;            // kMonthly
  int weekday = 4;        // kWeekly: 1 = Monday … 7 = Sunday
  int month = 12;         // kYearly
  int offset_working_days = 0;
  int due_hour = 17, due_minute = 30;
  NonWorkingDayPolicy policy = NonWorkingDayPolicy::kPreviousWorkingDay;
  std::vector<Reminder> reminders;
  std::optional<absl::CivilDay> active_from, active_until;
  // Values the source document does not state, chosen by the file: the key
  // names the value (schedule, offset_working_days, weekday, due_time,
  // reminders, non_working_day, active_from, active_until, reporters,
  // recipient), the value says why.
  std::map<std::string, std::string> choices;
  std::string source;  // the clause of the source document the rule comes from
  int line = 0;  // where it is in the file, for messages
};

// Keys `choices` accepts.
const std::vector<std::string>& CadenceChoiceKeys();

// A text of every field that shapes the rule's obligations (not `line`):
// two rules with the same fingerprint create the same obligations.
std::string RuleFingerprint(const CadenceRule& rule);

struct WarningThresholds {
  int yellow_working_days_before_due = 3;
  int red_working_days_after_due = 5;
  int check_hour = 9, check_minute = 0;
};

// When a task due on `due` turns yellow and red: the check time of the day
// so many working days before and after its due date.
struct WarningTimes {
  absl::Time yellow, red;
};
WarningTimes WarningTimesFor(absl::CivilDay due, const WarningThresholds& w, const WorkCalendar& cal);
// Whether two sets of thresholds give every task the same warning times.
bool SameWarningTimes(const WarningThresholds& a, const WarningThresholds& b);

struct CadenceConfig {
  std::string file;
  std::vector<CadenceRule> rules;
  WarningThresholds warnings;
  absl::Duration late_after = absl::Minutes(5);  // a timer fired later than this is marked late
};

// One period of a rule.
struct Period {
  std::string label;          // ascii: 2023-01-07, 2023-01-d1, 2023-W05, 2023-01, 2023-Q1, 2023
  absl::CivilDay start, end;  // inclusive
  absl::CivilDay nominal_due;  // the day the rule names, before the holiday policy
  absl::CivilDay due_day;      // after the policy
  absl::Time deadline;
  std::vector<absl::Time> reminders;  // in order, all before or at the deadline
  absl::Time generate_at;             // when its obligations are created
};

// The years, among those the deadline of `p` was counted through (from the
// period's end to its due day, and the nominal due day), that the calendar
// does not cover; empty for a calendar that covers no year at all (the
// plain weekday rule by choice).
std::vector<int> UncoveredYears(const Period& p, const WorkCalendar& cal);

// The note on an obligation's deadline: why it moved (the holiday policy),
// and, for years without a calendar entry, that working days were counted
// on weekdays only. "" when there is nothing to say.
std::string DeadlineNote(const Period& p, const WorkCalendar& cal);

// The years duband must warn about on `today`: the current year when the
// calendar lacks it and, from 1 November, the coming one. Empty for a
// calendar that covers no year at all.
std::vector<int> MissingCalendarYears(const WorkCalendar& cal, absl::CivilDay today);

// Errors: INVALID_ARGUMENT "<file>:<line>: <field>: <reason>".
absl::StatusOr<CadenceConfig> LoadCadences(const yamlx::Doc& doc);
absl::StatusOr<CadenceConfig> LoadCadencesFile(const std::string& path);

// The period of `rule` that starts on `start` (a value returned by
// FirstPeriodStart or NextPeriodStart).
Period PeriodAt(const CadenceRule& rule, absl::CivilDay start, const WorkCalendar& cal);
// The first period whose deadline is after `now` (and within the active range).
std::optional<absl::CivilDay> FirstPeriodStart(const CadenceRule& rule, absl::Time now, const WorkCalendar& cal);
std::optional<absl::CivilDay> NextPeriodStart(const CadenceRule& rule, absl::CivilDay start);

}  // namespace duban

#endif  // DUBAN_ENGINE_TIME_CADENCE_H_
