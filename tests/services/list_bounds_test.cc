// Every answer of duband's API is bounded: for every RPC of every service
// in proto/duban/v1/*.proto, a response message with a repeated field
// (at its top level) must come in pages — its request carries page_token
// (and page_size, with next_page_token in the response) or reads after a
// position (after_version, after_seq) — unless the RPC is on the short
// allow-list below of answers bounded by construction. A new unbounded
// list therefore fails here until it is paginated or its bound is argued.
#include <dirent.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "duban/v1/audit_service.grpc.pb.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "duban/v1/office.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

namespace duban {
namespace {

namespace pb = google::protobuf;

// RPCs ("Service/Method") whose answer has a repeated field but no paging,
// each with why its size is bounded without it.
const std::map<std::string, std::string>& AllowList() {
  static const auto* list = new std::map<std::string, std::string>{
      // One record: its repeated fields are bounded by the request limits
      // (services/request_bounds.h) of the commands that wrote it.
      {"OrgService/ResolveUnit", "one unit, or the members of one named group"},
      {"OrgService/GetLeadingGroup", "one leading group: its members and offices"},
      {"PlanService/GetPlan", "one plan: its campaign ids"},
      {"PlanService/GetCampaign", "one campaign: its targets and units"},
      {"PlanService/ImportPlan", "changes made by one plan file, itself within the request limit"},
      {"TaskService/GetTask", "one task: its units and milestones"},
      {"TaskService/CreateTask", "one command: the task and the few events it wrote"},
      {"TaskService/AssignTask", "one command: the task and the few events it wrote"},
      {"TaskService/AcceptTask", "one command: the task and the few events it wrote"},
      {"TaskService/SendBackTask", "one command: the task and the few events it wrote"},
      {"TaskService/TransferTask", "one command: the task and the few events it wrote"},
      {"TaskService/ReportProgress", "one command: the task and the few events it wrote"},
      {"TaskService/RequestCompletion", "one command: the task and the few events it wrote"},
      {"TaskService/ReviewCompletion", "one command: the task and the few events it wrote"},
      {"TaskService/RequestExtension", "one command: the task and the few events it wrote"},
      {"TaskService/DecideExtension", "one command: the task and the few events it wrote"},
      {"TaskService/SuspendTask", "one command: the task and the few events it wrote"},
      {"TaskService/ResumeTask", "one command: the task and the few events it wrote"},
      {"TaskService/CancelTask", "one command: the task and the few events it wrote"},
      {"TaskService/ArchiveTask", "one command: the task and the few events it wrote"},
      {"RankingService/EnterRanking", "one ranking (within the request limit) and the cases it opened, one per rule"},
      {"RankingService/ComputeScorecard", "one board's ranking of its configured members and the cases it opened"},
      {"RankingService/GetRanking", "one ranking of one board's configured members"},
      {"AccountabilityService/ReportIncident", "the cases one incident opened, one per configured rule"},
      {"AccountabilityService/RecordNoticeProblem", "the cases one notice problem opened, one per configured rule"},
      {"AccountabilityService/Hold", "one case: its commitments (within the request limit)"},
      {"AccountabilityService/FollowUp", "one case: its follow-ups and evidence"},
      {"AccountabilityService/Close", "one case"},
      {"AccountabilityService/GetCase", "one case"},
      {"AssessmentService/Evaluate", "one unit's result over one configured table"},
      {"AdminService/ReloadRules", "rule ids of the configuration files, which an operator writes"},
      {"EvidenceService/Upload", "one file, not yet attached"},
      // Documents of one period, read whole. Their lists grow with the size
      // of the plan (its tasks, units and open supervision items), so each
      // is cut to kMaxDocumentEntries and the document to kMaxDocumentBytes
      // (FitDocument, engine/storage/paging.h), with the entries left out
      // counted in left_out.
      {"BulletinService/MonthlyBulletin", "one month's bulletin, bounded by FitDocument"},
      {"BriefingService/EditBriefing", "one period's briefing, bounded by FitDocument"},
      {"BriefingService/PublishBriefing", "one period's briefing, bounded by FitDocument"},
  };
  return *list;
}

// Every .proto of the API, by name as the generated pool knows it.
std::vector<std::string> ApiProtoFiles() {
  std::vector<std::string> out;
  DIR* d = ::opendir(DUBAN_SOURCE_DIR "/proto/duban/v1");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (absl::EndsWith(name, ".proto")) out.push_back(absl::StrCat("duban/v1/", name));
  }
  ::closedir(d);
  return out;
}

bool HasField(const pb::Descriptor* d, const char* name) { return d->FindFieldByName(name) != nullptr; }

std::vector<std::string> RepeatedFields(const pb::Descriptor* d) {
  std::vector<std::string> out;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->is_repeated()) out.push_back(d->field(i)->name());
  }
  return out;
}

