// engine/storage: reads that meet an I/O error report it (Scan, Exists),
// and YAML documents with a key given twice are refused.
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "duban/v1/model.pb.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/outbox.h"
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

// A record that does not parse is an error naming its key, never skipped:
// skipping it would list the others as if they were all there is.
TEST(StoreTest, ScanRecordsRefusesARecordThatDoesNotParse) {
  TempDir dir;
  auto s = Store::Open(dir.sub("db"));
  ASSERT_TRUE(s.ok());
  v1::Unit a, c;
  a.set_id("u-a");
  a.set_name("A");
  c.set_id("u-c");
  c.set_name("C");
  rocksdb::WriteBatch b;
  (*s)->Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kUnit, "u-a"), a);
  (*s)->Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kUnit, "u-c"), c);
  ASSERT_TRUE((*s)->Write(&b).ok());
  auto good = ScanRecords<v1::Unit>(**s, Cf::kEntities, keys::EntityPrefix(keys::Kind::kUnit));
  ASSERT_TRUE(good.ok()) << good.status();
  ASSERT_EQ(good->size(), 2u);
  EXPECT_EQ((*good)[1].id(), "u-c");

  rocksdb::WriteBatch bad;
  (*s)->Put(&bad, Cf::kEntities, keys::Entity(keys::Kind::kUnit, "u-b"), absl::string_view("\xff\xff\xff", 3));
  ASSERT_TRUE((*s)->Write(&bad).ok());
  auto r = ScanRecords<v1::Unit>(**s, Cf::kEntities, keys::EntityPrefix(keys::Kind::kUnit));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_NE(r.status().message().find("u-b"), std::string::npos) << r.status();
}

// The organisation directory is read whole at open: a damaged unit record
// stops the engine from opening, rather than opening without that unit.
TEST(StoreTest, EngineDoesNotOpenOverADamagedUnitRecord) {
  TempDir dir;
  SimulatedClock clock(absl::FromUnixSeconds(1685581200));
  {
    auto e = Engine::Open(dir.path(), &clock);
    ASSERT_TRUE(e.ok()) << e.status();
    rocksdb::WriteBatch b;
    (*e)->store().Put(&b, Cf::kEntities, keys::Entity(keys::Kind::kUnit, "u-x"), absl::string_view("\xff\xff", 2));
    ASSERT_TRUE((*e)->store().WriteDirect(&b).ok());
  }
  auto e = Engine::Open(dir.path(), &clock);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kDataLoss) << e.status();
  EXPECT_NE(e.status().message().find("u-x"), std::string::npos) << e.status();
}

// A notification that does not parse is DATA_LOSS naming its seq, in a
// recipient's list and in the global log (before, it was skipped).
TEST(StoreTest, OutboxRefusesANotificationThatDoesNotParse) {
  TempDir dir;
  auto s = Store::Open(dir.sub("db"));
  ASSERT_TRUE(s.ok()) << s.status();
  Outbox outbox(s->get());
  ASSERT_TRUE(outbox.Init().ok());
  std::vector<v1::Notification> notes(2);
  for (auto& n : notes) {
    n.set_recipient("swj");
    n.set_title("报送提醒");
  }
  rocksdb::WriteBatch b;
  ASSERT_TRUE(outbox.Commit(&b, &notes).ok());
  ASSERT_EQ(outbox.ReadAll(0, 10).value().size(), 2u);
  rocksdb::WriteBatch damage;
  (*s)->Put(&damage, Cf::kOutbox, keys::OutboxGlobal(notes[1].seq()), std::string("\xff\xff\xff", 3));
  (*s)->Put(&damage, Cf::kOutbox, keys::Outbox("swj", notes[1].seq()), std::string("\xff\xff\xff", 3));
  ASSERT_TRUE((*s)->Write(&damage).ok());
  auto all = outbox.ReadAll(0, 10);
  EXPECT_EQ(all.status().code(), absl::StatusCode::kDataLoss) << all.status();
  EXPECT_NE(all.status().message().find(absl::StrCat("notification ", notes[1].seq())), std::string::npos)
      << all.status();
  auto mine = outbox.Read("swj", 0, 10);
  EXPECT_EQ(mine.status().code(), absl::StatusCode::kDataLoss) << mine.status();
  // What comes before the damaged one still reads.
  auto first = outbox.ReadAll(0, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 1u);
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
