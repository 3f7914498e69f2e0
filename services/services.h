// The gRPC services: protobuf in, engine calls, protobuf out.
#ifndef DUBAN_SERVICES_SERVICES_H_
#define DUBAN_SERVICES_SERVICES_H_

#include <memory>
#include <string>

#include "duban/v1/duban.grpc.pb.h"
#include "engine/engine.h"

namespace duban {

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

}  // namespace duban

#endif  // DUBAN_SERVICES_SERVICES_H_
