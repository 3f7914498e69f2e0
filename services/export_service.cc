#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/ledgers/ledger.h"
#include "services/office_services.h"
#include "services/status.h"

namespace duban {

grpc::Status ExportServiceImpl::ExportLedger(grpc::ServerContext* ctx, const v1::ExportLedgerRequest* req,
                                             grpc::ServerWriter<v1::FileChunk>* writer) {
  LedgerQuery q;
  std::string stem;
  switch (req->kind()) {
    case v1::LEDGER_KIND_TASKS: q.kind = LedgerKind::kTasks; stem = "tasks"; break;
    case v1::LEDGER_KIND_OBLIGATIONS: q.kind = LedgerKind::kObligations; stem = "obligations"; break;
    case v1::LEDGER_KIND_RANKINGS: q.kind = LedgerKind::kRankings; stem = "rankings"; break;
    default:
      return ToGrpc(absl::InvalidArgumentError("kind: required (tasks, obligations or rankings)"));
  }
  v1::FileFormat format = req->format() == v1::FILE_FORMAT_UNSPECIFIED ? v1::FILE_FORMAT_XLSX : req->format();
  if (format != v1::FILE_FORMAT_XLSX && format != v1::FILE_FORMAT_CSV) {
    return ToGrpc(absl::InvalidArgumentError("format: a ledger is XLSX or CSV"));
  }
  q.campaign_id = req->campaign_id();
  q.unit = req->unit();
  q.rule_id = req->rule_id();
  q.period_from = req->period_from();
  q.period_to = req->period_to();
  q.board = req->board();
  q.period = req->period();
  auto tables = BuildLedger(*engine_, rankings_, accountability_, q);
  if (!tables.ok()) return ToGrpc(tables.status());
  int rows = 0;
  for (const auto& t : *tables) rows += static_cast<int>(t.rows.size());
  std::string data;
  v1::FileChunk first;
  if (format == v1::FILE_FORMAT_CSV) {
    data = LedgerToCsv(*tables);
    first.set_content_type("text/csv; charset=utf-8");
  } else {
    auto x = LedgerToXlsx(*tables);
    if (!x.ok()) return ToGrpc(x.status());
    data = std::move(*x);
    first.set_content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }
  std::string suffix;
  if (!q.campaign_id.empty()) absl::StrAppend(&suffix, "-", q.campaign_id);
  if (!q.board.empty()) absl::StrAppend(&suffix, "-", q.board);
  if (!q.period.empty()) absl::StrAppend(&suffix, "-", q.period);
  if (!q.rule_id.empty()) absl::StrAppend(&suffix, "-", q.rule_id);
  first.set_file_name(absl::StrCat(stem, suffix, format == v1::FILE_FORMAT_CSV ? ".csv" : ".xlsx"));
  first.set_total_size(data.size());
  first.set_rows(rows);
  size_t offset = 0;
  do {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "export: cancelled by the client");
    v1::FileChunk chunk = offset == 0 ? first : v1::FileChunk();
    size_t n = std::min(kExportChunkBytes, data.size() - offset);
    chunk.set_offset(offset);
    chunk.set_data(data.substr(offset, n));
    if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "export: the client went away");
    offset += n;
  } while (offset < data.size());
  return grpc::Status::OK;
}

}  // namespace duban
