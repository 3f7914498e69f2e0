// Role x RPC x object: every role of duban, and an anonymous caller,
// against every RPC of every service, on the objects of the two sides of
// the test plan:
//   A: task T1 (economy campaign, led by 市商务局), its supervision item, an
//      accountability case of 市商务局, and an obligation of another unit;
//   B: a safety-campaign task led by 市住建局, its item, a case of 市住建局,
//      and an obligation of 市住建局.
// The expected answer of each cell is written out below, from the rules of
// the README's role table; it is not computed from the server's table.
//   .  allowed: anything but UNAUTHENTICATED / PERMISSION_DENIED (and, on a
//      row about a stored object, NOT_FOUND); the requests are built so that
//      an allowed command fails its own validation and changes nothing
//   U  UNAUTHENTICATED    D  PERMISSION_DENIED    N  NOT_FOUND (the object is hidden)
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "duban/v1/audit_service.grpc.pb.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "duban/v1/office.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/rpc_method.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using testing::Daemon;
using testing::DeadlineIn;
using testing::TempDir;

// The columns: "" is the anonymous caller. Roles as tests/data/accounts.yaml
// grants them (sysadmin, secadmin, auditadmin are the bootstrap administrators).
const std::vector<std::string>& Accounts() {
  static const auto* v = new std::vector<std::string>{
      "",          // anonymous
      "sysadmin",  // system_admin
      "secadmin",  // security_admin
      "auditadmin",     // audit_admin
      "office",         // leading_group_office, unit 市发改局
      "tf-safety",      // task_force_office:safety, unit 市应急管理局
      "市安委办",       // safety_office, unit 市安委办
      "supervisor",     // supervisor, unit 市政府督查室
      "leader-safety",  // leader:safety
      "市商务局",       // unit_contact of side A
      "市住建局",       // unit_contact of side B
      "auditor",        // auditor (read-only)
  };
  return *v;
}

struct Row {
  const char* method;    // service/method under duban.v1
  const char* request;   // text format; $T task, $O obligation, $S item, $C case, $U unit, $K campaign
  bool object;           // about a stored object: NOT_FOUND there means hidden
  const char* expected;  // 12 pairs (A B), in the order of Accounts()
};

// A command on a stored object that passes the permission check is
// stopped by this stale version before it changes anything.
#define STALE "meta { expected_version: 999999 } "

