#include "engine/evidence/evidence_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace fs = std::filesystem;

namespace {

constexpr size_t kHeadBytes = 12;
constexpr absl::Duration kPinTime = absl::Minutes(1);

bool IsHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("open", dir);
  int r = ::fsync(fd);
  ::close(fd);
  if (r != 0) return Errno("fsync", dir);
  return absl::OkStatus();
}

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

}  // namespace

std::string EvidenceTypeOf(absl::string_view head, absl::string_view file_name) {
  std::string name = Lower(file_name);
  auto starts = [&](absl::string_view magic) { return absl::StartsWith(head, magic); };
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("\x89PNG\r\n\x1A\n")) return "image/png";
  if (head.size() >= 12 && starts("RIFF") && head.substr(8, 4) == "WEBP") return "image/webp";
  if (starts("%PDF-")) return "application/pdf";
  if (starts(absl::string_view("PK\x03\x04", 4))) {
    if (absl::EndsWith(name, ".docx")) {
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    }
    if (absl::EndsWith(name, ".xlsx")) return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return "";
  }
  if (starts("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    if (absl::EndsWith(name, ".doc")) return "application/msword";
    if (absl::EndsWith(name, ".xls")) return "application/vnd.ms-excel";
    return "";
  }
  return "";
}

// ---------------------------------------------------------------- upload

struct EvidenceUpload::HashState {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~HashState() { EVP_MD_CTX_free(ctx); }
};

EvidenceUpload::EvidenceUpload(EvidenceStore* owner, std::string actor, std::string file_name, std::string tmp_path,
                               int fd)
    : owner_(owner),
      actor_(std::move(actor)),
      file_name_(std::move(file_name)),
      tmp_path_(std::move(tmp_path)),
      fd_(fd),
      hash_(std::make_unique<HashState>()) {
  EVP_DigestInit_ex(hash_->ctx, EVP_sha256(), nullptr);
}

EvidenceUpload::~EvidenceUpload() {
  if (!finished_) Discard();
}

void EvidenceUpload::Discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!tmp_path_.empty()) {
    ::unlink(tmp_path_.c_str());
    tmp_path_.clear();
  }
}

absl::Status EvidenceUpload::CheckType(bool final) {
  if (!content_type_.empty()) return absl::OkStatus();
  if (!final && head_.size() < kHeadBytes) return absl::OkStatus();
  std::string type = EvidenceTypeOf(head_, file_name_);
  const auto& allowed = owner_->options_.allowed_types;
  if (type.empty() || std::find(allowed.begin(), allowed.end(), type) == allowed.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file: '", file_name_, "' is ", type.empty() ? "of an unknown type" : type,
        " by its content; allowed: photos (JPEG, PNG, WebP), PDF and Word / Excel documents"));
  }
  content_type_ = type;
  return absl::OkStatus();
}

absl::Status EvidenceUpload::Append(absl::string_view data) {
  if (!failed_.ok()) return failed_;
  if (finished_) return absl::FailedPreconditionError("upload: already finished");
  if (size_ + static_cast<int64_t>(data.size()) > owner_->options_.max_bytes) {
    failed_ = absl::ResourceExhaustedError(absl::StrCat("file: '", file_name_, "' is larger than the limit of ",
                                                        owner_->options_.max_bytes, " bytes"));
    Discard();
    return failed_;
  }
  if (head_.size() < kHeadBytes) {
    absl::string_view more = data.substr(0, kHeadBytes - head_.size());
    head_.append(more.data(), more.size());
  }
  if (absl::Status s = CheckType(false); !s.ok()) {
    failed_ = s;
    Discard();
    return failed_;
  }
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = Errno("write", tmp_path_);
      Discard();
      return failed_;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  EVP_DigestUpdate(hash_->ctx, data.data(), data.size());
  size_ += static_cast<int64_t>(data.size());
  return absl::OkStatus();
}

