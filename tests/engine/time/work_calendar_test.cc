#include "engine/time/work_calendar.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "engine/storage/validate.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using absl::CivilDay;

// EXPECT that `text` contains `part`.
#define EXPECT_HAS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "'" << (text) << "' lacks '" << (part) << "'"

const WorkCalendar& Cn() {
  static const WorkCalendar* cal = [] {
    auto c = WorkCalendar::LoadFile(testing::SourcePath("config/calendar/cn-workdays.yaml"));
    EXPECT_TRUE(c.ok()) << c.status();
    return new WorkCalendar(c.ok() ? *std::move(c) : WorkCalendar());
  }();
  return *cal;
}

// Days d in [from, to] with IsWorkingDay(d), counted one by one.
int CountByDay(const WorkCalendar& cal, CivilDay from, CivilDay to) {
  int n = 0;
  for (CivilDay d = from; d <= to; ++d) n += cal.IsWorkingDay(d) ? 1 : 0;
  return n;
}

absl::StatusOr<WorkCalendar> LoadText(const std::string& text) {
  auto doc = yamlx::Parse("bad.yaml", text);
  if (!doc.ok()) return doc.status();
  return WorkCalendar::Load(*doc);
}

// Expects INVALID_ARGUMENT whose message has "bad.yaml:<line>:" and every piece in `parts`.
void ExpectError(const std::string& text, int line, std::initializer_list<std::string> parts) {
  auto cal = LoadText(text);
  ASSERT_FALSE(cal.ok()) << text;
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument) << cal.status();
  std::string msg(cal.status().message());
  EXPECT_HAS(msg, "bad.yaml:" + std::to_string(line) + ":");
  for (const std::string& p : parts) EXPECT_HAS(msg, p);
}

// A valid one-year file; lines are numbered in the comments.
const char kGood[] =
    "time_zone: Asia/Shanghai\n"                                          // 1
    "years:\n"                                                            // 2
    "  - year: 2023\n"                                                    // 3
    "    holidays:\n"                                                     // 4
    "      - {name: \"国庆节\", from: 2023-10-01, to: 2023-10-06}\n"      // 5
    "    adjusted_working_days:\n"                                        // 6
    "      - {date: 2023-10-07, for: \"国庆节\"}\n";                      // 7

// kGood with line 5 (the holiday) or line 7 (the adjusted day) replaced.
std::string WithHoliday(const std::string& line5) {
  return "time_zone: Asia/Shanghai\nyears:\n  - year: 2023\n    holidays:\n" + line5 +
         "\n    adjusted_working_days:\n      - {date: 2023-10-07, for: \"国庆节\"}\n";
}
std::string WithWorkingDay(const std::string& line7) {
  return "time_zone: Asia/Shanghai\nyears:\n  - year: 2023\n    holidays:\n"
         "      - {name: \"国庆节\", from: 2023-10-01, to: 2023-10-06}\n"
         "    adjusted_working_days:\n" +
         line7 + "\n";
}

// ---- the real file ----------------------------------------------------------

TEST(WorkCalendarTest, RealFileLoadsAndCoversItsYears) {
  auto cal = WorkCalendar::LoadFile(testing::SourcePath("config/calendar/cn-workdays.yaml"));
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_EQ(cal->time_zone(), "Asia/Shanghai");
  for (int y = 2023; y <= 2026; ++y) EXPECT_TRUE(cal->Covers(y)) << y;
  EXPECT_FALSE(cal->Covers(2022));
  EXPECT_FALSE(cal->Covers(2027));
}

TEST(WorkCalendarTest, NationalDayIsOffAndAdjustedWeekendWorks) {
  const WorkCalendar& cal = Cn();
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2023, 10, 2)));  // Monday, 国庆节
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2023, 10, 6)));  // Friday, last day off
  EXPECT_TRUE(cal.IsWorkingDay(CivilDay(2023, 10, 7)));   // Saturday, 调休上班
  EXPECT_TRUE(cal.IsWorkingDay(CivilDay(2023, 10, 8)));   // Sunday, 调休上班
  EXPECT_TRUE(cal.IsWorkingDay(CivilDay(2023, 9, 28)));   // Thursday before
  EXPECT_TRUE(cal.IsWorkingDay(CivilDay(2023, 1, 28)));   // Saturday, 春节 调休
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2023, 3, 18)));  // plain Saturday
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2023, 3, 19)));  // plain Sunday
  EXPECT_TRUE(cal.IsWorkingDay(CivilDay(2023, 3, 20)));   // plain Monday
}

