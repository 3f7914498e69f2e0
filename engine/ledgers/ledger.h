// Ledgers (台账): the office's tables of tasks, report obligations, and
// rankings with their accountability cases, built from the engine's public
// read API and written as CSV or XLSX.
//
// Building a ledger only reads; it takes no engine lock beyond those of the
// calls it makes, so it is safe from any thread. Tables are plain strings
// (UTF-8, Chinese as the data has it); the writers add no interpretation.
#ifndef DUBAN_ENGINE_LEDGERS_LEDGER_H_
#define DUBAN_ENGINE_LEDGERS_LEDGER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace duban {

class Engine;
class Rankings;
class Accountability;

// One sheet: a title (the sheet name, at most 31 characters in XLSX), the
// column headings and the rows (each as many cells as columns).
struct LedgerTable {
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

enum class LedgerKind { kTasks, kObligations, kRankings };

struct LedgerQuery {
  LedgerKind kind = LedgerKind::kTasks;
  // Tasks: one campaign (id) or all; one unit (id, name or alias; a task
  // counts when the unit leads it or is responsible for it) or all.
  std::string campaign_id;
  std::string unit;
  // Obligations: a cadence rule id, and the period window (YYYY-MM-DD),
  // as ObligationFilter. `unit` filters the reporting unit.
  std::string rule_id;
  std::string period_from;
  std::string period_to;
  // Rankings: one board or all; one period ("2023-03") or all. Cases are
  // those of the same period (all periods when empty).
  std::string board;
  std::string period;
};

// Builds the ledger. Tasks: one table per campaign (campaigns with no
// matching task are left out). Obligations: one table. Rankings: a table of
// placements and a table of cases. `rankings` and `accountability` may be
// null (no accountability configured): the rankings ledger is then
// FAILED_PRECONDITION. Unknown campaign / unit / board: NOT_FOUND naming the
// field.
absl::StatusOr<std::vector<LedgerTable>> BuildLedger(const Engine& engine, const Rankings* rankings,
                                                     const Accountability* accountability, const LedgerQuery& q);

// CSV (RFC 4180, CRLF line ends) with a UTF-8 byte-order mark so that Excel
// reads the Chinese text. Tables with the same columns share one heading
// row; otherwise each table is preceded by a row holding its title and
// followed by an empty line.
std::string LedgerToCsv(const std::vector<LedgerTable>& tables);

// An XLSX workbook (libxlsxwriter): one worksheet per table, bold frozen
// heading row, column widths fitted to the text. INTERNAL when the library
// fails (e.g. the temporary folder is not writable).
absl::StatusOr<std::string> LedgerToXlsx(const std::vector<LedgerTable>& tables);

// Chinese names used in the ledgers and briefings.
std::string TaskStateLabel(int state);
std::string ObligationStateLabel(int state);
std::string WarningLabel(int level);

}  // namespace duban

#endif  // DUBAN_ENGINE_LEDGERS_LEDGER_H_
