// dubanctl: the plan nouns: plan (draft, import, list, get) and campaign.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "all_pages.h"
#include "client.h"
#include "plan_draft.h"
#include "progress.h"
#include "text_table.h"

namespace dubanctl {
namespace {

void PlanImport(Client& c, const Args& a, const Operands& ops) {
  std::ifstream in(ops[0], std::ios::binary);
  if (!in) throw Failure(absl::StrCat(ops[0], ": cannot read the file"));
  Progress progress(a.Bool("progress"), std::cerr);
  progress.Phase(absl::StrCat("读取 ", ops[0]));
  std::stringstream buf;
  buf << in.rdbuf();
  v1::ImportPlanRequest req;
  req.set_actor(c.opts().actor);
  req.set_file_name(ops[0]);
  req.set_yaml(buf.str());
  req.set_update(a.Bool("update"));
  req.set_dry_run(a.Bool("dry-run"));
  v1::ImportPlanResponse resp;
  progress.Phase(absl::StrCat("发送 ", Progress::Size(req.yaml().size()), ", 等待 duband ",
                              req.dry_run() ? "试导入" : "导入"));
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().ImportPlan(ctx, req, &resp); });
  progress.Done(req.dry_run() ? absl::StrCat("试导入完成: ", resp.changes_size(), " 处变更")
                              : absl::StrCat("导入完成: ", resp.campaigns(), " 战役, ", resp.tasks(), " 任务"));
  if (c.opts().json) return PrintJson(resp);
  for (const auto& change : resp.changes()) std::cout << (req.dry_run() ? "would change: " : "changed: ") << change << "\n";
  if (req.dry_run()) {
    std::cout << "dry run: nothing written (" << resp.changes_size() << " change(s) to existing records)\n";
    return;
  }
  std::cout << "imported plan " << resp.plan().id() << " " << resp.plan().title() << ": " << resp.campaigns()
            << " campaigns, " << resp.tasks() << " tasks, " << resp.units() << " units, " << resp.task_forces()
            << " task forces\n";
}

// The directory --directory=daemon drafts against: the daemon's units, and
// ResolveUnit for a name they do not spell (groups, aliases).
void PlanDraftCmd(Client& c, const Args& a, const Operands& ops) {
  namespace pd = duban::plandraft;
  auto entry = [](const v1::Unit& u) {
    pd::DirectoryEntry e;
    e.id = u.id();
    e.name = u.name();
    std::string cat = CategoryName(u.category());
    e.category = cat.empty() ? "other" : cat;
    e.aliases.assign(u.aliases().begin(), u.aliases().end());
    e.sectors.assign(u.sectors().begin(), u.sectors().end());
    return e;
  };
  DaemonDirectory daemon;
  daemon.list_units = [&](std::string* jurisdiction) {
    v1::ListUnitsRequest req;
    v1::ListUnitsResponse resp;
    AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.org().ListUnits(ctx, r, p); },
           [](auto* m) { return m->mutable_units(); });
    std::vector<pd::DirectoryEntry> out;
    for (const auto& u : resp.units()) {
      if (jurisdiction->empty()) *jurisdiction = u.jurisdiction_id();
      out.push_back(entry(u));
    }
    return out;
  };
  daemon.resolve = [&](const std::string& name) -> std::optional<pd::DirectoryEntry> {
    v1::ResolveUnitRequest req;
    req.set_name(name);
    v1::ResolveUnitResponse resp;
    grpc::ClientContext ctx;
    c.AddActor(&ctx);  // the session's token
    if (!c.org().ResolveUnit(&ctx, req, &resp).ok()) return std::nullopt;  // not a unit: the draft proposes one
    if (resp.has_group()) {
      pd::DirectoryEntry e;
      e.id = e.name = resp.group().name();
      e.group = true;
      return e;
    }
    if (resp.units_size() == 1) return entry(resp.units(0));
    return std::nullopt;
  };
  try {
    PlanDraft(a, ops[0], daemon);
  } catch (const UsageError&) {
    throw;
  } catch (const RpcFailure&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw Failure(e.what());
  }
}

void PlanList(Client& c, const Args&, const Operands&) {
  v1::ListPlansRequest req;
  v1::ListPlansResponse resp;
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.plans().ListPlans(ctx, r, p); },
           [](auto* m) { return m->mutable_plans(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "YEAR", "DOCUMENT", "ISSUED", "CAMPAIGNS", "TITLE"}, {0, 0, 30, 0, 0, 40});
  for (const auto& p : resp.plans()) {
    t.AddRow({p.id(), p.year() ? std::to_string(p.year()) : "", p.document_no(), p.issued_date(),
              std::to_string(p.campaign_ids_size()), p.title()});
  }
  t.Print(std::cout);
}

