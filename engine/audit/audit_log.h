// AuditLog: the hash-chained audit trail, kept in the store's "audit"
// column family, with signed checkpoints.
//
// Keys in the audit column family (DO NOT CHANGE):
//   "e" + seq (8 bytes, big-endian)   AuditEntry
//   "c" + seq (8 bytes, big-endian)   AuditCheckpoint signed at entry seq
//   "anchor"                          AuditCheckpoint of the last pruned entry
//   "x" + f + value + "\0" + seq     index of entry seq by account (f 'a'),
//                                     unit (f 'u') or subject (f 's'); empty
//   "xver"                            present once every entry is indexed
//
// Chain order is commit order. Commands commit concurrently, so the order
// in which entries get their seq and prev_hash must be the order in which
// their batches reach the WAL. AuditLog is the single appender: every batch
// that carries an entry joins a queue; the writer at the head of the queue
// (the leader) takes the whole queue, chains the entries in queue order
// (seq, time, prev_hash, hash), merges the batches into one and commits it
// with one synced write, then wakes the others with the result. No lock is
// held across the synced write, and concurrent commands still share one
// fsync (group commit, as LevelDB's writer queue does). A group fails or
// succeeds as a whole; after a failed write the head is unchanged, so the
// next group chains from the last committed entry.
//
// Mandatory: installed as the store's write hook by Engine::Open, it cannot
// be switched off. When the entry cannot be chained or written, the act's
// batch is not written either and the act fails.
//
// Thread-safe.
#ifndef DUBAN_ENGINE_AUDIT_AUDIT_LOG_H_
#define DUBAN_ENGINE_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "duban/v1/audit.pb.h"
#include "engine/audit/chain.h"
#include "engine/audit/signer.h"
#include "engine/storage/store.h"
#include "engine/time/clock.h"

namespace duban::audit {

// The trail is kept at least this long; it cannot be configured lower.
constexpr int kMinRetentionDays = 180;

struct AuditOptions {
  HashAlgorithm hash = HashAlgorithm::kSha256;
  // A checkpoint is signed at every `checkpoint_every`-th entry, and at the
  // head when `checkpoint_interval` has passed since the last one with new
  // entries (MaybeCheckpoint). 0 / zero duration: that trigger is off.
  uint64_t checkpoint_every = 1000;
  // A periodic checkpoint signs the hashes of the entries since the one
  // before it, at most this many (the last ones).
  uint64_t max_checkpoint_entries = 10000;
  absl::Duration checkpoint_interval = absl::Minutes(60);
  // At least kMinRetentionDays (AuditLog::Open refuses less).
  int retention_days = kMinRetentionDays;
  // Without a signer the chain is kept but no checkpoint is signed.
  std::shared_ptr<const CheckpointSigner> signer;
};

struct AuditFilter {
  std::string account;
  std::string unit_id;
  std::string subject;
  std::optional<absl::Time> from;  // at >= from
  std::optional<absl::Time> to;    // at < to
  enum class Result { kAny, kAccepted, kRefused } result = Result::kAny;
  bool Matches(const v1::AuditEntry& e) const;
};

struct AuditPage {
  std::vector<v1::AuditEntry> entries;
  uint64_t next_seq = 0;  // 0: no more
};

struct PruneResult {
  uint64_t pruned = 0;
  v1::AuditCheckpoint anchor;
};

// Called with each new signed checkpoint (the checkpoint file, the log, a
// webhook). Called from MaybeCheckpoint's thread, with no AuditLog lock held.
using CheckpointPublisher = std::function<void(const v1::AuditCheckpoint&)>;

class AuditLog : public WriteHook {
 public:
  // Reads the head (last entry, or the anchor after a pruning).
  // INVALID_ARGUMENT "audit.retention_days: ..." below the minimum.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(Store* store, const Clock* clock, AuditOptions options);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Chains `entry` into `batch` (its seq, at, prev_hash and hash are set
  // here) and commits the batch, the caller's effects and the entry
  // together, in chain order. Returns the entry as committed.
  absl::StatusOr<v1::AuditEntry> Append(rocksdb::WriteBatch* batch, v1::AuditEntry entry)
      ABSL_LOCKS_EXCLUDED(mu_);
  // An entry in a synced batch of its own (refusals, acts with no effect).
  absl::StatusOr<v1::AuditEntry> Record(v1::AuditEntry entry) ABSL_LOCKS_EXCLUDED(mu_);

