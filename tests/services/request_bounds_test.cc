// Request bounds (services/request_bounds.h): every repeated field of every
// request of every duban.v1 service, at any depth, is refused past
// kMaxRepeatedEntries entries or kMaxRepeatedBytes in all; and duband applies
// the check to a real call before the engine's own, tighter limits.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "duban/v1/duban.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/request_bounds.h"
#include "tests/daemon_harness.h"

namespace duban {
namespace {

namespace pb = google::protobuf;
using testing::Daemon;
using testing::TempDir;

// One repeated field reachable from a request type: the chain of fields
// from the request down to it (every one before the last singular or,
// when repeated, entered through its first entry).
struct RepeatedPath {
  std::vector<const pb::FieldDescriptor*> chain;
  std::string Name() const {
    std::string s;
    for (size_t i = 0; i < chain.size(); ++i) {
      if (i > 0) s += chain[i - 1]->is_repeated() ? "[0]." : ".";
      s += chain[i]->name();
    }
    return s;
  }
};

void Collect(const pb::Descriptor* d, std::vector<const pb::FieldDescriptor*>* chain, std::set<const pb::Descriptor*>* open,
             std::vector<RepeatedPath>* out) {
  if (open->count(d) > 0) return;  // recursive types: once per chain
  open->insert(d);
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    chain->push_back(f);
    if (f->is_repeated() && !f->is_map()) out->push_back({*chain});
    if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map()) Collect(f->message_type(), chain, open, out);
    chain->pop_back();
  }
  open->erase(d);
}

// Adds n entries to the path's last field in *m (creating its parents);
// each string entry is `text`.
void Fill(pb::Message* m, const RepeatedPath& p, int n, const std::string& text) {
  for (size_t i = 0; i + 1 < p.chain.size(); ++i) {
    const pb::FieldDescriptor* f = p.chain[i];
    const pb::Reflection* r = m->GetReflection();
    m = f->is_repeated() ? (r->FieldSize(*m, f) > 0 ? r->MutableRepeatedMessage(m, f, 0) : r->AddMessage(m, f))
                         : r->MutableMessage(m, f);
  }
  const pb::FieldDescriptor* f = p.chain.back();
  const pb::Reflection* r = m->GetReflection();
  for (int i = 0; i < n; ++i) {
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING: r->AddString(m, f, text); break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: r->AddMessage(m, f); break;
      case pb::FieldDescriptor::CPPTYPE_ENUM: r->AddEnumValue(m, f, 0); break;
      case pb::FieldDescriptor::CPPTYPE_BOOL: r->AddBool(m, f, false); break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE: r->AddDouble(m, f, 0); break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT: r->AddFloat(m, f, 0); break;
      case pb::FieldDescriptor::CPPTYPE_INT32: r->AddInt32(m, f, 0); break;
      case pb::FieldDescriptor::CPPTYPE_INT64: r->AddInt64(m, f, 0); break;
      case pb::FieldDescriptor::CPPTYPE_UINT32: r->AddUInt32(m, f, 0); break;
      case pb::FieldDescriptor::CPPTYPE_UINT64: r->AddUInt64(m, f, 0); break;
    }
  }
}

// Every request type of every service duband serves.
std::vector<const pb::Descriptor*> RequestTypes() {
  const char* services[] = {"duban.v1.AuthService",       "duban.v1.OrgService",          "duban.v1.PlanService",
                            "duban.v1.TaskService",       "duban.v1.ReportService",       "duban.v1.NotificationService",
                            "duban.v1.SupervisionService", "duban.v1.RankingService",     "duban.v1.AccountabilityService",
                            "duban.v1.AssessmentService", "duban.v1.AdminService",        "duban.v1.EvidenceService",
                            "duban.v1.AuditService",      "duban.v1.ExportService",       "duban.v1.BriefingService",
                            "duban.v1.BulletinService"};
  std::vector<const pb::Descriptor*> out;
  std::set<const pb::Descriptor*> seen;
  for (const char* name : services) {
    const auto* s = pb::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (s == nullptr) continue;  // not every build links every service's code
    for (int i = 0; i < s->method_count(); ++i) {
      if (seen.insert(s->method(i)->input_type()).second) out.push_back(s->method(i)->input_type());
    }
  }
  return out;
}

