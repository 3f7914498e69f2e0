// The work calendar past its last year (warning years, the weekday fallback
// noted in deadlines, the administrator's notification, recomputation once
// the year is added) and cadence changes while running, on an in-process
// engine with a simulated clock.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/time/cadence.h"
#include "gtest/gtest.h"
#include "services/rule_reload.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

std::string Local(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M", FromTs(ts), PlanTimeZone());
}

constexpr char k2023[] = R"(  - year: 2023
    holidays:
      - {name: "中秋节、国庆节", from: 2023-09-29, to: 2023-10-06}
    adjusted_working_days:
      - {date: 2023-10-07, for: "国庆节"}
      - {date: 2023-10-08, for: "国庆节"}
)";
constexpr char k2024[] = R"(  - year: 2024
    holidays:
      - {name: "元旦", from: 2024-01-01, to: 2024-01-01}
)";

std::shared_ptr<const WorkCalendar> Calendar(bool with_2024) {
  std::string text = absl::StrCat("time_zone: Asia/Shanghai\nyears:\n", k2023, with_2024 ? k2024 : "");
  auto doc = yamlx::Parse("calendar.yaml", text);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto cal = WorkCalendar::Load(*doc);
  EXPECT_TRUE(cal.ok()) << cal.status();
  return std::make_shared<const WorkCalendar>(cal.ok() ? *cal : WorkCalendar());
}

std::shared_ptr<const CadenceConfig> Cadences(const std::string& rules) {
  auto doc = yamlx::Parse("cadences.yaml", absl::StrCat(R"(defaults:
  due_time: "17:30"
  reminders:
    - {working_days_before: 2, at: "09:00"}
    - {working_days_before: 0, at: "09:00"}
rules:
)",
                                                        rules));
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto c = LoadCadences(*doc);
  EXPECT_TRUE(c.ok()) << c.status();
  return std::make_shared<const CadenceConfig>(c.ok() ? *c : CadenceConfig());
}

// Three working days after each month, for one unit.
constexpr char kMonthEnd[] = R"(  - id: month-report
    name: 月报
    reporters: {units: [市发改局]}
    recipient: 市政府办
    schedule: {kind: month_end, offset_working_days: 3}
)";

class EngineFixture : public ::testing::Test {
 protected:
  void Open(std::shared_ptr<const WorkCalendar> cal, std::shared_ptr<const CadenceConfig> cad, bool import) {
    engine_.reset();
    EngineOptions opts;
    opts.calendar = std::move(cal);
    opts.cadences = std::move(cad);
    auto e = Engine::Open(dir_.sub("db"), clock_.get(), opts);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    if (import) {
      auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
      ASSERT_TRUE(doc.ok());
      ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
    }
    ASSERT_TRUE(engine_->StartCadences().ok());
  }

  // Pending timers of an obligation: timer id -> due (Beijing).
  std::map<std::string, std::string> TimersOf(const std::string& obligation_id) {
    std::map<std::string, std::string> out;
    engine_->store().Scan(Cf::kTimers, "", [&](absl::string_view k, absl::string_view v) {
      v1::Timer t;
      if (t.ParseFromArray(v.data(), static_cast<int>(v.size())) &&
          ((t.has_deadline() && t.deadline().obligation_id() == obligation_id) ||
           (t.has_reminder() && t.reminder().obligation_id() == obligation_id))) {
        out[t.id()] = Local(t.due());
      }
      return true;
    });
    return out;
  }

  v1::Obligation Obligation(const std::string& id) {
    auto o = engine_->GetObligation(id);
    EXPECT_TRUE(o.ok()) << id << ": " << o.status();
    return o.ok() ? *o : v1::Obligation();
  }

  std::vector<v1::Obligation> OfRule(const std::string& rule) {
    ObligationFilter f;
    f.rule_id = rule;
    f.page_size = 1000;
    auto page = engine_->ListObligations(f);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->obligations : std::vector<v1::Obligation>();
  }

  TempDir dir_;
  // Kept across Open calls: a restart continues the same time.
  std::unique_ptr<SimulatedClock> clock_ = std::make_unique<SimulatedClock>(Beijing(2023, 12, 20, 9, 0));
  std::unique_ptr<Engine> engine_;
};

// ---------------------------------------------------------------- the calendar past its last year

TEST(CalendarCoverage, MissingYearsFromTheFirstOfNovember) {
  auto cal = Calendar(false);
  EXPECT_EQ(MissingCalendarYears(*cal, absl::CivilDay(2023, 10, 31)), std::vector<int>{});
  EXPECT_EQ(MissingCalendarYears(*cal, absl::CivilDay(2023, 11, 1)), std::vector<int>{2024});
  EXPECT_EQ(MissingCalendarYears(*cal, absl::CivilDay(2024, 3, 1)), std::vector<int>{2024});
  EXPECT_EQ(MissingCalendarYears(*Calendar(true), absl::CivilDay(2023, 11, 1)), std::vector<int>{});
  // An empty calendar is the weekday rule by choice, not a missing year.
  EXPECT_EQ(MissingCalendarYears(WorkCalendar(), absl::CivilDay(2023, 11, 1)), std::vector<int>{});
}

