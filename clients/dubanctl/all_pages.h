// Reading a whole listing: every page, in order.
#ifndef DUBAN_CLIENTS_DUBANCTL_ALL_PAGES_H_
#define DUBAN_CLIENTS_DUBANCTL_ALL_PAGES_H_

#include <utility>

#include "client.h"
#include "grpcpp/grpcpp.h"

namespace dubanctl {

// Calls call(ctx, req, &page) for each page of a listing, following
// next_page_token from the request's page_token on, and appends each
// page's items (items(&message), a mutable repeated field) to *all, so
// *all holds the whole listing. A failed call throws as Client::Call does.
template <typename Req, typename Resp, typename CallFn, typename ItemsFn>
void AllPages(Client& c, Req req, Resp* all, CallFn call, ItemsFn items) {
  while (true) {
    Resp page;
    c.Call([&](grpc::ClientContext* ctx) { return call(ctx, req, &page); });
    for (auto& x : *items(&page)) *items(all)->Add() = std::move(x);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
}

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_DUBANCTL_ALL_PAGES_H_
