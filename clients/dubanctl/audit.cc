#include "audit.h"

#include <cstdlib>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "duban/v1/audit_service.grpc.pb.h"
#include "engine/audit/verify.h"
#include "grpcpp/grpcpp.h"
#include "client.h"
#include "progress.h"
#include "text_table.h"

namespace dubanctl {

namespace {

namespace v1 = ::duban::v1;
namespace audit = ::duban::audit;

struct CallFailed {
  grpc::Status status;
};
struct LocalFailure {
  std::string what;
};

const char* Code(grpc::StatusCode c) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                 "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int i = static_cast<int>(c);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

class AuditClient {
 public:
  explicit AuditClient(const AuditCallOptions& o)
      : opts_(o), stub_(v1::AuditService::NewStub(o.channel)) {}

  void Prepare(grpc::ClientContext* ctx) const {
    ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(opts_.timeout));
    if (!opts_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + opts_.token);
  }
  template <typename F>
  void Call(F f) const {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    grpc::Status s = f(&ctx);
    if (!s.ok()) throw CallFailed{s};
  }
  v1::AuditService::Stub& stub() { return *stub_; }
  const AuditCallOptions& opts() const { return opts_; }

 private:
  AuditCallOptions opts_;
  std::unique_ptr<v1::AuditService::Stub> stub_;
};

std::string ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LocalFailure{absl::StrCat("--", flag, ": cannot read ", path)};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// RFC 3339, or a date (midnight, Beijing time).
google::protobuf::Timestamp ParseWhen(const std::string& flag, const std::string& v) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, v, &t, &err)) {
    absl::CivilDay d;
    if (!absl::ParseCivilTime(v, &d)) {
      throw UsageError(absl::StrCat("--", flag, ": '", v, "' is not a date (YYYY-MM-DD) or an RFC 3339 time"));
    }
    t = absl::FromCivil(d, absl::FixedTimeZone(8 * 3600));
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

std::string Beijing(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(ts.seconds()), absl::FixedTimeZone(8 * 3600));
}

v1::AuditFilter FilterFrom(const Args& a) {
  v1::AuditFilter f;
  f.set_account(a.GetOr("account", ""));
  f.set_unit_id(a.GetOr("unit", ""));
  f.set_subject(a.GetOr("subject", ""));
  if (auto v = a.Get("from")) *f.mutable_from() = ParseWhen("from", *v);
  if (auto v = a.Get("to")) *f.mutable_to() = ParseWhen("to", *v);
  if (auto v = a.Get("result")) {
    if (*v == "accepted") f.set_result(v1::AuditFilter::RESULT_ACCEPTED);
    else if (*v == "refused") f.set_result(v1::AuditFilter::RESULT_REFUSED);
    else throw UsageError("--result: '" + *v + "' is not accepted or refused");
  }
  return f;
}

std::string ResultText(const v1::AuditEntry& e) {
  if (e.result_code() == 0) return "OK";
  return absl::StrCat(Code(static_cast<grpc::StatusCode>(e.result_code())), ": ", e.result_message());
}

void PrintEntries(const std::vector<v1::AuditEntry>& entries, bool json) {
  if (json) {
    for (const auto& e : entries) {
      v1::AuditTrailLine l;
      *l.mutable_entry() = e;
      std::cout << audit::TrailLineJson(l) << "\n";
    }
    return;
  }
  Table t({"SEQ", "TIME (Beijing)", "ACCOUNT", "ROLE", "UNIT", "FROM", "SUBJECT", "COMMAND", "RESULT", "REQUEST"},
          {0, 0, 20, 0, 0, 24, 30, 44, 60, 20});
  for (const auto& e : entries) {
    std::string cmd = e.command();
    if (auto slash = cmd.rfind('/'); slash != std::string::npos) {
      auto dot = cmd.rfind('.', slash);
      if (dot != std::string::npos) cmd = cmd.substr(dot + 1);
    }
    t.AddRow({absl::StrCat(e.seq()), Beijing(e.at()), e.account(), e.role(), e.unit_id(), e.source(), e.subject(),
              cmd, OneLine(ResultText(e)), e.request_id()});
  }
  t.Print(std::cout);
}

int List(AuditClient& c, const Args& a, const std::string& subject) {
  v1::ListAuditEntriesRequest req;
  *req.mutable_filter() = FilterFrom(a);
  if (!subject.empty()) req.mutable_filter()->set_subject(subject);
  if (auto v = a.Int("page-size")) req.set_page_size(*v);
  req.set_page_token(a.GetOr("page-token", ""));
  bool all = a.Bool("all");
  std::vector<v1::AuditEntry> entries;
  std::string next;
  while (true) {
    v1::ListAuditEntriesResponse resp;
    c.Call([&](grpc::ClientContext* ctx) { return c.stub().ListAuditEntries(ctx, req, &resp); });
    entries.insert(entries.end(), resp.entries().begin(), resp.entries().end());
    next = resp.next_page_token();
    if (!all || next.empty()) break;
    req.set_page_token(next);
  }
  PrintEntries(entries, c.opts().json);
  if (!next.empty() && !c.opts().json) std::cout << "next page: --page-token=" << next << "\n";
  return 0;
}

