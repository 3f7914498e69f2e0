// The work calendar past its last year, through duband: started with a
// calendar that ends in 2023 on 2 November 2023, it warns in its log and
// notifies the administrator (kind CALENDAR_MISSING) that 2024 has no
// entry, and counts working days in 2024 on weekdays. Restarted with 2024
// added, it moves the task warning checks that were counted that way.
#include <signal.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "duban/v1/duban.grpc.pb.h"
#include "engine/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::CountInFile;
using ::duban::testing::ReadFile;

using testing::Daemon;
using testing::SourcePath;
using testing::TempDir;

class CalendarRestartE2ETest : public ::testing::Test {
 protected:
  void Start(const std::string& calendar) {
    std::vector<std::string> flags{"--calendar=" + calendar, "--clock_start=2023-11-02T08:00:00+08:00"};
    // One Daemon across restarts: it knows the administrators' changed passwords.
    if (!daemon_) {
      daemon_ = std::make_unique<Daemon>(dir_.sub("data"), flags);
    } else {
      daemon_->set_extra(flags);
    }
    ASSERT_TRUE(daemon_->Start()) << ReadFile(daemon_->log_path());
    tasks_ = v1::TaskService::NewStub(daemon_->channel());
    // The admin notices and the clock are the system administrator's.
    notes_ = v1::NotificationService::NewStub(daemon_->ChannelAs("sysadmin"));
    admin_ = v1::AdminService::NewStub(daemon_->ChannelAs("sysadmin"));
  }
  void TearDown() override {
    if (daemon_) daemon_->Kill(SIGTERM);
  }

  v1::Task GetTask(const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetTaskRequest req;
    req.set_task_id(id);
    v1::Task t;
    grpc::Status s = tasks_->GetTask(&ctx, req, &t);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return t;
  }

  void AdvanceTo(const std::string& rfc3339) {
    absl::Time to;
    std::string err;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &to, &err)) << err;
    grpc::ClientContext ctx;
    v1::AdvanceClockRequest req;
    *req.mutable_to() = Ts(to);
    v1::AdvanceClockResponse resp;
    grpc::Status s = admin_->AdvanceClock(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::TaskService::Stub> tasks_;
  std::unique_ptr<v1::NotificationService::Stub> notes_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(CalendarRestartE2ETest, AYearAddedOnRestartMovesWarningChecksCountedOnWeekdays) {
  // The repository's calendar, cut after 2023.
  const std::string full = ReadFile(SourcePath("config/calendar/cn-workdays.yaml"));
  const size_t cut = full.find("  - year: 2024");
  ASSERT_NE(cut, std::string::npos);
  const std::string until_2023 = dir_.sub("until-2023.yaml");
  {
    std::ofstream out(until_2023);
    out << full.substr(0, cut);
  }
  Start(until_2023);

  // From 1 November the coming year is warned about, in the log and to the
  // administrator.
  const std::string warning = "has no entry for 2024";
  EXPECT_EQ(CountInFile(daemon_->log_path(), warning), 1) << ReadFile(daemon_->log_path());
  {
    grpc::ClientContext ctx;
    v1::ListNotificationsRequest req;
    req.set_recipient("admin");
    req.set_limit(1000);
    v1::ListNotificationsResponse resp;
    ASSERT_TRUE(notes_->ListNotifications(&ctx, req, &resp).ok());
    int calendar_notes = 0;
    for (const auto& n : resp.notifications()) {
      if (n.kind() != v1::NOTIFICATION_KIND_CALENDAR_MISSING) continue;
      ++calendar_notes;
      EXPECT_EQ(n.subject_id(), "calendar:2024");
      EXPECT_EQ(n.title(), "2024年工作日历未配置");
    }
    EXPECT_EQ(calendar_notes, 1);
  }

  // A task due Wednesday 3 January 2024, yellow 3 working days before:
  // without 2024, Monday 1 January counts (2 Jan, 1 Jan, 29 Dec), so its
  // check is set for 29 December.
  std::string id;
  {
    grpc::ClientContext ctx;
    v1::CreateTaskRequest req;
    req.mutable_meta()->set_actor("office");
    req.set_campaign_id("economy");
    req.set_code("9.9.1");
    req.set_title("新增督办事项");
    req.set_text("按期完成");
    req.add_lead_units("市发改局");
    req.add_responsible_units("市科技局");
    req.set_due_date("2024-01-03");
    v1::CommandResponse resp;
    grpc::Status s = tasks_->CreateTask(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    id = resp.task().id();
  }
  {
    grpc::ClientContext ctx;
    v1::TaskRef req;
    req.mutable_meta()->set_actor("office");
    req.set_task_id(id);
    v1::CommandResponse resp;
    grpc::Status s = tasks_->AssignTask(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Restart with 2024 (元旦 on 1 January): the check moves to 28 December,
  // and the log says so; 2024 is no longer warned about.
  daemon_->Kill(SIGTERM);
  Start(SourcePath("config/calendar/cn-workdays.yaml"));
  EXPECT_EQ(CountInFile(daemon_->log_path(),
                       absl::StrCat("warning check moved (work calendar): ", id,
                                    " (due 2024-01-03) yellow check 2023-12-29 09:00 → 2023-12-28 09:00")),
            1)
      << ReadFile(daemon_->log_path());
  EXPECT_EQ(CountInFile(daemon_->log_path(), warning), 1);

  // On 28 December the task is yellow.
  AdvanceTo("2023-12-28T10:00:00+08:00");
  EXPECT_EQ(GetTask(id).warning_level(), v1::WARNING_LEVEL_YELLOW);
}

}  // namespace
}  // namespace duban
