// Timers through duband: a SIGKILL while timers fire loses nothing and sends
// nothing twice; a week of downtime fires the missed timers once, marked
// late; a watch client that reconnects with its cursor gets every
// notification once; bad rule files stop the daemon with file, line, reason.
#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "duban/v1/duban.grpc.pb.h"
#include "engine/engine.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/http_receiver.h"

namespace duban {
namespace {

using google::protobuf::util::TimeUtil;
using testing::Daemon;
using testing::SourcePath;
using testing::TempDir;

absl::Time Beijing(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), PlanTimeZone());
}
std::string Rfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, PlanTimeZone()); }

// Every notification in a (stopped) daemon's store.
std::vector<v1::Notification> AllNotifications(const std::string& data_dir) {
  auto store = Store::Open(data_dir);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return {};
  Outbox outbox(store->get());
  EXPECT_TRUE(outbox.Init().ok());
  std::vector<v1::Notification> out;
  uint64_t after = 0;
  while (true) {
    auto batch = outbox.ReadAll(after, 5000).value();
    if (batch.empty()) break;
    for (auto& n : batch) {
      after = n.seq();
      out.push_back(std::move(n));
    }
  }
  return out;
}

// What the same plan and rules produce without any crash: an in-process
// engine on a stepped simulated clock.
std::multiset<std::string> ReferenceTimerIds(absl::Time start, absl::Time end,
                                            const std::string& cadences = "config/cadences.yaml") {
  TempDir dir;
  SimulatedClock clock(start);
  EngineOptions opts;
  opts.calendar = std::make_shared<const WorkCalendar>(
      *WorkCalendar::LoadFile(SourcePath("config/calendar/cn-workdays.yaml")));
  opts.cadences = std::make_shared<const CadenceConfig>(*LoadCadencesFile(SourcePath(cadences)));
  opts.supervision =
      std::make_shared<const SupervisionConfig>(*LoadSupervisionFile(SourcePath("config/supervision.yaml")));
  opts.workflow.completion_review_steps = 2;
  auto engine = Engine::Open(dir.sub("db"), &clock, opts);
  EXPECT_TRUE(engine.ok());
  auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
  EXPECT_TRUE((*engine)->ImportPlan(*doc, "duband", true).ok());
  EXPECT_TRUE((*engine)->StartCadences().ok());
  EXPECT_TRUE((*engine)->AdvanceClock(end).ok());
  std::multiset<std::string> ids;
  const std::vector<v1::Notification> read_notes = (*engine)->outbox().ReadAll(0, 1000000).value();
  for (const auto& n : read_notes) ids.insert(n.timer_id() + "|" + n.recipient());
  return ids;
}

absl::Time ServerNow(const std::shared_ptr<grpc::Channel>& ch) {
  auto admin = v1::AdminService::NewStub(ch);
  grpc::ClientContext ctx;
  v1::ServerInfoRequest req;
  v1::ServerInfoResponse res;
  EXPECT_TRUE(admin->ServerInfo(&ctx, req, &res).ok());
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(res.now()));
}

grpc::Status Advance(const std::shared_ptr<grpc::Channel>& ch, absl::Time to, v1::AdvanceClockResponse* res) {
  auto admin = v1::AdminService::NewStub(ch);
  grpc::ClientContext ctx;
  v1::AdvanceClockRequest req;
  *req.mutable_to() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(to));
  return admin->AdvanceClock(&ctx, req, res);
}

