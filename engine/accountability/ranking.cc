#include "engine/accountability/ranking.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "engine/time/clock.h"
#include "engine/obligations/obligations.h"
#include "engine/storage/keys.h"
#include "engine/storage/paging.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/validate.h"
#include "engine/tasks/task_commands.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

using yamlx::Doc;


// Config ids: letters, digits, '-' and '_' (no ':' — it separates board and
// period in ranking ids).
bool IsConfigId(const std::string& s) {
  if (s.empty() || s.size() > validate::kMaxId) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<std::string> ReadId(const Doc& doc, const YAML::Node& map, const std::string& path) {
  ASSIGN_OR_RETURN(std::string id, yamlx::String(doc, map, "id", path, true));
  if (!IsConfigId(id)) {
    return yamlx::Error(doc, map["id"],
                        absl::StrCat(path, ".id: '", id, "' is not an id (letters, digits, - and _ only)"));
  }
  return id;
}

const std::map<std::string, v1::UnitCategory>& Categories() {
  static const auto* m = new std::map<std::string, v1::UnitCategory>{
      {"department", v1::UNIT_CATEGORY_DEPARTMENT},
      {"township", v1::UNIT_CATEGORY_TOWNSHIP},
      {"park", v1::UNIT_CATEGORY_PARK},
      {"platform_company", v1::UNIT_CATEGORY_PLATFORM_COMPANY},
      {"other", v1::UNIT_CATEGORY_OTHER},
  };
  return *m;
}

absl::StatusOr<TieRule> ReadTieRule(const Doc& doc, const YAML::Node& map, const std::string& path,
                                    TieRule fallback) {
  ASSIGN_OR_RETURN(std::string s, yamlx::String(doc, map, "tie_rule", path, false));
  if (s.empty()) return fallback;
  if (s == "all_last") return TieRule::kAllLast;
  if (s == "none_last") return TieRule::kNoneLast;
  return yamlx::Error(doc, map["tie_rule"],
                      absl::StrCat(path.empty() ? "" : path + ".", "tie_rule: '", s,
                                   "' is not a tie rule (all_last or none_last)"));
}

// A mapping of ids to non-empty titles (roles, incident_kinds).
absl::StatusOr<std::map<std::string, std::string>> ReadTitles(const Doc& doc, const YAML::Node& root,
                                                              const std::string& key, bool required) {
  ASSIGN_OR_RETURN(YAML::Node m, yamlx::Map(doc, root, key, "", required));
  std::map<std::string, std::string> out;
  for (auto it = m.begin(); it != m.end(); ++it) {
    std::string id = it->first.Scalar();
    std::string path = absl::StrCat(key, ".", id);
    if (!IsConfigId(id)) {
      return yamlx::Error(doc, it->first, absl::StrCat(path, ": '", id, "' is not an id (letters, digits, - and _ only)"));
    }
    if (!it->second.IsScalar() || it->second.Scalar().empty()) {
      return yamlx::Error(doc, it->second.IsDefined() && !it->second.IsNull() ? it->second : it->first,
                          absl::StrCat(path, ": must be a non-empty title"));
    }
    out[id] = it->second.Scalar();
  }
  if (required && out.empty()) return yamlx::Error(doc, m, absl::StrCat(key, ": at least one entry is required"));
  return out;
}

absl::StatusOr<ActionSpec> ReadAction(const Doc& doc, const YAML::Node& parent, const std::string& path,
                                      const AccountabilityConfig& cfg) {
  ASSIGN_OR_RETURN(YAML::Node a, yamlx::Map(doc, parent, "action", path, true));
  std::string p = path + ".action";
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, a, p, {"id", "name", "by_role"}));
  ActionSpec out;
  ASSIGN_OR_RETURN(out.id, ReadId(doc, a, p));
  ASSIGN_OR_RETURN(out.name, yamlx::String(doc, a, "name", p, true));
  ASSIGN_OR_RETURN(out.by_role, yamlx::String(doc, a, "by_role", p, true));
  if (!cfg.roles.count(out.by_role)) {
    std::vector<std::string> known;
    for (const auto& [id, title] : cfg.roles) known.push_back(id);
    return yamlx::Error(doc, a["by_role"], absl::StrCat(p, ".by_role: unknown role '", out.by_role, "' (roles: ",
                                                        absl::StrJoin(known, ", "), ")"));
  }
  return out;
}

absl::StatusOr<std::map<v1::UnitCategory, int>> ReadOffsets(const Doc& doc, const YAML::Node& parent,
                                                            const std::string& path) {
  std::map<v1::UnitCategory, int> out;
  ASSIGN_OR_RETURN(YAML::Node m, yamlx::Map(doc, parent, "category_offsets", path, false));
  std::string p = path.empty() ? "category_offsets" : path + ".category_offsets";
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string& name = it->first.Scalar();
    auto c = Categories().find(name);
    if (c == Categories().end()) {
      return yamlx::Error(doc, it->first,
                          absl::StrCat(p, ".", name,
                                       ": unknown unit category (department, township, park, platform_company, other)"));
    }
    ASSIGN_OR_RETURN(int n, yamlx::Int(doc, m, name, p, true));
    if (n < -kMaxCategoryOffset || n > kMaxCategoryOffset) {
      return yamlx::Error(doc, it->second,
                          absl::StrCat(p, ".", name, ": must be ", -kMaxCategoryOffset, " to ", kMaxCategoryOffset,
                                       " (added to every threshold; a threshold never drops below 1)"));
    }
    out[c->second] = n;
  }
  return out;
}

// Unit names (or group names when allowed) of a list to unit ids.
absl::StatusOr<std::vector<std::string>> ReadUnits(const Doc& doc, const YAML::Node& parent, const std::string& key,
                                                   const std::string& path, const Directory& directory, bool allow_groups) {
  ASSIGN_OR_RETURN(YAML::Node seq, yamlx::Seq(doc, parent, key, path, false));
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < seq.size(); ++i) {
    std::string p = absl::StrCat(path, ".", key, "[", i, "]");
    if (!seq[i].IsScalar()) return yamlx::Error(doc, seq[i], p + ": must be a unit name");
    const std::string& name = seq[i].Scalar();
    auto r = directory.Resolve(name);
    if (!r.ok()) return yamlx::Error(doc, seq[i], absl::StrCat(p, ": unknown unit '", name, "'"));
    if (r->group && !allow_groups) {
      return yamlx::Error(doc, seq[i], absl::StrCat(p, ": '", name, "' is a group of units; name one unit"));
    }
    for (const auto& u : r->units) {
      if (!seen.insert(u.id()).second) {
        if (!r->group) return yamlx::Error(doc, seq[i], absl::StrCat(p, ": '", name, "' is listed twice"));
        continue;
      }
      out.push_back(u.id());
    }
  }
  return out;
}

