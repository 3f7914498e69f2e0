// engine/storage: reads that meet an I/O error report it (Scan, Exists),
// and YAML documents with a key given twice are refused.
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using testing::TempDir;

// A store whose events are flushed to one table file, which is then
// damaged in the middle (its footer and index stay intact, so the store
// opens, and reads of the damaged blocks fail their checksums).
class DamagedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto s = Store::Open(dir_.sub("db"));
      ASSERT_TRUE(s.ok()) << s.status();
      std::string value(1000, 'v');
      for (int i = 0; i < kRecords; ++i) {
        rocksdb::WriteBatch b;
        (*s)->Put(&b, Cf::kEvents, keys::Event("T1", i + 1), value);
        ASSERT_TRUE((*s)->Write(&b).ok());
      }
      ASSERT_TRUE((*s)->db()->Flush(rocksdb::FlushOptions(), (*s)->handle(Cf::kEvents)).ok());
    }
    // The largest table file holds the events.
    std::string biggest;
    uintmax_t size = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_.sub("db"))) {
      if (e.path().extension() == ".sst" && e.file_size() > size) {
        size = e.file_size();
        biggest = e.path().string();
      }
    }
    ASSERT_FALSE(biggest.empty());
    ASSERT_GT(size, 100000u);
    std::fstream f(biggest, std::ios::in | std::ios::out | std::ios::binary);
    for (uintmax_t off = size / 4; off < size / 2; off += 4096) {
      f.seekp(static_cast<std::streamoff>(off));
      f.write("CORRUPTED-BLOCK!", 16);
    }
    f.close();
    auto s = Store::Open(dir_.sub("db"));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }

  static constexpr int kRecords = 2000;
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(DamagedStoreTest, ScanReportsTheIteratorsError) {
  int seen = 0;
  absl::Status s = store_->Scan(Cf::kEvents, keys::EventPrefix("T1"), [&](absl::string_view, absl::string_view) {
    ++seen;
    return true;
  });
  EXPECT_LT(seen, kRecords);
  EXPECT_FALSE(s.ok()) << "a scan that stopped at " << seen << " of " << kRecords << " records reported OK";
}

TEST_F(DamagedStoreTest, ExistsReportsAnErrorNotAbsent) {
  // Some key in the damaged range: its read fails rather than saying absent.
  bool saw_error = false;
  for (int i = 1; i <= kRecords && !saw_error; ++i) {
    auto r = store_->Exists(Cf::kEvents, keys::Event("T1", i));
    if (!r.ok()) {
      saw_error = true;
    } else {
      EXPECT_TRUE(*r) << "record " << i << " reported absent";
      if (!*r) break;
    }
  }
  EXPECT_TRUE(saw_error);
}

TEST(StoreTest, ExistsTellsPresentFromAbsent) {
  TempDir dir;
  auto s = Store::Open(dir.sub("db"));
  ASSERT_TRUE(s.ok());
  rocksdb::WriteBatch b;
  (*s)->Put(&b, Cf::kMeta, "here", "1");
  ASSERT_TRUE((*s)->Write(&b).ok());
  auto here = (*s)->Exists(Cf::kMeta, "here");
  auto gone = (*s)->Exists(Cf::kMeta, "gone");
  ASSERT_TRUE(here.ok() && gone.ok());
  EXPECT_TRUE(*here);
  EXPECT_FALSE(*gone);
}

TEST(YamlTest, RefusesAKeyGivenTwice) {
  auto doc = yamlx::Parse("plan.yaml", "plan:\n  id: a\n  name: x\n  id: b\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(doc.status().message().find("plan.yaml:4: duplicate key 'id'"), std::string::npos) << doc.status();
  auto top = yamlx::Parse("c.yaml", "listen: a\nlisten: b\n");
  EXPECT_FALSE(top.ok());
  EXPECT_TRUE(yamlx::Parse("ok.yaml", "a:\n  id: 1\nb:\n  id: 2\n").ok());
}

}  // namespace
}  // namespace duban
