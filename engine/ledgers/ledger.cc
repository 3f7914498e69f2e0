#include "engine/ledgers/ledger.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ranking.h"
#include "engine/engine.h"
#include "engine/storage/status_macros.h"
#include "engine/time/clock.h"

namespace duban {

std::string TaskStateLabel(int state) {
  switch (state) {
    case v1::TASK_STATE_DRAFT: return "草拟";
    case v1::TASK_STATE_ASSIGNED: return "已交办";
    case v1::TASK_STATE_ACCEPTED: return "已签收";
    case v1::TASK_STATE_IN_PROGRESS: return "推进中";
    case v1::TASK_STATE_COMPLETION_REQUESTED: return "申请办结";
    case v1::TASK_STATE_COMPLETION_LEADER_REVIEW: return "待领导审核办结";
    case v1::TASK_STATE_COMPLETED: return "已办结";
    case v1::TASK_STATE_ARCHIVED: return "已归档";
    case v1::TASK_STATE_EXTENSION_REQUESTED: return "申请延期";
    case v1::TASK_STATE_EXTENSION_LEADER_REVIEW: return "待领导审核延期";
    case v1::TASK_STATE_SUSPENDED: return "中止";
    case v1::TASK_STATE_CANCELLED: return "已撤销";
    case v1::TASK_STATE_SENT_BACK: return "已退回交办";
    default: return "未知";
  }
}

std::string ObligationStateLabel(int state) {
  switch (state) {
    case v1::OBLIGATION_STATE_PENDING: return "待报送";
    case v1::OBLIGATION_STATE_SUBMITTED: return "已报送";
    case v1::OBLIGATION_STATE_ACCEPTED: return "已采用";
    case v1::OBLIGATION_STATE_RETURNED: return "已退回";
    case v1::OBLIGATION_STATE_MISSED: return "逾期未报";
    default: return "未知";
  }
}

std::string WarningLabel(int level) {
  switch (level) {
    case v1::WARNING_LEVEL_YELLOW: return "黄灯";
    case v1::WARNING_LEVEL_RED: return "红灯";
    default: return "";
  }
}

namespace {

std::string CaseStateLabel(v1::AccountabilityState s) {
  switch (s) {
    case v1::ACCOUNTABILITY_STATE_SCHEDULED: return "待约谈";
    case v1::ACCOUNTABILITY_STATE_HELD: return "已约谈";
    case v1::ACCOUNTABILITY_STATE_FOLLOWED_UP: return "已跟踪";
    case v1::ACCOUNTABILITY_STATE_CLOSED: return "已办结";
    default: return "未知";
  }
}

std::string LevelLabel(int level) {
  switch (level) {
    case 1: return "一级";
    case 2: return "二级";
    case 3: return "三级";
    default: return "";
  }
}

// Unit ids to names, from the engine's directory.
class UnitNames {
 public:
  explicit UnitNames(const Engine& engine) {
    for (const v1::Unit& u : engine.ListUnits(v1::UNIT_CATEGORY_UNSPECIFIED)) names_[u.id()] = u.name();
    for (const v1::UnitGroup& g : engine.ListUnitGroups()) names_[g.id()] = g.name();
  }
  std::string Name(const std::string& id) const {
    auto it = names_.find(id);
    return it == names_.end() ? id : it->second;
  }
  template <typename C>
  std::string Names(const C& ids) const {
    std::vector<std::string> out;
    for (const auto& id : ids) out.push_back(Name(id));
    return absl::StrJoin(out, "、");
  }

