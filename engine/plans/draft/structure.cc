// The document's structure: the main text, the annexes (附件N), their
// sections and headings, and the numbered tasks with their units.
#include <algorithm>
#include <cstdint>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/plans/draft/internal.h"
#include "engine/plans/draft/plan_draft.h"
#include "engine/plans/draft/rules.h"

namespace duban::plandraft {
namespace {

using internal::Paragraph;
using internal::UnitClause;
using internal::UnitReader;

enum class Kind { kPlain, kAnnex, kLevel1, kLevel2, kLevel3, kLevel4, kArticle, kTable };

struct Para {
  Kind kind = Kind::kPlain;
  int number = 0;
  std::string body;  // the text after the heading marker
  int line = 0;
  std::string text;
};

Para Classify(const Paragraph& p) {
  const Rules& r = GetRules();
  Para out;
  out.line = p.line;
  out.text = p.text;
  out.body = p.text;
  std::string a, b, c;
  if (absl::StrContains(p.text, "\t")) {
    out.kind = Kind::kTable;
  } else if (RE2::FullMatch(p.text, *r.annex, &a, &b)) {
    out.kind = Kind::kAnnex;
    out.number = internal::ParseNumeral(a);
    out.body = b;
  } else if (RE2::FullMatch(p.text, *r.article, &a, &b)) {
    out.kind = Kind::kArticle;
    out.number = internal::ParseNumeral(a);
    out.body = b;
  } else if (RE2::FullMatch(p.text, *r.level1, &a, &b)) {
    out.kind = Kind::kLevel1;
    out.number = internal::ParseNumeral(a);
    out.body = b;
  } else if (RE2::FullMatch(p.text, *r.level2, &a, &b)) {
    out.kind = Kind::kLevel2;
    out.number = internal::ParseNumeral(a);
    out.body = b;
  } else if (RE2::FullMatch(p.text, *r.level3, &a, &b)) {
    out.kind = Kind::kLevel3;
    out.number = internal::ParseNumeral(a);
    out.body = b;
  } else if (RE2::FullMatch(p.text, *r.level4, &a, &b, &c)) {
    out.kind = Kind::kLevel4;
    out.number = !a.empty() ? internal::ParseNumeral(a) : 0;
    if (a.empty()) {
      // ① is U+2460: its number is its offset + 1.
      unsigned char b2 = static_cast<unsigned char>(b.size() == 3 ? b[2] : 0);
      out.number = b2 >= 0xA0 ? b2 - 0xA0 + 1 : 1;
    }
    out.body = c;
  }
  if (out.number < 0 || out.number > 999) out.number = 0;
  return out;
}

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (!s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

// Removes the unit clauses from a paragraph.
std::string WithoutClauses(const std::string& s, const std::vector<UnitClause>& cs) {
  std::string out;
  size_t at = 0;
  for (const auto& c : cs) {
    if (c.begin < at) continue;
    out += s.substr(at, c.begin - at);
    at = c.end;
  }
  out += s.substr(std::min(at, s.size()));
  return out;
}

// The title of an item: its words up to the first 。 or ： (at most 60 characters).
std::string Title(const std::string& body) {
  std::string t = body;
  size_t cut = std::string::npos;
  for (const char* end : {"。", "：", "；"}) {
    size_t at = t.find(end);
    if (at != std::string::npos && at < cut) cut = at;
  }
  if (cut != std::string::npos) t = t.substr(0, cut);
  t = internal::TrimBlanks(t);
  if (internal::CharCount(t) > 60) {
    size_t bytes = 0;
    int n = 0;
    while (bytes < t.size() && n < 60) {
      unsigned char c = static_cast<unsigned char>(t[bytes]);
      bytes += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
      ++n;
    }
    t = t.substr(0, std::min(bytes, t.size()));
  }
  return t;
}

std::string ListKind(const std::string& title, const std::string& group_title) {
  for (const auto& [word, kind] : GetRules().list_kind_words) {
    if (absl::StrContains(title, word)) return kind;
  }
  for (const auto& [word, kind] : GetRules().list_kind_words) {
    if (absl::StrContains(group_title, word)) return kind;
  }
  return "task";
}

uint32_t Fnv(absl::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

// Leads and responsible units of a task from its clauses and the lead of its section.
void ApplyClauses(const std::vector<UnitClause>& cs, const std::string& section_lead, DraftTask* t) {
  std::vector<std::string> leads, resp, unroled;
  for (const auto& c : cs) {
    for (const auto& u : c.leads) AddUnique(&leads, u);
    for (const auto& u : c.responsible) AddUnique(&resp, u);
    for (const auto& u : c.unroled) AddUnique(&unroled, u);
  }
  if (leads.empty() && unroled.empty() && !resp.empty() && section_lead.empty()) {
    // "（责任单位：市应急管理局、各乡镇（街道））" alone: the first named leads.
    leads.push_back(resp.front());
    resp.erase(resp.begin());
  }
  if (leads.empty() && !unroled.empty()) {
    if (!section_lead.empty()) {
      // 附件4: "（一）防范化解政府债务风险（市财政局牵头）" leads every task below;
      // a task's own list names the units that work with it.
      leads.push_back(section_lead);
    } else {
      // "（市科技局、宁乡经开区、宁乡高新区）": the first leads.
      leads.push_back(unroled.front());
    }
  }
  for (const auto& u : unroled) {
    if (std::find(leads.begin(), leads.end(), u) == leads.end()) AddUnique(&resp, u);
  }
  for (const auto& u : leads) AddUnique(&t->lead_units, u);
  for (const auto& u : resp) {
    if (std::find(t->lead_units.begin(), t->lead_units.end(), u) == t->lead_units.end()) {
      AddUnique(&t->responsible_units, u);
    }
  }
}

}  // namespace

absl::StatusOr<Draft> ParsePlanText(absl::string_view input, const Directory& dir, const Options& opts) {
  const Rules& r = GetRules();
  if (input.empty()) return absl::InvalidArgumentError("document: empty");
  int bad = 0;
  std::string clean = internal::SanitizeUtf8(input, &bad);
  if (bad * 10 > static_cast<int>(input.size()) + 10) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "document: not UTF-8 text (%d of %d bytes invalid); convert it first (e.g. iconv -f GBK -t UTF-8)", bad,
        input.size()));
  }
  Draft d;
  std::string text = internal::NormalizeText(clean);
  std::vector<Paragraph> raw = internal::Paragraphs(text, &d.lines);
  if (bad > 0) d.uncertain.push_back({0, "document", absl::StrCat(bad, " bytes that are not UTF-8 were replaced")});
  std::vector<Para> ps;
  ps.reserve(raw.size());
  for (const auto& p : raw) ps.push_back(Classify(p));