const std::vector<Row>& Rows() {
  static const auto* rows = new std::vector<Row>{
      //                                                         anon sys sec aud ofc tf  saf sup ldr swj zjj adt
      {"AuthService/Login", "account_id: 'nobody' password: 'x'", false, "UU UU UU UU UU UU UU UU UU UU UU UU"},
      {"AuthService/WhoAmI", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"AuthService/ChangePassword", "old_password: 'x' new_password: 'short'", false,
       "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"AuthService/EnrolTotp", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"AuthService/ConfirmTotp", "code: '000000'", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"AuthService/CreateAccount", "id: 'new-one' initial_password: 'short'", false,
       "UU .. DD DD DD DD DD DD DD DD DD DD"},
      {"AuthService/SetAccountDisabled", "account_id: 'nobody' disabled: true", false,
       "UU .. DD DD DD DD DD DD DD DD DD DD"},
      {"AuthService/ResetPassword", "account_id: 'nobody' new_password: 'short'", false,
       "UU .. DD DD DD DD DD DD DD DD DD DD"},
      {"AuthService/GrantRole", "account_id: 'nobody' grant { role: 'bogus' }", false,
       "UU DD .. DD DD DD DD DD DD DD DD DD"},
      {"AuthService/RevokeRole", "account_id: 'nobody' role: 'leader'", false, "UU DD .. DD DD DD DD DD DD DD DD DD"},
      {"AuthService/ListAccounts", "", false, "UU .. .. .. DD DD DD DD DD DD DD DD"},

      {"OrgService/ListUnits", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"OrgService/ResolveUnit", "name: '$U'", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"OrgService/ListPeople", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"OrgService/GetLeadingGroup", "plan_id: 'ningxiang-2023-six-battles'", false,
       "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"OrgService/ListTaskForces", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      // Why: anyone imported a plan.
      {"PlanService/ImportPlan", "yaml: 'x: ['", false, "UU .. DD DD DD DD DD DD DD DD DD DD"},
      {"PlanService/ListPlans", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"PlanService/GetPlan", "plan_id: 'ningxiang-2023-six-battles'", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"PlanService/ListCampaigns", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"PlanService/GetCampaign", "campaign_id: '$K'", false, "UU .. .. .. .. .. .. .. .. .. .. .."},

      {"TaskService/CreateTask", "meta {} campaign_id: '$K' code: 'x' title: 'x' due_date: 'bad'", false,
       "UU DD DD DD .. D. DD DD DD DD DD DD"},
      {"TaskService/AssignTask", STALE "task_id: '$T'", true, "UU NN NN NN .. N. NN DD ND DN ND DD"},
      {"TaskService/TransferTask", STALE "task_id: '$T' lead_units: '市科技局'", true,
       "UU NN NN NN .. N. NN DD ND DN ND DD"},
      {"TaskService/SuspendTask", STALE "task_id: '$T' reason: 'x'", true, "UU NN NN NN .. N. NN DD ND DN ND DD"},
      {"TaskService/ResumeTask", STALE "task_id: '$T'", true, "UU NN NN NN .. N. NN DD ND DN ND DD"},
      // Why: an unrelated unit cancelled another unit's task.
      {"TaskService/CancelTask", STALE "task_id: '$T' reason: 'x'", true, "UU NN NN NN .. N. NN DD ND DN ND DD"},
      {"TaskService/ArchiveTask", STALE "task_id: '$T'", true, "UU NN NN NN .. N. NN DD ND DN ND DD"},
      {"TaskService/AcceptTask", STALE "task_id: '$T'", true, "UU NN NN NN DD ND NN DD ND .N N. DD"},
      {"TaskService/SendBackTask", STALE "task_id: '$T' reason: 'x'", true, "UU NN NN NN DD ND NN DD ND .N N. DD"},
      {"TaskService/RequestCompletion", STALE "task_id: '$T'", true, "UU NN NN NN DD ND NN DD ND .N N. DD"},
      {"TaskService/RequestExtension", STALE "task_id: '$T' new_due_date: '2023-12-31' reason: 'x'", true,
       "UU NN NN NN DD ND NN DD ND .N N. DD"},
      {"TaskService/ReportProgress", STALE "task_id: '$T' report { work_done: 'x' }", true,
       "UU NN NN NN DD ND NN DD ND .N N. DD"},
      // Why: a lead unit approved its own completion at both review steps.
      {"TaskService/ReviewCompletion", STALE "task_id: '$T' decision: REVIEW_DECISION_APPROVE", true,
       "UU NN NN NN .. N. NN DD N. DN ND DD"},
      {"TaskService/DecideExtension", STALE "task_id: '$T' decision: REVIEW_DECISION_APPROVE", true,
       "UU NN NN NN .. N. NN DD N. DN ND DD"},
      {"TaskService/GetTask", "task_id: '$T'", true, "UU NN NN NN .. N. NN .. N. .N N. .."},
      {"TaskService/History", "task_id: '$T'", true, "UU NN NN NN .. N. NN .. N. .N N. .."},
      {"TaskService/ListTasks", "unit: '$U'", false, "UU DD DD DD .. .. DD .. .. .D D. .."},

      {"ReportService/ListObligations", "unit: '$U'", false, "UU DD DD DD .. .. DD .. .. .D D. .."},
      {"ReportService/GetObligation", "obligation_id: '$O'", true, "UU NN NN NN .. .. .. .. .. NN N. .."},
      {"ReportService/ObligationHistory", "obligation_id: '$O'", true, "UU NN NN NN .. .. .. .. .. NN N. .."},
      {"ReportService/SubmitReport", STALE "obligation_id: '$O' text: 'x'", true,
       "UU NN NN NN DD DD DD DD DD NN N. DD"},
      {"ReportService/ReviewReport", STALE "obligation_id: '$O' decision: REVIEW_DECISION_APPROVE", true,
       "UU NN NN NN .. .. DD DD DD NN ND DD"},
      {"ReportService/GetUnitScore", "unit: '$U'", false, "UU DD DD DD .. .. DD .. .. .D D. .."},
      {"ReportService/ListUnitScores", "", false, "UU DD DD DD .. .. DD .. .. DD DD .."},

      {"NotificationService/ListNotifications", "recipient: '$U'", false, "UU DD DD DD .. DD DD DD DD .D D. DD"},
      // Why: anyone acknowledged another unit's notifications.
      {"NotificationService/Ack", "recipient: '$U'", false, "UU DD DD DD DD DD DD DD DD .D D. DD"},
      {"NotificationService/Watch", "recipient: '$U'", false, "UU DD DD DD .. DD DD DD DD .D D. DD"},

      {"SupervisionService/ListForSupervision", "meta {} level: 9", false, "UU DD DD DD DD DD DD .. DD DD DD DD"},
      // Why: a caller named itself supervisor and escalated.
      {"SupervisionService/Escalate", "meta {} item_id: 'S999999' reason: 'x'", false,
       "UU DD DD DD DD DD DD .. DD DD DD DD"},
      {"SupervisionService/Escalate", "meta { actor: 'supervisor' } item_id: 'S999999' reason: 'x'", false,
       "UU DD DD DD DD DD DD .. DD DD DD DD"},
      {"SupervisionService/Step", STALE "item_id: '$S' action: SUPERVISION_ACTION_START_RECTIFICATION", true,
       "UU NN NN NN DD DD NN DD DD .N N. DD"},
      {"SupervisionService/Step", STALE "item_id: '$S' action: SUPERVISION_ACTION_VERIFY", true,
       "UU NN NN NN DD DD NN .. DD DN ND DD"},
      {"SupervisionService/GetSupervision", "item_id: '$S'", true, "UU NN NN NN .. .. NN .. .. .N N. .."},
      {"SupervisionService/History", "item_id: '$S'", true, "UU NN NN NN .. .. NN .. .. .N N. .."},
      {"SupervisionService/ListSupervision", "unit: '$U'", false, "UU DD DD DD .. .. DD .. .. .D D. .."},

      // Why: the last-placed unit replaced the published ranking.
      {"RankingService/EnterRanking", "meta {} board: 'enforcement' period: '2099-01' replace: true", false,
       "UU DD DD DD DD DD .. DD DD DD DD DD"},
      {"RankingService/ComputeScorecard", "meta {} period: '2099-01'", false, "UU DD DD DD .. DD DD DD DD DD DD DD"},
      {"RankingService/GetRanking", "board: 'enforcement' period: '2023-01'", false,
       "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"RankingService/ListRankings", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},

      // Why: an anonymous caller reported a fatal accident.
      {"AccountabilityService/ReportIncident", "meta {} unit: '$U' date: '2023-03-18' kind: 'meteor' deaths: 1",
       false, "UU DD DD DD DD DD .. DD DD DD DD DD"},
      {"AccountabilityService/RecordNoticeProblem", "meta {} unit: '$U' month: 'bad' problem: 'x'", false,
       "UU DD DD DD .. DD .. DD DD DD DD DD"},
      // Why: the interviewed unit held, followed up and closed its own case.
      {"AccountabilityService/Hold", STALE "case_id: '$C' minutes: 'x' commitments: 'y'", true,
       "UU NN NN NN .. NN .. .. .. DN ND DD"},
      {"AccountabilityService/FollowUp", STALE "case_id: '$C' follow_up: 'x'", true,
       "UU NN NN NN .. NN .. .. .. DN ND DD"},
      {"AccountabilityService/Close", STALE "case_id: '$C'", true, "UU NN NN NN .. NN .. .. .. DN ND DD"},
      {"AccountabilityService/GetCase", "case_id: '$C'", true, "UU NN NN NN .. NN .. .. .. .N N. .."},
      {"AccountabilityService/CaseHistory", "case_id: '$C'", true, "UU NN NN NN .. NN .. .. .. .N N. .."},
      {"AccountabilityService/ListCases", "unit: '$U'", false, "UU DD DD DD .. DD .. .. .. .D D. .."},

      {"AssessmentService/ReportFigures", "meta {} figures { assessment_id: 'none' unit: '$U' }", false,
       "UU DD DD DD .. DD .. DD DD .D D. DD"},
      {"AssessmentService/Evaluate", "assessment_id: 'none' unit: '$U'", false, "UU DD DD DD .. DD .. .. .. .D D. .."},
      {"AssessmentService/EvaluateAll", "assessment_id: 'none'", false, "UU DD DD DD .. DD .. .. .. DD DD .."},

      {"BulletinService/MonthlyBulletin", "period: '2023-02'", false, "UU .. .. .. .. .. .. .. .. .. .. .."},

      {"ExportService/ExportLedger", "kind: LEDGER_KIND_TASKS format: FILE_FORMAT_CSV unit: '$U'", false,
       "UU DD DD DD .. .. DD .. .. .D D. .."},
      {"BriefingService/GetBriefing", "briefing_id: 'none'", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"BriefingService/ListBriefings", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      {"BriefingService/EditBriefing", "meta {} briefing_id: 'none' title: 'x'", false,
       "UU DD DD DD .. DD DD DD DD DD DD DD"},
      {"BriefingService/PublishBriefing", "meta {} briefing_id: 'none'", false, "UU DD DD DD .. DD DD DD DD DD DD DD"},

      {"AdminService/ServerInfo", "", false, "UU .. .. .. .. .. .. .. .. .. .. .."},
      // Why: anyone advanced the simulated clock.
      {"AdminService/AdvanceClock", "by: '-1h'", false, "UU .. DD DD DD DD DD DD DD DD DD DD"},
      // Rereads the rule files as they are (nothing changes).
      {"AdminService/ReloadRules", "", false, "UU .. DD DD DD DD DD DD DD DD DD DD"},
      // Timers that failed past their retries: the system administrator's.
      {"AdminService/ListDeadTimers", "", false, "UU .. DD DD DD DD DD DD DD DD DD DD"},

      // The audit trail is its administrator's; the head also the auditors'.
      {"AuditService/ListAuditEntries", "", false, "UU DD DD .. DD DD DD DD DD DD DD DD"},
      {"AuditService/ExportAudit", "filter { subject: 'task:none' }", false, "UU DD DD .. DD DD DD DD DD DD DD DD"},
      {"AuditService/ListAuditCheckpoints", "", false, "UU DD DD .. DD DD DD DD DD DD DD DD"},
      {"AuditService/PruneAudit", "before { seconds: 1 }", false, "UU DD DD .. DD DD DD DD DD DD DD DD"},
      {"AuditService/GetAuditHead", "", false, "UU DD DD .. DD DD DD DD DD DD DD .."},

      // Evidence: uploaded by those who report and review; a list shows only
      // what is attached to tasks the caller sees (a foreign task: D).
      {"EvidenceService/Upload", "header { file_name: 'x.txt' }", false, "UU DD DD DD .. .. .. .. DD .. .. DD"},
      {"EvidenceService/Download", "sha256: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'", false,
       "UU DD DD DD .. .. .. .. .. .. .. .."},
      {"EvidenceService/ListEvidence", "task_id: '$T'", false, "UU DD DD DD .. D. DD .. D. .D D. .."},

      // Last: it ends the sessions, so each account's second call (side B)
      // carries a revoked token.
      {"AuthService/Logout", "", false, "UU .U .U .U .U .U .U .U .U .U .U .U"},
  };
  return *rows;
}

class AuthMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"));
    ASSERT_TRUE(daemon_->Start()) << daemon_->log_path();
  }

  // The objects of sides A and B.
  void FindObjects() {
    auto office = daemon_->ChannelAs("office");
    auto tasks = v1::TaskService::NewStub(office);
    auto get = [&](const std::string& id) {
      grpc::ClientContext ctx;
      v1::GetTaskRequest req;
      req.set_task_id(id);
      v1::Task t;
      EXPECT_TRUE(tasks->GetTask(&ctx, req, &t).ok());
      return t;
    };
    v1::Task a = get("T1");
    ASSERT_EQ(a.lead_unit_ids(0), "swj");
    side_[0] = {{"$T", "T1"}, {"$U", "市商务局"}, {"$K", a.campaign_id()}};
    {
      grpc::ClientContext ctx;
      v1::ListTasksRequest req;
      req.set_campaign_id("safety");
      req.set_unit("市住建局");
      v1::ListTasksResponse res;
      ASSERT_TRUE(tasks->ListTasks(&ctx, req, &res).ok());
      for (const auto& t : res.tasks()) {
        auto has = [&](const std::string& u) {
          for (const auto& x : t.lead_unit_ids()) if (x == u) return true;
          for (const auto& x : t.responsible_unit_ids()) if (x == u) return true;
          return false;
        };
        if (t.lead_unit_ids_size() == 1 && t.lead_unit_ids(0) == "zjj" && !has("fgj") && !has("swj") && !has("yjj")) {
          side_[1] = {{"$T", t.id()}, {"$U", "市住建局"}, {"$K", "safety"}};
          break;
        }
      }
      ASSERT_FALSE(side_[1].empty()) << "no safety task led by 市住建局 alone";
    }
    // Supervision items: a supervisor lists each task.
    auto sup = v1::SupervisionService::NewStub(daemon_->ChannelAs("supervisor"));
    for (int s = 0; s < 2; ++s) {
      grpc::ClientContext ctx;
      v1::EscalateRequest req;
      req.set_task_id(side_[s]["$T"]);
      req.set_reason("督办");
      v1::SupervisionItem item;
      grpc::Status st = sup->Escalate(&ctx, req, &item);
      ASSERT_TRUE(st.ok()) << st.error_message();
      side_[s]["$S"] = item.id();
    }
    // Cases: the safety office reports a fatal accident of each unit.
    auto acc = v1::AccountabilityService::NewStub(daemon_->ChannelAs("市安委办"));
    for (int s = 0; s < 2; ++s) {
      grpc::ClientContext ctx;
      v1::ReportIncidentRequest req;
      req.set_unit(side_[s]["$U"]);
      req.set_date("2023-03-18");
      req.set_kind("production_safety");
      req.set_deaths(1);
      v1::ReportIncidentResponse res;
      grpc::Status st = acc->ReportIncident(&ctx, req, &res);
      ASSERT_TRUE(st.ok()) << st.error_message();
      ASSERT_GE(res.opened_size(), 1);
      side_[s]["$C"] = res.opened(0).id();
    }
    // Obligations: B is one of 市住建局's; A one of a unit outside the matrix.
    auto rep = v1::ReportService::NewStub(office);
    grpc::ClientContext ctx;
    v1::ListObligationsRequest req;
    req.set_rule_id("safety-weekly");
    req.set_page_size(1000);
    v1::ListObligationsResponse res;
    grpc::Status st = rep->ListObligations(&ctx, req, &res);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& o : res.obligations()) {
      if (o.recipient_unit_id() != "aqwb") continue;
      if (o.unit_id() == "zjj" && !side_[1].count("$O")) side_[1]["$O"] = o.id();
      if (o.unit_id() != "zjj" && o.unit_id() != "swj" && o.unit_id() != "fgj" && o.unit_id() != "yjj" &&
          !side_[0].count("$O")) {
        side_[0]["$O"] = o.id();
      }
    }
    ASSERT_TRUE(side_[0].count("$O") && side_[1].count("$O")) << "no safety obligations; " << res.obligations_size();
  }

  // Calls `method` as `account` with the request text; the status code.
  grpc::StatusCode Call(const std::string& account, const Row& row, int side) {
    std::string text = row.request;
    for (const auto& [k, v] : side_[side]) text = absl::StrReplaceAll(text, {{k, v}});
    std::string full = absl::StrCat("duban.v1.", absl::StrReplaceAll(row.method, {{"/", "."}}));
    const auto* m = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full);
    EXPECT_NE(m, nullptr) << full;
    if (m == nullptr) return grpc::StatusCode::UNKNOWN;
    auto* factory = google::protobuf::MessageFactory::generated_factory();
    std::unique_ptr<google::protobuf::Message> req(factory->GetPrototype(m->input_type())->New());
    std::unique_ptr<google::protobuf::Message> res(factory->GetPrototype(m->output_type())->New());
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, req.get())) << text;
    auto channel = account.empty() ? daemon_->AnonymousChannel() : channels_[account];
    grpc::ClientContext ctx;
    std::string path = absl::StrCat("/duban.v1.", row.method);
    if (m->client_streaming()) {
      // The request is the stream's only message.
      ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
      std::unique_ptr<grpc::ClientWriter<google::protobuf::Message>> writer(
          grpc::internal::ClientWriterFactory<google::protobuf::Message>::Create(
              channel.get(), grpc::internal::RpcMethod(path.c_str(), grpc::internal::RpcMethod::CLIENT_STREAMING),
              &ctx, res.get()));
      writer->Write(*req);
      writer->WritesDone();
      return writer->Finish().error_code();
    }
    if (m->server_streaming()) {
      ctx.set_deadline(DeadlineIn(std::chrono::milliseconds(500)));
      std::unique_ptr<grpc::ClientReader<google::protobuf::Message>> reader(
          grpc::internal::ClientReaderFactory<google::protobuf::Message>::Create(
              channel.get(), grpc::internal::RpcMethod(path.c_str(), grpc::internal::RpcMethod::SERVER_STREAMING),
              &ctx, *req));
      while (reader->Read(res.get())) {
      }
      return reader->Finish().error_code();
    }
    ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
    grpc::Status s = grpc::internal::BlockingUnaryCall<google::protobuf::Message, google::protobuf::Message>(
        channel.get(), grpc::internal::RpcMethod(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC), &ctx, *req,
        res.get());
    return s.error_code();
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::map<std::string, std::string> side_[2];
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

