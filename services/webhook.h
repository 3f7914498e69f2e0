// Webhooks: delivery of outbox notifications to HTTP endpoints.
//
// Each configured webhook has its own thread and its own persisted cursor
// (Outbox::Cursor(name)). Notifications are POSTed one at a time, in seq
// order, as JSON; a 2xx answer advances the cursor, anything else is retried
// with an exponential back-off. Delivery is at least once: a notification
// whose 2xx answer was received but whose cursor write did not reach disk
// before a crash is sent again after the restart.
#ifndef DUBAN_SERVICES_WEBHOOK_H_
#define DUBAN_SERVICES_WEBHOOK_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/storage/outbox.h"
#include "engine/storage/yaml_util.h"

namespace duban {

// One message of a channel: an HTTP POST (url, body, content_type, and the
// answer checked by `accept`) or, with an smtp:// or smtps:// url, a mail
// (mail_from, mail_to, body = the whole RFC 5322 message).
struct ChannelMessage {
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  std::string mail_from;
  std::vector<std::string> mail_to;
  std::string username, password;  // SMTP AUTH, when set
  // For HTTP: whether a 2xx answer's body means success (robots answer 200
  // with an error code inside); unset = any 2xx.
  std::function<bool(const std::string& response_body, std::string* err)> accept;
};

struct WebhookConfig {
  std::string name;                     // [a-z0-9-]+, unique; names the persisted cursor
  std::string url;                      // http://... (https allowed too)
  std::vector<std::string> recipients;  // empty = every notification; else only these recipient ids
  absl::Duration timeout = absl::Seconds(5);
  absl::Duration backoff_initial = absl::Milliseconds(200);
  absl::Duration backoff_max = absl::Seconds(30);
  // Set by the offices' channels (services/channels.h); a plain webhook
  // leaves them empty.
  std::vector<v1::NotificationKind> kinds;  // empty = every kind
  // Builds the message for a notification; unset: the JSON POST to url.
  std::function<absl::StatusOr<ChannelMessage>(const v1::Notification&)> render;
  // Gives up on a notification after this many failed attempts and counts
  // it as a dead letter; 0 = retry until it is delivered.
  int max_attempts = 0;
};

// Parses the `webhooks:` list of duband.yaml (node may be undefined or null:
// an empty list). Each item is a mapping with the keys name, url, recipients,
// timeout, backoff_initial, backoff_max; durations are strings such as
// "250ms", "5s", "1m" (absl::ParseDuration) and must be positive. Errors are
// INVALID_ARGUMENT "<file>:<line>: webhooks[i].<field>: <reason>".
absl::StatusOr<std::vector<WebhookConfig>> ParseWebhooks(const yamlx::Doc& doc, const YAML::Node& node);

// Delivers outbox notifications to webhooks: one thread per webhook, in seq
// order, at least once. Each notification is POSTed as JSON (proto field
// names) with Content-Type: application/json and X-Duban-Seq: <seq>. A 2xx
// answer advances and persists the cursor; anything else (connection
// refused, timeout, non-2xx) retries the same notification after an
// exponential back-off (initial, doubling, capped at max, plus up to 20%
// jitter) until it succeeds or Stop() is called. Notifications for other
// recipients are skipped (the cursor still moves past them). On start each
// webhook resumes from its persisted cursor.
class WebhookDispatcher {
 public:
  WebhookDispatcher(Outbox* outbox, std::vector<WebhookConfig> hooks);
  ~WebhookDispatcher();  // Stop()

  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Starts the threads (no-op when running).
  void Start();
  // Wakes every thread (waiting for notifications, backing off, or in the
  // middle of a request) and waits for them to finish. Idempotent; Start()
  // may be called again afterwards.
  void Stop();

  // For monitoring and tests: per webhook name (zeros for an unknown name).
  struct Stats {
    uint64_t attempts = 0;   // POSTs tried
    uint64_t failures = 0;   // POSTs that did not get a 2xx
    uint64_t delivered = 0;  // notifications acknowledged with a 2xx
    uint64_t dead_letters = 0;  // notifications given up after max_attempts
  };
  // Every configured name, for monitoring.
  std::vector<std::string> names() const;
  Stats stats(const std::string& name) const;

 private:
  void Run(const WebhookConfig& hook);
  bool stopping() const;
  // Sleeps up to d; returns false when Stop() was called.
  bool SleepFor(absl::Duration d);
  void Count(const std::string& name, uint64_t Stats::*field);

  Outbox* outbox_;
  std::vector<WebhookConfig> hooks_;
  std::vector<std::thread> threads_;
  std::mutex run_mu_;  // serializes Start/Stop

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, Stats> stats_;
};

}  // namespace duban

#endif  // DUBAN_SERVICES_WEBHOOK_H_