absl::StatusOr<v1::EvidenceFile> EvidenceUpload::Finish() {
  if (!failed_.ok()) return failed_;
  if (finished_) return absl::FailedPreconditionError("upload: already finished");
  auto fail = [&](absl::Status s) {
    failed_ = s;
    Discard();
    return s;
  };
  if (size_ == 0) return fail(absl::InvalidArgumentError(absl::StrCat("file: '", file_name_, "' is empty")));
  if (absl::Status s = CheckType(true); !s.ok()) return fail(s);
  if (::fsync(fd_) != 0) return fail(Errno("fsync", tmp_path_));
  ::close(fd_);
  fd_ = -1;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(hash_->ctx, md, &len);
  std::string sha = absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), len));
  auto stored = owner_->Commit(tmp_path_, sha, size_, content_type_, actor_, file_name_);
  if (!stored.ok()) return fail(stored.status());
  tmp_path_.clear();  // renamed or removed by Commit
  finished_ = true;
  return stored;
}

// ---------------------------------------------------------------- store

EvidenceStore::EvidenceStore(Store* store, const Clock* clock, std::string root, EvidenceOptions options)
    : store_(store), clock_(clock), root_(std::move(root)), options_(std::move(options)) {}

absl::Status EvidenceStore::Init() {
  std::error_code ec;
  fs::create_directories(fs::path(root_) / "tmp", ec);
  if (ec) return absl::InternalError(absl::StrCat("evidence: cannot create ", root_, "/tmp: ", ec.message()));
  for (const auto& e : fs::directory_iterator(fs::path(root_) / "tmp", ec)) fs::remove(e.path(), ec);
  return absl::OkStatus();
}

std::string EvidenceStore::ContentPath(absl::string_view sha256) const {
  return absl::StrCat(root_, "/", sha256.substr(0, 2), "/", sha256);
}

absl::StatusOr<std::unique_ptr<EvidenceUpload>> EvidenceStore::BeginUpload(absl::string_view actor,
                                                                           absl::string_view file_name) {
  if (actor.empty()) return absl::InvalidArgumentError("actor: required");
  if (file_name.empty()) return absl::InvalidArgumentError("file_name: required");
  if (file_name.size() > 255 || absl::StrContains(file_name, '/') || absl::StrContains(file_name, '\\') ||
      absl::StrContains(file_name, '\0')) {
    return absl::InvalidArgumentError("file_name: at most 255 bytes, without '/', '\\' or NUL");
  }
  static std::mutex rng_mu;
  static std::mt19937_64 rng(std::random_device{}());
  uint64_t r;
  {
    std::lock_guard<std::mutex> l(rng_mu);
    r = rng();
  }
  std::string tmp = absl::StrCat(root_, "/tmp/", absl::Hex(r, absl::kZeroPad16));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("create", tmp);
  return std::unique_ptr<EvidenceUpload>(
      new EvidenceUpload(this, std::string(actor), std::string(file_name), tmp, fd));
}

absl::StatusOr<v1::EvidenceFile> EvidenceStore::Commit(const std::string& tmp_path, const std::string& sha256,
                                                       int64_t size, const std::string& content_type,
                                                       const std::string& actor, const std::string& file_name) {
  std::lock_guard<std::mutex> l(mu_);
  std::string dir = absl::StrCat(root_, "/", sha256.substr(0, 2));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("evidence: cannot create ", dir, ": ", ec.message()));
  std::string path = ContentPath(sha256);
  if (fs::exists(path, ec)) {
    ::unlink(tmp_path.c_str());  // the same content is already stored
  } else {
    if (::rename(tmp_path.c_str(), path.c_str()) != 0) return Errno("rename", tmp_path);
    RETURN_IF_ERROR(SyncDir(dir));
  }
  v1::EvidenceFile f;
  std::string key = keys::Entity(keys::Kind::kEvidence, sha256);
  absl::Status got = store_->GetProto(Cf::kEntities, key, &f);
  if (!got.ok() && !absl::IsNotFound(got)) return got;
  if (absl::IsNotFound(got)) {
    f.set_sha256(sha256);
    f.set_size(size);
    f.set_content_type(content_type);
    f.set_file_name(file_name);
    f.set_uploaded_by(actor);
  }
  // A new upload of content that is not yet referenced starts its grace
  // period again.
  *f.mutable_uploaded_at() = Ts(clock_->Now());
  f.clear_attachments();
  rocksdb::WriteBatch b;
  store_->Put(&b, Cf::kEntities, key, f);
  store_->Put(&b, Cf::kIndex, keys::EvidenceUpload(sha256, actor), "");
  RETURN_IF_ERROR(store_->Write(&b));
  spdlog::info("evidence {} stored: {} bytes {} '{}' by {}", sha256, size, content_type, file_name, actor);
  return Get(sha256);
}

