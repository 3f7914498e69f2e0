// Field checks (engine/validate.h).
#include "engine/storage/validate.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace duban::validate {
namespace {

constexpr size_t kNpos = absl::string_view::npos;

::testing::AssertionResult Contains(absl::string_view hay, absl::string_view needle) {
  if (hay.find(needle) != absl::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << hay << "' does not contain '" << needle << "'";
}

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// ---------------------------------------------------------------- Utf8Length

TEST(Utf8Length, Ascii) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("a"), 1u);
  EXPECT_EQ(Utf8Length("hello, world"), 12u);
}

TEST(Utf8Length, ChineseIsOneCharacterPerCodePoint) {
  EXPECT_EQ(Utf8Length("宁乡市"), 3u);
  EXPECT_EQ(std::string("宁乡市").size(), 9u);
  EXPECT_EQ(Utf8Length("市发改局（牵头）"), 8u);
  EXPECT_EQ(Utf8Length("GDP增长7%"), 7u);
}

TEST(Utf8Length, TwoByteSequences) {
  EXPECT_EQ(Utf8Length("\xc3\xa9"), 1u);   // é
  EXPECT_EQ(Utf8Length("caf\xc3\xa9"), 4u);
}

TEST(Utf8Length, FourByteSequences) {
  EXPECT_EQ(Utf8Length("\xf0\x9f\x98\x80"), 1u);        // U+1F600
  EXPECT_EQ(Utf8Length("\xf0\xa0\x80\x80"), 1u);        // U+20000, CJK extension B
  EXPECT_EQ(Utf8Length("a\xf0\x9f\x98\x80" "b"), 3u);
  EXPECT_EQ(Utf8Length("\xf4\x8f\xbf\xbf"), 1u);        // U+10FFFF, the last code point
}

TEST(Utf8Length, InvalidLeadBytes) {
  EXPECT_EQ(Utf8Length("\xff"), kNpos);
  EXPECT_EQ(Utf8Length("\xfe"), kNpos);
  EXPECT_EQ(Utf8Length("a\x80"), kNpos);              // lone continuation byte
  EXPECT_EQ(Utf8Length("\xbf" "abc"), kNpos);
  EXPECT_EQ(Utf8Length("\xf8\x88\x80\x80\x80"), kNpos);  // 5-byte form
}

TEST(Utf8Length, BadContinuationBytes) {
  EXPECT_EQ(Utf8Length("\xe5\xae" "a"), kNpos);
  EXPECT_EQ(Utf8Length("\xc3" "a"), kNpos);
  EXPECT_EQ(Utf8Length("\xf0\x9f\x98" "a"), kNpos);
}

TEST(Utf8Length, TruncatedSequences) {
  EXPECT_EQ(Utf8Length("\xe5\xae"), kNpos);             // 宁 without its last byte
  EXPECT_EQ(Utf8Length("宁乡\xe5"), kNpos);
  EXPECT_EQ(Utf8Length("\xf0\x9f\x98"), kNpos);
  EXPECT_EQ(Utf8Length("\xc3"), kNpos);
}

// Forms that are structurally UTF-8-shaped but not valid UTF-8 (RFC 3629):
// protobuf refuses to parse proto3 string fields holding them, so a record
// stored with one could never be read back.
TEST(Utf8Length, OverlongEncodingsAreInvalid) {
  EXPECT_EQ(Utf8Length("\xc0\x80"), kNpos);          // overlong NUL
  EXPECT_EQ(Utf8Length("\xc1\xbf"), kNpos);          // overlong U+007F
  EXPECT_EQ(Utf8Length("\xe0\x80\xaf"), kNpos);      // overlong '/'
  EXPECT_EQ(Utf8Length("\xf0\x80\x80\xaf"), kNpos);  // overlong '/'
}

TEST(Utf8Length, SurrogatesAreInvalid) {
  EXPECT_EQ(Utf8Length("\xed\xa0\x80"), kNpos);  // U+D800
  EXPECT_EQ(Utf8Length("\xed\xbf\xbf"), kNpos);  // U+DFFF
}

TEST(Utf8Length, CodePointsAboveU10FFFFAreInvalid) {
  EXPECT_EQ(Utf8Length("\xf4\x90\x80\x80"), kNpos);  // U+110000
  EXPECT_EQ(Utf8Length("\xf5\x80\x80\x80"), kNpos);
  EXPECT_EQ(Utf8Length("\xf7\xbf\xbf\xbf"), kNpos);
}

// ---------------------------------------------------------------- Text

TEST(Text, LimitIsCountedInCharactersNotBytes) {
  std::string chinese2000 = Repeat("督", 2000);
  ASSERT_EQ(chinese2000.size(), 6000u);
  EXPECT_TRUE(Optional("meta.comment", chinese2000, kMaxComment).ok());
  EXPECT_TRUE(Required("meta.comment", chinese2000, kMaxComment).ok());
}

TEST(Text, OneCharacterOverTheLimitFails) {
  absl::Status s = Optional("meta.comment", Repeat("督", 2001), kMaxComment);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "meta.comment"));
  EXPECT_TRUE(Contains(s.message(), "2001"));
  EXPECT_TRUE(Contains(s.message(), "2000"));
  EXPECT_EQ(Optional("meta.comment", std::string(2001, 'x'), kMaxComment).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Optional("meta.comment", std::string(2000, 'x'), kMaxComment).ok());
}