TEST(TimersE2ETest, SigkillWhileTimersFireLosesNothingAndSendsNothingTwice) {
  TempDir dir;
  absl::Time start = Beijing(2023, 1, 1), end = Beijing(2024, 1, 1);
  Daemon daemon(dir.sub("data"), {"--clock_start=" + Rfc3339(start)});
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  std::thread advance([ch = daemon.ChannelAs("sysadmin"), end] {
    v1::AdvanceClockResponse res;
    Advance(ch, end, &res);  // cut short by the kill
  });
  // Kill as soon as the run is under way (the clock has moved a few weeks).
  // On a loaded machine the advance may take seconds to begin (the login
  // hashes a password), so the wait is long; it ends as soon as it can.
  for (absl::Time give_up = absl::Now() + absl::Seconds(60);
       absl::Now() < give_up && ServerNow(daemon.channel()) < start + absl::Hours(24 * 20);) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  daemon.Kill(SIGKILL);
  advance.join();

  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  absl::Time resumed = ServerNow(daemon.channel());
  EXPECT_GT(resumed, start) << "no timer had fired before the kill";
  EXPECT_LT(resumed, end) << "the run finished before the kill; nothing was interrupted";
  v1::AdvanceClockResponse res;
  ASSERT_TRUE(Advance(daemon.ChannelAs("sysadmin"), end, &res).ok());
  EXPECT_EQ(res.late(), 0);
  daemon.Kill(SIGTERM);

  std::multiset<std::string> got;
  for (const auto& n : AllNotifications(dir.sub("data"))) {
    if (n.timer_id().empty()) continue;  // not a timer's (e.g. a signed audit checkpoint)
    got.insert(n.timer_id() + "|" + n.recipient());
  }
  std::multiset<std::string> want = ReferenceTimerIds(start, end);
  ASSERT_GT(want.size(), 1000u);
  EXPECT_EQ(got.size(), want.size());
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size() << " lost, e.g. " << (missing.empty() ? "" : missing[0]);
  EXPECT_TRUE(extra.empty()) << extra.size() << " sent twice, e.g. " << (extra.empty() ? "" : extra[0]);
}

TEST(TimersE2ETest, AWeekOfDowntimeFiresTheMissedTimersOnceMarkedLate) {
  TempDir dir;
  absl::Time start = Beijing(2023, 3, 1), stop = Beijing(2023, 3, 6, 12), back = Beijing(2023, 3, 13, 12);
  {
    Daemon daemon(dir.sub("data"), {"--clock_start=" + Rfc3339(start), "--cadences=" + std::string(DUBAN_SOURCE_DIR) + "/tests/data/cadences-from-january.yaml"});
    ASSERT_TRUE(daemon.Start()) << daemon.log_path();
    v1::AdvanceClockResponse res;
    ASSERT_TRUE(Advance(daemon.ChannelAs("sysadmin"), stop, &res).ok());
    daemon.Kill(SIGTERM);
  }
  size_t before = AllNotifications(dir.sub("data")).size();
  // A week later: the simulated clock starts where the world is now.
  Daemon daemon(dir.sub("data"), {"--clock_start=" + Rfc3339(back), "--cadences=" + std::string(DUBAN_SOURCE_DIR) + "/tests/data/cadences-from-january.yaml"});
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  // The timer loop catches up by itself; wait until nothing due is pending.
  auto admin = v1::AdminService::NewStub(daemon.channel());
  for (int i = 0; i < 200; ++i) {
    grpc::ClientContext ctx;
    v1::ServerInfoRequest req;
    v1::ServerInfoResponse info;
    ASSERT_TRUE(admin->ServerInfo(&ctx, req, &info).ok());
    if (TimeUtil::TimestampToMicroseconds(info.next_timer_due()) > absl::ToUnixMicros(back)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  daemon.Kill(SIGTERM);

  auto all = AllNotifications(dir.sub("data"));
  ASSERT_GT(all.size(), before);
  std::multiset<std::string> got;
  int late = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& n = all[i];
    if (n.timer_id().empty()) continue;  // not a timer's (e.g. a signed audit checkpoint)
    got.insert(n.timer_id() + "|" + n.recipient());
    absl::Time due = absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(n.due()));
    if (i >= before) {
      EXPECT_GT(due, stop) << n.title();
      EXPECT_LE(due, back) << n.title();
      EXPECT_TRUE(n.late()) << n.title();
      late += n.late();
    } else {
      EXPECT_FALSE(n.late()) << n.title();
    }
  }
  EXPECT_GT(late, 0);
  EXPECT_EQ(got, ReferenceTimerIds(start, back, "tests/data/cadences-from-january.yaml"));  // each once, none lost
}

