// dubanctl: the accountability nouns (问责): case, incident, notice.
#include <cstdint>
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

void CaseList(Client& c, const Args& a, const Operands&) {
  v1::ListCasesRequest req;
  req.set_unit(a.GetOr("unit", ""));
  req.set_period(a.GetOr("period", ""));
  req.set_rule_id(a.GetOr("rule", ""));
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::AccountabilityState>(
        ParseEnum(v1::AccountabilityState_descriptor(), "ACCOUNTABILITY_STATE_", "state", *v)));
  }
  v1::ListCasesResponse resp;
  // Every page, in order.
  while (true) {
    v1::ListCasesResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.accountability().ListCases(ctx, req, &page); });
    for (auto& k : *page.mutable_cases()) *resp.add_cases() = std::move(k);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "UNIT", "PERIOD", "ACTION", "BY", "RULE", "STEP", "STATE", "REASON"},
          {0, 20, 0, 0, 0, 0, 0, 0, 50});
  for (const auto& k : resp.cases()) {
    t.AddRow({k.id(), c.UnitName(k.unit_id()), k.period(), k.action_name().empty() ? k.action() : k.action_name(),
              k.by_role(), k.ladder_id(), k.step() > 0 ? std::to_string(k.step()) : "", CaseStateName(k.state()),
              k.reason()});
  }
  t.Print(std::cout);
}

void CaseGet(Client& c, const Args&, const Operands& ops) {
  v1::GetCaseRequest req;
  req.set_case_id(ops[0]);
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().GetCase(ctx, req, &k); });
  if (c.opts().json) return PrintJson(k);
  KeyValues kv;
  kv.Add("ID", k.id());
  kv.Add("UNIT", c.UnitName(k.unit_id()));
  kv.Add("ACTION", k.action_name().empty() ? k.action() : absl::StrCat(k.action_name(), " (", k.action(), ")"));
  kv.AddIf("BY", k.by_role());
  kv.Add("RULE", k.step() > 0 ? absl::StrCat(k.ladder_id(), ", step ", k.step()) : k.ladder_id());
  kv.AddIf("PERIOD", k.period());
  kv.AddWrapped("REASON", k.reason());
  kv.Add("STATE", CaseStateName(k.state()));
  kv.Add("VERSION", std::to_string(k.version()));
  kv.AddWrapped("MINUTES", k.minutes());
  if (k.commitments_size() > 0) {
    std::vector<std::string> lines;
    for (const auto& m : k.commitments()) lines.push_back("- " + m);
    kv.Add("COMMITMENTS", absl::StrJoin(lines, "\n"));
  }
  kv.AddWrapped("FOLLOW-UP", k.follow_up());
  kv.AddIf("CREATED", Minutes(k.created_at()));
  kv.AddIf("UPDATED", Minutes(k.updated_at()));
  kv.Print(std::cout);
}

void CaseHistory(Client& c, const Args&, const Operands& ops) {
  v1::CaseHistoryRequest req;
  req.set_case_id(ops[0]);
  v1::CaseHistoryResponse resp;
  // Every page, in order.
  while (true) {
    v1::CaseHistoryResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.accountability().CaseHistory(ctx, req, &page); });
    for (auto& e : *page.mutable_events()) *resp.add_events() = std::move(e);
    if (page.next_after_version() == 0) break;
    req.set_after_version(page.next_after_version());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "EVENT", "FROM\u2192TO", "TEXT"}, {0, 0, 20, 0, 0, 60});
  for (const auto& e : resp.events()) {
    std::string from = e.from_state() == v1::ACCOUNTABILITY_STATE_UNSPECIFIED ? "new" : CaseStateName(e.from_state());
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), e.kind(),
              absl::StrCat(from, " \u2192 ", CaseStateName(e.to_state())), e.text()});
  }
  t.Print(std::cout);
}

// "A1  scheduled → held  (version 2)", read from the event the command wrote.
void PrintCaseResult(Client& c, const v1::AccountabilityCase& k) {
  if (c.opts().json) return PrintJson(k);
  std::string move = CaseStateName(k.state());
  v1::CaseHistoryRequest req;
  req.set_case_id(k.id());
  req.set_after_version(k.version() - 1);  // the command's own event only
  req.set_page_size(1);
  v1::CaseHistoryResponse h;
  if (c.TryCall([&](grpc::ClientContext* ctx) { return c.accountability().CaseHistory(ctx, req, &h); }).ok()) {
    for (const auto& e : h.events()) {
      if (e.version() == k.version()) {
        move = absl::StrCat(CaseStateName(e.from_state()), " \u2192 ", CaseStateName(e.to_state()));
      }
    }
  }
  std::cout << k.id() << "  " << move << "  (version " << k.version() << ")  " << c.UnitName(k.unit_id()) << "  "
            << k.action_name() << "\n";
}

