// Acknowledged commands survive SIGKILL: every command duband answered OK is
// found after a restart, and nothing else is. Under mixed load (task
// reports, report obligations, supervision steps, timers firing as the
// clock moves) duband is killed again and again; after each restart the
// client's own record is checked: nothing acknowledged lost, nothing applied
// twice, no timer fired twice.
//
// The suite runs 3 kills; the long form: durability_test --kill_cycles=10
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/storage/outbox.h"
#include "engine/storage/store.h"

#include "duban/v1/duban.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

using testing::Daemon;
using testing::DeadlineIn;
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

int g_kill_cycles = 3;

// What the client sent and what it was told, per subject.
struct ClientRecord {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> acked;    // subject -> texts answered OK
  std::map<std::string, std::vector<std::string>> unknown;  // sent, no answer (the kill)
  void Note(const std::string& subject, const std::string& text, const grpc::Status& s) {
    std::lock_guard<std::mutex> l(mu);
    if (s.ok()) {
      acked[subject].push_back(text);
    } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::CANCELLED ||
               s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED || s.error_code() == grpc::StatusCode::UNKNOWN ||
               s.error_code() == grpc::StatusCode::INTERNAL) {
      unknown[subject].push_back(text);  // may or may not have been applied
    }
    // Any other error is a refusal: nothing was applied.
  }
};

// Every acknowledged text is seen exactly once; an unanswered one at most once.
void CheckRecord(const std::string& what, ClientRecord& rec,
                 const std::function<std::multiset<std::string>(const std::string&)>& seen_for) {
  int checked = 0;
  for (const auto& [subject, texts] : rec.acked) {
    std::multiset<std::string> seen = seen_for(subject);
    for (const auto& t : texts) {
      ++checked;
      EXPECT_EQ(seen.count(t), 1u) << what << " " << subject << ": acknowledged '" << t << "' seen " << seen.count(t)
                                   << " times";
    }
    auto it = rec.unknown.find(subject);
    if (it == rec.unknown.end()) continue;
    for (const auto& t : it->second) EXPECT_LE(seen.count(t), 1u) << what << " " << subject << ": '" << t << "'";
  }
  EXPECT_GT(checked, 0) << what << ": no command was acknowledged";
}

