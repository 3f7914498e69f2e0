#include "engine/storage/store.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"

namespace duban {

const char* CfName(Cf cf) {
  switch (cf) {
    case Cf::kMeta: return rocksdb::kDefaultColumnFamilyName.c_str();
    case Cf::kEntities: return "entities";
    case Cf::kEvents: return "events";
    case Cf::kIndex: return "index";
    case Cf::kRequests: return "requests";
    case Cf::kTimers: return "timers";
    case Cf::kOutbox: return "outbox";
    case Cf::kCount: break;
  }
  return "?";
}

static absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat(what, ": not found"));
  return absl::InternalError(absl::StrCat(what, ": rocksdb: ", s.ToString()));
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir) {
  std::unique_ptr<Store> store(new Store);
  store->dir_ = dir;
  rocksdb::DBOptions opts;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  opts.keep_log_file_num = 5;
  opts.max_background_jobs = 2;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    rocksdb::ColumnFamilyOptions cfo;
    cfo.OptimizeForPointLookup(16);
    if (static_cast<Cf>(i) == Cf::kTimers || static_cast<Cf>(i) == Cf::kEvents ||
        static_cast<Cf>(i) == Cf::kIndex || static_cast<Cf>(i) == Cf::kOutbox) {
      cfo = rocksdb::ColumnFamilyOptions();  // range scans
    }
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
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, batch), "write");
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