TEST(RequestBoundsTest, EveryRepeatedFieldOfEveryRequestIsBoundedInCount) {
  auto types = RequestTypes();
  ASSERT_GT(types.size(), 20u) << "the services' descriptors are not linked in";
  std::set<std::string> checked;
  for (const pb::Descriptor* d : types) {
    std::vector<RepeatedPath> paths;
    std::vector<const pb::FieldDescriptor*> chain;
    std::set<const pb::Descriptor*> open;
    Collect(d, &chain, &open, &paths);
    for (const auto& p : paths) {
      SCOPED_TRACE(absl::StrCat(d->full_name(), " ", p.Name()));
      const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(d);
      ASSERT_NE(proto, nullptr);
      std::unique_ptr<pb::Message> at_limit(proto->New());
      Fill(at_limit.get(), p, kMaxRepeatedEntries, "x");
      EXPECT_TRUE(CheckRequestBounds(*at_limit).ok()) << CheckRequestBounds(*at_limit);
      std::unique_ptr<pb::Message> over(proto->New());
      Fill(over.get(), p, kMaxRepeatedEntries + 1, "x");
      absl::Status s = CheckRequestBounds(*over);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(s.message(), absl::StrCat(p.Name(), ": at most ", kMaxRepeatedEntries, " entries (got ",
                                          kMaxRepeatedEntries + 1, ")"));
      checked.insert(absl::StrCat(d->name(), ".", p.Name()));
    }
  }
  // Some of the fields the walk must reach, top-level and nested.
  for (const char* f : {"CreateTaskRequest.lead_units", "CreateTaskRequest.milestones", "SubmitReportRequest.evidence",
                        "ReportProgressRequest.report.indicator_values", "EnterRankingRequest.entries",
                        "CreateAccountRequest.roles[0].scope"}) {
    EXPECT_EQ(checked.count(f), 1u) << f << " was not reached; reached: " << absl::StrJoin(checked, " ");
  }
}

TEST(RequestBoundsTest, RepeatedStringsAreBoundedInBytes) {
  v1::CreateTaskRequest r;
  r.add_responsible_units(std::string(kMaxRepeatedBytes / 2, 'a'));
  r.add_responsible_units(std::string(kMaxRepeatedBytes / 2, 'b'));
  EXPECT_TRUE(CheckRequestBounds(r).ok());
  r.add_responsible_units("c");
  absl::Status s = CheckRequestBounds(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), absl::StrCat("responsible_units: at most ", kMaxRepeatedBytes, " bytes in all (got ",
                                      kMaxRepeatedBytes + 1, ")"));
}

TEST(RequestBoundsTest, NestedEntriesAreNamedByTheirPath) {
  v1::CreateTaskRequest r;
  r.add_milestones();
  r.add_milestones()->set_title("m");
  EXPECT_TRUE(CheckRequestBounds(r).ok());
}

class RequestBoundsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(tmp_.sub("data"));
    ASSERT_TRUE(daemon_->Start()) << "duband did not start; log: " << daemon_->log_path();
  }
  TempDir tmp_;
  std::unique_ptr<Daemon> daemon_;
};

// The engine allows at most 200 units on a task (validate.h); a request with
// 1,001 is refused by duband's bound before the engine runs, and one with a
// single huge unit name in a list past 1 MiB as well; nothing is created.
TEST_F(RequestBoundsE2eTest, DubandRefusesAnOverlongListBeforeTheEngineSeesIt) {
  auto stub = v1::TaskService::NewStub(daemon_->ChannelAs("office"));
  auto count = [&] {
    grpc::ClientContext ctx;
    v1::ListTasksRequest req;
    req.set_page_size(500);
    v1::ListTasksResponse res;
    EXPECT_TRUE(stub->ListTasks(&ctx, req, &res).ok());
    return res.tasks_size();
  };
  int before = count();
  v1::CreateTaskRequest req;
  req.mutable_meta()->set_request_id("bounds-1");
  req.set_campaign_id("safety");
  req.set_code("B1");
  req.set_title("bounded");
  req.set_due_date("2023-12-31");
  for (int i = 0; i <= kMaxRepeatedEntries; ++i) req.add_lead_units("市住建局");
  {
    grpc::ClientContext ctx;
    v1::CommandResponse res;
    grpc::Status s = stub->CreateTask(&ctx, req, &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message(), "lead_units: at most 1000 entries (got 1001)");
  }
  req.clear_lead_units();
  req.add_lead_units("市住建局");
  req.add_responsible_units(std::string(kMaxRepeatedBytes / 2 + 1, 'x'));
  req.add_responsible_units(std::string(kMaxRepeatedBytes / 2, 'y'));
  {
    grpc::ClientContext ctx;
    v1::CommandResponse res;
    grpc::Status s = stub->CreateTask(&ctx, req, &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StartsWith(s.error_message(), "responsible_units: at most 1048576 bytes in all"))
        << s.error_message();
  }
  // Past the receive limit, gRPC itself refuses the request.
  req.clear_responsible_units();
  req.set_text(std::string(kMaxRequestBytes + 1, 'z'));
  {
    grpc::ClientContext ctx;
    v1::CommandResponse res;
    grpc::Status s = stub->CreateTask(&ctx, req, &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  }
  EXPECT_EQ(count(), before);
}

}  // namespace
}  // namespace duban