TEST(DurabilityTest, SigkillUnderMixedLoadLosesNothingAndAppliesNothingTwice) {
  TempDir dir;
  Daemon daemon(dir.sub("data"));
  ASSERT_TRUE(daemon.Start()) << daemon.log_path();
  constexpr int kTaskClients = 3, kObligationClients = 2, kSupervisionClients = 2;
  // Setup: accepted tasks, pending obligations (the cadences generate them
  // as the clock moves), supervision items.
  std::map<std::string, std::string> leads;  // task id -> its lead unit, whose contact acts on it
  {
    auto tasks = v1::TaskService::NewStub(daemon.channel());
    for (int i = 1; i <= 12; ++i) {
      grpc::ClientContext gctx;
      v1::GetTaskRequest get;
      get.set_task_id("T" + std::to_string(i));
      v1::Task t;
      ASSERT_TRUE(tasks->GetTask(&gctx, get, &t).ok());
      grpc::ClientContext ctx;
      v1::TaskRef ref;
      ref.set_task_id("T" + std::to_string(i));
      leads[t.id()] = t.lead_unit_ids(0);
      ref.mutable_meta()->set_actor(t.lead_unit_ids(0));  // the lead unit's contact (tests/data/accounts.yaml)
      v1::CommandResponse res;
      ASSERT_TRUE(tasks->AcceptTask(&ctx, ref, &res).ok());
    }
  }
  std::vector<std::string> obligations, items;
  // The accounts the load acts as.
  std::set<std::string> load_accounts = {"office", "supervisor", "市应急管理局"};
  for (const auto& [task, lead] : leads) load_accounts.insert(lead);
  {
    auto admin = v1::AdminService::NewStub(daemon.ChannelAs("sysadmin"));
    grpc::ClientContext actx;
    v1::AdvanceClockRequest areq;
    areq.set_by("168h");
    v1::AdvanceClockResponse ares;
    ASSERT_TRUE(admin->AdvanceClock(&actx, areq, &ares).ok());
    auto reports = v1::ReportService::NewStub(daemon.channel());
    grpc::ClientContext ctx;
    v1::ListObligationsRequest req;
    req.set_state(v1::OBLIGATION_STATE_PENDING);
    v1::ListObligationsResponse res;
    ASSERT_TRUE(reports->ListObligations(&ctx, req, &res).ok());
    for (const auto& o : res.obligations()) {
      if (static_cast<int>(obligations.size()) < kObligationClients) {
        obligations.push_back(o.id());
        load_accounts.insert(o.unit_id());
      }
    }
    ASSERT_EQ(static_cast<int>(obligations.size()), kObligationClients) << "too few pending obligations";
    auto sup = v1::SupervisionService::NewStub(daemon.channel());
    for (int i = 0; i < kSupervisionClients; ++i) {
      grpc::ClientContext sctx;
      v1::ListForSupervisionRequest sreq;
      sreq.mutable_meta()->set_actor("supervisor");
      sreq.set_subject_kind(v1::SUPERVISION_SUBJECT_HAZARD);
      sreq.set_title("隐患整改 " + std::to_string(i + 1));
      sreq.set_level(1);
      sreq.set_responsible_unit("市应急管理局");
      sreq.set_hazard_list("一单四制");
      v1::SupervisionItem item;
      grpc::Status st = sup->ListForSupervision(&sctx, sreq, &item);
      ASSERT_TRUE(st.ok()) << st.error_message();
      items.push_back(item.id());
    }
  }

  ClientRecord task_rec, obligation_rec, supervision_rec;
  std::mt19937 rng(20230320);
  int serial = 0;
  for (int cycle = 0; cycle < g_kill_cycles; ++cycle) {
    // Each account logs in before the load (sessions end with the daemon,
    // and a login is slow on purpose): the window before the kill is then
    // spent on commands, even on a slow machine.
    for (const auto& a : load_accounts) {
      std::string err;
      ASSERT_FALSE(daemon.Login(a, &err).empty()) << err;
    }
    std::atomic<bool> killed{false};
    auto ch = daemon.channel();
    std::vector<std::thread> clients;
    auto next_text = [&](const std::string& who) {
      static std::mutex mu;
      std::lock_guard<std::mutex> l(mu);
      return absl::StrCat(who, "-", cycle, "-", serial++);
    };
    for (int c = 0; c < kTaskClients; ++c) {
      clients.emplace_back([&, c] {
        auto tasks = v1::TaskService::NewStub(ch);
        for (int i = 0; !killed.load(); ++i) {
          std::string id = "T" + std::to_string(1 + c + kTaskClients * (i % 4));
          std::string text = next_text("task");
          grpc::ClientContext ctx;
          ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
          v1::ReportProgressRequest req;
          req.set_task_id(id);
          req.mutable_meta()->set_actor(leads.at(id));
          req.mutable_report()->set_work_done(text);
          v1::CommandResponse res;
          task_rec.Note(id, text, tasks->ReportProgress(&ctx, req, &res));
        }
      });
    }
    for (int c = 0; c < kObligationClients; ++c) {
      clients.emplace_back([&, c] {
        auto reports = v1::ReportService::NewStub(ch);
        const std::string& id = obligations[c];
        while (!killed.load()) {
          // The state decides the next step (the answer to the last one
          // may have been lost in the kill).
          grpc::ClientContext gctx;
          v1::GetObligationRequest greq;
          greq.set_obligation_id(id);
          v1::Obligation o;
          if (!reports->GetObligation(&gctx, greq, &o).ok()) continue;
          std::string text = next_text("obligation");
          grpc::ClientContext ctx;
          ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
          v1::Obligation res;
          grpc::Status st;
          if (o.state() == v1::OBLIGATION_STATE_SUBMITTED) {
            v1::ReviewReportRequest req;
            req.mutable_meta()->set_actor("office");  // the leading-group office reviews
            req.set_obligation_id(id);
            req.set_decision(v1::REVIEW_DECISION_RETURN);
            req.set_reason(text);
            st = reports->ReviewReport(&ctx, req, &res);
          } else {
            v1::SubmitReportRequest req;
            req.mutable_meta()->set_actor(o.unit_id());
            req.set_obligation_id(id);
            req.set_text(text);
            st = reports->SubmitReport(&ctx, req, &res);
          }
          obligation_rec.Note(id, text, st);
        }
      });
    }
    for (int c = 0; c < kSupervisionClients; ++c) {
      clients.emplace_back([&, c] {
        auto sup = v1::SupervisionService::NewStub(ch);
        const std::string& id = items[c];
        while (!killed.load()) {
          grpc::ClientContext gctx;
          v1::GetSupervisionRequest greq;
          greq.set_item_id(id);
          v1::SupervisionItem item;
          if (!sup->GetSupervision(&gctx, greq, &item).ok()) continue;
          std::string text = next_text("supervision");
          grpc::ClientContext ctx;
          ctx.set_deadline(DeadlineIn(std::chrono::seconds(30)));
          v1::SupervisionStepRequest req;
          req.set_item_id(id);
          req.set_text(text);
          if (item.state() == v1::SUPERVISION_STATE_RECTIFICATION_REPORTED) {
            req.mutable_meta()->set_actor("supervisor");
            req.set_action(v1::SUPERVISION_ACTION_RETURN);
          } else {
            req.mutable_meta()->set_actor("市应急管理局");
            req.set_action(v1::SUPERVISION_ACTION_REPORT_RECTIFICATION);
          }
          v1::SupervisionItem res;
          supervision_rec.Note(id, text, sup->Step(&ctx, req, &res));
        }
      });
    }
    // Timers: the clock moves a day at a time, firing what falls due.
    clients.emplace_back([&] {
      auto admin = v1::AdminService::NewStub(daemon.ChannelAs("sysadmin"));
      while (!killed.load()) {
        grpc::ClientContext ctx;
        ctx.set_deadline(DeadlineIn(std::chrono::seconds(60)));
        v1::AdvanceClockRequest req;
        req.set_by("24h");
        v1::AdvanceClockResponse res;
        admin->AdvanceClock(&ctx, req, &res);
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
    killed.store(true);
    daemon.Kill(SIGKILL);
    for (auto& t : clients) t.join();
    ASSERT_TRUE(daemon.Start()) << "cycle " << cycle << ": " << daemon.log_path();
  }

  // The client's record against the restarted daemon.
  auto ch = daemon.channel();
  CheckRecord("task", task_rec, [&](const std::string& id) {
    auto tasks = v1::TaskService::NewStub(ch);
    grpc::ClientContext ctx;
    v1::HistoryRequest req;
    req.set_task_id(id);
    v1::HistoryResponse res;
    EXPECT_TRUE(tasks->History(&ctx, req, &res).ok()) << id;
    std::multiset<std::string> seen;
    for (const auto& e : res.events()) seen.insert(e.report().work_done());
    return seen;
  });
  CheckRecord("obligation", obligation_rec, [&](const std::string& id) {
    auto reports = v1::ReportService::NewStub(ch);
    grpc::ClientContext ctx;
    v1::ObligationHistoryRequest req;
    req.set_obligation_id(id);
    v1::ObligationHistoryResponse res;
    EXPECT_TRUE(reports->ObligationHistory(&ctx, req, &res).ok()) << id;
    std::multiset<std::string> seen;
    for (const auto& e : res.events()) seen.insert(e.text());
    return seen;
  });
  CheckRecord("supervision", supervision_rec, [&](const std::string& id) {
    auto sup = v1::SupervisionService::NewStub(ch);
    grpc::ClientContext ctx;
    v1::SupervisionHistoryRequest req;
    req.set_item_id(id);
    v1::SupervisionHistoryResponse res;
    EXPECT_TRUE(sup->History(&ctx, req, &res).ok()) << id;
    std::multiset<std::string> seen;
    for (const auto& e : res.events()) seen.insert(e.text());
    return seen;
  });

  // No timer fired twice: each firing leaves its notifications once.
  daemon.Kill(SIGTERM);
  auto store = Store::Open(dir.sub("data"));
  ASSERT_TRUE(store.ok()) << store.status();
  Outbox outbox(store->get());
  ASSERT_TRUE(outbox.Init().ok());
  std::map<std::string, int> fired;
  uint64_t after = 0;
  int timer_notes = 0;
  while (true) {
    auto batch = outbox.ReadAll(after, 5000).value();
    if (batch.empty()) break;
    for (const auto& n : batch) {
      after = n.seq();
      if (n.timer_id().empty()) continue;
      ++timer_notes;
      ++fired[absl::StrCat(n.timer_id(), "|", n.recipient(), "|", n.subject_id(), "|", n.kind(), "|",
                           n.due().seconds())];
    }
  }
  EXPECT_GT(timer_notes, 0) << "no timer fired; the test proves nothing about timers";
  for (const auto& [key, n] : fired) EXPECT_EQ(n, 1) << "timer notification " << key << " sent " << n << " times";
}

}  // namespace
}  // namespace duban

// --kill_cycles=N: how many times the mixed-load test kills duband (the
// suite's short form runs 3; the long form 10).
int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--kill_cycles=", 14) == 0) duban::g_kill_cycles = std::atoi(argv[i] + 14);
  }
  return RUN_ALL_TESTS();
}
