// Evidence files (佐证材料) on the other subjects that carry them: an
// obligation's submission, a supervision item's rectification report and an
// accountability case's follow-up. For each: the command references the
// file in its batch, the subject's history shows it, lists per unit, period
// (and task, for an item about a task) include it, the file's owner and
// those who may see the subject download it, another unit is refused, and
// an unknown file is refused naming the field.
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"
#include "tests/gateway_client.h"

namespace duban {
namespace {

using testing::BinaryPath;
using testing::Daemon;
using testing::TempDir;

const std::string kUnknownSha(64, 'a');

class EvidenceSubjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"));
    ASSERT_TRUE(daemon_->Start()) << daemon_->log_path();
  }

  std::shared_ptr<grpc::Channel> As(const std::string& account) { return daemon_->ChannelAs(account); }

  // Uploads a small PNG as account; its reference.
  v1::EvidenceRef Upload(const std::string& account, const std::string& name) {
    return testing::UploadSmallPng(As(account), name);
  }

  // Downloads the file as account: the status, and the content on success.
  grpc::Status Download(const std::string& account, const std::string& sha, std::string* content = nullptr) {
    auto stub = v1::EvidenceService::NewStub(As(account));
    grpc::ClientContext ctx;
    v1::DownloadEvidenceRequest req;
    req.set_sha256(sha);
    auto r = stub->Download(&ctx, req);
    v1::DownloadEvidenceResponse part;
    std::string got;
    while (r->Read(&part)) got += part.chunk();
    grpc::Status s = r->Finish();
    if (content != nullptr) *content = got;
    return s;
  }

