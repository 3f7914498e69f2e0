// Unit names and unit clauses: （市发改局牵头，宁乡经开区、市工信局等负责）,
// [牵头单位：…；责任单位：…], 〔市委组织部（人才服务中心）、市人社局〕.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/plans/draft/internal.h"
#include "engine/plans/draft/rules.h"

namespace duban::plandraft::internal {
namespace {

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (!s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

std::string Category(const std::string& name) {
  for (const auto& [suffix, cat] : GetRules().category_suffixes) {
    if (absl::EndsWith(name, suffix)) return cat;
  }
  return "other";
}

}  // namespace

bool UnitReader::LooksLikeUnit(const std::string& name) const {
  int n = CharCount(name);
  if (n < 2 || n > 30) return false;
  if (ContainsAny(name, {"。", "，", "；", "：", "“", "”"})) return false;
  return EndsWithAny(name, GetRules().unit_suffixes);
}

std::string UnitReader::Known(const std::string& name) const {
  auto m = dir_.Resolve(name);
  return m.entry ? m.entry->id : "";
}

std::string UnitReader::Propose(const std::string& name, int line) {
  for (auto& p : draft_->proposed_units) {
    if (p.name == name) {
      ++p.mentions;
      return p.id;
    }
  }
  ProposedUnit p;
  p.id = absl::StrCat(draft_->plan_id.empty() ? "draft" : draft_->plan_id, "-u", draft_->proposed_units.size() + 1);
  p.name = name;
  p.category = Category(name);
  p.first_line = line;
  p.mentions = 1;
  draft_->proposed_units.push_back(p);
  draft_->uncertain.push_back({line, name, "unknown unit: proposed as new unit " + p.id});
  return p.id;
}

std::string UnitReader::Ref(const std::string& raw, int line, bool sure) {
  const Rules& r = GetRules();
  std::string name = RemoveBlanks(raw);
  if (name.empty()) return "";
  auto try_name = [&](const std::string& n, std::string* out) {
    auto m = dir_.Resolve(n);
    if (m.entry) {
      *out = m.entry->id;
      return true;
    }
    if (m.ambiguous) {
      draft_->uncertain.push_back(
          {line, n, absl::StrCat("ambiguous unit: ", absl::StrJoin(m.candidates, ", "), "; none chosen")});
      *out = "";
      return true;
    }
    return false;
  };
  std::string out;
  if (try_name(name, &out)) return out;
  // "市消防大队等相关单位" -> "市消防大队"; "市减灾委相关成员单位" -> "市减灾委".
  std::string cut = name;
  for (const auto& tail : r.collective_tails) {
    if (absl::EndsWith(cut, tail) && cut.size() > tail.size()) {
      cut = cut.substr(0, cut.size() - tail.size());
      if (try_name(cut, &out)) return out;
    }
  }
  // "人民银行宁乡支行等金融机构" is tried whole above; "市公安局等相关部门" here.
  if (size_t deng = cut.find("等"); deng != std::string::npos && deng > 0) {
    if (try_name(cut.substr(0, deng), &out)) return out;
  }
  // "市财政局（市国资事务中心）": the unit outside the brackets.
  if (size_t at = cut.find("（"); at != std::string::npos && at > 0) {
    if (try_name(cut.substr(0, at), &out)) return out;
  }
  // "各园区及乡镇（街道）" -> 各园区, 各乡镇（街道）: handled by List; here "A及B".
  if (!LooksLikeUnit(cut) && !sure) return "";
  return Propose(cut, line);
}

std::vector<std::string> UnitReader::List(const std::string& list, int line, bool sure) {
  const Rules& r = GetRules();
  std::vector<std::string> out;
  bool distribute = false;  // the first item opens with 各
  bool first = true;
  for (std::string item : SplitTopLevel(list, r.list_separators)) {
    item = RemoveBlanks(item);
    if (item.empty()) continue;
    if (first) distribute = absl::StartsWith(item, r.collective_prefix);
    first = false;
    // "各园区、乡镇（街道）": the later item is "各乡镇（街道）".
    if (distribute && Known(item).empty() && !absl::StartsWith(item, r.collective_prefix)) {
      std::string ref = Known(r.collective_prefix + item);
      if (!ref.empty()) {
        AddUnique(&out, ref);
        continue;
      }
    }
    // "各园区及乡镇（街道）": "及" joins two collective names; the second takes "各".
    if (Known(item).empty() && absl::StrContains(item, "及")) {
      auto parts = SplitTopLevel(item, {"及"});
      bool all = parts.size() > 1;
      std::vector<std::string> refs;
      for (size_t i = 0; i < parts.size() && all; ++i) {
        std::string p = parts[i];
        std::string ref = Known(p);
        if (ref.empty() && i > 0 && absl::StartsWith(parts[0], "各")) ref = Known("各" + p);
        if (ref.empty()) all = false;
        refs.push_back(ref);
      }
      if (all) {
        for (const auto& ref : refs) AddUnique(&out, ref);
        continue;
      }
    }
    AddUnique(&out, Ref(item, line, sure));
  }
  return out;
}

bool UnitReader::IsGroup(const std::string& ref) const {
  const DirectoryEntry* e = dir_.ById(ref);
  return e != nullptr && e->group;
}

std::vector<std::string> UnitReader::Acting(const std::string& text) const {
  const Rules& r = GetRules();
  for (std::string clause : SplitTopLevel(text, {"。", "；", "，", "："})) {
    clause = RemoveBlanks(clause);
    std::string opener;
    if (StartsWithAny(clause, r.actor_openers, &opener)) clause = clause.substr(opener.size());
    // The earliest verb of the clause; the words before it must be units.
    size_t at = std::string::npos;
    for (const auto& v : r.actor_verbs) at = std::min(at, clause.find(v));
    if (at == std::string::npos || CharCount(clause.substr(0, at)) < 2 || CharCount(clause.substr(0, at)) > 40) {
      continue;
    }
    std::vector<std::string> items = SplitTopLevel(clause.substr(0, at), r.list_separators);
    if (items.empty() || Known(RemoveBlanks(items.front())).empty()) continue;
    std::vector<std::string> refs;
    bool distribute = absl::StartsWith(RemoveBlanks(items.front()), r.collective_prefix);
    for (const auto& raw : items) {
      std::string item = RemoveBlanks(raw);
      std::string ref = Known(item);
      if (ref.empty() && distribute) ref = Known(r.collective_prefix + item);
      // "行业部门" and the like name no unit of the directory: left out.
      if (!ref.empty()) AddUnique(&refs, ref);
    }
    return refs;
  }
  return {};
}

UnitReader::SectorUnits UnitReader::Sectors(const std::string& title) const {
  SectorUnits out;
  re2::StringPiece rest(title);
  std::string words;
  // The first "X领域" / "X行业" whose words hold a declared sector: "强化行业
  // 监管，整治道路交通领域隐患" is read at "整治道路交通".
  while (RE2::FindAndConsume(&rest, *GetRules().sector_heading, &words)) {
    out.words = RemoveBlanks(words);
    if (out.words.empty()) continue;
    out.matches = dir_.SectorsIn(out.words);
    if (!out.matches.empty()) return out;
  }
  return SectorUnits{};
}

std::string UnitReader::SectorUnits::Describe() const {
  std::vector<std::string> parts;
  for (const auto& m : matches) parts.push_back(absl::StrCat(m.sector, " -> ", absl::StrJoin(m.unit_ids, ", ")));
  return absl::StrJoin(parts, "; ");
}

std::vector<UnitClause> UnitReader::Clauses(const std::string& para, int line) {
  const Rules& r = GetRules();
  std::vector<UnitClause> out;
  // Top-level bracket groups （…） and 〔…〕, nesting allowed.
  size_t i = 0;
  while (i < para.size()) {
    bool round = absl::StartsWith(absl::string_view(para).substr(i), "（");
    bool square = absl::StartsWith(absl::string_view(para).substr(i), "〔");
    if (!round && !square) {
      ++i;
      continue;
    }
    size_t begin = i;
    int depth = 0;
    size_t j = i;
    size_t end = std::string::npos;
    while (j < para.size()) {
      absl::string_view rest = absl::string_view(para).substr(j);
      if (absl::StartsWith(rest, "（") || absl::StartsWith(rest, "〔")) {
        ++depth;
        j += 3;
      } else if (absl::StartsWith(rest, "）") || absl::StartsWith(rest, "〕")) {
        --depth;
        j += 3;
        if (depth == 0) {
          end = j;
          break;
        }
      } else {
        ++j;
      }
    }
    if (end == std::string::npos) break;  // unbalanced: no more clauses
    std::string content = para.substr(begin + 3, end - begin - 6);
    i = end;
    bool roles = ContainsAny(content, r.lead_role_suffixes) || ContainsAny(content, r.responsible_role_suffixes) ||
                 StartsWithAny(content, r.lead_role_prefixes) || StartsWithAny(content, r.responsible_role_prefixes);
    UnitClause c;
    c.begin = begin;
    c.end = end;
    if (roles) {
      bool any = false;
      for (std::string seg : SplitTopLevel(content, {"；", "，"})) {
        seg = RemoveBlanks(seg);
        std::string w;
        if (StartsWithAny(seg, r.lead_role_prefixes, &w)) {
          for (auto& u : List(seg.substr(w.size()), line, true)) AddUnique(&c.leads, u), any = true;
        } else if (StartsWithAny(seg, r.responsible_role_prefixes, &w)) {
          for (auto& u : List(seg.substr(w.size()), line, true)) AddUnique(&c.responsible, u), any = true;
        } else if (EndsWithAny(seg, r.lead_role_suffixes, &w)) {
          for (auto& u : List(seg.substr(0, seg.size() - w.size()), line, true)) AddUnique(&c.leads, u), any = true;
        } else if (EndsWithAny(seg, r.responsible_role_suffixes, &w)) {
          for (auto& u : List(seg.substr(0, seg.size() - w.size()), line, true)) {
            AddUnique(&c.responsible, u), any = true;
          }
        } else {
          // A segment without a role in a clause that has roles: only names
          // the directory knows count ("此项目与…重合" does not).
          for (const auto& item : SplitTopLevel(seg, r.list_separators)) {
            std::string ref = Known(item);
            if (!ref.empty()) AddUnique(&c.unroled, ref), any = true;
          }
        }
      }
      if (any) out.push_back(std::move(c));
      continue;
    }
    // A clause without roles: every item a unit, at least one known, and the
    // clause closes its sentence (not "向市委和政府（安委会）报告").
    absl::string_view after = absl::string_view(para).substr(end);
    bool closes = after.empty() || StartsWithAny(after, {"。", "；", "（", "〔", "，"});
    if (!closes) continue;
    auto items = SplitTopLevel(content, r.list_separators);
    int known = 0;
    bool all_units = true;
    for (const auto& item : items) {
      std::string it = RemoveBlanks(item);
      if (!Known(it).empty()) {
        ++known;
        continue;
      }
      std::string cut = it;
      for (const auto& tail : r.collective_tails) {
        if (absl::EndsWith(cut, tail) && cut.size() > tail.size()) cut = cut.substr(0, cut.size() - tail.size());
      }
      if (!Known(cut).empty()) {
        ++known;
        continue;
      }
      if (!LooksLikeUnit(cut)) all_units = false;
    }
    if (known == 0 || !all_units) continue;
    c.unroled = List(content, line, true);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace duban::plandraft::internal
