// Store: RocksDB with duban's column families (see keys.h for the layout).
#ifndef DUBAN_ENGINE_STORAGE_STORE_H_
#define DUBAN_ENGINE_STORAGE_STORE_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/write_buffer_manager.h"
#include "rocksdb/write_batch.h"

namespace duban {

enum class Cf : int {
  kMeta = 0,
  kEntities,
  kEvents,
  kIndex,
  kRequests,
  kTimers,
  kOutbox,
  kAudit,  // the audit trail (engine/audit/audit_log.h)
  kCount,
};

const char* CfName(Cf cf);

// Takes over Store::Write when installed: the audit trail chains an entry
// into the batch of the command being run, and commits it in chain order.
class WriteHook {
 public:
  virtual ~WriteHook() = default;
  virtual absl::Status Write(rocksdb::WriteBatch* batch) = 0;
};

// How the store uses memory and disk. Every field has a default that suits
// a small daemon; duband exposes them as flags and config keys.
struct StoreOptions {
  // RocksDB environment (files, threads, clock). nullptr: the default one.
  // Not owned; must outlive the store. Tests pass one that injects faults.
  rocksdb::Env* env = nullptr;
  // Block cache shared by every column family; index and filter blocks are
  // kept in it too, so reads use at most about this much memory.
  uint64_t block_cache_bytes = 64ull << 20;
  // Memtables of all column families together; a column family is flushed
  // when the total passes this.
  uint64_t write_buffer_bytes = 64ull << 20;
  // Write-ahead log bound: when the live logs pass this, the column families
  // they hold are flushed, so a restart replays at most about this much.
  uint64_t max_wal_bytes = 64ull << 20;
  // Flush every memtable when the store is closed, so the next open replays
  // no log.
  bool flush_on_close = true;
};

class Store {
 public:
  // Opens (creating if needed) the store in dir.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options = {});
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Returns NotFound when the key is absent.
  absl::StatusOr<std::string> Get(Cf cf, absl::string_view key) const;
  // Reads and parses a record; NotFound when absent, DataLoss when unparsable.
  absl::Status GetProto(Cf cf, absl::string_view key, google::protobuf::MessageLite* msg) const;
  // True when the key is present, false when absent; an I/O error is an
  // error, never "absent".
  absl::StatusOr<bool> Exists(Cf cf, absl::string_view key) const;

  // Applies the batch atomically, with the WAL synced before returning;
  // through the write hook when one is installed (the audit trail).
  //
  // A write or sync that fails returns UNAVAILABLE (a full disk:
  // RESOURCE_EXHAUSTED) and is not visible to readers. From then on the
  // store refuses every write with UNAVAILABLE, and reads go on: after a
  // failed sync the kernel may have dropped the log's unwritten pages, so
  // only a fresh open knows what is on the disk. The owner stops (duband
  // exits non-zero; see write_failed) and the next open replays the log:
  // the failed batch is then there whole or not at all, never in part.
  absl::Status Write(rocksdb::WriteBatch* batch);
  // Write without the hook (the hook's own commits).
  absl::Status WriteDirect(rocksdb::WriteBatch* batch);
  // Installs the hook (nullptr: none). Not synchronised with Write: install
  // it before the store is shared.
  void SetWriteHook(WriteHook* hook) { hook_ = hook; }
  // True once a write has failed on the disk; WriteFailure says how.
  bool write_failed() const { return failed_.load(std::memory_order_acquire); }
  std::string WriteFailure() const;

  // Calls fn(key, value) for every key with the prefix, in order, until fn
  // returns false. start, when given, is where to begin (>= prefix).
  // Returns the iterator's error when the scan stopped on one (the keys
  // passed to fn so far are then an incomplete list).
  absl::Status Scan(Cf cf, absl::string_view prefix,
            const std::function<bool(absl::string_view key, absl::string_view value)>& fn,
            absl::string_view start = {}) const;

  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return handles_[static_cast<int>(cf)]; }
  rocksdb::DB* db() const { return db_.get(); }
  const std::string& dir() const { return dir_; }

  // The last key with the prefix, or NotFound when there is none.
  absl::StatusOr<std::string> LastKey(Cf cf, absl::string_view prefix) const;

  // Adds a Put of a serialized record to a batch.
  void Put(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key,
           const google::protobuf::MessageLite& msg) const;
  void Put(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key, absl::string_view value) const;
  void Delete(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key) const;

 private:
  Store() = default;
  std::string dir_;
  WriteHook* hook_ = nullptr;
  StoreOptions options_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers_;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<bool> failed_{false};  // a write failed: no more writes
  mutable std::mutex failure_mu_;
  std::string failure_;  // guarded by failure_mu_
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<int>(Cf::kCount)> handles_{};
};

// Every record stored under `prefix` in `cf`, parsed as T, in key order. A
// value that does not parse is DATA_LOSS naming its key (never skipped); a
// read error is returned as it is.
template <typename T>
absl::StatusOr<std::vector<T>> ScanRecords(const Store& store, Cf cf, absl::string_view prefix) {
  std::vector<T> out;
  std::string bad;
  bool unparsed = false;
  absl::Status s = store.Scan(cf, prefix, [&](absl::string_view key, absl::string_view value) {
    T rec;
    if (!rec.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      bad = std::string(key.substr(0, 64));
      unparsed = true;
      return false;
    }
    out.push_back(std::move(rec));
    return true;
  });
  if (!s.ok()) return s;
  if (unparsed) {
    return absl::DataLossError(absl::StrCat(CfName(cf), ": the record at '", absl::CHexEscape(bad), "' cannot be parsed"));
  }
  return out;
}

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_STORE_H_