  // Whether ListEvidence with the filter, as account, lists the file.
  bool Listed(const std::string& account, v1::ListEvidenceRequest req, const std::string& sha) {
    auto stub = v1::EvidenceService::NewStub(As(account));
    grpc::ClientContext ctx;
    v1::ListEvidenceResponse res;
    grpc::Status s = stub->ListEvidence(&ctx, req, &res);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& f : res.files()) {
      if (f.sha256() == sha) return true;
    }
    return false;
  }

  void ExpectOwnerAndSubjectSeeItOthersDoNot(const std::string& owner, const std::string& sha) {
    std::string content;
    grpc::Status mine = Download(owner, sha, &content);
    EXPECT_TRUE(mine.ok()) << mine.error_message();
    EXPECT_TRUE(absl::StartsWith(content, "\x89PNG"));
    EXPECT_TRUE(Download("市商务局", sha).ok());  // the subject's unit
    EXPECT_TRUE(Download("office", sha).ok());    // reads everything
    grpc::Status other = Download("市住建局", sha);
    EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED) << other.error_message();
    EXPECT_TRUE(absl::StrContains(other.error_message(), "sha256")) << other.error_message();
    v1::ListEvidenceRequest by_unit;
    by_unit.set_unit("市商务局");
    by_unit.set_period("2023-03");
    EXPECT_TRUE(Listed(owner, by_unit, sha));
    by_unit.set_unit("");
    EXPECT_FALSE(Listed("市住建局", by_unit, sha));
  }

  // An obligation of 市商务局 it may submit; "" when none.
  std::string OpenObligation() {
    auto reports = v1::ReportService::NewStub(As("市商务局"));
    grpc::ClientContext ctx;
    v1::ListObligationsRequest req;
    req.set_page_size(1000);
    v1::ListObligationsResponse res;
    EXPECT_TRUE(reports->ListObligations(&ctx, req, &res).ok());
    for (const auto& o : res.obligations()) {
      if (o.unit_id() == "swj" &&
          (o.state() == v1::OBLIGATION_STATE_PENDING || o.state() == v1::OBLIGATION_STATE_MISSED)) {
        return o.id();
      }
    }
    return "";
  }

  // The files of the obligation's last event.
  std::vector<std::string> LastEventFiles(const std::string& id) {
    auto reports = v1::ReportService::NewStub(As("市商务局"));
    grpc::ClientContext ctx;
    v1::ObligationHistoryRequest hr;
    hr.set_obligation_id(id);
    v1::ObligationHistoryResponse h;
    EXPECT_TRUE(reports->ObligationHistory(&ctx, hr, &h).ok());
    std::vector<std::string> out;
    if (h.events_size() == 0) return out;
    for (const auto& r : h.events(h.events_size() - 1).evidence()) out.push_back(r.sha256());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(EvidenceSubjectsTest, ObligationSubmissionCarriesFiles) {
  auto reports = v1::ReportService::NewStub(As("市商务局"));
  std::string id = OpenObligation();
  ASSERT_FALSE(id.empty()) << "no open obligation of 市商务局";
  v1::SubmitReportRequest req;
  req.set_obligation_id(id);
  req.set_text("本周安全生产检查3次");
  {
    v1::SubmitReportRequest bad = req;
    bad.add_evidence()->set_sha256(kUnknownSha);
    grpc::ClientContext ctx;
    v1::Obligation o;
    grpc::Status s = reports->SubmitReport(&ctx, bad, &o);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
    EXPECT_TRUE(absl::StartsWith(s.error_message(), "evidence[0].sha256")) << s.error_message();
  }
  // Another unit's upload is not the submitter's to reference.
  v1::EvidenceRef foreign = Upload("市住建局", "别人的.png");
  {
    v1::SubmitReportRequest bad = req;
    *bad.add_evidence() = foreign;
    grpc::ClientContext ctx;
    v1::Obligation o;
    grpc::Status s = reports->SubmitReport(&ctx, bad, &o);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
    EXPECT_TRUE(absl::StartsWith(s.error_message(), "evidence[0].sha256")) << s.error_message();
  }
  v1::EvidenceRef ref = Upload("市商务局", "检查记录.png");
  *req.add_evidence() = ref;
  {
    grpc::ClientContext ctx;
    v1::Obligation o;
    grpc::Status s = reports->SubmitReport(&ctx, req, &o);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(o.state(), v1::OBLIGATION_STATE_SUBMITTED);
  }
  {
    grpc::ClientContext ctx;
    v1::ObligationHistoryRequest hr;
    hr.set_obligation_id(id);
    v1::ObligationHistoryResponse h;
    ASSERT_TRUE(reports->ObligationHistory(&ctx, hr, &h).ok());
    ASSERT_GT(h.events_size(), 0);
    const auto& last = h.events(h.events_size() - 1);
    EXPECT_EQ(last.kind(), "submitted");
    ASSERT_EQ(last.evidence_size(), 1);
    EXPECT_EQ(last.evidence(0).sha256(), ref.sha256());
    EXPECT_EQ(last.evidence(0).file_name(), "检查记录.png");
    EXPECT_EQ(last.evidence(0).content_type(), "image/png");
  }
  ExpectOwnerAndSubjectSeeItOthersDoNot("市商务局", ref.sha256());
}

TEST_F(EvidenceSubjectsTest, DubanctlObligationSubmitTakesEvidence) {
  std::string id = OpenObligation();
  ASSERT_FALSE(id.empty()) << "no open obligation of 市商务局";
  v1::EvidenceRef a = Upload("市商务局", "一.png");
  v1::EvidenceRef b = Upload("市商务局", "二.png");
  std::string cmd = absl::StrCat("DUBAN_TOKEN=", daemon_->Login("市商务局"), " ", BinaryPath("clients/dubanctl"),
                                 " --addr=", daemon_->address(), " obligation submit '", id,
                                 "' --text=本期已完成 --evidence=", a.sha256(), ",", b.sha256(), " 2>&1");
  std::string out;
  EXPECT_EQ(testing::RunCommand(cmd, &out), 0) << out;
  EXPECT_EQ(LastEventFiles(id), (std::vector<std::string>{a.sha256(), b.sha256()})) << out;
}

// The command line alone: upload a photo, report on a task with it, list
// the task's files, download it back; another unit's download is refused.
TEST_F(EvidenceSubjectsTest, DubanctlUploadsReportsListsAndDownloadsAFile) {
  std::string photo = dir_.sub("现场.png");
  const std::string content = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(200000, 'q');
  testing::WriteFile(photo, content);
  auto ctl = [&](const std::string& account, const std::string& args, std::string* out) {
    out->clear();
    return testing::RunCommand(absl::StrCat("DUBAN_TOKEN=", daemon_->Login(account), " ", BinaryPath("clients/dubanctl"),
                            " --addr=", daemon_->address(), " ", args, " 2>&1"),
               out);
  };
  std::string out;
  ASSERT_EQ(ctl("市商务局", "evidence upload '" + photo + "'", &out), 0) << out;
  std::string sha = out.substr(0, out.find(' '));
  ASSERT_EQ(sha.size(), 64u) << out;
  EXPECT_NE(out.find("200016 bytes"), std::string::npos) << out;
  EXPECT_NE(out.find("image/png"), std::string::npos) << out;
  EXPECT_NE(out.find("现场.png"), std::string::npos) << out;
  ASSERT_EQ(ctl("市商务局", "task accept T1", &out), 0) << out;
  ASSERT_EQ(ctl("市商务局", "task report T1 --work-done=开展促消费活动 --evidence=" + sha, &out), 0) << out;
  ASSERT_EQ(ctl("市商务局", "evidence list --task=T1", &out), 0) << out;
  EXPECT_NE(out.find(sha.substr(0, 12)), std::string::npos) << out;
  EXPECT_NE(out.find("task T1"), std::string::npos) << out;
  std::string back = dir_.sub("back.png");
  ASSERT_EQ(ctl("office", "evidence download " + sha + " -o '" + back + "'", &out), 0) << out;
  EXPECT_EQ(testing::ReadFile(back), content);
  EXPECT_EQ(ctl("市住建局", "evidence download " + sha + " -o -", &out), 1) << out;
  EXPECT_NE(out.find("PERMISSION_DENIED"), std::string::npos) << out;
  EXPECT_EQ(ctl("市商务局", "evidence upload '" + dir_.sub("missing.png") + "'", &out), 1) << out;
  EXPECT_NE(out.find("missing.png: cannot be read"), std::string::npos) << out;
}

TEST_F(EvidenceSubjectsTest, RectificationReportCarriesFiles) {
  std::string item_id;
  {
    auto sup = v1::SupervisionService::NewStub(As("supervisor"));
    grpc::ClientContext ctx;
    v1::EscalateRequest req;
    req.set_task_id("T1");
    req.set_reason("逾期未完成");
    v1::SupervisionItem item;
    grpc::Status s = sup->Escalate(&ctx, req, &item);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(item.responsible_unit_id(), "swj");
    item_id = item.id();
  }
  auto unit = v1::SupervisionService::NewStub(As("市商务局"));
  v1::EvidenceRef ref = Upload("市商务局", "整改照片.png");
  auto step = [&](v1::SupervisionAction action, const std::string& text, const std::vector<std::string>& shas) {
    grpc::ClientContext ctx;
    v1::SupervisionStepRequest req;
    req.set_item_id(item_id);
    req.set_action(action);
    req.set_text(text);
    for (const auto& s : shas) req.add_evidence()->set_sha256(s);
    v1::SupervisionItem out;
    return unit->Step(&ctx, req, &out);
  };
  // Only the rectification report carries files.
  grpc::Status start_with_file = step(v1::SUPERVISION_ACTION_START_RECTIFICATION, "", {ref.sha256()});
  EXPECT_EQ(start_with_file.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(start_with_file.error_message(), "evidence:")) << start_with_file.error_message();
  ASSERT_TRUE(step(v1::SUPERVISION_ACTION_START_RECTIFICATION, "", {}).ok());
  grpc::Status unknown = step(v1::SUPERVISION_ACTION_REPORT_RECTIFICATION, "已整改", {kUnknownSha});
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND) << unknown.error_message();
  EXPECT_TRUE(absl::StartsWith(unknown.error_message(), "evidence[0].sha256")) << unknown.error_message();
  grpc::Status ok = step(v1::SUPERVISION_ACTION_REPORT_RECTIFICATION, "已整改，附现场照片", {ref.sha256()});
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  {
    grpc::ClientContext ctx;
    v1::SupervisionHistoryRequest hr;
    hr.set_item_id(item_id);
    v1::SupervisionHistoryResponse h;
    ASSERT_TRUE(unit->History(&ctx, hr, &h).ok());
    ASSERT_GT(h.events_size(), 0);
    const auto& last = h.events(h.events_size() - 1);
    EXPECT_EQ(last.to_state(), v1::SUPERVISION_STATE_RECTIFICATION_REPORTED);
    ASSERT_EQ(last.evidence_size(), 1);
    EXPECT_EQ(last.evidence(0).file_name(), "整改照片.png");
  }
  ExpectOwnerAndSubjectSeeItOthersDoNot("市商务局", ref.sha256());
  // The item is about T1: the file is listed with the task.
  v1::ListEvidenceRequest by_task;
  by_task.set_task_id("T1");
  EXPECT_TRUE(Listed("市商务局", by_task, ref.sha256()));
  EXPECT_TRUE(Listed("supervisor", by_task, ref.sha256()));
}

