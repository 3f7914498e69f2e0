// The list reads the web desk uses, narrowed on the server to what the
// logged-in account may see: account x list, checking the units of what each
// list answers (tests/auth_matrix_test.cc checks only the status codes).
//   unit contacts (市商务局 = swj, 市住建局 = zjj): only their own unit's
//     tasks, obligations, supervision items, cases and evidence files; a
//     list asked for another unit is PERMISSION_DENIED;
//   the leading-group office, the supervisor and the auditor: both units'.
// The data: each unit's task listed for supervision, a fatal accident of
// each (a case), the cadences' obligations, and a file on each task.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using testing::Daemon;
using testing::TempDir;
using Units = std::set<std::string>;

// One list read: as an account, with the unit filter (name; "" for none),
// the status and the set of units of what came back (each item's units).
using ListRead = std::function<grpc::Status(std::shared_ptr<grpc::Channel>, const std::string& unit, Units* seen)>;

ListRead Tasks() {
  return [](std::shared_ptr<grpc::Channel> ch, const std::string& unit, Units* seen) {
    grpc::ClientContext ctx;
    v1::ListTasksRequest req;
    req.set_unit(unit);
    req.set_page_size(500);
    v1::ListTasksResponse res;
    grpc::Status s = v1::TaskService::NewStub(ch)->ListTasks(&ctx, req, &res);
    for (const auto& t : res.tasks()) {
      // A task counts for a unit that leads or shares it.
      for (const auto& u : t.lead_unit_ids()) seen->insert(u);
      for (const auto& u : t.responsible_unit_ids()) seen->insert(u);
    }
    return s;
  };
}

ListRead Obligations() {
  return [](std::shared_ptr<grpc::Channel> ch, const std::string& unit, Units* seen) {
    grpc::ClientContext ctx;
    v1::ListObligationsRequest req;
    req.set_unit(unit);
    req.set_page_size(1000);
    v1::ListObligationsResponse res;
    grpc::Status s = v1::ReportService::NewStub(ch)->ListObligations(&ctx, req, &res);
    for (const auto& o : res.obligations()) seen->insert(o.unit_id());
    return s;
  };
}

ListRead Supervision() {
  return [](std::shared_ptr<grpc::Channel> ch, const std::string& unit, Units* seen) {
    grpc::ClientContext ctx;
    v1::ListSupervisionRequest req;
    req.set_unit(unit);
    v1::ListSupervisionResponse res;
    grpc::Status s = v1::SupervisionService::NewStub(ch)->ListSupervision(&ctx, req, &res);
    for (const auto& i : res.items()) seen->insert(i.responsible_unit_id());
    return s;
  };
}

ListRead Cases() {
  return [](std::shared_ptr<grpc::Channel> ch, const std::string& unit, Units* seen) {
    grpc::ClientContext ctx;
    v1::ListCasesRequest req;
    req.set_unit(unit);
    v1::ListCasesResponse res;
    grpc::Status s = v1::AccountabilityService::NewStub(ch)->ListCases(&ctx, req, &res);
    for (const auto& c : res.cases()) seen->insert(c.unit_id());
    return s;
  };
}

// Evidence files count by the tasks they are attached to (a task's file
// names all the task's units).
ListRead EvidenceTasks() {
  return [](std::shared_ptr<grpc::Channel> ch, const std::string& unit, Units* seen) {
    grpc::ClientContext ctx;
    v1::ListEvidenceRequest req;
    req.set_unit(unit);
    v1::ListEvidenceResponse res;
    grpc::Status s = v1::EvidenceService::NewStub(ch)->ListEvidence(&ctx, req, &res);
    for (const auto& f : res.files()) {
      for (const auto& a : f.attachments()) seen->insert(a.subject_id());
    }
    return s;
  };
}

struct Cell {
  const char* account;
  const char* own;  // the unit it is narrowed to; "" for an account that reads both units
};

class AuthNarrowingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.sub("data"));
    ASSERT_TRUE(daemon_->Start()) << daemon_->log_path();
  }

  // A safety task led by 市住建局: B's task (T1, 市商务局's, is A's).
  std::string TaskOfZjj() {
    grpc::ClientContext ctx;
    v1::ListTasksRequest req;
    req.set_unit("市住建局");
    req.set_page_size(500);
    v1::ListTasksResponse res;
    EXPECT_TRUE(v1::TaskService::NewStub(daemon_->ChannelAs("office"))->ListTasks(&ctx, req, &res).ok());
    for (const auto& t : res.tasks()) {
      if (t.lead_unit_ids_size() == 1 && t.lead_unit_ids(0) == "zjj" && t.responsible_unit_ids_size() == 0) {
        return t.id();
      }
    }
    return "";
  }

  void Escalate(const std::string& task) {
    grpc::ClientContext ctx;
    v1::EscalateRequest req;
    req.set_task_id(task);
    req.set_reason("督办");
    v1::SupervisionItem item;
    grpc::Status s = v1::SupervisionService::NewStub(daemon_->ChannelAs("supervisor"))->Escalate(&ctx, req, &item);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void Accident(const std::string& unit) {
    grpc::ClientContext ctx;
    v1::ReportIncidentRequest req;
    req.set_unit(unit);
    req.set_date("2023-03-18");
    req.set_kind("production_safety");
    req.set_deaths(1);
    v1::ReportIncidentResponse res;
    grpc::Status s =
        v1::AccountabilityService::NewStub(daemon_->ChannelAs("市安委办"))->ReportIncident(&ctx, req, &res);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The unit's contact reports on its task with a file.
  void ReportWithFile(const std::string& account, const std::string& task) {
    auto ch = daemon_->ChannelAs(account);
    v1::EvidenceFile file;
    {
      grpc::ClientContext ctx;
      auto w = v1::EvidenceService::NewStub(ch)->Upload(&ctx, &file);
      v1::UploadEvidenceRequest m;
      m.mutable_header()->set_file_name("现场.png");
      w->Write(m);
      m.set_chunk(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + account);
      w->Write(m);
      w->WritesDone();
      ASSERT_TRUE(w->Finish().ok());
    }
    auto tasks = v1::TaskService::NewStub(ch);
    {
      grpc::ClientContext ctx;
      v1::TaskRef req;
      req.set_task_id(task);
      v1::CommandResponse r;
      tasks->AcceptTask(&ctx, req, &r);  // already accepted is fine
    }
    grpc::ClientContext ctx;
    v1::ReportProgressRequest req;
    req.set_task_id(task);
    req.mutable_report()->set_work_done("推进");
    req.mutable_report()->add_evidence()->set_sha256(file.sha256());
    v1::CommandResponse r;
    grpc::Status s = tasks->ReportProgress(&ctx, req, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(AuthNarrowingTest, EachListAnswersOnlyTheAccountsOwnUnitToAUnit) {
  std::string b_task = TaskOfZjj();
  ASSERT_FALSE(b_task.empty()) << "no task led by 市住建局 alone";
  Escalate("T1");
  Escalate(b_task);
  Accident("市商务局");
  Accident("市住建局");
  ReportWithFile("市商务局", "T1");
  ReportWithFile("市住建局", b_task);
  if (HasFatalFailure()) return;

  const std::map<std::string, ListRead> lists = {
      {"ListTasks", Tasks()},           {"ListObligations", Obligations()}, {"ListSupervision", Supervision()},
      {"ListCases", Cases()}};
  const std::vector<Cell> cells = {
      {"市商务局", "swj"}, {"市住建局", "zjj"}, {"office", ""}, {"supervisor", ""}, {"auditor", ""}};
  const std::map<std::string, std::string> other = {{"swj", "市住建局"}, {"zjj", "市商务局"}};
  for (const auto& [name, read] : lists) {
    for (const auto& cell : cells) {
      SCOPED_TRACE(absl::StrCat(name, " as ", cell.account));
      auto ch = daemon_->ChannelAs(cell.account);
      Units seen;
      grpc::Status s = read(ch, "", &seen);
      ASSERT_TRUE(s.ok()) << s.error_message();
      std::string own = cell.own;
      if (!own.empty()) {
        // Its own unit's, and nothing that is another unit's alone (a task
        // or file it shares names the other units too).
        EXPECT_TRUE(seen.count(own)) << absl::StrJoin(seen, ",");
        if (name != "ListTasks") {
          EXPECT_EQ(seen, Units{own}) << absl::StrJoin(seen, ",");
        }
        // B's unit never shows up in A's lists, nor A's in B's: their tasks
        // are not shared in the data above.
        std::string theirs = own == "swj" ? "zjj" : "swj";
        if (name != "ListTasks") EXPECT_FALSE(seen.count(theirs)) << absl::StrJoin(seen, ",");
        Units none;
        grpc::Status refused = read(ch, other.at(own), &none);
        EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << refused.error_message();
      } else {
        EXPECT_TRUE(seen.count("swj") && seen.count("zjj")) << absl::StrJoin(seen, ",");
      }
    }
  }
  // Evidence lists filter file by file: another unit's files are left out
  // (with or without a unit filter), not refused.
  const std::map<std::string, std::pair<std::string, std::string>> files = {
      {"市商务局", {"T1", b_task}}, {"市住建局", {b_task, "T1"}}};
  for (const auto& [account, mine_theirs] : files) {
    SCOPED_TRACE(absl::StrCat("ListEvidence as ", account));
    for (const std::string unit : {"", "市商务局", "市住建局"}) {
      Units seen;
      grpc::Status s = EvidenceTasks()(daemon_->ChannelAs(account), unit, &seen);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_FALSE(seen.count(mine_theirs.second)) << unit << ": " << absl::StrJoin(seen, ",");
      if (unit.empty()) EXPECT_TRUE(seen.count(mine_theirs.first)) << absl::StrJoin(seen, ",");
    }
  }
  Units all;
  ASSERT_TRUE(EvidenceTasks()(daemon_->ChannelAs("office"), "", &all).ok());
  EXPECT_TRUE(all.count("T1") && all.count(b_task)) << absl::StrJoin(all, ",");
}

}  // namespace
}  // namespace duban
