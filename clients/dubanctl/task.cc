// dubanctl: the task noun: creation, the lifecycle commands, reports, reviews, extensions, lists.
#include <cstdint>
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client.h"
#include "text_table.h"

namespace dubanctl {
namespace {

void PrintCommandResponse(Client& c, const v1::CommandResponse& r) {
  if (c.opts().json) return PrintJson(r);
  const v1::Task& t = r.task();
  std::string move = r.events_size() > 0
                         ? Transition(r.events(0).from_state(), r.events(r.events_size() - 1).to_state())
                         : StateName(t.state());
  std::cout << t.id() << "  " << move << "  (version " << t.version() << ")";
  if (r.replayed()) std::cout << "  (replayed)";
  std::cout << "\n";
}

// Runs a task command with the request's meta filled from the flags.
template <typename Req, typename Rpc>
void RunTaskCommand(Client& c, const Args& a, Req& req, Rpc rpc) {
  *req.mutable_meta() = c.Meta(a);
  v1::CommandResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return (c.tasks().*rpc)(ctx, req, &resp); });
  PrintCommandResponse(c, resp);
}

void TaskCreate(Client& c, const Args& a, const Operands&) {
  v1::CreateTaskRequest req;
  req.set_campaign_id(a.Require("campaign"));
  req.set_code(a.Require("code"));
  req.set_title(a.Require("title"));
  std::vector<std::string> lead = a.List("lead");
  if (lead.empty()) throw UsageError("--lead: required");
  for (const auto& u : lead) req.add_lead_units(u);
  for (const auto& u : a.List("responsible")) req.add_responsible_units(u);
  req.set_due_date(a.Require("due"));
  CheckDate("due", req.due_date());
  req.set_text(a.GetOr("text", ""));
  req.set_lead_leader(a.GetOr("lead-leader", ""));
  req.set_responsible_person(a.GetOr("responsible-person", ""));
  if (auto v = a.Get("list-kind")) {
    req.set_list_kind(static_cast<v1::ListKind>(ParseEnum(v1::ListKind_descriptor(), "LIST_KIND_", "list-kind", *v)));
  }
  for (const auto& m : a.All("milestone")) {
    size_t colon = m.find(':');
    if (colon == std::string::npos) throw UsageError("--milestone: '" + m + "' is not YYYY-MM-DD:TITLE");
    v1::Milestone* ms = req.add_milestones();
    ms->set_due_date(m.substr(0, colon));
    ms->set_title(m.substr(colon + 1));
    CheckDate("milestone", ms->due_date());
  }
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::CreateTask);
}

template <auto Rpc>
void TaskRefCommand(Client& c, const Args& a, const Operands& ops) {
  v1::TaskRef req;
  req.set_task_id(ops[0]);
  RunTaskCommand(c, a, req, Rpc);
}

template <auto Rpc>
void ReasonCommand(Client& c, const Args& a, const Operands& ops) {
  v1::ReasonRequest req;
  req.set_task_id(ops[0]);
  req.set_reason(a.Require("reason"));
  RunTaskCommand(c, a, req, Rpc);
}

void TaskTransfer(Client& c, const Args& a, const Operands& ops) {
  v1::TransferTaskRequest req;
  req.set_task_id(ops[0]);
  std::vector<std::string> lead = a.List("lead");
  if (lead.empty()) throw UsageError("--lead: required");
  for (const auto& u : lead) req.add_lead_units(u);
  for (const auto& u : a.List("responsible")) req.add_responsible_units(u);
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::TransferTask);
}

// "产值=12.5亿元" -> {产值, 12.5, 亿元}.
v1::IndicatorValue ParseIndicator(const std::string& s) {
  size_t eq = s.find('=');
  auto bad = [&] { return UsageError("--indicator: '" + s + "' is not NAME=VALUE[UNIT]"); };
  if (eq == std::string::npos || eq == 0) throw bad();
  std::string rest = s.substr(eq + 1);
  size_t i = 0;
  if (i < rest.size() && (rest[i] == '-' || rest[i] == '+')) ++i;
  size_t digits = 0;
  while (i < rest.size() && (absl::ascii_isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.')) {
    if (rest[i] != '.') ++digits;
    ++i;
  }
  if (digits == 0) throw bad();
  std::string num = rest.substr(0, i);
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size()) throw bad();
  v1::IndicatorValue out;
  out.set_indicator(std::string(absl::StripAsciiWhitespace(s.substr(0, eq))));
  out.set_value(v);
  out.set_unit_of_measure(std::string(absl::StripAsciiWhitespace(rest.substr(i))));
  return out;
}

