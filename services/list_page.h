// Pages of listings the engine answers whole from memory or one scan (the
// organisation directory, plans, unit scores, evidence, accounts,
// assessment results): the service slices one page out of the engine's
// ordered result, with the conventions of engine/storage/paging.h — a page
// token is the last item's key (web-safe base64, opaque to clients), an
// empty next_page_token means there is no more, a token that is not one of
// the listing's is INVALID_ARGUMENT naming page_token, and a page stops
// before kMaxPageBytes of items (at least one item is always returned).
//
// Two kinds of order:
//  - SortedPage: the items are in strictly increasing order of their key
//    (string comparison), e.g. by id; a page resumes at the first key after
//    the token's, so items added or removed between pages neither repeat
//    nor shift the rest;
//  - PositionPage: the items are in an order of the engine's own (a plan's
//    campaign order, an assessment table's order) with unique keys; a page
//    resumes right after the item the token names, and a token whose item
//    is no longer listed is INVALID_ARGUMENT naming page_token.
#ifndef DUBAN_SERVICES_LIST_PAGE_H_
#define DUBAN_SERVICES_LIST_PAGE_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/storage/paging.h"
#include "engine/storage/status_macros.h"

namespace duban {

// The default (and largest) page of the directory-like listings: large
// enough that a plan's units, people and campaigns come in one page.
inline constexpr int kDirectoryPageSize = kMaxListPageSize;

template <typename T>
struct ListPage {
  std::vector<T> items;
  std::string next_page_token;  // empty: no more
};

namespace list_page_internal {

// Items [begin, end) of all, at most `limit` and under kMaxPageBytes
// (size_of(item) bytes each); the token names the last one taken when
// more remain.
template <typename T, typename KeyFn, typename SizeFn>
ListPage<T> Take(std::vector<T>& all, size_t begin, int limit, const std::string& prefix, KeyFn& key,
                 SizeFn& size_of) {
  ListPage<T> page;
  size_t bytes = 0;
  size_t i = begin;
  for (; i < all.size(); ++i) {
    if (static_cast<int>(page.items.size()) == limit) break;
    size_t n = size_of(all[i]);
    if (!page.items.empty() && bytes + n > kMaxPageBytes) break;
    bytes += n;
    page.items.push_back(std::move(all[i]));
  }
  if (i < all.size()) page.next_page_token = PageToken(absl::StrCat(prefix, key(page.items.back())));
  return page;
}

inline std::string Prefix(absl::string_view listing) { return absl::StrCat(listing, "/"); }

}  // namespace list_page_internal

// As SortedPage, with each item's encoded size given by size_of(item).
template <typename T, typename KeyFn, typename SizeFn>
absl::StatusOr<ListPage<T>> SortedPageSized(std::vector<T> all, KeyFn key, SizeFn size_of, absl::string_view listing,
                                            absl::string_view page_token, int page_size,
                                            int default_size = kDirectoryPageSize) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, default_size, kMaxListPageSize));
  const std::string prefix = list_page_internal::Prefix(listing);
  ASSIGN_OR_RETURN(std::string raw, PageTokenKey(page_token, prefix));
  size_t begin = 0;
  if (!raw.empty()) {
    const std::string after = raw.substr(prefix.size());
    while (begin < all.size() && !(after < std::string(key(all[begin])))) ++begin;
  }
  return list_page_internal::Take(all, begin, limit, prefix, key, size_of);
}

// One page of `all`, which is in strictly increasing order of key(item).
// `listing` names the listing in its tokens (e.g. "units"), so a token of
// another listing is refused. key(item) returns a std::string; size_of
// gives an item's encoded size (default: the message's ByteSizeLong).
template <typename T, typename KeyFn>
absl::StatusOr<ListPage<T>> SortedPage(std::vector<T> all, KeyFn key, absl::string_view listing,
                                       absl::string_view page_token, int page_size,
                                       int default_size = kDirectoryPageSize) {
  auto size_of = [](const T& t) { return static_cast<size_t>(t.ByteSizeLong()); };
  return SortedPageSized(std::move(all), key, size_of, listing, page_token, page_size, default_size);
}

// One page of `all`, in the engine's own order, with unique key(item).
template <typename T, typename KeyFn>
absl::StatusOr<ListPage<T>> PositionPage(std::vector<T> all, KeyFn key, absl::string_view listing,
                                         absl::string_view page_token, int page_size,
                                         int default_size = kDirectoryPageSize) {
  ASSIGN_OR_RETURN(int limit, PageSize(page_size, default_size, kMaxListPageSize));
  const std::string prefix = list_page_internal::Prefix(listing);
  ASSIGN_OR_RETURN(std::string raw, PageTokenKey(page_token, prefix));
  size_t begin = 0;
  if (!raw.empty()) {
    const std::string after = raw.substr(prefix.size());
    while (begin < all.size() && std::string(key(all[begin])) != after) ++begin;
    if (begin == all.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_token: names an item no longer listed (", listing, "); start again without it"));
    }
    ++begin;
  }
  auto size_of = [](const T& t) { return static_cast<size_t>(t.ByteSizeLong()); };
  return list_page_internal::Take(all, begin, limit, prefix, key, size_of);
}

}  // namespace duban

#endif  // DUBAN_SERVICES_LIST_PAGE_H_
