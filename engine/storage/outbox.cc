#include "engine/storage/outbox.h"

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"

namespace duban {

namespace {
constexpr char kSeqKey[] = "notification_seq";

uint64_t ReadCounter(const Store& store, const std::string& key) {
  auto v = store.Get(Cf::kMeta, key);
  uint64_t n = 0;
  if (v.ok()) (void)absl::SimpleAtoi(*v, &n);
  return n;
}
}  // namespace

Outbox::Outbox(Store* store) : store_(store) {}

absl::Status Outbox::Init() {
  std::lock_guard<std::mutex> l(mu_);
  auto v = store_->Get(Cf::kMeta, kSeqKey);
  if (v.ok() && !absl::SimpleAtoi(*v, &last_seq_)) return absl::DataLossError("meta notification_seq: not a number");
  return absl::OkStatus();
}

absl::Status Outbox::Commit(rocksdb::WriteBatch* batch, std::vector<v1::Notification>* notes) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t seq = last_seq_;
  for (auto& n : *notes) {
    n.set_seq(++seq);
    std::string bytes = n.SerializeAsString();
    store_->Put(batch, Cf::kOutbox, keys::Outbox(n.recipient(), n.seq()), bytes);
    store_->Put(batch, Cf::kOutbox, keys::OutboxGlobal(n.seq()), bytes);
  }
  if (!notes->empty()) store_->Put(batch, Cf::kMeta, kSeqKey, std::to_string(seq));
  RETURN_IF_ERROR(store_->Write(batch));
  if (seq != last_seq_) {
    last_seq_ = seq;
    cv_.notify_all();
  }
  return absl::OkStatus();
}

static std::vector<v1::Notification> ReadFrom(const Store& store, const std::string& prefix, uint64_t after,
                                              size_t limit) {
  std::vector<v1::Notification> out;
  std::string start = prefix;
  keys::AppendU64(&start, after + 1);
  store.Scan(Cf::kOutbox, prefix, [&](absl::string_view, absl::string_view v) {
    v1::Notification n;
    if (n.ParseFromArray(v.data(), static_cast<int>(v.size()))) out.push_back(std::move(n));
    return out.size() < limit;
  }, start);
  return out;
}

std::vector<v1::Notification> Outbox::Read(absl::string_view recipient, uint64_t after, size_t limit) const {
  return ReadFrom(*store_, keys::OutboxPrefix(recipient), after, limit);
}

std::vector<v1::Notification> Outbox::ReadAll(uint64_t after, size_t limit) const {
  return ReadFrom(*store_, keys::OutboxGlobalPrefix(), after, limit);
}

bool Outbox::WaitFor(uint64_t after, absl::Time deadline) const {
  std::unique_lock<std::mutex> l(mu_);
  auto until = std::chrono::system_clock::now() +
               std::chrono::microseconds(std::max<int64_t>(0, absl::ToInt64Microseconds(deadline - absl::Now())));
  cv_.wait_until(l, until, [&] { return closing_ || last_seq_ > after; });
  return last_seq_ > after;
}

void Outbox::WakeAll() {
  {
    std::lock_guard<std::mutex> l(mu_);
    closing_ = true;
  }
  cv_.notify_all();
}

uint64_t Outbox::last_seq() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_seq_;
}

absl::Status Outbox::Ack(absl::string_view recipient, uint64_t seq) {
  std::lock_guard<std::mutex> l(mu_);
  if (seq > last_seq_) {
    return absl::InvalidArgumentError(absl::StrCat("seq: ", seq, " is beyond the last notification ", last_seq_));
  }
  std::string key = absl::StrCat("ack|", recipient);
  if (seq <= ReadCounter(*store_, key)) return absl::OkStatus();
  rocksdb::WriteBatch b;
  store_->Put(&b, Cf::kMeta, key, std::to_string(seq));
  return store_->Write(&b);
}

uint64_t Outbox::Acked(absl::string_view recipient) const {
  return ReadCounter(*store_, absl::StrCat("ack|", recipient));
}

absl::Status Outbox::SetCursor(absl::string_view name, uint64_t seq) {
  rocksdb::WriteBatch b;
  store_->Put(&b, Cf::kMeta, absl::StrCat("webhook|", name), std::to_string(seq));
  return store_->Write(&b);
}

uint64_t Outbox::Cursor(absl::string_view name) const {
  return ReadCounter(*store_, absl::StrCat("webhook|", name));
}

}  // namespace duban