  // WriteHook: a write made while an AuditScope is open carries the scope's
  // entry (once); any other write goes straight to the store.
  absl::Status Write(rocksdb::WriteBatch* batch) override;

  // Signs the checkpoints that are due (every N entries; the head after the
  // interval), stores them and hands them to the publishers.
  absl::Status MaybeCheckpoint() ABSL_LOCKS_EXCLUDED(mu_, checkpoint_mu_);
  // Signs a checkpoint at the head now (FAILED_PRECONDITION without signer
  // or when the trail is empty).
  absl::StatusOr<v1::AuditCheckpoint> CheckpointNow() ABSL_LOCKS_EXCLUDED(mu_, checkpoint_mu_);
  void AddPublisher(CheckpointPublisher p) ABSL_LOCKS_EXCLUDED(checkpoint_mu_);

  // Removes the entries older than `before`, which must be at least
  // retention_days before now (FAILED_PRECONDITION otherwise, naming the
  // limit). Leaves a signed anchor at the last removed entry, from which
  // verification starts; `act` (the pruning's own entry) is chained in the
  // same batch as the removal. Needs a signer.
  absl::StatusOr<PruneResult> Prune(absl::Time before, v1::AuditEntry act) ABSL_LOCKS_EXCLUDED(mu_);

  // Entries from seq `from_seq` on that match, at most `limit`. With a
  // subject, account or unit filter only the index's entries are read.
  absl::StatusOr<AuditPage> List(const AuditFilter& filter, uint64_t from_seq, size_t limit) const;
  // The anchor, then every entry, in seq order, until fn returns false.
  absl::Status Export(const std::function<bool(const v1::AuditTrailLine&)>& fn) const;
  // The checkpoints after after_seq, in seq order; DATA_LOSS for one that
  // does not parse, and a read error is returned.
  absl::StatusOr<std::vector<v1::AuditCheckpoint>> Checkpoints(uint64_t after_seq) const;
  // The signed head of the pruned entries (none before the first prune);
  // a read error or an anchor that does not parse is returned, never taken
  // for "none".
  absl::StatusOr<std::optional<v1::AuditCheckpoint>> Anchor() const;
  // The last committed entry's seq and hash (0 and the genesis hash, or the
  // anchor's, when there is none).
  std::pair<uint64_t, std::string> Head() const ABSL_LOCKS_EXCLUDED(mu_);
  const AuditOptions& options() const { return options_; }

  // Makes the next group commits fail with `s` before anything is written
  // (until cleared with OkStatus): the fault tests' way to make an entry
  // impossible to write.
  void InjectAppendFaultForTesting(absl::Status s) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Writer;
  AuditLog(Store* store, const Clock* clock, AuditOptions options);
  absl::Status CommitGroup(Writer* w) ABSL_LOCKS_EXCLUDED(mu_);
  // Signs a checkpoint at `seq` and adds it to `batch`. A periodic one also
  // carries the hashes of entries (covered_from, seq] (the last
  // max_checkpoint_entries of them), read from the store.
  absl::StatusOr<v1::AuditCheckpoint> SignAndStore(uint64_t seq, const std::string& hash,
                                                   v1::AuditCheckpointKind kind, rocksdb::WriteBatch* batch,
                                                   uint64_t covered_from = 0);
  void Publish(const v1::AuditCheckpoint& c) ABSL_LOCKS_EXCLUDED(checkpoint_mu_);

  // Constant after construction.
  Store* const store_;
  const Clock* const clock_;
  const AuditOptions options_;

  mutable absl::Mutex mu_;
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(mu_);
  uint64_t head_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::string head_hash_ ABSL_GUARDED_BY(mu_);
  absl::Status fault_ ABSL_GUARDED_BY(mu_);
  // Entries whose seq is a multiple of checkpoint_every, not yet signed.
  std::vector<std::pair<uint64_t, std::string>> due_checkpoints_ ABSL_GUARDED_BY(mu_);

  absl::Mutex checkpoint_mu_ ABSL_ACQUIRED_AFTER(mu_);
  uint64_t last_checkpoint_seq_ ABSL_GUARDED_BY(checkpoint_mu_) = 0;
  absl::Time last_checkpoint_at_ ABSL_GUARDED_BY(checkpoint_mu_);
  std::vector<CheckpointPublisher> publishers_ ABSL_GUARDED_BY(checkpoint_mu_);

  absl::Mutex prune_mu_;  // one pruning at a time
};

}  // namespace duban::audit

#endif  // DUBAN_ENGINE_AUDIT_AUDIT_LOG_H_
