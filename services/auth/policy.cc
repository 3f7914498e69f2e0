#include "services/auth/policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "duban/v1/audit_service.pb.h"
#include "duban/v1/auth.pb.h"
#include "duban/v1/evidence.pb.h"
#include "duban/v1/office.pb.h"

namespace duban::auth {

namespace {

using google::protobuf::Message;
using Check = std::function<absl::Status(const Principal&, Message*, Objects&, const PolicyOptions&)>;

bool In(const google::protobuf::RepeatedPtrField<std::string>& v, const std::string& x) {
  return !x.empty() && std::find(v.begin(), v.end(), x) != v.end();
}

absl::Status Denied(const Principal& p, absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat("account '", p.account_id, "' may not ", what));
}

// Reads everything of the plan's business (not accounts).
bool ReadsAll(const Principal& p) {
  return p.Has(kLeadingGroupOffice) || p.Has(kSupervisor) || p.Has(kAuditor) ||
         (p.Has(kLeader) && p.Find(kLeader)->scope.empty());
}
bool IsContactOf(const Principal& p, const std::string& unit) {
  return p.Has(kUnitContact) && !p.unit_id.empty() && p.unit_id == unit;
}
bool IsOwnUnit(const Principal& p, const std::string& unit) { return !p.unit_id.empty() && p.unit_id == unit; }

// ---- tasks
bool OwnTask(const Principal& p, const v1::Task& t) {
  return !p.unit_id.empty() && (In(t.lead_unit_ids(), p.unit_id) || In(t.responsible_unit_ids(), p.unit_id));
}
bool Manages(const Principal& p, const v1::Task& t) {
  return p.Has(kLeadingGroupOffice) || p.HasIn(kTaskForceOffice, t.campaign_id());
}
bool LeadsOver(const Principal& p, const v1::Task& t) {
  if (!p.Has(kLeader)) return false;
  const Grant* g = p.Find(kLeader);
  if (g->scope.empty()) return true;
  for (const auto& s : g->scope) {
    if (s == t.campaign_id() || In(t.lead_unit_ids(), s)) return true;
  }
  return false;
}
bool SeesTask(const Principal& p, const v1::Task& t) {
  return ReadsAll(p) || Manages(p, t) || LeadsOver(p, t) || (p.Has(kUnitContact) && OwnTask(p, t));
}

enum class TaskAct { kRead, kManage, kUnit, kReport, kReview };

absl::Status TaskCheck(const Principal& p, const std::string& id, TaskAct act, Objects& o) {
  if (id.empty()) return absl::InvalidArgumentError("task_id: required");
  auto t = o.Task(id);
  if (!t.ok()) return t.status();
  if (!SeesTask(p, *t)) return absl::NotFoundError(absl::StrCat("task_id: no task '", id, "'"));
  switch (act) {
    case TaskAct::kRead: return absl::OkStatus();
    case TaskAct::kManage:
      if (Manages(p, *t)) return absl::OkStatus();
      return Denied(p, absl::StrCat("manage task ", id, " (leading-group or its task-force office)"));
    case TaskAct::kUnit:
      if (p.Has(kUnitContact) && In(t->lead_unit_ids(), p.unit_id)) return absl::OkStatus();
      return Denied(p, absl::StrCat("act on task ", id, " (a contact of its lead unit)"));
    case TaskAct::kReport:
      if (p.Has(kUnitContact) && OwnTask(p, *t)) return absl::OkStatus();
      return Denied(p, absl::StrCat("report on task ", id, " (a contact of its lead or responsible unit)"));
    case TaskAct::kReview:
      if (OwnTask(p, *t)) return Denied(p, absl::StrCat("review task ", id, ": it is its own unit's task"));
      if (Manages(p, *t) || LeadsOver(p, *t)) return absl::OkStatus();
      return Denied(p, absl::StrCat("review task ", id, " (office or leader)"));
  }
  return absl::InternalError("task check");
}

// ---- obligations
bool SeesObligation(const Principal& p, const v1::Obligation& ob) {
  return ReadsAll(p) || p.Has(kTaskForceOffice) || p.Has(kLeader) || IsOwnUnit(p, ob.unit_id()) ||
         IsOwnUnit(p, ob.recipient_unit_id());
}

// A list's unit filter for a caller who sees only its own unit: empty
// becomes the caller's unit; another unit is refused.
absl::Status NarrowToOwnUnit(const Principal& p, std::string* unit, Objects& o, absl::string_view what) {
  if (p.unit_id.empty()) return Denied(p, what);
  if (unit->empty()) {
    *unit = p.unit_id;
    return absl::OkStatus();
  }
  auto u = o.UnitId(*unit);
  if (!u.ok() || *u != p.unit_id) return Denied(p, absl::StrCat(what, " of unit '", *unit, "'"));
  *unit = p.unit_id;
  return absl::OkStatus();
}

// ---- notifications: the recipient is the caller's unit or the caller.
absl::Status RecipientCheck(const Principal& p, const std::string& recipient, bool ack, Objects& o) {
  if (recipient.empty()) return absl::InvalidArgumentError("recipient: required");
  if (const Grant* b = p.Find(kNotificationBridge)) {
    auto u = o.UnitId(recipient);
    std::string id = u.ok() ? *u : recipient;
    if (b->scope.empty() || std::find(b->scope.begin(), b->scope.end(), id) != b->scope.end()) return absl::OkStatus();
  }
  if (recipient == p.account_id) return absl::OkStatus();
  // "admin": the daemon's notices to its operators (dead timers, a year
  // without calendar) are the system administrator's.
  if (recipient == "admin" && p.Has(kSystemAdmin)) return absl::OkStatus();  // kAdminRecipient
  auto u = o.UnitId(recipient);
  if (u.ok() && IsOwnUnit(p, *u)) return absl::OkStatus();
  auto person = o.PersonId(recipient);
  if (person.ok() && *person == p.account_id) return absl::OkStatus();
  if (!ack && p.Has(kLeadingGroupOffice)) return absl::OkStatus();
  return Denied(p, absl::StrCat(ack ? "acknowledge" : "read", " the notifications of '", recipient, "'"));
}

// ---- supervision
bool SeesSupervision(const Principal& p, const v1::SupervisionItem& s) {
  return ReadsAll(p) || p.Has(kTaskForceOffice) || p.Has(kLeader) || IsOwnUnit(p, s.responsible_unit_id());
}
// 督查 is the supervisors' (the engine also checks config/supervision.yaml's list).
bool Supervises(const Principal& p) { return p.Has(kSupervisor); }

// ---- accountability cases
bool SeesCase(const Principal& p, const v1::AccountabilityCase& c) {
  return ReadsAll(p) || p.Has(kLeader) || p.Has(kSafetyOffice) || IsOwnUnit(p, c.unit_id());
}
bool SeesAllCases(const Principal& p) { return ReadsAll(p) || p.Has(kLeader) || p.Has(kSafetyOffice); }

absl::Status CaseCheck(const Principal& p, const std::string& id, bool step, Objects& o) {
  if (id.empty()) return absl::InvalidArgumentError("case_id: required");
  auto c = o.Case(id);
  if (!c.ok()) return c.status();
  if (!SeesCase(p, *c)) return absl::NotFoundError(absl::StrCat("case_id: no case '", id, "'"));
  if (!step) return absl::OkStatus();
  if (IsOwnUnit(p, c->unit_id())) {
    return Denied(p, absl::StrCat("hold, follow up or close case ", id, ": its own unit is interviewed"));
  }
  // The safety office organises the interviews and keeps their minutes.
  if (p.Has(kSupervisor) || p.Has(kLeadingGroupOffice) || p.Has(kLeader) || p.Has(kSafetyOffice)) {
    return absl::OkStatus();
  }
  return Denied(p, absl::StrCat("step case ", id, " (supervisor, leading-group or safety office, leader)"));
}

// ---- building rows
template <class Req>
Rule Row(const char* permission, Access access,
         std::function<absl::Status(const Principal&, Req*, Objects&, const PolicyOptions&)> f) {
  Rule r;
  r.permission = permission;
  r.access = access;
  r.request = Req::descriptor();
  r.check = [f = std::move(f)](const Principal& p, Message* m, Objects& o, const PolicyOptions& opt) {
    return f(p, static_cast<Req*>(m), o, opt);
  };
  return r;
}
template <class Req>
Rule Any(const char* permission) {
  return Row<Req>(permission, Access::kRole,
                  [](const Principal&, Req*, Objects&, const PolicyOptions&) { return absl::OkStatus(); });
}
template <class Req>
Rule Self(const char* permission) {
  return Row<Req>(permission, Access::kSelf,
                  [](const Principal&, Req*, Objects&, const PolicyOptions&) { return absl::OkStatus(); });
}
template <class Req>
Rule OnlyRole(const char* permission, const char* role) {
  return Row<Req>(permission, Access::kRole, [role, permission](const Principal& p, Req*, Objects&, const PolicyOptions&) {
    if (p.Has(role)) return absl::OkStatus();
    return Denied(p, absl::StrCat(permission, " (", role, ")"));
  });
}
// A method whose requests stream in: the caller's roles decide.
Rule StreamRow(const char* permission, std::function<absl::Status(const Principal&)> f) {
  Rule r;
  r.permission = permission;
  r.access = Access::kRole;
  r.request = nullptr;
  r.check = [f = std::move(f)](const Principal& p, Message*, Objects&, const PolicyOptions&) { return f(p); };
  return r;
}
template <class Req>
Rule TaskRow(const char* permission, TaskAct act) {
  return Row<Req>(permission, Access::kRole, [act](const Principal& p, Req* r, Objects& o, const PolicyOptions&) {
    return TaskCheck(p, r->task_id(), act, o);
  });
}

std::map<std::string, Rule> Build() {
  std::map<std::string, Rule> t;
  auto add = [&t](const std::string& service, const std::string& method, Rule r) {
    t[absl::StrCat("/duban.v1.", service, "/", method)] = std::move(r);
  };
  // ---- auth
  add("AuthService", "Login", Row<v1::LoginRequest>("auth.login", Access::kPublic,
      [](const Principal&, v1::LoginRequest*, Objects&, const PolicyOptions&) { return absl::OkStatus(); }));
  add("AuthService", "Logout", Self<v1::LogoutRequest>("auth.self"));
  add("AuthService", "ChangePassword", Self<v1::ChangePasswordRequest>("auth.self"));
  add("AuthService", "WhoAmI", Self<v1::WhoAmIRequest>("auth.self"));
  add("AuthService", "EnrolTotp", Self<v1::EnrolTotpRequest>("auth.self"));
  add("AuthService", "ConfirmTotp", Self<v1::ConfirmTotpRequest>("auth.self"));
  add("AuthService", "CreateAccount", OnlyRole<v1::CreateAccountRequest>("account.admin", kSystemAdmin));
  add("AuthService", "SetAccountDisabled", OnlyRole<v1::SetAccountDisabledRequest>("account.admin", kSystemAdmin));
  add("AuthService", "ResetPassword", OnlyRole<v1::ResetPasswordRequest>("account.admin", kSystemAdmin));
  add("AuthService", "GrantRole", OnlyRole<v1::GrantRoleRequest>("role.admin", kSecurityAdmin));
  add("AuthService", "RevokeRole", OnlyRole<v1::RevokeRoleRequest>("role.admin", kSecurityAdmin));
  add("AuthService", "ListAccounts", Row<v1::ListAccountsRequest>("account.read", Access::kRole,
      [](const Principal& p, v1::ListAccountsRequest*, Objects&, const PolicyOptions&) {
        if (p.Has(kSystemAdmin) || p.Has(kSecurityAdmin) || p.Has(kAuditAdmin)) return absl::OkStatus();
        return Denied(p, "list accounts (an administrator)");
      }));

  // ---- organisation and plans: published, readable by every account
  add("OrgService", "ListUnits", Any<v1::ListUnitsRequest>("org.read"));
  add("OrgService", "ResolveUnit", Any<v1::ResolveUnitRequest>("org.read"));
  add("OrgService", "ListPeople", Any<v1::ListPeopleRequest>("org.read"));
  add("OrgService", "GetLeadingGroup", Any<v1::GetLeadingGroupRequest>("org.read"));
  add("OrgService", "ListTaskForces", Any<v1::ListTaskForcesRequest>("org.read"));
  add("PlanService", "ImportPlan", OnlyRole<v1::ImportPlanRequest>("plan.import", kSystemAdmin));
  add("PlanService", "ListPlans", Any<v1::ListPlansRequest>("plan.read"));
  add("PlanService", "GetPlan", Any<v1::GetPlanRequest>("plan.read"));
  add("PlanService", "ListCampaigns", Any<v1::ListCampaignsRequest>("plan.read"));
  add("PlanService", "GetCampaign", Any<v1::GetCampaignRequest>("plan.read"));

  // ---- tasks
  add("TaskService", "CreateTask", Row<v1::CreateTaskRequest>("task.manage", Access::kRole,
      [](const Principal& p, v1::CreateTaskRequest* r, Objects&, const PolicyOptions&) {
        if (p.Has(kLeadingGroupOffice) || p.HasIn(kTaskForceOffice, r->campaign_id())) return absl::OkStatus();
        return Denied(p, absl::StrCat("create tasks in campaign '", r->campaign_id(), "'"));
      }));
  add("TaskService", "AssignTask", TaskRow<v1::TaskRef>("task.manage", TaskAct::kManage));
  add("TaskService", "TransferTask", TaskRow<v1::TransferTaskRequest>("task.manage", TaskAct::kManage));
  add("TaskService", "SuspendTask", TaskRow<v1::ReasonRequest>("task.manage", TaskAct::kManage));
  add("TaskService", "ResumeTask", TaskRow<v1::TaskRef>("task.manage", TaskAct::kManage));
  add("TaskService", "CancelTask", TaskRow<v1::ReasonRequest>("task.manage", TaskAct::kManage));
  add("TaskService", "ArchiveTask", TaskRow<v1::TaskRef>("task.manage", TaskAct::kManage));
  add("TaskService", "AcceptTask", TaskRow<v1::TaskRef>("task.unit", TaskAct::kUnit));
  add("TaskService", "SendBackTask", TaskRow<v1::ReasonRequest>("task.unit", TaskAct::kUnit));
  add("TaskService", "RequestCompletion", TaskRow<v1::TaskRef>("task.unit", TaskAct::kUnit));
  add("TaskService", "RequestExtension", TaskRow<v1::RequestExtensionRequest>("task.unit", TaskAct::kUnit));
  add("TaskService", "ReportProgress", TaskRow<v1::ReportProgressRequest>("task.report", TaskAct::kReport));
  add("TaskService", "ReviewCompletion", TaskRow<v1::ReviewRequest>("task.review", TaskAct::kReview));
  add("TaskService", "DecideExtension", TaskRow<v1::ReviewRequest>("task.review", TaskAct::kReview));
  add("TaskService", "GetTask", TaskRow<v1::GetTaskRequest>("task.read", TaskAct::kRead));
  add("TaskService", "History", TaskRow<v1::HistoryRequest>("task.read", TaskAct::kRead));
  add("TaskService", "ListTasks", Row<v1::ListTasksRequest>("task.read", Access::kRole,
      [](const Principal& p, v1::ListTasksRequest* r, Objects& o, const PolicyOptions&) {
        if (ReadsAll(p)) return absl::OkStatus();
        for (const char* role : {kTaskForceOffice, kLeader}) {
          const Grant* g = p.Find(role);
          if (g == nullptr) continue;
          if (r->campaign_id().empty() && g->scope.size() == 1) r->set_campaign_id(g->scope[0]);
          if (p.HasIn(role, r->campaign_id())) return absl::OkStatus();
        }
        if (!p.Has(kUnitContact)) return Denied(p, "list tasks");
        return NarrowToOwnUnit(p, r->mutable_unit(), o, "list the tasks");
      }));

  // ---- reporting obligations and scores
  add("ReportService", "ListObligations", Row<v1::ListObligationsRequest>("obligation.read", Access::kRole,
      [](const Principal& p, v1::ListObligationsRequest* r, Objects& o, const PolicyOptions&) {
        if (ReadsAll(p) || p.Has(kTaskForceOffice) || p.Has(kLeader)) return absl::OkStatus();
        return NarrowToOwnUnit(p, r->mutable_unit(), o, "list the obligations");
      }));
  auto obligation = [](const char* permission, int act) {
    return [permission, act](const Principal& p, const std::string& id, Objects& o) -> absl::Status {
      if (id.empty()) return absl::InvalidArgumentError("obligation_id: required");
      auto ob = o.Obligation(id);
      if (!ob.ok()) return ob.status();
      if (!SeesObligation(p, *ob)) return absl::NotFoundError(absl::StrCat("obligation_id: no obligation '", id, "'"));
      if (act == 1 && !IsContactOf(p, ob->unit_id())) {
        return Denied(p, absl::StrCat("submit obligation ", id, " (a contact of its reporting unit)"));
      }
      if (act == 2) {
        if (IsOwnUnit(p, ob->unit_id())) return Denied(p, absl::StrCat("review obligation ", id, ": its own report"));
        if (!(p.Has(kLeadingGroupOffice) || p.Has(kTaskForceOffice))) {
          return Denied(p, absl::StrCat("review obligation ", id, " (an office)"));
        }
      }
      (void)permission;
      return absl::OkStatus();
    };
  };
  add("ReportService", "GetObligation", Row<v1::GetObligationRequest>("obligation.read", Access::kRole,
      [f = obligation("obligation.read", 0)](const Principal& p, v1::GetObligationRequest* r, Objects& o,
                                             const PolicyOptions&) { return f(p, r->obligation_id(), o); }));
  add("ReportService", "ObligationHistory", Row<v1::ObligationHistoryRequest>("obligation.read", Access::kRole,
      [f = obligation("obligation.read", 0)](const Principal& p, v1::ObligationHistoryRequest* r, Objects& o,
                                             const PolicyOptions&) { return f(p, r->obligation_id(), o); }));
  add("ReportService", "SubmitReport", Row<v1::SubmitReportRequest>("obligation.submit", Access::kRole,
      [f = obligation("obligation.submit", 1)](const Principal& p, v1::SubmitReportRequest* r, Objects& o,
                                               const PolicyOptions&) { return f(p, r->obligation_id(), o); }));
  add("ReportService", "ReviewReport", Row<v1::ReviewReportRequest>("obligation.review", Access::kRole,
      [f = obligation("obligation.review", 2)](const Principal& p, v1::ReviewReportRequest* r, Objects& o,
                                               const PolicyOptions&) { return f(p, r->obligation_id(), o); }));
  add("ReportService", "GetUnitScore", Row<v1::GetUnitScoreRequest>("score.read", Access::kRole,
      [](const Principal& p, v1::GetUnitScoreRequest* r, Objects& o, const PolicyOptions&) {
        if (ReadsAll(p) || p.Has(kTaskForceOffice) || p.Has(kLeader)) return absl::OkStatus();
        return NarrowToOwnUnit(p, r->mutable_unit(), o, "read the score");
      }));
  add("ReportService", "ListUnitScores", Row<v1::ListUnitScoresRequest>("score.read", Access::kRole,
      [](const Principal& p, v1::ListUnitScoresRequest*, Objects&, const PolicyOptions&) {
        if (ReadsAll(p) || p.Has(kTaskForceOffice) || p.Has(kLeader)) return absl::OkStatus();
        return Denied(p, "list every unit's score (its own: GetUnitScore)");
      }));

  // ---- notifications
  add("NotificationService", "Watch", Row<v1::WatchRequest>("notification.read", Access::kRole,
      [](const Principal& p, v1::WatchRequest* r, Objects& o, const PolicyOptions&) {
        return RecipientCheck(p, r->recipient(), false, o);
      }));
  add("NotificationService", "ListNotifications", Row<v1::ListNotificationsRequest>("notification.read", Access::kRole,
      [](const Principal& p, v1::ListNotificationsRequest* r, Objects& o, const PolicyOptions&) {
        return RecipientCheck(p, r->recipient(), false, o);
      }));
  add("NotificationService", "Ack", Row<v1::AckRequest>("notification.ack", Access::kRole,
      [](const Principal& p, v1::AckRequest* r, Objects& o, const PolicyOptions&) {
        return RecipientCheck(p, r->recipient(), true, o);
      }));

  // ---- supervision
  add("SupervisionService", "ListForSupervision", Row<v1::ListForSupervisionRequest>("supervision.list", Access::kRole,
      [](const Principal& p, v1::ListForSupervisionRequest*, Objects&, const PolicyOptions&) {
        if (Supervises(p)) return absl::OkStatus();
        return Denied(p, "list items for supervision (supervisor)");
      }));
  add("SupervisionService", "Escalate", Row<v1::EscalateRequest>("supervision.escalate", Access::kRole,
      [](const Principal& p, v1::EscalateRequest*, Objects&, const PolicyOptions&) {
        if (Supervises(p)) return absl::OkStatus();
        return Denied(p, "escalate (supervisor)");
      }));
  auto item = [](const Principal& p, const std::string& id, Objects& o, int action) -> absl::Status {
    if (id.empty()) return absl::InvalidArgumentError("item_id: required");
    auto s = o.Supervision(id);
    if (!s.ok()) return s.status();
    if (!SeesSupervision(p, *s)) return absl::NotFoundError(absl::StrCat("item_id: no supervision item '", id, "'"));
    if (action == 0) return absl::OkStatus();
    bool unit_step = action == v1::SUPERVISION_ACTION_START_RECTIFICATION ||
                     action == v1::SUPERVISION_ACTION_REPORT_RECTIFICATION;
    if (unit_step) {
      if (IsContactOf(p, s->responsible_unit_id())) return absl::OkStatus();
      return Denied(p, absl::StrCat("rectify item ", id, " (a contact of its responsible unit)"));
    }
    if (IsOwnUnit(p, s->responsible_unit_id())) {
      return Denied(p, absl::StrCat("verify, return or close item ", id, ": its own unit's rectification"));
    }
    if (Supervises(p)) return absl::OkStatus();
    return Denied(p, absl::StrCat("step item ", id, " (supervisor)"));
  };
  add("SupervisionService", "Step", Row<v1::SupervisionStepRequest>("supervision.step", Access::kRole,
      [item](const Principal& p, v1::SupervisionStepRequest* r, Objects& o, const PolicyOptions&) {
        return item(p, r->item_id(), o, r->action() == 0 ? -1 : r->action());
      }));
  add("SupervisionService", "GetSupervision", Row<v1::GetSupervisionRequest>("supervision.read", Access::kRole,
      [item](const Principal& p, v1::GetSupervisionRequest* r, Objects& o, const PolicyOptions&) {
        return item(p, r->item_id(), o, 0);
      }));
  add("SupervisionService", "History", Row<v1::SupervisionHistoryRequest>("supervision.read", Access::kRole,
      [item](const Principal& p, v1::SupervisionHistoryRequest* r, Objects& o, const PolicyOptions&) {
        return item(p, r->item_id(), o, 0);
      }));
  add("SupervisionService", "ListSupervision", Row<v1::ListSupervisionRequest>("supervision.read", Access::kRole,
      [](const Principal& p, v1::ListSupervisionRequest* r, Objects& o, const PolicyOptions&) {
        if (ReadsAll(p) || p.Has(kTaskForceOffice) || p.Has(kLeader)) return absl::OkStatus();
        return NarrowToOwnUnit(p, r->mutable_unit(), o, "list the supervision items");
      }));

  // ---- rankings: published; entered by the board's owning office
  add("RankingService", "EnterRanking", Row<v1::EnterRankingRequest>("ranking.enter", Access::kRole,
      [](const Principal& p, v1::EnterRankingRequest* r, Objects&, const PolicyOptions& opt) {
        auto it = opt.board_owners.find(r->board());
        std::string owner = it == opt.board_owners.end() ? kLeadingGroupOffice : it->second;
        if (p.Has(owner)) return absl::OkStatus();
        return Denied(p, absl::StrCat("enter the ranking '", r->board(), "' (", owner, ")"));
      }));
  add("RankingService", "ComputeScorecard", OnlyRole<v1::ComputeScorecardRequest>("ranking.compute",
                                                                                   kLeadingGroupOffice));
  add("RankingService", "GetRanking", Any<v1::GetRankingRequest>("ranking.read"));
  add("RankingService", "ListRankings", Any<v1::ListRankingsRequest>("ranking.read"));

  // ---- accountability
  add("AccountabilityService", "ReportIncident", OnlyRole<v1::ReportIncidentRequest>("incident.report", kSafetyOffice));
  add("AccountabilityService", "RecordNoticeProblem", Row<v1::RecordNoticeProblemRequest>("notice.record",
      Access::kRole, [](const Principal& p, v1::RecordNoticeProblemRequest*, Objects&, const PolicyOptions&) {
        if (p.Has(kSafetyOffice) || p.Has(kLeadingGroupOffice)) return absl::OkStatus();
        return Denied(p, "record a monthly-notice problem (safety or leading-group office)");
      }));
  add("AccountabilityService", "Hold", Row<v1::HoldCaseRequest>("case.step", Access::kRole,
      [](const Principal& p, v1::HoldCaseRequest* r, Objects& o, const PolicyOptions&) {
        return CaseCheck(p, r->case_id(), true, o);
      }));
  add("AccountabilityService", "FollowUp", Row<v1::FollowUpCaseRequest>("case.step", Access::kRole,
      [](const Principal& p, v1::FollowUpCaseRequest* r, Objects& o, const PolicyOptions&) {
        return CaseCheck(p, r->case_id(), true, o);
      }));
  add("AccountabilityService", "Close", Row<v1::CloseCaseRequest>("case.step", Access::kRole,
      [](const Principal& p, v1::CloseCaseRequest* r, Objects& o, const PolicyOptions&) {
        return CaseCheck(p, r->case_id(), true, o);
      }));
  add("AccountabilityService", "GetCase", Row<v1::GetCaseRequest>("case.read", Access::kRole,
      [](const Principal& p, v1::GetCaseRequest* r, Objects& o, const PolicyOptions&) {
        return CaseCheck(p, r->case_id(), false, o);
      }));
  add("AccountabilityService", "CaseHistory", Row<v1::CaseHistoryRequest>("case.read", Access::kRole,
      [](const Principal& p, v1::CaseHistoryRequest* r, Objects& o, const PolicyOptions&) {
        return CaseCheck(p, r->case_id(), false, o);
      }));
  add("AccountabilityService", "ListCases", Row<v1::ListCasesRequest>("case.read", Access::kRole,
      [](const Principal& p, v1::ListCasesRequest* r, Objects& o, const PolicyOptions&) {
        if (SeesAllCases(p)) return absl::OkStatus();
        return NarrowToOwnUnit(p, r->mutable_unit(), o, "list the cases");
      }));

  // ---- assessment
  add("AssessmentService", "ReportFigures", Row<v1::ReportFiguresRequest>("assessment.report", Access::kRole,
      [](const Principal& p, v1::ReportFiguresRequest* r, Objects& o, const PolicyOptions&) {
        if (p.Has(kSafetyOffice) || p.Has(kLeadingGroupOffice)) return absl::OkStatus();
        auto u = o.UnitId(r->figures().unit());
        if (u.ok() && IsContactOf(p, *u)) return absl::OkStatus();
        return Denied(p, absl::StrCat("report the figures of '", r->figures().unit(), "'"));
      }));
  add("AssessmentService", "Evaluate", Row<v1::EvaluateRequest>("assessment.read", Access::kRole,
      [](const Principal& p, v1::EvaluateRequest* r, Objects& o, const PolicyOptions&) {
        if (SeesAllCases(p)) return absl::OkStatus();
        auto u = o.UnitId(r->unit());
        if (u.ok() && IsOwnUnit(p, *u)) return absl::OkStatus();
        return Denied(p, absl::StrCat("read the assessment of '", r->unit(), "'"));
      }));
  add("AssessmentService", "EvaluateAll", Row<v1::EvaluateAllRequest>("assessment.read", Access::kRole,
      [](const Principal& p, v1::EvaluateAllRequest*, Objects&, const PolicyOptions&) {
        if (SeesAllCases(p)) return absl::OkStatus();
        return Denied(p, "read every unit's assessment");
      }));

  // ---- bulletin: published to every account
  add("BulletinService", "MonthlyBulletin", Any<v1::MonthlyBulletinRequest>("bulletin.read"));

  // ---- ledgers (台账) and briefings
  add("ExportService", "ExportLedger", Row<v1::ExportLedgerRequest>("ledger.export", Access::kRole,
      [](const Principal& p, v1::ExportLedgerRequest* r, Objects& o, const PolicyOptions&) {
        if (ReadsAll(p)) return absl::OkStatus();
        for (const char* role : {kTaskForceOffice, kLeader}) {
          const Grant* g = p.Find(role);
          if (g == nullptr) continue;
          if (r->campaign_id().empty() && g->scope.size() == 1) r->set_campaign_id(g->scope[0]);
          if (p.HasIn(role, r->campaign_id())) return absl::OkStatus();
        }
        if (!p.Has(kUnitContact)) return Denied(p, "export ledgers");
        return NarrowToOwnUnit(p, r->mutable_unit(), o, "export the ledger");
      }));
  add("BriefingService", "GetBriefing", Any<v1::GetBriefingRequest>("briefing.read"));
  add("BriefingService", "ListBriefings", Any<v1::ListBriefingsRequest>("briefing.read"));
  add("BriefingService", "EditBriefing", OnlyRole<v1::EditBriefingRequest>("briefing.edit", kLeadingGroupOffice));
  add("BriefingService", "PublishBriefing", OnlyRole<v1::PublishBriefingRequest>("briefing.edit",
                                                                                 kLeadingGroupOffice));

  // ---- administration
  add("AdminService", "ServerInfo", Any<v1::ServerInfoRequest>("server.read"));
  add("AdminService", "AdvanceClock", OnlyRole<v1::AdvanceClockRequest>("clock.advance", kSystemAdmin));
  add("AdminService", "ReloadRules", OnlyRole<v1::ReloadRulesRequest>("rules.reload", kSystemAdmin));
  add("AdminService", "ListDeadTimers", OnlyRole<v1::ListDeadTimersRequest>("timers.dead", kSystemAdmin));

  // ---- the audit trail (全程留痕): its administrator reads, exports and
  // prunes it; the head (seq and hash, for checking an exported copy) is
  // also the auditors'.
  add("AuditService", "ListAuditEntries", OnlyRole<v1::ListAuditEntriesRequest>("audit.read", kAuditAdmin));
  add("AuditService", "ExportAudit", OnlyRole<v1::ExportAuditRequest>("audit.export", kAuditAdmin));
  add("AuditService", "ListAuditCheckpoints", OnlyRole<v1::ListAuditCheckpointsRequest>("audit.read", kAuditAdmin));
  add("AuditService", "PruneAudit", OnlyRole<v1::PruneAuditRequest>("audit.prune", kAuditAdmin));
  add("AuditService", "GetAuditHead", Row<v1::GetAuditHeadRequest>("audit.head", Access::kRole,
      [](const Principal& p, v1::GetAuditHeadRequest*, Objects&, const PolicyOptions&) {
        if (p.Has(kAuditAdmin) || p.Has(kAuditor)) return absl::OkStatus();
        return Denied(p, "read the audit trail's head (audit administrator or auditor)");
      }));

  // ---- evidence (佐证材料): uploaded by those who report and review; a
  // download or list shows only files attached to what the caller may see,
  // or its own uploads not attached yet (checked by the service, which
  // reads the file's attachments: services/evidence_service.h).
  auto handles_evidence = [](const Principal& p) {
    return p.Has(kUnitContact) || p.Has(kLeadingGroupOffice) || p.Has(kTaskForceOffice) || p.Has(kSafetyOffice) ||
           p.Has(kSupervisor) || p.Has(kLeader) || p.Has(kAuditor);
  };
  add("EvidenceService", "Upload", StreamRow("evidence.upload", [](const Principal& p) {
        if (p.Has(kUnitContact) || p.Has(kLeadingGroupOffice) || p.Has(kTaskForceOffice) || p.Has(kSafetyOffice) ||
            p.Has(kSupervisor)) {
          return absl::OkStatus();
        }
        return Denied(p, "upload evidence (a unit contact, an office or a supervisor)");
      }));
  add("EvidenceService", "Download", Row<v1::DownloadEvidenceRequest>("evidence.read", Access::kRole,
      [handles_evidence](const Principal& p, v1::DownloadEvidenceRequest*, Objects&, const PolicyOptions&) {
        if (handles_evidence(p)) return absl::OkStatus();
        return Denied(p, "read evidence");
      }));
  add("EvidenceService", "ListEvidence", Row<v1::ListEvidenceRequest>("evidence.read", Access::kRole,
      [handles_evidence](const Principal& p, v1::ListEvidenceRequest*, Objects&, const PolicyOptions&) {
        if (handles_evidence(p)) return absl::OkStatus();
        return Denied(p, "list evidence");
      }));
  return t;
}

}  // namespace

