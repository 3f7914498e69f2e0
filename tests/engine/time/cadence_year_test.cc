// A whole year of the plan's cadence on the simulated clock, with the real
// calendar, cadence file and demo plan: exact counts and dates.
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "engine/time/cadence.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/validate.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string Local(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M", t, PlanTimeZone()); }

struct Year {
  TempDir dir;
  SimulatedClock clock{Beijing(2023, 1, 1)};
  std::shared_ptr<const WorkCalendar> calendar;
  std::shared_ptr<const CadenceConfig> cadences;
  std::unique_ptr<Engine> engine;

  void Open() {
    EngineOptions opts;
    opts.calendar = calendar;
    opts.cadences = cadences;
    auto e = Engine::Open(dir.sub("db"), &clock, opts);
    ASSERT_TRUE(e.ok()) << e.status();
    engine = std::move(*e);
  }
};

class CadenceYearTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    y_ = new Year;
    auto cal = WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml"));
    ASSERT_TRUE(cal.ok()) << cal.status();
    y_->calendar = std::make_shared<const WorkCalendar>(std::move(*cal));
    auto cad = LoadCadencesFile(SourcePath("tests/data/cadences-from-january.yaml"));
    ASSERT_TRUE(cad.ok()) << cad.status();
    y_->cadences = std::make_shared<const CadenceConfig>(std::move(*cad));
    y_->Open();
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok());
    ASSERT_TRUE(y_->engine->ImportPlan(*doc, "tester", true).ok());
    ASSERT_TRUE(y_->engine->StartCadences().ok());
    auto run = y_->engine->AdvanceClock(Beijing(2024, 1, 1));
    ASSERT_TRUE(run.ok()) << run.status();
    fired_ = run->fired;
    late_ = run->late;
    // Every obligation and every notification of the year.
    ObligationFilter f;
    f.page_size = 1000;
    while (true) {
      auto page = y_->engine->ListObligations(f);
      ASSERT_TRUE(page.ok()) << page.status();
      for (auto& o : page->obligations) obligations_->emplace(o.id(), o);
      if (page->next_page_token.empty()) break;
      f.page_token = page->next_page_token;
    }
    uint64_t after = 0;
    while (true) {
      auto batch = y_->engine->outbox().ReadAll(after, 5000).value();
      if (batch.empty()) break;
      for (auto& n : batch) {
        after = n.seq();
        notes_->push_back(std::move(n));
      }
    }
  }
  static void TearDownTestSuite() {
    delete y_;
    y_ = nullptr;
  }

  static std::vector<const v1::Obligation*> Of(const std::string& rule) {
    std::vector<const v1::Obligation*> out;
    for (const auto& [id, o] : *obligations_) {
      if (o.rule_id() == rule) out.push_back(&o);
    }
    return out;
  }
  static std::vector<const v1::Notification*> NotesFor(const std::string& obligation_id, v1::NotificationKind kind) {
    std::vector<const v1::Notification*> out;
    for (const auto& n : *notes_) {
      if (n.subject_id() == obligation_id && n.kind() == kind) out.push_back(&n);
    }
    return out;
  }

  static Year* y_;
  static int fired_, late_;
  static std::map<std::string, v1::Obligation>* obligations_;
  static std::vector<v1::Notification>* notes_;
};

Year* CadenceYearTest::y_ = nullptr;
int CadenceYearTest::fired_ = 0;
int CadenceYearTest::late_ = 0;
std::map<std::string, v1::Obligation>* CadenceYearTest::obligations_ = new std::map<std::string, v1::Obligation>;
std::vector<v1::Notification>* CadenceYearTest::notes_ = new std::vector<v1::Notification>;

TEST_F(CadenceYearTest, NothingFiresLateOnASteppedClock) {
  EXPECT_GT(fired_, 0);
  EXPECT_EQ(late_, 0);
  for (const auto& n : *notes_) EXPECT_FALSE(n.late()) << n.title() << " " << n.timer_id() << " due " << Local(FromTs(n.due()));
}

TEST_F(CadenceYearTest, EachTaskForceHas36FeedbackDeadlinesIn2023) {
  std::map<std::string, int> per_force;
  for (const auto* o : Of("task-force-feedback")) {
    if (o->period_label().substr(0, 4) == "2023") ++per_force[o->subject_id()];
  }
  ASSERT_EQ(per_force.size(), 6u);
  for (const auto& [force, n] : per_force) EXPECT_EQ(n, 36) << force;
}

TEST_F(CadenceYearTest, FeedbackGoesFromEachTaskForceOfficeToTheLeadingGroupOffice) {
  for (const auto* o : Of("task-force-feedback")) {
    EXPECT_EQ(o->recipient_unit_id(), "fgj");
    auto tf = y_->engine->ListTaskForces("");
    ASSERT_TRUE(tf.ok());
    bool found = false;
    for (const auto& f : *tf) found = found || (f.id() == o->subject_id() && f.office_unit_id() == o->unit_id());
    EXPECT_TRUE(found) << o->id();
  }
}