TEST(TimersE2ETest, AWatcherThatReconnectsWithItsCursorGetsEveryNotificationOnce) {
  TempDir dir;
  Daemon daemon(dir.sub("data"), {"--clock_start=" + Rfc3339(Beijing(2023, 1, 1))});
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  auto notes = v1::NotificationService::NewStub(daemon.channel());
  std::vector<uint64_t> seen;
  auto watch = [&](uint64_t after, size_t take) {
    grpc::ClientContext ctx;
    v1::WatchRequest req;
    req.set_recipient("市发改局");
    req.set_after_seq(after);
    auto reader = notes->Watch(&ctx, req);
    v1::Notification n;
    while (seen.size() < take && reader->Read(&n)) seen.push_back(n.seq());
    ctx.TryCancel();
    reader->Finish();
  };
  // Time moves in the background while the watcher comes and goes.
  std::thread clock([ch = daemon.ChannelAs("sysadmin")] {
    for (int month = 2; month <= 7; ++month) {
      v1::AdvanceClockResponse res;
      Advance(ch, Beijing(2023, month, 1), &res);
    }
  });
  watch(0, 10);
  watch(seen.back(), 25);
  watch(seen.back(), 40);
  clock.join();
  // And once more after everything was written, to the end.
  grpc::ClientContext lctx;
  v1::ListNotificationsRequest lreq;
  lreq.set_recipient("fgj");
  lreq.set_limit(1000);
  v1::ListNotificationsResponse all;
  ASSERT_TRUE(notes->ListNotifications(&lctx, lreq, &all).ok());
  watch(seen.back(), static_cast<size_t>(all.notifications_size()));
  ASSERT_EQ(seen.size(), static_cast<size_t>(all.notifications_size()));
  for (int i = 0; i < all.notifications_size(); ++i) EXPECT_EQ(seen[i], all.notifications(i).seq());

  // Acknowledged notifications are not sent again to a watcher without a cursor.
  grpc::ClientContext actx;
  v1::AckRequest ack;
  ack.set_recipient("fgj");
  ack.set_seq(seen[20]);
  v1::AckResponse ackres;
  ASSERT_TRUE(notes->Ack(&actx, ack, &ackres).ok());
  EXPECT_EQ(ackres.acked_seq(), seen[20]);
  std::vector<uint64_t> first_ids(seen.begin(), seen.end());
  seen.clear();
  watch(0, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], first_ids[21]);
}

