#include "engine/accountability/ladder_rules.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace duban {

namespace {

int QuarterOf(absl::CivilDay d) { return (d.month() - 1) / 3; }

// The first day of the 12 months that end with `end`.
absl::CivilDay TwelveMonthsBefore(absl::CivilDay end) {
  absl::CivilDay next = end + 1;
  absl::CivilDay back(next.year() - 1, next.month(), next.day());
  // 29 February of a leap year: CivilDay normalises to 1 March, which is
  // one day later than the true boundary and keeps the window at 12 months.
  return back;
}

std::string RoleTitle(const AccountabilityConfig& cfg, const std::string& role) {
  auto it = cfg.roles.find(role);
  return it != cfg.roles.end() ? it->second : role;
}

std::string SignalWords(LadderSignal s) {
  switch (s) {
    case LadderSignal::kMissedReport: return "未按时报送";
    case LadderSignal::kRedTask: return "牵头任务亮红灯";
    case LadderSignal::kSupervisionOverdue: return "督办事项逾期未办结";
    case LadderSignal::kRanking: break;
  }
  return "";
}

bool IsSignal(const Ladder& l) { return l.signal != LadderSignal::kRanking; }

}  // namespace

LadderCounts CountWindows(const std::vector<Occurrence>& occurrences, const Occurrence& current) {
  LadderCounts c;
  absl::CivilDay rolling_from = TwelveMonthsBefore(current.end);
  for (const Occurrence& o : occurrences) {
    if (o.start > current.start) continue;
    if (o.start.year() == current.start.year()) {
      ++c.within_year;
      if (QuarterOf(o.start) == QuarterOf(current.start)) ++c.within_quarter;
    }
    if (o.start >= rolling_from) ++c.within_12_months;
  }
  return c;
}

int EffectiveThreshold(int threshold, const LadderStep& step, v1::UnitCategory category) {
  if (threshold <= 0) return 0;
  int offset = 0;
  if (auto it = step.category_offsets.find(category); it != step.category_offsets.end()) offset = it->second;
  return std::max(1, threshold + offset);
}

std::string CategoryTitle(v1::UnitCategory c) {
  switch (c) {
    case v1::UNIT_CATEGORY_DEPARTMENT: return "市直部门";
    case v1::UNIT_CATEGORY_TOWNSHIP: return "乡镇（街道）";
    case v1::UNIT_CATEGORY_PARK: return "园区";
    case v1::UNIT_CATEGORY_PLATFORM_COMPANY: return "平台公司";
    default: return "其他单位";
  }
}

std::string LadderEventWords(const Ladder& ladder, const AccountabilityConfig& cfg) {
  if (IsSignal(ladder)) return SignalWords(ladder.signal);
  std::string band = ladder.band.last ? "排名倒数第一" : absl::StrCat("排名后", ladder.band.bottom, "名");
  if (ladder.boards.size() <= 1) return band;
  std::vector<std::string> names;
  for (const auto& b : ladder.boards) {
    const Board* board = cfg.FindBoard(b);
    names.push_back(board ? board->name : b);
  }
  return absl::StrCat("在", absl::StrJoin(names, "、"), "中", band);
}