void TaskReport(Client& c, const Args& a, const Operands& ops) {
  v1::ReportProgressRequest req;
  req.set_task_id(ops[0]);
  v1::ProgressReport* r = req.mutable_report();
  r->set_work_done(a.GetOr("work-done", ""));
  r->set_progress(a.GetOr("progress", ""));
  r->set_highlights(a.GetOr("highlights", ""));
  r->set_difficulties(a.GetOr("difficulties", ""));
  r->set_requests(a.GetOr("requests", ""));
  if (r->work_done().empty() && r->progress().empty()) throw UsageError("--work-done: required (or --progress)");
  for (const auto& s : a.All("indicator")) *r->add_indicator_values() = ParseIndicator(s);
  AddEvidenceFlag(a, r->mutable_evidence());
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::ReportProgress);
}

// --approve or --<no_flag> --reason=R.
v1::ReviewRequest Decision(const Args& a, const std::string& task_id, const std::string& no_flag) {
  bool yes = a.Bool("approve"), no = a.Bool(no_flag);
  if (yes == no) throw UsageError("give either --approve or --" + no_flag + " --reason=R");
  v1::ReviewRequest req;
  req.set_task_id(task_id);
  req.set_decision(yes ? v1::REVIEW_DECISION_APPROVE : v1::REVIEW_DECISION_RETURN);
  if (no) {
    req.set_reason(a.Require("reason"));
  } else {
    req.set_reason(a.GetOr("reason", ""));
  }
  return req;
}

void TaskReview(Client& c, const Args& a, const Operands& ops) {
  v1::ReviewRequest req = Decision(a, ops[0], "return");
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::ReviewCompletion);
}

void TaskDecideExtension(Client& c, const Args& a, const Operands& ops) {
  v1::ReviewRequest req = Decision(a, ops[0], "deny");
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::DecideExtension);
}

void TaskRequestExtension(Client& c, const Args& a, const Operands& ops) {
  v1::RequestExtensionRequest req;
  req.set_task_id(ops[0]);
  req.set_new_due_date(a.Require("due"));
  CheckDate("due", req.new_due_date());
  req.set_reason(a.Require("reason"));
  RunTaskCommand(c, a, req, &v1::TaskService::Stub::RequestExtension);
}

void TaskGet(Client& c, const Args&, const Operands& ops) {
  v1::GetTaskRequest req;
  req.set_task_id(ops[0]);
  v1::Task t;
  c.Call([&](grpc::ClientContext* ctx) { return c.tasks().GetTask(ctx, req, &t); });
  if (c.opts().json) return PrintJson(t);
  KeyValues kv;
  kv.Add("ID", t.id());
  kv.Add("CODE", t.code());
  kv.AddWrapped("TITLE", t.title());
  std::string state = StateName(t.state());
  if (t.resume_state() != v1::TASK_STATE_UNSPECIFIED) absl::StrAppend(&state, " (resumes to ", StateName(t.resume_state()), ")");
  kv.Add("STATE", state);
  kv.Add("VERSION", std::to_string(t.version()));
  kv.Add("PLAN", t.plan_id());
  kv.Add("CAMPAIGN", t.campaign_id());
  kv.AddIf("LIST KIND", ListKindName(t.list_kind()));
  kv.AddWrapped("LEAD", c.UnitNames(t.lead_unit_ids()) + (t.lead_basis_inferred() ? " (inferred)" : ""));
  if (t.responsible_unit_ids_size() > 0) kv.AddWrapped("RESPONSIBLE", c.UnitNames(t.responsible_unit_ids()));
  kv.AddIf("LEAD LEADER", t.lead_leader());
  kv.AddIf("RESPONSIBLE PERSON", t.responsible_person());
  kv.Add("DUE", t.due_date() + (t.overdue() ? "  ! overdue" : ""));
  kv.AddIf("WARNING", WarningName(t.warning_level()));
  if (t.milestones_size() > 0) {
    std::vector<std::string> ms;
    for (const auto& m : t.milestones()) ms.push_back(absl::StrCat(m.done() ? "[x] " : "[ ] ", m.due_date(), " ", m.title()));
    kv.Add("MILESTONES", absl::StrJoin(ms, "\n"));
  }
  kv.AddIf("CREATED", Minutes(t.created_at()));
  kv.AddIf("UPDATED", Minutes(t.updated_at()));
  if (t.return_count() > 0) kv.Add("RETURNS", std::to_string(t.return_count()));
  kv.AddWrapped("LAST REASON", t.last_reason());
  if (t.report_count() > 0) {
    kv.Add("REPORTS", absl::StrCat(t.report_count(), ", last ", Minutes(t.last_report_at())));
    const auto& r = t.last_report();
    std::vector<std::string> lines;
    auto part = [&](const char* label, const std::string& v) {
      if (v.empty()) return;
      for (const auto& l : Wrap(absl::StrCat(label, ": ", v), 70)) lines.push_back(l);
    };
    part("work done", r.work_done());
    part("progress", r.progress());
    part("highlights", r.highlights());
    part("difficulties", r.difficulties());
    part("requests", r.requests());
    for (const auto& iv : r.indicator_values()) {
      lines.push_back(absl::StrCat("indicator: ", iv.indicator(), " = ", Number(iv.value()),
                                   iv.unit_of_measure().empty() ? "" : " ", iv.unit_of_measure()));
    }
    kv.Add("LAST REPORT", absl::StrJoin(lines, "\n"));
  }
  if (t.has_pending_extension()) {
    const auto& e = t.pending_extension();
    kv.AddWrapped("PENDING EXTENSION",
                  absl::StrCat("to ", e.requested_due_date(), e.requested_by().empty() ? "" : ", asked by ",
                               e.requested_by(), e.reason().empty() ? "" : ": ", e.reason()));
  }
  kv.AddWrapped("TEXT", t.text());
  kv.Print(std::cout);
}

