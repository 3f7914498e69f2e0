// dubanctl: the notification noun and the watch command (a live stream).
#include <cstdint>
#include <signal.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
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

uint64_t ParseSeq(const std::string& operand, const std::string& v) {
  uint64_t n = 0;
  if (!absl::SimpleAtoi(v, &n) || n == 0) throw UsageError("<" + operand + ">: '" + v + "' is not a positive number");
  return n;
}

void NotificationList(Client& c, const Args& a, const Operands& ops) {
  v1::ListNotificationsRequest req;
  req.set_recipient(ops[0]);
  if (auto v = a.Uint("after")) req.set_after_seq(*v);
  if (auto v = a.Int("limit")) req.set_limit(*v);
  v1::ListNotificationsResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.notifications().ListNotifications(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"SEQ", "AT", "KIND", "LATE", "SUBJECT", "TITLE"}, {0, 0, 0, 0, 0, 60});
  for (const auto& n : resp.notifications()) {
    std::string kind = NotificationKindName(n.kind());
    if (n.warning_level() != v1::WARNING_LEVEL_NONE) absl::StrAppend(&kind, " (", WarningName(n.warning_level()), ")");
    t.AddRow({std::to_string(n.seq()), Minutes(n.created_at()), kind, n.late() ? "late" : "", n.subject_id(),
              n.title()});
  }
  t.Print(std::cout);
}

void NotificationAck(Client& c, const Args&, const Operands& ops) {
  v1::AckRequest req;
  req.set_recipient(ops[0]);
  req.set_seq(ParseSeq("seq", ops[1]));
  v1::AckResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.notifications().Ack(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  std::cout << ops[0] << ": acknowledged up to #" << resp.acked_seq() << "\n";
}

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void OnInterrupt(int) { g_interrupted = 1; }

// Stops and reconnects are decided here: the stream is cancelled from a
// helper thread on Ctrl-C / SIGTERM or when --for runs out.
void Watch(Client& c, const Args& a, const Operands& ops) {
  const std::string recipient = ops[0];
  std::optional<uint64_t> after = a.Uint("after");
  bool ack = a.Bool("ack");
  std::optional<uint64_t> count = a.Uint("count");
  if (count && *count == 0) throw UsageError("--count: must be at least 1");
  std::optional<absl::Time> end;
  if (auto v = a.Get("for")) {
    absl::Duration d;
    if (!absl::ParseDuration(*v, &d) || d <= absl::ZeroDuration()) {
      throw UsageError("--for: '" + *v + "' is not a positive duration (e.g. 30s, 5m)");
    }
    end = absl::Now() + d;
  }

  // One quick call first: an unknown recipient fails (exit 1) and an
  // unreachable daemon exits 3, as for every other command.
  {
    v1::ListNotificationsRequest req;
    req.set_recipient(recipient);
    req.set_after_seq(after.value_or(0));
    req.set_limit(1);
    v1::ListNotificationsResponse resp;
    c.Call([&](grpc::ClientContext* ctx) { return c.notifications().ListNotifications(ctx, req, &resp); });
  }

  struct sigaction sa {}, old_int{}, old_term{};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  std::atomic<bool> done{false};  // --count reached
  auto finished = [&] { return done.load() || g_interrupted != 0 || (end && absl::Now() >= *end); };
  std::mutex mu;
  grpc::ClientContext* current = nullptr;  // the open stream, guarded by mu
  std::atomic<bool> exiting{false};
  std::thread canceller([&] {
    while (!exiting.load()) {
      if (finished()) {
        std::lock_guard<std::mutex> l(mu);
        if (current) current->TryCancel();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  uint64_t last = after.value_or(0);  // resume after this; 0 = the recipient's ack cursor
  uint64_t printed = 0;
  uint64_t unacked = 0;  // the last printed seq whose Ack failed
  bool announced = false;
  std::optional<grpc::Status> failure;
  auto do_ack = [&](uint64_t seq) {
    v1::AckRequest req;
    req.set_recipient(recipient);
    req.set_seq(seq);
    v1::AckResponse resp;
    grpc::Status s = c.TryCall([&](grpc::ClientContext* ctx) { return c.notifications().Ack(ctx, req, &resp); });
    if (s.ok()) {
      unacked = 0;
    } else {
      unacked = seq;
      std::cerr << "dubanctl: watch: ack #" << seq << ": " << CodeName(s.error_code()) << ": " << s.error_message()
                << "\n";
    }
  };

  while (!finished()) {
    grpc::ClientContext ctx;
    c.AddActor(&ctx);
    {
      std::lock_guard<std::mutex> l(mu);
      current = &ctx;
    }
    absl::Time started = absl::Now();
    v1::WatchRequest req;
    req.set_recipient(recipient);
    req.set_after_seq(last);
    auto reader = c.notifications().Watch(&ctx, req);
    v1::Notification n;
    bool got = false;
    while (reader->Read(&n)) {
      got = true;
      if (last != 0 && n.seq() <= last) continue;  // already printed
      if (c.opts().json) {
        PrintJson(n, /*one_line=*/true);
      } else {
        std::string kind = NotificationKindName(n.kind());
        if (n.warning_level() != v1::WARNING_LEVEL_NONE) absl::StrAppend(&kind, " (", WarningName(n.warning_level()), ")");
        std::cout << "#" << n.seq() << "  " << Minutes(n.created_at()) << "  " << kind << "  " << OneLine(n.title())
                  << (n.late() ? " (late)" : "") << "\n";
      }
      std::cout.flush();
      last = n.seq();
      ++printed;
      if (ack) do_ack(n.seq());
      if (count && printed >= *count) {
        done = true;
        ctx.TryCancel();
        break;
      }
    }
    grpc::Status s = reader->Finish();
    {
      std::lock_guard<std::mutex> l(mu);
      current = nullptr;
    }
    if (finished()) break;
    // The stream ended without being asked to: the daemon stopped or the
    // connection dropped. Anything else (a bad recipient) is final.
    switch (s.error_code()) {
      case grpc::StatusCode::OK:
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::CANCELLED:
      case grpc::StatusCode::UNKNOWN:
      case grpc::StatusCode::INTERNAL:
        break;
      default:
        failure = s;
        break;
    }
    if (failure) break;
    if (got || absl::Now() - started > absl::Seconds(2)) announced = false;
    if (!announced) {
      std::cerr << "dubanctl: watch: connection lost ("
                << (s.ok() ? std::string("the daemon ended the stream")
                           : absl::StrCat(CodeName(s.error_code()), ": ", s.error_message()))
                << "); reconnecting every second, resuming after #" << last << "\n";
      announced = true;
    }
    for (int i = 0; i < 20 && !finished(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (ack && unacked != 0) do_ack(unacked);
  exiting = true;
  canceller.join();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (failure) throw RpcFailure{*failure};
}

}  // namespace

void RegisterNotificationCommands(Registry& r) {
  r.Add("notification list", "notification list <recipient> [--after=SEQ] [--limit=N]", {"recipient"},
        {"after", "limit"}, false, NotificationList);
  r.Add("notification ack", "notification ack <recipient> <seq>", {"recipient", "seq"}, {}, false, NotificationAck);
  r.Add("watch", "watch <recipient> [--after=SEQ] [--ack] [--count=N] [--for=DURATION]", {"recipient"},
        {"after", "ack", "count", "for"}, false, Watch);
}

}  // namespace dubanctl
