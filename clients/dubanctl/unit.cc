// dubanctl: the organisation nouns: unit, person, leading-group, task-force.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "all_pages.h"
#include "client.h"
#include "text_table.h"

namespace dubanctl {
namespace {

void UnitList(Client& c, const Args& a, const Operands&) {
  v1::ListUnitsRequest req;
  if (auto v = a.Get("category")) {
    req.set_category(static_cast<v1::UnitCategory>(
        ParseEnum(v1::UnitCategory_descriptor(), "UNIT_CATEGORY_", "category", *v)));
  }
  v1::ListUnitsResponse resp;
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.org().ListUnits(ctx, r, p); },
           [](auto* m) { return m->mutable_units(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "NAME", "CATEGORY", "ALIASES", "SECTORS"}, {0, 30, 0, 50, 40});
  for (const auto& u : resp.units()) {
    t.AddRow({u.id(), u.name(), CategoryName(u.category()), absl::StrJoin(u.aliases(), "\u3001"),
              absl::StrJoin(u.sectors(), "\u3001")});
  }
  t.Print(std::cout);
}

void UnitResolve(Client& c, const Args&, const Operands& ops) {
  v1::ResolveUnitRequest req;
  req.set_name(ops[0]);
  v1::ResolveUnitResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.org().ResolveUnit(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  if (resp.has_group()) {
    const auto& g = resp.group();
    std::cout << "group " << g.name() << " (" << g.id() << "), " << g.member_unit_ids_size() << " units";
    if (g.aliases_size() > 0) std::cout << "; aliases: " << absl::StrJoin(g.aliases(), "\u3001");
    std::cout << "\n";
  }
  Table t({"ID", "NAME", "CATEGORY", "ALIASES", "SECTORS"}, {0, 30, 0, 50, 40});
  for (const auto& u : resp.units()) {
    t.AddRow({u.id(), u.name(), CategoryName(u.category()), absl::StrJoin(u.aliases(), "\u3001"),
              absl::StrJoin(u.sectors(), "\u3001")});
  }
  t.Print(std::cout);
}

void PersonList(Client& c, const Args&, const Operands&) {
  v1::ListPeopleRequest req;
  v1::ListPeopleResponse resp;
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.org().ListPeople(ctx, r, p); },
           [](auto* m) { return m->mutable_people(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "NAME", "POSTS"}, {0, 20, 70});
  for (const auto& p : resp.people()) {
    std::vector<std::string> posts;
    for (const auto& post : p.posts()) {
      // Titles usually name their unit ("市科技局局长"); add it when they do not.
      std::string unit = post.unit_id().empty() ? "" : c.UnitName(post.unit_id());
      posts.push_back(unit.empty() || post.title().find(unit) != std::string::npos ? post.title()
                                                                                  : unit + post.title());
    }
    t.AddRow({p.id(), p.name(), absl::StrJoin(posts, "\uFF1B")});  // ；
  }
  t.Print(std::cout);
}

void LeadingGroupGet(Client& c, const Args&, const Operands& ops) {
  v1::GetLeadingGroupRequest req;
  req.set_plan_id(ops[0]);
  v1::LeadingGroup g;
  c.Call([&](grpc::ClientContext* ctx) { return c.org().GetLeadingGroup(ctx, req, &g); });
  if (c.opts().json) return PrintJson(g);
  auto people = [&](const google::protobuf::RepeatedPtrField<std::string>& ids) {
    std::vector<std::string> names;
    for (const auto& id : ids) names.push_back(c.PersonName(id));
    return absl::StrJoin(names, "\u3001");
  };
  KeyValues kv;
  kv.Add("ID", g.id());
  kv.Add("NAME", g.name());
  kv.AddIf("LEADER", c.PersonName(g.leader_person_id()));
  kv.AddIf("FIRST DEPUTY", c.PersonName(g.first_deputy_leader_person_id()));
  kv.AddWrapped("DEPUTIES", people(g.deputy_leader_person_ids()));
  kv.AddWrapped("MEMBERS", people(g.member_person_ids()));
  kv.AddWrapped("MEMBER UNITS", c.UnitNames(g.member_unit_ids()));
  if (!g.office_unit_id().empty()) kv.Add("OFFICE", c.UnitName(g.office_unit_id()));
  kv.AddIf("OFFICE DIRECTOR", c.PersonName(g.office_director_person_id()));
  kv.AddIf("OFFICE DEPUTY", c.PersonName(g.office_deputy_director_person_id()));
  kv.Print(std::cout);
}

void TaskForceList(Client& c, const Args& a, const Operands&) {
  v1::ListTaskForcesRequest req;
  req.set_plan_id(a.GetOr("plan", ""));
  v1::ListTaskForcesResponse resp;
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.org().ListTaskForces(ctx, r, p); },
           [](auto* m) { return m->mutable_task_forces(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"ID", "CAMPAIGN", "NAME", "CONVENER", "OFFICE", "MEMBERS"}, {0, 0, 30, 0, 20, 50});
  for (const auto& f : resp.task_forces()) {
    std::vector<std::string> members;
    for (const auto& m : f.members()) members.push_back(c.UnitRefName(m));
    t.AddRow({f.id(), f.campaign_id(), f.name(), c.PersonName(f.convener_person_id()),
              f.office_unit_id().empty() ? "" : c.UnitName(f.office_unit_id()),
              absl::StrJoin(members, "\u3001")});
  }
  t.Print(std::cout);
}

}  // namespace

void RegisterUnitCommands(Registry& r) {
  r.Add("unit list", "unit list [--category=department|township|park|platform_company|other]", {}, {"category"},
        false, UnitList);
  r.Add("unit resolve", "unit resolve <name>", {"name"}, {}, false, UnitResolve);
  r.Add("person list", "person list", {}, {}, false, PersonList);
  r.Add("leading-group get", "leading-group get <plan_id>", {"plan_id"}, {}, false, LeadingGroupGet);
  r.Add("task-force list", "task-force list [--plan=ID]", {}, {"plan"}, false, TaskForceList);
}

}  // namespace dubanctl
