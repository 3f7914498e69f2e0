#include "engine/time/work_calendar.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"

namespace duban {
namespace {

using yamlx::Doc;

// The zone every plan date is read in (see PlanTimeZone() in engine/time/clock.cc).
constexpr absl::string_view kCalendarTimeZone = "Asia/Shanghai";

bool IsWeekend(absl::CivilDay d) {
  absl::Weekday w = absl::GetWeekday(d);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

const char* WeekdayName(absl::CivilDay d) {
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday: return "Monday";
    case absl::Weekday::tuesday: return "Tuesday";
    case absl::Weekday::wednesday: return "Wednesday";
    case absl::Weekday::thursday: return "Thursday";
    case absl::Weekday::friday: return "Friday";
    case absl::Weekday::saturday: return "Saturday";
    case absl::Weekday::sunday: return "Sunday";
  }
  return "";
}

// Mon–Fri days in [from, to]; the caller keeps the range short.
int WeekdaysIn(absl::CivilDay from, absl::CivilDay to) {
  int n = 0;
  for (absl::CivilDay d = from; d <= to; ++d) n += IsWeekend(d) ? 0 : 1;
  return n;
}

// A date field: the node (for the error line) and the parsed day.
struct DateField {
  YAML::Node node;
  absl::CivilDay day;
};

absl::StatusOr<DateField> ReadDate(const Doc& doc, const YAML::Node& map, absl::string_view key,
                                   absl::string_view path) {
  ASSIGN_OR_RETURN(std::string text, yamlx::String(doc, map, key, path, true));
  YAML::Node n = map[std::string(key)];
  auto day = validate::Date(absl::StrCat(path, ".", key), text);
  if (!day.ok()) return yamlx::Error(doc, n, day.status().message());
  return DateField{n, *day};
}

struct PendingHoliday {
  std::string path;
  YAML::Node node;  // the `from` node
  absl::CivilDay from, to;
  std::string name;
};

struct PendingWorkingDay {
  std::string path;
  YAML::Node node;  // the `date` node
  absl::CivilDay day;
};

}  // namespace

absl::StatusOr<NonWorkingDayPolicy> ParseNonWorkingDayPolicy(absl::string_view s) {
  if (s == "keep") return NonWorkingDayPolicy::kKeep;
  if (s == "previous_working_day") return NonWorkingDayPolicy::kPreviousWorkingDay;
  if (s == "next_working_day") return NonWorkingDayPolicy::kNextWorkingDay;
  return absl::InvalidArgumentError(
      absl::StrCat("non-working day policy '", s,
                   "' is not one of keep, previous_working_day, next_working_day"));
}

absl::StatusOr<WorkCalendar> WorkCalendar::Load(const Doc& doc) {
  const YAML::Node& root = doc.root;
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, root, "", {"time_zone", "years"}));
  WorkCalendar cal;

  ASSIGN_OR_RETURN(cal.time_zone_, yamlx::String(doc, root, "time_zone", "", true));
  if (cal.time_zone_ != kCalendarTimeZone) {
    return yamlx::Error(doc, root["time_zone"],
                        absl::StrCat("time_zone: '", cal.time_zone_, "' must be ",
                                     kCalendarTimeZone, ", the zone plans are read in"));
  }

  std::vector<PendingHoliday> holidays;
  std::vector<PendingWorkingDay> working;
  ASSIGN_OR_RETURN(YAML::Node years, yamlx::Seq(doc, root, "years", "", true));
  for (size_t i = 0; i < years.size(); ++i) {
    const YAML::Node& y = years[i];
    std::string ypath = absl::StrCat("years[", i, "]");
    RETURN_IF_ERROR(
        yamlx::OnlyKeys(doc, y, ypath, {"year", "source", "holidays", "adjusted_working_days"}));
    ASSIGN_OR_RETURN(int year, yamlx::Int(doc, y, "year", ypath, true));
    if (year < 2000 || year > 2100) {
      return yamlx::Error(doc, y["year"],
                          absl::StrCat(ypath, ".year: ", year, " is not between 2000 and 2100"));
    }
    if (!cal.years_.insert(year).second) {
      return yamlx::Error(doc, y["year"],
                          absl::StrCat(ypath, ".year: ", year, " is listed more than once"));
    }
    ASSIGN_OR_RETURN(std::string source, yamlx::String(doc, y, "source", ypath, false));
    (void)source;

    std::string hpath = absl::StrCat(ypath, ".holidays");
    ASSIGN_OR_RETURN(YAML::Node hs, yamlx::Seq(doc, y, "holidays", ypath, true));
    for (size_t j = 0; j < hs.size(); ++j) {
      const YAML::Node& h = hs[j];
      std::string path = absl::StrCat(hpath, "[", j, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc, h, path, {"name", "from", "to"}));
      ASSIGN_OR_RETURN(std::string name, yamlx::String(doc, h, "name", path, true));
      absl::Status ns = validate::Required(absl::StrCat(path, ".name"), name, validate::kMaxName);
      if (!ns.ok()) return yamlx::Error(doc, h["name"], ns.message());
      ASSIGN_OR_RETURN(DateField from, ReadDate(doc, h, "from", path));
      ASSIGN_OR_RETURN(DateField to, ReadDate(doc, h, "to", path));
      if (to.day < from.day) {
        return yamlx::Error(doc, to.node,
                            absl::StrCat(path, ".to: ", validate::FormatDate(to.day),
                                         " is before from ", validate::FormatDate(from.day)));
      }
      if (to.day - from.day + 1 > kMaxHolidayDays) {
        return yamlx::Error(doc, to.node,
                            absl::StrCat(path, ".to: the range ", validate::FormatDate(from.day),
                                         "..", validate::FormatDate(to.day), " is ",
                                         to.day - from.day + 1, " days, longer than ",
                                         kMaxHolidayDays));
      }
      absl::CivilDay earliest(year - 1, 12, 1), latest(year, 12, 31);
      if (from.day < earliest) {
        return yamlx::Error(doc, from.node,
                            absl::StrCat(path, ".from: ", validate::FormatDate(from.day),
                                         " is before ", validate::FormatDate(earliest),
                                         ", outside year ", year));
      }
      if (to.day > latest) {
        return yamlx::Error(doc, to.node,
                            absl::StrCat(path, ".to: ", validate::FormatDate(to.day),
                                         " is after ", validate::FormatDate(latest),
                                         ", outside year ", year));
      }
      holidays.push_back({path, from.node, from.day, to.day, std::move(name)});
    }

    std::string wpath = absl::StrCat(ypath, ".adjusted_working_days");
    ASSIGN_OR_RETURN(YAML::Node ws, yamlx::Seq(doc, y, "adjusted_working_days", ypath, false));
    for (size_t j = 0; j < ws.size(); ++j) {
      const YAML::Node& w = ws[j];
      std::string path = absl::StrCat(wpath, "[", j, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc, w, path, {"date", "for"}));
      ASSIGN_OR_RETURN(DateField date, ReadDate(doc, w, "date", path));
      ASSIGN_OR_RETURN(std::string for_name, yamlx::String(doc, w, "for", path, true));
      absl::Status fs = validate::Required(absl::StrCat(path, ".for"), for_name, validate::kMaxName);
      if (!fs.ok()) return yamlx::Error(doc, w["for"], fs.message());
      if (!IsWeekend(date.day)) {
        return yamlx::Error(doc, date.node,
                            absl::StrCat(path, ".date: ", validate::FormatDate(date.day), " is a ",
                                         WeekdayName(date.day), ", not a Saturday or Sunday"));
      }
      if (!cal.working_days_.insert(date.day).second) {
        return yamlx::Error(doc, date.node,
                            absl::StrCat(path, ".date: ", validate::FormatDate(date.day),
                                         " is listed more than once"));
      }
      working.push_back({path, date.node, date.day});
    }
  }

  // Holiday ranges must not overlap: a day has at most one name.
  std::stable_sort(holidays.begin(), holidays.end(),
                   [](const PendingHoliday& a, const PendingHoliday& b) { return a.from < b.from; });
  for (size_t i = 1; i < holidays.size(); ++i) {
    const PendingHoliday& prev = holidays[i - 1];
    const PendingHoliday& cur = holidays[i];
    if (cur.from <= prev.to) {
      return yamlx::Error(doc, cur.node,
                          absl::StrCat(cur.path, ".from: ", validate::FormatDate(cur.from),
                                       " overlaps ", prev.path, " (", prev.name, ")"));
    }
  }
  for (auto& h : holidays) cal.holidays_.push_back({h.from, h.to, std::move(h.name)});

  // No day is both a holiday and an adjusted working day.
  for (const PendingWorkingDay& w : working) {
    if (const Holiday* h = cal.FindHoliday(w.day)) {
      return yamlx::Error(doc, w.node,
                          absl::StrCat(w.path, ".date: ", validate::FormatDate(w.day),
                                       " is also a holiday (", h->name, ")"));
    }
  }
  return cal;
}

