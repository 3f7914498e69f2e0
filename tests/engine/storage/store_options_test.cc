// The store's bounds: the write-ahead log stays near max_wal_bytes however
// much is written, a clean close flushes so the next open replays nothing,
// and duband's config reads the sizes (storage: in duband.yaml) and refuses
// bad ones naming the field.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/storage/store.h"
#include "gtest/gtest.h"
#include "services/config.h"
#include "tests/status_matchers.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::IsError;
using testing::Scaled;
using testing::TempDir;

// Total size of the write-ahead log files in dir (a log RocksDB removes
// while this looks is not counted).
uint64_t WalBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".log") continue;
    std::error_code size_ec;
    uint64_t size = std::filesystem::file_size(e.path(), size_ec);
    if (!size_ec) n += size;
  }
  return n;
}

// Writes `mib` MiB of events, and now and then one meta key: a column family
// written rarely is what keeps old logs alive unless the store bounds them.
// Returns the largest log size seen after a write.
//
// With catch_up_above > 0, a write that leaves the log larger than that
// waits (up to 20 s, times TimeScale()) for the log to shrink back, before
// the size is taken: the store's flushes run in the background, and under
// a sanitizer they fall far behind the writes. A store that does not bound
// its log never shrinks it, so the wait ends without a shrink, waits no
// more, and the size taken keeps growing with every write.
uint64_t WriteAndTrackWal(Store* store, const std::string& dir, int mib, uint64_t catch_up_above = 0) {
  std::string value(64 << 10, 'e');
  uint64_t most = 0;
  bool catching_up = catch_up_above > 0;
  for (int i = 0; i < mib * 16; ++i) {
    rocksdb::WriteBatch b;
    store->Put(&b, Cf::kEvents, absl::StrCat("T1", std::string(1, '\0'), i), value);
    if (i % 32 == 0) store->Put(&b, Cf::kMeta, "marker", std::to_string(i));
    EXPECT_TRUE(store->Write(&b).ok());
    if (catching_up && WalBytes(dir) > catch_up_above) {
      const auto deadline = std::chrono::steady_clock::now() + Scaled(std::chrono::seconds(20));
      while (WalBytes(dir) > catch_up_above && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      catching_up = WalBytes(dir) <= catch_up_above;
    }
    if (catch_up_above > 0 || i % 4 == 0) most = std::max(most, WalBytes(dir));
  }
  return most;
}

TEST(StoreOptionsTest, WriteAheadLogStaysNearItsBound) {
  TempDir dir;
  StoreOptions o;
  o.max_wal_bytes = 2ull << 20;
  o.write_buffer_bytes = 256ull << 20;  // memtables alone would never flush
  uint64_t most = 0;
  {
    auto store = Store::Open(dir.path(), o);
    ASSERT_TRUE(store.ok()) << store.status();
    // A write past twice the bound waits for the flush it started.
    most = WriteAndTrackWal(store->get(), dir.path(), 24, 2 * o.max_wal_bytes);
  }
  // Flushing is asynchronous; allow some writes past the bound while it runs.
  EXPECT_LT(most, 8ull << 20) << "the log grew to " << most << " bytes for a 2 MiB bound";
}

TEST(StoreOptionsTest, WithoutTheBoundTheLogWouldGrow) {
  // The control for the test above: the same writes with a large bound keep
  // every byte in the log, so the bound is what kept it small.
  TempDir dir;
  StoreOptions o;
  o.max_wal_bytes = 1ull << 30;
  o.write_buffer_bytes = 256ull << 20;
  auto store = Store::Open(dir.path(), o);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_GT(WriteAndTrackWal(store->get(), dir.path(), 24), 16ull << 20);
}

TEST(StoreOptionsTest, CleanCloseFlushesSoTheNextOpenReplaysNoLog) {
  TempDir dir;
  {
    auto store = Store::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    std::string value(64 << 10, 'v');
    for (int i = 0; i < 80; ++i) {
      rocksdb::WriteBatch b;
      (*store)->Put(&b, Cf::kEntities, absl::StrCat("T", i), value);
      ASSERT_TRUE((*store)->Write(&b).ok());
    }
    EXPECT_GT(WalBytes(dir.path()), 4000000u);
  }
  EXPECT_LT(WalBytes(dir.path()), 64u << 10) << "the log still holds the data after a clean close";
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  auto v = (*store)->Get(Cf::kEntities, "T79");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->size(), 64u << 10);
}

TEST(StoreOptionsTest, ConfigReadsTheStorageSizes) {
  TempDir dir;
  std::string path = dir.sub("duband.yaml");
  std::ofstream(path) << "storage:\n  block_cache_mb: 16\n  write_buffer_mb: 8\n  max_wal_mb: 32\n";
  auto c = LoadDaemonConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->engine.store.block_cache_bytes, 16ull << 20);
  EXPECT_EQ(c->engine.store.write_buffer_bytes, 8ull << 20);
  EXPECT_EQ(c->engine.store.max_wal_bytes, 32ull << 20);
}

TEST(StoreOptionsTest, ConfigDefaultsWhenStorageIsAbsent) {
  TempDir dir;
  std::string path = dir.sub("duband.yaml");
  std::ofstream(path) << "listen: 127.0.0.1:0\n";
  auto c = LoadDaemonConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->engine.store.block_cache_bytes, StoreOptions().block_cache_bytes);
  EXPECT_EQ(c->engine.store.max_wal_bytes, StoreOptions().max_wal_bytes);
}

TEST(StoreOptionsTest, ConfigRefusesBadSizesNamingTheField) {
  TempDir dir;
  for (const char* bad : {"storage:\n  block_cache_mb: 0\n", "storage:\n  max_wal_mb: -5\n",
                          "storage:\n  write_buffer_mb: 2000000\n"}) {
    std::string path = dir.sub("duband.yaml");
    std::ofstream(path) << bad;
    auto c = LoadDaemonConfig(path);
    std::string field = std::string(bad).substr(11, std::string(bad).find(':', 11) - 11);
    EXPECT_TRUE(IsError(c.status(), absl::StatusCode::kInvalidArgument, "storage." + field)) << bad;
  }
  std::string path = dir.sub("duband.yaml");
  std::ofstream(path) << "storage:\n  cache_mb: 10\n";
  EXPECT_TRUE(IsError(LoadDaemonConfig(path).status(), absl::StatusCode::kInvalidArgument, "cache_mb"));
}

}  // namespace
}  // namespace duban