// The whole trail (or the filtered entries) through ExportAudit.
// `progress`: told of the lines as they arrive (every 500th, and the last).
std::vector<v1::AuditTrailLine> Fetch(AuditClient& c, const v1::AuditFilter& filter, Progress* progress = nullptr) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(c.opts().timeout * 30));
  if (!c.opts().token.empty()) ctx.AddMetadata("authorization", "Bearer " + c.opts().token);
  v1::ExportAuditRequest req;
  *req.mutable_filter() = filter;
  auto reader = c.stub().ExportAudit(&ctx, req);
  std::vector<v1::AuditTrailLine> lines;
  v1::AuditTrailLine line;
  while (reader->Read(&line)) {
    lines.push_back(line);
    if (progress && lines.size() % 500 == 0) progress->Phase(absl::StrCat("审计导出: 已接收 ", lines.size(), " 行"));
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) throw CallFailed{s};
  if (progress) progress->Done(absl::StrCat("审计导出: 共 ", lines.size(), " 行"));
  return lines;
}

int Export(AuditClient& c, const Args& a) {
  Progress progress(a.Bool("progress"), std::cerr);
  progress.Phase("审计导出: 等待 duband");
  std::vector<v1::AuditTrailLine> lines = Fetch(c, FilterFrom(a), &progress);
  std::string out;
  for (const auto& l : lines) out += audit::TrailLineJson(l) + "\n";
  if (auto file = a.Get("out")) {
    std::ofstream f(*file, std::ios::binary | std::ios::trunc);
    if (!f || !(f << out) || !f.flush()) throw LocalFailure{"--out: cannot write " + *file};
    std::cerr << lines.size() << " lines written to " << *file << "\n";
  } else {
    std::cout << out;
  }
  return 0;
}

int Verify(AuditClient& c, const Args& a) {
  auto hash = audit::ParseHashAlgorithm("--hash", a.GetOr("hash", "sha256"));
  if (!hash.ok()) throw UsageError(std::string(hash.status().message()));
  std::unique_ptr<audit::CheckpointVerifier> key;
  if (auto pk = a.Get("public-key")) {
    auto v = audit::CheckpointVerifier::FromPublicKeyPem(ReadFile("public-key", *pk));
    if (!v.ok()) throw LocalFailure{std::string(v.status().message())};
    key = std::move(*v);
  } else if (auto hk = a.Get("hmac-key")) {
    auto v = audit::CheckpointVerifier::FromHmacSecret(ReadFile("hmac-key", *hk));
    if (!v.ok()) throw LocalFailure{std::string(v.status().message())};
    key = std::move(*v);
  }
  std::vector<v1::AuditCheckpoint> held;
  for (const auto& f : a.All("checkpoints")) {
    auto cps = audit::ParseCheckpointJsonLines(ReadFile("checkpoints", f));
    if (!cps.ok()) throw LocalFailure{absl::StrCat("--checkpoints ", f, ": ", cps.status().message())};
    held.insert(held.end(), cps->begin(), cps->end());
  }
  audit::Trail trail;
  std::string source;
  if (auto file = a.Get("trail")) {
    auto t = audit::ParseTrailJsonLines(ReadFile("trail", *file));
    if (!t.ok()) throw LocalFailure{absl::StrCat("--trail ", *file, ": ", t.status().message())};
    trail = std::move(*t);
    source = *file;
  } else {
    for (auto& l : Fetch(c, v1::AuditFilter())) {
      if (l.has_anchor()) trail.anchor = l.anchor();
      else trail.entries.push_back(l.entry());
    }
    source = c.opts().addr;
  }
  auto v = audit::VerifyTrail(*hash, trail, std::move(held), key.get());
  if (!v.ok()) throw LocalFailure{std::string(v.status().message())};
  if (!v->ok) {
    std::cout << "FAILED: " << v->problem << "\n";
    return 1;
  }
  std::cout << "ok: " << source << ": entries " << v->first_seq << ".." << v->last_seq << " (" << v->entries
            << " checked), " << v->checkpoints_matched << " held checkpoint(s) matched";
  if (v->checkpoints_skipped > 0) std::cout << ", " << v->checkpoints_skipped << " before the pruning anchor";
  std::cout << "\n";
  if (v->checkpoints_matched == 0) {
    std::cout << "warning: no held checkpoint covers this trail; a cut tail or a rewritten trail cannot be ruled out\n";
  }
  return 0;
}

