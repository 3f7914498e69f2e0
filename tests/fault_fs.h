// FaultFs: a RocksDB FileSystem for tests that fails writes or syncs on
// demand, or reports a full disk. Thread-safe: a test flips the fault from
// its own thread while the store writes from others.
//
//   auto fs = FaultFs::Create();
//   auto env = fs->NewEnv();              // keep it alive as long as the store
//   StoreOptions o; o.env = env.get();
//   fs->Set(FaultFs::Fault::kSync);       // every sync now fails with an I/O error
//   fs->Set(FaultFs::Fault::kNone);       // and works again
#ifndef DUBAN_TESTS_FAULT_FS_H_
#define DUBAN_TESTS_FAULT_FS_H_

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace duban::testing {

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault {
    kNone,
    kWrite,      // appends fail with an I/O error
    kSync,       // syncs fail with an I/O error (appends go through)
    kDiskFull,   // appends and syncs fail with "no space" (ENOSPC)
  };

  FaultFs() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}

  static const char* kClassName() { return "DubanFaultFs"; }
  const char* Name() const override { return kClassName(); }

  // An Env on this file system (threads and clock from the default one).
  std::unique_ptr<rocksdb::Env> NewEnv() {
    return rocksdb::NewCompositeEnv(std::shared_ptr<rocksdb::FileSystem>(shared_from_this_fs()));
  }

  void Set(Fault f) { fault_.store(f); }
  Fault fault() const { return fault_.load(); }
  // Number of operations failed so far.
  int failures() const { return failures_.load(); }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, r, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(*r), this);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, o, r, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(*r), this);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReuseWritableFile(f, old, o, r, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(*r), this);
    return s;
  }

 private:
  // The error for an operation of the given kind, or OK.
  rocksdb::IOStatus Check(bool is_sync) {
    Fault f = fault_.load();
    if (f == Fault::kNone || (f == Fault::kWrite && is_sync) || (f == Fault::kSync && !is_sync)) {
      return rocksdb::IOStatus::OK();
    }
    failures_.fetch_add(1);
    if (f == Fault::kDiskFull) return rocksdb::IOStatus::NoSpace("injected: no space left on device");
    return rocksdb::IOStatus::IOError(is_sync ? "injected: sync failed" : "injected: write failed");
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile>&& t, FaultFs* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(t)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(false);
      return s.ok() ? target()->Append(d, o, dbg) : s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(false);
      return s.ok() ? target()->Append(d, o, v, dbg) : s;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& d, uint64_t off, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(false);
      return s.ok() ? target()->PositionedAppend(d, off, o, dbg) : s;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& d, uint64_t off, const rocksdb::IOOptions& o,
                                       const rocksdb::DataVerificationInfo& v,
                                       rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(false);
      return s.ok() ? target()->PositionedAppend(d, off, o, v, dbg) : s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(true);
      return s.ok() ? target()->Sync(o, dbg) : s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(true);
      return s.ok() ? target()->Fsync(o, dbg) : s;
    }
    rocksdb::IOStatus RangeSync(uint64_t off, uint64_t n, const rocksdb::IOOptions& o,
                                rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->Check(true);
      return s.ok() ? target()->RangeSync(off, n, o, dbg) : s;
    }

   private:
    FaultFs* fs_;
  };

  std::shared_ptr<rocksdb::FileSystem> shared_from_this_fs() { return self_.lock(); }

 public:
  // FaultFs is always held by a shared_ptr; Create() records it so NewEnv
  // can share ownership.
  static std::shared_ptr<FaultFs> Create() {
    auto fs = std::make_shared<FaultFs>();
    fs->self_ = fs;
    return fs;
  }

 private:
  std::weak_ptr<FaultFs> self_;
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int> failures_{0};
};

}  // namespace duban::testing

#endif  // DUBAN_TESTS_FAULT_FS_H_