void TaskHistory(Client& c, const Args&, const Operands& ops) {
  v1::HistoryRequest req;
  req.set_task_id(ops[0]);
  v1::HistoryResponse resp;
  // Every page, in order.
  while (true) {
    v1::HistoryResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.tasks().History(ctx, req, &page); });
    for (auto& e : *page.mutable_events()) *resp.add_events() = std::move(e);
    if (page.next_after_version() == 0) break;
    req.set_after_version(page.next_after_version());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "COMMAND", "FROM\u2192TO", "REASON/COMMENT"}, {0, 0, 20, 0, 0, 50});
  for (const auto& e : resp.events()) {
    std::string cmd = CommandName(e.command());
    bool review = e.command() == v1::TASK_COMMAND_APPROVE_COMPLETION ||
                  e.command() == v1::TASK_COMMAND_RETURN_COMPLETION ||
                  e.command() == v1::TASK_COMMAND_APPROVE_EXTENSION || e.command() == v1::TASK_COMMAND_DENY_EXTENSION;
    if (review && e.review_step() == 1) cmd += " (office)";
    if (review && e.review_step() == 2) cmd += " (leader)";
    if (e.command() == v1::TASK_COMMAND_WARNING) {
      std::string level = WarningName(e.warning_level());
      cmd += " \u2192 " + (level.empty() ? std::string("none") : level);
    }
    std::vector<std::string> notes;
    if (!e.reason().empty()) notes.push_back(e.reason());
    if (!e.comment().empty()) notes.push_back(e.comment());
    if (e.command() == v1::TASK_COMMAND_TRANSFER && e.unit_ids_size() > 0) {
      notes.push_back("to " + c.UnitNames(e.unit_ids()));
    }
    if (!e.due_date().empty() && e.command() != v1::TASK_COMMAND_CREATE) notes.push_back("due " + e.due_date());
    if (e.has_report()) {
      notes.push_back("report: " + (e.report().work_done().empty() ? e.report().progress() : e.report().work_done()));
    }
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), cmd, Transition(e.from_state(), e.to_state()),
              absl::StrJoin(notes, " / ")});
  }
  t.Print(std::cout);
}

