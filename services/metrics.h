// Prometheus metrics of duband (prometheus-cpp), served as text on
// http://<listen>/metrics:
//
//   duban_commands_total{kind, result}          RPCs by method and status code
//   duban_command_duration_seconds{kind}        latency histogram
//   duban_timers_pending                        timers stored, not yet fired
//   duban_timer_lag_seconds                     how far the earliest pending timer is past due (0 if none)
//   duban_outbox_last_seq                       notifications ever written
//   duban_outbox_backlog{channel}               notifications a webhook or channel has not passed yet
//   duban_watchers                              open NotificationService.Watch streams
//   duban_channel_deliveries_total{channel, result}  delivered, failed attempts, dead letters
//   duban_dead_letters_total                    notifications given up, over all channels
//   duban_rocksdb_bytes{cf, kind}               SST files, live data estimate and memtables per column family
//
// Thread-safe. The gauges are read from the engine when scraped.
#ifndef DUBAN_SERVICES_METRICS_H_
#define DUBAN_SERVICES_METRICS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace duban {

class Engine;
class WebhookDispatcher;

class Metrics {
 public:
  // Serves /metrics on `listen` ("127.0.0.1:9464"; port 0 picks a free one).
  // UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(const std::string& listen, Engine* engine);
  ~Metrics();

  // The deliveries of these webhooks and channels are reported (may be set
  // once, before the first scrape matters; null = none).
  void SetDispatcher(const WebhookDispatcher* d) { dispatcher_.store(d); }
  int port() const { return port_; }

  // For the gRPC server builder: one interceptor per call, counting it.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  // Counts one call: kind is the method ("duban.v1.TaskService/AcceptTask"),
  // result the status code name ("OK", "NOT_FOUND" ...).
  void RecordCall(const std::string& kind, const std::string& result, double seconds);
  void WatcherOpened() { watchers_.fetch_add(1); }
  void WatcherClosed() { watchers_.fetch_sub(1); }

 private:
  class StateCollector;
  explicit Metrics(Engine* engine);

  Engine* const engine_;
  std::atomic<const WebhookDispatcher*> dispatcher_{nullptr};
  std::atomic<int64_t> watchers_{0};
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* commands_;
  prometheus::Family<prometheus::Histogram>* latency_;
  std::shared_ptr<StateCollector> state_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace duban

#endif  // DUBAN_SERVICES_METRICS_H_