TEST_F(CadenceYearTest, EveryFeedbackDeadlineHasTwoRemindersOnWorkingDaysAt0900) {
  int reminders = 0;
  for (const auto* o : Of("task-force-feedback")) {
    if (o->period_label().substr(0, 4) != "2023") continue;
    auto rem = NotesFor(o->id(), v1::NOTIFICATION_KIND_REMINDER);
    ASSERT_EQ(rem.size(), 2u) << o->id();  // nobody reported, so both went out
    for (const auto* n : rem) {
      absl::Time due = FromTs(n->due());
      absl::CivilMinute m = absl::ToCivilMinute(due, PlanTimeZone());
      EXPECT_EQ(m.hour(), 9) << o->id();
      EXPECT_EQ(m.minute(), 0) << o->id();
      EXPECT_TRUE(y_->calendar->IsWorkingDay(absl::CivilDay(m))) << o->id() << " reminder on " << Local(due);
      EXPECT_LE(due, FromTs(o->deadline()));
      EXPECT_EQ(n->recipient(), o->unit_id());
      ++reminders;
    }
    // Deadlines are working days at 17:30 under the previous-working-day policy.
    absl::CivilMinute d = absl::ToCivilMinute(FromTs(o->deadline()), PlanTimeZone());
    EXPECT_TRUE(y_->calendar->IsWorkingDay(absl::CivilDay(d))) << o->id();
    EXPECT_EQ(d.hour(), 17);
    EXPECT_EQ(d.minute(), 30);
  }
  EXPECT_EQ(reminders, 6 * 36 * 2);
}

TEST_F(CadenceYearTest, DeadlinesAroundTheNationalDayHolidayFollowTheCalendar) {
  // 7 October 2023 was a Saturday and an adjusted working day: the deadline
  // stays; the "two working days before" reminder goes back over the
  // 29 September – 6 October holiday: 28 September is one, 27 September two.
  const auto& o = obligations_->at("task-force-feedback:2023-10-07:economy-task-force");
  EXPECT_EQ(Local(FromTs(o.deadline())), "2023-10-07 17:30");
  EXPECT_TRUE(o.deadline_note().empty());
  auto rem = NotesFor(o.id(), v1::NOTIFICATION_KIND_REMINDER);
  ASSERT_EQ(rem.size(), 2u);
  EXPECT_EQ(Local(FromTs(rem[0]->due())), "2023-09-27 09:00");
  EXPECT_EQ(Local(FromTs(rem[1]->due())), "2023-10-07 09:00");
  // 27 January 2023 fell in the Spring Festival holiday: moved back to Friday 20 January.
  const auto& jan = obligations_->at("task-force-feedback:2023-01-27:economy-task-force");
  EXPECT_EQ(Local(FromTs(jan.deadline())), "2023-01-20 17:30");
  EXPECT_FALSE(jan.deadline_note().empty());
  // 7 January 2023 was a Saturday: Friday 6 January.
  EXPECT_EQ(Local(FromTs(obligations_->at("task-force-feedback:2023-01-07:economy-task-force").deadline())),
            "2023-01-06 17:30");
}

TEST_F(CadenceYearTest, ThreeBriefingsAMonthAndTheBulletinsReviewsAndSummary) {
  int briefings = 0, bulletins = 0, reviews = 0, summaries = 0;
  for (const auto* o : Of("dekad-briefing")) briefings += o->period_start().substr(0, 4) == "2023";
  for (const auto* o : Of("monthly-bulletin")) bulletins += o->period_start().substr(0, 4) == "2023";
  for (const auto* o : Of("quarterly-review")) reviews += o->period_start().substr(0, 4) == "2023";
  for (const auto* o : Of("annual-summary")) summaries += o->period_start().substr(0, 4) == "2023";
  EXPECT_EQ(briefings, 36);
  EXPECT_EQ(bulletins, 12);  // December's falls due in January 2024, after the run
  EXPECT_EQ(reviews, 4);
  EXPECT_EQ(summaries, 1);
  // Dekad 1 of January ends Tuesday 10 January; two working days later.
  EXPECT_EQ(Local(FromTs(obligations_->at("dekad-briefing:2023-01-d1:fgj").deadline())), "2023-01-12 17:30");
  // Dekad 3 of September ends on the 30th, in the holiday: two working days
  // after it are the adjusted Saturday and Sunday, 7 and 8 October.
  EXPECT_EQ(Local(FromTs(obligations_->at("dekad-briefing:2023-09-d3:fgj").deadline())), "2023-10-08 17:30");
  // The monthly bulletin for March: five working days after Friday 31 March,
  // skipping Qingming (5 April): 3, 4, 6, 7, 10 April.
  EXPECT_EQ(Local(FromTs(obligations_->at("monthly-bulletin:2023-03:fgj").deadline())), "2023-04-10 17:30");
  // The year-end summary is due on 31 December, a Sunday: Friday 29 December.
  EXPECT_EQ(Local(FromTs(obligations_->at("annual-summary:2023:fgj").deadline())), "2023-12-29 17:30");
}

