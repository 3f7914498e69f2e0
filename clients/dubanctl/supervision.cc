// dubanctl: the supervision noun (督办) and the escalate command.
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

std::string SupervisionStateName(v1::SupervisionState s) {
  if (s == v1::SUPERVISION_STATE_UNSPECIFIED) return "-";
  return Short(v1::SupervisionState_Name(s), "SUPERVISION_STATE_");
}
std::string SubjectKindName(v1::SupervisionSubjectKind k) {
  if (k == v1::SUPERVISION_SUBJECT_UNSPECIFIED) return "";
  return Short(v1::SupervisionSubjectKind_Name(k), "SUPERVISION_SUBJECT_");
}

std::string ItemSubject(const v1::SupervisionItem& i) {
  if (i.subject_id().empty()) return SubjectKindName(i.subject_kind());
  return absl::StrCat(SubjectKindName(i.subject_kind()), " ", i.subject_id());
}

void SupervisionList(Client& c, const Args& a, const Operands&) {
  v1::ListSupervisionRequest req;
  req.set_subject_id(a.GetOr("subject", ""));
  if (auto v = a.Int("level")) req.set_level(*v);
  if (auto v = a.Get("state")) {
    req.set_state(static_cast<v1::SupervisionState>(
        ParseEnum(v1::SupervisionState_descriptor(), "SUPERVISION_STATE_", "state", *v)));
  }
  req.set_unit(a.GetOr("unit", ""));
  req.set_overdue_only(a.Bool("overdue"));
  v1::ListSupervisionResponse resp;
  // Every page, in order.
  while (true) {
    v1::ListSupervisionResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.supervision().ListSupervision(ctx, req, &page); });
    for (auto& i : *page.mutable_items()) *resp.add_items() = std::move(i);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "LEVEL", "STATE", "SUBJECT", "UNIT", "DEADLINE", "OVERDUE", "TITLE"}, {0, 0, 0, 0, 20, 0, 0, 40});
  for (const auto& i : resp.items()) {
    t.AddRow({i.id(), std::to_string(i.level()), SupervisionStateName(i.state()), ItemSubject(i),
              i.responsible_unit_id().empty() ? "" : c.UnitName(i.responsible_unit_id()), i.deadline(),
              i.overdue() ? "!" : "", i.title()});
  }
  t.Print(std::cout);
}

void SupervisionGet(Client& c, const Args&, const Operands& ops) {
  v1::GetSupervisionRequest req;
  req.set_item_id(ops[0]);
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().GetSupervision(ctx, req, &i); });
  if (c.opts().json) return PrintJson(i);
  KeyValues kv;
  kv.Add("ID", i.id());
  kv.AddWrapped("TITLE", i.title());
  kv.Add("SUBJECT", ItemSubject(i));
  kv.Add("LEVEL", std::to_string(i.level()));
  kv.Add("STATE", SupervisionStateName(i.state()));
  kv.Add("VERSION", std::to_string(i.version()));
  if (!i.responsible_unit_id().empty()) kv.Add("UNIT", c.UnitName(i.responsible_unit_id()));
  kv.AddIf("PERSON", i.responsible_person());
  kv.Add("DEADLINE", i.deadline() + (i.overdue() ? "  ! overdue" : ""));
  kv.AddWrapped("HAZARD LIST", i.hazard_list());
  kv.AddWrapped("TARGET", i.rectification_target());
  kv.AddWrapped("MEASURES", i.measures());
  if (i.inspection_cycle_days() > 0) kv.Add("CYCLE", absl::StrCat(i.inspection_cycle_days(), " days"));
  kv.AddIf("LISTED BY", i.listed_by());
  kv.AddIf("RULE", i.rule_id());
  kv.AddWrapped("LAST REPORT", i.last_report());
  if (i.reopen_count() > 0) kv.Add("REOPENED", std::to_string(i.reopen_count()));
  kv.AddIf("LOOK-BACK", i.lookback_date());
  kv.AddIf("CREATED", Minutes(i.created_at()));
  kv.AddIf("UPDATED", Minutes(i.updated_at()));
  kv.Print(std::cout);
}