TEST(WorkCalendarTest, HolidayNames) {
  const WorkCalendar& cal = Cn();
  EXPECT_EQ(cal.HolidayName(CivilDay(2023, 9, 29)), "中秋节、国庆节");
  EXPECT_EQ(cal.HolidayName(CivilDay(2023, 9, 29)).rfind("中秋节", 0), 0u);
  EXPECT_EQ(cal.HolidayName(CivilDay(2023, 10, 6)), "中秋节、国庆节");
  EXPECT_EQ(cal.HolidayName(CivilDay(2023, 10, 7)), "");  // adjusted working day
  EXPECT_EQ(cal.HolidayName(CivilDay(2023, 3, 18)), "");  // plain weekend
  EXPECT_EQ(cal.HolidayName(CivilDay(2023, 1, 23)), "春节");
  EXPECT_EQ(cal.HolidayName(CivilDay(2025, 1, 28)), "春节");  // 除夕, statutory from 2025
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2025, 1, 28)));     // a Tuesday
}

TEST(WorkCalendarTest, RangeStartingInPreviousYearApplies) {
  const WorkCalendar& cal = Cn();
  // 2023's 元旦 is 2022-12-31..2023-01-02; 2022 itself is not covered.
  EXPECT_FALSE(cal.Covers(2022));
  EXPECT_EQ(cal.HolidayName(CivilDay(2022, 12, 31)), "元旦");
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2023, 1, 2)));  // Monday off
  EXPECT_TRUE(cal.IsWorkingDay(CivilDay(2022, 12, 30)));  // Friday, plain rule
}

TEST(WorkCalendarTest, NextAndPreviousWorkingDayAcrossNationalDay) {
  const WorkCalendar& cal = Cn();
  EXPECT_EQ(cal.NextWorkingDay(CivilDay(2023, 9, 28)), CivilDay(2023, 10, 7));
  EXPECT_EQ(cal.PreviousWorkingDay(CivilDay(2023, 10, 7)), CivilDay(2023, 9, 28));
  EXPECT_EQ(cal.NextWorkingDay(CivilDay(2023, 10, 7)), CivilDay(2023, 10, 8));
  EXPECT_EQ(cal.NextWorkingDay(CivilDay(2023, 10, 8)), CivilDay(2023, 10, 9));
  // Strictly after / before, even from a working day.
  EXPECT_EQ(cal.NextWorkingDay(CivilDay(2023, 3, 20)), CivilDay(2023, 3, 21));
  EXPECT_EQ(cal.PreviousWorkingDay(CivilDay(2023, 3, 20)), CivilDay(2023, 3, 17));
}

TEST(WorkCalendarTest, AdjustWithEachPolicy) {
  const WorkCalendar& cal = Cn();
  CivilDay d(2023, 10, 1);  // Sunday inside 中秋节、国庆节
  EXPECT_EQ(cal.Adjust(d, NonWorkingDayPolicy::kKeep), d);
  EXPECT_EQ(cal.Adjust(d, NonWorkingDayPolicy::kPreviousWorkingDay), CivilDay(2023, 9, 28));
  EXPECT_EQ(cal.Adjust(d, NonWorkingDayPolicy::kNextWorkingDay), CivilDay(2023, 10, 7));
  // A working day stays put under every policy.
  CivilDay w(2023, 10, 7);
  EXPECT_EQ(cal.Adjust(w, NonWorkingDayPolicy::kKeep), w);
  EXPECT_EQ(cal.Adjust(w, NonWorkingDayPolicy::kPreviousWorkingDay), w);
  EXPECT_EQ(cal.Adjust(w, NonWorkingDayPolicy::kNextWorkingDay), w);
}

TEST(WorkCalendarTest, ParseNonWorkingDayPolicy) {
  EXPECT_EQ(*ParseNonWorkingDayPolicy("keep"), NonWorkingDayPolicy::kKeep);
  EXPECT_EQ(*ParseNonWorkingDayPolicy("previous_working_day"),
            NonWorkingDayPolicy::kPreviousWorkingDay);
  EXPECT_EQ(*ParseNonWorkingDayPolicy("next_working_day"), NonWorkingDayPolicy::kNextWorkingDay);
  auto bad = ParseNonWorkingDayPolicy("next");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_HAS(bad.status().message(), "'next'");
  EXPECT_FALSE(ParseNonWorkingDayPolicy("").ok());
  EXPECT_FALSE(ParseNonWorkingDayPolicy("Keep").ok());
}

