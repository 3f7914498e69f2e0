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
  kCount,
};

const char* CfName(Cf cf);

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
  // True when the key is present, false when absent; an I/O error is an
  // error, never "absent".
  absl::StatusOr<bool> Exists(Cf cf, absl::string_view key) const;

  // Applies the batch atomically, with the WAL synced before returning.
  absl::Status Write(rocksdb::WriteBatch* batch);

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
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<int>(Cf::kCount)> handles_{};
};

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_STORE_H_
