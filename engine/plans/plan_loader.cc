#include "engine/plans/plan_loader.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"

namespace duban {
namespace {

using yamlx::Doc;

// Turns a validate:: error into one that cites the file and line.
absl::Status At(const Doc& doc, const YAML::Node& n, const absl::Status& s) {
  if (s.ok()) return s;
  return yamlx::Error(doc, n, s.message());
}

class Loader {
 public:
  Loader(const Doc& doc, const ExistingNames& existing, const ExistingGroupMembers& members)
      : doc_(doc), existing_(existing), existing_members_(members) {}

  absl::StatusOr<PlanBundle> Run() {
    const YAML::Node& root = doc_.root;
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, root, "",
                                    {"jurisdiction", "units", "unit_groups", "people",
                                     "leading_group", "plan"}));
    RETURN_IF_ERROR(Jurisdiction());
    RETURN_IF_ERROR(Units());
    RETURN_IF_ERROR(Groups());
    RETURN_IF_ERROR(People());
    RETURN_IF_ERROR(PlanHeader());
    RETURN_IF_ERROR(LeadingGroup());
    RETURN_IF_ERROR(Campaigns());
    return std::move(out_);
  }

 private:
  absl::Status Jurisdiction() {
    ASSIGN_OR_RETURN(auto j, yamlx::Map(doc_, doc_.root, "jurisdiction", "", true));
    ASSIGN_OR_RETURN(auto id, yamlx::String(doc_, j, "id", "jurisdiction", true));
    ASSIGN_OR_RETURN(auto name, yamlx::String(doc_, j, "name", "jurisdiction", true));
    RETURN_IF_ERROR(At(doc_, j, validate::Id("jurisdiction.id", id)));
    RETURN_IF_ERROR(At(doc_, j, validate::Required("jurisdiction.name", name, validate::kMaxName)));
    out_.jurisdiction.set_id(id);
    out_.jurisdiction.set_name(name);
    return absl::OkStatus();
  }