TEST(TimersE2ETest, SigtermWhileTimersFireStopsCleanly) {
  TempDir dir;
  Daemon daemon(dir.sub("data"), {"--clock_start=" + Rfc3339(Beijing(2023, 1, 1)),
                                  "--cadences=" + std::string(DUBAN_SOURCE_DIR) + "/tests/data/cadences-from-january.yaml"});
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  grpc::Status advanced;
  std::thread advance([ch = daemon.ChannelAs("sysadmin"), &advanced] {
    v1::AdvanceClockResponse res;
    // Within the span one call may cover (kMaxAdvance).
    advanced = Advance(ch, Beijing(2024, 1, 1), &res);
  });
  for (int i = 0; i < 500 && ServerNow(daemon.channel()) < Beijing(2023, 1, 20); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  int status = daemon.Kill(SIGTERM);
  advance.join();
  ASSERT_TRUE(WIFEXITED(status)) << "duband did not exit normally";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(advanced.ok());  // cut short, not finished
  // What was committed before the stop is all there, and time resumes from it.
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  absl::Time resumed = ServerNow(daemon.channel());
  EXPECT_GT(resumed, Beijing(2023, 1, 1));
  EXPECT_LT(resumed, Beijing(2024, 1, 1));
  // No firing failed on the way: the dead-timer list is empty.
  auto admin = v1::AdminService::NewStub(daemon.ChannelAs("sysadmin"));  // the dead timers are its
  grpc::ClientContext ctx;
  v1::ListDeadTimersResponse dead;
  ASSERT_TRUE(admin->ListDeadTimers(&ctx, v1::ListDeadTimersRequest(), &dead).ok());
  EXPECT_EQ(dead.timers_size(), 0);
}

TEST(TimersE2ETest, WebhooksInTheConfigGetTheNotificationsInOrderThroughFailures) {
  TempDir dir;
  testing::Receiver receiver(/*fail_first=*/2);
  std::string config = dir.sub("duband.yaml");
  std::ofstream(config) << "webhooks:\n"
                        << "  - name: office-bot\n"
                        << "    url: http://127.0.0.1:" << receiver.port() << "/duban\n"
                        << "    recipients: [fgj]\n"
                        << "    backoff_initial: 20ms\n"
                        << "    backoff_max: 100ms\n";
  Daemon daemon(dir.sub("data"), {"--config=" + config, "--clock_start=" + Rfc3339(Beijing(2023, 1, 1)),
                                   "--cadences=" + std::string(DUBAN_SOURCE_DIR) + "/tests/data/cadences-from-january.yaml"});
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  v1::AdvanceClockResponse res;
  ASSERT_TRUE(Advance(daemon.ChannelAs("sysadmin"), Beijing(2023, 1, 10), &res).ok());
  auto notes = v1::NotificationService::NewStub(daemon.channel());
  grpc::ClientContext ctx;
  v1::ListNotificationsRequest req;
  req.set_recipient("fgj");
  req.set_limit(1000);
  v1::ListNotificationsResponse want;
  ASSERT_TRUE(notes->ListNotifications(&ctx, req, &want).ok());
  ASSERT_GT(want.notifications_size(), 3);
  // Every notification for 市发改局 arrives, in order; the first was retried
  // after the receiver's two failures.
  auto delivered = [&] {
    std::vector<std::string> seqs;
    for (const auto& r : receiver.requests()) {
      if (r.code == 200) seqs.push_back(r.seq);
    }
    return seqs;
  };
  ASSERT_TRUE(testing::WaitUntil([&] { return static_cast<int>(delivered().size()) >= want.notifications_size(); }))
      << delivered().size() << " of " << want.notifications_size();
  auto got = delivered();
  ASSERT_EQ(static_cast<int>(got.size()), want.notifications_size());
  for (int i = 0; i < want.notifications_size(); ++i) EXPECT_EQ(got[i], std::to_string(want.notifications(i).seq()));
  EXPECT_EQ(receiver.requests().front().code, 500);
}

TEST(TimersE2ETest, AdvanceClockIsRefusedOnTheRealClock) {
  TempDir dir;
  Daemon daemon(dir.sub("data"), {"--clock=real"});
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  v1::AdvanceClockResponse res;
  grpc::Status s = Advance(daemon.ChannelAs("sysadmin"), absl::Now() + absl::Hours(24), &res);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "clock")) << s.error_message();
}

TEST(TimersE2ETest, BadRuleFilesStopTheDaemonNamingFileLineAndReason) {
  TempDir dir;
  struct Case {
    std::string flag, file, text, want;
  };
  std::vector<Case> cases = {
      {"--cadences", "cad.yaml", "rules:\n  - id: x\n    name: y\n    recipient: 市发改局\n    reporters: {units: [市发改局]}\n    schedule: {kind: fortnightly}\n",
       "cad.yaml:6: rules[0].schedule.kind: unknown schedule 'fortnightly'"},
      {"--cadences", "cad2.yaml", "defaults:\n  due_time: \"25:00\"\nrules: []\n", "cad2.yaml:2: defaults.due_time"},
      {"--supervision", "sup.yaml", "levels: []\nsupervisors: [x]\n", "sup.yaml:1: levels: exactly three levels"},
      {"--calendar", "cal.yaml",
       "time_zone: Asia/Shanghai\nyears:\n  - year: 2023\n    holidays:\n      - {name: x, from: 2023-10-01, to: 2023-13-01}\n",
       "cal.yaml:5:"},
  };
  for (const auto& c : cases) {
    std::string path = dir.sub(c.file);
    std::ofstream(path) << c.text;
    std::vector<std::string> flags = {"--config=" + SourcePath("config/duband.yaml"), "--data_dir=" + dir.sub("db"),
                                      "--listen=127.0.0.1:0",
                                      "--calendar=" + SourcePath("config/calendar/cn-workdays.yaml"),
                                      "--cadences=" + SourcePath("config/cadences.yaml")};
    flags.push_back(c.flag + "=" + path);
    std::string out;
    int code = Daemon::RunToExit(flags, &out);
    EXPECT_EQ(code, 2) << out;
    EXPECT_TRUE(absl::StrContains(out, dir.sub(c.want))) << out;
  }
}

}  // namespace
}  // namespace duban