struct Walk {
  std::vector<std::string> methods;      // every "Service/Method"
  std::vector<std::string> unbounded;    // not paginated, not allowed, with its repeated fields
  std::vector<std::string> inconsistent; // paginated by page_token without page_size or next_page_token
  std::set<std::string> allowed_used;
};

// Touches one message of each file, so that the linker keeps every file's
// descriptors (the pool knows only the files linked in).
void LinkApi() {
  for (const pb::Descriptor* d :
       {v1::ListUnitsRequest::descriptor(), v1::ListAccountsRequest::descriptor(),
        v1::ListEvidenceRequest::descriptor(), v1::ListAuditCheckpointsRequest::descriptor(),
        v1::ListBriefingsRequest::descriptor(), v1::Briefing::descriptor(), v1::Task::descriptor(),
        v1::AuditEntry::descriptor()}) {
    (void)d;
  }
}

Walk WalkApi() {
  LinkApi();
  Walk w;
  for (const std::string& file : ApiProtoFiles()) {
    const pb::FileDescriptor* f = pb::DescriptorPool::generated_pool()->FindFileByName(file);
    if (f == nullptr) {
      w.unbounded.push_back(absl::StrCat(file, ": not linked into this test; add its header above"));
      continue;
    }
    for (int s = 0; s < f->service_count(); ++s) {
      const pb::ServiceDescriptor* service = f->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        std::string name = absl::StrCat(service->name(), "/", method->name());
        w.methods.push_back(name);
        const pb::Descriptor* req = method->input_type();
        const pb::Descriptor* res = method->output_type();
        std::vector<std::string> repeated = RepeatedFields(res);
        if (HasField(req, "page_token") && (!HasField(req, "page_size") || !HasField(res, "next_page_token"))) {
          w.inconsistent.push_back(name);
        }
        if (repeated.empty()) continue;
        bool paged = HasField(req, "page_token") || HasField(req, "after_version") || HasField(req, "after_seq");
        if (paged) continue;
        if (AllowList().count(name) > 0) {
          w.allowed_used.insert(name);
          continue;
        }
        w.unbounded.push_back(absl::StrCat(name, " (", res->name(), ": ", absl::StrJoin(repeated, ", "), ")"));
      }
    }
  }
  return w;
}

TEST(ListBoundsTest, EveryResponseWithARepeatedFieldIsPaginatedOrBoundedByConstruction) {
  Walk w = WalkApi();
  ASSERT_GT(w.methods.size(), 60u) << "the API's descriptors are not all linked in: " << absl::StrJoin(w.methods, " ");
  EXPECT_TRUE(w.unbounded.empty()) << "answers that can grow without a page: " << absl::StrJoin(w.unbounded, "; ");
}

TEST(ListBoundsTest, EveryPageTokenComesWithAPageSizeAndANextPageToken) {
  Walk w = WalkApi();
  EXPECT_TRUE(w.inconsistent.empty()) << absl::StrJoin(w.inconsistent, "; ");
}

TEST(ListBoundsTest, EveryAllowListEntryIsStillNeeded) {
  // An entry for an RPC that is gone or now paginated hides nothing, so it goes.
  Walk w = WalkApi();
  std::vector<std::string> stale;
  for (const auto& [name, why] : AllowList()) {
    EXPECT_FALSE(why.empty()) << name;
    if (w.allowed_used.count(name) == 0) stale.push_back(name);
  }
  EXPECT_TRUE(stale.empty()) << "allow-list entries no longer needed: " << absl::StrJoin(stale, ", ");
}

TEST(ListBoundsTest, TheNewlyPaginatedListsAreRecognisedAsPaginated) {
  // The walk sees the paging fields of the lists this rule made paginated.
  Walk w = WalkApi();
  for (const char* name : {"OrgService/ListUnits", "OrgService/ListPeople", "OrgService/ListTaskForces",
                           "PlanService/ListPlans", "PlanService/ListCampaigns", "ReportService/ListUnitScores",
                           "EvidenceService/ListEvidence", "AuthService/ListAccounts", "AssessmentService/EvaluateAll",
                           "AuditService/ListAuditCheckpoints"}) {
    EXPECT_NE(std::find(w.methods.begin(), w.methods.end(), name), w.methods.end()) << name;
    EXPECT_EQ(AllowList().count(name), 0u) << name;
    for (const auto& u : w.unbounded) EXPECT_FALSE(absl::StartsWith(u, absl::StrCat(name, " "))) << u;
  }
}

}  // namespace
}  // namespace duban
