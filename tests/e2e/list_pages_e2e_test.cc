// The directory, plan, score, evidence, account, assessment and audit
// checkpoint lists through duband's gRPC API (and over HTTP/JSON), walked
// page by page with a small page_size: every item comes exactly once and in
// the order of the unpaged answer, the last page has no token, a bad token
// is INVALID_ARGUMENT naming page_token, and a request without the paging
// fields still gets the whole list of the demo data in one answer.
#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "duban/v1/audit_service.grpc.pb.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/gateway_client.h"

namespace duban {
namespace {

using testing::Daemon;
using testing::DeadlineIn;
using testing::TempDir;

v1::CommandMeta Meta(const std::string& actor) {
  v1::CommandMeta m;
  m.set_actor(actor);
  return m;
}

bool IsPageTokenError(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::INVALID_ARGUMENT && absl::StrContains(s.error_message(), "page_token");
}

// A token of another listing (a ListCases token's shape) and one that is not base64.
const char* const kForeignToken = "QUFBQQ";
const char* const kGarbageToken = "!!not-a-token!!";

// Walks a listing page by page with page_size: the ids, in order, and the
// number of pages. Every page but the last has a token.
template <typename Req, typename Resp>
struct Walker {
  std::function<grpc::Status(grpc::ClientContext*, const Req&, Resp*)> call;
  std::function<std::vector<std::string>(const Resp&)> ids;

  std::vector<std::string> All(Req req) const {
    grpc::ClientContext ctx;
    Resp res;
    grpc::Status s = call(&ctx, req, &res);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(res.next_page_token(), "");
    return ids(res);
  }

  std::vector<std::string> Pages(Req req, int page_size, int* pages) const {
    req.set_page_size(page_size);
    std::vector<std::string> out;
    *pages = 0;
    while (*pages < 10000) {
      grpc::ClientContext ctx;
      Resp res;
      grpc::Status s = call(&ctx, req, &res);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      ++*pages;
      std::vector<std::string> got = ids(res);
      EXPECT_LE(static_cast<int>(got.size()), page_size);
      EXPECT_FALSE(got.empty()) << "page " << *pages;
      out.insert(out.end(), got.begin(), got.end());
      if (res.next_page_token().empty()) break;
      req.set_page_token(res.next_page_token());
    }
    return out;
  }

  grpc::Status WithToken(Req req, const std::string& token) const {
    req.set_page_token(token);
    grpc::ClientContext ctx;
    Resp res;
    return call(&ctx, req, &res);
  }

  // The checks every paginated listing passes: more than one page, each id
  // once, the unpaged order, and bad tokens refused.
  void Check(const Req& req, int page_size, size_t at_least) const {
    std::vector<std::string> all = All(req);
    ASSERT_GE(all.size(), at_least);
    int pages = 0;
    std::vector<std::string> walked = Pages(req, page_size, &pages);
    EXPECT_EQ(walked, all);
    EXPECT_EQ(pages, static_cast<int>((all.size() + page_size - 1) / page_size));
    EXPECT_GT(pages, 1);
    EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), walked.size()) << "an item came twice";
    EXPECT_TRUE(IsPageTokenError(WithToken(req, kForeignToken))) << WithToken(req, kForeignToken).error_message();
    EXPECT_TRUE(IsPageTokenError(WithToken(req, kGarbageToken)));
    Req negative = req;
    negative.set_page_size(-1);
    grpc::ClientContext ctx;
    Resp res;
    grpc::Status s = call(&ctx, negative, &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(s.error_message(), "page_size")) << s.error_message();
  }
};

// The ids of a page: id(item) for each item of get(response).
template <typename Resp, typename Get, typename Id>
std::function<std::vector<std::string>(const Resp&)> IdsOf(Get get, Id id) {
  return [get, id](const Resp& r) {
    std::vector<std::string> out;
    for (const auto& x : get(r)) out.push_back(id(x));
    return out;
  };
}

