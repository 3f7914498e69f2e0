// The gRPC services: protobuf in, engine calls, protobuf out.
#ifndef DUBAN_SERVICES_SERVICES_H_
#define DUBAN_SERVICES_SERVICES_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "duban/v1/duban.grpc.pb.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/assessment.h"
#include "engine/engine.h"
#include "engine/accountability/ranking.h"

namespace duban {

const char* DubanVersion();

// The engine's CommandMeta from a request's: the actor is the authenticated
// account (ResolveActor, field "meta.actor"); the request id is scoped to
// the account; the rest as given.
absl::StatusOr<CommandMeta> ToMeta(const grpc::ServerContext& ctx, const v1::CommandMeta& m);

class OrgServiceImpl final : public v1::OrgService::Service {
 public:
  explicit OrgServiceImpl(Engine* engine) : engine_(engine) {}
  grpc::Status ListUnits(grpc::ServerContext*, const v1::ListUnitsRequest*, v1::ListUnitsResponse*) override;
  grpc::Status ResolveUnit(grpc::ServerContext*, const v1::ResolveUnitRequest*, v1::ResolveUnitResponse*) override;
  grpc::Status ListPeople(grpc::ServerContext*, const v1::ListPeopleRequest*, v1::ListPeopleResponse*) override;
  grpc::Status GetLeadingGroup(grpc::ServerContext*, const v1::GetLeadingGroupRequest*, v1::LeadingGroup*) override;
  grpc::Status ListTaskForces(grpc::ServerContext*, const v1::ListTaskForcesRequest*,
                              v1::ListTaskForcesResponse*) override;

 private:
  Engine* engine_;
};

class PlanServiceImpl final : public v1::PlanService::Service {
 public:
  explicit PlanServiceImpl(Engine* engine) : engine_(engine) {}
  grpc::Status ImportPlan(grpc::ServerContext*, const v1::ImportPlanRequest*, v1::ImportPlanResponse*) override;
  grpc::Status ListPlans(grpc::ServerContext*, const v1::ListPlansRequest*, v1::ListPlansResponse*) override;
  grpc::Status GetPlan(grpc::ServerContext*, const v1::GetPlanRequest*, v1::Plan*) override;
  grpc::Status ListCampaigns(grpc::ServerContext*, const v1::ListCampaignsRequest*,
                             v1::ListCampaignsResponse*) override;
  grpc::Status GetCampaign(grpc::ServerContext*, const v1::GetCampaignRequest*, v1::Campaign*) override;

 private:
  Engine* engine_;
};

class TaskServiceImpl final : public v1::TaskService::Service {
 public:
  explicit TaskServiceImpl(Engine* engine) : engine_(engine) {}
  grpc::Status CreateTask(grpc::ServerContext*, const v1::CreateTaskRequest*, v1::CommandResponse*) override;
  grpc::Status AssignTask(grpc::ServerContext*, const v1::TaskRef*, v1::CommandResponse*) override;
  grpc::Status AcceptTask(grpc::ServerContext*, const v1::TaskRef*, v1::CommandResponse*) override;
  grpc::Status SendBackTask(grpc::ServerContext*, const v1::ReasonRequest*, v1::CommandResponse*) override;
  grpc::Status TransferTask(grpc::ServerContext*, const v1::TransferTaskRequest*, v1::CommandResponse*) override;
  grpc::Status ReportProgress(grpc::ServerContext*, const v1::ReportProgressRequest*, v1::CommandResponse*) override;
  grpc::Status RequestCompletion(grpc::ServerContext*, const v1::TaskRef*, v1::CommandResponse*) override;
  grpc::Status ReviewCompletion(grpc::ServerContext*, const v1::ReviewRequest*, v1::CommandResponse*) override;
  grpc::Status RequestExtension(grpc::ServerContext*, const v1::RequestExtensionRequest*,
                                v1::CommandResponse*) override;
  grpc::Status DecideExtension(grpc::ServerContext*, const v1::ReviewRequest*, v1::CommandResponse*) override;
  grpc::Status SuspendTask(grpc::ServerContext*, const v1::ReasonRequest*, v1::CommandResponse*) override;
  grpc::Status ResumeTask(grpc::ServerContext*, const v1::TaskRef*, v1::CommandResponse*) override;
  grpc::Status CancelTask(grpc::ServerContext*, const v1::ReasonRequest*, v1::CommandResponse*) override;
  grpc::Status ArchiveTask(grpc::ServerContext*, const v1::TaskRef*, v1::CommandResponse*) override;
  grpc::Status GetTask(grpc::ServerContext*, const v1::GetTaskRequest*, v1::Task*) override;
  grpc::Status ListTasks(grpc::ServerContext*, const v1::ListTasksRequest*, v1::ListTasksResponse*) override;
  grpc::Status History(grpc::ServerContext*, const v1::HistoryRequest*, v1::HistoryResponse*) override;