char Letter(grpc::StatusCode c, bool object) {
  switch (c) {
    case grpc::StatusCode::UNAUTHENTICATED: return 'U';
    case grpc::StatusCode::PERMISSION_DENIED: return 'D';
    case grpc::StatusCode::NOT_FOUND: return object ? 'N' : '.';
    default: return '.';
  }
}

TEST_F(AuthMatrixTest, EveryRoleAgainstEveryRpcOnOwnAndOthersObjects) {
  FindObjects();
  if (HasFatalFailure()) return;
  for (const auto& a : Accounts()) {
    if (a.empty()) continue;
    std::string err;
    ASSERT_FALSE(daemon_->Login(a, &err).empty()) << err;
    channels_[a] = daemon_->ChannelAs(a);
  }
  // Every RPC the daemon serves has a row (the descriptors of every proto
  // file are linked in by naming one message of each).
  (void)v1::ListAuditEntriesRequest::descriptor();
  (void)v1::ListEvidenceRequest::descriptor();
  (void)v1::ExportLedgerRequest::descriptor();
  std::set<std::string> covered;
  for (const auto& r : Rows()) covered.insert(r.method);
  for (const char* service : {"AuthService", "OrgService", "PlanService", "TaskService", "ReportService",
                              "NotificationService", "SupervisionService", "RankingService",
                              "AccountabilityService", "AssessmentService", "BulletinService", "AdminService",
                              "ExportService", "BriefingService", "AuditService", "EvidenceService"}) {
    const auto* d = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
        absl::StrCat("duban.v1.", service));
    ASSERT_NE(d, nullptr) << service;
    for (int i = 0; i < d->method_count(); ++i) {
      EXPECT_TRUE(covered.count(absl::StrCat(service, "/", d->method(i)->name())))
          << service << "/" << d->method(i)->name() << " has no row";
    }
  }
  for (const auto& row : Rows()) {
    std::vector<std::string> cells = absl::StrSplit(row.expected, ' ');
    ASSERT_EQ(cells.size(), Accounts().size()) << row.method;
    std::string got;
    for (size_t i = 0; i < Accounts().size(); ++i) {
      if (i) got += ' ';
      for (int side = 0; side < 2; ++side) got += Letter(Call(Accounts()[i], row, side), row.object);
    }
    EXPECT_EQ(got, row.expected) << row.method << " " << row.request
                                 << "\n   columns: anon sys sec aud ofc tf saf sup ldr swj zjj adt";
  }
}

}  // namespace
}  // namespace duban
