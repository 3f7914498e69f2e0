// Paginated lists and histories through duband's gRPC API (and one over
// HTTP/JSON): for each, more records than one page, walked page by page;
// every record comes once and in order, the last page has no token (or
// next_after_version 0), a bad token is INVALID_ARGUMENT naming page_token,
// and a request without the paging fields gets what it got before. One
// history of large report texts stops its pages at the byte cap, so no
// answer comes near the 4 MiB message limit.
#include <httplib.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/office.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/gateway_client.h"

namespace duban {
namespace {

using testing::Daemon;
using testing::TempDir;

constexpr size_t kMessageLimit = 4u << 20;

v1::CommandMeta Meta(const std::string& actor) {
  v1::CommandMeta m;
  m.set_actor(actor);
  return m;
}

bool IsPageTokenError(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::INVALID_ARGUMENT && absl::StrContains(s.error_message(), "page_token");
}

class PaginationE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string http_port_file = dir_.sub("http.port");
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"), std::vector<std::string>{"--http_port_file=" + http_port_file});
    ASSERT_TRUE(daemon_->Start()) << daemon_->log_path();
    http_port_ = testing::ReadPortFile(http_port_file);
    ASSERT_GT(http_port_, 0);
  }

  // POSTs a request in JSON as account and parses the JSON answer into out.
  int PostJson(const std::string& method, const std::string& account, const google::protobuf::Message& req,
               google::protobuf::Message* out) {
    return testing::PostJson(http_port_, daemon_->Login(account), method, req, out);
  }

