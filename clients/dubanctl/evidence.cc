// evidence (佐证材料): upload a file, download one, list files. An uploaded
// file is referenced by its sha256 from a report (--evidence=SHA on task
// report, obligation submit, supervision report, case follow-up).
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "all_pages.h"
#include "client.h"
#include "duban/v1/evidence.grpc.pb.h"
#include "text_table.h"

namespace dubanctl {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

void EvidenceUpload(Client& c, const Args& a, const Operands& ops) {
  const std::string& path = ops[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure(absl::StrCat(path, ": cannot be read"));
  std::string name = a.GetOr("name", "");
  if (name.empty()) {
    auto slash = path.rfind('/');
    name = slash == std::string::npos ? path : path.substr(slash + 1);
  }
  v1::EvidenceFile file;
  grpc::Status st = c.TryCall([&](grpc::ClientContext* ctx) {
    v1::EvidenceService::Stub stub(c.channel());
    auto writer = stub.Upload(ctx, &file);
    v1::UploadEvidenceRequest m;
    m.mutable_header()->set_file_name(name);
    bool open = writer->Write(m);
    std::string buf(kChunkBytes, '\0');
    while (open && in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      std::streamsize n = in.gcount();
      if (n <= 0) break;
      m.set_chunk(buf.data(), static_cast<size_t>(n));
      open = writer->Write(m);
    }
    if (open) writer->WritesDone();
    return writer->Finish();
  });
  if (!st.ok()) throw RpcFailure{st};
  if (c.opts().json) return PrintJson(file);
  std::cout << file.sha256() << "  " << file.size() << " bytes  " << file.content_type() << "  " << file.file_name()
            << "\n";
}

void EvidenceDownload(Client& c, const Args& a, const Operands& ops) {
  v1::DownloadEvidenceRequest req;
  req.set_sha256(ops[0]);
  std::string data;
  v1::EvidenceFile file;
  grpc::Status st = c.TryCall([&](grpc::ClientContext* ctx) {
    v1::EvidenceService::Stub stub(c.channel());
    auto reader = stub.Download(ctx, req);
    v1::DownloadEvidenceResponse r;
    while (reader->Read(&r)) {
      if (r.has_file()) file = r.file();
      data += r.chunk();
    }
    return reader->Finish();
  });
  if (!st.ok()) throw RpcFailure{st};
  if (static_cast<int64_t>(data.size()) != file.size()) {
    throw RpcFailure{grpc::Status(grpc::StatusCode::DATA_LOSS, "download: the file arrived incomplete")};
  }
  // By default the file's own name, in the current folder: its last path
  // part only, so that a name from the server never writes elsewhere.
  std::string own = file.file_name().substr(file.file_name().rfind('/') + 1);
  if (own.empty() || own == "." || own == "..") own = file.sha256();
  std::string out = a.GetOr("output", own);
  if (out == "-") {
    std::cout << data;
    return;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << data;
  f.close();
  if (!f) throw Failure(absl::StrCat(out, ": cannot be written"));
  std::cout << out << "  " << data.size() << " bytes  " << file.sha256() << "\n";
}

void EvidenceList(Client& c, const Args& a, const Operands&) {
  v1::ListEvidenceRequest req;
  req.set_task_id(a.GetOr("task", ""));
  req.set_unit(a.GetOr("unit", ""));
  req.set_period(a.GetOr("period", ""));
  v1::ListEvidenceResponse resp;
  v1::EvidenceService::Stub stub(c.channel());
  AllPages(c, req, &resp, [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return stub.ListEvidence(ctx, r, p); },
           [](auto* m) { return m->mutable_files(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"sha256", "bytes", "type", "name", "uploaded by", "attached to"});
  for (const auto& f : resp.files()) {
    std::string attached;
    for (const auto& at : f.attachments()) {
      if (!attached.empty()) attached += ", ";
      attached += absl::StrCat(at.subject_kind(), " ", at.subject_id());
    }
    t.AddRow({f.sha256().substr(0, 12), std::to_string(f.size()), f.content_type(), f.file_name(), f.uploaded_by(),
              attached});
  }
  t.Print(std::cout);
}

}  // namespace

void RegisterEvidenceCommands(Registry& r) {
  r.Add("evidence upload", "evidence upload <file> [--name=FILE_NAME]   (prints the sha256 to give as --evidence)",
        {"file"}, {"name"}, false, EvidenceUpload);
  r.Add("evidence download", "evidence download <sha256> [-o FILE|-]   (default: the file's own name)", {"sha256"},
        {"output"}, false, EvidenceDownload);
  r.Add("evidence list", "evidence list [--task=ID] [--unit=UNIT] [--period=YYYY-MM]", {}, {"task", "unit", "period"},
        false, EvidenceList);
}

}  // namespace dubanctl
