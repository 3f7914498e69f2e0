// Briefings as HTML (A4, print-ready) and Markdown.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/briefings/briefings.h"
#include "engine/time/clock.h"

namespace duban {

namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Markdown table cells: no pipes or line breaks.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

std::string Num(double v) { return absl::StrCat(v); }

std::string Name(const v1::Briefing& b, const std::string& id) {
  auto it = b.unit_names().find(id);
  return it == b.unit_names().end() ? id : it->second;
}

// The document as sections of tables; both renderers walk it.
struct Table {
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
};
struct Section {
  std::string heading;
  std::string text;  // a paragraph, when there is no table
  Table table;
  std::string empty = "无。";
  int left_out = 0;  // entries the briefing left out (Briefing.left_out)
};

// The line under a section whose list was cut to keep the document bounded.
std::string LeftOutLine(int n) { return absl::StrCat("另有", n, "项未列入本期简报，详见台账。"); }

int LeftOut(const v1::Briefing& b, const std::string& field) {
  auto it = b.left_out().find(field);
  return it == b.left_out().end() ? 0 : it->second;
}

std::vector<Section> Sections(const v1::Briefing& b) {
  std::vector<Section> out;
  Section progress{"一、各仗工作推进情况"};
  progress.table.head = {"战役", "任务数", "已办结", "本期报送"};
  progress.left_out = LeftOut(b, "campaigns");
  for (const auto& c : b.campaigns()) {
    progress.table.rows.push_back({c.name(), absl::StrCat(c.tasks_total()), absl::StrCat(c.tasks_completed()),
                                   absl::StrCat(c.reports_in_period())});
  }
  out.push_back(progress);
  Section targets{"二、目标指标完成情况"};
  targets.table.head = {"战役", "指标", "目标值", "报送值", "报送任务"};
  for (const auto& c : b.campaigns()) {
    for (const auto& i : c.indicators()) {
      targets.table.rows.push_back({c.name(), i.indicator(), absl::StrCat(Num(i.target_value()), i.unit_of_measure()),
                                    i.reported() ? absl::StrCat(Num(i.reported_value()), i.unit_of_measure()) : "未报送",
                                    i.reported_by_task()});
    }
  }
  out.push_back(targets);
  auto tasks = [&](const std::string& heading, const google::protobuf::RepeatedPtrField<v1::TaskLine>& lines,
                  const std::string& note, const std::string& field) {
    Section s{heading};
    s.left_out = LeftOut(b, field);
    s.table.head = {"编号", "任务", "牵头单位", "完成时限", note};
    for (const auto& l : lines) s.table.rows.push_back({l.code(), l.title(), l.lead_units(), l.due_date(), l.note()});
    return s;
  };
  out.push_back(tasks("三、本期办结任务", b.completed(), "备注", "completed"));
  out.push_back(tasks("四、逾期未办结任务", b.overdue(), "说明", "overdue"));
  out.push_back(tasks("五、退回重办任务", b.returned(), "退回理由", "returned"));
  Section late{"六、迟报漏报及逾期单位（点名）"};
  late.table.head = {"单位", "漏报", "迟报", "逾期任务"};
  late.left_out = LeftOut(b, "late_units");
  for (const auto& u : b.late_units()) {
    late.table.rows.push_back({u.unit_name(), absl::StrCat(u.obligations_missed()), absl::StrCat(u.submitted_late()),
                               absl::StrCat(u.overdue_tasks())});
  }
  out.push_back(late);
  auto items = [&](const std::string& heading, const google::protobuf::RepeatedPtrField<v1::SupervisionItem>& list,
                   const std::string& field) {
    Section s{heading};
    s.left_out = LeftOut(b, field);
    s.table.head = {"编号", "事项", "级别", "责任单位", "整改时限"};
    for (const auto& i : list) {
      s.table.rows.push_back({i.id(), i.title(), absl::StrCat(i.level(), "级"), Name(b, i.responsible_unit_id()),
                              i.deadline()});
    }
    return s;
  };
  out.push_back(items("七、新增督办事项", b.supervision_opened(), "supervision_opened"));
  out.push_back(items("八、销号督办事项", b.supervision_closed(), "supervision_closed"));
  Section rank{"九、排名情况"};
  rank.table.head = {"排名表", "期间", "名次", "单位"};
  rank.left_out = LeftOut(b, "rankings");
  for (const auto& r : b.rankings()) {
    for (const auto& e : r.entries()) {
      rank.table.rows.push_back({r.board(), r.period(), absl::StrCat(e.rank()),
                                 absl::StrCat(Name(b, e.unit_id()), e.last() ? "（末位）" : "")});
    }
  }
  out.push_back(rank);
  Section cases{"十、约谈问责"};
  cases.table.head = {"编号", "单位", "措施", "事由"};
  cases.left_out = LeftOut(b, "cases");
  for (const auto& c : b.cases()) {
    cases.table.rows.push_back({c.id(), Name(b, c.unit_id()), c.action_name(), c.reason()});
  }
  out.push_back(cases);
  auto quotes = [&](const std::string& heading, const google::protobuf::RepeatedPtrField<v1::Quote>& list,
                    const std::string& field) {
    Section s{heading};
    s.left_out = LeftOut(b, field);
    s.table.head = {"任务", "单位", "内容"};
    for (const auto& q : list) s.table.rows.push_back({q.task_code(), q.unit_name(), q.text()});
    return s;
  };
  out.push_back(quotes("十一、特色亮点", b.highlights(), "highlights"));
  out.push_back(quotes("十二、存在困难", b.difficulties(), "difficulties"));
  return out;
}

std::string StateLine(const v1::Briefing& b) {
  std::string s = b.state() == v1::BRIEFING_STATE_PUBLISHED
                      ? absl::StrCat("已印发 ", FormatBeijing(FromTs(b.published_at())), "（", b.published_by(), "）")
                      : absl::StrCat("草稿 ", FormatBeijing(FromTs(b.drafted_at())), " 生成");
  return absl::StrCat(BriefingKindName(b.kind()), " · ", b.period_label(), " · ", s, " · 第", b.version(), "版");
}

}  // namespace