absl::StatusOr<WorkCalendar> WorkCalendar::LoadFile(const std::string& path) {
  ASSIGN_OR_RETURN(Doc doc, yamlx::ParseFile(path));
  return Load(doc);
}

const WorkCalendar::Holiday* WorkCalendar::FindHoliday(absl::CivilDay d) const {
  auto it = std::upper_bound(holidays_.begin(), holidays_.end(), d,
                             [](absl::CivilDay day, const Holiday& h) { return day < h.from; });
  if (it == holidays_.begin()) return nullptr;
  --it;
  return d <= it->to ? &*it : nullptr;
}

bool WorkCalendar::IsWorkingDay(absl::CivilDay d) const {
  if (IsWeekend(d)) return working_days_.count(d) > 0;
  return FindHoliday(d) == nullptr;
}

bool WorkCalendar::Covers(int year) const { return years_.count(year) > 0; }

absl::CivilDay WorkCalendar::NextWorkingDay(absl::CivilDay d) const {
  absl::CivilDay x = d + 1;
  for (int i = 0; i < kMaxSearchDays && !IsWorkingDay(x); ++i) ++x;
  return x;
}

absl::CivilDay WorkCalendar::PreviousWorkingDay(absl::CivilDay d) const {
  absl::CivilDay x = d - 1;
  for (int i = 0; i < kMaxSearchDays && !IsWorkingDay(x); ++i) --x;
  return x;
}