TEST(WorkCalendarTest, AddWorkingDaysBackOverAdjustedWeekend) {
  const WorkCalendar& cal = Cn();
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 10, 9), -1), CivilDay(2023, 10, 8));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 10, 9), -2), CivilDay(2023, 10, 7));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 10, 9), -3), CivilDay(2023, 9, 28));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 9, 28), 1), CivilDay(2023, 10, 7));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 9, 28), 3), CivilDay(2023, 10, 9));
}

TEST(WorkCalendarTest, AddWorkingDaysZero) {
  const WorkCalendar& cal = Cn();
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 10, 9), 0), CivilDay(2023, 10, 9));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 10, 1), 0), CivilDay(2023, 9, 28));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 3, 18), 0), CivilDay(2023, 3, 17));
}

TEST(WorkCalendarTest, AddWorkingDaysOverSpringFestival2023) {
  const WorkCalendar& cal = Cn();
  // 春节 2023-01-21 (Sat) .. 01-27 (Fri) off; 01-28 (Sat) and 01-29 (Sun) worked.
  CivilDay fri(2023, 1, 20);
  EXPECT_EQ(cal.AddWorkingDays(fri, 1), CivilDay(2023, 1, 28));
  EXPECT_EQ(cal.AddWorkingDays(fri, 2), CivilDay(2023, 1, 29));
  EXPECT_EQ(cal.AddWorkingDays(fri, 3), CivilDay(2023, 1, 30));
  EXPECT_EQ(cal.AddWorkingDays(fri, 7), CivilDay(2023, 2, 3));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 1, 28), -1), fri);
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 1, 25), 1), CivilDay(2023, 1, 28));
  EXPECT_EQ(cal.AddWorkingDays(CivilDay(2023, 1, 25), -1), fri);
  // Going forward then back by the same count from a working day returns to it.
  EXPECT_EQ(cal.AddWorkingDays(cal.AddWorkingDays(fri, 10), -10), fri);
}

TEST(WorkCalendarTest, WorkingDaysIn2023Is249) {
  const WorkCalendar& cal = Cn();
  // 2023: 260 Mon–Fri days, 18 of them holidays, plus 7 adjusted Sat/Sun = 249,
  // the official count.
  int by_day = CountByDay(cal, CivilDay(2023, 1, 1), CivilDay(2023, 12, 31));
  EXPECT_EQ(by_day, 249);
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2022, 12, 31), CivilDay(2023, 12, 31)), 249);
  // The parts: weekdays and holiday weekdays in 2023.
  WorkCalendar plain;
  EXPECT_EQ(CountByDay(plain, CivilDay(2023, 1, 1), CivilDay(2023, 12, 31)), 260);
}

TEST(WorkCalendarTest, WorkingDaysBetweenMatchesDayByDayCount) {
  const WorkCalendar& cal = Cn();
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2023, 9, 28), CivilDay(2023, 10, 8)), 2);
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2023, 9, 28), CivilDay(2023, 10, 6)), 0);
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2023, 10, 9), CivilDay(2023, 10, 9)), 0);
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2023, 10, 9), CivilDay(2023, 9, 1)), 0);
  // Intervals of every length up to ~40 days starting on various dates, and whole years.
  for (CivilDay from(2022, 12, 20); from <= CivilDay(2027, 1, 10); from += 11) {
    for (int len = 1; len <= 40; len += 3) {
      CivilDay to = from + len;
      ASSERT_EQ(cal.WorkingDaysBetween(from, to), CountByDay(cal, from + 1, to))
          << validate::FormatDate(from) << " .. " << validate::FormatDate(to);
    }
  }
  for (int y = 2022; y <= 2027; ++y) {
    EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(y - 1, 12, 31), CivilDay(y, 12, 31)),
              CountByDay(cal, CivilDay(y, 1, 1), CivilDay(y, 12, 31)))
        << y;
  }
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2022, 12, 31), CivilDay(2026, 12, 31)),
            CountByDay(cal, CivilDay(2023, 1, 1), CivilDay(2026, 12, 31)));
}

