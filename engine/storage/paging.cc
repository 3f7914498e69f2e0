#include "engine/storage/paging.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace duban {

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

std::string PageToken(absl::string_view last_key) { return absl::WebSafeBase64Escape(last_key); }

absl::StatusOr<std::string> PageTokenKey(absl::string_view token, absl::string_view prefix) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, prefix) || raw.size() == prefix.size()) {
    return absl::InvalidArgumentError("page_token: not a token of this listing");
  }
  return raw;
}

std::string NumberedKey(keys::Kind kind, absl::string_view letter, uint64_t n) {
  return keys::Entity(kind, absl::StrCat(letter, n));
}

absl::StatusOr<uint64_t> NumberedTokenAfter(absl::string_view token, keys::Kind kind, absl::string_view letter) {
  std::string prefix = keys::Entity(kind, letter);
  ASSIGN_OR_RETURN(std::string key, PageTokenKey(token, prefix));
  if (key.empty()) return 0;
  uint64_t n = 0;
  if (!absl::SimpleAtoi(absl::string_view(key).substr(prefix.size()), &n) || n == 0) {
    return absl::InvalidArgumentError("page_token: not a token of this listing");
  }
  return n;
}

}  // namespace duban
