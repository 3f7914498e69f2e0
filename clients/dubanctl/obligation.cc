// dubanctl: the obligation noun: reports due by the reporting cadences (报送).
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

// One page (--page-token continues), or every page with --all.
void ObligationList(Client& c, const Args& a, const Operands&) {
  v1::ListObligationsRequest req;
  req.set_unit(a.GetOr("unit", ""));
  req.set_rule_id(a.GetOr("rule", ""));
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::ObligationState>(
        ParseEnum(v1::ObligationState_descriptor(), "OBLIGATION_STATE_", "state", *v)));
  }
  if (auto v = a.Get("from")) {
    CheckDate("from", *v);
    req.set_period_from(*v);
  }
  if (auto v = a.Get("to")) {
    CheckDate("to", *v);
    req.set_period_to(*v);
  }
  if (auto v = a.Int("page-size")) req.set_page_size(*v);
  req.set_page_token(a.GetOr("page-token", ""));
  bool all = a.Bool("all");

  v1::ListObligationsResponse total;
  while (true) {
    v1::ListObligationsResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.reports().ListObligations(ctx, req, &page); });
    for (auto& o : *page.mutable_obligations()) *total.add_obligations() = std::move(o);
    total.set_next_page_token(page.next_page_token());
    if (!all || page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(total);
  Table t({"ID", "RULE", "PERIOD", "UNIT", "DEADLINE", "STATE", "LATE", "URGES"}, {0, 20, 0, 20, 0, 0, 0, 0});
  for (const auto& o : total.obligations()) {
    t.AddRow({o.id(), o.rule_name().empty() ? o.rule_id() : o.rule_name(), o.period_label(), c.UnitName(o.unit_id()),
              Minutes(o.deadline()), ObligationStateName(o.state()), o.submitted_late() ? "late" : "",
              o.urges() > 0 ? std::to_string(o.urges()) : ""});
  }
  t.Print(std::cout);
  if (!total.next_page_token().empty()) {
    std::cout.flush();
    std::cerr << "more obligations: --page-token=" << total.next_page_token() << " (or --all)\n";
  }
}

void ObligationGet(Client& c, const Args&, const Operands& ops) {
  v1::GetObligationRequest req;
  req.set_obligation_id(ops[0]);
  v1::Obligation o;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().GetObligation(ctx, req, &o); });
  if (c.opts().json) return PrintJson(o);
  KeyValues kv;
  kv.Add("ID", o.id());
  kv.Add("RULE", o.rule_name().empty() ? o.rule_id() : absl::StrCat(o.rule_name(), " (", o.rule_id(), ")"));
  kv.AddWrapped("WHAT", o.what());
  kv.Add("UNIT", c.UnitName(o.unit_id()));
  if (!o.subject_id().empty() && o.subject_id() != o.unit_id()) kv.Add("FOR", o.subject_id());
  if (!o.recipient_unit_id().empty()) kv.Add("TO", c.UnitName(o.recipient_unit_id()));
  std::string period = o.period_label();
  if (!o.period_start().empty()) {
    absl::StrAppend(&period, "  (", o.period_start(), o.period_end() == o.period_start() ? "" : " \u2013 ",
                    o.period_end() == o.period_start() ? "" : o.period_end(), ")");
  }
  kv.Add("PERIOD", period);
  kv.Add("DEADLINE", Minutes(o.deadline()));
  kv.AddWrapped("DEADLINE NOTE", o.deadline_note());
  kv.Add("STATE", ObligationStateName(o.state()));
  kv.Add("VERSION", std::to_string(o.version()));
  if (o.urges() > 0) kv.Add("URGES", std::to_string(o.urges()));
  if (IsSet(o.submitted_at())) kv.Add("SUBMITTED", Minutes(o.submitted_at()) + (o.submitted_late() ? "  (late)" : ""));
  kv.AddWrapped("LAST REASON", o.last_reason());
  kv.AddWrapped("REPORT", o.report_text());
  kv.Print(std::cout);
}