 private:
  grpc::Status Run(grpc::ServerContext* ctx, const v1::CommandMeta& meta, TaskCommandArgs args,
                   v1::CommandResponse* out);
  Engine* engine_;
};

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  explicit ReportServiceImpl(Engine* engine) : engine_(engine) {}
  grpc::Status ListObligations(grpc::ServerContext*, const v1::ListObligationsRequest*,
                               v1::ListObligationsResponse*) override;
  grpc::Status GetObligation(grpc::ServerContext*, const v1::GetObligationRequest*, v1::Obligation*) override;
  grpc::Status SubmitReport(grpc::ServerContext*, const v1::SubmitReportRequest*, v1::Obligation*) override;
  grpc::Status ReviewReport(grpc::ServerContext*, const v1::ReviewReportRequest*, v1::Obligation*) override;
  grpc::Status ObligationHistory(grpc::ServerContext*, const v1::ObligationHistoryRequest*,
                                 v1::ObligationHistoryResponse*) override;
  grpc::Status GetUnitScore(grpc::ServerContext*, const v1::GetUnitScoreRequest*, v1::UnitScore*) override;
  grpc::Status ListUnitScores(grpc::ServerContext*, const v1::ListUnitScoresRequest*,
                              v1::ListUnitScoresResponse*) override;

 private:
  Engine* engine_;
};

class NotificationServiceImpl final : public v1::NotificationService::Service {
 public:
  NotificationServiceImpl(Engine* engine, const std::atomic<bool>* stopping) : engine_(engine), stopping_(stopping) {}
  grpc::Status Watch(grpc::ServerContext*, const v1::WatchRequest*, grpc::ServerWriter<v1::Notification>*) override;
  grpc::Status Ack(grpc::ServerContext*, const v1::AckRequest*, v1::AckResponse*) override;
  grpc::Status ListNotifications(grpc::ServerContext*, const v1::ListNotificationsRequest*,
                                 v1::ListNotificationsResponse*) override;
  // Asked while a Watch streams: false (the caller's session was revoked or
  // expired) ends the stream with UNAUTHENTICATED.
  void set_session_check(std::function<bool(const std::string& session)> alive) { session_alive_ = std::move(alive); }

 private:
  absl::StatusOr<std::string> Recipient(const std::string& name) const;
  Engine* engine_;
  const std::atomic<bool>* stopping_;
  std::function<bool(const std::string&)> session_alive_;
};

class SupervisionServiceImpl final : public v1::SupervisionService::Service {
 public:
  explicit SupervisionServiceImpl(Engine* engine) : engine_(engine) {}
  grpc::Status ListForSupervision(grpc::ServerContext*, const v1::ListForSupervisionRequest*,
                                  v1::SupervisionItem*) override;
  grpc::Status Step(grpc::ServerContext*, const v1::SupervisionStepRequest*, v1::SupervisionItem*) override;
  grpc::Status Escalate(grpc::ServerContext*, const v1::EscalateRequest*, v1::SupervisionItem*) override;
  grpc::Status GetSupervision(grpc::ServerContext*, const v1::GetSupervisionRequest*, v1::SupervisionItem*) override;
  grpc::Status ListSupervision(grpc::ServerContext*, const v1::ListSupervisionRequest*,
                               v1::ListSupervisionResponse*) override;
  grpc::Status History(grpc::ServerContext*, const v1::SupervisionHistoryRequest*,
                       v1::SupervisionHistoryResponse*) override;

 private:
  Engine* engine_;
};

// Rankings and accountability cases (config/accountability.yaml). A null
// module means the daemon runs without that config: every call is then
// FAILED_PRECONDITION "accountability: not configured".
class RankingServiceImpl final : public v1::RankingService::Service {
 public:
  explicit RankingServiceImpl(Rankings* rankings) : rankings_(rankings) {}
  grpc::Status EnterRanking(grpc::ServerContext*, const v1::EnterRankingRequest*, v1::RankingResponse*) override;
  grpc::Status ComputeScorecard(grpc::ServerContext*, const v1::ComputeScorecardRequest*,
                                v1::RankingResponse*) override;
  grpc::Status GetRanking(grpc::ServerContext*, const v1::GetRankingRequest*, v1::Ranking*) override;
  grpc::Status ListRankings(grpc::ServerContext*, const v1::ListRankingsRequest*, v1::ListRankingsResponse*) override;