TEST_F(EvidenceSubjectsTest, CaseFollowUpCarriesFiles) {
  auto acc = v1::AccountabilityService::NewStub(As("市安委办"));
  std::string case_id;
  {
    grpc::ClientContext ctx;
    v1::ReportIncidentRequest req;
    req.set_unit("市商务局");
    req.set_date("2023-03-18");
    req.set_kind("production_safety");
    req.set_deaths(1);
    v1::ReportIncidentResponse res;
    grpc::Status s = acc->ReportIncident(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_GE(res.opened_size(), 1);
    case_id = res.opened(0).id();
  }
  {
    grpc::ClientContext ctx;
    v1::HoldCaseRequest req;
    req.set_case_id(case_id);
    req.set_minutes("约谈市商务局主要负责人");
    req.add_commitments("一周内完成隐患整改");
    v1::AccountabilityCase c;
    grpc::Status s = acc->Hold(&ctx, req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::FollowUpCaseRequest req;
  req.set_case_id(case_id);
  req.set_follow_up("整改已完成，现场复核");
  {
    v1::FollowUpCaseRequest bad = req;
    bad.add_evidence()->set_sha256(kUnknownSha);
    grpc::ClientContext ctx;
    v1::AccountabilityCase c;
    grpc::Status s = acc->FollowUp(&ctx, bad, &c);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
    EXPECT_TRUE(absl::StartsWith(s.error_message(), "evidence[0].sha256")) << s.error_message();
  }
  v1::EvidenceRef ref = Upload("市安委办", "复核记录.png");
  *req.add_evidence() = ref;
  {
    grpc::ClientContext ctx;
    v1::AccountabilityCase c;
    grpc::Status s = acc->FollowUp(&ctx, req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(c.state(), v1::ACCOUNTABILITY_STATE_FOLLOWED_UP);
  }
  {
    grpc::ClientContext ctx;
    v1::CaseHistoryRequest hr;
    hr.set_case_id(case_id);
    v1::CaseHistoryResponse h;
    ASSERT_TRUE(acc->CaseHistory(&ctx, hr, &h).ok());
    ASSERT_GT(h.events_size(), 0);
    const auto& last = h.events(h.events_size() - 1);
    EXPECT_EQ(last.kind(), "followed_up");
    ASSERT_EQ(last.evidence_size(), 1);
    EXPECT_EQ(last.evidence(0).sha256(), ref.sha256());
  }
  ExpectOwnerAndSubjectSeeItOthersDoNot("市安委办", ref.sha256());
}

}  // namespace
}  // namespace duban
