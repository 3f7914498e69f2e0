// Rule changes under a running duband: a cadence and a ladder are changed in
// their files and reloaded (AdminService.ReloadRules, then SIGHUP); pending
// timers follow the new cadence and open cases stay as they were while new
// rankings use the new ladder. A file that does not load changes nothing.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "duban/v1/audit_service.grpc.pb.h"
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
using ::duban::testing::WriteFile;

using testing::Daemon;
using testing::Scaled;
using testing::SourcePath;
using testing::TempDir;

std::string Local(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M", FromTs(ts), PlanTimeZone());
}

// The 10 key enforcement units with `last` last.
v1::EnterRankingRequest Ranking(const std::string& period, const std::string& last) {
  static const std::vector<std::string> units = {"市应急管理局", "市住建局",     "市交通运输局", "市市场监管局",
                                                 "市水利局",     "市农业农村局", "市自然资源局", "市城管局",
                                                 "市消防救援大队", "市公安局交警大队"};
  v1::EnterRankingRequest req;
  req.mutable_meta()->set_actor("市安委办");
  req.set_board("enforcement");
  req.set_period(period);
  for (const auto& u : units) {
    if (u != last) req.add_entries()->set_unit(u);
  }
  req.add_entries()->set_unit(last);
  return req;
}

class RuleReloadE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    cadences_ = dir_.sub("cadences.yaml");
    accountability_ = dir_.sub("accountability.yaml");
    WriteFile(cadences_, ReadFile(SourcePath("config/cadences.yaml")));
    WriteFile(accountability_, ReadFile(SourcePath("config/accountability.yaml")));
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"), std::vector<std::string>{"--cadences=" + cadences_,
                                                                                  "--accountability=" + accountability_});
    ASSERT_TRUE(daemon_->Start()) << ReadFile(daemon_->log_path());
    admin_ = v1::AdminService::NewStub(daemon_->ChannelAs("sysadmin"));  // reloads and the clock are its
    reports_ = v1::ReportService::NewStub(daemon_->channel());
    rankings_ = v1::RankingService::NewStub(daemon_->channel());
    cases_ = v1::AccountabilityService::NewStub(daemon_->channel());
  }
  void TearDown() override {
    if (daemon_) daemon_->Kill(SIGTERM);
  }

  std::vector<v1::Obligation> Obligations(const std::string& rule, const std::string& unit) {
    grpc::ClientContext ctx;
    v1::ListObligationsRequest req;
    req.set_rule_id(rule);
    req.set_unit(unit);
    req.set_page_size(1000);
    v1::ListObligationsResponse resp;
    grpc::Status s = reports_->ListObligations(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.obligations().begin(), resp.obligations().end()};
  }

  v1::RankingResponse Enter(const std::string& period, const std::string& last) {
    grpc::ClientContext ctx;
    v1::RankingResponse resp;
    grpc::Status s = rankings_->EnterRanking(&ctx, Ranking(period, last), &resp);
    EXPECT_TRUE(s.ok()) << period << ": " << s.error_message();
    return resp;
  }

  grpc::Status Reload(v1::ReloadRulesResponse* resp) {
    grpc::ClientContext ctx;
    return admin_->ReloadRules(&ctx, v1::ReloadRulesRequest(), resp);
  }

  TempDir dir_;
  std::string cadences_, accountability_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::RankingService::Stub> rankings_;
  std::unique_ptr<v1::AccountabilityService::Stub> cases_;
};