 private:
  std::map<std::string, std::string> names_;
};

std::string Time(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return FormatBeijing(FromTs(ts));
}

std::string Number(double v) {
  std::string s = absl::StrCat(v);
  return s;
}

absl::StatusOr<std::vector<LedgerTable>> TaskLedger(const Engine& engine, const LedgerQuery& q) {
  UnitNames names(engine);
  std::vector<v1::Campaign> campaigns;
  if (!q.campaign_id.empty()) {
    auto c = engine.GetCampaign(q.campaign_id);
    if (absl::IsNotFound(c.status())) {
      return absl::NotFoundError(absl::StrCat("campaign_id: unknown campaign '", q.campaign_id, "'"));
    }
    if (!c.ok()) return c.status();
    campaigns.push_back(*c);
  } else {
    ASSIGN_OR_RETURN(campaigns, engine.ListCampaigns(""));
  }
  if (!q.unit.empty()) {
    auto r = engine.Resolve(q.unit);
    if (!r.ok() || r->units.empty()) return absl::NotFoundError(absl::StrCat("unit: unknown unit '", q.unit, "'"));
  }
  // The highest open supervision level per task.
  std::map<std::string, int> supervision;
  ASSIGN_OR_RETURN(std::vector<v1::SupervisionItem> items, engine.ListSupervisionItems(SupervisionFilter{}));
  for (const auto& item : items) {
    if (item.state() == v1::SUPERVISION_STATE_CLOSED || item.subject_id().empty()) continue;
    int& level = supervision[item.subject_id()];
    level = std::max(level, item.level());
  }
  std::vector<LedgerTable> out;
  for (const v1::Campaign& c : campaigns) {
    LedgerTable t;
    t.title = c.name().empty() ? c.id() : c.name();
    t.columns = {"编号", "任务", "牵头单位", "责任单位", "牵头领导", "完成时限", "状态", "逾期",
                 "最近报送",  "最近报送内容", "预警", "督办级别", "报送次数", "佐证材料"};
    TaskFilter f;
    f.campaign_id = c.id();
    f.unit = q.unit;
    f.page_size = 500;
    while (true) {
      ASSIGN_OR_RETURN(TaskPage page, engine.ListTasks(f));
      for (const v1::Task& task : page.tasks) {
        const v1::ProgressReport& r = task.last_report();
        std::string last = !r.work_done().empty() ? r.work_done() : r.progress();
        auto sup = supervision.find(task.id());
        ASSIGN_OR_RETURN(int files, engine.evidence().CountForTask(task.id()));
        t.rows.push_back({task.code(), task.title(), names.Names(task.lead_unit_ids()),
                          names.Names(task.responsible_unit_ids()), task.lead_leader(), task.due_date(),
                          TaskStateLabel(task.state()), task.overdue() ? "是" : "", Time(task.last_report_at()), last,
                          WarningLabel(task.warning_level()),
                          sup == supervision.end() ? "" : LevelLabel(sup->second), absl::StrCat(task.report_count()),
                          absl::StrCat(files)});
      }
      if (page.next_page_token.empty()) break;
      f.page_token = page.next_page_token;
    }
    if (!t.rows.empty()) out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::vector<LedgerTable>> ObligationLedger(const Engine& engine, const LedgerQuery& q) {
  UnitNames names(engine);
  LedgerTable t;
  t.title = "报送事项";
  t.columns = {"编号", "报送事项", "报送单位", "报送内容对象", "接收单位", "周期", "截止时间",
               "状态", "报送时间", "迟报", "催办次数"};
  ObligationFilter f;
  f.unit = q.unit;
  f.rule_id = q.rule_id;
  f.period_from = q.period_from;
  f.period_to = q.period_to;
  f.page_size = 500;
  while (true) {
    ASSIGN_OR_RETURN(ObligationPage page, engine.ListObligations(f));
    for (const v1::Obligation& o : page.obligations) {
      t.rows.push_back({o.id(), o.rule_name(), names.Name(o.unit_id()),
                        o.subject_name().empty() ? names.Name(o.subject_id()) : o.subject_name(),
                        names.Name(o.recipient_unit_id()), o.period_label(), Time(o.deadline()),
                        ObligationStateLabel(o.state()), Time(o.submitted_at()), o.submitted_late() ? "是" : "",
                        absl::StrCat(o.urges())});
    }
    if (page.next_page_token.empty()) break;
    f.page_token = page.next_page_token;
  }
  return std::vector<LedgerTable>{std::move(t)};
}

absl::StatusOr<std::vector<LedgerTable>> RankingLedger(const Engine& engine, const Rankings* rankings,
                                                       const Accountability* accountability, const LedgerQuery& q) {
  if (rankings == nullptr || accountability == nullptr) {
    return absl::FailedPreconditionError("rankings: accountability is not configured");
  }
  UnitNames names(engine);
  std::vector<std::string> boards;
  if (!q.board.empty()) {
    if (rankings->config().FindBoard(q.board) == nullptr) {
      return absl::NotFoundError(absl::StrCat("board: unknown board '", q.board, "'"));
    }
    boards.push_back(q.board);
  } else {
    for (const Board& b : rankings->config().boards) boards.push_back(b.id);
  }
  LedgerTable placements;
  placements.title = "排名";
  placements.columns = {"排名表", "期间", "名次", "单位", "得分", "末位", "发布时间"};
  for (const std::string& board : boards) {
    ASSIGN_OR_RETURN(std::vector<v1::Ranking> list, rankings->ListRankings(board));
    for (const v1::Ranking& r : list) {
      if (!q.period.empty() && r.period() != q.period) continue;
      for (const v1::RankingEntry& e : r.entries()) {
        placements.rows.push_back({r.board(), r.period(), absl::StrCat(e.rank()), names.Name(e.unit_id()),
                                   Number(e.score()), e.last() ? "是" : "", Time(r.published_at())});
      }
    }
  }
  LedgerTable cases;
  cases.title = "问责";
  cases.columns = {"编号", "单位", "措施", "约谈人", "期间", "事由", "状态", "约谈记录", "整改承诺", "跟踪情况"};
  CaseFilter cf;
  cf.period = q.period;
  ASSIGN_OR_RETURN(std::vector<v1::AccountabilityCase> list, accountability->ListCases(cf));
  for (const v1::AccountabilityCase& c : list) {
    cases.rows.push_back({c.id(), names.Name(c.unit_id()), c.action_name(), c.by_role(), c.period(), c.reason(),
                          CaseStateLabel(c.state()), c.minutes(), absl::StrJoin(c.commitments(), "；"),
                          c.follow_up()});
  }
  return std::vector<LedgerTable>{std::move(placements), std::move(cases)};
}

void CsvCell(std::string* out, const std::string& cell) {
  if (cell.find_first_of(",\"\r\n") == std::string::npos) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  for (char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void CsvRow(std::string* out, const std::vector<std::string>& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out->push_back(',');
    CsvCell(out, row[i]);
  }
  out->append("\r\n");
}

// Display width in Excel's units: CJK characters count two.
double TextWidth(const std::string& s) {
  double w = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return w;
}

// Excel forbids []:*?/\ in sheet names and caps them at 31 characters;
// names must also be unique.
std::string SheetName(const std::string& title, std::vector<std::string>* used) {
  std::string s;
  int chars = 0;
  for (size_t i = 0; i < title.size() && chars < 28;) {
    unsigned char c = static_cast<unsigned char>(title[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::string ch = title.substr(i, len);
    if (ch.size() == 1 && std::string("[]:*?/\\").find(ch[0]) != std::string::npos) ch = "_";
    s += ch;
    ++chars;
    i += len;
  }
  if (s.empty()) s = "Sheet";
  std::string name = s;
  for (int n = 2; std::find(used->begin(), used->end(), name) != used->end(); ++n) name = absl::StrCat(s, n);
  used->push_back(name);
  return name;
}

}  // namespace

absl::StatusOr<std::vector<LedgerTable>> BuildLedger(const Engine& engine, const Rankings* rankings,
                                                     const Accountability* accountability, const LedgerQuery& q) {
  switch (q.kind) {
    case LedgerKind::kTasks: return TaskLedger(engine, q);
    case LedgerKind::kObligations: return ObligationLedger(engine, q);
    case LedgerKind::kRankings: return RankingLedger(engine, rankings, accountability, q);
  }
  return absl::InvalidArgumentError("kind: unknown ledger");
}

std::string LedgerToCsv(const std::vector<LedgerTable>& tables) {
  std::string out = "\xEF\xBB\xBF";
  bool same = true;
  for (const auto& t : tables) same = same && t.columns == tables.front().columns;
  for (size_t i = 0; i < tables.size(); ++i) {
    const LedgerTable& t = tables[i];
    if (!same) {
      if (i > 0) out.append("\r\n");
      CsvRow(&out, {t.title});
    }
    if (!same || i == 0) CsvRow(&out, t.columns);
    for (const auto& row : t.rows) CsvRow(&out, row);
  }
  return out;
}

absl::StatusOr<std::string> LedgerToXlsx(const std::vector<LedgerTable>& tables) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return absl::InternalError(absl::StrCat("xlsx: no temporary folder: ", ec.message()));
  std::string templ = (dir / "duban-ledger-XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  if (fd < 0) return absl::InternalError(absl::StrCat("xlsx: cannot create a file in ", dir.string()));
  ::close(fd);
  std::string path(buf.data());
  struct Remove {
    std::string p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{path};

  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return absl::InternalError("xlsx: cannot start a workbook");
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_bg_color(head, 0xDDEBF7);
  format_set_border(head, LXW_BORDER_THIN);
  format_set_text_wrap(head);
  lxw_format* cell = workbook_add_format(wb);
  format_set_border(cell, LXW_BORDER_THIN);
  format_set_text_wrap(cell);
  format_set_align(cell, LXW_ALIGN_VERTICAL_TOP);
  std::vector<std::string> used;
  std::vector<LedgerTable> sheets = tables;
  if (sheets.empty()) sheets.push_back(LedgerTable{"台账", {}, {}});
  for (const LedgerTable& t : sheets) {
    std::string name = SheetName(t.title, &used);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    if (ws == nullptr) {
      workbook_close(wb);
      return absl::InternalError(absl::StrCat("xlsx: cannot add sheet '", name, "'"));
    }
    std::vector<double> widths(t.columns.size(), 6);
    for (size_t c = 0; c < t.columns.size(); ++c) {
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t.columns[c].c_str(), head);
      widths[c] = std::max(widths[c], TextWidth(t.columns[c]) + 2);
    }
    for (size_t r = 0; r < t.rows.size(); ++r) {
      for (size_t c = 0; c < t.rows[r].size() && c < t.columns.size(); ++c) {
        const std::string& v = t.rows[r][c];
        worksheet_write_string(ws, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c), v.c_str(), cell);
        widths[c] = std::max(widths[c], std::min(50.0, TextWidth(v) + 2));
      }
    }
    for (size_t c = 0; c < widths.size(); ++c) {
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c], nullptr);
    }
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_set_paper(ws, 9);  // A4
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
  }
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return absl::InternalError(absl::StrCat("xlsx: ", lxw_strerror(err)));
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) return absl::InternalError(absl::StrCat("xlsx: cannot read back ", path));
  return ss.str();
}

}  // namespace duban