void TaskList(Client& c, const Args& a, const Operands&) {
  v1::ListTasksRequest req;
  req.set_plan_id(a.GetOr("plan", ""));
  req.set_campaign_id(a.GetOr("campaign", ""));
  req.set_unit(a.GetOr("unit", ""));
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::TaskState>(ParseEnum(v1::TaskState_descriptor(), "TASK_STATE_", "state", *v)));
  }
  if (auto v = a.Get("due-before")) {
    CheckDate("due-before", *v);
    req.set_due_before(*v);
  }
  if (auto v = a.Get("due-after")) {
    CheckDate("due-after", *v);
    req.set_due_after(*v);
  }
  req.set_overdue_only(a.Bool("overdue"));
  if (auto v = a.Int("page-size")) req.set_page_size(*v);
  req.set_page_token(a.GetOr("page-token", ""));
  bool all = a.Bool("all");

  v1::ListTasksResponse total;
  while (true) {
    v1::ListTasksResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.tasks().ListTasks(ctx, req, &page); });
    for (auto& t : *page.mutable_tasks()) *total.add_tasks() = std::move(t);
    total.set_next_page_token(page.next_page_token());
    if (!all || page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(total);
  Table t({"ID", "CODE", "STATE", "DUE", "OVERDUE", "WARN", "LEAD", "TITLE"}, {0, 0, 0, 0, 0, 0, 24, 40});
  for (const auto& k : total.tasks()) {
    t.AddRow({k.id(), k.code(), StateName(k.state()), k.due_date(), k.overdue() ? "!" : "",
              WarningName(k.warning_level()), c.UnitNames(k.lead_unit_ids()), k.title()});
  }
  t.Print(std::cout);
  if (!total.next_page_token().empty()) {
    std::cout.flush();
    std::cerr << "more tasks: --page-token=" << total.next_page_token() << " (or --all)\n";
  }
}

}  // namespace

void RegisterTaskCommands(Registry& r) {
  using S = v1::TaskService::Stub;
  r.Add("task create",
        "task create --campaign=ID --code=C --title=T --lead=UNIT[,UNIT] --due=YYYY-MM-DD [--responsible=U,..] "
        "[--text=..] [--list-kind=project|task|policy] [--lead-leader=..] [--responsible-person=..] "
        "[--milestone=YYYY-MM-DD:TITLE]...",
        {},
        {"campaign", "code", "title", "lead", "responsible", "due", "text", "list-kind", "lead-leader",
         "responsible-person", "milestone"},
        true, TaskCreate);
  r.Add("task assign", "task assign <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::AssignTask>);
  r.Add("task accept", "task accept <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::AcceptTask>);
  r.Add("task request-completion", "task request-completion <task_id>", {"task_id"}, {}, true,
        TaskRefCommand<&S::RequestCompletion>);
  r.Add("task resume", "task resume <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::ResumeTask>);
  r.Add("task archive", "task archive <task_id>", {"task_id"}, {}, true, TaskRefCommand<&S::ArchiveTask>);
  r.Add("task send-back", "task send-back <task_id> --reason=R", {"task_id"}, {"reason"}, true,
        ReasonCommand<&S::SendBackTask>);
  r.Add("task suspend", "task suspend <task_id> --reason=R", {"task_id"}, {"reason"}, true,
        ReasonCommand<&S::SuspendTask>);
  r.Add("task cancel", "task cancel <task_id> --reason=R", {"task_id"}, {"reason"}, true,
        ReasonCommand<&S::CancelTask>);
  r.Add("task transfer", "task transfer <task_id> --lead=UNIT[,UNIT] [--responsible=U,..]", {"task_id"},
        {"lead", "responsible"}, true, TaskTransfer);
  r.Add("task report",
        "task report <task_id> --work-done=.. [--progress=..] [--highlights=..] [--difficulties=..] "
        "[--requests=..] [--indicator=NAME=VALUE[UNIT]]... [--evidence=SHA,..]",
        {"task_id"}, {"work-done", "progress", "highlights", "difficulties", "requests", "indicator", "evidence"}, true,
        TaskReport);
  r.Add("task review", "task review <task_id> --approve | --return --reason=R", {"task_id"},
        {"approve", "return", "reason"}, true, TaskReview);
  r.Add("task request-extension", "task request-extension <task_id> --due=YYYY-MM-DD --reason=R", {"task_id"},
        {"due", "reason"}, true, TaskRequestExtension);
  r.Add("task decide-extension", "task decide-extension <task_id> --approve | --deny --reason=R", {"task_id"},
        {"approve", "deny", "reason"}, true, TaskDecideExtension);
  r.Add("task get", "task get <task_id>", {"task_id"}, {}, false, TaskGet);
  r.Add("task history", "task history <task_id>", {"task_id"}, {}, false, TaskHistory);
  r.Add("task list",
        "task list [--plan=ID] [--campaign=ID] [--unit=UNIT] [--state=STATE] [--due-before=YYYY-MM-DD] "
        "[--due-after=YYYY-MM-DD] [--overdue] [--page-size=N] [--page-token=T] [--all]",
        {},
        {"plan", "campaign", "unit", "state", "due-before", "due-after", "overdue", "page-size", "page-token",
         "all"},
        false, TaskList);
}

}  // namespace dubanctl