 private:
  Rankings* rankings_;
};

class AccountabilityServiceImpl final : public v1::AccountabilityService::Service {
 public:
  explicit AccountabilityServiceImpl(Accountability* accountability) : accountability_(accountability) {}
  grpc::Status ReportIncident(grpc::ServerContext*, const v1::ReportIncidentRequest*,
                              v1::ReportIncidentResponse*) override;
  grpc::Status RecordNoticeProblem(grpc::ServerContext*, const v1::RecordNoticeProblemRequest*,
                                   v1::RecordNoticeProblemResponse*) override;
  grpc::Status Hold(grpc::ServerContext*, const v1::HoldCaseRequest*, v1::AccountabilityCase*) override;
  grpc::Status FollowUp(grpc::ServerContext*, const v1::FollowUpCaseRequest*, v1::AccountabilityCase*) override;
  grpc::Status Close(grpc::ServerContext*, const v1::CloseCaseRequest*, v1::AccountabilityCase*) override;
  grpc::Status GetCase(grpc::ServerContext*, const v1::GetCaseRequest*, v1::AccountabilityCase*) override;
  grpc::Status ListCases(grpc::ServerContext*, const v1::ListCasesRequest*, v1::ListCasesResponse*) override;
  grpc::Status CaseHistory(grpc::ServerContext*, const v1::CaseHistoryRequest*, v1::CaseHistoryResponse*) override;

 private:
  Accountability* accountability_;
};

// Year-end assessment (config/demo/safety-assessment.yaml); null: every
// call is FAILED_PRECONDITION "assessment: not configured".
class AssessmentServiceImpl final : public v1::AssessmentService::Service {
 public:
  explicit AssessmentServiceImpl(Assessments* assessments) : assessments_(assessments) {}
  grpc::Status ReportFigures(grpc::ServerContext*, const v1::ReportFiguresRequest*,
                             v1::ReportFiguresResponse*) override;
  grpc::Status Evaluate(grpc::ServerContext*, const v1::EvaluateRequest*, v1::AssessmentResult*) override;
  grpc::Status EvaluateAll(grpc::ServerContext*, const v1::EvaluateAllRequest*, v1::EvaluateAllResponse*) override;

 private:
  Assessments* assessments_;
};

class BulletinServiceImpl final : public v1::BulletinService::Service {
 public:
  // accountability may be null (not configured): the bulletin has no cases.
  BulletinServiceImpl(Engine* engine, Accountability* accountability)
      : engine_(engine), accountability_(accountability) {}
  grpc::Status MonthlyBulletin(grpc::ServerContext*, const v1::MonthlyBulletinRequest*, v1::Bulletin*) override;

 private:
  Engine* engine_;
  Accountability* accountability_;
};

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  AdminServiceImpl(Engine* engine, std::string data_dir, std::function<void()> wake_timers)
      : engine_(engine), data_dir_(std::move(data_dir)), wake_timers_(std::move(wake_timers)) {}
  grpc::Status ServerInfo(grpc::ServerContext*, const v1::ServerInfoRequest*, v1::ServerInfoResponse*) override;
  grpc::Status AdvanceClock(grpc::ServerContext*, const v1::AdvanceClockRequest*, v1::AdvanceClockResponse*) override;
  grpc::Status ReloadRules(grpc::ServerContext*, const v1::ReloadRulesRequest*, v1::ReloadRulesResponse*) override;
  grpc::Status ListDeadTimers(grpc::ServerContext*, const v1::ListDeadTimersRequest*,
                              v1::ListDeadTimersResponse*) override;
  // What ReloadRules runs (services/rule_reload.h); unset: UNIMPLEMENTED.
  void SetReloader(std::function<absl::StatusOr<v1::ReloadRulesResponse>()> reload) { reload_ = std::move(reload); }

 private:
  Engine* engine_;
  std::string data_dir_;
  std::function<void()> wake_timers_;
  std::function<absl::StatusOr<v1::ReloadRulesResponse>()> reload_;
};

}  // namespace duban

#endif  // DUBAN_SERVICES_SERVICES_H_
