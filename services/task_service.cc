#include "absl/strings/str_cat.h"
#include "services/auth.h"
#include "services/services.h"
#include "services/status.h"
#include "services/visibility.h"

namespace duban {

namespace {

void Fill(CommandResult r, v1::CommandResponse* out) {
  *out->mutable_task() = std::move(r.task);
  for (auto& e : r.events) *out->add_events() = std::move(e);
  out->set_replayed(r.replayed);
}

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& in) {
  return {in.begin(), in.end()};
}

absl::StatusOr<v1::TaskCommand> Decide(v1::ReviewDecision d, v1::TaskCommand approve, v1::TaskCommand ret) {
  switch (d) {
    case v1::REVIEW_DECISION_APPROVE: return approve;
    case v1::REVIEW_DECISION_RETURN: return ret;
    default:
      return absl::InvalidArgumentError(absl::StrCat("decision: must be approve or return (got ", static_cast<int>(d), ")"));
  }
}

}  // namespace

grpc::Status TaskServiceImpl::Run(grpc::ServerContext* ctx, const v1::CommandMeta& m, TaskCommandArgs args,
                                  v1::CommandResponse* out) {
  auto meta = ToMeta(*ctx, m);
  if (!meta.ok()) return ToGrpc(meta.status());
  auto r = engine_->Execute(*meta, args);
  if (!r.ok()) return ToGrpc(r.status());
  Fill(std::move(*r), out);
  return grpc::Status::OK;
}

static TaskCommandArgs Args(const std::string& task_id, v1::TaskCommand c, const std::string& reason = "") {
  TaskCommandArgs a;
  a.task_id = task_id;
  a.command = c;
  a.reason = reason;
  return a;
}

grpc::Status TaskServiceImpl::CreateTask(grpc::ServerContext* ctx, const v1::CreateTaskRequest* req,
                                         v1::CommandResponse* out) {
  auto meta = ToMeta(*ctx, req->meta());
  if (!meta.ok()) return ToGrpc(meta.status());
  NewTask t;
  t.campaign_id = req->campaign_id();
  t.code = req->code();
  t.title = req->title();
  t.text = req->text();
  t.lead_units = Strings(req->lead_units());
  t.responsible_units = Strings(req->responsible_units());
  t.lead_leader = req->lead_leader();
  t.responsible_person = req->responsible_person();
  t.due_date = req->due_date();
  t.list_kind = req->list_kind() == v1::LIST_KIND_UNSPECIFIED ? v1::LIST_KIND_TASK : req->list_kind();
  t.milestones.assign(req->milestones().begin(), req->milestones().end());
  auto r = engine_->CreateTask(*meta, t);
  if (!r.ok()) return ToGrpc(r.status());
  Fill(std::move(*r), out);
  return grpc::Status::OK;
}