absl::StatusOr<Board> ReadBoard(const Doc& doc, const YAML::Node& n, const std::string& path,
                                const AccountabilityConfig& cfg, const Directory& directory) {
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, n, path,
                                  {"id", "name", "source", "cadence", "members", "not_ranked", "tie_rule", "weights"}));
  Board b;
  b.line = n.Mark().line + 1;
  ASSIGN_OR_RETURN(b.id, ReadId(doc, n, path));
  ASSIGN_OR_RETURN(b.name, yamlx::String(doc, n, "name", path, true));
  ASSIGN_OR_RETURN(std::string source, yamlx::String(doc, n, "source", path, true));
  if (source == "entered") b.source = BoardSource::kEntered;
  else if (source == "computed") b.source = BoardSource::kComputed;
  else return yamlx::Error(doc, n["source"], absl::StrCat(path, ".source: '", source, "' is not entered or computed"));
  ASSIGN_OR_RETURN(std::string cadence, yamlx::String(doc, n, "cadence", path, true));
  if (cadence == "monthly") b.cadence = BoardCadence::kMonthly;
  else if (cadence == "quarterly") b.cadence = BoardCadence::kQuarterly;
  else if (cadence == "yearly") b.cadence = BoardCadence::kYearly;
  else {
    return yamlx::Error(doc, n["cadence"],
                        absl::StrCat(path, ".cadence: '", cadence, "' is not monthly, quarterly or yearly"));
  }
  ASSIGN_OR_RETURN(b.tie_rule, ReadTieRule(doc, n, path, cfg.tie_rule));

  YAML::Node members = n["members"];
  if (!members.IsDefined() || members.IsNull()) return yamlx::Error(doc, n, path + ".members: required");
  if (members.IsScalar()) {
    if (members.Scalar() != "units_with_obligations" || b.source != BoardSource::kComputed) {
      return yamlx::Error(doc, members,
                          absl::StrCat(path, ".members: must be a list of unit names",
                                       b.source == BoardSource::kComputed ? " or units_with_obligations" : ""));
    }
    b.members_with_obligations = true;
  } else {
    ASSIGN_OR_RETURN(b.member_ids, ReadUnits(doc, n, "members", path, directory, true));
    if (b.member_ids.empty()) return yamlx::Error(doc, members, path + ".members: at least one unit is required");
  }
  ASSIGN_OR_RETURN(b.not_ranked_ids, ReadUnits(doc, n, "not_ranked", path, directory, true));
  for (size_t i = 0; i < b.not_ranked_ids.size(); ++i) {
    if (std::find(b.member_ids.begin(), b.member_ids.end(), b.not_ranked_ids[i]) != b.member_ids.end()) {
      return yamlx::Error(doc, n["not_ranked"],
                          absl::StrCat(path, ".not_ranked: unit '", b.not_ranked_ids[i],
                                       "' is also a member; a member that never takes part belongs only in not_ranked"));
    }
  }

  YAML::Node w = n["weights"];
  if (b.source == BoardSource::kComputed) {
    ASSIGN_OR_RETURN(w, yamlx::Map(doc, n, "weights", path, true));
    std::string p = path + ".weights";
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, w, p, {"on_time_rate", "overdue_tasks", "completion_rate", "returns"}));
    if (w.size() == 0) return yamlx::Error(doc, w, p + ": at least one weight is required");
    ASSIGN_OR_RETURN(b.weights.on_time_rate, yamlx::Number(doc, w, "on_time_rate", p, false));
    ASSIGN_OR_RETURN(b.weights.overdue_tasks, yamlx::Number(doc, w, "overdue_tasks", p, false));
    ASSIGN_OR_RETURN(b.weights.completion_rate, yamlx::Number(doc, w, "completion_rate", p, false));
    ASSIGN_OR_RETURN(b.weights.returns, yamlx::Number(doc, w, "returns", p, false));
  } else if (w.IsDefined()) {
    return yamlx::Error(doc, w, path + ".weights: only computed boards have weights");
  }
  return b;
}

// The unit category of a by_category / category_offsets key.
absl::StatusOr<v1::UnitCategory> ReadCategory(const Doc& doc, const YAML::Node& key, const std::string& path) {
  auto c = Categories().find(key.Scalar());
  if (c == Categories().end()) {
    return yamlx::Error(doc, key, absl::StrCat(path, ".", key.Scalar(),
                                               ": unknown unit category (department, township, park, "
                                               "platform_company, other)"));
  }
  return c->second;
}