absl::StatusOr<v1::EvidenceFile> EvidenceStore::Get(absl::string_view sha256) const {
  if (!IsHex64(sha256)) return absl::InvalidArgumentError("sha256: 64 lowercase hex digits expected");
  v1::EvidenceFile f;
  absl::Status s = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kEvidence, sha256), &f);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("sha256: no evidence file ", sha256));
  RETURN_IF_ERROR(s);
  f.clear_attachments();
  absl::Status parse = absl::OkStatus();
  RETURN_IF_ERROR(store_->Scan(Cf::kIndex, keys::EvidenceFilePrefix(sha256), [&](absl::string_view, absl::string_view v) {
    if (!f.add_attachments()->ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      parse = absl::DataLossError(absl::StrCat("evidence ", sha256, ": unreadable attachment"));
      return false;
    }
    return true;
  }));
  RETURN_IF_ERROR(parse);
  return f;
}

bool EvidenceStore::UploadedBy(absl::string_view sha256, absl::string_view actor) const {
  if (actor.empty()) return false;
  // A read error counts as "not uploaded by": the caller is refused.
  absl::StatusOr<bool> up = store_->Exists(Cf::kIndex, keys::EvidenceUpload(sha256, actor));
  return up.ok() && *up;
}

bool EvidenceStore::IsReferenced(absl::string_view sha256) const {
  bool any = false;
  absl::Status s = store_->Scan(Cf::kIndex, keys::EvidenceFilePrefix(sha256), [&](absl::string_view, absl::string_view) {
    any = true;
    return false;
  });
  // A read error counts as referenced: nothing is removed on a guess.
  return any || !s.ok();
}

absl::Status EvidenceStore::ReadContent(absl::string_view sha256,
                                        const std::function<bool(absl::string_view)>& fn) const {
  if (!IsHex64(sha256)) return absl::InvalidArgumentError("sha256: 64 lowercase hex digits expected");
  std::string path = ContentPath(sha256);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("sha256: no content for ", sha256));
    return Errno("open", path);
  }
  std::string buf(64 << 10, '\0');
  absl::Status s = absl::OkStatus();
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      s = Errno("read", path);
      break;
    }
    if (n == 0 || !fn(absl::string_view(buf.data(), static_cast<size_t>(n)))) break;
  }
  ::close(fd);
  return s;
}

absl::Status EvidenceStore::Resolve(absl::string_view field, absl::string_view actor,
                                    google::protobuf::RepeatedPtrField<v1::EvidenceRef>* refs) {
  std::set<std::string> seen;
  for (int i = 0; i < refs->size(); ++i) {
    v1::EvidenceRef* r = refs->Mutable(i);
    std::string at = absl::StrCat(field, "[", i, "].sha256");
    if (!IsHex64(r->sha256())) return absl::InvalidArgumentError(absl::StrCat(at, ": 64 lowercase hex digits expected"));
    if (!seen.insert(r->sha256()).second) {
      return absl::InvalidArgumentError(absl::StrCat(at, ": ", r->sha256(), " named twice"));
    }
    v1::EvidenceFile f;
    absl::Status s = store_->GetProto(Cf::kEntities, keys::Entity(keys::Kind::kEvidence, r->sha256()), &f);
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError(absl::StrCat(at, ": no uploaded file ", r->sha256(), " (upload it first)"));
    }
    RETURN_IF_ERROR(s);
    if (!UploadedBy(r->sha256(), actor)) {
      return absl::PermissionDeniedError(absl::StrCat(at, ": file ", r->sha256(), " was not uploaded by ", actor));
    }
    if (r->file_name().empty()) r->set_file_name(f.file_name());
    r->set_content_type(f.content_type());
    r->set_size(f.size());
    std::lock_guard<std::mutex> l(mu_);
    pinned_[r->sha256()] = clock_->Now();
  }
  return absl::OkStatus();
}