  // ---------------------------------------------------------------- the document's header
  std::string g1, g2, g3;
  for (const auto& p : ps) {
    if (d.document_no.empty() && RE2::PartialMatch(p.text, *r.doc_no, &g1, &g2)) {
      d.document_no = g1;
      d.year = internal::ParseNumeral(g2);
    }
    if (RE2::PartialMatch(p.text, *r.issued, &g1, &g2, &g3)) {
      int y = internal::ParseNumeral(g1), m = internal::ParseNumeral(g2), day = internal::ParseNumeral(g3);
      if (y >= 2000 && y <= 2100 && m >= 1 && m <= 12 && day >= 1 && day <= 31) {
        d.issued = absl::StrFormat("%04d-%02d-%02d", y, m, day);
        if (d.year == 0) d.year = y;
      }
    }
  }
  if (d.year == 0) {
    for (const auto& p : ps) {
      if (RE2::PartialMatch(p.text, *r.year, &g1)) {
        d.year = internal::ParseNumeral(g1);
        break;
      }
    }
  }
  if (d.year < 2000 || d.year > 2100) {
    d.year = opts.default_year >= 2000 && opts.default_year <= 2100 ? opts.default_year : 2000;
    d.uncertain.push_back({0, "plan.year", absl::StrCat("no year in the document; ", d.year, " proposed")});
  }
  // The title: the first paragraph that names a plan (…方案 / …计划 / …要点), else the first paragraph.
  for (const auto& p : ps) {
    if (p.kind == Kind::kPlain && RE2::FullMatch(p.text, *r.title)) {
      d.title = p.text;
      break;
    }
  }
  if (d.title.empty() && !ps.empty()) d.title = Title(ps.front().text);
  if (d.title.empty()) d.title = "未命名方案";
  d.plan_id = opts.plan_id;
  if (d.plan_id.empty()) d.plan_id = absl::StrFormat("draft-%d-%08x", d.year, Fnv(d.title));
  d.jurisdiction_id = dir.jurisdiction_id().empty() ? "draft" : dir.jurisdiction_id();
  d.jurisdiction_name = dir.jurisdiction_name();
  for (size_t i = 0; i < ps.size() && d.jurisdiction_name.empty(); ++i) {
    if (RE2::PartialMatch(ps[i].text, *r.jurisdiction_name, &g1)) d.jurisdiction_name = g1;
  }
  if (d.jurisdiction_name.empty()) {
    d.jurisdiction_name = "未命名辖区";
    d.uncertain.push_back({0, "jurisdiction", "no jurisdiction named; review jurisdiction.name"});
  }