// by_category: {<category>: {levels_higher: n} | {by_role: r} | {action: {...}}}.
absl::StatusOr<std::map<v1::UnitCategory, ActionSpec>> ReadCategoryActions(const Doc& doc, const YAML::Node& step,
                                                                           const std::string& path,
                                                                           const ActionSpec& base,
                                                                           const AccountabilityConfig& cfg) {
  std::map<v1::UnitCategory, ActionSpec> out;
  ASSIGN_OR_RETURN(YAML::Node m, yamlx::Map(doc, step, "by_category", path, false));
  std::string p = path + ".by_category";
  for (auto it = m.begin(); it != m.end(); ++it) {
    ASSIGN_OR_RETURN(v1::UnitCategory cat, ReadCategory(doc, it->first, p));
    std::string cp = absl::StrCat(p, ".", it->first.Scalar());
    if (!it->second.IsMap()) {
      return yamlx::Error(doc, it->first, cp + ": must be {levels_higher: n}, {by_role: role} or {action: {...}}");
    }
    const YAML::Node c = it->second;  // a handle: the iterator's value is a temporary
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, c, cp, {"levels_higher", "by_role", "action"}));
    int given = (c["levels_higher"].IsDefined() ? 1 : 0) + (c["by_role"].IsDefined() ? 1 : 0) +
                (c["action"].IsDefined() ? 1 : 0);
    if (given != 1) return yamlx::Error(doc, c, cp + ": give exactly one of levels_higher, by_role or action");
    ActionSpec a = base;
    if (c["action"].IsDefined()) {
      ASSIGN_OR_RETURN(a, ReadAction(doc, c, cp, cfg));
    } else if (c["by_role"].IsDefined()) {
      ASSIGN_OR_RETURN(a.by_role, yamlx::String(doc, c, "by_role", cp, true));
      if (!cfg.roles.count(a.by_role)) {
        return yamlx::Error(doc, c["by_role"], absl::StrCat(cp, ".by_role: unknown role '", a.by_role, "'"));
      }
    } else {
      ASSIGN_OR_RETURN(int up, yamlx::Int(doc, c, "levels_higher", cp, true));
      const auto& order = cfg.interviewers;
      auto at = std::find(order.begin(), order.end(), base.by_role);
      if (at == order.end()) {
        return yamlx::Error(doc, c["levels_higher"],
                            absl::StrCat(cp, ".levels_higher: the step's role '", base.by_role,
                                         "' is not in `interviewers`, so it has no level"));
      }
      int idx = static_cast<int>(at - order.begin()) + up;
      if (up < -static_cast<int>(order.size()) || idx < 0 || idx >= static_cast<int>(order.size())) {
        return yamlx::Error(doc, c["levels_higher"],
                            absl::StrCat(cp, ".levels_higher: ", up, " from '", base.by_role,
                                         "' is outside `interviewers` (", absl::StrJoin(order, ", "), ")"));
      }
      a.by_role = order[idx];
    }
    out[cat] = a;
  }
  return out;
}

absl::StatusOr<LadderSignal> ReadSignal(const Doc& doc, const YAML::Node& n, const std::string& path) {
  ASSIGN_OR_RETURN(std::string s, yamlx::String(doc, n, "signal", path, true));
  if (s == "missed_report") return LadderSignal::kMissedReport;
  if (s == "red_task") return LadderSignal::kRedTask;
  if (s == "supervision_overdue") return LadderSignal::kSupervisionOverdue;
  return yamlx::Error(doc, n["signal"], absl::StrCat(path, ".signal: '", s,
                                                     "' is not missed_report, red_task or supervision_overdue"));
}

absl::StatusOr<Ladder> ReadLadder(const Doc& doc, const YAML::Node& n, const std::string& path,
                                  const AccountabilityConfig& cfg) {
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, n, path,
                                  {"id", "name", "board", "boards", "signal", "band", "category_offsets",
                                   "restart_after_case", "steps"}));
  Ladder l;
  l.line = n.Mark().line + 1;
  ASSIGN_OR_RETURN(l.id, ReadId(doc, n, path));
  ASSIGN_OR_RETURN(l.name, yamlx::String(doc, n, "name", path, false));
  int sources = (n["board"].IsDefined() ? 1 : 0) + (n["boards"].IsDefined() ? 1 : 0) + (n["signal"].IsDefined() ? 1 : 0);
  if (sources != 1) return yamlx::Error(doc, n, path + ": give exactly one of board, boards or signal");
  if (n["signal"].IsDefined()) {
    ASSIGN_OR_RETURN(l.signal, ReadSignal(doc, n, path));
    if (n["band"].IsDefined()) return yamlx::Error(doc, n["band"], path + ".band: only ladders on boards have a band");
  } else {
    if (n["board"].IsDefined()) {
      ASSIGN_OR_RETURN(l.board, yamlx::String(doc, n, "board", path, true));
      l.boards.push_back(l.board);
    } else {
      ASSIGN_OR_RETURN(l.boards, yamlx::StringList(doc, n, "boards", path));
      if (l.boards.empty()) return yamlx::Error(doc, n["boards"], path + ".boards: at least one board is required");
      l.board = l.boards[0];
    }
    for (size_t i = 0; i < l.boards.size(); ++i) {
      std::string field = n["board"].IsDefined() ? path + ".board" : absl::StrCat(path, ".boards[", i, "]");
      const YAML::Node& at = n["board"].IsDefined() ? n["board"] : n["boards"][i];
      if (!cfg.FindBoard(l.boards[i])) {
        return yamlx::Error(doc, at, absl::StrCat(field, ": unknown board '", l.boards[i], "'"));
      }
      if (std::count(l.boards.begin(), l.boards.end(), l.boards[i]) > 1) {
        return yamlx::Error(doc, at, absl::StrCat(field, ": board '", l.boards[i], "' is listed twice"));
      }
    }
    YAML::Node band = n["band"];
    if (!band.IsDefined() || band.IsNull()) return yamlx::Error(doc, n, path + ".band: required");
    if (band.IsScalar() && band.Scalar() == "last") {
      l.band = Band{1, true};
    } else if (band.IsMap()) {
      RETURN_IF_ERROR(yamlx::OnlyKeys(doc, band, path + ".band", {"bottom"}));
      ASSIGN_OR_RETURN(int k, yamlx::Int(doc, band, "bottom", path + ".band", true));
      if (k < 1 || k > 1000) return yamlx::Error(doc, band["bottom"], path + ".band.bottom: must be 1 to 1000");
      l.band = Band{k, false};
    } else {
      return yamlx::Error(doc, band, absl::StrCat(path, ".band: must be `last` or {bottom: k}"));
    }
  }
  ASSIGN_OR_RETURN(l.restart_after_case, yamlx::Bool(doc, n, "restart_after_case", path, false));
  ASSIGN_OR_RETURN(auto ladder_offsets, ReadOffsets(doc, n, path));
  ASSIGN_OR_RETURN(YAML::Node steps, yamlx::Seq(doc, n, "steps", path, true));
  if (steps.size() == 0) return yamlx::Error(doc, steps, path + ".steps: at least one step is required");
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string p = absl::StrCat(path, ".steps[", i, "]");
    const YAML::Node& s = steps[i];
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, s, p, {"when", "category_offsets", "action", "by_category", "rule"}));
    LadderStep step;
    step.line = s.Mark().line + 1;
    ASSIGN_OR_RETURN(YAML::Node when, yamlx::Map(doc, s, "when", p, true));
    std::string wp = p + ".when";
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, when, wp, {"consecutive", "within_year", "within_12_months", "within_quarter"}));
    struct Count {
      const char* key;
      int* value;
    };
    for (Count c : {Count{"consecutive", &step.consecutive}, Count{"within_year", &step.within_year},
                    Count{"within_12_months", &step.within_12_months}, Count{"within_quarter", &step.within_quarter}}) {
      ASSIGN_OR_RETURN(*c.value, yamlx::Int(doc, when, c.key, wp, false));
      if (when[c.key].IsDefined() && (*c.value < 1 || *c.value > kMaxLadderCount)) {
        return yamlx::Error(doc, when[c.key], absl::StrCat(wp, ".", c.key, ": must be 1 to ", kMaxLadderCount));
      }
    }
    if (step.consecutive == 0 && step.within_year == 0 && step.within_12_months == 0 && step.within_quarter == 0) {
      return yamlx::Error(doc, when, wp + ": give consecutive, within_year, within_12_months or within_quarter");
    }
    if (step.consecutive > 0 && l.boards.size() != 1) {
      return yamlx::Error(doc, when["consecutive"],
                          wp + ".consecutive: counts periods of one board; a ladder on several boards or on a "
                               "signal counts within_year, within_12_months or within_quarter");
    }
    step.category_offsets = ladder_offsets;
    ASSIGN_OR_RETURN(auto own, ReadOffsets(doc, s, p));
    for (const auto& [c, v] : own) step.category_offsets[c] = v;
    ASSIGN_OR_RETURN(step.action, ReadAction(doc, s, p, cfg));
    ASSIGN_OR_RETURN(step.category_actions, ReadCategoryActions(doc, s, p, step.action, cfg));
    ASSIGN_OR_RETURN(step.rule_text, yamlx::String(doc, s, "rule", p, false));
    l.steps.push_back(std::move(step));
  }
  return l;
}