grpc::Status TaskServiceImpl::AssignTask(grpc::ServerContext* ctx, const v1::TaskRef* req, v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_ASSIGN), out);
}
grpc::Status TaskServiceImpl::AcceptTask(grpc::ServerContext* ctx, const v1::TaskRef* req, v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_ACCEPT), out);
}
grpc::Status TaskServiceImpl::SendBackTask(grpc::ServerContext* ctx, const v1::ReasonRequest* req,
                                           v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_SEND_BACK, req->reason()), out);
}
grpc::Status TaskServiceImpl::TransferTask(grpc::ServerContext* ctx, const v1::TransferTaskRequest* req,
                                           v1::CommandResponse* out) {
  TaskCommandArgs a = Args(req->task_id(), v1::TASK_COMMAND_TRANSFER);
  a.lead_units = Strings(req->lead_units());
  a.responsible_units = Strings(req->responsible_units());
  return Run(ctx, req->meta(), std::move(a), out);
}
grpc::Status TaskServiceImpl::ReportProgress(grpc::ServerContext* ctx, const v1::ReportProgressRequest* req,
                                             v1::CommandResponse* out) {
  TaskCommandArgs a = Args(req->task_id(), v1::TASK_COMMAND_REPORT_PROGRESS);
  a.report = req->report();
  return Run(ctx, req->meta(), std::move(a), out);
}
grpc::Status TaskServiceImpl::RequestCompletion(grpc::ServerContext* ctx, const v1::TaskRef* req,
                                                v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_REQUEST_COMPLETION), out);
}
grpc::Status TaskServiceImpl::ReviewCompletion(grpc::ServerContext* ctx, const v1::ReviewRequest* req,
                                               v1::CommandResponse* out) {
  auto c = Decide(req->decision(), v1::TASK_COMMAND_APPROVE_COMPLETION, v1::TASK_COMMAND_RETURN_COMPLETION);
  if (!c.ok()) return ToGrpc(c.status());
  return Run(ctx, req->meta(), Args(req->task_id(), *c, req->reason()), out);
}
grpc::Status TaskServiceImpl::RequestExtension(grpc::ServerContext* ctx, const v1::RequestExtensionRequest* req,
                                               v1::CommandResponse* out) {
  TaskCommandArgs a = Args(req->task_id(), v1::TASK_COMMAND_REQUEST_EXTENSION, req->reason());
  a.new_due_date = req->new_due_date();
  return Run(ctx, req->meta(), std::move(a), out);
}
grpc::Status TaskServiceImpl::DecideExtension(grpc::ServerContext* ctx, const v1::ReviewRequest* req,
                                              v1::CommandResponse* out) {
  auto c = Decide(req->decision(), v1::TASK_COMMAND_APPROVE_EXTENSION, v1::TASK_COMMAND_DENY_EXTENSION);
  if (!c.ok()) return ToGrpc(c.status());
  return Run(ctx, req->meta(), Args(req->task_id(), *c, req->reason()), out);
}
grpc::Status TaskServiceImpl::SuspendTask(grpc::ServerContext* ctx, const v1::ReasonRequest* req,
                                          v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_SUSPEND, req->reason()), out);
}
grpc::Status TaskServiceImpl::ResumeTask(grpc::ServerContext* ctx, const v1::TaskRef* req, v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_RESUME), out);
}
grpc::Status TaskServiceImpl::CancelTask(grpc::ServerContext* ctx, const v1::ReasonRequest* req,
                                         v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_CANCEL, req->reason()), out);
}
grpc::Status TaskServiceImpl::ArchiveTask(grpc::ServerContext* ctx, const v1::TaskRef* req, v1::CommandResponse* out) {
  return Run(ctx, req->meta(), Args(req->task_id(), v1::TASK_COMMAND_ARCHIVE), out);
}

grpc::Status TaskServiceImpl::GetTask(grpc::ServerContext* ctx, const v1::GetTaskRequest* req, v1::Task* out) {
  auto t = engine_->GetTask(req->task_id());
  if (!t.ok()) return ToGrpc(t.status());
  if (absl::Status s = CheckCallerMaySeeTask(*ctx, *engine_, *t); !s.ok()) return ToGrpc(s);
  *out = std::move(*t);
  return grpc::Status::OK;
}

grpc::Status TaskServiceImpl::ListTasks(grpc::ServerContext* ctx, const v1::ListTasksRequest* req,
                                        v1::ListTasksResponse* out) {
  TaskFilter f;
  f.plan_id = req->plan_id();
  f.campaign_id = req->campaign_id();
  f.unit = req->unit();
  f.state = req->state();
  f.due_before = req->due_before();
  f.due_after = req->due_after();
  f.overdue_only = req->overdue_only();
  f.page_size = req->page_size();
  f.page_token = req->page_token();
  auto page = engine_->ListTasks(f);
  if (!page.ok()) return ToGrpc(page.status());
  for (auto& t : page->tasks) {
    if (CheckCallerMaySeeTask(*ctx, *engine_, t).ok()) *out->add_tasks() = std::move(t);
  }
  out->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status TaskServiceImpl::History(grpc::ServerContext* ctx, const v1::HistoryRequest* req,
                                      v1::HistoryResponse* out) {
  if (auto t = engine_->GetTask(req->task_id()); t.ok()) {
    if (absl::Status s = CheckCallerMaySeeTask(*ctx, *engine_, *t); !s.ok()) return ToGrpc(s);
  }
  auto h = engine_->HistoryPage(req->task_id(), req->after_version(), req->page_size());
  if (!h.ok()) return ToGrpc(h.status());
  for (auto& e : h->events) *out->add_events() = std::move(e);
  out->set_next_after_version(h->next_after_version);
  return grpc::Status::OK;
}

}  // namespace duban
