// What duband does when its disk stops taking synced writes: the command
// being written is refused with UNAVAILABLE, duband stops by itself and
// exits with status 1 (after a failed sync only a fresh open knows what is
// on the disk, see engine/storage/store.h), and after a restart the refused
// command is there whole or not at all; the client's retry with the same
// request id then leaves it applied exactly once.
//
// The fault comes from tests/sync_fault_preload.cc, loaded into duband with
// LD_PRELOAD: fsync and fdatasync fail with EIO while a trigger file exists.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "duban/v1/duban.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using testing::BinaryPath;
using testing::Daemon;
using testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A task led by the water bureau (account "swj"), still waiting to be
// accepted.
std::string TaskOfSwj(v1::TaskService::Stub* tasks) {
  grpc::ClientContext ctx;
  v1::ListTasksRequest req;
  req.set_page_size(500);
  v1::ListTasksResponse res;
  grpc::Status s = tasks->ListTasks(&ctx, req, &res);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (const auto& t : res.tasks()) {
    if (t.lead_unit_ids_size() > 0 && t.lead_unit_ids(0) == "swj" && t.state() == v1::TASK_STATE_ASSIGNED) {
      return t.id();
    }
  }
  return "";
}

grpc::Status Report(v1::TaskService::Stub* tasks, const std::string& task_id, v1::CommandResponse* res) {
  grpc::ClientContext ctx;
  v1::ReportProgressRequest req;
  req.set_task_id(task_id);
  req.mutable_meta()->set_actor("swj");
  req.mutable_meta()->set_request_id("report-during-the-fault");
  req.mutable_report()->set_work_done("磁盘故障时的报送");
  return tasks->ReportProgress(&ctx, req, res);
}

TEST(DubandWriteFaultTest, AFailedSyncRefusesTheCommandAndDubandExitsWithStatusOne) {
  TempDir dir;
  const std::string trigger = dir.sub("fail-sync-now");
  Daemon daemon(dir.sub("data"));
  ::setenv("DUBAN_FAIL_SYNC_WHEN", trigger.c_str(), 1);
  ::setenv("LD_PRELOAD", BinaryPath("tests/libsync_fault_preload.so").c_str(), 1);
  const bool started = daemon.Start();
  ::unsetenv("LD_PRELOAD");  // only this duband: not the restart below
  ASSERT_TRUE(started) << daemon.log_path();

  auto tasks = v1::TaskService::NewStub(daemon.channel());
  const std::string id = TaskOfSwj(tasks.get());
  ASSERT_FALSE(id.empty());
  uint64_t accepted = 0;
  {
    grpc::ClientContext ctx;
    v1::TaskRef ref;
    ref.set_task_id(id);
    ref.mutable_meta()->set_actor("swj");
    v1::CommandResponse res;
    grpc::Status s = tasks->AcceptTask(&ctx, ref, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    accepted = res.task().version();
  }

  // The disk fails: the report is refused, naming the data dir.
  std::ofstream(trigger) << "fail\n";
  v1::CommandResponse refused;
  grpc::Status s = Report(tasks.get(), id, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_NE(s.error_message().find("data_dir"), std::string::npos) << s.error_message();

  // duband stops by itself, with status 1.
  int status = daemon.WaitForExit(std::chrono::seconds(120));
  ASSERT_NE(status, -1) << "duband still running after the failed sync; log: " << daemon.log_path();
  ASSERT_TRUE(WIFEXITED(status)) << "duband did not exit normally (wait status " << status << ")";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string log = ReadAll(daemon.log_path());
  EXPECT_NE(log.find("stopping"), std::string::npos) << log;

  // The disk is back; a fresh duband (without the fault library) serves.
  ::unlink(trigger.c_str());
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  tasks = v1::TaskService::NewStub(daemon.channel());
  uint64_t after_restart = 0;
  {
    grpc::ClientContext ctx;
    v1::GetTaskRequest req;
    req.set_task_id(id);
    v1::Task t;
    grpc::Status g = tasks->GetTask(&ctx, req, &t);
    ASSERT_TRUE(g.ok()) << g.error_message();
    after_restart = t.version();
    // The refused report is there whole or not at all.
    EXPECT_TRUE(after_restart == accepted || after_restart == accepted + 1) << after_restart;
    grpc::ClientContext hctx;
    v1::HistoryRequest hreq;
    hreq.set_task_id(id);
    v1::HistoryResponse h;
    ASSERT_TRUE(tasks->History(&hctx, hreq, &h).ok());
    EXPECT_EQ(h.events_size(), static_cast<int>(after_restart));
  }
  // The client retries with the same request id: applied exactly once.
  v1::CommandResponse retried;
  grpc::Status r = Report(tasks.get(), id, &retried);
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(retried.task().version(), accepted + 1);
  grpc::ClientContext hctx;
  v1::HistoryRequest hreq;
  hreq.set_task_id(id);
  v1::HistoryResponse h;
  ASSERT_TRUE(tasks->History(&hctx, hreq, &h).ok());
  ASSERT_EQ(h.events_size(), static_cast<int>(accepted + 1));
  EXPECT_EQ(h.events(h.events_size() - 1).report().work_done(), "磁盘故障时的报送");
}

}  // namespace
}  // namespace duban