void PlanGet(Client& c, const Args&, const Operands& ops) {
  v1::GetPlanRequest req;
  req.set_plan_id(ops[0]);
  v1::Plan p;
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().GetPlan(ctx, req, &p); });
  if (c.opts().json) return PrintJson(p);
  KeyValues kv;
  kv.Add("ID", p.id());
  kv.AddWrapped("TITLE", p.title());
  kv.AddIf("DOCUMENT", p.document_no());
  if (p.year()) kv.Add("YEAR", std::to_string(p.year()));
  kv.AddIf("ISSUED", p.issued_date());
  kv.AddIf("JURISDICTION", p.jurisdiction_id());
  kv.AddIf("LEADING GROUP", p.leading_group_id());
  kv.AddWrapped("CAMPAIGNS", absl::StrJoin(p.campaign_ids(), " "));
  kv.Print(std::cout);
}

void CampaignList(Client& c, const Args& a, const Operands&) {
  v1::ListCampaignsRequest req;
  req.set_plan_id(a.GetOr("plan", ""));
  v1::ListCampaignsResponse resp;
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.plans().ListCampaigns(ctx, r, p); },
           [](auto* m) { return m->mutable_campaigns(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "PLAN", "CODE", "LEAD", "TASKS", "TARGETS", "NAME"}, {0, 0, 0, 20, 0, 0, 40});
  for (const auto& k : resp.campaigns()) {
    t.AddRow({k.id(), k.plan_id(), k.code(), k.lead_unit_id().empty() ? "" : c.UnitName(k.lead_unit_id()),
              std::to_string(k.task_count()), std::to_string(k.targets_size()), k.name()});
  }
  t.Print(std::cout);
}

std::string Comparison(v1::TargetComparison k) {
  switch (k) {
    case v1::TARGET_COMPARISON_ABOUT: return "~";
    case v1::TARGET_COMPARISON_AT_LEAST: return ">=";
    case v1::TARGET_COMPARISON_AT_MOST: return "<=";
    case v1::TARGET_COMPARISON_EXACTLY: return "=";
    default: return "";
  }
}

void CampaignGet(Client& c, const Args&, const Operands& ops) {
  v1::GetCampaignRequest req;
  req.set_campaign_id(ops[0]);
  v1::Campaign k;
  c.Call([&](grpc::ClientContext* ctx) { return c.plans().GetCampaign(ctx, req, &k); });
  if (c.opts().json) return PrintJson(k);
  std::vector<std::string> resp;
  for (const auto& r : k.responsible()) resp.push_back(c.UnitRefName(r));
  KeyValues kv;
  kv.Add("ID", k.id());
  kv.Add("PLAN", k.plan_id());
  kv.Add("CODE", k.code());
  kv.AddWrapped("NAME", k.name());
  if (!k.lead_unit_id().empty()) kv.Add("LEAD", c.UnitName(k.lead_unit_id()));
  kv.AddWrapped("RESPONSIBLE", absl::StrJoin(resp, "\u3001"));
  kv.AddIf("TASK FORCE", k.task_force_id());
  kv.Add("TASKS", std::to_string(k.task_count()));
  kv.Print(std::cout);
  if (k.targets_size() == 0) return;
  std::cout << "\n";
  Table t({"CODE", "INDICATOR", "TARGET", "BASELINE", "DIRECTION", "NOTE"}, {0, 36, 0, 0, 0, 30});
  for (const auto& g : k.targets()) {
    std::string target = absl::StrCat(Comparison(g.comparison()), Comparison(g.comparison()).empty() ? "" : " ",
                                      Number(g.target_value()), g.unit_of_measure().empty() ? "" : " ",
                                      g.unit_of_measure());
    std::string dir = g.direction() == v1::TARGET_DIRECTION_UP     ? "up"
                      : g.direction() == v1::TARGET_DIRECTION_DOWN ? "down"
                                                                   : "";
    t.AddRow({g.code(), g.indicator(), target, g.has_baseline() ? Number(g.baseline()) : "", dir, g.note()});
  }
  t.Print(std::cout);
}

}  // namespace

void RegisterPlanCommands(Registry& r) {
  r.Add("plan draft",
        "plan draft <document> [-o plan.yaml] [--report=FILE] [--cadences=FILE] [--directory=plan.yaml|daemon] "
        "[--plan-id=ID]",
        {"document"}, {"output", "report", "cadences", "directory", "plan-id"}, false, PlanDraftCmd);
  r.Add("plan import", "plan import <file.yaml> [--dry-run] [--update] [--progress]", {"file.yaml"},
        {"dry-run", "update", "progress"}, false,
        PlanImport);
  r.Add("plan list", "plan list", {}, {}, false, PlanList);
  r.Add("plan get", "plan get <plan_id>", {"plan_id"}, {}, false, PlanGet);
  r.Add("campaign list", "campaign list [--plan=ID]", {}, {"plan"}, false, CampaignList);
  r.Add("campaign get", "campaign get <campaign_id>", {"campaign_id"}, {}, false, CampaignGet);
}

}  // namespace dubanctl
