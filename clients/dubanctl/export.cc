// dubanctl: the export command: a ledger (XLSX or CSV) streamed from duband.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client.h"
#include "progress.h"
#include "text_table.h"

namespace dubanctl {
namespace {

void Export(Client& c, const Args& a, const Operands& ops) {
  v1::ExportLedgerRequest req;
  const std::string& kind = ops[0];
  if (kind == "tasks") {
    req.set_kind(v1::LEDGER_KIND_TASKS);
  } else if (kind == "obligations") {
    req.set_kind(v1::LEDGER_KIND_OBLIGATIONS);
  } else if (kind == "rankings") {
    req.set_kind(v1::LEDGER_KIND_RANKINGS);
  } else {
    throw UsageError(absl::StrCat("ledger: '", kind, "' is not tasks, obligations or rankings"));
  }
  std::string format = a.GetOr("format", "xlsx");
  if (format == "xlsx") {
    req.set_format(v1::FILE_FORMAT_XLSX);
  } else if (format == "csv") {
    req.set_format(v1::FILE_FORMAT_CSV);
  } else {
    throw UsageError(absl::StrCat("--format: '", format, "' is not xlsx or csv"));
  }
  req.set_campaign_id(a.GetOr("campaign", ""));
  req.set_unit(a.GetOr("unit", ""));
  req.set_rule_id(a.GetOr("rule", ""));
  req.set_period_from(a.GetOr("from", ""));
  req.set_period_to(a.GetOr("to", ""));
  req.set_board(a.GetOr("board", ""));
  req.set_period(a.GetOr("period", ""));
  std::string data;
  v1::FileChunk first;
  Progress progress(a.Bool("progress"), std::cerr);
  progress.Phase(absl::StrCat("导出 ", kind, ": 等待 duband"));
  grpc::Status st = c.TryCall([&](grpc::ClientContext* ctx) {
    v1::ExportService::Stub stub(c.channel());
    auto reader = stub.ExportLedger(ctx, req);
    v1::FileChunk chunk;
    while (reader->Read(&chunk)) {
      if (chunk.offset() == 0) {
        first = chunk;
        first.clear_data();
      }
      if (chunk.offset() != data.size()) {
        ctx->TryCancel();
        return grpc::Status(grpc::StatusCode::DATA_LOSS, "export: a chunk arrived out of order");
      }
      data += chunk.data();
      progress.Bytes(absl::StrCat("接收 ", first.file_name()), data.size(), first.total_size());
    }
    return reader->Finish();
  });
  if (!st.ok()) throw RpcFailure{st};
  if (data.size() != first.total_size()) {
    throw RpcFailure{grpc::Status(grpc::StatusCode::DATA_LOSS, "export: the file arrived incomplete")};
  }
  std::string out = a.GetOr("out", first.file_name());
  if (out == "-") {
    progress.Done(absl::StrCat("写出 ", Progress::Size(data.size()), " 到标准输出"));
    std::cout << data;
    return;
  }
  progress.Phase(absl::StrCat("写入 ", out, " (", Progress::Size(data.size()), ")"));
  std::ofstream f(out, std::ios::binary);
  f << data;
  f.close();
  if (!f) throw std::runtime_error(absl::StrCat("--out: cannot write ", out));
  progress.Done(absl::StrCat("完成: ", out, " ", first.rows(), " 行"));
  if (c.opts().json) return PrintJson(first);
  std::cout << "wrote " << out << " (" << first.rows() << " rows, " << Progress::Size(data.size()) << ")\n";
}

}  // namespace

void RegisterExportCommands(Registry& r) {
  r.Add("export",
        "export tasks|obligations|rankings [--format=xlsx|csv] [--out=FILE|-] [--campaign=ID] [--unit=U] "
        "[--rule=ID] [--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--board=ID] [--period=P] [--progress]",
        {"ledger"}, {"progress", "format", "out", "campaign", "unit", "rule", "from", "to", "board", "period"}, false, Export);
}

}  // namespace dubanctl