absl::Status CheckUniqueRuleId(const Doc& doc, const YAML::Node& at, const std::string& path, const std::string& id,
                               std::set<std::string>* ids) {
  if (!ids->insert(id).second) {
    return yamlx::Error(doc, at, absl::StrCat(path, ".id: '", id,
                                              "' is already used by another ladder or rule (ids must be unique)"));
  }
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- config

bool Ladder::OnBoard(absl::string_view board_id) const {
  return std::find(boards.begin(), boards.end(), board_id) != boards.end();
}

const Board* AccountabilityConfig::FindBoard(absl::string_view id) const {
  for (const auto& b : boards) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

std::string TieRuleName(TieRule r) { return r == TieRule::kAllLast ? "all_last" : "none_last"; }

std::string CategoryName(v1::UnitCategory c) {
  for (const auto& [name, cat] : Categories()) {
    if (cat == c) return name;
  }
  return "unspecified";
}

absl::StatusOr<AccountabilityConfig> LoadAccountabilityConfig(const Doc& doc, const Directory& directory) {
  const YAML::Node& root = doc.root;
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, root, "",
                                  {"roles", "interviewers", "tie_rule", "boards", "ladders", "incident_kinds",
                                   "incident_rules", "notice_rules"}));
  AccountabilityConfig cfg;
  cfg.file = doc.file;
  ASSIGN_OR_RETURN(cfg.roles, ReadTitles(doc, root, "roles", true));
  ASSIGN_OR_RETURN(cfg.interviewers, yamlx::StringList(doc, root, "interviewers", ""));
  for (size_t i = 0; i < cfg.interviewers.size(); ++i) {
    const std::string& r = cfg.interviewers[i];
    if (!cfg.roles.count(r)) {
      return yamlx::Error(doc, root["interviewers"][i], absl::StrCat("interviewers[", i, "]: unknown role '", r, "'"));
    }
    if (std::count(cfg.interviewers.begin(), cfg.interviewers.end(), r) > 1) {
      return yamlx::Error(doc, root["interviewers"][i], absl::StrCat("interviewers[", i, "]: '", r, "' is listed twice"));
    }
  }
  ASSIGN_OR_RETURN(cfg.incident_kinds, ReadTitles(doc, root, "incident_kinds", false));
  ASSIGN_OR_RETURN(cfg.tie_rule, ReadTieRule(doc, root, "", TieRule::kAllLast));

  ASSIGN_OR_RETURN(YAML::Node boards, yamlx::Seq(doc, root, "boards", "", true));
  for (size_t i = 0; i < boards.size(); ++i) {
    std::string p = absl::StrCat("boards[", i, "]");
    ASSIGN_OR_RETURN(Board b, ReadBoard(doc, boards[i], p, cfg, directory));
    if (cfg.FindBoard(b.id)) return yamlx::Error(doc, boards[i]["id"], absl::StrCat(p, ".id: '", b.id, "' is used twice"));
    cfg.boards.push_back(std::move(b));
  }

  std::set<std::string> rule_ids;
  ASSIGN_OR_RETURN(YAML::Node ladders, yamlx::Seq(doc, root, "ladders", "", false));
  for (size_t i = 0; i < ladders.size(); ++i) {
    std::string p = absl::StrCat("ladders[", i, "]");
    ASSIGN_OR_RETURN(Ladder l, ReadLadder(doc, ladders[i], p, cfg));
    RETURN_IF_ERROR(CheckUniqueRuleId(doc, ladders[i]["id"], p, l.id, &rule_ids));
    cfg.ladders.push_back(std::move(l));
  }

  ASSIGN_OR_RETURN(YAML::Node irules, yamlx::Seq(doc, root, "incident_rules", "", false));
  for (size_t i = 0; i < irules.size(); ++i) {
    std::string p = absl::StrCat("incident_rules[", i, "]");
    const YAML::Node& n = irules[i];
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, n, p, {"id", "kinds", "min_deaths", "action"}));
    IncidentRule r;
    r.line = n.Mark().line + 1;
    ASSIGN_OR_RETURN(r.id, ReadId(doc, n, p));
    RETURN_IF_ERROR(CheckUniqueRuleId(doc, n["id"], p, r.id, &rule_ids));
    ASSIGN_OR_RETURN(r.kinds, yamlx::StringList(doc, n, "kinds", p));
    for (size_t k = 0; k < r.kinds.size(); ++k) {
      if (!cfg.incident_kinds.count(r.kinds[k])) {
        return yamlx::Error(doc, n["kinds"][k],
                            absl::StrCat(p, ".kinds[", k, "]: unknown incident kind '", r.kinds[k], "'"));
      }
    }
    ASSIGN_OR_RETURN(r.min_deaths, yamlx::Int(doc, n, "min_deaths", p, false, 1));
    if (r.min_deaths < 0 || r.min_deaths > 10000) {
      return yamlx::Error(doc, n["min_deaths"], p + ".min_deaths: must be 0 to 10000");
    }
    ASSIGN_OR_RETURN(r.action, ReadAction(doc, n, p, cfg));
    cfg.incident_rules.push_back(std::move(r));
  }
  if (!cfg.incident_rules.empty() && cfg.incident_kinds.empty()) {
    return yamlx::Error(doc, irules, "incident_kinds: required when there are incident_rules");
  }

  ASSIGN_OR_RETURN(YAML::Node nrules, yamlx::Seq(doc, root, "notice_rules", "", false));
  for (size_t i = 0; i < nrules.size(); ++i) {
    std::string p = absl::StrCat("notice_rules[", i, "]");
    const YAML::Node& n = nrules[i];
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, n, p, {"id", "repeats", "action"}));
    NoticeRule r;
    r.line = n.Mark().line + 1;
    ASSIGN_OR_RETURN(r.id, ReadId(doc, n, p));
    RETURN_IF_ERROR(CheckUniqueRuleId(doc, n["id"], p, r.id, &rule_ids));
    ASSIGN_OR_RETURN(r.repeats, yamlx::Int(doc, n, "repeats", p, false, 2));
    if (r.repeats < 1 || r.repeats > 100) return yamlx::Error(doc, n["repeats"], p + ".repeats: must be 1 to 100");
    ASSIGN_OR_RETURN(r.action, ReadAction(doc, n, p, cfg));
    cfg.notice_rules.push_back(std::move(r));
  }
  return cfg;
}