TEST(WorkCalendarTest, UncoveredYearUsesPlainWeekdayRule) {
  const WorkCalendar& cal = Cn();
  EXPECT_FALSE(cal.Covers(2027));
  EXPECT_TRUE(cal.IsWorkingDay(CivilDay(2027, 10, 1)));   // Friday; no data, so working
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2027, 10, 2)));  // Saturday
  EXPECT_FALSE(cal.IsWorkingDay(CivilDay(2027, 10, 3)));  // Sunday
  EXPECT_EQ(cal.HolidayName(CivilDay(2027, 1, 1)), "");
  EXPECT_EQ(cal.NextWorkingDay(CivilDay(2027, 10, 1)), CivilDay(2027, 10, 4));
  WorkCalendar plain;
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2026, 12, 31), CivilDay(2027, 12, 31)),
            plain.WorkingDaysBetween(CivilDay(2026, 12, 31), CivilDay(2027, 12, 31)));
  EXPECT_EQ(plain.WorkingDaysBetween(CivilDay(2026, 12, 31), CivilDay(2027, 12, 31)), 261);
}

TEST(WorkCalendarTest, EveryAdjustedDayInRealFileIsWeekendWorkingDay) {
  // Load() rejects a weekday adjusted day; spot-check the file's adjusted days here.
  const WorkCalendar& cal = Cn();
  for (CivilDay d : {CivilDay(2024, 2, 4), CivilDay(2024, 2, 18), CivilDay(2024, 10, 12),
                     CivilDay(2025, 1, 26), CivilDay(2025, 9, 28), CivilDay(2026, 1, 4),
                     CivilDay(2026, 2, 28), CivilDay(2026, 10, 10)}) {
    absl::Weekday w = absl::GetWeekday(d);
    EXPECT_TRUE(w == absl::Weekday::saturday || w == absl::Weekday::sunday)
        << validate::FormatDate(d);
    EXPECT_TRUE(cal.IsWorkingDay(d)) << validate::FormatDate(d);
    EXPECT_EQ(cal.HolidayName(d), "") << validate::FormatDate(d);
  }
}

// ---- bad files ---------------------------------------------------------------

TEST(WorkCalendarLoadTest, GoodSmallFileLoads) {
  auto cal = LoadText(kGood);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_TRUE(cal->Covers(2023));
  EXPECT_TRUE(cal->IsWorkingDay(CivilDay(2023, 10, 7)));
  EXPECT_FALSE(cal->IsWorkingDay(CivilDay(2023, 10, 8)));  // not listed in this file
  EXPECT_EQ(cal->HolidayName(CivilDay(2023, 10, 3)), "国庆节");
}

TEST(WorkCalendarLoadTest, NotYaml) {
  // A block entry ("- ") inside the flow list opened on line 2 is illegal on line 3.
  ExpectError("time_zone: Asia/Shanghai\nyears: [\n  - {year: 2023\n", 3, {"not valid YAML"});
  ExpectError("time_zone: Asia/Shanghai\nyears:\n  - year: 2023\n    holidays: {name: \"x\"\n", 5,
              {"not valid YAML"});
  ExpectError("- 1\n- 2\n", 1, {"must be a mapping"});
}

TEST(WorkCalendarLoadTest, MissingKeys) {
  ExpectError("years: []\n", 1, {"time_zone: required"});
  ExpectError("time_zone: Asia/Shanghai\n", 1, {"years: required"});
  ExpectError("time_zone: Asia/Shanghai\nyears:\n  - holidays: []\n", 3, {"years[0].year: required"});
  ExpectError("time_zone: Asia/Shanghai\nyears:\n  - year: 2023\n", 3,
              {"years[0].holidays: required"});
  ExpectError(WithHoliday("      - {name: \"国庆节\", from: 2023-10-01}"), 5,
              {"years[0].holidays[0].to: required"});
  ExpectError(WithWorkingDay("      - {date: 2023-10-07}"), 7,
              {"years[0].adjusted_working_days[0].for: required"});
}

TEST(WorkCalendarLoadTest, UnknownKeys) {
  ExpectError("time_zone: Asia/Shanghai\nyear:\n  - year: 2023\n", 2, {"year: unknown field"});
  ExpectError("time_zone: Asia/Shanghai\nyears:\n  - year: 2023\n    sorce: x\n    holidays: []\n", 4,
              {"years[0].sorce: unknown field"});
  ExpectError(WithHoliday("      - {name: \"国庆节\", from: 2023-10-01, until: 2023-10-06}"), 5,
              {"years[0].holidays[0].until: unknown field"});
}

TEST(WorkCalendarLoadTest, BadDates) {
  ExpectError(WithHoliday("      - {name: \"国庆节\", from: 2023-02-30, to: 2023-10-06}"), 5,
              {"years[0].holidays[0].from", "2023-02-30", "not a valid date"});
  ExpectError(WithHoliday("      - {name: \"国庆节\", from: 2023-10-01, to: 10/06/2023}"), 5,
              {"years[0].holidays[0].to", "not a date"});
  ExpectError(WithWorkingDay("      - {date: 2023-10-7, for: \"国庆节\"}"), 7,
              {"years[0].adjusted_working_days[0].date", "not a date"});
  ExpectError("time_zone: Asia/Shanghai\nyears:\n  - year: twenty\n    holidays: []\n", 3,
              {"years[0].year", "not a whole number"});
}

