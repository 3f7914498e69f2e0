// The working mechanism: reporting dates as cadence proposals, the leading
// group with its office, and the task forces with theirs.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/plans/draft/internal.h"
#include "engine/plans/draft/rules.h"

namespace duban::plandraft::internal {
namespace {

std::u32string U32(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    char32_t v = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < n && i + k < s.size(); ++k) v = (v << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(v);
    i += n;
  }
  return out;
}

const char* kWeekdays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

std::string Weekday(const std::string& w) {
  static const std::map<std::string, int> k = {{"一", 0}, {"二", 1}, {"三", 2}, {"四", 3},
                                               {"五", 4}, {"六", 5}, {"日", 6}, {"天", 6}};
  auto it = k.find(w);
  return it == k.end() ? "monday" : kWeekdays[it->second];
}

struct Person {
  std::string name, title;
};

// "张 毅 宁乡经开区党工委副书记、管委会主任" -> 张毅 / 宁乡经开区党工委副书记、管委会主任
Person ParsePerson(const std::string& s) {
  std::vector<std::string> tok = absl::StrSplit(s, absl::ByAnyChar(" \t"), absl::SkipWhitespace());
  Person p;
  if (tok.empty()) return p;
  size_t i = 0;
  p.name = tok[i++];
  if (CharCount(p.name) == 1 && i < tok.size() && CharCount(tok[i]) <= 2) p.name += tok[i++];
  std::vector<std::string> rest(tok.begin() + i, tok.end());
  p.title = absl::StrJoin(rest, " ");
  return p;
}

}  // namespace

int CommonRun(const std::string& a8, const std::string& b8) {
  std::u32string a = U32(a8), b = U32(b8);
  int best = 0;
  std::vector<int> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : 0;
      best = std::max(best, cur[j]);
    }
    std::swap(prev, cur);
  }
  return best;
}