absl::StatusOr<AccountabilityConfig> LoadAccountabilityConfigFile(const std::string& path, const Directory& directory) {
  ASSIGN_OR_RETURN(Doc doc, yamlx::ParseFile(path));
  return LoadAccountabilityConfig(doc, directory);
}

// ---------------------------------------------------------------- periods

absl::StatusOr<int64_t> ParsePeriod(BoardCadence c, absl::string_view field, absl::string_view label) {
  std::string s(label);
  int y = 0, n = 0;
  char extra = 0;
  bool digits_ok = true;
  auto bad = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", label, "' is not ", what));
  };
  switch (c) {
    case BoardCadence::kMonthly:
      for (size_t i = 0; i < s.size(); ++i) digits_ok = digits_ok && (i == 4 ? s[i] == '-' : std::isdigit(static_cast<unsigned char>(s[i])));
      if (s.size() != 7 || !digits_ok || std::sscanf(s.c_str(), "%4d-%2d%c", &y, &n, &extra) != 2) {
        return bad("a month (YYYY-MM)");
      }
      if (n < 1 || n > 12 || y < 2000 || y > 2100) return bad("a valid month (YYYY-MM, 2000–2100)");
      return static_cast<int64_t>(y) * 12 + (n - 1);
    case BoardCadence::kQuarterly:
      for (size_t i = 0; i < s.size(); ++i) {
        digits_ok = digits_ok && (i == 4 ? s[i] == '-' : i == 5 ? s[i] == 'Q' : std::isdigit(static_cast<unsigned char>(s[i])));
      }
      if (s.size() != 7 || !digits_ok || std::sscanf(s.c_str(), "%4d-Q%1d%c", &y, &n, &extra) != 2) {
        return bad("a quarter (YYYY-Qn)");
      }
      if (n < 1 || n > 4 || y < 2000 || y > 2100) return bad("a valid quarter (YYYY-Q1 … YYYY-Q4, 2000–2100)");
      return static_cast<int64_t>(y) * 4 + (n - 1);
    case BoardCadence::kYearly:
      for (char ch : s) digits_ok = digits_ok && std::isdigit(static_cast<unsigned char>(ch));
      if (s.size() != 4 || !digits_ok || !absl::SimpleAtoi(s, &y)) return bad("a year (YYYY)");
      if (y < 2000 || y > 2100) return bad("a year between 2000 and 2100");
      return y;
  }
  return bad("a period");
}

std::string FormatPeriod(BoardCadence c, int64_t o) {
  switch (c) {
    case BoardCadence::kMonthly: return absl::StrFormat("%04d-%02d", o / 12, o % 12 + 1);
    case BoardCadence::kQuarterly: return absl::StrFormat("%04d-Q%d", o / 4, o % 4 + 1);
    case BoardCadence::kYearly: return absl::StrFormat("%04d", o);
  }
  return "";
}

int PeriodYear(BoardCadence c, int64_t o) {
  switch (c) {
    case BoardCadence::kMonthly: return static_cast<int>(o / 12);
    case BoardCadence::kQuarterly: return static_cast<int>(o / 4);
    case BoardCadence::kYearly: return static_cast<int>(o);
  }
  return 0;
}

absl::CivilDay PeriodStart(BoardCadence c, int64_t o) {
  switch (c) {
    case BoardCadence::kMonthly: return absl::CivilDay(o / 12, o % 12 + 1, 1);
    case BoardCadence::kQuarterly: return absl::CivilDay(o / 4, (o % 4) * 3 + 1, 1);
    case BoardCadence::kYearly: return absl::CivilDay(o, 1, 1);
  }
  return absl::CivilDay();
}

// ---------------------------------------------------------------- rankings

std::string RankingId(absl::string_view board, absl::string_view period) { return absl::StrCat(board, ":", period); }