TEST_F(CadenceYearTest, SafetyUnitsReportOnThursdaysByThe20thAndBy5December) {
  auto weekly = Of("safety-weekly");
  std::set<std::string> units, weeks;
  for (const auto* o : weekly) {
    units.insert(o->unit_id());
    weeks.insert(o->period_label());
    absl::CivilDay due = absl::ToCivilDay(FromTs(o->deadline()), PlanTimeZone());
    EXPECT_TRUE(y_->calendar->IsWorkingDay(due)) << o->id();
  }
  EXPECT_GT(units.size(), 50u);  // the safety task force's member units, towns expanded
  // The Thursday of the National Day week (5 October) is a holiday: 28 September.
  std::string some_unit = *units.begin();
  const auto& oct = obligations_->at(absl::StrCat("safety-weekly:2023-W40:", some_unit));
  EXPECT_EQ(Local(FromTs(oct.deadline())), "2023-09-28 17:30");
  int monthly = 0;
  for (const auto* o : Of("safety-monthly")) {
    monthly += o->unit_id() == some_unit && o->period_label().substr(0, 4) == "2023";
  }
  EXPECT_EQ(monthly, 12);
  const auto& annual = obligations_->at(absl::StrCat("safety-annual:2023:", some_unit));
  EXPECT_EQ(Local(FromTs(annual.deadline())), "2023-12-05 17:30");
  EXPECT_EQ(weekly.size() % units.size(), 0u);
}

TEST_F(CadenceYearTest, MissedDeadlinesAreUrgedOnceAndScored) {
  int missed = 0;
  for (const auto& [id, o] : *obligations_) {
    if (FromTs(o.deadline()) > Beijing(2024, 1, 1)) continue;
    EXPECT_EQ(o.state(), v1::OBLIGATION_STATE_MISSED) << id;
    EXPECT_EQ(NotesFor(id, v1::NOTIFICATION_KIND_URGE).size(), 1u) << id;
    ++missed;
  }
  auto score = y_->engine->GetUnitScore("市发改局");
  ASSERT_TRUE(score.ok());
  // 市发改局 is the office of two task forces and writes the briefings, bulletins ...
  EXPECT_EQ(score->missed(), score->due());
  EXPECT_EQ(score->urges(), score->missed());
  EXPECT_GE(score->missed(), 2 * 36 + 36 + 11 + 4 + 1);
  EXPECT_GT(missed, 0);
}

TEST_F(CadenceYearTest, TasksTurnYellowThenRedOnWorkingDaysAndEachChangeIsAnEvent) {
  auto h = y_->engine->History("T1");  // due 2023-12-31
  ASSERT_TRUE(h.ok());
  std::vector<std::pair<v1::WarningLevel, std::string>> changes;
  for (const auto& e : *h) {
    if (e.command() == v1::TASK_COMMAND_WARNING) changes.emplace_back(e.warning_level(), Local(FromTs(e.at())));
  }
  ASSERT_EQ(changes.size(), 1u);  // red comes in 2024, after this run
  EXPECT_EQ(changes[0].first, v1::WARNING_LEVEL_YELLOW);
  // 31 December 2023 is a Sunday; three working days before it: 27 December.
  EXPECT_EQ(changes[0].second, "2023-12-27 09:00");
  auto t = y_->engine->GetTask("T1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->warning_level(), v1::WARNING_LEVEL_YELLOW);
  EXPECT_EQ(t->state(), v1::TASK_STATE_ASSIGNED);  // a flag, never a state
}

TEST_F(CadenceYearTest, TheMonthlyBulletinShowsWhoIsLate) {
  auto b = y_->engine->MonthlyBulletin("2023-06", {});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->period(), "2023-06");
  EXPECT_EQ(b->tasks_total(), 170);
  EXPECT_GT(b->obligations_due(), 0);
  EXPECT_EQ(b->obligations_on_time(), 0);  // nobody reported this year
  ASSERT_GT(b->units_size(), 0);
  bool fgj = false;
  int due = 0;
  for (const auto& u : b->units()) {
    EXPECT_FALSE(u.unit_name().empty());
    due += u.obligations_due();
    if (u.unit_id() == "fgj") {
      fgj = true;
      EXPECT_EQ(u.unit_name(), "市发改局");
      // June: 2 task forces × 3 feedback deadlines, 3 briefings, the May bulletin, ...
      EXPECT_GE(u.obligations_missed(), 2 * 3 + 3 + 1);
    }
  }
  EXPECT_TRUE(fgj);
  EXPECT_EQ(due, b->obligations_due());
  auto bad = y_->engine->MonthlyBulletin("2023-13", {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "period"));
}

}  // namespace
}  // namespace duban
