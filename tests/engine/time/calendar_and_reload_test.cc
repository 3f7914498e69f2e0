// The work calendar past its last year (warning years, the weekday fallback
// noted in deadlines, the administrator's notification, recomputation once
// the year is added) and cadence changes while running, on an in-process
// engine with a simulated clock.
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
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

// `warnings` (optional): a `warnings:` block.
std::shared_ptr<const CadenceConfig> Cadences(const std::string& rules, const std::string& warnings = "") {
  auto doc = yamlx::Parse("cadences.yaml", absl::StrCat(R"(defaults:
  due_time: "17:30"
  reminders:
    - {working_days_before: 2, at: "09:00"}
    - {working_days_before: 0, at: "09:00"}
)",
                                                        warnings, "rules:\n", rules));
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

  // Pending warning checks of a task: due times (Beijing), in order.
  std::vector<std::string> WarningChecksOf(const std::string& task_id) {
    std::vector<std::string> out;
    engine_->store().Scan(Cf::kTimers, "", [&](absl::string_view, absl::string_view v) {
      v1::Timer t;
      if (t.ParseFromArray(v.data(), static_cast<int>(v.size())) && t.has_task_warning() &&
          t.task_warning().task_id() == task_id) {
        out.push_back(Local(t.due()));
      }
      return true;
    });
    return out;
  }

  // A new task of the demo plan's economy campaign, led by 市发改局 and
  // assigned (which schedules its first warning check).
  std::string AssignedTask(const std::string& code, const std::string& due_date) {
    CommandMeta meta;
    meta.actor = "office";
    NewTask n;
    n.campaign_id = "economy";
    n.code = code;
    n.title = "新增督办事项";
    n.text = "按期完成";
    n.lead_units = {"市发改局"};
    n.responsible_units = {"市科技局"};
    n.due_date = due_date;
    auto created = engine_->CreateTask(meta, n);
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) return "";
    TaskCommandArgs assign;
    assign.task_id = created->task.id();
    assign.command = v1::TASK_COMMAND_ASSIGN;
    auto assigned = engine_->Execute(meta, assign);
    EXPECT_TRUE(assigned.ok()) << assigned.status();
    return created->task.id();
  }

  v1::WarningLevel LevelOf(const std::string& task_id) {
    auto t = engine_->GetTask(task_id);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? t->warning_level() : v1::WARNING_LEVEL_NONE;
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
  const std::vector<v1::Notification> read_notes = engine_->outbox().ReadAll(0, 100000).value();
  for (const auto& n : read_notes) {
    if (n.recipient() == kAdminRecipient) {
      ++admin_notes;
      EXPECT_EQ(n.kind(), v1::NOTIFICATION_KIND_CALENDAR_MISSING);
      EXPECT_EQ(n.subject_id(), "calendar:2024");
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

TEST_F(EngineFixture, AWarningCheckCountedWithoutACalendarYearMovesOnceTheYearIsAdded) {
  Open(Calendar(false), Cadences(kMonthEnd), true);
  // Due Wednesday 3 January 2024; yellow 3 working days before. Without
  // 2024, Monday 1 January counts: 2 Jan, 1 Jan, Friday 29 December.
  const std::string id = AssignedTask("9.1.1", "2024-01-03");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2023-12-29 09:00"});

  // Restart with 2024 added (元旦 on 1 January): 2 Jan, 29 Dec, 28 Dec.
  Open(Calendar(true), Cadences(kMonthEnd), false);
  auto moved = engine_->RecomputeWarningChecks("work calendar");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_GE(*moved, 1);
  EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2023-12-28 09:00"});
  // Recomputing again moves nothing.
  EXPECT_EQ(*engine_->RecomputeWarningChecks("work calendar"), 0);
  // The move is in the audit trail, with its reason: one entry.
  audit::AuditFilter moves;
  moves.subject = "warning_checks";
  auto page = engine_->audit().List(moves, 0, 100);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->entries.size(), 1u);
  const v1::AuditEntry& entry = page->entries[0];
  EXPECT_EQ(entry.command(), "timers.recompute_warnings");
  EXPECT_EQ(entry.account(), "duband");
  EXPECT_TRUE(absl::StartsWith(entry.detail(), "work calendar: ")) << entry.detail();
  EXPECT_TRUE(absl::StrContains(entry.detail(),
                                absl::StrCat(id, " (due 2024-01-03) yellow check 2023-12-29 09:00 → 2023-12-28 09:00")))
      << entry.detail();

  // The task turns yellow on the 28th, and red 5 working days after its
  // due date (4, 5, 8, 9, 10 January).
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 12, 28, 10, 0)).ok());
  EXPECT_EQ(LevelOf(id), v1::WARNING_LEVEL_YELLOW);
  EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2024-01-10 09:00"});
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2024, 1, 10, 10, 0)).ok());
  EXPECT_EQ(LevelOf(id), v1::WARNING_LEVEL_RED);
}

