#include "engine/storage/outbox.h"

#include <limits>

#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"

namespace duban {

namespace {
uint64_t ReadCounter(const Store& store, const std::string& key) {
  auto v = store.Get(Cf::kMeta, key);
  uint64_t n = 0;
  if (v.ok()) (void)absl::SimpleAtoi(*v, &n);
  return n;
}
}  // namespace

Outbox::Outbox(Store* store) : store_(store) {}

absl::Status Outbox::Init() {
  uint64_t last = 0;
  auto v = store_->Get(Cf::kMeta, keys::NotificationSeq());
  if (v.ok() && !absl::SimpleAtoi(*v, &last)) return absl::DataLossError("meta notification_seq: not a number");
  if (!v.ok() && !absl::IsNotFound(v.status())) return v.status();
  std::string prefix = keys::OutboxGlobalPrefix();
  auto k = store_->LastKey(Cf::kOutbox, prefix);
  if (k.ok()) {
    if (k->size() != prefix.size() + 8) return absl::DataLossError("outbox: malformed global key");
    last = std::max(last, keys::DecodeU64(absl::string_view(*k).substr(prefix.size())));
  } else if (!absl::IsNotFound(k.status())) {
    return k.status();
  }
  absl::MutexLock l(&mu_);
  published_ = last;
  next_seq_ = last + 1;
  return absl::OkStatus();
}

absl::Status Outbox::Commit(rocksdb::WriteBatch* batch, std::vector<v1::Notification>* notes) {
  if (notes->empty()) return store_->Write(batch);
  uint64_t first;
  {
    absl::MutexLock l(&mu_);
    first = next_seq_;
    next_seq_ += notes->size();
  }
  uint64_t seq = first;
  for (auto& n : *notes) {
    n.set_seq(seq++);
    std::string bytes = n.SerializeAsString();
    store_->Put(batch, Cf::kOutbox, keys::Outbox(n.recipient(), n.seq()), bytes);
    store_->Put(batch, Cf::kOutbox, keys::OutboxGlobal(n.seq()), bytes);
  }
  absl::Status s = store_->Write(batch);
  // Published whether or not the write succeeded: a failed batch leaves a
  // gap, and readers must not wait for it.
  Finish(first, seq - 1);
  return s;
}

void Outbox::Finish(uint64_t first, uint64_t last) {
  absl::MutexLock l(&mu_);
  done_[first] = last;
  bool moved = false;
  for (auto it = done_.begin(); it != done_.end() && it->first == published_ + 1; it = done_.erase(it)) {
    published_ = it->second;
    moved = true;
  }
  (void)moved;
}

static absl::StatusOr<std::vector<v1::Notification>> ReadFrom(const Store& store, const std::string& prefix,
                                                              uint64_t after, uint64_t published, size_t limit) {
  std::vector<v1::Notification> out;
  if (after >= published || limit == 0) return out;  // also keeps after + 1 from wrapping
  std::string start = prefix;
  keys::AppendU64(&start, after + 1);
  absl::Status bad;
  absl::Status scanned = store.Scan(Cf::kOutbox, prefix, [&](absl::string_view k, absl::string_view v) {
    v1::Notification n;
    if (!n.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      uint64_t seq = k.size() >= 8 ? keys::DecodeU64(k.substr(k.size() - 8)) : 0;
      bad = absl::DataLossError(absl::StrCat("outbox: notification ", seq, " cannot be parsed"));
      return false;
    }
    if (n.seq() > published) return false;
    out.push_back(std::move(n));
    return out.size() < limit;
  }, start);
  if (!scanned.ok()) return scanned;
  if (!bad.ok()) return bad;
  return out;
}

absl::StatusOr<std::vector<v1::Notification>> Outbox::Read(absl::string_view recipient, uint64_t after,
                                                            size_t limit) const {
  return ReadFrom(*store_, keys::OutboxPrefix(recipient), after, last_seq(), limit);
}

absl::StatusOr<std::vector<v1::Notification>> Outbox::ReadAll(uint64_t after, size_t limit) const {
  return ReadFrom(*store_, keys::OutboxGlobalPrefix(), after, last_seq(), limit);
}

bool Outbox::WaitFor(uint64_t after, absl::Time deadline) const {
  absl::MutexLock l(&mu_);
  auto ready = [this, after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closing_ || published_ > after; };
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  return published_ > after;
}

void Outbox::WakeAll() {
  absl::MutexLock l(&mu_);
  closing_ = true;
}

uint64_t Outbox::last_seq() const {
  absl::MutexLock l(&mu_);
  return published_;
}

absl::Status Outbox::Ack(absl::string_view recipient, uint64_t seq) {
  uint64_t last = last_seq();
  if (seq > last) {
    return absl::InvalidArgumentError(absl::StrCat("seq: ", seq, " is beyond the last notification ", last));
  }
  absl::MutexLock l(&ack_mu_[absl::Hash<absl::string_view>()(recipient) % ack_mu_.size()]);
  std::string key = keys::AckCursor(recipient);
  if (seq <= ReadCounter(*store_, key)) return absl::OkStatus();
  rocksdb::WriteBatch b;
  store_->Put(&b, Cf::kMeta, key, std::to_string(seq));
  return store_->Write(&b);
}

uint64_t Outbox::Acked(absl::string_view recipient) const {
  return ReadCounter(*store_, keys::AckCursor(recipient));
}

absl::Status Outbox::SetCursor(absl::string_view name, uint64_t seq) {
  rocksdb::WriteBatch b;
  store_->Put(&b, Cf::kMeta, keys::WebhookCursor(name), std::to_string(seq));
  return store_->Write(&b);
}

uint64_t Outbox::Cursor(absl::string_view name) const {
  return ReadCounter(*store_, keys::WebhookCursor(name));
}

}  // namespace duban