absl::CivilDay WorkCalendar::Adjust(absl::CivilDay d, NonWorkingDayPolicy p) const {
  if (p == NonWorkingDayPolicy::kKeep || IsWorkingDay(d)) return d;
  return p == NonWorkingDayPolicy::kPreviousWorkingDay ? PreviousWorkingDay(d) : NextWorkingDay(d);
}

absl::CivilDay WorkCalendar::AddWorkingDays(absl::CivilDay d, int n) const {
  if (n == 0) return IsWorkingDay(d) ? d : PreviousWorkingDay(d);
  for (; n > 0; --n) d = NextWorkingDay(d);
  for (; n < 0; ++n) d = PreviousWorkingDay(d);
  return d;
}

int WorkCalendar::WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const {
  if (to <= from) return 0;
  absl::CivilDay first = from + 1;  // the interval is [first, to]
  // Mon–Fri days: 5 per whole week, then the at most 6 days left over.
  absl::civil_diff_t days = to - from;
  absl::civil_diff_t weeks = days / 7;
  int64_t count = weeks * 5 + WeekdaysIn(first + weeks * 7, to);
  // Minus holidays falling on Mon–Fri.
  auto it = std::upper_bound(holidays_.begin(), holidays_.end(), first,
                             [](absl::CivilDay day, const Holiday& h) { return day < h.from; });
  if (it != holidays_.begin()) --it;
  for (; it != holidays_.end() && it->from <= to; ++it) {
    absl::CivilDay a = std::max(it->from, first), b = std::min(it->to, to);
    if (a <= b) count -= WeekdaysIn(a, b);
  }
  // Plus adjusted working days (all on Saturday/Sunday, never in a holiday).
  for (auto w = working_days_.lower_bound(first); w != working_days_.end() && *w <= to; ++w) {
    ++count;
  }
  return static_cast<int>(count);
}

std::string WorkCalendar::HolidayName(absl::CivilDay d) const {
  const Holiday* h = FindHoliday(d);
  return h ? h->name : std::string();
}

}  // namespace duban