  // An open obligation of swj (市商务局), from the cadences.
  std::string OpenObligation() {
    auto reports = v1::ReportService::NewStub(daemon_->ChannelAs("市商务局"));
    grpc::ClientContext ctx;
    v1::ListObligationsRequest req;
    req.set_unit("swj");
    req.set_page_size(1000);
    v1::ListObligationsResponse res;
    EXPECT_TRUE(reports->ListObligations(&ctx, req, &res).ok());
    for (const auto& o : res.obligations()) {
      if (o.state() == v1::OBLIGATION_STATE_PENDING || o.state() == v1::OBLIGATION_STATE_MISSED) return o.id();
    }
    return "";
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  int http_port_ = 0;
};

TEST_F(PaginationE2ETest, ObligationHistoryOfLargeReportsStopsEachPageAtTheByteCap) {
  std::string id = OpenObligation();
  ASSERT_FALSE(id.empty()) << "no open obligation of 市商务局";
  auto unit = v1::ReportService::NewStub(daemon_->ChannelAs("市商务局"));
  auto office = v1::ReportService::NewStub(daemon_->ChannelAs("office"));
  // Reports as long as allowed (20,000 characters, 60 KB each): the whole
  // history passes the 4 MiB message limit.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "报";
  int submits = 0;
  for (; submits < 75; ++submits) {
    {
      grpc::ClientContext ctx;
      v1::SubmitReportRequest req;
      *req.mutable_meta() = Meta("市商务局");
      req.set_obligation_id(id);
      req.set_text(big);
      v1::Obligation o;
      grpc::Status s = unit->SubmitReport(&ctx, req, &o);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    grpc::ClientContext ctx;
    v1::ReviewReportRequest req;
    *req.mutable_meta() = Meta("office");
    req.set_obligation_id(id);
    req.set_decision(v1::REVIEW_DECISION_RETURN);
    req.set_reason("请补充材料");
    v1::Obligation o;
    grpc::Status s = office->ReviewReport(&ctx, req, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  uint64_t after = 0;
  std::vector<uint64_t> versions;
  int pages = 0;
  size_t total_bytes = 0;
  while (true) {
    grpc::ClientContext ctx;
    v1::ObligationHistoryRequest req;
    req.set_obligation_id(id);
    req.set_after_version(after);
    v1::ObligationHistoryResponse page;
    grpc::Status s = unit->ObligationHistory(&ctx, req, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ++pages;
    EXPECT_LT(page.ByteSizeLong(), kMessageLimit);
    EXPECT_LE(page.ByteSizeLong(), (2u << 20) + 4096);
    total_bytes += page.ByteSizeLong();
    for (const auto& e : page.events()) versions.push_back(e.version());
    if (page.next_after_version() == 0) break;
    // Stopped by bytes, not by count (the default page is 500 events).
    EXPECT_LT(page.events_size(), 500);
    EXPECT_EQ(page.next_after_version(), page.events(page.events_size() - 1).version());
    after = page.next_after_version();
  }
  EXPECT_GT(total_bytes, kMessageLimit);
  EXPECT_GE(pages, 3);
  ASSERT_GE(versions.size(), static_cast<size_t>(2 * submits));
  for (size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i], i + 1);

  // Small pages: the same events, once each, in order.
  std::vector<uint64_t> small;
  after = 0;
  while (true) {
    grpc::ClientContext ctx;
    v1::ObligationHistoryRequest req;
    req.set_obligation_id(id);
    req.set_after_version(after);
    req.set_page_size(7);
    v1::ObligationHistoryResponse page;
    ASSERT_TRUE(unit->ObligationHistory(&ctx, req, &page).ok());
    EXPECT_LE(page.events_size(), 7);
    for (const auto& e : page.events()) small.push_back(e.version());
    if (page.next_after_version() == 0) break;
    after = page.next_after_version();
  }
  EXPECT_EQ(small, versions);
  // A negative page size is refused.
  grpc::ClientContext ctx;
  v1::ObligationHistoryRequest req;
  req.set_obligation_id(id);
  req.set_page_size(-1);
  v1::ObligationHistoryResponse page;
  grpc::Status s = unit->ObligationHistory(&ctx, req, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "page_size")) << s.error_message();
}

TEST_F(PaginationE2ETest, SupervisionItemsAndAnItemsHistoryComeInPages) {
  auto sup = v1::SupervisionService::NewStub(daemon_->ChannelAs("supervisor"));
  // Seven tasks escalated: seven items, S1..S7.
  std::vector<std::string> ids;
  for (int i = 1; i <= 7; ++i) {
    grpc::ClientContext ctx;
    v1::EscalateRequest req;
    *req.mutable_meta() = Meta("supervisor");
    req.set_task_id(absl::StrCat("T", i));
    req.set_reason("逾期未完成");
    v1::SupervisionItem item;
    grpc::Status s = sup->Escalate(&ctx, req, &item);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ids.push_back(item.id());
  }
  auto office = v1::SupervisionService::NewStub(daemon_->ChannelAs("office"));
  // Without the paging fields: all seven, no token.
  {
    grpc::ClientContext ctx;
    v1::ListSupervisionResponse res;
    ASSERT_TRUE(office->ListSupervision(&ctx, v1::ListSupervisionRequest(), &res).ok());
    ASSERT_EQ(res.items_size(), 7);
    EXPECT_TRUE(res.next_page_token().empty());
  }
  std::vector<std::string> walked;
  v1::ListSupervisionRequest req;
  req.set_page_size(3);
  int pages = 0;
  while (true) {
    grpc::ClientContext ctx;
    v1::ListSupervisionResponse res;
    grpc::Status s = office->ListSupervision(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ++pages;
    EXPECT_LE(res.items_size(), 3);
    for (const auto& i : res.items()) walked.push_back(i.id());
    if (res.next_page_token().empty()) break;
    req.set_page_token(res.next_page_token());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(walked, ids);
  {
    grpc::ClientContext ctx;
    req.set_page_token("garbage!");
    v1::ListSupervisionResponse res;
    grpc::Status s = office->ListSupervision(&ctx, req, &res);
    EXPECT_TRUE(IsPageTokenError(s)) << s.error_message();
  }

  // The first item's history: escalated twice more, then worked on by the unit.
  const std::string item = ids[0];
  auto unit = v1::SupervisionService::NewStub(daemon_->ChannelAs("市商务局"));
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext ctx;
    v1::EscalateRequest e;
    *e.mutable_meta() = Meta("supervisor");
    e.set_item_id(item);
    e.set_reason("仍未整改");
    v1::SupervisionItem out;
    grpc::Status s = sup->Escalate(&ctx, e, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::SupervisionItem now;
  {
    grpc::ClientContext ctx;
    v1::GetSupervisionRequest g;
    g.set_item_id(item);
    ASSERT_TRUE(sup->GetSupervision(&ctx, g, &now).ok());
  }
  {
    grpc::ClientContext ctx;
    v1::SupervisionStepRequest step;
    *step.mutable_meta() = Meta("市商务局");
    step.set_item_id(item);
    step.set_action(v1::SUPERVISION_ACTION_START_RECTIFICATION);
    grpc::Status s = unit->Step(&ctx, step, &now);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::vector<uint64_t> versions;
  v1::SupervisionHistoryRequest hr;
  hr.set_item_id(item);
  hr.set_page_size(1);
  while (true) {
    grpc::ClientContext ctx;
    v1::SupervisionHistoryResponse h;
    grpc::Status s = office->History(&ctx, hr, &h);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_LE(h.events_size(), 1);
    for (const auto& e : h.events()) versions.push_back(e.version());
    if (h.next_after_version() == 0) break;
    hr.set_after_version(h.next_after_version());
  }
  ASSERT_GE(versions.size(), 3u);
  EXPECT_EQ(versions.back(), now.version());
  for (size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i], i + 1);
  {
    grpc::ClientContext ctx;
    v1::SupervisionHistoryRequest all;
    all.set_item_id(item);
    v1::SupervisionHistoryResponse h;
    ASSERT_TRUE(office->History(&ctx, all, &h).ok());
    EXPECT_EQ(static_cast<size_t>(h.events_size()), versions.size());
    EXPECT_EQ(h.next_after_version(), 0u);
  }
}

TEST_F(PaginationE2ETest, CasesAndACasesHistoryComeInPagesAlsoOverHttp) {
  auto acc = v1::AccountabilityService::NewStub(daemon_->ChannelAs("市应急管理局"));
  // A fatal accident in each of six townships: six cases.
  std::vector<std::string> townships;
  {
    auto org = v1::OrgService::NewStub(daemon_->ChannelAs("office"));
    grpc::ClientContext ctx;
    v1::ListUnitsRequest req;
    req.set_category(v1::UNIT_CATEGORY_TOWNSHIP);
    v1::ListUnitsResponse res;
    ASSERT_TRUE(org->ListUnits(&ctx, req, &res).ok());
    for (const auto& u : res.units()) {
      if (townships.size() < 6) townships.push_back(u.id());
    }
  }
  ASSERT_EQ(townships.size(), 6u);
  std::vector<std::string> opened;
  for (const auto& t : townships) {
    grpc::ClientContext ctx;
    v1::ReportIncidentRequest req;
    *req.mutable_meta() = Meta("市应急管理局");
    req.set_unit(t);
    req.set_date("2023-03-18");
    req.set_kind("production_safety");
    req.set_deaths(1);
    req.set_description("机械伤害事故");
    v1::ReportIncidentResponse res;
    grpc::Status s = acc->ReportIncident(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& c : res.opened()) opened.push_back(c.id());
  }
  ASSERT_EQ(opened.size(), 6u);
  auto office = v1::AccountabilityService::NewStub(daemon_->ChannelAs("office"));
  {
    grpc::ClientContext ctx;
    v1::ListCasesResponse res;
    ASSERT_TRUE(office->ListCases(&ctx, v1::ListCasesRequest(), &res).ok());
    EXPECT_EQ(res.cases_size(), 6);
    EXPECT_TRUE(res.next_page_token().empty());
  }
  std::vector<std::string> walked;
  v1::ListCasesRequest req;
  req.set_page_size(4);
  int pages = 0;
  while (true) {
    grpc::ClientContext ctx;
    v1::ListCasesResponse res;
    grpc::Status s = office->ListCases(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ++pages;
    EXPECT_LE(res.cases_size(), 4);
    for (const auto& c : res.cases()) walked.push_back(c.id());
    if (res.next_page_token().empty()) break;
    req.set_page_token(res.next_page_token());
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(walked, opened);
  {
    grpc::ClientContext ctx;
    req.set_page_token("QUFBQQ");  // base64 of a key that is not a case's
    v1::ListCasesResponse res;
    grpc::Status s = office->ListCases(&ctx, req, &res);
    EXPECT_TRUE(IsPageTokenError(s)) << s.error_message();
  }

  // The first case through its workflow: four events, read one a page.
  const std::string id = opened[0];
  {
    grpc::ClientContext ctx;
    v1::HoldCaseRequest h;
    *h.mutable_meta() = Meta("市安委办");
    h.set_case_id(id);
    h.set_minutes("约谈记录");
    h.add_commitments("限期整改");
    v1::AccountabilityCase c;
    grpc::Status s = v1::AccountabilityService::NewStub(daemon_->ChannelAs("市安委办"))->Hold(&ctx, h, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    v1::FollowUpCaseRequest f;
    *f.mutable_meta() = Meta("市安委办");
    f.set_case_id(id);
    f.set_follow_up("已整改");
    v1::AccountabilityCase c;
    ASSERT_TRUE(v1::AccountabilityService::NewStub(daemon_->ChannelAs("市安委办"))->FollowUp(&ctx, f, &c).ok());
  }
  std::vector<uint64_t> versions;
  v1::CaseHistoryRequest hr;
  hr.set_case_id(id);
  hr.set_page_size(1);
  while (true) {
    grpc::ClientContext ctx;
    v1::CaseHistoryResponse h;
    grpc::Status s = office->CaseHistory(&ctx, hr, &h);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_LE(h.events_size(), 1);
    for (const auto& e : h.events()) versions.push_back(e.version());
    if (h.next_after_version() == 0) break;
    hr.set_after_version(h.next_after_version());
  }
  EXPECT_EQ(versions, (std::vector<uint64_t>{1, 2, 3}));

  // The same walks over HTTP/JSON: the gateway carries the paging fields.
  std::vector<std::string> over_http;
  v1::ListCasesRequest hreq;
  hreq.set_page_size(4);
  pages = 0;
  while (true) {
    v1::ListCasesResponse res;
    ASSERT_EQ(PostJson("AccountabilityService/ListCases", "office", hreq, &res), 200);
    ++pages;
    for (const auto& c : res.cases()) over_http.push_back(c.id());
    if (res.next_page_token().empty()) break;
    hreq.set_page_token(res.next_page_token());
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(over_http, opened);
  hreq.set_page_token("QUFBQQ");
  v1::ListCasesResponse refused;
  EXPECT_EQ(PostJson("AccountabilityService/ListCases", "office", hreq, &refused), 400);
  std::vector<uint64_t> http_versions;
  v1::CaseHistoryRequest hh;
  hh.set_case_id(id);
  hh.set_page_size(2);
  while (true) {
    v1::CaseHistoryResponse h;
    ASSERT_EQ(PostJson("AccountabilityService/CaseHistory", "office", hh, &h), 200);
    for (const auto& e : h.events()) http_versions.push_back(e.version());
    if (h.next_after_version() == 0) break;
    hh.set_after_version(h.next_after_version());
  }
  EXPECT_EQ(http_versions, versions);
}

TEST_F(PaginationE2ETest, RankingsAcrossBoardsAndBriefingsComeInPages) {
  // Three months of the enforcement board and two of the computed scorecard.
  auto safety = v1::RankingService::NewStub(daemon_->ChannelAs("市安委办"));
  const std::vector<std::string> key_units = {"市应急管理局", "市住建局", "市交通运输局", "市市场监管局", "市水利局",
                                              "市农业农村局", "市自然资源局", "市城管局", "市消防救援大队",
                                              "市公安局交警大队"};
  for (const std::string period : {"2023-01", "2023-02", "2023-03"}) {
    grpc::ClientContext ctx;
    v1::EnterRankingRequest req;
    *req.mutable_meta() = Meta("市安委办");
    req.set_board("enforcement");
    req.set_period(period);
    for (const auto& u : key_units) req.add_entries()->set_unit(u);
    v1::RankingResponse res;
    grpc::Status s = safety->EnterRanking(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto office = v1::RankingService::NewStub(daemon_->ChannelAs("office"));
  for (const std::string period : {"2023-01", "2023-02"}) {
    grpc::ClientContext ctx;
    v1::ComputeScorecardRequest req;
    *req.mutable_meta() = Meta("office");
    req.set_period(period);
    v1::RankingResponse res;
    grpc::Status s = office->ComputeScorecard(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::vector<std::string> whole;
  {
    grpc::ClientContext ctx;
    v1::ListRankingsResponse res;
    ASSERT_TRUE(office->ListRankings(&ctx, v1::ListRankingsRequest(), &res).ok());
    for (const auto& r : res.rankings()) whole.push_back(r.id());
    EXPECT_TRUE(res.next_page_token().empty());
  }
  ASSERT_EQ(whole.size(), 5u);
  std::vector<std::string> walked;
  v1::ListRankingsRequest req;
  req.set_page_size(2);
  int pages = 0;
  while (true) {
    grpc::ClientContext ctx;
    v1::ListRankingsResponse res;
    grpc::Status s = office->ListRankings(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ++pages;
    EXPECT_LE(res.rankings_size(), 2);
    for (const auto& r : res.rankings()) walked.push_back(r.id());
    if (res.next_page_token().empty()) break;
    req.set_page_token(res.next_page_token());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(walked, whole);
  {
    grpc::ClientContext ctx;
    req.set_page_token("Um5vLWJvYXJkOjIwMjMtMDE");  // base64 of "Rno-board:2023-01": no such board
    v1::ListRankingsResponse res;
    grpc::Status s = office->ListRankings(&ctx, req, &res);
    EXPECT_TRUE(IsPageTokenError(s)) << s.error_message();
  }

  // Six weeks on the simulated clock: the dekad, monthly and quarterly briefings.
  {
    auto admin = v1::AdminService::NewStub(daemon_->ChannelAs("sysadmin"));
    grpc::ClientContext ctx;
    v1::AdvanceClockRequest adv;
    adv.set_by("1008h");
    v1::AdvanceClockResponse res;
    grpc::Status s = admin->AdvanceClock(&ctx, adv, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto briefings = v1::BriefingService::NewStub(daemon_->ChannelAs("office"));
  auto list_all = [&] {
    grpc::ClientContext ctx;
    v1::ListBriefingsResponse res;
    EXPECT_TRUE(briefings->ListBriefings(&ctx, v1::ListBriefingsRequest(), &res).ok());
    return res;
  };
  // Drafting runs after the timers: wait until the list stops growing.
  v1::ListBriefingsResponse all = list_all();
  for (int i = 0; i < 60; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    v1::ListBriefingsResponse again = list_all();
    if (all.briefings_size() >= 3 && again.briefings_size() == all.briefings_size()) break;
    all = again;
  }
  ASSERT_GE(all.briefings_size(), 3);
  EXPECT_TRUE(all.next_page_token().empty());
  std::vector<std::string> want, got;
  for (const auto& b : all.briefings()) want.push_back(b.id());
  v1::ListBriefingsRequest breq;
  breq.set_page_size(2);
  while (true) {
    grpc::ClientContext ctx;
    v1::ListBriefingsResponse res;
    grpc::Status s = briefings->ListBriefings(&ctx, breq, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_LE(res.briefings_size(), 2);
    for (const auto& b : res.briefings()) got.push_back(b.id());
    if (res.next_page_token().empty()) break;
    breq.set_page_token(res.next_page_token());
  }
  EXPECT_EQ(got, want);
  {
    grpc::ClientContext ctx;
    breq.set_page_token("Qm5vLXN1Y2g");  // base64 of "Bno-such": no such briefing
    v1::ListBriefingsResponse res;
    grpc::Status s = briefings->ListBriefings(&ctx, breq, &res);
    EXPECT_TRUE(IsPageTokenError(s)) << s.error_message();
  }
}

}  // namespace
}  // namespace duban