absl::Status CheckCommandMeta(const CommandMeta& meta) {
  RETURN_IF_ERROR(validate::Required("meta.actor", meta.actor, validate::kMaxActor));
  RETURN_IF_ERROR(validate::Optional("meta.comment", meta.comment, validate::kMaxComment));
  if (!meta.request_id.empty()) RETURN_IF_ERROR(validate::Text("meta.request_id", meta.request_id, 128, true));
  return absl::OkStatus();
}

std::set<std::string> UnitsInBand(const v1::Ranking& r, int bottom, TieRule rule) {
  std::set<std::string> out;
  const int n = r.entries_size();
  const int edge = n - bottom;  // positions >= edge are in the band
  for (int s = 0; s < n;) {
    int t = 1;
    while (s + t < n && r.entries(s + t).rank() == r.entries(s).rank()) ++t;
    bool in = rule == TieRule::kAllLast ? (s + t - 1 >= edge) : (s >= edge);
    if (in) {
      for (int i = s; i < s + t; ++i) out.insert(r.entries(i).unit_id());
    }
    s += t;
  }
  return out;
}

namespace {

// Ranks: 1 + the number of units with a strictly better score; entries are
// best first. Without scores every unit has its own rank.
void AssignRanks(v1::Ranking* r, bool scored, TieRule rule) {
  for (int i = 0; i < r->entries_size(); ++i) {
    auto* e = r->mutable_entries(i);
    if (scored && i > 0 && r->entries(i - 1).score() == e->score()) {
      e->set_rank(r->entries(i - 1).rank());
    } else {
      e->set_rank(i + 1);
    }
  }
  std::set<std::string> last = UnitsInBand(*r, 1, rule);
  for (auto& e : *r->mutable_entries()) e.set_last(last.count(e.unit_id()) > 0);
}

absl::Status CheckPeriodBegun(const Board& b, int64_t ord, absl::string_view label, const Clock& clock) {
  absl::CivilDay today = absl::ToCivilDay(clock.Now(), PlanTimeZone());
  if (PeriodStart(b.cadence, ord) > today) {
    return absl::InvalidArgumentError(absl::StrCat("period: ", label, " has not begun (today is ",
                                                   validate::FormatDate(today), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

Rankings::Rankings(const PartContext* ctx, const TaskCommands* tasks, const Obligations* obligations,
                   std::shared_ptr<const AccountabilityConfig> config)
    : ctx_(ctx), tasks_(tasks), obligations_(obligations), config_(std::move(config)) {}

void Rankings::SetListener(RankingListener* l) { listener_.store(l); }

absl::StatusOr<RankingResult> Rankings::EnterRanking(const CommandMeta& meta, const RankingInput& in) {
  RETURN_IF_ERROR(CheckCommandMeta(meta));
  RETURN_IF_ERROR(validate::Required("board", in.board, validate::kMaxId));
  // Held to the end: `board` points into it.
  const std::shared_ptr<const AccountabilityConfig> cfg = current();
  const Board* board = cfg->FindBoard(in.board);
  if (!board) return absl::NotFoundError(absl::StrCat("board: unknown board '", in.board, "'"));
  if (board->source != BoardSource::kEntered) {
    return absl::InvalidArgumentError(
        absl::StrCat("board: '", in.board, "' is computed by duban; use ComputeScorecard"));
  }
  ASSIGN_OR_RETURN(int64_t ord, ParsePeriod(board->cadence, "period", in.period));
  RETURN_IF_ERROR(CheckPeriodBegun(*board, ord, in.period, *ctx_->clock));
  if (in.entries.empty()) return absl::InvalidArgumentError("entries: at least one unit must be ranked");

  auto is_member = [&](const std::string& id) {
    return std::find(board->member_ids.begin(), board->member_ids.end(), id) != board->member_ids.end();
  };
  auto never_ranked = [&](const std::string& id) {
    return std::find(board->not_ranked_ids.begin(), board->not_ranked_ids.end(), id) != board->not_ranked_ids.end();
  };
  // unit id -> the field that named it first
  std::map<std::string, std::string> seen;
  auto resolve_one = [&](const std::string& field, const std::string& name) -> absl::StatusOr<std::string> {
    RETURN_IF_ERROR(validate::Required(field, name, validate::kMaxName));
    auto r = ctx_->directory->Resolve(name);
    if (!r.ok()) return absl::NotFoundError(absl::StrCat(field, ": unknown unit '", name, "'"));
    if (r->group) return absl::InvalidArgumentError(absl::StrCat(field, ": '", name, "' is a group of units; name one unit"));
    std::string id = r->units.at(0).id();
    if (auto it = seen.find(id); it != seen.end()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": '", name, "' is listed twice (also ", it->second, ")"));
    }
    seen[id] = field;
    return id;
  };

  v1::Ranking r;
  r.set_id(RankingId(board->id, FormatPeriod(board->cadence, ord)));
  r.set_board(board->id);
  r.set_period(FormatPeriod(board->cadence, ord));
  r.set_source(v1::RANKING_SOURCE_ENTERED);
  const bool scored = in.entries.front().score.has_value();
  for (size_t i = 0; i < in.entries.size(); ++i) {
    const RankedUnit& e = in.entries[i];
    std::string field = absl::StrCat("entries[", i, "].unit");
    ASSIGN_OR_RETURN(std::string id, resolve_one(field, e.unit));
    if (never_ranked(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", e.unit, "' does not take part in board ", board->id, " (不参与排名)"));
    }
    if (!is_member(id)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": '", e.unit, "' is not a member of board ", board->id));
    }
    std::string sfield = absl::StrCat("entries[", i, "].score");
    if (e.score.has_value() != scored) {
      return absl::InvalidArgumentError(absl::StrCat(sfield, ": give a score for every unit or for none"));
    }
    auto* out = r.add_entries();
    out->set_unit_id(id);
    if (scored) {
      if (!std::isfinite(*e.score)) return absl::InvalidArgumentError(absl::StrCat(sfield, ": not a finite number"));
      if (i > 0 && *e.score > *in.entries[i - 1].score) {
        return absl::InvalidArgumentError(absl::StrCat(sfield, ": ", *e.score, " is higher than the score above it (",
                                                       *in.entries[i - 1].score, "); list units best first"));
      }
      out->set_score(*e.score);
    }
  }
  for (size_t i = 0; i < in.not_ranked.size(); ++i) {
    std::string field = absl::StrCat("not_ranked[", i, "]");
    ASSIGN_OR_RETURN(std::string id, resolve_one(field, in.not_ranked[i]));
    if (!is_member(id) && !never_ranked(id)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", in.not_ranked[i], "' is not a member of board ", board->id));
    }
  }
  for (const auto& id : board->member_ids) {
    if (!seen.count(id)) {
      auto u = ctx_->directory->GetUnit(id);
      return absl::InvalidArgumentError(absl::StrCat("entries: member '", u.ok() ? u->name() : id, "' of board ",
                                                     board->id, " is neither ranked nor listed in not_ranked"));
    }
  }
  // Not ranked: the board's own list, then this period's.
  std::set<std::string> nr;
  for (const auto& id : board->not_ranked_ids) {
    if (nr.insert(id).second) r.add_not_ranked_unit_ids(id);
  }
  for (const auto& name : in.not_ranked) {
    auto res = ctx_->directory->Resolve(name);
    if (res.ok() && !res->units.empty() && nr.insert(res->units[0].id()).second) {
      r.add_not_ranked_unit_ids(res->units[0].id());
    }
  }
  AssignRanks(&r, scored, board->tie_rule);
  return Persist(meta, *board, std::move(r), in.replace);
}

absl::StatusOr<RankingResult> Rankings::ComputeScorecard(const CommandMeta& meta, absl::string_view period,
                                                         absl::string_view board_id, bool replace) {
  RETURN_IF_ERROR(CheckCommandMeta(meta));
  // Held to the end: `board` points into it.
  const std::shared_ptr<const AccountabilityConfig> cfg = current();
  const Board* board = cfg->FindBoard(board_id);
  if (!board) return absl::NotFoundError(absl::StrCat("board: unknown board '", board_id, "'"));
  if (board->source != BoardSource::kComputed) {
    return absl::InvalidArgumentError(
        absl::StrCat("board: '", board_id, "' is entered, not computed; use EnterRanking"));
  }
  ASSIGN_OR_RETURN(int64_t ord, ParsePeriod(board->cadence, "period", period));
  RETURN_IF_ERROR(CheckPeriodBegun(*board, ord, period, *ctx_->clock));

  // Members.
  std::vector<std::string> members = board->member_ids;
  std::map<std::string, v1::UnitScore> scores;
  ASSIGN_OR_RETURN(std::vector<v1::UnitScore> all_scores, obligations_->ListUnitScores());
  for (auto& s : all_scores) scores[s.unit_id()] = s;
  if (board->members_with_obligations) {
    std::set<std::string> ids;
    for (const auto& [id, s] : scores) ids.insert(id);
    std::string prefix = std::string("obligation-unit") + keys::kSep;
    RETURN_IF_ERROR(ctx_->store->Scan(Cf::kIndex, prefix, [&](absl::string_view k, absl::string_view) {
      absl::string_view rest = k.substr(prefix.size());
      size_t end = rest.find(keys::kSep);
      if (end != absl::string_view::npos) ids.insert(std::string(rest.substr(0, end)));
      return true;
    }));
    members.assign(ids.begin(), ids.end());
  }
  std::set<std::string> excluded(board->not_ranked_ids.begin(), board->not_ranked_ids.end());
  members.erase(std::remove_if(members.begin(), members.end(), [&](const std::string& id) {
                  return excluded.count(id) > 0 || !ctx_->directory->GetUnit(id).ok();
                }),
                members.end());
  if (members.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("board: '", board->id, "' has no units to rank"));
  }

  // Lead tasks: all, completed or archived, overdue.
  struct TaskCounts {
    int all = 0, done = 0, overdue = 0;
  };
  std::map<std::string, TaskCounts> tasks;
  TaskFilter f;
  f.page_size = 500;
  for (int guard = 0; guard < 100000; ++guard) {
    ASSIGN_OR_RETURN(TaskPage page, tasks_->List(f));
    for (const auto& t : page.tasks) {
      for (const auto& u : t.lead_unit_ids()) {
        TaskCounts& c = tasks[u];
        ++c.all;
        if (t.state() == v1::TASK_STATE_COMPLETED || t.state() == v1::TASK_STATE_ARCHIVED) ++c.done;
        if (t.overdue()) ++c.overdue;
      }
    }
    if (page.next_page_token.empty()) break;
    f.page_token = page.next_page_token;
  }

  struct Scored {
    std::string id;
    double score;
  };
  std::vector<Scored> list;
  const ScoreWeights& w = board->weights;
  for (const auto& id : members) {
    const v1::UnitScore& s = scores[id];
    const TaskCounts& c = tasks[id];
    double on_time_rate = s.due() > 0 ? static_cast<double>(s.on_time()) / s.due() : 1.0;
    double completion_rate = c.all > 0 ? static_cast<double>(c.done) / c.all : 1.0;
    double score = w.on_time_rate * on_time_rate + w.overdue_tasks * c.overdue + w.completion_rate * completion_rate +
                   w.returns * s.returned();
    score = std::round(score * 1e6) / 1e6;  // equal figures give equal scores
    list.push_back({id, score});
  }
  std::stable_sort(list.begin(), list.end(), [](const Scored& a, const Scored& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  });

  v1::Ranking r;
  r.set_id(RankingId(board->id, FormatPeriod(board->cadence, ord)));
  r.set_board(board->id);
  r.set_period(FormatPeriod(board->cadence, ord));
  r.set_source(v1::RANKING_SOURCE_COMPUTED);
  for (const auto& s : list) {
    auto* e = r.add_entries();
    e->set_unit_id(s.id);
    e->set_score(s.score);
  }
  for (const auto& id : board->not_ranked_ids) r.add_not_ranked_unit_ids(id);
  AssignRanks(&r, true, board->tie_rule);
  return Persist(meta, *board, std::move(r), replace);
}

absl::StatusOr<RankingResult> Rankings::Persist(const CommandMeta& meta, const Board& board, v1::Ranking r,
                                              bool replace) {
  // The board (ladders read its earlier periods) and every unit a case may
  // be opened or withdrawn for: the ranked units and those of the stored
  // ranking it replaces.
  std::vector<std::string> subjects{absl::StrCat("ranking|", board.id)};
  for (const auto& e : r.entries()) subjects.push_back(AccountabilitySubject(e.unit_id()));
  for (const auto& id : board.member_ids) subjects.push_back(AccountabilitySubject(id));
  KeyLocks::Guard lock = ctx_->pipeline->locks().Lock(subjects);
  std::string key = keys::Entity(keys::Kind::kRanking, r.id());
  ASSIGN_OR_RETURN(bool stored, ctx_->store->Exists(Cf::kEntities, key));
  if (!replace && stored) {
    return absl::AlreadyExistsError(
        absl::StrCat("period: ranking ", r.id(), " is already stored; pass replace to overwrite it"));
  }
  *r.mutable_published_at() = Ts(ctx_->clock->Now());
  r.set_published_by(meta.actor);
  rocksdb::WriteBatch batch;
  std::vector<v1::Notification> notes;
  RankingResult result;
  ctx_->store->Put(&batch, Cf::kEntities, key, r);
  if (RankingListener* l = listener_.load()) RETURN_IF_ERROR(l->OnRanking(r, board, &batch, &notes, &result.opened));
  RETURN_IF_ERROR(ctx_->pipeline->Audit({"ranking", r.id(), replace ? "replace_ranking" : "enter_ranking", meta},
                                            r, &batch));
  RETURN_IF_ERROR(ctx_->pipeline->Commit(&batch, &notes));
  spdlog::info("ranking={} actor={} units={} cases={} result=OK", r.id(), meta.actor, r.entries_size(),
               result.opened.size());
  result.ranking = std::move(r);
  return result;
}

absl::StatusOr<v1::Ranking> Rankings::GetRanking(absl::string_view board_id, absl::string_view period) const {
  // Held to the end: `board` points into it.
  const std::shared_ptr<const AccountabilityConfig> cfg = current();
  const Board* board = cfg->FindBoard(board_id);
  if (!board) return absl::NotFoundError(absl::StrCat("board: unknown board '", board_id, "'"));
  ASSIGN_OR_RETURN(int64_t ord, ParsePeriod(board->cadence, "period", period));
  v1::Ranking r;
  std::string id = RankingId(board->id, FormatPeriod(board->cadence, ord));
  absl::Status s = ctx_->store->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kRanking, id), &r);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("period: no ranking ", id));
  RETURN_IF_ERROR(s);
  return r;
}