TEST(Text, FourByteCharactersCountOnce) {
  std::string s = Repeat("\xf0\x9f\x98\x80", 10);
  EXPECT_TRUE(Required("f", s, 10).ok());
  EXPECT_FALSE(Required("f", s, 9).ok());
}

TEST(Text, RequiredRejectsEmptyAndBlank) {
  absl::Status empty = Required("reason", "", 10);
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(empty.message(), "reason: required"));
  absl::Status blank = Required("reason", " \t\r\n", 10);
  EXPECT_EQ(blank.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(blank.message(), "reason"));
}

TEST(Text, OptionalAcceptsEmptyAndBlank) {
  EXPECT_TRUE(Optional("comment", "", 10).ok());
  EXPECT_TRUE(Optional("comment", "   ", 10).ok());
}

TEST(Text, RejectsInvalidUtf8NamingTheField) {
  absl::Status s = Optional("meta.comment", "ok\xff", kMaxComment);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "meta.comment"));
  EXPECT_TRUE(Contains(s.message(), "UTF-8"));
}

TEST(Text, RejectsNul) {
  absl::Status s = Optional("title", std::string("a\0b", 3), 10);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "title"));
}

TEST(Text, MessagesStartWithTheFieldName) {
  for (absl::Status s : {Required("x.y", "", 5), Required("x.y", "123456", 5), Required("x.y", "\xff", 5)}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message().substr(0, 4), "x.y:") << s;
  }
}

// ---------------------------------------------------------------- Id

TEST(Id, AcceptsLettersDigitsAndPunctuation) {
  EXPECT_TRUE(Id("id", "ningxiang-2023-six-battles").ok());
  EXPECT_TRUE(Id("id", "a.b_c-d:e/f").ok());
  EXPECT_TRUE(Id("id", "T170").ok());
  EXPECT_TRUE(Id("id", std::string(kMaxId, 'a')).ok());
}

TEST(Id, RejectsEmpty) {
  absl::Status s = Id("plan.id", "");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "plan.id"));
}

TEST(Id, RejectsTooLong) {
  absl::Status s = Id("plan.id", std::string(kMaxId + 1, 'a'));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "plan.id"));
}

TEST(Id, RejectsOtherCharacters) {
  for (std::string bad : std::vector<std::string>{"a b", "发改局", "a|b", std::string("a\0b", 3), "a+b", "a#b", "a\"b"}) {
    absl::Status s = Id("units[0].id", bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(Contains(s.message(), "units[0].id"));
  }
}

// ---------------------------------------------------------------- Date

TEST(Date, ParsesRealDates) {
  auto d = Date("due_date", "2023-12-31");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, absl::CivilDay(2023, 12, 31));
  EXPECT_EQ(FormatDate(*d), "2023-12-31");
  EXPECT_EQ(FormatDate(absl::CivilDay(2024, 1, 5)), "2024-01-05");
}

TEST(Date, LeapYears) {
  EXPECT_TRUE(Date("d", "2024-02-29").ok());
  EXPECT_TRUE(Date("d", "2000-02-29").ok());  // divisible by 400
  EXPECT_FALSE(Date("d", "2023-02-29").ok());
  EXPECT_FALSE(Date("d", "2100-02-29").ok());  // divisible by 100, not 400
}

TEST(Date, RejectsImpossibleDays) {
  for (const char* bad : {"2023-02-30", "2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00", "2023-01-32"}) {
    auto d = Date("due_date", bad);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(Contains(d.status().message(), "due_date")) << bad;
  }
}

TEST(Date, RejectsOtherFormats) {
  for (const char* bad : {"2023/01/01", "2023-1-1", "20230101", "2023-01-01T00:00", "2023-01-1 ", " 2023-01-1",
                          "", "abcd-ef-gh", "2023-01-01x", "2023.01.01", "+2023-1-01"}) {
    auto d = Date("due_date", bad);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_TRUE(Contains(d.status().message(), "due_date")) << bad;
  }
}

// sscanf's %d skips blanks and takes a sign; neither belongs in YYYY-MM-DD.
TEST(Date, RejectsBlanksAndSignsInsideTheFields) {
  for (const char* bad : {"2023- 1-01", "2023-01- 1", "2023-+1-01", "2023-01-+1", " 023-01-01", "+023-01-01"}) {
    auto d = Date("due_date", bad);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
  }
}

TEST(Date, YearsOutsideTwoThousandToTwentyOneHundredAreRejected) {
  EXPECT_TRUE(Date("d", "2000-01-01").ok());
  EXPECT_TRUE(Date("d", "2100-12-31").ok());
  EXPECT_FALSE(Date("d", "1999-12-31").ok());
  EXPECT_FALSE(Date("d", "2101-01-01").ok());
  EXPECT_FALSE(Date("d", "0000-01-01").ok());
  EXPECT_FALSE(Date("d", "9999-12-31").ok());
}

}  // namespace
}  // namespace duban::validate