TEST(WorkCalendarLoadTest, RangeEndsBeforeStart) {
  ExpectError(WithHoliday("      - {name: \"国庆节\", from: 2023-10-06, to: 2023-10-01}"), 5,
              {"years[0].holidays[0].to", "before from 2023-10-06"});
}

TEST(WorkCalendarLoadTest, RangeLongerThan15Days) {
  // 15 days is fine, 16 is not.
  EXPECT_TRUE(LoadText(WithHoliday("      - {name: \"国庆节\", from: 2023-09-22, to: 2023-10-06}")).ok());
  ExpectError(WithHoliday("      - {name: \"国庆节\", from: 2023-09-21, to: 2023-10-06}"), 5,
              {"years[0].holidays[0].to", "16 days", "longer than 15"});
}

TEST(WorkCalendarLoadTest, RangeOutsideItsYear) {
  ExpectError(WithHoliday("      - {name: \"元旦\", from: 2022-11-30, to: 2022-12-02}"), 5,
              {"years[0].holidays[0].from", "before 2022-12-01"});
  ExpectError(WithHoliday("      - {name: \"元旦\", from: 2023-12-30, to: 2024-01-01}"), 5,
              {"years[0].holidays[0].to", "after 2023-12-31"});
}

TEST(WorkCalendarLoadTest, OverlappingHolidays) {
  ExpectError("time_zone: Asia/Shanghai\n"
              "years:\n"
              "  - year: 2023\n"
              "    holidays:\n"
              "      - {name: \"中秋节\", from: 2023-09-29, to: 2023-10-01}\n"
              "      - {name: \"国庆节\", from: 2023-10-01, to: 2023-10-06}\n",
              6, {"years[0].holidays[1].from", "overlaps years[0].holidays[0]"});
}

TEST(WorkCalendarLoadTest, DateBothHolidayAndWorkingDay) {
  // 2023-10-01 is a Sunday inside the holiday.
  ExpectError(WithWorkingDay("      - {date: 2023-10-01, for: \"国庆节\"}"), 7,
              {"years[0].adjusted_working_days[0].date", "2023-10-01", "also a holiday"});
  // Also across year blocks: 2024's block declaring a day of 2023's holiday.
  ExpectError("time_zone: Asia/Shanghai\n"
              "years:\n"
              "  - year: 2023\n"
              "    holidays:\n"
              "      - {name: \"元旦\", from: 2023-12-30, to: 2023-12-31}\n"
              "  - year: 2024\n"
              "    holidays: []\n"
              "    adjusted_working_days:\n"
              "      - {date: 2023-12-30, for: \"元旦\"}\n",
              9, {"years[1].adjusted_working_days[0].date", "also a holiday"});
}

TEST(WorkCalendarLoadTest, AdjustedWorkingDayOnWeekday) {
  ExpectError(WithWorkingDay("      - {date: 2023-10-09, for: \"国庆节\"}"), 7,
              {"years[0].adjusted_working_days[0].date", "2023-10-09 is a Monday",
               "not a Saturday or Sunday"});
}

TEST(WorkCalendarLoadTest, AdjustedWorkingDayListedTwice) {
  ExpectError(WithWorkingDay("      - {date: 2023-10-07, for: \"国庆节\"}\n"
                             "      - {date: 2023-10-07, for: \"国庆节\"}"),
              8, {"years[0].adjusted_working_days[1].date", "more than once"});
}

TEST(WorkCalendarLoadTest, DuplicateYears) {
  ExpectError("time_zone: Asia/Shanghai\n"
              "years:\n"
              "  - year: 2023\n"
              "    holidays: []\n"
              "  - year: 2023\n"
              "    holidays: []\n",
              5, {"years[1].year", "2023 is listed more than once"});
}

TEST(WorkCalendarLoadTest, WrongTimeZone) {
  ExpectError("time_zone: UTC\nyears: []\n", 1, {"time_zone", "'UTC'", "Asia/Shanghai"});
}

TEST(WorkCalendarLoadTest, MissingFileIsNotFound) {
  auto cal = WorkCalendar::LoadFile(testing::SourcePath("config/calendar/no-such-file.yaml"));
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace duban
