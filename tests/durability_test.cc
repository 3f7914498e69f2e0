// Acknowledged commands survive SIGKILL: every command duband answered OK is
// found after a restart, and nothing else is.
#include <signal.h>

#include <map>
#include <set>
#include <vector>

#include "duban/v1/duban.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using testing::Daemon;
using testing::TempDir;

TEST(DurabilityTest, AcknowledgedCommandsSurviveSigkill) {
  TempDir dir;
  Daemon daemon(dir.sub("data"));
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  auto tasks = v1::TaskService::NewStub(daemon.channel());

  // 40 tasks led by units with a contact account (tests/data/accounts.yaml),
  // each accepted (and every other one reported on) by that contact.
  std::vector<std::pair<std::string, std::string>> work;  // task id, lead unit id
  {
    const std::set<std::string> contacts = {"swj", "fgj", "yjj", "wjj", "zjj", "kjj", "gxj"};
    grpc::ClientContext ctx;
    v1::ListTasksRequest req;
    req.set_page_size(500);
    v1::ListTasksResponse res;
    ASSERT_TRUE(tasks->ListTasks(&ctx, req, &res).ok());
    for (const auto& t : res.tasks()) {
      if (t.lead_unit_ids_size() > 0 && contacts.count(t.lead_unit_ids(0)) && work.size() < 40) {
        work.emplace_back(t.id(), t.lead_unit_ids(0));
      }
    }
    ASSERT_EQ(work.size(), 40u);
  }
  // task id -> version acknowledged last
  std::map<std::string, uint64_t> acked;
  std::string created_id;
  std::string reported_twice;  // a task reported with request id report-<id>, retried after the crash
  std::string reporter;
  for (int i = 1; i <= 40; ++i) {
    const auto& [id, lead] = work[i - 1];
    grpc::ClientContext c1;
    v1::TaskRef ref;
    ref.set_task_id(id);
    ref.mutable_meta()->set_actor(lead);
    v1::CommandResponse res;
    ASSERT_TRUE(tasks->AcceptTask(&c1, ref, &res).ok());
    acked[id] = res.task().version();
    if (i % 2 == 0) {
      grpc::ClientContext c2;
      v1::ReportProgressRequest rep;
      rep.set_task_id(id);
      rep.mutable_meta()->set_actor(lead);
      if (reported_twice.empty()) {
        reported_twice = id;
        reporter = lead;
      }
      rep.mutable_meta()->set_request_id("report-" + id);
      rep.mutable_report()->set_work_done("第" + std::to_string(i) + "次报送");
      ASSERT_TRUE(tasks->ReportProgress(&c2, rep, &res).ok());
      acked[id] = res.task().version();
    }
  }
  {
    grpc::ClientContext ctx;
    v1::CreateTaskRequest req;
    req.mutable_meta()->set_actor("office");
    req.set_campaign_id("safety");
    req.set_code("5.9.1");
    req.set_title("汛期隐患排查回头看");
    req.add_lead_units("市应急管理局");
    req.set_due_date("2023-08-31");
    v1::CommandResponse res;
    ASSERT_TRUE(tasks->CreateTask(&ctx, req, &res).ok());
    created_id = res.task().id();
    acked[created_id] = res.task().version();
  }

  daemon.Kill(SIGKILL);
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  tasks = v1::TaskService::NewStub(daemon.channel());
  for (const auto& [id, version] : acked) {
    grpc::ClientContext ctx;
    v1::GetTaskRequest req;
    req.set_task_id(id);
    v1::Task t;
    ASSERT_TRUE(tasks->GetTask(&ctx, req, &t).ok()) << id;
    EXPECT_EQ(t.version(), version) << id;
    grpc::ClientContext hctx;
    v1::HistoryRequest hreq;
    hreq.set_task_id(id);
    v1::HistoryResponse h;
    ASSERT_TRUE(tasks->History(&hctx, hreq, &h).ok());
    EXPECT_EQ(h.events_size(), static_cast<int>(version)) << id;
  }
  // A retried request after the crash returns the first result, writes nothing.
  grpc::ClientContext ctx;
  v1::ReportProgressRequest rep;
  rep.set_task_id(reported_twice);
  rep.mutable_meta()->set_actor(reporter);
  rep.mutable_meta()->set_request_id("report-" + reported_twice);
  rep.mutable_report()->set_work_done("第2次报送");
  v1::CommandResponse res;
  ASSERT_TRUE(tasks->ReportProgress(&ctx, rep, &res).ok());
  EXPECT_TRUE(res.replayed());
  EXPECT_EQ(res.task().version(), acked[reported_twice]);
  // The demo plan is not loaded a second time, and new ids continue.
  grpc::ClientContext cctx;
  v1::CreateTaskRequest req;
  req.mutable_meta()->set_actor("office");
  req.set_campaign_id("safety");
  req.set_code("5.9.2");
  req.set_title("第二项");
  req.add_lead_units("应急管理局");
  req.set_due_date("2023-09-30");
  ASSERT_TRUE(tasks->CreateTask(&cctx, req, &res).ok());
  EXPECT_NE(res.task().id(), created_id);
  EXPECT_EQ(res.task().id(), "T172");
}

}  // namespace
}  // namespace duban