int Prune(AuditClient& c, const Args& a) {
  v1::PruneAuditRequest req;
  *req.mutable_before() = ParseWhen("before", a.Require("before"));
  v1::PruneAuditResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.stub().PruneAudit(ctx, req, &resp); });
  if (c.opts().json) {
    std::cout << audit::CheckpointJson(resp.anchor()) << "\n";
    return 0;
  }
  std::cout << "pruned " << resp.pruned() << " entries";
  if (resp.pruned() > 0) {
    std::cout << "; verification now starts after entry " << resp.anchor().seq() << " (anchor "
              << audit::Hex(resp.anchor().head_hash()) << ")";
  }
  std::cout << "\n";
  return 0;
}

int Head(AuditClient& c) {
  v1::GetAuditHeadResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.stub().GetAuditHead(ctx, v1::GetAuditHeadRequest(), &resp); });
  std::cout << "seq " << resp.seq() << "  " << resp.hash_algorithm() << " " << audit::Hex(resp.head_hash())
            << "\nretention " << resp.retention_days() << " days";
  if (resp.has_anchor()) std::cout << "\npruned up to entry " << resp.anchor().seq();
  std::cout << "\n";
  return 0;
}

}  // namespace

int RunAuditCommand(const std::string& verb, const AuditCallOptions& opts, const Args& args,
                    const std::vector<std::string>& operands) {
  AuditClient c(opts);
  try {
    if (verb == "list") return List(c, args, "");
    if (verb == "history") return List(c, args, operands.at(0));
    if (verb == "export") return Export(c, args);
    if (verb == "verify") return Verify(c, args);
    if (verb == "prune") return Prune(c, args);
    if (verb == "head") return Head(c);
    throw UsageError("unknown audit verb '" + verb + "'");
  } catch (const CallFailed& f) {
    std::cout.flush();
    std::cerr << "dubanctl: " << Code(f.status.error_code()) << ": " << f.status.error_message() << "\n";
    return f.status.error_code() == grpc::StatusCode::UNAVAILABLE ? 3 : 1;
  } catch (const LocalFailure& f) {
    std::cerr << "dubanctl: " << f.what << "\n";
    return 1;
  }
}

// ---------------------------------------------------------------- the audit noun

namespace {

template <const char* kVerb>
void Audit(Client& c, const Args& a, const Operands& o) {
  AuditCallOptions ao{c.opts().addr, c.channel(), c.opts().token, c.opts().json, c.opts().timeout};
  int rc = RunAuditCommand(kVerb, ao, a, o);
  if (rc != 0) {
    std::cout.flush();
    std::exit(rc);
  }
}
constexpr char kAuditList[] = "list";
constexpr char kAuditHistory[] = "history";
constexpr char kAuditExport[] = "export";
constexpr char kAuditVerify[] = "verify";
constexpr char kAuditPrune[] = "prune";
constexpr char kAuditHead[] = "head";

}  // namespace

void RegisterAuditCommands(Registry& r) {
    const std::set<std::string> audit_filters = {"account", "unit", "subject", "from", "to", "result"};
    std::set<std::string> list_flags = audit_filters;
    list_flags.insert({"page-size", "page-token", "all"});
    std::set<std::string> export_flags = audit_filters;
    export_flags.insert({"out", "progress"});
  r.Add("audit list", "audit list [--account=A] [--unit=U] [--subject=KIND:ID] [--from=DATE] [--to=DATE] "
        "[--result=accepted|refused] [--page-size=N] [--page-token=T] [--all]", {}, list_flags, false,
        Audit<kAuditList>);
  r.Add("audit history", "audit history <KIND:ID> [--all]", {"subject"}, {"all", "page-size", "page-token"}, false,
        Audit<kAuditHistory>);
  r.Add("audit export", "audit export [--out=FILE] [--progress] [--account=A] [--unit=U] [--subject=S] [--from=DATE] [--to=DATE] "
        "[--result=accepted|refused]", {}, export_flags, false, Audit<kAuditExport>);
  r.Add("audit verify", "audit verify --public-key=FILE|--hmac-key=FILE --checkpoints=FILE [--trail=FILE] "
        "[--hash=sha256|sm3]", {}, {"public-key", "hmac-key", "checkpoints", "trail", "hash"}, false,
        Audit<kAuditVerify>);
  r.Add("audit prune", "audit prune --before=DATE", {}, {"before"}, false, Audit<kAuditPrune>);
  r.Add("audit head", "audit head", {}, {}, false, Audit<kAuditHead>);
}

}  // namespace dubanctl