  UnitReader units(dir, &d);

  // ---------------------------------------------------------------- annexes and sections
  // Annex boundaries. Paragraphs before the first annex are the main text (annex 0).
  std::vector<int> annex_of(ps.size(), 0);
  std::vector<std::string> annex_title(1);
  std::vector<int> annex_line(1, 1);
  {
    int cur = 0;
    for (size_t i = 0; i < ps.size(); ++i) {
      if (ps[i].kind == Kind::kAnnex) {
        cur = static_cast<int>(annex_title.size());
        std::string title = ps[i].body;
        if (title.empty() && i + 1 < ps.size() && ps[i + 1].kind == Kind::kPlain) title = ps[i + 1].text;
        annex_title.push_back(title);
        annex_line.push_back(ps[i].line);
      }
      annex_of[i] = cur;
    }
  }
  int annexes = static_cast<int>(annex_title.size());
  // The level-1 section of each paragraph, and whether it holds tasks or targets.
  std::vector<int> section_of(ps.size(), -1);
  std::vector<std::string> section_title;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (ps[i].kind == Kind::kAnnex) {
      section_title.push_back("");
    } else if (ps[i].kind == Kind::kLevel1) {
      section_title.push_back(ps[i].body);
    }
    section_of[i] = static_cast<int>(section_title.size()) - 1;
  }
  auto is_task_section = [&](int s) {
    return s >= 0 && internal::ContainsAny(section_title[s], r.task_section_words);
  };
  auto is_target_section = [&](int s) {
    return s >= 0 && internal::ContainsAny(section_title[s], r.target_section_words) &&
           !internal::ContainsAny(section_title[s], r.task_section_words);
  };
  // Which annexes hold tasks: those become campaigns. With none, the main text is the one campaign.
  std::vector<bool> has_tasks(annexes, false);
  for (size_t i = 0; i < ps.size(); ++i) {
    if (is_task_section(section_of[i]) &&
        (ps[i].kind == Kind::kLevel2 || ps[i].kind == Kind::kLevel3 || ps[i].kind == Kind::kLevel4)) {
      has_tasks[annex_of[i]] = true;
    }
  }
  bool annex_campaigns = std::any_of(has_tasks.begin() + 1, has_tasks.end(), [](bool b) { return b; });
  std::vector<int> campaign_of_annex(annexes, -1);
  for (int a = annex_campaigns ? 1 : 0; a < annexes; ++a) {
    if (!has_tasks[a]) continue;
    DraftCampaign c;
    c.annex = a;
    c.code = absl::StrCat(d.campaigns.size() + 1);
    c.id = absl::StrCat(d.plan_id, "-c", c.code);
    std::string name = a == 0 ? d.title : annex_title[a];
    std::string stem;
    if (RE2::FullMatch(name, *r.campaign_suffix, &stem)) name = stem;
    c.name = name.empty() ? absl::StrCat("附件", a) : name;
    c.line = annex_line[a];
    campaign_of_annex[a] = static_cast<int>(d.campaigns.size());
    d.campaigns.push_back(std::move(c));
  }
  if (d.campaigns.empty()) {
    d.uncertain.push_back({0, "document", "no numbered tasks found under a 任务 / 举措 section"});
  }
  std::vector<int> campaign_of(ps.size(), -1);
  for (size_t i = 0; i < ps.size(); ++i) campaign_of[i] = campaign_of_annex[annex_of[i]];

  // ---------------------------------------------------------------- campaign leads from the main text
  // "（一）打好经济增长主动仗，推动…。…[牵头单位：市发改局；责任单位：…]"
  if (annex_campaigns) {
    std::vector<std::pair<size_t, DraftTask>> summaries;
    for (size_t i = 0; i < ps.size(); ++i) {
      if (annex_of[i] != 0 || ps[i].kind != Kind::kLevel2) continue;
      auto cs = units.Clauses(ps[i].text, ps[i].line);
      DraftTask t;
      ApplyClauses(cs, "", &t);
      if (t.lead_units.empty()) continue;
      summaries.push_back({i, t});
    }
    std::vector<bool> used(summaries.size(), false);
    for (size_t c = 0; c < d.campaigns.size(); ++c) {
      int best = -1, best_run = 0;
      for (size_t k = 0; k < summaries.size(); ++k) {
        if (used[k]) continue;
        std::string head = internal::SplitTopLevel(ps[summaries[k].first].body, {"，", "。"})[0];
        int run = internal::CommonRun(head, d.campaigns[c].name);
        if (run >= 4 && run > best_run) {
          best = static_cast<int>(k);
          best_run = run;
        }
      }
      if (best < 0 && summaries.size() == d.campaigns.size() && !used[c]) best = static_cast<int>(c);
      if (best < 0) continue;
      used[best] = true;
      d.campaigns[c].lead_unit = summaries[best].second.lead_units.front();
      d.campaigns[c].responsible_units = summaries[best].second.responsible_units;
      for (size_t k = 1; k < summaries[best].second.lead_units.size(); ++k) {
        AddUnique(&d.campaigns[c].responsible_units, summaries[best].second.lead_units[k]);
      }
    }
  }

  // ---------------------------------------------------------------- tasks
  for (size_t ci = 0; ci < d.campaigns.size(); ++ci) {
    DraftCampaign& camp = d.campaigns[ci];
    int group_index = 0;
    int target_no = 0;
    // Sections of this campaign's annex, in order.
    std::vector<size_t> idx;
    for (size_t i = 0; i < ps.size(); ++i) {
      if (annex_of[i] == camp.annex) idx.push_back(i);
    }
    // Targets: every paragraph of a 目标 section.
    for (size_t i : idx) {
      if (!is_target_section(section_of[i]) || ps[i].kind == Kind::kLevel1 || ps[i].kind == Kind::kTable) continue;
      for (auto& t : internal::ReadTargets(ps[i].body, ps[i].line, &d)) {
        t.code = absl::StrCat(camp.code, ".T", ++target_no);
        camp.targets.push_back(std::move(t));
      }
    }
    // Task sections: one pass per section.
    size_t k = 0;
    while (k < idx.size()) {
      int sec = section_of[idx[k]];
      size_t end = k;
      while (end < idx.size() && section_of[idx[end]] == sec) ++end;
      if (!is_task_section(sec)) {
        k = end;
        continue;
      }
      // The kinds of numbered paragraph present decide which are groups and which are tasks.
      std::vector<Kind> present;
      for (Kind kind : {Kind::kLevel2, Kind::kLevel3, Kind::kLevel4}) {
        for (size_t j = k; j < end; ++j) {
          if (ps[idx[j]].kind == kind) {
            present.push_back(kind);
            break;
          }
        }
      }
      Kind group_kind = present.size() >= 2 ? present[0] : Kind::kPlain;
      Kind item_kind = present.size() >= 2 ? present[1] : present.size() == 1 ? present[0] : Kind::kPlain;
      if (group_kind == Kind::kPlain) ++group_index;  // the section is one group
      std::string group_lead, group_title;
      int last_number = 0;
      bool group_has_items = false;
      DraftTask* cur = nullptr;
      auto group_items = [&](size_t from) {
        for (size_t j = from; j < end; ++j) {
          Kind kk = ps[idx[j]].kind;
          if (kk == group_kind && group_kind != Kind::kPlain) return false;
          if (kk == item_kind) return true;
        }
        return false;
      };
      auto new_task = [&](const Para& p, int number, const std::string& body) -> DraftTask* {
        DraftTask t;
        t.code = absl::StrCat(camp.code, ".", group_index, ".", number);
        for (const auto& o : camp.tasks) {
          if (o.code == t.code) {
            d.uncertain.push_back({p.line, t.code, "task number repeated in its section; a suffix added"});
            t.code += absl::StrCat("-", p.line);
            break;
          }
        }
        auto cs = units.Clauses(body, p.line);
        std::string plain = WithoutClauses(body, cs);
        t.title = Title(plain);
        t.text = internal::TrimBlanks(plain);
        t.line = p.line;
        t.list_kind = ListKind(t.title, group_title);
        ApplyClauses(cs, group_lead, &t);
        // "宁乡经开区：确保…", "29个乡镇（街道）：…": the paragraph opens with its unit.
        std::string opener;
        if (t.lead_units.empty() && RE2::PartialMatch(body, *r.unit_title, &opener)) {
          std::string ref = units.Known(opener);
          if (!ref.empty()) t.lead_units.push_back(ref);
        }
        // "…由市安委办牵头…": a lead written in the text.
        if (t.lead_units.empty() && RE2::PartialMatch(body, *r.lead_in_text, &opener)) {
          std::string ref = units.Ref(opener, p.line, false);
          if (!ref.empty()) t.lead_units.push_back(ref);
        }
        if (t.lead_units.empty() && !group_lead.empty()) t.lead_units.push_back(group_lead);
        // "由市安委办对…", "市安委办将…", "各园区、乡镇（街道）要…": the units the text names acting.
        if (t.lead_units.empty()) {
          for (const auto& ref : units.Acting(plain)) {
            if (units.IsGroup(ref)) {
              AddUnique(&t.responsible_units, ref);  // a group so named is exhorted, not assigned
            } else if (t.lead_units.empty()) {
              t.lead_units.push_back(ref);
            } else {
              AddUnique(&t.responsible_units, ref);
            }
          }
          if (!t.lead_units.empty()) {
            t.lead_inferred = true;
            d.uncertain.push_back({p.line, "task " + t.code,
                                   "task without a written lead: the unit its text names acting proposed "
                                   "(lead_basis: inferred)"});
          }
        }
        // "建筑施工领域（含自建房）：…": the title (else its group's heading) names
        // a sector; its regulator, by the directory's declared sectors, leads.
        if (t.lead_units.empty()) {
          for (const std::string* heading : {&t.title, &group_title}) {
            UnitReader::SectorUnits su = units.Sectors(*heading);
            if (su.matches.empty()) continue;
            std::string what = heading == &t.title ? "title" : "heading";
            if (su.ambiguous()) {
              d.uncertain.push_back({p.line, "task " + t.code,
                                     absl::StrCat("task without a written lead: its ", what, " names a sector ('",
                                                  su.words, "') that several units regulate (", su.Describe(),
                                                  "); none chosen")});
              break;
            }
            for (const auto& m : su.matches) {
              if (t.lead_units.empty()) {
                t.lead_units.push_back(m.unit_ids.front());
              } else if (m.unit_ids.front() != t.lead_units.front()) {
                AddUnique(&t.responsible_units, m.unit_ids.front());
              }
            }
            t.lead_inferred = true;
            d.uncertain.push_back({p.line, "task " + t.code,
                                   absl::StrCat("task without a written lead: lead from the directory's sectors (",
                                                what, " '", su.words, "': ", su.Describe(),
                                                ") (lead_basis: inferred)")});
            break;
          }
        }
        if (t.lead_units.empty()) {
          t.lead_inferred = true;
          if (!camp.lead_unit.empty()) {
            t.lead_units.push_back(camp.lead_unit);
            d.uncertain.push_back({p.line, "task " + t.code,
                                   "task without a lead: the campaign's lead unit proposed (lead_basis: inferred)"});
          }
        }
        camp.tasks.push_back(std::move(t));
        return &camp.tasks.back();
      };
      for (size_t j = k; j < end; ++j) {
        const Para& p = ps[idx[j]];
        if (p.kind == Kind::kLevel1 || p.kind == Kind::kTable || p.kind == Kind::kAnnex) continue;
        if (p.kind == group_kind && group_kind != Kind::kPlain) {
          ++group_index;
          last_number = 0;
          cur = nullptr;
          group_title = Title(p.body);
          group_lead.clear();
          // "（一）防范化解政府债务风险（市财政局牵头）": the section's lead.
          auto cs = units.Clauses(p.body, p.line);
          for (const auto& c : cs) {
            if (!c.leads.empty()) group_lead = c.leads.front();
          }
          group_has_items = group_items(j + 1);
          continue;
        }
        if (p.kind == item_kind && item_kind != Kind::kPlain) {
          int number = p.number > 0 ? p.number : last_number + 1;
          last_number = number;
          cur = new_task(p, number, p.body);
          continue;
        }
        if (group_kind != Kind::kPlain && group_index == 0) continue;  // before the first group
        if (p.kind == Kind::kPlain && item_kind != Kind::kPlain && group_has_items && cur == nullptr) {
          continue;  // a group's introduction, before its first item
        }
        if (p.kind != Kind::kPlain && p.kind != Kind::kArticle) {
          if (cur) cur->text += "\n" + p.text;  // a deeper level belongs to its item
          continue;
        }
        // An unnumbered paragraph.
        if (cur != nullptr) {
          auto cs = units.Clauses(p.text, p.line);
          bool has_units = false;
          for (const auto& c : cs) has_units = has_units || !c.leads.empty() || !c.unroled.empty();
          if (has_units) {
            // "实行城镇住宅小区居民“一户一表”改造接收。（市供电公司牵头）": a further part of the item.
            DraftTask part;
            ApplyClauses(cs, group_lead, &part);
            for (const auto& u : part.lead_units) AddUnique(&cur->lead_units, u);
            for (const auto& u : part.responsible_units) AddUnique(&cur->responsible_units, u);
            cur->text += "\n" + internal::TrimBlanks(WithoutClauses(p.text, cs));
            continue;
          }
        }
        // A task of its own: a group without numbered items, or a paragraph after
        // them — if it is a sentence (not "宁乡市人民政府办公室" or "2024年2月20日印发").
        if (!absl::StrContains(p.text, "。") && !absl::StrContains(p.text, "：")) continue;
        int number = last_number + 1;
        last_number = number;
        DraftTask* t = new_task(p, number, p.text);
        if (group_has_items) {
          d.uncertain.push_back({p.line, "task " + t->code, "unnumbered paragraph after numbered items read as a task"});
        }
        cur = t;
      }
      k = end;
    }
    if (camp.tasks.empty()) d.uncertain.push_back({camp.line, camp.name, "campaign without tasks"});
    if (camp.lead_unit.empty()) {
      // No lead in the main text: the unit leading most of the campaign's tasks.
      std::map<std::string, int> votes;
      for (const auto& t : camp.tasks) {
        if (!t.lead_units.empty() && !t.lead_inferred) ++votes[t.lead_units.front()];
      }
      int best = 0;
      for (const auto& [u, n] : votes) {
        if (n > best) {
          best = n;
          camp.lead_unit = u;
        }
      }
      if (!camp.lead_unit.empty()) {
        d.uncertain.push_back({camp.line, camp.name, "campaign lead not written: the unit leading most tasks proposed"});
      }
    }
    for (auto& t : camp.tasks) {
      if (!t.lead_units.empty()) continue;
      if (camp.lead_unit.empty()) {
        d.uncertain.push_back({t.line, "task " + t.code, "task without a lead, and the campaign has none"});
        continue;
      }
      t.lead_units.push_back(camp.lead_unit);
      d.uncertain.push_back(
          {t.line, "task " + t.code, "task without a lead: the campaign's lead unit proposed (lead_basis: inferred)"});
    }
  }

  // ---------------------------------------------------------------- working mechanism
  std::vector<Paragraph> all;
  all.reserve(ps.size());
  for (const auto& p : ps) all.push_back({p.line, p.text});
  internal::ReadMechanism(all, campaign_of, units, &d);
  return d;
}

}  // namespace duban::plandraft
