// The key encoding of the store (engine/keys.h).
#include "engine/storage/keys.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace duban::keys {
namespace {

std::string U64(uint64_t v) {
  std::string s;
  AppendU64(&s, v);
  return s;
}

// Byte strings compared as RocksDB's default comparator does (unsigned bytes).
bool ByteLess(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
  });
}

const std::vector<uint64_t>& Samples() {
  static const std::vector<uint64_t> v = {0,
                                          1,
                                          2,
                                          127,
                                          128,
                                          255,
                                          256,
                                          257,
                                          65535,
                                          65536,
                                          (1ull << 32) - 1,
                                          1ull << 32,
                                          (1ull << 32) + 1,
                                          (1ull << 63) - 1,
                                          1ull << 63,
                                          (1ull << 63) + 1,
                                          UINT64_MAX - 1,
                                          UINT64_MAX};
  return v;
}

// ---------------------------------------------------------------- u64

TEST(U64, IsEightBytesBigEndian) {
  EXPECT_EQ(U64(0), std::string(8, '\0'));
  EXPECT_EQ(U64(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_EQ(U64(255), std::string("\0\0\0\0\0\0\0\xff", 8));
  EXPECT_EQ(U64(256), std::string("\0\0\0\0\0\0\x01\0", 8));
  EXPECT_EQ(U64(1ull << 32), std::string("\0\0\0\x01\0\0\0\0", 8));
  EXPECT_EQ(U64(1ull << 63), std::string("\x80\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(U64(0x0102030405060708ull), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

TEST(U64, RoundTrips) {
  for (uint64_t v : Samples()) {
    std::string s = U64(v);
    ASSERT_EQ(s.size(), 8u);
    EXPECT_EQ(DecodeU64(s), v) << v;
  }
}

TEST(U64, AppendsAfterExistingBytes) {
  std::string s = "ab";
  AppendU64(&s, 258);
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s.substr(0, 2), "ab");
  EXPECT_EQ(DecodeU64(absl::string_view(s).substr(2)), 258u);
}

TEST(U64, DecodeReadsOnlyTheFirstEightBytes) {
  std::string s = U64(42) + "trailing";
  EXPECT_EQ(DecodeU64(s), 42u);
}

TEST(U64, NumericOrderIsByteOrder) {
  const auto& v = Samples();
  for (size_t i = 0; i < v.size(); ++i) {
    for (size_t j = 0; j < v.size(); ++j) {
      EXPECT_EQ(v[i] < v[j], ByteLess(U64(v[i]), U64(v[j]))) << v[i] << " vs " << v[j];
    }
  }
}

// ---------------------------------------------------------------- entities

TEST(Entity, IsKindByteThenId) {
  EXPECT_EQ(Entity(Kind::kTask, "T17"), "TT17");
  EXPECT_EQ(Entity(Kind::kUnit, "fgj"), "Ufgj");
  EXPECT_EQ(EntityPrefix(Kind::kCampaign), "C");
  EXPECT_EQ(Entity(Kind::kPlan, "p").substr(0, 1), EntityPrefix(Kind::kPlan));
}

// ---------------------------------------------------------------- events

TEST(Event, KeysOfOneStreamSortByVersion) {
  std::vector<uint64_t> versions = {1, 2, 9, 10, 11, 255, 256, 1000, 65536, 1ull << 32};
  for (size_t i = 0; i + 1 < versions.size(); ++i) {
    EXPECT_TRUE(ByteLess(Event("T1", versions[i]), Event("T1", versions[i + 1])))
        << versions[i] << " < " << versions[i + 1];
  }
}

TEST(Event, KeysStartWithTheStreamPrefix) {
  std::string k = Event("T7", 3);
  EXPECT_EQ(k.substr(0, EventPrefix("T7").size()), EventPrefix("T7"));
  EXPECT_EQ(EventPrefix("T7"), std::string("T7\0", 3));
}

TEST(Event, StreamWhoseIdIsAPrefixDoesNotCollide) {
  // Every key of T10 is outside the prefix range of T1 and vice versa.
  std::string p1 = EventPrefix("T1");
  std::string end1 = PrefixEnd(p1);
  for (uint64_t v : {1ull, 2ull, 255ull, 256ull, 1ull << 40}) {
    std::string k10 = Event("T10", v);
    EXPECT_NE(k10.substr(0, p1.size()), p1);
    EXPECT_FALSE(!ByteLess(k10, p1) && ByteLess(k10, end1)) << "T10 key falls in T1's range";
    std::string k1 = Event("T1", v);
    EXPECT_NE(k1.substr(0, EventPrefix("T10").size()), EventPrefix("T10"));
    EXPECT_NE(k1, k10);
  }
  // And all of T1 sorts before all of T10.
  EXPECT_TRUE(ByteLess(Event("T1", UINT64_MAX), Event("T10", 0)));
}

TEST(Event, VersionParsesBack) {
  for (uint64_t v : Samples()) {
    auto got = EventVersion(Event("T42", v), "T42");
    ASSERT_TRUE(got.has_value()) << v;
    EXPECT_EQ(*got, v);
  }
}

TEST(Event, VersionRejectsAnotherStream) {
  EXPECT_FALSE(EventVersion(Event("T10", 5), "T1").has_value());
  EXPECT_FALSE(EventVersion(Event("T1", 5), "T10").has_value());
  EXPECT_FALSE(EventVersion(Event("T2", 5), "T1").has_value());
}

TEST(Event, VersionRejectsMalformedKeys) {
  EXPECT_FALSE(EventVersion("", "T1").has_value());
  EXPECT_FALSE(EventVersion("T1", "T1").has_value());
  EXPECT_FALSE(EventVersion(EventPrefix("T1"), "T1").has_value());
  std::string truncated = Event("T1", 5);
  truncated.pop_back();
  EXPECT_FALSE(EventVersion(truncated, "T1").has_value());
  EXPECT_FALSE(EventVersion(Event("T1", 5) + "x", "T1").has_value());
  std::string no_sep = "T1x" + U64(5);
  EXPECT_FALSE(EventVersion(no_sep, "T1").has_value());
}

// ---------------------------------------------------------------- index

TEST(Index, LayoutIsIndexSepValueSepNumber) {
  std::string k = Index("campaign", "economy", 17);
  EXPECT_EQ(k, std::string("campaign\0economy\0", 17) + U64(17));
  EXPECT_EQ(k.substr(0, IndexPrefix("campaign", "economy").size()), IndexPrefix("campaign", "economy"));
}

TEST(Index, TaskNumberParsesBack) {
  for (uint64_t n : {1ull, 17ull, 255ull, 256ull, 170ull, 1ull << 33}) {
    EXPECT_EQ(IndexTaskNumber(Index("due", "2023-12-31", n)), n);
  }
}

TEST(Index, TaskNumberOfMalformedKeyIsZero) {
  EXPECT_EQ(IndexTaskNumber(""), 0u);
  EXPECT_EQ(IndexTaskNumber("short"), 0u);
  EXPECT_EQ(IndexTaskNumber(std::string("a\0", 2) + std::string(7, '\x01')), 0u);
}

TEST(Index, KeysOfOneValueSortByTaskNumber) {
  std::vector<uint64_t> n = {1, 2, 9, 10, 99, 100, 255, 256, 1000};
  for (size_t i = 0; i + 1 < n.size(); ++i) {
    EXPECT_TRUE(ByteLess(Index("state", "2", n[i]), Index("state", "2", n[i + 1])));
  }
}

TEST(Index, ValueThatIsAPrefixOfAnotherDoesNotCollide) {
  std::string p = IndexPrefix("state", "1");
  std::string k = Index("state", "12", 1);
  EXPECT_NE(k.substr(0, p.size()), p);
  std::string u = IndexPrefix("unit", "town");
  EXPECT_NE(Index("unit", "town-daolin", 3).substr(0, u.size()), u);
}

// ---------------------------------------------------------------- timers

TEST(Timer, OrderedByDueTime) {
  std::vector<int64_t> due = {0, 1, 255, 256, 1'000'000, 1'700'000'000'000'000, INT64_MAX};
  for (size_t i = 0; i + 1 < due.size(); ++i) {
    EXPECT_TRUE(ByteLess(Timer(due[i], "zzz"), Timer(due[i + 1], "aaa"))) << due[i] << " < " << due[i + 1];
  }
}

TEST(Timer, SameDueOrderedById) {
  EXPECT_TRUE(ByteLess(Timer(5, "a"), Timer(5, "b")));
}

TEST(Timer, ParseRoundTrips) {
  for (int64_t due : {int64_t{0}, int64_t{1}, int64_t{1'700'000'000'123'456}, INT64_MAX}) {
    std::string k = Timer(due, "remind:T17");
    auto parts = ParseTimer(k);
    ASSERT_TRUE(parts.has_value()) << due;
    EXPECT_EQ(parts->due_unix_micros, due);
    EXPECT_EQ(parts->timer_id, "remind:T17");
  }
}

TEST(Timer, NegativeDueClampsToZero) {
  EXPECT_EQ(Timer(-1, "x"), Timer(0, "x"));
  EXPECT_EQ(Timer(INT64_MIN, "x"), Timer(0, "x"));
  // The parts view the key: it must outlive them.
  const std::string key = Timer(-123456, "neg");
  auto parts = ParseTimer(key);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->due_unix_micros, 0);
  EXPECT_EQ(parts->timer_id, "neg");
}

TEST(Timer, ParseRejectsMalformedKeys) {
  EXPECT_FALSE(ParseTimer("").has_value());
  EXPECT_FALSE(ParseTimer(U64(5)).has_value());
  EXPECT_FALSE(ParseTimer(U64(5) + std::string(1, '\0')).has_value());  // empty id
  EXPECT_FALSE(ParseTimer(U64(5) + "xid").has_value());                 // no separator
}

// ---------------------------------------------------------------- outbox

TEST(Outbox, KeysOfOneRecipientSortBySequence) {
  EXPECT_TRUE(ByteLess(Outbox("fgj", 255), Outbox("fgj", 256)));
  std::string p = OutboxPrefix("fgj");
  EXPECT_EQ(Outbox("fgj", 1).substr(0, p.size()), p);
  EXPECT_NE(Outbox("fgjx", 1).substr(0, p.size()), p);
}

// ---------------------------------------------------------------- PrefixEnd

TEST(PrefixEnd, IncrementsTheLastByte) {
  EXPECT_EQ(PrefixEnd("abc"), "abd");
  EXPECT_EQ(PrefixEnd(std::string("T1\0", 3)), std::string("T1\x01", 3));
}

TEST(PrefixEnd, DropsTrailingFfBytes) {
  EXPECT_EQ(PrefixEnd(std::string("ab\xff", 3)), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(PrefixEnd(std::string("a\xfe\xff", 3)), std::string("a\xff", 2));
}

TEST(PrefixEnd, AllFfOrEmptyHasNoUpperBound) {
  EXPECT_EQ(PrefixEnd(""), "");
  EXPECT_EQ(PrefixEnd(std::string("\xff\xff", 2)), "");
}

TEST(PrefixEnd, IsGreaterThanEveryKeyWithThePrefix) {
  for (std::string prefix : {std::string("T1\0", 3), std::string("a\xff", 2), std::string("campaign\0x\0", 11)}) {
    std::string end = PrefixEnd(prefix);
    for (std::string tail : {std::string(), std::string(8, '\xff'), std::string("\x00", 1), std::string("zz")}) {
      EXPECT_TRUE(ByteLess(prefix + tail, end));
    }
    EXPECT_FALSE(ByteLess(end, prefix));
  }
}

// ---------------------------------------------------------------- components

TEST(IsValidComponent, RejectsEmptyAndNul) {
  EXPECT_FALSE(IsValidComponent(""));
  EXPECT_FALSE(IsValidComponent(std::string("\0", 1)));
  EXPECT_FALSE(IsValidComponent(std::string("a\0b", 3)));
  EXPECT_FALSE(IsValidComponent(std::string("ab\0", 3)));
}

TEST(IsValidComponent, AcceptsOrdinaryIdsAndNames) {
  EXPECT_TRUE(IsValidComponent("T1"));
  EXPECT_TRUE(IsValidComponent("economy"));
  EXPECT_TRUE(IsValidComponent("市发改局"));
  EXPECT_TRUE(IsValidComponent("\xff"));
}

// ---------------------------------------------------------------- stored bytes

// Stores written by earlier builds must still be read: these keys keep
// the bytes they had when each was spelled out where it was used.
TEST(MetaKeys, KeepTheBytesEarlierStoresHave) {
  EXPECT_EQ(SchemaVersion(), "schema_version");
  EXPECT_EQ(LegacyNextTaskId(), "next_task_id");
  EXPECT_EQ(SimulatedNow(), "sim_now");
  EXPECT_EQ(DemoLoaded(), "demo_loaded");
  EXPECT_EQ(NotificationSeq(), "notification_seq");
  EXPECT_EQ(AckCursor("swj"), "ack|swj");
  EXPECT_EQ(WebhookCursor("dingtalk"), "webhook|dingtalk");
  EXPECT_EQ(CalendarMissingNotified(2024), "calendar_missing_notified|2024");
  EXPECT_EQ(NextBriefing("xun"), "briefings:next:xun");
  EXPECT_EQ(Account("office"), "auth/account/office");
  EXPECT_EQ(CadenceStarted("task-force-xun"), "cadence|task-force-xun");
  EXPECT_EQ(CaseCounter(), "next_case_id");
  EXPECT_EQ(IncidentCounter(), "next_incident_id");
  EXPECT_EQ(TaskNumber(258), std::string("task_number|\0\0\0\0\0\0\x01\x02", 20));
  EXPECT_EQ(TaskNumber(7).substr(0, TaskNumberPrefix().size()), TaskNumberPrefix());
}

TEST(AuditKeys, KeepTheBytesEarlierStoresHave) {
  EXPECT_EQ(AuditEntry(1), std::string("e\0\0\0\0\0\0\0\x01", 9));
  EXPECT_EQ(AuditCheckpoint(2), std::string("c\0\0\0\0\0\0\0\x02", 9));
  EXPECT_EQ(AuditEntryPrefix(), "e");
  EXPECT_EQ(AuditCheckpointPrefix(), "c");
  EXPECT_EQ(AuditAnchor(), "anchor");
  EXPECT_EQ(AuditIndexVersion(), "xver");
  EXPECT_EQ(AuditIndex('u', "swj", 3), std::string("xuswj\0\0\0\0\0\0\0\0\x03", 14));
}

TEST(AuditKeys, EntriesSortBySeqAndAnIndexPrefixTakesOneValueOnly) {
  EXPECT_TRUE(ByteLess(AuditEntry(255), AuditEntry(256)));
  EXPECT_TRUE(absl::StartsWith(AuditIndex('a', "office", 9), AuditIndexPrefix('a', "office")));
  EXPECT_FALSE(absl::StartsWith(AuditIndex('a', "office2", 9), AuditIndexPrefix('a', "office")));
  EXPECT_FALSE(absl::StartsWith(AuditIndex('u', "office", 9), AuditIndexPrefix('a', "office")));
}

TEST(EvidenceKeys, KeepTheBytesEarlierStoresHave) {
  const std::string v1(std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_EQ(EvidenceUpload("ab", "swj"), std::string("evidence-up\0ab\0swj", 18));
  EXPECT_EQ(EvidenceFile("ab", "T1", 1), std::string("evidence-file\0ab\0T1\0", 20) + v1);
  EXPECT_EQ(EvidenceTask("T1", "ab", "", 1), std::string("evidence-task\0T1\0ab\0", 20) + v1);
  EXPECT_EQ(EvidenceTask("T1", "ab", "supervision:V1", 1),
            std::string("evidence-task\0T1\0ab\0supervision:V1\0", 35) + v1);
  EXPECT_EQ(EvidenceUnit("swj", "2023-04", "ab", "T1", 1),
            std::string("evidence-unit\0swj\0" "2023-04\0ab\0T1\0", 32) + v1);
}

TEST(EvidenceKeys, EachPrefixCoversItsKeysAndNoOtherSubjects) {
  EXPECT_TRUE(absl::StartsWith(EvidenceUpload("ab", "swj"), EvidenceUploadPrefix("ab")));
  EXPECT_FALSE(absl::StartsWith(EvidenceUpload("abc", "swj"), EvidenceUploadPrefix("ab")));
  EXPECT_TRUE(absl::StartsWith(EvidenceFile("ab", "T1", 3), EvidenceFilePrefix("ab")));
  EXPECT_TRUE(absl::StartsWith(EvidenceFile("ab", "T1", 3), EvidenceFilePrefix("")));
  EXPECT_FALSE(absl::StartsWith(EvidenceFile("abc", "T1", 3), EvidenceFilePrefix("ab")));
  EXPECT_TRUE(absl::StartsWith(EvidenceTask("T1", "ab", "", 3), EvidenceTaskPrefix("T1")));
  EXPECT_TRUE(absl::StartsWith(EvidenceTask("T1", "ab", "supervision:V2", 3), EvidenceTaskPrefix("T1")));
  EXPECT_FALSE(absl::StartsWith(EvidenceTask("T10", "ab", "", 3), EvidenceTaskPrefix("T1")));
  EXPECT_TRUE(absl::StartsWith(EvidenceUnit("swj", "2023-04", "ab", "T1", 3), EvidenceUnitPrefix("swj", "")));
  EXPECT_TRUE(absl::StartsWith(EvidenceUnit("swj", "2023-04", "ab", "T1", 3), EvidenceUnitPrefix("swj", "2023-04")));
  EXPECT_FALSE(absl::StartsWith(EvidenceUnit("swj", "2023-05", "ab", "T1", 3), EvidenceUnitPrefix("swj", "2023-04")));
  EXPECT_FALSE(absl::StartsWith(EvidenceUnit("swj2", "2023-04", "ab", "T1", 3), EvidenceUnitPrefix("swj", "")));
}

}  // namespace
}  // namespace duban::keys