void Rankings::SetConfig(std::shared_ptr<const AccountabilityConfig> config) {
  std::lock_guard<std::mutex> lock(retired_mu_);
  retired_.push_back(std::atomic_load(&config_));
  std::atomic_store(&config_, std::move(config));
}

absl::StatusOr<std::vector<v1::Ranking>> Rankings::ListRankings(absl::string_view board_id) const {
  // Held to the end: `board` points into it.
  const std::shared_ptr<const AccountabilityConfig> cfg = current();
  const Board* board = cfg->FindBoard(board_id);
  if (!board) return absl::NotFoundError(absl::StrCat("board: unknown board '", board_id, "'"));
  std::vector<v1::Ranking> out;
  absl::Status bad;
  absl::Status scanned = ctx_->store->Scan(Cf::kEntities, keys::Entity(keys::Kind::kRanking, absl::StrCat(board->id, ":")),
                        [&](absl::string_view, absl::string_view v) {
                          v1::Ranking r;
                          if (!r.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
                            bad = absl::DataLossError(absl::StrCat("rankings of ", board->id, ": unparsable record"));
                            return false;
                          }
                          out.push_back(std::move(r));
                          return true;
                        });
  RETURN_IF_ERROR(scanned);
  RETURN_IF_ERROR(bad);
  return out;
}

