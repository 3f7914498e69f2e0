// dubanctl: the administration nouns: clock, rules, timers, server.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client.h"
#include "text_table.h"

namespace dubanctl {
namespace {

std::string BeijingSeconds(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S +08:00", ToTime(ts), Beijing());
}

void ServerInfo(Client& c, const Args&, const Operands&) {
  v1::ServerInfoRequest req;
  v1::ServerInfoResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.admin().ServerInfo(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  KeyValues kv;
  kv.Add("ADDRESS", c.opts().addr);
  kv.Add("VERSION", resp.version());
  kv.Add("DATA DIR", resp.data_dir());
  kv.Add("CLOCK", resp.simulated_clock() ? "simulated" : "real");
  if (IsSet(resp.now())) kv.Add("NOW", BeijingSeconds(resp.now()));
  if (IsSet(resp.next_timer_due())) {
    kv.Add("NEXT TIMER", BeijingSeconds(resp.next_timer_due()));
  } else {
    kv.Add("NEXT TIMER", "none");
  }
  kv.Print(std::cout);
}

// --to: RFC 3339 ("2023-04-01T09:00:00+08:00"); without an offset, or as a
// plain date, Beijing time.
absl::Time ParseClockTarget(const std::string& v) {
  absl::Time t;
  std::string err;
  for (const char* f : {absl::RFC3339_full, "%Y-%m-%d%ET%H:%M%Ez"}) {
    if (absl::ParseTime(f, v, &t, &err)) return t;
  }
  for (const char* f : {"%Y-%m-%d%ET%H:%M:%S", "%Y-%m-%d%ET%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(f, v, Beijing(), &t, &err)) return t;
  }
  throw UsageError("--to: '" + v + "' is not an RFC 3339 time (e.g. 2023-04-01T09:00:00+08:00)");
}

void ClockAdvance(Client& c, const Args& a, const Operands&) {
  v1::AdvanceClockRequest req;
  auto by = a.Get("by");
  auto to = a.Get("to");
  if (by.has_value() == to.has_value()) throw UsageError("give either --by=DURATION or --to=TIME");
  if (by) {
    absl::Duration d;
    if (!absl::ParseDuration(*by, &d) || d < absl::ZeroDuration()) {
      throw UsageError("--by: '" + *by + "' is not a duration (e.g. 90m, 24h, 168h)");
    }
    req.set_by(*by);
  } else {
    absl::Time t = ParseClockTarget(*to);
    req.mutable_to()->set_seconds(absl::ToUnixSeconds(t));
    req.mutable_to()->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(absl::ToUnixSeconds(t))) /
                                                     absl::Nanoseconds(1)));
  }
  v1::AdvanceClockResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.admin().AdvanceClock(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  std::cout << "now " << Minutes(resp.now()) << " (Beijing), " << resp.timers_fired()
            << (resp.timers_fired() == 1 ? " timer" : " timers") << " fired (" << resp.late() << " late)\n";
}

void TimersDead(Client& c, const Args&, const Operands&) {
  v1::ListDeadTimersRequest req;
  v1::ListDeadTimersResponse resp;
  // Every page, in order.
  while (true) {
    v1::ListDeadTimersResponse page;
    c.Call([&](grpc::ClientContext* ctx) { return c.admin().ListDeadTimers(ctx, req, &page); });
    for (auto& d : *page.mutable_timers()) *resp.add_timers() = std::move(d);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (c.opts().json) return PrintJson(resp);
  Table t({"TIMER", "DUE", "FAILED AT", "ERROR"}, {0, 0, 0, 60});
  for (const auto& d : resp.timers()) {
    t.AddRow({d.timer().id(), Minutes(d.timer().due()), Minutes(d.failed_at()), d.error()});
  }
  t.Print(std::cout);
}

void RulesReload(Client& c, const Args&, const Operands&) {
  v1::ReloadRulesRequest req;
  v1::ReloadRulesResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.admin().ReloadRules(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  auto list = [](const google::protobuf::RepeatedPtrField<std::string>& ids) {
    return ids.empty() ? std::string("-") : absl::StrJoin(ids, ", ");
  };
  KeyValues kv;
  kv.Add("CADENCES", resp.cadences_file().empty() ? "none" : resp.cadences_file());
  kv.Add("ADDED", list(resp.cadences_added()));
  kv.Add("REMOVED", list(resp.cadences_removed()));
  kv.Add("CHANGED", list(resp.cadences_changed()));
  kv.Add("DEADLINES MOVED", std::to_string(resp.deadlines_moved()));
  kv.Add("ACCOUNTABILITY", resp.accountability_file().empty() ? "none" : resp.accountability_file());
  kv.Add("LADDERS", std::to_string(resp.ladders()));
  kv.Print(std::cout);
}

}  // namespace

void RegisterAdminCommands(Registry& r) {
  r.Add("clock advance", "clock advance --by=DURATION | --to=RFC3339", {}, {"by", "to"}, false, ClockAdvance);
  r.Add("server info", "server info", {}, {}, false, ServerInfo);
  r.Add("rules reload", "rules reload", {}, {}, false, RulesReload);
  r.Add("timers dead", "timers dead", {}, {}, false, TimersDead);
}

}  // namespace dubanctl