std::string LevelMove(int from, int to) {
  if (from == to) return "";
  return absl::StrCat("level ", from == 0 ? std::string("new") : std::to_string(from), " \u2192 ", to);
}

void SupervisionHistory(Client& c, const Args&, const Operands& ops) {
  v1::SupervisionHistoryRequest req;
  req.set_item_id(ops[0]);
  v1::SupervisionHistoryResponse resp;
  // Every page, in order.
  while (true) {
    v1::SupervisionHistoryResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.supervision().History(ctx, req, &page); });
    for (auto& e : *page.mutable_events()) *resp.add_events() = std::move(e);
    if (page.next_after_version() == 0) break;
    req.set_after_version(page.next_after_version());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"VERSION", "AT", "ACTOR", "EVENT", "FROM\u2192TO", "LEVEL", "TEXT"}, {0, 0, 20, 0, 0, 0, 50});
  for (const auto& e : resp.events()) {
    std::string from = e.from_state() == v1::SUPERVISION_STATE_UNSPECIFIED ? "new" : SupervisionStateName(e.from_state());
    t.AddRow({std::to_string(e.version()), Minutes(e.at()), e.actor(), e.kind(),
              absl::StrCat(from, " \u2192 ", SupervisionStateName(e.to_state())), LevelMove(e.from_level(), e.to_level()),
              e.text()});
  }
  t.Print(std::cout);
}

// "S1  listed → rectifying  (version 2)", read from the event the command wrote.
void PrintSupervisionResult(Client& c, const v1::SupervisionItem& i) {
  if (c.opts().json) return PrintJson(i);
  std::string move = SupervisionStateName(i.state());
  std::string level;
  v1::SupervisionHistoryRequest req;
  req.set_item_id(i.id());
  req.set_after_version(i.version() - 1);  // the command's own event only
  req.set_page_size(1);
  v1::SupervisionHistoryResponse h;
  if (c.TryCall([&](grpc::ClientContext* ctx) { return c.supervision().History(ctx, req, &h); }).ok()) {
    for (const auto& e : h.events()) {
      if (e.version() != i.version()) continue;
      std::string from =
          e.from_state() == v1::SUPERVISION_STATE_UNSPECIFIED ? "new" : SupervisionStateName(e.from_state());
      move = absl::StrCat(e.kind(), ": ", from, " \u2192 ", SupervisionStateName(e.to_state()));
      level = LevelMove(e.from_level(), e.to_level());
    }
  }
  std::cout << i.id() << "  " << move << "  (version " << i.version() << ")";
  std::cout << "  level " << i.level();
  if (!level.empty()) std::cout << " (" << level << ")";
  if (!i.responsible_unit_id().empty()) std::cout << "  " << c.UnitName(i.responsible_unit_id());
  if (!i.deadline().empty()) std::cout << "  deadline " << i.deadline();
  std::cout << "\n";
}

void SupervisionAdd(Client& c, const Args& a, const Operands&) {
  v1::ListForSupervisionRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_subject_kind(static_cast<v1::SupervisionSubjectKind>(
      ParseEnum(v1::SupervisionSubjectKind_descriptor(), "SUPERVISION_SUBJECT_", "kind", a.Require("kind"))));
  req.set_subject_id(a.GetOr("subject", ""));
  if (req.subject_kind() != v1::SUPERVISION_SUBJECT_HAZARD && req.subject_id().empty()) {
    throw UsageError("--subject: required for --kind=" + a.Require("kind") + " (the task or obligation id)");
  }
  req.set_title(a.Require("title"));
  auto level = a.Int("level");
  if (!level) throw UsageError("--level: required (1, 2 or 3)");
  req.set_level(*level);
  req.set_hazard_list(a.GetOr("hazard-list", ""));
  req.set_responsible_unit(a.GetOr("unit", ""));
  req.set_responsible_person(a.GetOr("person", ""));
  req.set_rectification_target(a.GetOr("target", ""));
  req.set_measures(a.GetOr("measures", ""));
  if (auto v = a.Get("deadline")) {
    CheckDate("deadline", *v);
    req.set_deadline(*v);
  }
  if (auto v = a.Int("cycle-days")) req.set_inspection_cycle_days(*v);
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().ListForSupervision(ctx, req, &i); });
  PrintSupervisionResult(c, i);
}

