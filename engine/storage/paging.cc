#include "engine/storage/paging.h"

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace duban {

void FitDocument(google::protobuf::Message* doc, int max_entries, size_t max_bytes,
                 google::protobuf::Map<std::string, int32_t>* left_out) {
  const google::protobuf::Descriptor* d = doc->GetDescriptor();
  const google::protobuf::Reflection* r = doc->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> lists;
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->is_repeated() && !f->is_map() && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      lists.push_back(f);
    }
  }
  auto cut = [&](const google::protobuf::FieldDescriptor* f, int keep) {
    const int n = r->FieldSize(*doc, f);
    if (keep >= n) return;
    for (int j = n; j > keep; --j) r->RemoveLast(doc, f);
    (*left_out)[f->name()] += n - keep;
  };
  for (const auto* f : lists) cut(f, std::max(max_entries, 0));
  while (doc->ByteSizeLong() > max_bytes) {
    const google::protobuf::FieldDescriptor* longest = nullptr;
    size_t longest_bytes = 0;
    for (const auto* f : lists) {
      size_t bytes = 0;
      for (int j = 0; j < r->FieldSize(*doc, f); ++j) bytes += r->GetRepeatedMessage(*doc, f, j).ByteSizeLong();
      if (bytes > longest_bytes) {
        longest = f;
        longest_bytes = bytes;
      }
    }
    if (longest == nullptr) return;  // no list left to cut
    cut(longest, r->FieldSize(*doc, longest) / 2);
  }
}

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