bool MaySeeTask(const Principal& p, const v1::Task& task) { return SeesTask(p, task); }
bool MaySeeObligation(const Principal& p, const v1::Obligation& ob) { return SeesObligation(p, ob); }
bool MaySeeSupervision(const Principal& p, const v1::SupervisionItem& item) { return SeesSupervision(p, item); }
bool MaySeeCase(const Principal& p, const v1::AccountabilityCase& c) { return SeesCase(p, c); }

const std::map<std::string, Rule>& RpcTable() {
  static const auto* table = new std::map<std::string, Rule>(Build());
  return *table;
}

absl::Status Authorize(const std::string& method, const Principal* principal, Message* request, Objects& objects,
                       const PolicyOptions& options) {
  const auto& table = RpcTable();
  auto it = table.find(method);
  if (it == table.end()) return absl::PermissionDeniedError(absl::StrCat(method, ": not in the permission table"));
  const Rule& rule = it->second;
  if (rule.access == Access::kPublic) return absl::OkStatus();
  if (principal == nullptr) return absl::UnauthenticatedError("authorization: missing (log in first)");
  if (principal->restricted && rule.access != Access::kSelf) {
    return absl::PermissionDeniedError(
        "session: restricted until the password is changed (and, for administrators, TOTP enrolled)");
  }
  if (rule.request == nullptr ? request != nullptr
                              : (request == nullptr || request->GetDescriptor() != rule.request)) {
    return absl::InternalError(absl::StrCat(method, ": request type differs from the permission table"));
  }
  return rule.check(*principal, request, objects, options);
}

}  // namespace duban::auth
