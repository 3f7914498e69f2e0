#include "engine/storage/pipeline.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/validate.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

// A stable 64-bit FNV-1a hash.
uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string Fingerprint(absl::string_view kind, absl::string_view body) {
  // Two independent halves, so that a collision needs both to collide.
  std::string salted = absl::StrCat("duban\n", body);
  return absl::StrCat(kind, ":", absl::Hex(Fnv1a(body), absl::kZeroPad16),
                      absl::Hex(Fnv1a(salted), absl::kZeroPad16));
}

void AddField(std::string* body, absl::string_view value) {
  absl::StrAppend(body, value.size(), ":", value, ";");
}

void AddField(std::string* body, int64_t value) { absl::StrAppend(body, "i", value, ";"); }

void AddField(std::string* body, const std::vector<std::string>& values) {
  absl::StrAppend(body, "[", values.size(), "]");
  for (const auto& v : values) AddField(body, v);
}

// ---------------------------------------------------------------- KeyLocks

KeyLocks::Guard& KeyLocks::Guard::operator=(Guard&& o) noexcept {
  if (this != &o) {
    Release();
    held_ = std::move(o.held_);
    o.held_.clear();
  }
  return *this;
}

void KeyLocks::Guard::Release() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) (*it)->Unlock();
  held_.clear();
}

KeyLocks::Guard KeyLocks::Lock(const std::vector<std::string>& subjects) {
  std::vector<size_t> idx;
  idx.reserve(subjects.size());
  for (const auto& s : subjects) idx.push_back(absl::Hash<absl::string_view>()(s) % kStripes);
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  Guard g;
  for (size_t i : idx) {
    stripes_[i].Lock();
    g.held_.push_back(&stripes_[i]);
  }
  return g;
}

KeyLocks::Guard KeyLocks::LockAll() {
  Guard g;
  g.held_.reserve(kStripes);
  for (auto& m : stripes_) {
    m.Lock();
    g.held_.push_back(&m);
  }
  return g;
}

// ---------------------------------------------------------------- Txn

absl::Status Txn::Get(Cf cf, const std::string& key, google::protobuf::MessageLite* msg) {
  auto it = overlay_.find({cf, key});
  if (it != overlay_.end()) {
    if (!it->second) return absl::NotFoundError(absl::StrCat(CfName(cf), ": not found"));
    if (!msg->ParseFromString(*it->second)) {
      return absl::DataLossError(absl::StrCat(CfName(cf), ": record cannot be parsed"));
    }
    return absl::OkStatus();
  }
  return store_->GetProto(cf, key, msg);
}

void Txn::Put(Cf cf, const std::string& key, const google::protobuf::MessageLite& msg) {
  PutRaw(cf, key, msg.SerializeAsString());
}

void Txn::PutRaw(Cf cf, const std::string& key, const std::string& value) {
  store_->Put(&batch_, cf, key, value);
  overlay_[{cf, key}] = value;
}

void Txn::Delete(Cf cf, const std::string& key) {
  store_->Delete(&batch_, cf, key);
  overlay_[{cf, key}] = std::nullopt;
}

void Txn::Notify(v1::Notification n) {
  if (!n.has_created_at()) {
    n.mutable_created_at()->set_seconds(absl::ToUnixSeconds(now_));
    n.mutable_created_at()->set_nanos(static_cast<int32_t>(
        absl::ToInt64Nanoseconds(now_ - absl::FromUnixSeconds(absl::ToUnixSeconds(now_)))));
  }
  notes_.push_back(std::move(n));
}

// ---------------------------------------------------------------- Pipeline

Pipeline::Pipeline(Store* store, Outbox* outbox) : store_(store), outbox_(outbox) {}

absl::Status Pipeline::CheckMeta(const CommandMeta& meta) {
  absl::Status s = validate::Required("meta.actor", meta.actor, validate::kMaxActor);
  if (s.ok()) s = validate::Optional("meta.comment", meta.comment, validate::kMaxComment);
  if (s.ok() && !meta.request_id.empty()) s = validate::Text("meta.request_id", meta.request_id, 128, true);
  return s;
}

std::string Pipeline::RequestSubject(const CommandMeta& meta) {
  return absl::StrCat("request|", keys::Request(meta.actor, meta.request_id));
}

absl::StatusOr<std::optional<std::string>> Pipeline::Replay(const CommandMeta& meta,
                                                           const std::string& fingerprint) const {
  if (meta.request_id.empty()) return std::optional<std::string>();
  v1::CommandRecord rec;
  absl::Status s = store_->GetProto(Cf::kRequests, keys::Request(meta.actor, meta.request_id), &rec);
  if (absl::IsNotFound(s)) return std::optional<std::string>();
  if (!s.ok()) return s;
  if (rec.fingerprint() != fingerprint) {
    return absl::AlreadyExistsError(absl::StrCat("meta.request_id: '", meta.request_id, "' was already used by ",
                                                 meta.actor, " for a different request"));
  }
  return std::optional<std::string>(rec.result());
}

void Pipeline::RecordRequest(Txn* txn, const CommandMeta& meta, const std::string& fingerprint,
                             const google::protobuf::MessageLite& result) {
  if (meta.request_id.empty()) return;
  v1::CommandRecord rec;
  rec.set_request_id(meta.request_id);
  rec.set_fingerprint(fingerprint);
  rec.set_result(result.SerializeAsString());
  txn->Put(Cf::kRequests, keys::Request(meta.actor, meta.request_id), rec);
}

absl::Status Pipeline::Audit(const CommandInfo& info, const google::protobuf::MessageLite& result,
                             rocksdb::WriteBatch* batch) {
  if (audit_ == nullptr) return absl::OkStatus();
  return audit_->OnCommand(info, result, batch);
}

absl::Status Pipeline::Commit(Txn* txn) { return Commit(txn->batch(), txn->notes()); }

absl::Status Pipeline::Commit(rocksdb::WriteBatch* batch, std::vector<v1::Notification>* notes) {
  return outbox_->Commit(batch, notes);
}

void Pipeline::Log(const CommandInfo& info, const absl::Status& result, bool replayed, absl::Time start) {
  spdlog::info("{}={} command={} actor={} result={}{} latency_us={}", info.subject_kind, info.subject_id,
               info.command, info.meta.actor,
               result.ok() ? std::string("OK") : absl::StatusCodeToString(result.code()),
               replayed ? " (replayed)" : "", absl::ToInt64Microseconds(absl::Now() - start));
}

}  // namespace duban
