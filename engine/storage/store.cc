#include "engine/storage/store.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

#if defined(__SANITIZE_THREAD__)
#define DUBAN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DUBAN_TSAN 1
#endif
#endif
#ifdef DUBAN_TSAN
// ThreadSanitizer's runtime: accesses by this thread are not checked between
// the two calls.
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif

namespace duban {

namespace {
// RocksDB groups concurrent writes: the first writer's thread copies the
// batches of the writers queued behind it into one log record. That hand-over
// is synchronised inside librocksdb, which a ThreadSanitizer build cannot see
// (Debian's library is not instrumented), so TSan would report every copy as
// a race with the thread that filled the batch. In a TSan build the memory
// accesses a thread makes inside DB::Write are not checked; its locks still
// are, and so is everything duban does before and after the call.
class UncheckedInsideRocksDb {
 public:
#ifdef DUBAN_TSAN
  UncheckedInsideRocksDb() { __tsan_ignore_thread_begin(); }
  ~UncheckedInsideRocksDb() { __tsan_ignore_thread_end(); }
#endif
};
}  // namespace

const char* CfName(Cf cf) {
  switch (cf) {
    case Cf::kMeta: return rocksdb::kDefaultColumnFamilyName.c_str();
    case Cf::kEntities: return "entities";
    case Cf::kEvents: return "events";
    case Cf::kIndex: return "index";
    case Cf::kRequests: return "requests";
    case Cf::kTimers: return "timers";
    case Cf::kOutbox: return "outbox";
    case Cf::kAudit: return "audit";
    case Cf::kCount: break;
  }
  return "?";
}

static absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat(what, ": not found"));
  return absl::InternalError(absl::StrCat(what, ": rocksdb: ", s.ToString()));
}

// A write that failed: UNAVAILABLE (retry once the fault is gone), or
// RESOURCE_EXHAUSTED when the disk is full.
static absl::Status WriteError(const std::string& dir, const rocksdb::Status& s) {
  if (s.IsNoSpace()) {
    return absl::ResourceExhaustedError(absl::StrCat("data_dir ", dir, ": disk full, nothing written: ", s.ToString()));
  }
  if (s.IsIOError()) {
    return absl::UnavailableError(absl::StrCat("data_dir ", dir, ": write failed, nothing written: ", s.ToString()));
  }
  return FromRocks(s, "write");
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store);
  store->dir_ = dir;
  store->options_ = options;
  store->cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  store->write_buffers_ = std::make_shared<rocksdb::WriteBufferManager>(options.write_buffer_bytes);
  rocksdb::DBOptions opts;
  if (options.env != nullptr) opts.env = options.env;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.keep_log_file_num = 5;
  opts.max_background_jobs = 2;
  opts.max_total_wal_size = options.max_wal_bytes;
  opts.write_buffer_manager = store->write_buffers_;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = store->cache_;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  auto table_factory = std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(table));
  // One memtable may take up to a quarter of the budget (at least 4 MiB),
  // so that several column families can be written between flushes.
  uint64_t memtable = std::max<uint64_t>(4ull << 20, options.write_buffer_bytes / 4);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    rocksdb::ColumnFamilyOptions cfo;
    cfo.table_factory = table_factory;
    cfo.write_buffer_size = memtable;
    cfs.emplace_back(CfName(static_cast<Cf>(i)), cfo);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(opts, dir, cfs, &handles, &raw);
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat("data_dir ", dir, ": cannot open store: ", s.ToString()));
  }
  store->db_.reset(raw);
  for (size_t i = 0; i < handles.size(); ++i) store->handles_[i] = handles[i];
  return store;
}

Store::~Store() {
  if (!db_) return;
  if (options_.flush_on_close && !write_failed()) {
    std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(), handles_.end());
    rocksdb::FlushOptions fo;
    rocksdb::Status s = db_->Flush(fo, all);
    (void)s;  // a store that cannot flush replays its log on the next open
  }
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
}

absl::StatusOr<std::string> Store::Get(Cf cf, absl::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(cf), rocksdb::Slice(key.data(), key.size()), &value);
  if (!s.ok()) return FromRocks(s, CfName(cf));
  return value;
}

absl::Status Store::GetProto(Cf cf, absl::string_view key, google::protobuf::MessageLite* msg) const {
  auto v = Get(cf, key);
  if (!v.ok()) return v.status();
  if (!msg->ParseFromString(*v)) {
    return absl::DataLossError(absl::StrCat(CfName(cf), ": record cannot be parsed"));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Store::Exists(Cf cf, absl::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(cf), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.ok()) return true;
  if (s.IsNotFound()) return false;
  return FromRocks(s, CfName(cf));
}

absl::StatusOr<std::string> Store::LastKey(Cf cf, absl::string_view prefix) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(cf)));
  std::string upper = keys::PrefixEnd(prefix);
  if (upper.empty()) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(rocksdb::Slice(upper));
    if (it->Valid() && it->key() == rocksdb::Slice(upper)) it->Prev();
  }
  if (!it->status().ok()) return FromRocks(it->status(), CfName(cf));
  if (!it->Valid() || !it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
    return absl::NotFoundError(absl::StrCat(CfName(cf), ": no key with the prefix"));
  }
  return it->key().ToString();
}

absl::Status Store::Write(rocksdb::WriteBatch* batch) {
  if (hook_ != nullptr) return hook_->Write(batch);
  return WriteDirect(batch);
}

absl::Status Store::WriteDirect(rocksdb::WriteBatch* batch) {
  if (failed_.load(std::memory_order_acquire)) {
    return absl::UnavailableError(absl::StrCat("data_dir ", dir_, ": ", WriteFailure()));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s;
  {
    UncheckedInsideRocksDb unchecked;
    s = db_->Write(wo, batch);
  }
  if (s.ok()) return absl::OkStatus();
  if (s.IsIOError()) {
    std::lock_guard<std::mutex> l(failure_mu_);
    if (failure_.empty()) {
      failure_ = absl::StrCat("taking no more writes after a failed write (", s.ToString(),
                              "); restart once the disk is fixed");
    }
    failed_.store(true, std::memory_order_release);
  }
  return WriteError(dir_, s);
}

std::string Store::WriteFailure() const {
  std::lock_guard<std::mutex> l(failure_mu_);
  return failure_;
}

absl::Status Store::Scan(Cf cf, absl::string_view prefix,
                         const std::function<bool(absl::string_view, absl::string_view)>& fn,
                         absl::string_view start) const {
  rocksdb::ReadOptions ro;
  std::string upper = keys::PrefixEnd(prefix);
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(cf)));
  absl::string_view from = start.empty() ? prefix : start;
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    absl::string_view key(k.data(), k.size());
    if (key.substr(0, prefix.size()) != prefix) break;
    rocksdb::Slice v = it->value();
    if (!fn(key, absl::string_view(v.data(), v.size()))) return absl::OkStatus();
  }
  // Valid() is false at the end and on an error; only status() tells which.
  return FromRocks(it->status(), absl::StrCat(CfName(cf), " scan"));
}

void Store::Put(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key,
                const google::protobuf::MessageLite& msg) const {
  Put(batch, cf, key, msg.SerializeAsString());
}

void Store::Put(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key, absl::string_view value) const {
  batch->Put(handle(cf), rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
}

void Store::Delete(rocksdb::WriteBatch* batch, Cf cf, absl::string_view key) const {
  batch->Delete(handle(cf), rocksdb::Slice(key.data(), key.size()));
}

}  // namespace duban
