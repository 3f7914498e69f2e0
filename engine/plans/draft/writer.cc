// The draft as a plan file, as cadence rules, and as the import report.
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "engine/plans/draft/plan_draft.h"

namespace duban::plandraft {
namespace {

// A YAML double-quoted scalar.
std::string Q(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += absl::StrFormat("\\x%02x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string List(const std::vector<std::string>& v) {
  std::vector<std::string> q;
  for (const auto& s : v) q.push_back(Q(s));
  return absl::StrCat("[", absl::StrJoin(q, ", "), "]");
}

std::string Number(double v) {
  std::string s = absl::StrFormat("%.6g", v);
  return s;
}

// A one-line comment: no line breaks.
std::string C(const std::string& s) { return absl::StrReplaceAll(s, {{"\n", " "}, {"\r", " "}}); }

}  // namespace

std::string WritePlanYaml(const Draft& d, const Directory& dir) {
  std::ostringstream o;
  o << "# Proposed by `dubanctl plan draft` from the plan document; review before importing.\n"
    << "# Units are referred to by the directory's ids; units the directory did not know are\n"
    << "# proposed under units: (see the import report).\n";
  o << "jurisdiction: {id: " << Q(d.jurisdiction_id) << ", name: " << Q(d.jurisdiction_name) << "}\n";
  o << "units:";
  if (d.proposed_units.empty()) o << " []";
  o << "\n";
  for (const auto& u : d.proposed_units) {
    o << "  - id: " << Q(u.id) << "\n    name: " << Q(u.name) << "\n    category: " << u.category
      << "\n    note: " << Q(absl::StrCat("proposed: not in the directory; first named on line ", u.first_line)) << "\n";
  }
  if (!d.people.empty()) {
    o << "people:\n";
    for (const auto& p : d.people) {
      o << "  - id: " << Q(p.id) << "\n    name: " << Q(p.name) << "\n";
      if (!p.title.empty()) o << "    posts: [{title: " << Q(p.title) << "}]\n";
    }
  }
  if (d.leading_group && !d.leading_group->leader.empty()) {
    const auto& lg = *d.leading_group;
    o << "leading_group:  # line " << lg.line << "\n";
    o << "  name: " << Q(lg.name) << "\n";
    o << "  leader: " << Q(lg.leader) << "\n";
    if (!lg.first_deputy_leader.empty()) o << "  first_deputy_leader: " << Q(lg.first_deputy_leader) << "\n";
    if (!lg.deputy_leaders.empty()) o << "  deputy_leaders: " << List(lg.deputy_leaders) << "\n";
    if (!lg.members.empty()) o << "  members: " << List(lg.members) << "\n";
    if (!lg.member_units.empty()) o << "  member_units: " << List(lg.member_units) << "\n";
    if (!lg.office_unit.empty()) o << "  office_unit: " << Q(lg.office_unit) << "\n";
    if (!lg.office_director.empty()) o << "  office_director: " << Q(lg.office_director) << "\n";
    if (!lg.office_deputy_director.empty()) o << "  office_deputy_director: " << Q(lg.office_deputy_director) << "\n";
  }
  o << "plan:\n";
  o << "  id: " << Q(d.plan_id) << "\n";
  o << "  title: " << Q(d.title) << "\n";
  if (!d.document_no.empty()) o << "  document_no: " << Q(d.document_no) << "\n";
  o << "  year: " << d.year << "\n";
  if (!d.issued.empty()) o << "  issued: " << d.issued << "\n";
  o << "  campaigns:";
  if (d.campaigns.empty()) o << " []";
  o << "\n";
  for (const auto& c : d.campaigns) {
    o << "    - id: " << Q(c.id) << "  # 附件" << c.annex << ", line " << c.line << "\n";
    o << "      code: " << Q(c.code) << "\n";
    o << "      name: " << Q(c.name) << "\n";
    if (!c.lead_unit.empty()) o << "      lead_unit: " << Q(c.lead_unit) << "\n";
    if (!c.responsible_units.empty()) o << "      responsible_units: " << List(c.responsible_units) << "\n";
    if (c.task_force && !c.task_force->office_unit.empty() && !c.task_force->convener.empty()) {
      const auto& tf = *c.task_force;
      o << "      task_force:  # line " << tf.line << "\n";
      o << "        name: " << Q(tf.name) << "\n";
      if (!tf.convener.empty()) o << "        convener: " << Q(tf.convener) << "\n";
      if (!tf.deputy_convener.empty()) o << "        deputy_convener: " << Q(tf.deputy_convener) << "\n";
      o << "        office_unit: " << Q(tf.office_unit) << "\n";
      o << "        member_units: " << List(tf.member_units) << "\n";
    }
    if (!c.targets.empty()) {
      o << "      targets:\n";
      for (const auto& t : c.targets) {
        o << "        - code: " << Q(t.code) << "  # line " << t.line << "\n";
        o << "          indicator: " << Q(t.indicator) << "\n";
        o << "          unit: " << Q(t.unit) << "\n";
        o << "          target: " << Number(t.value) << "\n";
        o << "          comparison: " << t.comparison << "\n";
        o << "          direction: " << t.direction << "\n";
        o << "          note: " << Q(absl::StrCat("原文：", t.source)) << "\n";
      }
    }
    o << "      tasks:";
    if (c.tasks.empty()) o << " []";
    o << "\n";
    for (const auto& t : c.tasks) {
      o << "        - code: " << Q(t.code) << "  # line " << t.line << "\n";
      o << "          title: " << Q(t.title) << "\n";
      o << "          text: " << Q(t.text) << "\n";
      o << "          lead_units: " << List(t.lead_units) << "\n";
      o << "          responsible_units: " << List(t.responsible_units) << "\n";
      o << "          list_kind: " << t.list_kind << "\n";
      if (t.lead_inferred) o << "          lead_basis: inferred\n";
    }
  }
  (void)dir;
  return o.str();
}

std::string WriteCadencesYaml(const Draft& d) {
  std::ostringstream o;
  o << "# Reporting cadence proposed by `dubanctl plan draft` from the plan's working mechanism.\n"
    << "# Review the reporters, recipients and offsets, then merge the rules into config/cadences.yaml.\n";
  o << "defaults:\n  due_time: \"17:30\"\n  non_working_day: previous_working_day\n  reminders:\n"
    << "    - {working_days_before: 2, at: \"09:00\"}\n    - {working_days_before: 0, at: \"09:00\"}\n";
  o << "late_after: 5m\n";
  o << "warnings:\n  yellow_working_days_before_due: 3\n  red_working_days_after_due: 5\n  check_at: \"09:00\"\n";
  o << "rules:";
  if (d.cadences.empty()) o << " []";
  o << "\n";
  std::string active_from = !d.issued.empty() ? d.issued : absl::StrCat(d.year, "-01-01");
  for (const auto& c : d.cadences) {
    o << "  # line " << c.line << ": " << C(c.source) << "\n";
    o << "  - id: " << Q(c.id) << "\n";
    o << "    name: " << Q(c.name) << "\n";
    o << "    what: " << Q(c.what) << "\n";
    if (c.all_task_forces) {
      o << "    reporters: {task_forces: all}\n";
    } else if (!c.task_force_members.empty()) {
      o << "    reporters: {task_force_members: " << Q(c.task_force_members) << "}\n";
    } else {
      o << "    reporters: {units: " << List(c.reporter_units) << "}\n";
    }
    o << "    recipient: " << Q(c.recipient) << "\n";
    o << "    schedule: " << c.schedule_yaml << "\n";
    o << "    non_working_day: previous_working_day\n";
    o << "    active_from: " << active_from << "\n";
  }
  return o.str();
}

std::string WriteReport(const Draft& d) {
  std::ostringstream o;
  o << "Import report: " << d.title;
  if (!d.document_no.empty()) o << " (" << d.document_no << ")";
  o << "\n" << d.lines << " lines read; plan id " << d.plan_id << ", year " << d.year << "\n\n";
  o << "Found, per annex:\n";
  int tasks = 0, targets = 0, inferred = 0;
  for (const auto& c : d.campaigns) {
    int with_resp = 0, inf = 0;
    for (const auto& t : c.tasks) {
      with_resp += !t.responsible_units.empty();
      inf += t.lead_inferred;
    }
    o << absl::StrFormat("  %-6s %-24s %3d tasks (%d without a written lead, %d with responsible units), "
                         "%d targets, task force: %s\n",
                         c.annex == 0 ? std::string("正文") : absl::StrCat("附件", c.annex), c.name, c.tasks.size(), inf, with_resp, c.targets.size(),
                         c.task_force ? absl::StrCat(c.task_force->member_units.size(), " member units") : "none");
    tasks += c.tasks.size();
    targets += c.targets.size();
    inferred += inf;
  }
  o << absl::StrFormat("  total: %d campaigns, %d tasks, %d targets\n", d.campaigns.size(), tasks, targets);
  if (d.leading_group) {
    o << absl::StrFormat("  leading group: %s (%d deputy leaders, %d members, %d member units)\n", d.leading_group->name,
                         d.leading_group->deputy_leaders.size(), d.leading_group->members.size(),
                         d.leading_group->member_units.size());
  }
  o << absl::StrFormat("  people: %d; cadence rules proposed: %d\n", d.people.size(), d.cadences.size());
  for (const auto& c : d.cadences) o << "    " << c.id << "  " << c.schedule_yaml << "  (line " << c.line << ")\n";
  o << "\nProposed new units (not in the directory), for review:\n";
  if (d.proposed_units.empty()) o << "  none\n";
  for (const auto& u : d.proposed_units) {
    o << absl::StrFormat("  %-28s %-16s %-16s first on line %d, %d mention(s)\n", u.name, u.id, u.category, u.first_line,
                         u.mentions);
  }
  o << "\nUncertain (" << d.uncertain.size() << "):\n";
  if (d.uncertain.empty()) o << "  none\n";
  for (const auto& u : d.uncertain) {
    o << "  line " << u.line << ": " << u.what << ": " << u.reason << "\n";
  }
  o << "\nNext: review the plan file, then import it with `dubanctl plan import FILE`.\n";
  return o.str();
}

}  // namespace duban::plandraft