void CaseHold(Client& c, const Args& a, const Operands& ops) {
  v1::HoldCaseRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_case_id(ops[0]);
  req.set_minutes(a.Require("minutes"));
  std::vector<std::string> commitments = a.All("commitment");
  if (commitments.empty()) throw UsageError("--commitment: at least one is required");
  for (const auto& m : commitments) req.add_commitments(m);
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().Hold(ctx, req, &k); });
  PrintCaseResult(c, k);
}

void CaseFollowUp(Client& c, const Args& a, const Operands& ops) {
  v1::FollowUpCaseRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_case_id(ops[0]);
  req.set_follow_up(a.Require("text"));
  AddEvidenceFlag(a, req.mutable_evidence());
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().FollowUp(ctx, req, &k); });
  PrintCaseResult(c, k);
}

void CaseClose(Client& c, const Args& a, const Operands& ops) {
  v1::CloseCaseRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_case_id(ops[0]);
  req.set_text(a.GetOr("text", ""));
  v1::AccountabilityCase k;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().Close(ctx, req, &k); });
  PrintCaseResult(c, k);
}

void IncidentReport(Client& c, const Args& a, const Operands& ops) {
  v1::ReportIncidentRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_unit(ops[0]);
  req.set_date(a.Require("date"));
  CheckDate("date", req.date());
  req.set_kind(a.Require("kind"));
  auto deaths = a.Int("deaths");
  if (!deaths) throw UsageError("--deaths: required");
  req.set_deaths(*deaths);
  req.set_description(a.GetOr("description", ""));
  v1::ReportIncidentResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().ReportIncident(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  const auto& i = resp.incident();
  std::cout << "incident " << i.id() << "  " << c.UnitName(i.unit_id()) << "  " << i.date() << "  " << i.kind()
            << ", " << i.deaths() << (i.deaths() == 1 ? " death" : " deaths") << "\n";
  PrintOpened(c, resp.opened());
}

void NoticeRecordProblem(Client& c, const Args& a, const Operands& ops) {
  v1::RecordNoticeProblemRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_unit(ops[0]);
  req.set_month(ops[1]);
  req.set_problem(ops[2]);
  v1::RecordNoticeProblemResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.accountability().RecordNoticeProblem(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  const auto& p = resp.problem();
  std::cout << c.UnitName(p.unit_id()) << "  " << p.month() << "  " << p.problem() << ": named in " << resp.times()
            << (resp.times() == 1 ? " monthly notice" : " monthly notices") << "\n";
  PrintOpened(c, resp.opened());
}

}  // namespace

void RegisterCaseCommands(Registry& r) {
  r.Add("case list",
        "case list [--unit=UNIT] [--period=PERIOD] [--state=scheduled|held|followed_up|closed] [--rule=ID]", {},
        {"unit", "period", "state", "rule"}, false, CaseList);
  r.Add("case get", "case get <case_id>", {"case_id"}, {}, false, CaseGet);
  r.Add("case history", "case history <case_id>", {"case_id"}, {}, false, CaseHistory);
  r.Add("case hold", "case hold <case_id> --minutes=TEXT --commitment=TEXT [--commitment=TEXT]...", {"case_id"},
        {"minutes", "commitment"}, true, CaseHold);
  r.Add("case follow-up", "case follow-up <case_id> --text=TEXT [--evidence=SHA,..]", {"case_id"}, {"text", "evidence"},
        true, CaseFollowUp);
  r.Add("case close", "case close <case_id> [--text=REMARK]", {"case_id"}, {"text"}, true, CaseClose);
  r.Add("incident report",
        "incident report <unit> --date=YYYY-MM-DD --kind=KIND --deaths=N [--description=..]", {"unit"},
        {"date", "kind", "deaths", "description"}, true, IncidentReport);
  r.Add("notice problem", "notice problem <unit> <month> <problem>", {"unit", "month", "problem"}, {}, true,
        NoticeRecordProblem);
}

}  // namespace dubanctl
