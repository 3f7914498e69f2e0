// Field checks shared by every command. Each failure is INVALID_ARGUMENT with
// a message that starts with the field's name.
#ifndef DUBAN_ENGINE_STORAGE_VALIDATE_H_
#define DUBAN_ENGINE_STORAGE_VALIDATE_H_

#include <cstddef>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace duban::validate {

// Limits, in characters (UTF-8 code points).
inline constexpr size_t kMaxId = 64;
inline constexpr size_t kMaxName = 200;
inline constexpr size_t kMaxTitle = 500;
inline constexpr size_t kMaxText = 20000;
inline constexpr size_t kMaxComment = 2000;
inline constexpr size_t kMaxActor = 128;

// Bounds of repeated fields (counts).
inline constexpr size_t kMaxUnitsPerTask = 200;
inline constexpr size_t kMaxMilestones = 100;
inline constexpr size_t kMaxIndicatorValues = 100;
inline constexpr size_t kMaxListItems = 500;  // commitments, ranking entries ...
inline constexpr size_t kMaxQuoted = 40;      // characters of a bad value quoted in an error

// Number of code points, or npos for invalid UTF-8.
size_t Utf8Length(absl::string_view s);

absl::Status Text(absl::string_view field, absl::string_view value, size_t max_chars, bool required);
inline absl::Status Required(absl::string_view field, absl::string_view value, size_t max_chars) {
  return Text(field, value, max_chars, true);
}
inline absl::Status Optional(absl::string_view field, absl::string_view value, size_t max_chars) {
  return Text(field, value, max_chars, false);
}
// ASCII letters, digits and . _ - : /, at most kMaxId.
absl::Status Id(absl::string_view field, absl::string_view value);
// YYYY-MM-DD, a real date between 2000 and 2100.
absl::StatusOr<absl::CivilDay> Date(absl::string_view field, absl::string_view value);
std::string FormatDate(absl::CivilDay d);

// A value to quote in an error message: at most kMaxQuoted characters,
// then "…(N bytes)", so that an error never carries a long value back.
// Invalid UTF-8 is cut at a byte boundary and shown as is.
std::string Quote(absl::string_view value);
// INVALID_ARGUMENT "<field>: at most <max> entries (got <n>)" when n > max.
absl::Status Count(absl::string_view field, size_t n, size_t max);
// INVALID_ARGUMENT when v is NaN or infinite.
absl::Status Finite(absl::string_view field, double v);

}  // namespace duban::validate

#endif  // DUBAN_ENGINE_STORAGE_VALIDATE_H_
