// Pages of listings and histories: the size limits every paginated read
// shares, its page tokens, and one page of a subject's event stream.
//
// Conventions (the API follows them for every list and history):
//  - a history is read after a version: `after_version` 0 starts at the
//    beginning, and `next_after_version` 0 means there is no more;
//  - a list is read after a page token: the token is the last key returned,
//    base64 (web-safe), opaque to clients; empty starts at the beginning, and
//    an empty `next_page_token` means there is no more. A token that is not
//    one of the listing's is INVALID_ARGUMENT naming page_token;
//  - a page also stops before kMaxPageBytes of records (at least one record
//    is always returned), so no answer nears the 4 MiB message limit.
#ifndef DUBAN_ENGINE_STORAGE_PAGING_H_
#define DUBAN_ENGINE_STORAGE_PAGING_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/store.h"

namespace duban {

// The most bytes of records one page of a listing carries (the gRPC
// message limit is 4 MiB).
inline constexpr size_t kMaxPageBytes = 2 << 20;
// Histories: the default and largest page.
inline constexpr int kHistoryPageSize = 500;
// Lists: the default and the largest page.
inline constexpr int kDefaultListPageSize = 100;
inline constexpr int kMaxListPageSize = 1000;

// Documents of one period (the monthly bulletin, a drafted briefing) are
// read whole rather than in pages. Their lists grow with the plan (its
// tasks, units, supervision items), so each is bounded: at most
// kMaxDocumentEntries entries per list, and kMaxDocumentBytes in all.
inline constexpr int kMaxDocumentEntries = 500;
inline constexpr size_t kMaxDocumentBytes = kMaxPageBytes;

// Bounds a document: cuts each repeated message field of `doc` (its own,
// not its entries') to max_entries, then, while the document is larger
// than max_bytes, halves the longest list in bytes. Entries are cut from
// the end, so a list sorted most important first keeps its head. Adds to
// (*left_out)[field name] the entries cut from each field.
void FitDocument(google::protobuf::Message* doc, int max_entries, size_t max_bytes,
                 google::protobuf::Map<std::string, int32_t>* left_out);

// The page size to use for a request's page_size: default_size for 0,
// at most max_size; INVALID_ARGUMENT naming page_size when negative.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

// The token that resumes a listing after `last_key`.
std::string PageToken(absl::string_view last_key);
// The key a token names, when it is a key of the listing (starts with
// prefix); INVALID_ARGUMENT naming page_token otherwise. Empty for "".
absl::StatusOr<std::string> PageTokenKey(absl::string_view token, absl::string_view prefix);

// Records whose ids are "<letter><n>" (supervision items "S12", cases
// "A7"), stored at keys::Entity(kind, id): the key of number n, and the
// number a token of such a listing resumes after (0 for an empty token).
std::string NumberedKey(keys::Kind kind, absl::string_view letter, uint64_t n);
absl::StatusOr<uint64_t> NumberedTokenAfter(absl::string_view token, keys::Kind kind, absl::string_view letter);

template <typename Event>
struct EventPage {
  std::vector<Event> events;
  uint64_t next_after_version = 0;  // pass as after_version; 0: no more
};

// One page of a subject's event stream (keys::EventPrefix(subject)):
// events with version > after_version, in version order, at most page_size
// (0: kHistoryPageSize; larger: kHistoryPageSize) and at most kMaxPageBytes
// of them. DATA_LOSS naming the subject for an event that cannot be parsed.
template <typename Event>
absl::StatusOr<EventPage<Event>> ReadEventsPage(const Store& store, absl::string_view subject,
                                                uint64_t after_version, int page_size) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, kHistoryPageSize, kHistoryPageSize));
  EventPage<Event> page;
  if (after_version == std::numeric_limits<uint64_t>::max()) return page;
  size_t bytes = 0;
  bool more = false;
  absl::Status bad;
  RETURN_IF_ERROR(store.Scan(Cf::kEvents, keys::EventPrefix(subject), [&](absl::string_view, absl::string_view v) {
    if (static_cast<int>(page.events.size()) == limit || (!page.events.empty() && bytes + v.size() > kMaxPageBytes)) {
      more = true;
      return false;
    }
    Event e;
    if (!e.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
      bad = absl::DataLossError(absl::StrCat("events of ", subject, ": record cannot be parsed"));
      return false;
    }
    bytes += v.size();
    page.events.push_back(std::move(e));
    return true;
  }, keys::Event(subject, after_version + 1)));
  RETURN_IF_ERROR(bad);
  if (more) page.next_after_version = page.events.back().version();
  return page;
}

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_PAGING_H_