template <v1::SupervisionAction kAction, bool kNeedsText>
void SupervisionStep(Client& c, const Args& a, const Operands& ops) {
  v1::SupervisionStepRequest req;
  *req.mutable_meta() = c.Meta(a);
  req.set_item_id(ops[0]);
  req.set_action(kAction);
  req.set_text(kNeedsText ? a.Require("text") : a.GetOr("text", ""));
  if (kAction == v1::SUPERVISION_ACTION_REPORT_RECTIFICATION) AddEvidenceFlag(a, req.mutable_evidence());
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().Step(ctx, req, &i); });
  PrintSupervisionResult(c, i);
}

// One command for an item ("S…"), a task ("T…") or an obligation (anything else).
void Escalate(Client& c, const Args& a, const Operands& ops) {
  v1::EscalateRequest req;
  *req.mutable_meta() = c.Meta(a);
  const std::string& id = ops[0];
  if (id[0] == 'S') {
    req.set_item_id(id);
  } else if (id[0] == 'T') {
    req.set_task_id(id);
  } else {
    req.set_obligation_id(id);
  }
  req.set_reason(a.Require("reason"));
  if (auto v = a.Get("deadline")) {
    CheckDate("deadline", *v);
    req.set_new_deadline(*v);
  }
  v1::SupervisionItem i;
  c.Call([&](grpc::ClientContext* ctx) { return c.supervision().Escalate(ctx, req, &i); });
  PrintSupervisionResult(c, i);
}

}  // namespace

void RegisterSupervisionCommands(Registry& r) {
    using SA = v1::SupervisionAction;
  r.Add("supervision list",
        "supervision list [--subject=ID] [--level=1|2|3] [--state=listed|rectifying|rectification_reported|verified|"
        "closed] [--unit=UNIT] [--overdue]",
        {}, {"subject", "level", "state", "unit", "overdue"}, false, SupervisionList);
  r.Add("supervision get", "supervision get <item_id>", {"item_id"}, {}, false, SupervisionGet);
  r.Add("supervision history", "supervision history <item_id>", {"item_id"}, {}, false, SupervisionHistory);
  r.Add("supervision add",
        "supervision add --kind=hazard|task|obligation [--subject=ID] --title=T --level=1|2|3 [--hazard-list=..] "
        "[--unit=UNIT] [--person=..] [--target=..] [--measures=..] [--deadline=YYYY-MM-DD] [--cycle-days=N]",
        {},
        {"kind", "subject", "title", "level", "hazard-list", "unit", "person", "target", "measures", "deadline",
         "cycle-days"},
        true, SupervisionAdd);
  r.Add("supervision start", "supervision start <item_id> [--text=..]", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_START_RECTIFICATION, false>);
  r.Add("supervision report", "supervision report <item_id> --text=REPORT [--evidence=SHA,..]", {"item_id"},
        {"text", "evidence"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_REPORT_RECTIFICATION, true>);
  r.Add("supervision verify", "supervision verify <item_id> [--text=..]", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_VERIFY, false>);
  r.Add("supervision return", "supervision return <item_id> --text=REASON", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_RETURN, true>);
  r.Add("supervision close", "supervision close <item_id> [--text=..]", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_CLOSE, false>);
  r.Add("supervision lookback-passed", "supervision lookback-passed <item_id> [--text=..]", {"item_id"}, {"text"},
        true, SupervisionStep<SA::SUPERVISION_ACTION_LOOKBACK_PASSED, false>);
  r.Add("supervision reopen", "supervision reopen <item_id> --text=WHAT_RECURRED", {"item_id"}, {"text"}, true,
        SupervisionStep<SA::SUPERVISION_ACTION_REOPEN, true>);
  r.Add("escalate", "escalate <item_id|task_id|obligation_id> --reason=R [--deadline=YYYY-MM-DD]", {"id"},
        {"reason", "deadline"}, true, Escalate);
}

}  // namespace dubanctl