std::string BriefingToHtml(const v1::Briefing& b) {
  std::string h;
  absl::StrAppend(&h, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                  Esc(b.title()), "</title>\n<style>\n",
                  "@page { size: A4; margin: 25mm 20mm 20mm 20mm; }\n",
                  "body { font-family: \"FangSong\", \"STFangsong\", \"Noto Serif CJK SC\", serif; font-size: 12pt;"
                  " line-height: 1.6; max-width: 170mm; margin: 0 auto; color: #000; }\n",
                  "h1 { font-family: \"SimHei\", \"Noto Sans CJK SC\", sans-serif; font-size: 18pt; text-align: center;"
                  " color: #c00; border-bottom: 2px solid #c00; padding-bottom: 4mm; }\n",
                  "h2 { font-family: \"SimHei\", \"Noto Sans CJK SC\", sans-serif; font-size: 13pt; margin: 6mm 0 2mm;"
                  " break-after: avoid; }\n",
                  ".meta { text-align: center; font-size: 10pt; color: #444; }\n",
                  "table { width: 100%; border-collapse: collapse; font-size: 10pt; margin-bottom: 3mm; }\n",
                  "th, td { border: 0.5pt solid #000; padding: 1mm 2mm; text-align: left; vertical-align: top; }\n",
                  "thead { display: table-header-group; }\n",
                  "tr { break-inside: avoid; }\n",
                  "@media print { body { max-width: none; } }\n",
                  "</style>\n</head>\n<body>\n");
  absl::StrAppend(&h, "<h1>", Esc(b.title()), "</h1>\n<p class=\"meta\">", Esc(StateLine(b)), "</p>\n");
  if (!b.preface().empty()) absl::StrAppend(&h, "<p>", Esc(b.preface()), "</p>\n");
  for (const Section& s : Sections(b)) {
    absl::StrAppend(&h, "<h2>", Esc(s.heading), "</h2>\n");
    if (s.table.rows.empty()) {
      absl::StrAppend(&h, "<p>", Esc(s.empty), "</p>\n");
      continue;
    }
    absl::StrAppend(&h, "<table>\n<thead><tr>");
    for (const auto& c : s.table.head) absl::StrAppend(&h, "<th>", Esc(c), "</th>");
    absl::StrAppend(&h, "</tr></thead>\n<tbody>\n");
    for (const auto& r : s.table.rows) {
      absl::StrAppend(&h, "<tr>");
      for (const auto& c : r) absl::StrAppend(&h, "<td>", Esc(c), "</td>");
      absl::StrAppend(&h, "</tr>\n");
    }
    absl::StrAppend(&h, "</tbody>\n</table>\n");
    if (s.left_out > 0) absl::StrAppend(&h, "<p>", Esc(LeftOutLine(s.left_out)), "</p>\n");
  }
  if (!b.remarks().empty()) absl::StrAppend(&h, "<h2>结语</h2>\n<p>", Esc(b.remarks()), "</p>\n");
  absl::StrAppend(&h, "</body>\n</html>\n");
  return h;
}

std::string BriefingToMarkdown(const v1::Briefing& b) {
  std::string m;
  absl::StrAppend(&m, "# ", b.title(), "\n\n_", StateLine(b), "_\n\n");
  if (!b.preface().empty()) absl::StrAppend(&m, b.preface(), "\n\n");
  for (const Section& s : Sections(b)) {
    absl::StrAppend(&m, "## ", s.heading, "\n\n");
    if (s.table.rows.empty()) {
      absl::StrAppend(&m, s.empty, "\n\n");
      continue;
    }
    std::vector<std::string> head, rule;
    for (const auto& c : s.table.head) {
      head.push_back(Cell(c));
      rule.push_back("---");
    }
    absl::StrAppend(&m, "| ", absl::StrJoin(head, " | "), " |\n| ", absl::StrJoin(rule, " | "), " |\n");
    for (const auto& r : s.table.rows) {
      std::vector<std::string> cells;
      for (const auto& c : r) cells.push_back(Cell(c));
      absl::StrAppend(&m, "| ", absl::StrJoin(cells, " | "), " |\n");
    }
    m += "\n";
    if (s.left_out > 0) absl::StrAppend(&m, LeftOutLine(s.left_out), "\n\n");
  }
  if (!b.remarks().empty()) absl::StrAppend(&m, "## 结语\n\n", b.remarks(), "\n");
  return m;
}

}  // namespace duban