TEST_F(RuleReloadE2ETest, ACadenceAndALadderChangedUnderARunningDaemon) {
  // Before: 市住建局 last in February → 约谈 by 分管市领导.
  v1::RankingResponse feb = Enter("2023-02", "市住建局");
  ASSERT_EQ(feb.opened_size(), 1);
  const std::string first_case = feb.opened(0).id();
  EXPECT_EQ(feb.opened(0).by_role(), "vice_mayor_in_charge");
  std::vector<v1::Obligation> weekly = Obligations("safety-weekly", "道林镇");
  ASSERT_EQ(weekly.size(), 1u);
  const std::string weekly_id = weekly[0].id();
  EXPECT_EQ(Local(weekly[0].deadline()), "2023-03-23 17:30");
  ASSERT_EQ(Obligations("debt-weekly-scheduling", "城发集团").size(), 1u);  // Monday 20 March

  // The safety report is now due at noon, the weekly debt scheduling is
  // dropped, and a first last place goes to the mayor.
  std::string cad = ReadFile(cadences_);
  std::string safety = "    schedule: {kind: weekly, weekday: thursday}\n";
  ASSERT_TRUE(absl::StrContains(cad, safety));
  cad = absl::StrReplaceAll(cad, {{safety, safety + "    due_time: \"12:00\"\n"}});
  size_t from = cad.find("  - id: debt-weekly-scheduling");
  size_t to = cad.find("  - id: debt-monthly-scheduling");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  cad.erase(from, to - from);
  WriteFile(cadences_, cad);
  std::string acct = ReadFile(accountability_);
  std::string step1 = "      - when: {consecutive: 1}\n        action: {id: interview, name: 约谈, by_role: vice_mayor_in_charge}";
  ASSERT_TRUE(absl::StrContains(acct, step1));
  acct = absl::StrReplaceAll(acct, {{step1, "      - when: {consecutive: 1}\n        action: {id: interview, name: 约谈, by_role: mayor}"}});
  WriteFile(accountability_, acct);

  v1::ReloadRulesResponse r;
  grpc::Status s = Reload(&r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(std::vector<std::string>(r.cadences_removed().begin(), r.cadences_removed().end()),
            std::vector<std::string>{"debt-weekly-scheduling"});
  EXPECT_EQ(std::vector<std::string>(r.cadences_changed().begin(), r.cadences_changed().end()),
            std::vector<std::string>{"safety-weekly"});
  EXPECT_EQ(r.cadences_added_size(), 0);
  EXPECT_EQ(r.deadlines_moved(), 63);  // every reporter's open weekly safety report
  EXPECT_EQ(r.ladders(), 1);

  // The open obligation and its deadline timer moved to noon.
  weekly = Obligations("safety-weekly", "道林镇");
  ASSERT_EQ(weekly.size(), 1u);
  EXPECT_EQ(weekly[0].id(), weekly_id);
  EXPECT_EQ(Local(weekly[0].deadline()), "2023-03-23 12:00");

  // Open cases stay; a new ranking uses the new ladder.
  v1::RankingResponse mar = Enter("2023-03", "市水利局");
  ASSERT_EQ(mar.opened_size(), 1);
  EXPECT_EQ(mar.opened(0).by_role(), "mayor");
  {
    grpc::ClientContext ctx;
    v1::GetCaseRequest req;
    req.set_case_id(first_case);
    v1::AccountabilityCase c;
    ASSERT_TRUE(cases_->GetCase(&ctx, req, &c).ok());
    EXPECT_EQ(c.by_role(), "vice_mayor_in_charge");
    EXPECT_EQ(c.state(), v1::ACCOUNTABILITY_STATE_SCHEDULED);
  }

  // A week on: the safety report was missed at noon; no weekly debt
  // scheduling for Monday 27 March.
  {
    grpc::ClientContext ctx;
    v1::AdvanceClockRequest req;
    req.set_by("169h");
    v1::AdvanceClockResponse resp;
    ASSERT_TRUE(admin_->AdvanceClock(&ctx, req, &resp).ok());
  }
  weekly = Obligations("safety-weekly", "道林镇");
  ASSERT_EQ(weekly.size(), 2u);
  for (const auto& o : weekly) {
    EXPECT_TRUE(absl::EndsWith(Local(o.deadline()), "12:00")) << o.id();
    if (o.id() == weekly_id) {
      EXPECT_EQ(o.state(), v1::OBLIGATION_STATE_MISSED);
    }
  }
  EXPECT_EQ(Obligations("debt-weekly-scheduling", "城发集团").size(), 1u);

  // A file that does not load changes nothing.
  WriteFile(accountability_, acct + "\nnot_an_option: 1\n");
  s = Reload(&r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "accountability.yaml")) << s.error_message();
  EXPECT_EQ(Enter("2023-01", "市农业农村局").opened(0).by_role(), "mayor");

  // SIGHUP reloads as well: a first last place now goes to 纪检监察部门.
  WriteFile(accountability_,
        absl::StrReplaceAll(acct, {{"      - when: {consecutive: 1}\n        action: {id: interview, name: 约谈, by_role: mayor}",
                                    "      - when: {consecutive: 1}\n        action: {id: interview, name: 约谈, by_role: supervision_office}"}}));
  const int before = CountInFile(daemon_->log_path(), "rules reloaded");
  ASSERT_TRUE(daemon_->Signal(SIGHUP));
  auto deadline = std::chrono::steady_clock::now() + Scaled(std::chrono::seconds(30));
  while (CountInFile(daemon_->log_path(), "rules reloaded") == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(CountInFile(daemon_->log_path(), "rules reloaded"), before) << ReadFile(daemon_->log_path());
  grpc::ClientContext ctx;
  v1::RankingResponse resp;
  v1::EnterRankingRequest req = Ranking("2023-01", "市自然资源局");
  req.set_replace(true);
  ASSERT_TRUE(rankings_->EnterRanking(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.opened_size(), 1);
  EXPECT_EQ(resp.opened(0).by_role(), "supervision_office");

  // Every reload is on the audit trail: the SIGHUP's as the daemon's own
  // act, the RPC's (accepted and refused) as the caller's.
  auto audit = v1::AuditService::NewStub(daemon_->ChannelAs("auditadmin"));  // the trail is its to read
  auto entries = [&](const std::string& subject) {
    grpc::ClientContext actx;
    v1::ListAuditEntriesRequest areq;
    areq.mutable_filter()->set_subject(subject);
    areq.set_page_size(1000);
    v1::ListAuditEntriesResponse ares;
    grpc::Status st = audit->ListAuditEntries(&actx, areq, &ares);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return std::vector<v1::AuditEntry>(ares.entries().begin(), ares.entries().end());
  };
  std::vector<v1::AuditEntry> hup = entries("signal:SIGHUP");
  ASSERT_EQ(hup.size(), 1u);
  EXPECT_EQ(hup[0].command(), "rules.reload");
  EXPECT_EQ(hup[0].account(), "duband");
  EXPECT_EQ(hup[0].result_code(), 0);
  int accepted = 0, refused = 0;
  std::string token;
  do {
    grpc::ClientContext actx;
    v1::ListAuditEntriesRequest areq;
    areq.set_page_size(1000);
    areq.set_page_token(token);
    v1::ListAuditEntriesResponse ares;
    ASSERT_TRUE(audit->ListAuditEntries(&actx, areq, &ares).ok());
    for (const auto& e : ares.entries()) {
      if (e.command() != "duban.v1.AdminService/ReloadRules") continue;
      (e.result_code() == 0 ? accepted : refused)++;
    }
    token = ares.next_page_token();
  } while (!token.empty());
  EXPECT_GE(accepted, 1);
  EXPECT_EQ(refused, 1);  // the file that did not load
}

}  // namespace
}  // namespace duban
