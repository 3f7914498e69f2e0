// Outbox: the persisted notifications (reminders, urges, warnings ...).
// Notifications are written in the same WriteBatch as the change that caused
// them, under one lock, so their sequence numbers commit in order and a
// reader that has seen seq N has seen every seq below N.
#ifndef DUBAN_ENGINE_STORAGE_OUTBOX_H_
#define DUBAN_ENGINE_STORAGE_OUTBOX_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/store.h"

namespace duban {

class Outbox {
 public:
  explicit Outbox(Store* store);
  absl::Status Init();  // reads the last sequence number

  // Assigns sequence numbers to `notes`, adds them to `batch` and writes the
  // batch (synced). The notes carry their seqs on return.
  absl::Status Commit(rocksdb::WriteBatch* batch, std::vector<v1::Notification>* notes);

  // Notifications for one recipient with seq > after, at most limit.
  std::vector<v1::Notification> Read(absl::string_view recipient, uint64_t after, size_t limit) const;
  // All notifications with seq > after, at most limit.
  std::vector<v1::Notification> ReadAll(uint64_t after, size_t limit) const;
  // Waits until a notification with seq > after is committed, or until the
  // deadline; returns true when there is one.
  bool WaitFor(uint64_t after, absl::Time deadline) const;
  // Wakes every waiter and makes later waits return at once (shutdown).
  void WakeAll();
  uint64_t last_seq() const;

  // Acknowledgements: the highest seq a recipient has confirmed.
  absl::Status Ack(absl::string_view recipient, uint64_t seq);
  uint64_t Acked(absl::string_view recipient) const;
  // Delivery cursors of external sinks (webhooks), by name.
  absl::Status SetCursor(absl::string_view name, uint64_t seq);
  uint64_t Cursor(absl::string_view name) const;

 private:
  Store* store_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  uint64_t last_seq_ = 0;
  bool closing_ = false;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_OUTBOX_H_
