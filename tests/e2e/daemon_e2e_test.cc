// End to end: duband on a loopback port, driven through the generated C++
// client, including health, reflection-free discovery and error codes.
#include <signal.h>
#include <sys/wait.h>

#include <set>

#include "duban/v1/duban.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using testing::Daemon;
using testing::TempDir;

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"));
    ASSERT_TRUE(daemon_->Start()) << "duband did not start; see " << daemon_->log_path();
    tasks_ = v1::TaskService::NewStub(daemon_->channel());
    plans_ = v1::PlanService::NewStub(daemon_->channel());
    org_ = v1::OrgService::NewStub(daemon_->channel());
  }

  v1::CommandMeta Meta(const std::string& actor, uint64_t version = 0) {
    v1::CommandMeta m;
    m.set_actor(actor);
    m.set_expected_version(version);
    return m;
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::TaskService::Stub> tasks_;
  std::unique_ptr<v1::PlanService::Stub> plans_;
  std::unique_ptr<v1::OrgService::Stub> org_;
};

TEST_F(IntegrationTest, ServesHealthAndTheDemoPlan) {
  auto health = grpc::health::v1::Health::NewStub(daemon_->channel());
  grpc::health::v1::HealthCheckRequest hreq;
  grpc::health::v1::HealthCheckResponse hres;
  grpc::ClientContext hctx;
  ASSERT_TRUE(health->Check(&hctx, hreq, &hres).ok());
  EXPECT_EQ(hres.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  grpc::ClientContext ctx;
  v1::ListCampaignsRequest req;
  v1::ListCampaignsResponse res;
  ASSERT_TRUE(plans_->ListCampaigns(&ctx, req, &res).ok());
  ASSERT_EQ(res.campaigns_size(), 6);
  EXPECT_EQ(res.campaigns(0).name(), "打好经济增长主动仗");
  int total = 0;
  for (const auto& c : res.campaigns()) total += c.task_count();
  EXPECT_EQ(total, 170);
}

TEST_F(IntegrationTest, ReflectionListsTheServices) {
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(daemon_->channel());
  grpc::ClientContext ctx;
  auto stream = reflection->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  grpc::reflection::v1alpha::ServerReflectionResponse res;
  ASSERT_TRUE(stream->Read(&res));
  std::set<std::string> names;
  for (const auto& s : res.list_services_response().service()) names.insert(s.name());
  for (const char* want : {"duban.v1.TaskService", "duban.v1.OrgService", "duban.v1.PlanService",
                           "duban.v1.ReportService", "duban.v1.NotificationService", "duban.v1.SupervisionService",
                           "duban.v1.AdminService", "grpc.health.v1.Health"}) {
    EXPECT_TRUE(names.count(want)) << want;
  }
  // And a service's file can be fetched by symbol, as grpcurl does.
  grpc::reflection::v1alpha::ServerReflectionRequest file;
  file.set_file_containing_symbol("duban.v1.TaskService");
  ASSERT_TRUE(stream->Write(file));
  ASSERT_TRUE(stream->Read(&res));
  EXPECT_GT(res.file_descriptor_response().file_descriptor_proto_size(), 0);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(IntegrationTest, DrivesATaskFromAssignedToArchivedWithAReturn) {
  auto call = [&](auto method, const auto& req) {
    grpc::ClientContext ctx;
    v1::CommandResponse res;
    grpc::Status s = (tasks_.get()->*method)(&ctx, req, &res);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return res;
  };
  v1::TaskRef ref;
  ref.set_task_id("T1");
  *ref.mutable_meta() = Meta("市商务局");
  EXPECT_EQ(call(&v1::TaskService::Stub::AcceptTask, ref).task().state(), v1::TASK_STATE_ACCEPTED);

  v1::ReportProgressRequest rep;
  rep.set_task_id("T1");
  *rep.mutable_meta() = Meta("市商务局");
  rep.mutable_report()->set_work_done("举办汽车消费节两场");
  rep.mutable_report()->set_progress("新能源汽车销售额同比增长22%");
  auto* iv = rep.mutable_report()->add_indicator_values();
  iv->set_indicator("新能源汽车销售额增长");
  iv->set_value(22);
  iv->set_unit_of_measure("%");
  EXPECT_EQ(call(&v1::TaskService::Stub::ReportProgress, rep).task().state(), v1::TASK_STATE_IN_PROGRESS);
  *ref.mutable_meta() = Meta("市商务局");
  EXPECT_EQ(call(&v1::TaskService::Stub::RequestCompletion, ref).task().state(),
            v1::TASK_STATE_COMPLETION_REQUESTED);

  v1::ReviewRequest review;
  review.set_task_id("T1");
  *review.mutable_meta() = Meta("领导小组办公室");
  review.set_decision(v1::REVIEW_DECISION_RETURN);
  review.set_reason("缺少汽车下乡活动的成效数据");
  EXPECT_EQ(call(&v1::TaskService::Stub::ReviewCompletion, review).task().state(), v1::TASK_STATE_IN_PROGRESS);

  rep.mutable_report()->set_work_done("补充汽车下乡活动三场的成效数据");
  EXPECT_EQ(call(&v1::TaskService::Stub::ReportProgress, rep).task().state(), v1::TASK_STATE_IN_PROGRESS);
  EXPECT_EQ(call(&v1::TaskService::Stub::RequestCompletion, ref).task().state(),
            v1::TASK_STATE_COMPLETION_REQUESTED);
  review.set_decision(v1::REVIEW_DECISION_APPROVE);
  review.clear_reason();
  // config/duband.yaml asks for two review steps: the office, then the leader.
  EXPECT_EQ(call(&v1::TaskService::Stub::ReviewCompletion, review).task().state(),
            v1::TASK_STATE_COMPLETION_LEADER_REVIEW);
  *review.mutable_meta() = Meta("李磊");
  auto done = call(&v1::TaskService::Stub::ReviewCompletion, review);
  EXPECT_EQ(done.task().state(), v1::TASK_STATE_COMPLETED);
  *ref.mutable_meta() = Meta("领导小组办公室");
  EXPECT_EQ(call(&v1::TaskService::Stub::ArchiveTask, ref).task().state(), v1::TASK_STATE_ARCHIVED);

  grpc::ClientContext ctx;
  v1::HistoryRequest hreq;
  hreq.set_task_id("T1");
  v1::HistoryResponse hres;
  ASSERT_TRUE(tasks_->History(&ctx, hreq, &hres).ok());
  // create, assign (import) + accept, report, request, return, report,
  // request, approve, approve, archive.
  ASSERT_EQ(hres.events_size(), 11);
  for (int i = 0; i < hres.events_size(); ++i) EXPECT_EQ(hres.events(i).version(), static_cast<uint64_t>(i + 1));
  EXPECT_EQ(hres.events(5).command(), v1::TASK_COMMAND_RETURN_COMPLETION);
  EXPECT_EQ(hres.events(5).reason(), "缺少汽车下乡活动的成效数据");
  EXPECT_EQ(hres.events(3).report().indicator_values(0).value(), 22);
}

TEST_F(IntegrationTest, MapsErrorsToCanonicalCodesNamingTheField) {
  struct Case {
    v1::TaskRef req;
    grpc::StatusCode code;
    std::string field;
  };
  v1::TaskRef unknown;
  unknown.set_task_id("T99999");
  // T2 (1.1.2) is led by 市住建局.
  *unknown.mutable_meta() = Meta("市住建局");
  v1::TaskRef bad_id;
  bad_id.set_task_id("task-1");
  *bad_id.mutable_meta() = Meta("市住建局");
  v1::TaskRef wrong_state;
  wrong_state.set_task_id("T2");
  *wrong_state.mutable_meta() = Meta("市住建局");
  v1::TaskRef stale;
  stale.set_task_id("T2");
  *stale.mutable_meta() = Meta("市住建局", 7);
  for (const auto& c : std::vector<Case>{{unknown, grpc::StatusCode::NOT_FOUND, "task_id"},
                                         {bad_id, grpc::StatusCode::INVALID_ARGUMENT, "task_id"},
                                         {stale, grpc::StatusCode::ABORTED, "meta.expected_version"},
                                         {wrong_state, grpc::StatusCode::FAILED_PRECONDITION, "assigned"}}) {
    grpc::ClientContext ctx;
    v1::CommandResponse res;
    grpc::Status s = c.req.task_id() == "T2" && c.code == grpc::StatusCode::FAILED_PRECONDITION
                         ? tasks_->RequestCompletion(&ctx, c.req, &res)
                         : tasks_->AcceptTask(&ctx, c.req, &res);
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    EXPECT_NE(s.error_message().find(c.field), std::string::npos) << s.error_message();
  }
  grpc::ClientContext ctx;
  v1::ReviewRequest review;
  review.set_task_id("T1");
  *review.mutable_meta() = Meta("office");
  review.set_decision(static_cast<v1::ReviewDecision>(42));
  v1::CommandResponse res;
  grpc::Status s = tasks_->ReviewCompletion(&ctx, review, &res);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("decision"), std::string::npos);
}

TEST_F(IntegrationTest, ActorIsTheAuthenticatedAccount) {
  auto as_unit = v1::TaskService::NewStub(daemon_->ChannelAs("市住建局"));
  // Naming another account is refused; the old x-duban-actor metadata is ignored.
  {
    grpc::ClientContext ctx;
    v1::TaskRef ref;
    ref.set_task_id("T2");
    *ref.mutable_meta() = Meta("office");
    v1::CommandResponse res;
    grpc::Status s = as_unit->AcceptTask(&ctx, ref, &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(s.error_message().find("meta.actor"), std::string::npos) << s.error_message();
  }
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-duban-actor", "office-1");
  v1::TaskRef ref;
  ref.set_task_id("T2");
  v1::CommandResponse res;
  grpc::Status s = as_unit->AcceptTask(&ctx, ref, &res);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(res.events(0).actor(), "市住建局");
  // Without a credential nothing is served.
  auto anonymous = v1::TaskService::NewStub(daemon_->AnonymousChannel());
  grpc::ClientContext actx;
  v1::GetTaskRequest get;
  get.set_task_id("T2");
  v1::Task t;
  EXPECT_EQ(anonymous->GetTask(&actx, get, &t).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IntegrationTest, StopsCleanlyOnSigterm) {
  tasks_.reset();
  plans_.reset();
  org_.reset();
  int status = daemon_->Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace duban