  absl::Status AddName(const YAML::Node& at, const std::string& name, v1::UnitRef ref,
                       absl::string_view field) {
    RETURN_IF_ERROR(At(doc_, at, validate::Required(field, name, validate::kMaxName)));
    auto [it, inserted] = names_.emplace(name, ref);
    if (!inserted) {
      const v1::UnitRef& other = it->second;
      bool same = other.unit_id() == ref.unit_id() && other.group_id() == ref.group_id();
      if (!same) {
        return yamlx::Error(doc_, at, absl::StrCat(field, ": name '", name,
                                                   "' already stands for another unit or group"));
      }
    }
    if (auto e = existing_(name); e.has_value()) {
      bool same = e->unit_id() == ref.unit_id() && e->group_id() == ref.group_id();
      if (!same) {
        return yamlx::Error(doc_, at, absl::StrCat(field, ": name '", name,
                                                   "' already stands for another unit in the store"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Units() {
    ASSIGN_OR_RETURN(auto units, yamlx::Seq(doc_, doc_.root, "units", "", true));
    for (size_t i = 0; i < units.size(); ++i) {
      const YAML::Node& u = units[i];
      std::string path = absl::StrCat("units[", i, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, u, path, {"id", "name", "category", "aliases", "sectors", "note"}));
      ASSIGN_OR_RETURN(auto id, yamlx::String(doc_, u, "id", path, true));
      ASSIGN_OR_RETURN(auto name, yamlx::String(doc_, u, "name", path, true));
      ASSIGN_OR_RETURN(auto cat, yamlx::String(doc_, u, "category", path, true));
      ASSIGN_OR_RETURN(auto aliases, yamlx::StringList(doc_, u, "aliases", path));
      RETURN_IF_ERROR(At(doc_, u, validate::Id(path + ".id", id)));
      if (!unit_ids_.insert(id).second) {
        return yamlx::Error(doc_, u, absl::StrCat(path, ".id: duplicate unit id '", id, "'"));
      }
      v1::Unit unit;
      unit.set_id(id);
      unit.set_jurisdiction_id(out_.jurisdiction.id());
      unit.set_name(name);
      static const std::map<std::string, v1::UnitCategory> kCats = {
          {"department", v1::UNIT_CATEGORY_DEPARTMENT},
          {"township", v1::UNIT_CATEGORY_TOWNSHIP},
          {"park", v1::UNIT_CATEGORY_PARK},
          {"platform_company", v1::UNIT_CATEGORY_PLATFORM_COMPANY},
          {"other", v1::UNIT_CATEGORY_OTHER}};
      auto c = kCats.find(cat);
      if (c == kCats.end()) {
        return yamlx::Error(doc_, u[std::string("category")],
                            absl::StrCat(path, ".category: unknown category '", cat,
                                         "' (department, township, park, platform_company, other)"));
      }
      unit.set_category(c->second);
      v1::UnitRef ref;
      ref.set_unit_id(id);
      RETURN_IF_ERROR(AddName(u, id, ref, path + ".id"));
      RETURN_IF_ERROR(AddName(u, name, ref, path + ".name"));
      for (size_t a = 0; a < aliases.size(); ++a) {
        RETURN_IF_ERROR(AddName(u, aliases[a], ref, absl::StrCat(path, ".aliases[", a, "]")));
        unit.add_aliases(aliases[a]);
      }
      RETURN_IF_ERROR(Sectors(u, path, &unit));
      out_.units.push_back(std::move(unit));
    }
    return absl::OkStatus();
  }

  // units[i].sectors: the sectors (行业领域) the unit regulates, each a short
  // name as plan documents write it before 领域 / 行业 ("建筑施工", "城镇燃气").
  // Two units may share a sector; the plan draft then reports it as ambiguous.
  absl::Status Sectors(const YAML::Node& u, const std::string& path, v1::Unit* unit) {
    static constexpr size_t kMaxSectorChars = 20;
    static constexpr size_t kMaxSectors = 50;
    ASSIGN_OR_RETURN(auto sectors, yamlx::StringList(doc_, u, "sectors", path));
    RETURN_IF_ERROR(At(doc_, u["sectors"], validate::Count(path + ".sectors", sectors.size(), kMaxSectors)));
    std::set<std::string> seen;
    for (size_t s = 0; s < sectors.size(); ++s) {
      std::string field = absl::StrCat(path, ".sectors[", s, "]");
      const YAML::Node at = u["sectors"][s];
      RETURN_IF_ERROR(At(doc_, at, validate::Required(field, sectors[s], kMaxSectorChars)));
      // One sector per entry: a list in one string would never match a heading.
      for (const char* bad : {"、", "，", ",", "；", ";", " ", "　", "\t", "\n"}) {
        if (absl::StrContains(sectors[s], bad)) {
          return yamlx::Error(doc_, at, absl::StrCat(field, ": '", validate::Quote(sectors[s]),
                                                     "' holds a separator or a blank; one sector per entry"));
        }
      }
      for (const char* word : {"领域", "行业"}) {  // 领域, 行业
        if (absl::EndsWith(sectors[s], word)) {
          return yamlx::Error(doc_, at, absl::StrCat(field, ": '", validate::Quote(sectors[s]), "' ends with '", word,
                                                     "'; write the sector without it (\"城镇燃气\")"));
        }
      }
      if (!seen.insert(sectors[s]).second) {
        return yamlx::Error(doc_, at, absl::StrCat(field, ": duplicate sector '", validate::Quote(sectors[s]), "'"));
      }
      unit->add_sectors(sectors[s]);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<v1::UnitRef> Resolve(const YAML::Node& at, const std::string& name,
                                      absl::string_view field) {
    auto it = names_.find(name);
    if (it != names_.end()) return it->second;
    if (auto e = existing_(name); e.has_value()) return *e;
    return yamlx::Error(doc_, at, absl::StrCat(field, ": unknown unit '", name, "'"));
  }

  absl::StatusOr<std::string> ResolveUnit(const YAML::Node& at, const std::string& name,
                                          absl::string_view field) {
    ASSIGN_OR_RETURN(auto ref, Resolve(at, name, field));
    if (!ref.has_unit_id()) {
      return yamlx::Error(doc_, at, absl::StrCat(field, ": '", name,
                                                 "' is a group of units; one unit is needed here"));
    }
    return ref.unit_id();
  }

  absl::Status Groups() {
    ASSIGN_OR_RETURN(auto groups, yamlx::Seq(doc_, doc_.root, "unit_groups", "", false));
    for (size_t i = 0; i < groups.size(); ++i) {
      const YAML::Node& g = groups[i];
      std::string path = absl::StrCat("unit_groups[", i, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, g, path, {"id", "name", "aliases", "members", "note"}));
      ASSIGN_OR_RETURN(auto name, yamlx::String(doc_, g, "name", path, true));
      ASSIGN_OR_RETURN(auto id, yamlx::String(doc_, g, "id", path, false));
      if (id.empty()) {
        if (auto e = existing_(name); e && e->has_group_id()) {
          id = e->group_id();  // the same group as an earlier plan's
        } else {
          // Scoped by the plan, so that a later plan's groups never take
          // the ids of an earlier plan's.
          std::string plan_id;
          YAML::Node plan = doc_.root["plan"];
          if (plan.IsMap() && plan["id"].IsScalar()) plan_id = plan["id"].Scalar();
          if (!validate::Id("plan.id", plan_id).ok()) plan_id = out_.jurisdiction.id();
          id = absl::StrCat(plan_id, "-group-", i + 1);
        }
      }
      RETURN_IF_ERROR(At(doc_, g, validate::Id(path + ".id", id)));
      ASSIGN_OR_RETURN(auto aliases, yamlx::StringList(doc_, g, "aliases", path));
      ASSIGN_OR_RETURN(auto members, yamlx::StringList(doc_, g, "members", path));
      v1::UnitGroup group;
      group.set_id(id);
      group.set_name(name);
      v1::UnitRef ref;
      ref.set_group_id(id);
      RETURN_IF_ERROR(AddName(g, name, ref, path + ".name"));
      for (size_t a = 0; a < aliases.size(); ++a) {
        RETURN_IF_ERROR(AddName(g, aliases[a], ref, absl::StrCat(path, ".aliases[", a, "]")));
        group.add_aliases(aliases[a]);
      }
      if (members.empty()) return yamlx::Error(doc_, g, path + ".members: required");
      for (size_t m = 0; m < members.size(); ++m) {
        ASSIGN_OR_RETURN(auto uid, ResolveUnit(g, members[m], absl::StrCat(path, ".members[", m, "]")));
        group.add_member_unit_ids(uid);
      }
      groups_[id] = group;
      out_.groups.push_back(std::move(group));
    }
    return absl::OkStatus();
  }

  absl::Status People() {
    ASSIGN_OR_RETURN(auto people, yamlx::Seq(doc_, doc_.root, "people", "", false));
    for (size_t i = 0; i < people.size(); ++i) {
      const YAML::Node& p = people[i];
      std::string path = absl::StrCat("people[", i, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, p, path, {"id", "name", "posts"}));
      ASSIGN_OR_RETURN(auto id, yamlx::String(doc_, p, "id", path, true));
      ASSIGN_OR_RETURN(auto name, yamlx::String(doc_, p, "name", path, true));
      RETURN_IF_ERROR(At(doc_, p, validate::Id(path + ".id", id)));
      RETURN_IF_ERROR(At(doc_, p, validate::Required(path + ".name", name, validate::kMaxName)));
      if (!person_ids_.insert(id).second) {
        return yamlx::Error(doc_, p, absl::StrCat(path, ".id: duplicate person id '", id, "'"));
      }
      v1::Person person;
      person.set_id(id);
      person.set_name(name);
      ASSIGN_OR_RETURN(auto posts, yamlx::Seq(doc_, p, "posts", path, false));
      for (size_t k = 0; k < posts.size(); ++k) {
        std::string ppath = absl::StrCat(path, ".posts[", k, "]");
        RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, posts[k], ppath, {"unit", "title"}));
        ASSIGN_OR_RETURN(auto unit, yamlx::String(doc_, posts[k], "unit", ppath, false));
        ASSIGN_OR_RETURN(auto title, yamlx::String(doc_, posts[k], "title", ppath, true));
        v1::Post* post = person.add_posts();
        post->set_title(title);
        if (!unit.empty()) {
          ASSIGN_OR_RETURN(auto uid, ResolveUnit(posts[k], unit, ppath + ".unit"));
          post->set_unit_id(uid);
        }
      }
      out_.people.push_back(std::move(person));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> PersonRef(const YAML::Node& map, absl::string_view key,
                                        absl::string_view path, bool required) {
    ASSIGN_OR_RETURN(auto id, yamlx::String(doc_, map, key, path, required));
    if (id.empty()) return id;
    if (!person_ids_.count(id)) {
      YAML::Node at = map[std::string(key)];
      return yamlx::Error(doc_, at, absl::StrCat(path, ".", key, ": unknown person '", id, "'"));
    }
    return id;
  }

  absl::Status PlanHeader() {
    ASSIGN_OR_RETURN(auto p, yamlx::Map(doc_, doc_.root, "plan", "", true));
    plan_node_ = p;
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, p, "plan",
                                    {"id", "title", "document_no", "year", "issued", "campaigns"}));
    ASSIGN_OR_RETURN(auto id, yamlx::String(doc_, p, "id", "plan", true));
    ASSIGN_OR_RETURN(auto title, yamlx::String(doc_, p, "title", "plan", true));
    ASSIGN_OR_RETURN(auto docno, yamlx::String(doc_, p, "document_no", "plan", false));
    ASSIGN_OR_RETURN(auto year, yamlx::Int(doc_, p, "year", "plan", true));
    ASSIGN_OR_RETURN(auto issued, yamlx::String(doc_, p, "issued", "plan", false));
    RETURN_IF_ERROR(At(doc_, p, validate::Id("plan.id", id)));
    RETURN_IF_ERROR(At(doc_, p, validate::Required("plan.title", title, validate::kMaxTitle)));
    if (!issued.empty()) RETURN_IF_ERROR(At(doc_, p, validate::Date("plan.issued", issued).status()));
    if (year < 2000 || year > 2100) return yamlx::Error(doc_, p, "plan.year: out of range");
    out_.plan.set_id(id);
    out_.plan.set_jurisdiction_id(out_.jurisdiction.id());
    out_.plan.set_title(title);
    out_.plan.set_document_no(docno);
    out_.plan.set_year(year);
    out_.plan.set_issued_date(issued);
    return absl::OkStatus();
  }

  absl::Status LeadingGroup() {
    YAML::Node lg = doc_.root["leading_group"];
    if (!lg.IsDefined() || lg.IsNull()) return absl::OkStatus();
    const std::string path = "leading_group";
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, lg, path,
                                    {"name", "leader", "first_deputy_leader", "deputy_leaders",
                                     "members", "member_units", "office_unit", "office_director",
                                     "office_deputy_director"}));
    v1::LeadingGroup g;
    g.set_id(out_.plan.id() + "/leading-group");
    ASSIGN_OR_RETURN(auto name, yamlx::String(doc_, lg, "name", path, true));
    g.set_name(name);
    ASSIGN_OR_RETURN(auto leader, PersonRef(lg, "leader", path, true));
    g.set_leader_person_id(leader);
    ASSIGN_OR_RETURN(auto first, PersonRef(lg, "first_deputy_leader", path, false));
    g.set_first_deputy_leader_person_id(first);
    for (const char* key : {"deputy_leaders", "members"}) {
      ASSIGN_OR_RETURN(auto ids, yamlx::StringList(doc_, lg, key, path));
      for (const auto& pid : ids) {
        if (!person_ids_.count(pid)) {
          return yamlx::Error(doc_, lg[key], absl::StrCat(path, ".", key, ": unknown person '", pid, "'"));
        }
        if (absl::string_view(key) == "members") g.add_member_person_ids(pid);
        else g.add_deputy_leader_person_ids(pid);
      }
    }
    ASSIGN_OR_RETURN(auto units, yamlx::StringList(doc_, lg, "member_units", path));
    for (const auto& u : units) {
      ASSIGN_OR_RETURN(auto uid, ResolveUnit(lg["member_units"], u, path + ".member_units"));
      g.add_member_unit_ids(uid);
    }
    ASSIGN_OR_RETURN(auto office, yamlx::String(doc_, lg, "office_unit", path, false));
    if (!office.empty()) {
      ASSIGN_OR_RETURN(auto uid, ResolveUnit(lg["office_unit"], office, path + ".office_unit"));
      g.set_office_unit_id(uid);
    }
    ASSIGN_OR_RETURN(auto dir, PersonRef(lg, "office_director", path, false));
    g.set_office_director_person_id(dir);
    ASSIGN_OR_RETURN(auto dep, PersonRef(lg, "office_deputy_director", path, false));
    g.set_office_deputy_director_person_id(dep);
    out_.plan.set_leading_group_id(g.id());
    out_.leading_group = std::move(g);
    return absl::OkStatus();
  }

