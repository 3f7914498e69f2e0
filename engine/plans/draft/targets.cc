// Quantitative targets: 增长7%, 突破530亿元, 500家以上, 不高于34微克/立方米,
// 下降20%以上 -> indicator, value, unit, comparison, direction.
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/plans/draft/internal.h"
#include "engine/plans/draft/rules.h"

namespace duban::plandraft::internal {
namespace {

struct Quantity {
  size_t begin = 0, end = 0;
  double value = 0;
  std::string unit;
};

std::vector<Quantity> FindQuantities(const std::string& s) {
  const Rules& r = GetRules();
  std::vector<Quantity> out;
  re2::StringPiece text(s);
  re2::StringPiece m[4];
  size_t pos = 0;
  while (pos < s.size() && r.quantity->Match(text, pos, s.size(), RE2::UNANCHORED, m, 4)) {
    Quantity q;
    q.begin = m[0].data() - s.data();
    q.end = q.begin + m[0].size();
    if (m[0].empty()) break;
    pos = q.end;
    absl::SimpleAtod(std::string(m[1]), &q.value);
    q.unit = std::string(m[3]);
    absl::string_view after = absl::string_view(s).substr(q.end);
    absl::string_view before = absl::string_view(s).substr(0, q.begin);
    // Dates, years, ordinals and names are not quantities: 2023年, 12月, 第1位, 5G, 630智慧电网.
    if (q.unit.empty() &&
        (StartsWithAny(after, {"年", "月", "日", "号", "时", "G", "千伏", "·", "."}) || absl::EndsWith(before, "第"))) {
      continue;
    }
    if (!q.unit.empty() || !after.empty()) {
      // A number glued to letters is a name: "5G", "ECMO".
      if (!after.empty() && ((after[0] >= 'A' && after[0] <= 'Z') || (after[0] >= 'a' && after[0] <= 'z'))) continue;
    }
    out.push_back(q);
  }
  return out;
}

std::string StripFillers(std::string s) {
  const Rules& r = GetRules();
  bool again = true;
  while (again) {
    again = false;
    std::string w;
    if (StartsWithAny(s, r.indicator_fillers, &w) && s.size() > w.size()) {
      s = s.substr(w.size());
      again = true;
    }
  }
  return s;
}

// The comparison a number carries: words after it (以上) or the verb before it (突破).
std::string Comparison(absl::string_view after, const std::string& verb) {
  const Rules& r = GetRules();
  if (StartsWithAny(after, r.at_least_words)) return "at_least";
  if (StartsWithAny(after, r.at_most_words)) return "at_most";
  if (StartsWithAny(after, r.about_words)) return "about";
  for (const auto& w : r.at_least_words) {
    if (verb == w) return "at_least";
  }
  for (const auto& w : r.about_words) {
    if (verb == w) return "about";
  }
  for (const auto& w : r.at_most_words) {
    if (verb == w) return "at_most";
  }
  return "exactly";
}

// Splits "A、B" / "A和B" into subjects.
std::vector<std::string> Subjects(const std::string& s) {
  std::vector<std::string> out;
  for (auto& p : SplitTopLevel(s, {"、", "和", "及"})) {
    std::string t = RemoveBlanks(p);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

}  // namespace

std::vector<DraftTarget> ReadTargets(const std::string& para, int line, Draft* draft) {
  const Rules& r = GetRules();
  std::vector<DraftTarget> out;
  std::string prev_subject;
  auto add = [&](std::string subject, const std::string& verb, const std::string& modifier, const Quantity& q,
                 const std::string& comparison, const std::string& source) {
    subject = StripFillers(subject);
    if (subject.empty() || std::find(r.measure_words.begin(), r.measure_words.end(), subject) != r.measure_words.end()) {
      subject = prev_subject + subject;
    } else {
      prev_subject = subject;
    }
    DraftTarget t;
    bool verb_kept = std::find(r.verbs_in_indicator.begin(), r.verbs_in_indicator.end(), verb) != r.verbs_in_indicator.end();
    t.indicator = subject + modifier + (verb_kept ? verb : "");
    t.value = q.value;
    t.unit = q.unit;
    t.comparison = comparison;
    t.direction = comparison == "at_most" ? "down" : "up";
    t.source = source;
    t.line = line;
    if (t.indicator.empty()) {
      draft->uncertain.push_back({line, source, "target without an indicator: not proposed"});
      return;
    }
    if (t.unit.empty()) draft->uncertain.push_back({line, source, "target without a unit"});
    out.push_back(std::move(t));
  };
  for (std::string clause : SplitTopLevel(para, {"，", "；", "。", "：", "！"})) {
    clause = RemoveBlanks(clause);
    auto qs = FindQuantities(clause);
    if (qs.empty()) continue;
    std::string g1, g2;
    // "园区规工产值、产业税收分别增长12%和15%以上"
    if (qs.size() >= 2 && RE2::FullMatch(clause, *r.respectively, &g1, &g2)) {
      auto subjects = Subjects(StripFillers(g1));
      std::string verb;
      StartsWithAny(g2, r.verbs, &verb);
      std::string comparison = Comparison(absl::string_view(clause).substr(qs.back().end), verb);
      if (subjects.size() == qs.size()) {
        for (size_t i = 0; i < qs.size(); ++i) add(subjects[i], verb, "", qs[i], comparison, clause);
        continue;
      }
      draft->uncertain.push_back({line, clause, "targets 分别: subjects and values do not pair; read one by one"});
    }
    // "全市安全生产事故起数和死亡人数同比均下降20%以上"
    if (qs.size() == 1 && RE2::FullMatch(clause, *r.both, &g1, &g2)) {
      std::string verb;
      if (StartsWithAny(g2, r.verbs, &verb)) {
        std::string subj = StripFillers(g1), modifier;
        if (absl::EndsWith(subj, "同比")) {
          modifier = "同比";
          subj = subj.substr(0, subj.size() - modifier.size());
        }
        auto subjects = Subjects(subj);
        std::string comparison = Comparison(absl::string_view(clause).substr(qs[0].end), verb);
        for (const auto& s : subjects) add(s, verb, modifier, qs[0], comparison, clause);
        continue;
      }
    }
    size_t from = 0;
    for (const auto& q : qs) {
      std::string before = clause.substr(from, q.begin - from);
      std::string verb;
      for (const auto& v : r.verbs) {
        if (absl::EndsWith(before, v)) {
          verb = v;
          before = before.substr(0, before.size() - v.size());
          break;
        }
      }
      std::string modifier;
      std::string comparison = Comparison(absl::string_view(clause).substr(q.end), verb);
      // A bare number with neither a unit nor a verb is not a target ("0-3起" has a unit).
      if (q.unit.empty() && verb.empty()) continue;
      add(before, verb, modifier, q, comparison, clause);
      from = q.end;
    }
  }
  return out;
}

}  // namespace duban::plandraft::internal