v1::EvidenceAttachment NewEvidenceAttachment(absl::string_view kind, absl::string_view subject_id, uint64_t version,
                                             absl::Time at, absl::string_view actor,
                                             const std::vector<std::string>& unit_ids) {
  v1::EvidenceAttachment a;
  a.set_subject_kind(std::string(kind));
  a.set_subject_id(std::string(subject_id));
  a.set_event_version(version);
  for (const auto& u : unit_ids) {
    if (!u.empty()) a.add_unit_ids(u);
  }
  a.set_period(absl::FormatTime("%Y-%m", at, PlanTimeZone()));
  *a.mutable_at() = Ts(at);
  a.set_actor(std::string(actor));
  return a;
}

void EvidenceStore::PutAttachments(rocksdb::WriteBatch* batch,
                                   const google::protobuf::RepeatedPtrField<v1::EvidenceRef>& refs,
                                   const v1::EvidenceAttachment& a) const {
  std::string value = a.SerializeAsString();
  // A task's events keep the key layout of the header; other subjects'
  // ids are prefixed by their kind, so no two subjects share a key.
  const bool task = a.subject_kind() == "task";
  const std::string subject = task ? a.subject_id() : absl::StrCat(a.subject_kind(), ":", a.subject_id());
  for (const auto& r : refs) {
    const std::string& sha = r.sha256();
    store_->Put(batch, Cf::kIndex, keys::EvidenceFile(sha, subject, a.event_version()), value);
    if (task) {
      store_->Put(batch, Cf::kIndex, keys::EvidenceTask(a.subject_id(), sha, "", a.event_version()),
                  value);
    } else if (!a.task_id().empty()) {
      store_->Put(batch, Cf::kIndex,
                  keys::EvidenceTask(a.task_id(), sha, subject, a.event_version()), value);
    }
    for (const auto& u : a.unit_ids()) {
      store_->Put(batch, Cf::kIndex,
                  keys::EvidenceUnit(u, a.period(), sha, subject, a.event_version()), value);
    }
  }
}

absl::StatusOr<std::vector<v1::EvidenceFile>> EvidenceStore::List(absl::string_view task_id,
                                                                  absl::string_view unit_id,
                                                                  absl::string_view period) const {
  // Candidate attachments from the narrowest index, then every filter.
  std::vector<v1::EvidenceAttachment> atts;
  std::vector<std::string> shas;
  absl::Status parse = absl::OkStatus();
  auto collect = [&](absl::string_view key, absl::string_view v) {
    v1::EvidenceAttachment a;
    if (!a.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      parse = absl::DataLossError("evidence index: unreadable attachment");
      return false;
    }
    // The sha is the component right after the index name for
    // "evidence-file", else found through the attachment's key layout.
    atts.push_back(std::move(a));
    shas.emplace_back(key);
    return true;
  };
  std::string prefix;
  if (!task_id.empty()) {
    prefix = keys::EvidenceTaskPrefix(task_id);
  } else if (!unit_id.empty()) {
    prefix = keys::EvidenceUnitPrefix(unit_id, period);
  } else {
    prefix = keys::EvidenceFilePrefix("");
  }
  RETURN_IF_ERROR(store_->Scan(Cf::kIndex, prefix, collect));
  RETURN_IF_ERROR(parse);
  // Recover each attachment's sha from its key.
  for (auto& k : shas) {
    absl::string_view rest = absl::string_view(k).substr(prefix.size());
    if (!task_id.empty()) {
      // task | sha | ver: rest = sha | ver
    } else if (!unit_id.empty() && period.empty()) {
      rest = rest.substr(rest.find(keys::kSep) + 1);  // skip the period
    }
    k = std::string(rest.substr(0, 64));
  }
  std::map<std::string, v1::EvidenceFile> files;
  std::vector<std::pair<int64_t, std::string>> order;
  for (size_t i = 0; i < atts.size(); ++i) {
    const auto& a = atts[i];
    if (!task_id.empty() && !(a.subject_kind() == "task" ? a.subject_id() == task_id : a.task_id() == task_id)) {
      continue;
    }
    if (!period.empty() && a.period() != period) continue;
    if (!unit_id.empty() && std::find(a.unit_ids().begin(), a.unit_ids().end(), unit_id) == a.unit_ids().end()) {
      continue;
    }
    if (files.count(shas[i])) continue;
    ASSIGN_OR_RETURN(v1::EvidenceFile f, Get(shas[i]));
    int64_t newest = 0;
    for (const auto& x : f.attachments()) newest = std::max<int64_t>(newest, x.at().seconds());
    order.emplace_back(-newest, shas[i]);
    files[shas[i]] = std::move(f);
  }
  std::sort(order.begin(), order.end());
  std::vector<v1::EvidenceFile> out;
  for (auto& [_, sha] : order) out.push_back(std::move(files[sha]));
  return out;
}