absl::StatusOr<RankingPage> Rankings::ListRankingsPage(absl::string_view board_id, int page_size,
                                                      absl::string_view page_token) const {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, kDefaultListPageSize, kMaxListPageSize));
  const std::shared_ptr<const AccountabilityConfig> cfg = current();
  std::vector<std::string> boards;
  if (!board_id.empty()) {
    if (!cfg->FindBoard(board_id)) return absl::NotFoundError(absl::StrCat("board: unknown board '", board_id, "'"));
    boards.emplace_back(board_id);
  } else {
    for (const auto& b : cfg->boards) boards.push_back(b.id);
  }
  // The token is the key of the last ranking returned: resume in its board,
  // after it.
  size_t first = 0;
  std::string start;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(std::string key, PageTokenKey(page_token, keys::EntityPrefix(keys::Kind::kRanking)));
    first = boards.size();
    for (size_t i = 0; i < boards.size(); ++i) {
      if (absl::StartsWith(key, keys::Entity(keys::Kind::kRanking, absl::StrCat(boards[i], ":")))) first = i;
    }
    if (first == boards.size()) return absl::InvalidArgumentError("page_token: not a token of this listing");
    start = key + std::string(1, '\0');
  }
  RankingPage page;
  size_t bytes = 0;
  std::string last;
  absl::Status bad;
  for (size_t i = first; i < boards.size() && page.next_page_token.empty(); ++i) {
    std::string prefix = keys::Entity(keys::Kind::kRanking, absl::StrCat(boards[i], ":"));
    absl::Status scanned = ctx_->store->Scan(Cf::kEntities, prefix, [&](absl::string_view k, absl::string_view v) {
      if (static_cast<int>(page.rankings.size()) == limit || (!page.rankings.empty() && bytes + v.size() > kMaxPageBytes)) {
        page.next_page_token = PageToken(last);
        return false;
      }
      v1::Ranking r;
      if (!r.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
        bad = absl::DataLossError(absl::StrCat("rankings of ", boards[i], ": unparsable record"));
        return false;
      }
      bytes += v.size();
      last = std::string(k);
      page.rankings.push_back(std::move(r));
      return true;
    }, i == first ? absl::string_view(start) : absl::string_view());
    RETURN_IF_ERROR(scanned);
    RETURN_IF_ERROR(bad);
  }
  return page;
}

}  // namespace duban