void ReadMechanism(const std::vector<Paragraph>& paras, const std::vector<int>& campaign_of, UnitReader& units,
                   Draft* d) {
  const Rules& r = GetRules();
  auto person_id = [&](const Person& p) -> std::string {
    if (p.name.empty()) return "";
    for (const auto& q : d->people) {
      if (q.name == p.name) return q.id;
    }
    DraftPerson dp;
    dp.id = absl::StrCat(d->plan_id, "-p", d->people.size() + 1);
    dp.name = p.name;
    dp.title = p.title;
    d->people.push_back(dp);
    return dp.id;
  };
  // The unit a post is held in: the longest known prefix of the title
  // ("市发改局党组书记、局长" -> 市发改局).
  auto unit_of_title = [&](const std::string& title) -> std::string {
    std::u32string u = U32(title);
    std::string best;
    std::string prefix;
    size_t bytes = 0;
    for (size_t n = 1; n <= std::min<size_t>(u.size(), 16); ++n) {
      char32_t c = u[n - 1];
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      std::string ref = units.Known(title.substr(0, bytes));
      if (!ref.empty() && n >= 3) best = ref;
    }
    return best;
  };
  auto campaign_for = [&](const std::string& name) -> int {
    int best = -1, best_run = 0;
    for (size_t i = 0; i < d->campaigns.size(); ++i) {
      int run = CommonRun(name, d->campaigns[i].name);
      int need = std::max(4, CharCount(d->campaigns[i].name) * 6 / 10);
      if (run >= need && run > best_run) {
        best = static_cast<int>(i);
        best_run = run;
      }
    }
    return best;
  };

  // ---------------------------------------------------------------- leading group and task forces
  DraftLeadingGroup lg;
  bool have_lg = false, lg_name_from_line = false;
  std::string role;          // the label of the last person line
  DraftTaskForce* tf = nullptr;
  std::map<int, DraftTaskForce> heading_forces;  // campaign -> from a task force heading
  std::map<int, DraftTaskForce> inline_forces;   // campaign -> from "成立…工作专班，…"
  int tf_campaign = -1;
  for (size_t i = 0; i < paras.size(); ++i) {
    const std::string& t = paras[i].text;
    int line = paras[i].line;
    std::string g1;
    // The leading group's name: a line of its own ("宁乡市打好发展“六仗”工作领导小组")
    // beats "成立…领导小组"; "成立由市主要领导牵头的领导小组" names none.
    if (absl::EndsWith(t, "领导小组") && CharCount(t) <= 40 && !absl::StrContains(t, "，") &&
        !absl::StrContains(t, "由") && (lg.name.empty() || !lg_name_from_line)) {
      lg.name = RemoveBlanks(t);
      lg_name_from_line = true;
      if (lg.line == 0) lg.line = line;
    }
    if (RE2::PartialMatch(t, *r.leading_group_name, &g1) && !absl::StartsWith(g1, "由")) {
      if (!have_lg) lg.line = line;
      if (lg.name.empty()) lg.name = RemoveBlanks(g1);
      have_lg = true;
    }
    if (have_lg && lg.member_units.empty() && absl::StrContains(t, "领导小组") &&
        RE2::PartialMatch(t, *r.group_member_units, &g1)) {
      // "…担任副组长，宁乡经开区、市委办…等单位为成员单位" — the list after the last comma.
      auto parts = SplitTopLevel(g1, {"，"});
      lg.member_units = units.List(parts.back(), line, true);
    }
    // Task force heading: （一）“打好经济增长主动仗”工作专班
    if (RE2::FullMatch(t, *r.task_force_heading, &g1)) {
      std::string name = RemoveBlanks(g1);
      tf_campaign = campaign_for(name);
      if (tf_campaign < 0) {
        d->uncertain.push_back({line, name, "task force matches no campaign: not proposed"});
        tf = nullptr;
      } else {
        tf = &heading_forces[tf_campaign];
        tf->name = name;
        tf->line = line;
      }
      role.clear();
      continue;
    }
    if (RE2::PartialMatch(t, *r.task_force_inline, &g1) && !RE2::PartialMatch(t, *r.level2)) {
      std::string name = RemoveBlanks(g1);
      int c = campaign_of[i] >= 0 ? campaign_of[i] : campaign_for(name);
      if (c >= 0 && !inline_forces.count(c)) {
        DraftTaskForce f;
        f.name = name;
        f.line = line;
        std::string members, office;
        if (RE2::PartialMatch(t, *r.member_units, &members)) f.member_units = units.List(members, line, true);
        if (RE2::PartialMatch(t, *r.office_at, &office)) f.office_unit = units.Ref(office, line, true);
        inline_forces[c] = f;
      }
    }
    // Person lines: "组 长：张作林 市委书记", "召集人：李磊 …", and unlabelled continuations.
    std::string label, rest;
    bool labelled = RE2::FullMatch(t, *r.person_line, &label, &rest);
    label = RemoveBlanks(label);
    static const std::set<std::string> kLabels = {"组长", "第一副组长", "副组长", "成员", "办公室主任", "办公室副主任",
                                                  "召集人", "副召集人"};
    if (labelled && kLabels.count(label)) {
      role = label;
    } else if (labelled && label == "成员单位" && tf != nullptr) {
      std::string list = rest;
      if (absl::EndsWith(list, "。")) list = list.substr(0, list.size() - 3);
      if (absl::EndsWith(list, "等")) list = list.substr(0, list.size() - 3);
      tf->member_units = units.List(list, line, true);
      role.clear();
      continue;
    } else if (!labelled && !role.empty() && RE2::PartialMatch(t, *r.list_entry) && CharCount(t) <= 60 &&
               !absl::StrContains(t, "。")) {
      rest = t;  // same role as the line before
    } else {
      if (tf != nullptr) {
        std::string office;
        if (RE2::PartialMatch(t, *r.office_at, &office)) tf->office_unit = units.Ref(office, line, true);
      }
      if (labelled || RE2::PartialMatch(t, *r.level1) || RE2::PartialMatch(t, *r.annex)) {
        role.clear();
        if (!labelled) tf = nullptr;
      }
      continue;
    }
    Person p = ParsePerson(rest);
    std::string id = person_id(p);
    if (id.empty()) continue;
    if (role == "召集人" && tf) tf->convener = id;
    else if (role == "副召集人" && tf) tf->deputy_convener = id;
    else if (role == "组长") lg.leader = id;
    else if (role == "第一副组长") lg.first_deputy_leader = id;
    else if (role == "副组长") lg.deputy_leaders.push_back(id);
    else if (role == "成员") lg.members.push_back(id);
    else if (role == "办公室主任") lg.office_director = id;
    else if (role == "办公室副主任") lg.office_deputy_director = id;
  }
  if (have_lg) {
    for (const auto& pid : {lg.office_deputy_director, lg.office_director}) {
      if (!lg.office_unit.empty() || pid.empty()) continue;
      for (const auto& p : d->people) {
        if (p.id == pid) lg.office_unit = unit_of_title(p.title);
      }
    }
    if (lg.leader.empty()) d->uncertain.push_back({lg.line, lg.name, "leading group without a leader (组长)"});
    if (lg.office_unit.empty()) d->uncertain.push_back({lg.line, lg.name, "leading group office: no unit found"});
    d->leading_group = lg;
  }
  for (size_t c = 0; c < d->campaigns.size(); ++c) {
    int ci = static_cast<int>(c);
    if (heading_forces.count(ci)) {
      DraftTaskForce f = heading_forces[ci];
      if (inline_forces.count(ci)) {
        const auto& g = inline_forces[ci];
        if (f.office_unit.empty()) f.office_unit = g.office_unit;
        if (f.member_units.empty()) f.member_units = g.member_units;
      }
      d->campaigns[c].task_force = f;
    } else if (inline_forces.count(ci)) {
      d->campaigns[c].task_force = inline_forces[ci];
    }
    if (d->campaigns[c].task_force && d->campaigns[c].task_force->convener.empty()) {
      d->uncertain.push_back({d->campaigns[c].task_force->line, d->campaigns[c].task_force->name,
                              "task force without a named convener (召集人): left out of the plan file"});
    }
    if (d->campaigns[c].task_force && d->campaigns[c].task_force->office_unit.empty()) {
      d->uncertain.push_back({d->campaigns[c].task_force->line, d->campaigns[c].task_force->name,
                              "task force office: no unit found; the campaign's lead unit proposed"});
      d->campaigns[c].task_force->office_unit = d->campaigns[c].lead_unit;
    }
  }

  // ---------------------------------------------------------------- cadences
  std::string office = d->leading_group ? d->leading_group->office_unit : "";
  std::string active_from = !d->issued.empty() ? d->issued : absl::StrCat(d->year, "-01-01");
  std::set<std::string> seen;
  for (size_t i = 0; i < paras.size(); ++i) {
    for (absl::string_view sv : absl::StrSplit(paras[i].text, "。")) {
      std::string s(sv);
      if (!ContainsAny(s, r.report_words)) continue;
      for (const auto& rule : r.cadences) {
        re2::StringPiece in(s);
        re2::StringPiece m[5];
        int nsub = std::min(5, rule.re->NumberOfCapturingGroups() + 1);
        if (!rule.re->Match(in, 0, s.size(), RE2::UNANCHORED, m, nsub)) continue;
        CadenceProposal c;
        std::string key;
        if (rule.kind == "monthly_days") {
          std::vector<std::string> days;
          for (int k = 1; k < 5; ++k) {
            if (!m[k].empty()) days.push_back(std::string(m[k]));
          }
          c.schedule_yaml = absl::StrCat("{kind: monthly_days, days: [", absl::StrJoin(days, ", "), "]}");
          key = absl::StrCat("monthly-days-", absl::StrJoin(days, "-"));
        } else if (rule.kind == "monthly") {
          c.schedule_yaml = absl::StrCat("{kind: monthly, day: ", std::string(m[1]), "}");
          key = absl::StrCat("monthly-", std::string(m[1]));
        } else if (rule.kind == "weekly") {
          std::string wd = Weekday(std::string(m[1]));
          c.schedule_yaml = absl::StrCat("{kind: weekly, weekday: ", wd, "}");
          key = absl::StrCat("weekly-", wd);
        } else if (rule.kind == "yearly") {
          int month = ParseNumeral(std::string(m[2])), day = ParseNumeral(std::string(m[3]));
          if (month < 1 || month > 12 || day < 1 || day > 31) continue;
          c.schedule_yaml = absl::StrCat("{kind: yearly, month: ", month, ", day: ", day, "}");
          key = absl::StrCat("yearly-", month, "-", day);
        } else if (rule.kind == "year_end") {
          c.schedule_yaml = "{kind: yearly, month: 12, day: 31}";
          key = "yearly-12-31";
        } else if (rule.kind == "dekad") {
          c.schedule_yaml = "{kind: dekad, offset_working_days: 2}";
          key = "dekad";
        } else if (rule.kind == "month_end") {
          c.schedule_yaml = "{kind: month_end, offset_working_days: 5}";
          key = "month-end";
        } else if (rule.kind == "quarter_end") {
          c.schedule_yaml = "{kind: quarter_end, offset_working_days: 10}";
          key = "quarter-end";
        }
        if (key.empty() || !seen.insert(key).second) continue;
        c.id = absl::StrCat(d->plan_id, "-", key);
        c.name = rule.name;
        c.source = s;
        c.line = paras[i].line;
        // The recipient and what is reported follow the date: "每月7日、17日、27日前，
        // 向领导小组办公室报送…", "于2023年12月5日前将…总结报送市安委办".
        size_t match_end = (m[0].data() - s.data()) + m[0].size();
        std::string after = s.substr(match_end);
        // What is reported: the words after 报送, up to the next comma.
        size_t at = after.find("报送");
        if (at != std::string::npos) {
          std::string what = after.substr(at + 6);
          auto parts = SplitTopLevel(what, {"，", "；"});
          c.what = RemoveBlanks(parts[0]);
        }
        if (c.what.empty()) c.what = std::string(m[0]);
        // Notes for the report, kept only if the rule is proposed.
        std::vector<Uncertain> notes;
        // Who reports: each task force ("各专班"), the campaign's task force
        // members (a sentence inside a campaign's annex), or the leading group office.
        if (absl::StrContains(s, "各专班")) {
          c.all_task_forces = true;
        } else if (campaign_of[i] >= 0 && d->campaigns[campaign_of[i]].task_force) {
          c.task_force_members = d->campaigns[campaign_of[i]].id;
        } else if (campaign_of[i] >= 0 && office.empty() && !d->campaigns[campaign_of[i]].lead_unit.empty()) {
          c.reporter_units = {d->campaigns[campaign_of[i]].lead_unit};
          notes.push_back({c.line, c.id, "cadence: reporters not stated; the campaign's lead unit proposed"});
        } else if (!office.empty()) {
          c.reporter_units = {office};
          notes.push_back({c.line, c.id, "cadence: reporters not stated; the leading group office proposed"});
        } else {
          c.all_task_forces = true;
          notes.push_back({c.line, c.id, "cadence: reporters not stated; every task force proposed"});
        }
        // To whom.
        std::string a, b;
        std::string to;
        if (RE2::PartialMatch(after, *r.recipient, &a, &b)) to = !a.empty() ? a : b;
        to = RemoveBlanks(to);
        std::string ref;
        if (absl::StartsWith(to, "领导小组办公室") || absl::StartsWith(to, "领导小组")) ref = office;
        if (ref.empty() && !to.empty()) ref = units.Known(to);
        if (ref.empty() && !to.empty()) {
          size_t open = to.find("（");
          size_t close = to.find("）");
          if (open != std::string::npos && close != std::string::npos && close > open) {
            ref = units.Known(to.substr(open + 3, close - open - 3));
          }
        }
        if (ref.empty() && campaign_of[i] >= 0 && d->campaigns[campaign_of[i]].task_force) {
          ref = d->campaigns[campaign_of[i]].task_force->office_unit;
        }
        if (ref.empty() && office.empty() && campaign_of[i] >= 0) ref = d->campaigns[campaign_of[i]].lead_unit;
        if (ref.empty() && !office.empty()) {
          ref = office;
          notes.push_back({c.line, c.id, "cadence: recipient not found; the leading group office proposed"});
        }
        c.recipient = ref;
        if (c.recipient.empty()) {
          d->uncertain.push_back({c.line, c.id, "cadence: no recipient found and no leading group office; not proposed"});
          continue;
        }
        d->uncertain.insert(d->uncertain.end(), notes.begin(), notes.end());
        d->cadences.push_back(std::move(c));
      }
    }
  }
  (void)active_from;
}

}  // namespace duban::plandraft::internal
