// Outbox: the persisted notifications (reminders, urges, warnings ...).
//
// Notifications are written in the same WriteBatch as the change that caused
// them. Sequence numbers are taken from a counter when a batch is about to
// be written, and no lock is held while it is synced, so batches of
// concurrent commands commit in any order. Readers see only the published
// prefix: the highest seq N such that every seq up to N has either
// committed or failed (a failed batch leaves a gap that is never filled).
// So a reader that has seen seq N has seen every committed seq below N, and
// a cursor never skips a notification that commits later.
//
// Thread-safe.
#ifndef DUBAN_ENGINE_STORAGE_OUTBOX_H_
#define DUBAN_ENGINE_STORAGE_OUTBOX_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/store.h"

namespace duban {

class Outbox {
 public:
  explicit Outbox(Store* store);
  absl::Status Init();  // finds the last sequence number written

  // Assigns sequence numbers to `notes`, adds them to `batch`, writes the
  // batch (synced) and publishes the notes. The notes carry their seqs on
  // return. Holds no lock across the write.
  absl::Status Commit(rocksdb::WriteBatch* batch, std::vector<v1::Notification>* notes)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Published notifications for one recipient with seq > after, at most
  // limit. after = 2^64-1 gives none. A stored notification that does not
  // parse is DATA_LOSS naming its seq; a read error is returned.
  absl::StatusOr<std::vector<v1::Notification>> Read(absl::string_view recipient, uint64_t after,
                                                     size_t limit) const;
  // All published notifications with seq > after, at most limit (errors as
  // Read).
  absl::StatusOr<std::vector<v1::Notification>> ReadAll(uint64_t after, size_t limit) const;
  // Waits until a notification with seq > after is published, or until the
  // deadline; returns true when there is one.
  bool WaitFor(uint64_t after, absl::Time deadline) const ABSL_LOCKS_EXCLUDED(mu_);
  // Wakes every waiter and makes later waits return at once (shutdown).
  void WakeAll() ABSL_LOCKS_EXCLUDED(mu_);
  // The published prefix.
  uint64_t last_seq() const ABSL_LOCKS_EXCLUDED(mu_);

  // Acknowledgements: the highest seq a recipient has confirmed.
  absl::Status Ack(absl::string_view recipient, uint64_t seq);
  uint64_t Acked(absl::string_view recipient) const;
  // Delivery cursors of external sinks (webhooks), by name.
  absl::Status SetCursor(absl::string_view name, uint64_t seq);
  uint64_t Cursor(absl::string_view name) const;

 private:
  // Marks seqs [first, last] done (committed or failed) and moves the
  // published prefix over every run of done seqs that now joins it.
  void Finish(uint64_t first, uint64_t last) ABSL_LOCKS_EXCLUDED(mu_);

  Store* store_;

  mutable absl::Mutex mu_;
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;    // the next seq to give
  uint64_t published_ ABSL_GUARDED_BY(mu_) = 0;   // every seq <= this is done
  std::map<uint64_t, uint64_t> done_ ABSL_GUARDED_BY(mu_);  // first -> last, beyond published_
  bool closing_ ABSL_GUARDED_BY(mu_) = false;

  // Per-recipient locks of the read-modify-write of acknowledgements.
  std::array<absl::Mutex, 64> ack_mu_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_OUTBOX_H_