void ObligationHistory(Client& c, const Args&, const Operands& ops) {
  v1::ObligationHistoryRequest req;
  req.set_obligation_id(ops[0]);
  v1::ObligationHistoryResponse resp;
  // Every page, in order.
  while (true) {
    v1::ObligationHistoryResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.reports().ObligationHistory(ctx, req, &page); });
    for (auto& e : *page.mutable_events()) *resp.add_events() = std::move(e);
    if (page.next_after_version() == 0) break;
    req.set_after_version(page.next_after_version());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "EVENT", "FROM\u2192TO", "LATE", "TEXT"}, {0, 0, 20, 0, 0, 0, 50});
  for (const auto& e : resp.events()) {
    std::string from = e.from_state() == v1::OBLIGATION_STATE_UNSPECIFIED ? "new" : ObligationStateName(e.from_state());
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), e.kind(),
              absl::StrCat(from, " \u2192 ", ObligationStateName(e.to_state())), e.late() ? "late" : "", e.text()});
  }
  t.Print(std::cout);
}

// "ID  pending → submitted  (version 2)": the from state is read from the
// event the command wrote (its version is the obligation's).
void PrintObligationResult(Client& c, const v1::Obligation& o) {
  if (c.opts().json) return PrintJson(o);
  std::string move = ObligationStateName(o.state());
  v1::ObligationHistoryRequest req;
  req.set_obligation_id(o.id());
  req.set_after_version(o.version() - 1);  // the command's own event only
  req.set_page_size(1);
  v1::ObligationHistoryResponse h;
  if (c.TryCall([&](grpc::ClientContext* ctx) { return c.reports().ObligationHistory(ctx, req, &h); }).ok()) {
    for (const auto& e : h.events()) {
      if (e.version() == o.version()) {
        move = absl::StrCat(ObligationStateName(e.from_state()), " \u2192 ", ObligationStateName(e.to_state()));
      }
    }
  }
  std::cout << o.id() << "  " << move << "  (version " << o.version() << ")";
  if (o.state() == v1::OBLIGATION_STATE_SUBMITTED && o.submitted_late()) std::cout << "  (late)";
  std::cout << "\n";
}

void ObligationSubmit(Client& c, const Args& a, const Operands& ops) {
  v1::SubmitReportRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_obligation_id(ops[0]);
  req.set_text(a.Require("text"));
  AddEvidenceFlag(a, req.mutable_evidence());
  v1::Obligation o;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().SubmitReport(ctx, req, &o); });
  PrintObligationResult(c, o);
}

template <bool kAccept>
void ObligationReview(Client& c, const Args& a, const Operands& ops) {
  v1::ReviewReportRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_obligation_id(ops[0]);
  req.set_decision(kAccept ? v1::REVIEW_DECISION_APPROVE : v1::REVIEW_DECISION_RETURN);
  req.set_reason(kAccept ? a.GetOr("reason", "") : a.Require("reason"));
  v1::Obligation o;
  c.Call([&](grpc::ClientContext* ctx) { return c.reports().ReviewReport(ctx, req, &o); });
  PrintObligationResult(c, o);
}

}  // namespace

void RegisterObligationCommands(Registry& r) {
  r.Add("obligation list",
        "obligation list [--unit=UNIT] [--rule=ID] [--state=pending|submitted|accepted|returned|missed] "
        "[--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--page-size=N] [--page-token=T] [--all]",
        {}, {"unit", "rule", "state", "from", "to", "page-size", "page-token", "all"}, false, ObligationList);
  r.Add("obligation get", "obligation get <obligation_id>", {"obligation_id"}, {}, false, ObligationGet);
  r.Add("obligation history", "obligation history <obligation_id>", {"obligation_id"}, {}, false,
        ObligationHistory);
  r.Add("obligation submit", "obligation submit <obligation_id> --text=REPORT [--evidence=SHA,..]", {"obligation_id"},
        {"text", "evidence"}, true,
        ObligationSubmit);
  r.Add("obligation accept", "obligation accept <obligation_id>", {"obligation_id"}, {}, true,
        ObligationReview<true>);
  r.Add("obligation return", "obligation return <obligation_id> --reason=R", {"obligation_id"}, {"reason"}, true,
        ObligationReview<false>);
}

}  // namespace dubanctl