TEST_F(EngineFixture, AWarningCheckWhoseDayPassedWhileTheYearWasMissingIsDueAtOnce) {
  // A calendar whose 2024 makes Saturday 6 January a working day (调休):
  // red, 5 working days after Tuesday 2 January, comes a day earlier.
  Open(Calendar(false), Cadences(kMonthEnd), true);
  const std::string id = AssignedTask("9.1.2", "2024-01-02");
  ASSERT_FALSE(id.empty());
  // Yellow on 28 December (1 January, 29 and 28 December).
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 12, 28, 10, 0)).ok());
  EXPECT_EQ(LevelOf(id), v1::WARNING_LEVEL_YELLOW);
  // Weekdays only: 3, 4, 5, 8, 9 January.
  EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2024-01-09 09:00"});

  engine_.reset();
  clock_->SetIfLater(Beijing(2024, 1, 8, 12, 0));
  std::string with_adjusted = absl::StrCat(k2023, R"(  - year: 2024
    holidays:
      - {name: "元旦", from: 2024-01-01, to: 2024-01-01}
    adjusted_working_days:
      - {date: 2024-01-06, for: "元旦"}
)");
  auto doc = yamlx::Parse("calendar.yaml", absl::StrCat("time_zone: Asia/Shanghai\nyears:\n", with_adjusted));
  ASSERT_TRUE(doc.ok()) << doc.status();
  auto cal = WorkCalendar::Load(*doc);
  ASSERT_TRUE(cal.ok()) << cal.status();
  Open(std::make_shared<const WorkCalendar>(*cal), Cadences(kMonthEnd), false);
  // 3, 4, 5, 6 (Saturday, working) and 8 January: red is due already.
  EXPECT_GE(*engine_->RecomputeWarningChecks("work calendar"), 1);
  EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2024-01-08 12:00"});
  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2024, 1, 8, 12, 1)).ok());
  EXPECT_EQ(LevelOf(id), v1::WARNING_LEVEL_RED);
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

TEST_F(EngineFixture, ReloadedWarningThresholdsMovePendingWarningChecks) {
  clock_ = std::make_unique<SimulatedClock>(Beijing(2023, 3, 20, 8, 0));
  auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
  ASSERT_TRUE(cal.ok());
  Open(std::make_shared<const WorkCalendar>(*cal), Cadences(kWeeklyA), true);
  // Due Thursday 20 April 2023; yellow 3 working days before: Monday 17th.
  const std::string id = AssignedTask("9.2.1", "2023-04-20");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2023-04-17 09:00"});

  // The same rule, with five working days' notice checked at 08:30: the
  // 13th. The rule did not change; the check moved.
  constexpr char kFiveDays[] = "warnings:\n  yellow_working_days_before_due: 5\n  check_at: \"08:30\"\n";
  auto r = engine_->ReloadCadences(Cadences(kWeeklyA, kFiveDays));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->changed.empty());
  EXPECT_GE(r->warning_checks_moved, 1);
  EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2023-04-13 08:30"});
  // Reloading the same thresholds moves nothing.
  auto again = engine_->ReloadCadences(Cadences(kWeeklyA, kFiveDays));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->warning_checks_moved, 0);

  ASSERT_TRUE(engine_->AdvanceClock(Beijing(2023, 4, 13, 9, 0)).ok());
  EXPECT_EQ(LevelOf(id), v1::WARNING_LEVEL_YELLOW);
}

// Commands that read the cadences (assigning a task sets its first warning
// check from the thresholds) run while reloads swap the thresholds back and
// forth. Each command reads one configuration and holds it; each reload
// moves the checks set before it. At the end every check is the one the
// last configuration gives. (Under scripts/sanitize.sh a read of the
// cadences that is not one atomic load is reported as a race.)
TEST_F(EngineFixture, CommandsRunningDuringReloadsEndWithTheLastThresholds) {
  clock_ = std::make_unique<SimulatedClock>(Beijing(2023, 3, 20, 8, 0));
  auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
  ASSERT_TRUE(cal.ok());
  Open(std::make_shared<const WorkCalendar>(*cal), Cadences(kWeeklyA), true);
  const auto three = Cadences(kWeeklyA);
  const auto five = Cadences(kWeeklyA, "warnings:\n  yellow_working_days_before_due: 5\n  check_at: \"08:30\"\n");
  constexpr int kReloads = 20;
  constexpr int kTasks = 30;
  std::atomic<bool> reload_failed{false};
  std::thread reloader([&] {
    for (int i = 0; i < kReloads; ++i) {
      if (!engine_->ReloadCadences(i % 2 == 0 ? five : three).ok()) reload_failed = true;
    }
  });
  std::vector<std::string> ids;
  for (int i = 0; i < kTasks; ++i) ids.push_back(AssignedTask(absl::StrCat("9.3.", i + 1), "2023-04-20"));
  reloader.join();
  ASSERT_FALSE(reload_failed.load());
  // The last reload (i = 19) put back three working days at 09:00.
  for (const auto& id : ids) {
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(WarningChecksOf(id), std::vector<std::string>{"2023-04-17 09:00"}) << id;
  }
}

}  // namespace
}  // namespace duban