TEST_F(EngineFixture, AYearWithoutCalendarCountsWeekdaysSaysSoAndIsRecomputedOnceAdded) {
  Open(Calendar(false), Cadences(kMonthEnd), true);
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 12, 29, 9, 0)).ok());
  const std::string id = "month-report:2023-12:fgj";
  v1::Obligation o = Obligation(id);
  // Without 2024, 1 January counts as a working day: 1, 2, 3 January.
  EXPECT_EQ(Local(o.deadline()), "2024-01-03 17:30");
  EXPECT_TRUE(absl::StrContains(o.deadline_note(), "no work calendar for 2024")) << o.deadline_note();
  EXPECT_TRUE(absl::StrContains(o.deadline_note(), "按周一至周五计算工作日")) << o.deadline_note();

  // The administrator is told once.
  auto first = NotifyMissingCalendarYears(engine_.get());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, std::vector<int>{2024});
  auto again = NotifyMissingCalendarYears(engine_.get());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  int admin_notes = 0;
  for (const auto& n : engine_->outbox().ReadAll(0, 100000)) {
    if (n.recipient() == kAdminRecipient) {
      ++admin_notes;
      EXPECT_EQ(n.title(), "2024年工作日历未配置");
    }
  }
  EXPECT_EQ(admin_notes, 1);

  // Restart with 2024 added (元旦 on 1 January): the deadline moves to 4
  // January, the note loses the fallback, the timers move with it.
  Open(Calendar(true), Cadences(kMonthEnd), false);
  auto moved = engine_->RecomputeDeadlines({}, "work calendar");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, 1);
  o = Obligation(id);
  EXPECT_EQ(Local(o.deadline()), "2024-01-04 17:30");
  EXPECT_EQ(o.deadline_note(), "");
  std::map<std::string, std::string> timers = TimersOf(id);
  EXPECT_EQ(timers[absl::StrCat("dl:", id)], "2024-01-04 17:30");
  EXPECT_EQ(timers[absl::StrCat("rem:", id, ":0")], "2024-01-02 09:00");
  EXPECT_EQ(timers[absl::StrCat("rem:", id, ":1")], "2024-01-04 09:00");
  auto history = engine_->ObligationHistory(id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().kind(), "deadline_moved");
  // Recomputing again moves nothing; the old deadline no longer fires.
  EXPECT_EQ(*engine_->RecomputeDeadlines({}, "work calendar"), 0);
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2024, 1, 3, 18, 0)).ok());
  EXPECT_EQ(Obligation(id).state(), v1::OBLIGATION_STATE_PENDING);
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2024, 1, 4, 18, 0)).ok());
  EXPECT_EQ(Obligation(id).state(), v1::OBLIGATION_STATE_MISSED);
}

// ---------------------------------------------------------------- rule changes while running

constexpr char kWeeklyA[] = R"(  - id: weekly-a
    name: 周报A
    reporters: {units: [市发改局]}
    recipient: 市政府办
    schedule: {kind: weekly, weekday: thursday}
)";
constexpr char kWeeklyANoon[] = R"(  - id: weekly-a
    name: 周报A
    reporters: {units: [市发改局]}
    recipient: 市政府办
    schedule: {kind: weekly, weekday: thursday}
    due_time: "12:00"
)";
constexpr char kWeeklyB[] = R"(  - id: weekly-b
    name: 周报B
    reporters: {units: [市发改局]}
    recipient: 市政府办
    schedule: {kind: weekly, weekday: monday}
)";
constexpr char kMonthlyC[] = R"(  - id: monthly-c
    name: 月报C
    reporters: {units: [市发改局]}
    recipient: 市政府办
    schedule: {kind: monthly, day: 20}
)";

TEST_F(EngineFixture, ReloadStopsRemovedCadencesStartsNewOnesAtTheirNextPeriodAndMovesChangedDeadlines) {
  clock_ = std::make_unique<SimulatedClock>(Beijing(2023, 3, 20, 8, 0));  // a Monday
  auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
  ASSERT_TRUE(cal.ok());
  Open(std::make_shared<const WorkCalendar>(*cal), Cadences(absl::StrCat(kWeeklyA, kWeeklyB)), true);
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 3, 21, 8, 0)).ok());
  std::vector<v1::Obligation> a = OfRule("weekly-a");
  ASSERT_EQ(a.size(), 1u);
  const std::string a_id = a[0].id();
  EXPECT_EQ(Local(a[0].deadline()), "2023-03-23 17:30");
  ASSERT_EQ(OfRule("weekly-b").size(), 1u);  // Monday 20 March

  auto r = engine_->ReloadCadences(Cadences(absl::StrCat(kWeeklyANoon, kMonthlyC)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->added, std::vector<std::string>{"monthly-c"});
  EXPECT_EQ(r->removed, std::vector<std::string>{"weekly-b"});
  EXPECT_EQ(r->changed, std::vector<std::string>{"weekly-a"});
  EXPECT_EQ(r->obligations_moved, 1);
  // The open obligation's deadline and its timers moved.
  EXPECT_EQ(Local(Obligation(a_id).deadline()), "2023-03-23 12:00");
  EXPECT_EQ(TimersOf(a_id)[absl::StrCat("dl:", a_id)], "2023-03-23 12:00");

  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 4, 30)).ok());
  // weekly-b made nothing after the reload.
  EXPECT_EQ(OfRule("weekly-b").size(), 1u);
  // weekly-a goes on with the new time.
  std::vector<v1::Obligation> later = OfRule("weekly-a");
  EXPECT_GE(later.size(), 5u);
  for (const auto& o : later) EXPECT_TRUE(absl::EndsWith(Local(o.deadline()), "12:00")) << o.id();
  // monthly-c starts at its next period: 20 March had passed, so April.
  std::vector<v1::Obligation> c = OfRule("monthly-c");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(Local(c[0].deadline()), "2023-04-20 17:30");
  // The moved deadline fired at its new time: missed, one urge.
  EXPECT_EQ(Obligation(a_id).state(), v1::OBLIGATION_STATE_MISSED);
  EXPECT_EQ(Obligation(a_id).urges(), 1);
}

}  // namespace
}  // namespace duban