class ListPagesE2ETest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    std::string http_port_file = dir_.sub("http.port");
    extra.push_back("--http_port_file=" + http_port_file);
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"), extra);
    ASSERT_TRUE(daemon_->Start()) << daemon_->log_path();
    http_port_ = testing::ReadPortFile(http_port_file);
    ASSERT_GT(http_port_, 0);
  }

  // POSTs a request in JSON as account and parses the JSON answer into out.
  int PostJson(const std::string& method, const std::string& account, const google::protobuf::Message& req,
               google::protobuf::Message* out) {
    return testing::PostJson(http_port_, daemon_->Login(account), method, req, out);
  }

  // Uploads a small PNG as account; its reference.
  v1::EvidenceRef Upload(const std::string& account, const std::string& name) {
    return testing::UploadSmallPng(daemon_->ChannelAs(account), name);
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  int http_port_ = 0;
};

TEST_F(ListPagesE2ETest, UnitsPeopleTaskForcesPlansAndCampaignsComeInPages) {
  Start();
  auto org = v1::OrgService::NewStub(daemon_->ChannelAs("office"));
  auto plans = v1::PlanService::NewStub(daemon_->ChannelAs("office"));

  Walker<v1::ListUnitsRequest, v1::ListUnitsResponse> units{
      [&](grpc::ClientContext* c, const v1::ListUnitsRequest& r, v1::ListUnitsResponse* o) {
        return org->ListUnits(c, r, o);
      },
      IdsOf<v1::ListUnitsResponse>([](const v1::ListUnitsResponse& r) -> const auto& { return r.units(); },
                     [](const v1::Unit& u) { return u.id(); })};
  // The demo plan's 115 units come whole without paging fields, in id order.
  std::vector<std::string> all_units = units.All({});
  EXPECT_GE(all_units.size(), 115u);
  EXPECT_TRUE(std::is_sorted(all_units.begin(), all_units.end()));
  units.Check({}, 40, 115);
  v1::ListUnitsRequest towns;
  towns.set_category(v1::UNIT_CATEGORY_TOWNSHIP);
  units.Check(towns, 7, 8);

  Walker<v1::ListPeopleRequest, v1::ListPeopleResponse> people{
      [&](grpc::ClientContext* c, const v1::ListPeopleRequest& r, v1::ListPeopleResponse* o) {
        return org->ListPeople(c, r, o);
      },
      IdsOf<v1::ListPeopleResponse>([](const v1::ListPeopleResponse& r) -> const auto& { return r.people(); },
                     [](const v1::Person& p) { return p.id(); })};
  people.Check({}, 3, 4);

  Walker<v1::ListTaskForcesRequest, v1::ListTaskForcesResponse> forces{
      [&](grpc::ClientContext* c, const v1::ListTaskForcesRequest& r, v1::ListTaskForcesResponse* o) {
        return org->ListTaskForces(c, r, o);
      },
      IdsOf<v1::ListTaskForcesResponse>([](const v1::ListTaskForcesResponse& r) -> const auto& { return r.task_forces(); },
                     [](const v1::TaskForce& f) { return f.id(); })};
  forces.Check({}, 4, 6);

  Walker<v1::ListCampaignsRequest, v1::ListCampaignsResponse> campaigns{
      [&](grpc::ClientContext* c, const v1::ListCampaignsRequest& r, v1::ListCampaignsResponse* o) {
        return plans->ListCampaigns(c, r, o);
      },
      IdsOf<v1::ListCampaignsResponse>([](const v1::ListCampaignsResponse& r) -> const auto& { return r.campaigns(); },
                     [](const v1::Campaign& x) { return x.id(); })};
  campaigns.Check({}, 4, 6);
  // A campaign list token does not resume the task forces' list.
  {
    v1::ListCampaignsRequest req;
    req.set_page_size(2);
    grpc::ClientContext ctx;
    v1::ListCampaignsResponse first;
    ASSERT_TRUE(plans->ListCampaigns(&ctx, req, &first).ok());
    ASSERT_FALSE(first.next_page_token().empty());
    EXPECT_TRUE(IsPageTokenError(forces.WithToken({}, first.next_page_token())));
  }

  // The demo has one plan: one page, no token; bad tokens refused.
  Walker<v1::ListPlansRequest, v1::ListPlansResponse> plan_list{
      [&](grpc::ClientContext* c, const v1::ListPlansRequest& r, v1::ListPlansResponse* o) {
        return plans->ListPlans(c, r, o);
      },
      IdsOf<v1::ListPlansResponse>([](const v1::ListPlansResponse& r) -> const auto& { return r.plans(); },
                     [](const v1::Plan& p) { return p.id(); })};
  int pages = 0;
  std::vector<std::string> all_plans = plan_list.All({});
  ASSERT_EQ(all_plans.size(), 1u);
  EXPECT_EQ(plan_list.Pages({}, 1, &pages), all_plans);
  EXPECT_EQ(pages, 1);
  EXPECT_TRUE(IsPageTokenError(plan_list.WithToken({}, kForeignToken)));

  // Over HTTP/JSON: the units walked in pages of 50, as the web desk reads them.
  std::vector<std::string> over_http;
  v1::ListUnitsRequest hreq;
  hreq.set_page_size(50);
  int http_pages = 0;
  while (http_pages < 100) {
    v1::ListUnitsResponse res;
    ASSERT_EQ(PostJson("OrgService/ListUnits", "office", hreq, &res), 200);
    ++http_pages;
    for (const auto& u : res.units()) over_http.push_back(u.id());
    if (res.next_page_token().empty()) break;
    hreq.set_page_token(res.next_page_token());
  }
  EXPECT_EQ(http_pages, static_cast<int>((all_units.size() + 49) / 50));
  EXPECT_EQ(over_http, all_units);
  hreq.set_page_token(kForeignToken);
  v1::ListUnitsResponse refused;
  EXPECT_EQ(PostJson("OrgService/ListUnits", "office", hreq, &refused), 400);
}