std::optional<StepChoice> ChooseStep(const Ladder& ladder, const AccountabilityConfig& cfg,
                                     v1::UnitCategory category, const LadderCounts& counts) {
  const std::string event = LadderEventWords(ladder, cfg);
  const char* unit_word = IsSignal(ladder) ? "次" : "期";
  for (int i = static_cast<int>(ladder.steps.size()) - 1; i >= 0; --i) {
    const LadderStep& s = ladder.steps[i];
    struct Window {
      int threshold;
      int count;
      std::string words;  // the condition at that threshold
    };
    const int cons = EffectiveThreshold(s.consecutive, s, category);
    const int year = EffectiveThreshold(s.within_year, s, category);
    const int rolling = EffectiveThreshold(s.within_12_months, s, category);
    const int quarter = EffectiveThreshold(s.within_quarter, s, category);
    const Window windows[] = {
        {cons, counts.consecutive, absl::StrCat("连续", cons, unit_word, event)},
        {year, counts.within_year, absl::StrCat("一年内累计", year, unit_word, event)},
        {rolling, counts.within_12_months, absl::StrCat("12个月内累计", rolling, unit_word, event)},
        {quarter, counts.within_quarter, absl::StrCat("一个季度内累计", quarter, unit_word, event)},
    };
    std::vector<std::string> all;
    std::string held;
    for (const Window& w : windows) {
      if (w.threshold == 0) continue;
      all.push_back(w.words);
      if (held.empty() && w.count >= w.threshold) held = w.words;
    }
    if (held.empty()) continue;
    StepChoice c;
    c.step = i + 1;
    c.action = s.action;
    bool by_category = false;
    if (auto it = s.category_actions.find(category); it != s.category_actions.end()) {
      c.action = it->second;
      by_category = true;
    }
    bool offset = s.category_offsets.count(category) && s.category_offsets.at(category) != 0;
    c.condition = held;
    if (!s.rule_text.empty()) {
      c.rule = s.rule_text;
    } else {
      c.rule = absl::StrCat(by_category || offset ? CategoryTitle(category) : "", absl::StrJoin(all, "或"),
                            "的，由", RoleTitle(cfg, c.action.by_role), c.action.name);
    }
    return c;
  }
  return std::nullopt;
}

std::string CountFacts(const Ladder& ladder, const LadderCounts& counts, int year, bool restarted) {
  bool cons = false, yr = false, rolling = false, quarter = false;
  for (const LadderStep& s : ladder.steps) {
    cons = cons || s.consecutive > 0;
    yr = yr || s.within_year > 0;
    rolling = rolling || s.within_12_months > 0;
    quarter = quarter || s.within_quarter > 0;
  }
  const char* unit_word = IsSignal(ladder) ? "次" : "期";
  std::vector<std::string> parts;
  if (cons) parts.push_back(absl::StrCat("连续", counts.consecutive, unit_word));
  if (yr) parts.push_back(absl::StrCat(year, "年累计", counts.within_year, unit_word));
  if (quarter) parts.push_back(absl::StrCat("本季度累计", counts.within_quarter, unit_word));
  if (rolling) parts.push_back(absl::StrCat("近12个月累计", counts.within_12_months, unit_word));
  return absl::StrCat(restarted ? "自上次问责后" : "", absl::StrJoin(parts, "，"));
}

absl::StatusOr<absl::CivilDay> PeriodLabelEndDay(absl::string_view label) {
  absl::string_view s = label;
  if (auto at = s.find('@'); at != absl::string_view::npos) s = s.substr(at + 1);
  std::string t(s);
  int y = 0, a = 0, b = 0;
  char extra = 0;
  auto digits = [&](std::initializer_list<size_t> idx) {
    for (size_t i : idx) {
      if (i >= t.size() || !std::isdigit(static_cast<unsigned char>(t[i]))) return false;
    }
    return true;
  };
  if (t.size() == 4 && digits({0, 1, 2, 3}) && std::sscanf(t.c_str(), "%4d%c", &y, &extra) == 1) {
    return absl::CivilDay(y, 12, 31);
  }
  if (t.size() == 7 && t[5] == 'Q' && std::sscanf(t.c_str(), "%4d-Q%1d%c", &y, &a, &extra) == 2 && a >= 1 && a <= 4) {
    return absl::CivilDay(absl::CivilMonth(y, a * 3) + 1) - 1;
  }
  if (t.size() == 7 && digits({0, 1, 2, 3, 5, 6}) && std::sscanf(t.c_str(), "%4d-%2d%c", &y, &a, &extra) == 2 &&
      a >= 1 && a <= 12) {
    return absl::CivilDay(absl::CivilMonth(y, a) + 1) - 1;
  }
  if (t.size() == 10 && digits({0, 1, 2, 3, 5, 6, 8, 9}) &&
      std::sscanf(t.c_str(), "%4d-%2d-%2d%c", &y, &a, &b, &extra) == 3) {
    absl::CivilDay d(y, a, b);
    if (d.month() == a && d.day() == b) return d;
  }
  return absl::InvalidArgumentError(absl::StrCat("period: '", label, "' is not a year, quarter, month or day"));
}

}  // namespace duban
