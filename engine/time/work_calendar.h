// The official working-day calendar (format: config/calendar/README.md):
// public holidays and adjusted working days (调休上班) per year, used to tell
// working days from days off and to count deadlines in working days.
#ifndef DUBAN_ENGINE_TIME_WORK_CALENDAR_H_
#define DUBAN_ENGINE_TIME_WORK_CALENDAR_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "engine/storage/yaml_util.h"

namespace duban {

// What to do with a date that falls on a day off.
enum class NonWorkingDayPolicy { kKeep, kPreviousWorkingDay, kNextWorkingDay };

// "keep" | "previous_working_day" | "next_working_day"; anything else is INVALID_ARGUMENT.
absl::StatusOr<NonWorkingDayPolicy> ParseNonWorkingDayPolicy(absl::string_view s);

class WorkCalendar {
 public:
  // Longest holiday range accepted, in days.
  static constexpr int kMaxHolidayDays = 15;
  // Most days NextWorkingDay/PreviousWorkingDay look at before giving up.
  static constexpr int kMaxSearchDays = 366;

  // An empty calendar: the plain weekday rule everywhere.
  WorkCalendar() = default;

  // Loads the YAML calendar. Errors are INVALID_ARGUMENT
  // "<file>:<line>: <field path>: <reason>": missing or unknown keys, bad dates,
  // a holiday range with to < from, longer than kMaxHolidayDays or outside
  // 1 December of the previous year .. 31 December of its year, overlapping
  // holiday ranges, a date listed both as holiday and adjusted working day, an
  // adjusted working day listed twice or not a Saturday/Sunday, duplicate
  // years, a time_zone other than the plan time zone (PlanTimeZone()).
  static absl::StatusOr<WorkCalendar> Load(const yamlx::Doc& doc);
  static absl::StatusOr<WorkCalendar> LoadFile(const std::string& path);

  // Mon–Fri working unless a holiday; Sat/Sun not working unless an adjusted
  // working day. Years the file does not cover use the plain weekday rule
  // (Covers() tells), except for holiday ranges reaching into them.
  bool IsWorkingDay(absl::CivilDay d) const;
  // True when the file has a block for `year`.
  bool Covers(int year) const;
  // True when the file has a block for any year (an empty calendar is the
  // plain weekday rule by choice, not a calendar past its last year).
  bool CoversAnyYear() const { return !years_.empty(); }
  // First working day > d / last working day < d. Looks at most
  // kMaxSearchDays days; should none be working, returns the day after /
  // before that window.
  absl::CivilDay NextWorkingDay(absl::CivilDay d) const;
  absl::CivilDay PreviousWorkingDay(absl::CivilDay d) const;
  // d itself when it is a working day or p is kKeep; otherwise the previous
  // or next working day.
  absl::CivilDay Adjust(absl::CivilDay d, NonWorkingDayPolicy p) const;
  // n working days after (n > 0) or before (n < 0) d; n == 0: d if working,
  // else the previous working day.
  absl::CivilDay AddWorkingDays(absl::CivilDay d, int n) const;
  // Number of working days in (from, to]; 0 when to <= from. Cost grows with
  // the number of holiday ranges, not with the length of the interval.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;
  // The holiday's name as the notice writes it, "" when d is not a holiday.
  std::string HolidayName(absl::CivilDay d) const;

  const std::string& time_zone() const { return time_zone_; }

 private:
  struct Holiday {
    absl::CivilDay from;
    absl::CivilDay to;  // inclusive
    std::string name;
  };

  // The holiday range holding d, or nullptr.
  const Holiday* FindHoliday(absl::CivilDay d) const;

  std::string time_zone_;
  std::set<int> years_;
  std::vector<Holiday> holidays_;            // sorted by from, non-overlapping
  std::set<absl::CivilDay> working_days_;    // adjusted working days (Sat/Sun)
};

}  // namespace duban

#endif  // DUBAN_ENGINE_TIME_WORK_CALENDAR_H_