absl::StatusOr<int> EvidenceStore::CountForTask(absl::string_view task_id) const {
  if (task_id.empty()) return absl::InvalidArgumentError("task_id: required");
  // Keys: evidence-task | task | sha | version; one file may be attached
  // by several events. Files of a supervision item about the task (their
  // keys name the item too) are not the task's own.
  const std::string prefix = keys::EvidenceTaskPrefix(task_id);
  std::set<std::string> shas;
  RETURN_IF_ERROR(store_->Scan(Cf::kIndex, prefix, [&](absl::string_view k, absl::string_view v) {
    v1::EvidenceAttachment a;
    if (a.ParseFromArray(v.data(), static_cast<int>(v.size())) && a.subject_kind() != "task") return true;
    shas.emplace(k.substr(prefix.size(), 64));
    return true;
  }));
  return static_cast<int>(shas.size());
}

absl::StatusOr<int> EvidenceStore::Sweep(absl::Time now) {
  std::vector<v1::EvidenceFile> candidates;
  absl::Status parse = absl::OkStatus();
  RETURN_IF_ERROR(store_->Scan(Cf::kEntities, keys::EntityPrefix(keys::Kind::kEvidence), [&](absl::string_view, absl::string_view v) {
    v1::EvidenceFile f;
    if (!f.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      parse = absl::DataLossError("evidence: unreadable record");
      return false;
    }
    if (FromTs(f.uploaded_at()) + options_.grace <= now) candidates.push_back(std::move(f));
    return true;
  }));
  RETURN_IF_ERROR(parse);
  int removed = 0;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& f : candidates) {
    if (IsReferenced(f.sha256())) continue;
    if (auto p = pinned_.find(f.sha256()); p != pinned_.end() && p->second + kPinTime > clock_->Now()) continue;
    rocksdb::WriteBatch b;
    store_->Delete(&b, Cf::kEntities, keys::Entity(keys::Kind::kEvidence, f.sha256()));
    RETURN_IF_ERROR(store_->Scan(Cf::kIndex, keys::EvidenceUploadPrefix(f.sha256()), [&](absl::string_view k, absl::string_view) {
      store_->Delete(&b, Cf::kIndex, k);
      return true;
    }));
    RETURN_IF_ERROR(store_->Write(&b));
    ::unlink(ContentPath(f.sha256()).c_str());
    pinned_.erase(f.sha256());
    spdlog::info("evidence {} removed: not referenced within {}", f.sha256(), absl::FormatDuration(options_.grace));
    ++removed;
  }
  for (auto it = pinned_.begin(); it != pinned_.end();) {
    it = it->second + kPinTime <= clock_->Now() ? pinned_.erase(it) : std::next(it);
  }
  return removed;
}

}  // namespace duban
