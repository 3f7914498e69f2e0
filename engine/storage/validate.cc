#include "engine/storage/validate.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include <cmath>

namespace duban::validate {

size_t Utf8Length(absl::string_view s) {
  // Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF
  // (protobuf refuses to parse such strings back).
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return absl::string_view::npos;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t j = 1; j < len; ++j) {
      unsigned char cc = static_cast<unsigned char>(s[i + j]);
      if ((cc & 0xc0) != 0x80) return absl::string_view::npos;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return absl::string_view::npos;
    i += len;
    ++n;
  }
  return n;
}

absl::Status Text(absl::string_view field, absl::string_view value, size_t max_chars, bool required) {
  if (value.empty()) {
    if (required) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
    return absl::OkStatus();
  }
  size_t n = Utf8Length(value);
  if (n == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not valid UTF-8"));
  }
  if (n > max_chars) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": too long (", n, " characters, at most ", max_chars, ")"));
  }
  if (value.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": contains a NUL character"));
  }
  if (required && value.find_first_not_of(" \t\r\n") == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required (blank)"));
  }
  return absl::OkStatus();
}

absl::Status Id(absl::string_view field, absl::string_view value) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (value.size() > kMaxId) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": too long (at most ", kMaxId, " characters)"));
  }
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", Quote(value), "' is not an id (letters, digits and . _ - : / only)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> Date(absl::string_view field, absl::string_view value) {
  int y = 0, m = 0, d = 0;
  char extra = 0;
  std::string s(value);
  if (value.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 ||
      s[4] != '-' || s[7] != '-' || s.find_first_not_of("0123456789-") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", Quote(value), "' is not a date (YYYY-MM-DD)"));
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d || y < 2000 || y > 2100) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", Quote(value), "' is not a valid date"));
  }
  return day;
}

std::string Quote(absl::string_view value) {
  size_t i = 0, chars = 0;
  while (i < value.size() && chars < kMaxQuoted) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > value.size()) break;
    i += len;
    ++chars;
  }
  if (i >= value.size()) return std::string(value);
  return absl::StrCat(value.substr(0, i), "…(", value.size(), " bytes)");
}

absl::Status Count(absl::string_view field, size_t n, size_t max) {
  if (n <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": at most ", max, " entries (got ", n, ")"));
}

absl::Status Finite(absl::string_view field, double v) {
  if (std::isfinite(v)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": not a finite number"));
}

std::string FormatDate(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

}  // namespace duban::validate