  absl::Status Refs(const YAML::Node& map, absl::string_view key, absl::string_view path,
                    google::protobuf::RepeatedPtrField<v1::UnitRef>* out) {
    ASSIGN_OR_RETURN(auto names, yamlx::StringList(doc_, map, key, path));
    for (size_t i = 0; i < names.size(); ++i) {
      ASSIGN_OR_RETURN(auto ref, Resolve(map[std::string(key)][i], names[i],
                                    absl::StrCat(path, ".", key, "[", i, "]")));
      *out->Add() = ref;
    }
    return absl::OkStatus();
  }

  // Unit ids for a list of unit or group names, groups expanded, in order.
  absl::Status ExpandedUnits(const YAML::Node& map, absl::string_view key, absl::string_view path,
                             google::protobuf::RepeatedPtrField<std::string>* out,
                             std::set<std::string>* seen) {
    ASSIGN_OR_RETURN(auto names, yamlx::StringList(doc_, map, key, path));
    for (size_t i = 0; i < names.size(); ++i) {
      ASSIGN_OR_RETURN(auto ref, Resolve(map[std::string(key)][i], names[i],
                                    absl::StrCat(path, ".", key, "[", i, "]")));
      std::vector<std::string> ids;
      if (ref.has_unit_id()) {
        ids.push_back(ref.unit_id());
      } else if (auto g = groups_.find(ref.group_id()); g != groups_.end()) {
        ids.assign(g->second.member_unit_ids().begin(), g->second.member_unit_ids().end());
      } else {
        ids = existing_members_(ref.group_id());  // a group already in the store
      }
      for (auto& id : ids) {
        if (seen->insert(id).second) out->Add(std::move(id));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Campaigns() {
    ASSIGN_OR_RETURN(auto cs, yamlx::Seq(doc_, plan_node_, "campaigns", "plan", true));
    if (cs.size() == 0) return yamlx::Error(doc_, plan_node_, "plan.campaigns: at least one campaign is required");
    std::set<std::string> campaign_ids, task_codes;
    for (size_t i = 0; i < cs.size(); ++i) {
      const YAML::Node& c = cs[i];
      std::string path = absl::StrCat("plan.campaigns[", i, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, c, path,
                                      {"id", "code", "name", "lead_unit", "responsible_units",
                                       "task_force", "targets", "tasks"}));
      v1::Campaign campaign;
      ASSIGN_OR_RETURN(auto id, yamlx::String(doc_, c, "id", path, true));
      RETURN_IF_ERROR(At(doc_, c, validate::Id(path + ".id", id)));
      if (!campaign_ids.insert(id).second) {
        return yamlx::Error(doc_, c, absl::StrCat(path, ".id: duplicate campaign id '", id, "'"));
      }
      ASSIGN_OR_RETURN(auto code, yamlx::String(doc_, c, "code", path, true));
      ASSIGN_OR_RETURN(auto name, yamlx::String(doc_, c, "name", path, true));
      RETURN_IF_ERROR(At(doc_, c, validate::Required(path + ".name", name, validate::kMaxName)));
      campaign.set_id(id);
      campaign.set_plan_id(out_.plan.id());
      campaign.set_code(code);
      campaign.set_name(name);
      ASSIGN_OR_RETURN(auto lead, yamlx::String(doc_, c, "lead_unit", path, true));
      ASSIGN_OR_RETURN(auto lead_id, ResolveUnit(c["lead_unit"], lead, path + ".lead_unit"));
      campaign.set_lead_unit_id(lead_id);
      RETURN_IF_ERROR(Refs(c, "responsible_units", path, campaign.mutable_responsible()));
      RETURN_IF_ERROR(TaskForce(c, path, &campaign));
      RETURN_IF_ERROR(Targets(c, path, &campaign));
      ASSIGN_OR_RETURN(auto tasks, yamlx::Seq(doc_, c, "tasks", path, true));
      for (size_t t = 0; t < tasks.size(); ++t) {
        RETURN_IF_ERROR(Task(tasks[t], absl::StrCat(path, ".tasks[", t, "]"), campaign, &task_codes));
      }
      campaign.set_task_count(static_cast<int>(tasks.size()));
      out_.plan.add_campaign_ids(id);
      out_.campaigns.push_back(std::move(campaign));
    }
    return absl::OkStatus();
  }

  absl::Status TaskForce(const YAML::Node& c, const std::string& cpath, v1::Campaign* campaign) {
    YAML::Node tf = c["task_force"];
    if (!tf.IsDefined() || tf.IsNull()) return absl::OkStatus();
    std::string path = cpath + ".task_force";
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, tf, path,
                                    {"name", "convener", "deputy_convener", "office_unit", "member_units"}));
    v1::TaskForce f;
    f.set_id(campaign->id() + "-task-force");
    f.set_campaign_id(campaign->id());
    ASSIGN_OR_RETURN(auto name, yamlx::String(doc_, tf, "name", path, true));
    f.set_name(name);
    ASSIGN_OR_RETURN(auto conv, PersonRef(tf, "convener", path, true));
    f.set_convener_person_id(conv);
    ASSIGN_OR_RETURN(auto dep, PersonRef(tf, "deputy_convener", path, false));
    f.set_deputy_convener_person_id(dep);
    ASSIGN_OR_RETURN(auto office, yamlx::String(doc_, tf, "office_unit", path, true));
    ASSIGN_OR_RETURN(auto oid, ResolveUnit(tf["office_unit"], office, path + ".office_unit"));
    f.set_office_unit_id(oid);
    RETURN_IF_ERROR(Refs(tf, "member_units", path, f.mutable_members()));
    campaign->set_task_force_id(f.id());
    out_.task_forces.push_back(std::move(f));
    return absl::OkStatus();
  }

