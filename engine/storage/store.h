// Store: RocksDB with duban's column families (see keys.h for the layout).
#ifndef DUBAN_ENGINE_STORAGE_STORE_H_
#define DUBAN_ENGINE_STORAGE_STORE_H_

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"
#include "rocksdb/db.h"
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

class Store {
 public:
  // Opens (creating if needed) the store in dir.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir);
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Returns NotFound when the key is absent.
  absl::StatusOr<std::string> Get(Cf cf, absl::string_view key) const;
  // Reads and parses a record; NotFound when absent, DataLoss when unparsable.
  absl::Status GetProto(Cf cf, absl::string_view key, google::protobuf::MessageLite* msg) const;
  bool Exists(Cf cf, absl::string_view key) const;

  // Applies the batch atomically, with the WAL synced before returning;
  // through the write hook when one is installed.
  absl::Status Write(rocksdb::WriteBatch* batch);
  // Write without the hook (the hook's own commits).
  absl::Status WriteDirect(rocksdb::WriteBatch* batch);
  // Installs the hook (nullptr: none). Not synchronised with Write: install
  // it before the store is shared.
  void SetWriteHook(WriteHook* hook) { hook_ = hook; }

  // Calls fn(key, value) for every key with the prefix, in order, until fn
  // returns false. start, when given, is where to begin (>= prefix).
  void Scan(Cf cf, absl::string_view prefix,
            const std::function<bool(absl::string_view key, absl::string_view value)>& fn,
            absl::string_view start = {}) const;

  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return handles_[static_cast<int>(cf)]; }
  rocksdb::DB* db() const { return db_.get(); }
  const std::string& dir() const { return dir_; }

  // Adds a Put of a serialized record to a batch.
  void Put(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key,
           const google::protobuf::MessageLite& msg) const;
  void Put(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key, absl::string_view value) const;
  void Delete(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key) const;

 private:
  Store() = default;
  std::string dir_;
  WriteHook* hook_ = nullptr;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<int>(Cf::kCount)> handles_{};
};

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_STORE_H_