TEST_F(ListPagesE2ETest, AccountsComeInPages) {
  Start();
  auto auth = v1::AuthService::NewStub(daemon_->ChannelAs("sysadmin"));
  Walker<v1::ListAccountsRequest, v1::ListAccountsResponse> accounts{
      [&](grpc::ClientContext* c, const v1::ListAccountsRequest& r, v1::ListAccountsResponse* o) {
        return auth->ListAccounts(c, r, o);
      },
      IdsOf<v1::ListAccountsResponse>([](const v1::ListAccountsResponse& r) -> const auto& { return r.accounts(); },
                     [](const v1::Account& a) { return a.id(); })};
  std::vector<std::string> all = accounts.All({});
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  accounts.Check({}, 25, 100);
}

TEST_F(ListPagesE2ETest, UnitScoresAndAssessmentResultsComeInPages) {
  Start();
  // Past the 27th, the March feedback of every task force's member units is
  // due: their scores count it.
  {
    auto admin = v1::AdminService::NewStub(daemon_->ChannelAs("sysadmin"));
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(std::chrono::minutes(5)));
    v1::AdvanceClockRequest req;
    req.set_by("240h");
    v1::AdvanceClockResponse res;
    grpc::Status s = admin->AdvanceClock(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto reports = v1::ReportService::NewStub(daemon_->ChannelAs("office"));
  Walker<v1::ListUnitScoresRequest, v1::ListUnitScoresResponse> scores{
      [&](grpc::ClientContext* c, const v1::ListUnitScoresRequest& r, v1::ListUnitScoresResponse* o) {
        return reports->ListUnitScores(c, r, o);
      },
      IdsOf<v1::ListUnitScoresResponse>([](const v1::ListUnitScoresResponse& r) -> const auto& { return r.scores(); },
                     [](const v1::UnitScore& s) { return s.unit_id(); })};
  std::vector<std::string> all = scores.All({});
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  scores.Check({}, 3, 4);

  // Figures for five towns of the safety assessment table, then every result.
  auto assessment = v1::AssessmentService::NewStub(daemon_->ChannelAs("市应急管理局"));
  std::vector<std::string> towns = {"道林镇", "大屯营镇", "花明楼镇", "东湖塘镇", "夏铎铺镇"};
  for (const auto& town : towns) {
    v1::ReportFiguresRequest req;
    *req.mutable_meta() = Meta("市应急管理局");
    v1::AssessmentFigures* f = req.mutable_figures();
    f->set_assessment_id("safety-2023");
    f->set_year(2023);
    f->set_unit(town);
    auto& v = *f->mutable_values();
    for (const char* name : {"accidents", "deaths", "enforcement_last_times", "major_accidents", "forest_fire_major"}) {
      v[name] = 0;
    }
    for (const char* l : {"national", "provincial", "city", "local"}) {
      v[absl::StrCat("constraint.", l)] = 0;
      v[absl::StrCat("incentive.", l)] = 0;
    }
    (*f->mutable_baseline())["accidents"] = 3;
    (*f->mutable_baseline())["deaths"] = 1;
    grpc::ClientContext ctx;
    v1::ReportFiguresResponse res;
    grpc::Status s = assessment->ReportFigures(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << town << ": " << s.error_message();
  }
  Walker<v1::EvaluateAllRequest, v1::EvaluateAllResponse> results{
      [&](grpc::ClientContext* c, const v1::EvaluateAllRequest& r, v1::EvaluateAllResponse* o) {
        return assessment->EvaluateAll(c, r, o);
      },
      IdsOf<v1::EvaluateAllResponse>([](const v1::EvaluateAllResponse& r) -> const auto& { return r.results(); },
                     [](const v1::AssessmentResult& r) { return r.unit(); })};
  v1::EvaluateAllRequest req;
  req.set_assessment_id("safety-2023");
  req.set_year(2023);
  EXPECT_EQ(results.All(req), towns);  // in the table's order
  results.Check(req, 2, 5);
}

TEST_F(ListPagesE2ETest, EvidenceComesInPagesAlsoOverHttp) {
  Start();
  std::vector<v1::EvidenceRef> refs;
  for (int i = 0; i < 5; ++i) refs.push_back(Upload("市商务局", absl::StrCat("现场", i, ".png")));
  auto tasks = v1::TaskService::NewStub(daemon_->ChannelAs("市商务局"));
  {
    grpc::ClientContext ctx;
    v1::TaskRef req;
    *req.mutable_meta() = Meta("市商务局");
    req.set_task_id("T1");
    v1::CommandResponse res;
    grpc::Status s = tasks->AcceptTask(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    v1::ReportProgressRequest req;
    *req.mutable_meta() = Meta("市商务局");
    req.set_task_id("T1");
    req.mutable_report()->set_work_done("开展促消费活动");
    for (const auto& r : refs) *req.mutable_report()->add_evidence() = r;
    v1::CommandResponse res;
    grpc::Status s = tasks->ReportProgress(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto evidence = v1::EvidenceService::NewStub(daemon_->ChannelAs("office"));
  Walker<v1::ListEvidenceRequest, v1::ListEvidenceResponse> files{
      [&](grpc::ClientContext* c, const v1::ListEvidenceRequest& r, v1::ListEvidenceResponse* o) {
        return evidence->ListEvidence(c, r, o);
      },
      IdsOf<v1::ListEvidenceResponse>([](const v1::ListEvidenceResponse& r) -> const auto& { return r.files(); },
                     [](const v1::EvidenceFile& f) { return f.sha256(); })};
  v1::ListEvidenceRequest by_task;
  by_task.set_task_id("T1");
  std::vector<std::string> all = files.All(by_task);
  EXPECT_EQ(all.size(), 5u);
  files.Check(by_task, 2, 5);
  files.Check({}, 2, 5);

  std::vector<std::string> over_http;
  v1::ListEvidenceRequest hreq;
  hreq.set_task_id("T1");
  hreq.set_page_size(2);
  int pages = 0;
  while (pages < 100) {
    v1::ListEvidenceResponse res;
    ASSERT_EQ(PostJson("EvidenceService/ListEvidence", "office", hreq, &res), 200);
    ++pages;
    for (const auto& f : res.files()) over_http.push_back(f.sha256());
    if (res.next_page_token().empty()) break;
    hreq.set_page_token(res.next_page_token());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(over_http, all);
  hreq.set_page_token(kForeignToken);
  v1::ListEvidenceResponse refused;
  EXPECT_EQ(PostJson("EvidenceService/ListEvidence", "office", hreq, &refused), 400);
}

TEST_F(ListPagesE2ETest, AuditCheckpointsComeInPagesAfterASeq) {
  Start({"--audit_checkpoint_every=2"});
  auto tasks = v1::TaskService::NewStub(daemon_->ChannelAs("市商务局"));
  auto audit = v1::AuditService::NewStub(daemon_->ChannelAs("auditadmin"));
  auto checkpoints = [&](uint64_t after, int page_size, v1::ListAuditCheckpointsResponse* res) {
    grpc::ClientContext ctx;
    v1::ListAuditCheckpointsRequest req;
    req.set_after_seq(after);
    req.set_page_size(page_size);
    return audit->ListAuditCheckpoints(&ctx, req, res);
  };
  // Audited commands until at least five checkpoints are signed (they are
  // signed off the command's path).
  v1::ListAuditCheckpointsResponse all;
  for (int i = 0; i < 200; ++i) {
    grpc::ClientContext ctx;
    v1::ReportProgressRequest req;
    *req.mutable_meta() = Meta("市商务局");
    req.set_task_id("T1");
    req.mutable_report()->set_work_done(absl::StrCat("第", i, "次"));
    v1::CommandResponse res;
    (void)tasks->ReportProgress(&ctx, req, &res);  // refused while T1 is not accepted: still audited
    all.Clear();
    ASSERT_TRUE(checkpoints(0, 0, &all).ok());
    if (all.checkpoints_size() >= 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(all.checkpoints_size(), 5);
  EXPECT_EQ(all.next_after_seq(), 0u);
  std::vector<uint64_t> seqs;
  for (const auto& c : all.checkpoints()) seqs.push_back(c.seq());
  // Pages of two, resumed after the last seq given, until next_after_seq is 0.
  std::vector<uint64_t> walked;
  uint64_t after = 0;
  int pages = 0;
  while (pages < 1000) {
    v1::ListAuditCheckpointsResponse res;
    ASSERT_TRUE(checkpoints(after, 2, &res).ok());
    ++pages;
    EXPECT_LE(res.checkpoints_size(), 2);
    for (const auto& c : res.checkpoints()) walked.push_back(c.seq());
    if (res.next_after_seq() == 0) break;
    after = res.next_after_seq();
  }
  ASSERT_GE(walked.size(), seqs.size());
  walked.resize(seqs.size());  // more may have been signed meanwhile
  EXPECT_EQ(walked, seqs);
  EXPECT_GT(pages, 2);
  // After the largest seq there is nothing (it does not wrap to the start).
  v1::ListAuditCheckpointsResponse none;
  ASSERT_TRUE(checkpoints(~uint64_t{0}, 0, &none).ok());
  EXPECT_EQ(none.checkpoints_size(), 0);
  v1::ListAuditCheckpointsResponse bad;
  grpc::Status s = checkpoints(0, -1, &bad);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "page_size")) << s.error_message();
}

}  // namespace
}  // namespace duban