  absl::Status Targets(const YAML::Node& c, const std::string& cpath, v1::Campaign* campaign) {
    ASSIGN_OR_RETURN(auto ts, yamlx::Seq(doc_, c, "targets", cpath, false));
    for (size_t i = 0; i < ts.size(); ++i) {
      const YAML::Node& t = ts[i];
      std::string path = absl::StrCat(cpath, ".targets[", i, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, t, path, {"code", "indicator", "unit", "target", "comparison",
                                                      "direction", "baseline", "note"}));
      v1::Target* target = campaign->add_targets();
      ASSIGN_OR_RETURN(auto code, yamlx::String(doc_, t, "code", path, true));
      ASSIGN_OR_RETURN(auto ind, yamlx::String(doc_, t, "indicator", path, true));
      ASSIGN_OR_RETURN(auto uom, yamlx::String(doc_, t, "unit", path, false));
      ASSIGN_OR_RETURN(auto value, yamlx::Number(doc_, t, "target", path, true));
      ASSIGN_OR_RETURN(auto cmp, yamlx::String(doc_, t, "comparison", path, true));
      ASSIGN_OR_RETURN(auto dir, yamlx::String(doc_, t, "direction", path, true));
      ASSIGN_OR_RETURN(auto note, yamlx::String(doc_, t, "note", path, false));
      static const std::map<std::string, v1::TargetComparison> kCmp = {
          {"about", v1::TARGET_COMPARISON_ABOUT}, {"at_least", v1::TARGET_COMPARISON_AT_LEAST},
          {"at_most", v1::TARGET_COMPARISON_AT_MOST}, {"exactly", v1::TARGET_COMPARISON_EXACTLY}};
      auto ci = kCmp.find(cmp);
      if (ci == kCmp.end()) {
        return yamlx::Error(doc_, t["comparison"], absl::StrCat(path, ".comparison: unknown value '", cmp,
                                                                "' (about, at_least, at_most, exactly)"));
      }
      if (dir != "up" && dir != "down") {
        return yamlx::Error(doc_, t["direction"], absl::StrCat(path, ".direction: unknown value '", dir, "' (up, down)"));
      }
      target->set_code(code);
      target->set_indicator(ind);
      target->set_unit_of_measure(uom);
      target->set_target_value(value);
      target->set_comparison(ci->second);
      target->set_direction(dir == "up" ? v1::TARGET_DIRECTION_UP : v1::TARGET_DIRECTION_DOWN);
      target->set_note(note);
      if (t["baseline"].IsDefined() && !t["baseline"].IsNull()) {
        ASSIGN_OR_RETURN(auto b, yamlx::Number(doc_, t, "baseline", path, true));
        target->set_has_baseline(true);
        target->set_baseline(b);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Task(const YAML::Node& t, const std::string& path, const v1::Campaign& campaign,
                    std::set<std::string>* codes) {
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, t, path,
                                    {"code", "title", "text", "lead_units", "responsible_units",
                                     "list_kind", "due", "lead_leader", "responsible_person",
                                     "milestones", "lead_basis", "note"}));
    v1::Task task;
    ASSIGN_OR_RETURN(auto code, yamlx::String(doc_, t, "code", path, true));
    RETURN_IF_ERROR(At(doc_, t, validate::Required(path + ".code", code, 32)));
    if (!codes->insert(code).second) {
      return yamlx::Error(doc_, t, absl::StrCat(path, ".code: duplicate task code '", code, "'"));
    }
    ASSIGN_OR_RETURN(auto title, yamlx::String(doc_, t, "title", path, true));
    RETURN_IF_ERROR(At(doc_, t, validate::Required(path + ".title", title, validate::kMaxTitle)));
    ASSIGN_OR_RETURN(auto text, yamlx::String(doc_, t, "text", path, false));
    RETURN_IF_ERROR(At(doc_, t, validate::Optional(path + ".text", text, validate::kMaxText)));
    task.set_plan_id(out_.plan.id());
    task.set_campaign_id(campaign.id());
    task.set_code(code);
    task.set_title(title);
    task.set_text(text);
    std::set<std::string> seen;
    RETURN_IF_ERROR(ExpandedUnits(t, "lead_units", path, task.mutable_lead_unit_ids(), &seen));
    if (task.lead_unit_ids_size() == 0) return yamlx::Error(doc_, t, path + ".lead_units: at least one lead unit is required");
    RETURN_IF_ERROR(ExpandedUnits(t, "responsible_units", path, task.mutable_responsible_unit_ids(), &seen));
    ASSIGN_OR_RETURN(auto kind, yamlx::String(doc_, t, "list_kind", path, false));
    if (kind.empty() || kind == "task") task.set_list_kind(v1::LIST_KIND_TASK);
    else if (kind == "project") task.set_list_kind(v1::LIST_KIND_PROJECT);
    else if (kind == "policy") task.set_list_kind(v1::LIST_KIND_POLICY);
    else return yamlx::Error(doc_, t["list_kind"], absl::StrCat(path, ".list_kind: unknown value '", kind, "' (project, task, policy)"));
    ASSIGN_OR_RETURN(auto due, yamlx::String(doc_, t, "due", path, false));
    if (due.empty()) due = absl::StrCat(out_.plan.year(), "-12-31");
    RETURN_IF_ERROR(At(doc_, t["due"].IsDefined() ? t["due"] : t, validate::Date(path + ".due", due).status()));
    task.set_due_date(due);
    ASSIGN_OR_RETURN(auto leader, yamlx::String(doc_, t, "lead_leader", path, false));
    ASSIGN_OR_RETURN(auto person, yamlx::String(doc_, t, "responsible_person", path, false));
    task.set_lead_leader(leader);
    task.set_responsible_person(person);
    ASSIGN_OR_RETURN(auto basis, yamlx::String(doc_, t, "lead_basis", path, false));
    if (!basis.empty() && basis != "inferred" && basis != "stated") {
      return yamlx::Error(doc_, t["lead_basis"], path + ".lead_basis: must be inferred or stated");
    }
    task.set_lead_basis_inferred(basis == "inferred");
    ASSIGN_OR_RETURN(auto ms, yamlx::Seq(doc_, t, "milestones", path, false));
    for (size_t m = 0; m < ms.size(); ++m) {
      std::string mpath = absl::StrCat(path, ".milestones[", m, "]");
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, ms[m], mpath, {"title", "due"}));
      ASSIGN_OR_RETURN(auto mt, yamlx::String(doc_, ms[m], "title", mpath, true));
      ASSIGN_OR_RETURN(auto md, yamlx::String(doc_, ms[m], "due", mpath, true));
      RETURN_IF_ERROR(At(doc_, ms[m], validate::Date(mpath + ".due", md).status()));
      v1::Milestone* mil = task.add_milestones();
      mil->set_title(mt);
      mil->set_due_date(md);
    }
    task.set_state(v1::TASK_STATE_DRAFT);
    out_.tasks.push_back(std::move(task));
    return absl::OkStatus();
  }

  const Doc& doc_;
  const ExistingNames& existing_;
  const ExistingGroupMembers& existing_members_;
  PlanBundle out_;
  YAML::Node plan_node_;
  std::map<std::string, v1::UnitRef> names_;
  std::set<std::string> unit_ids_, person_ids_;
  std::map<std::string, v1::UnitGroup> groups_;
};

}  // namespace

absl::StatusOr<PlanBundle> LoadPlan(const yamlx::Doc& doc, const ExistingNames& existing,
                                    const ExistingGroupMembers& members) {
  try {
    return Loader(doc, existing, members).Run();
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(doc.file, ":", e.mark.line + 1, ": ", e.msg));
  }
}

}  // namespace duban
