#include "services/metrics.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/engine.h"
#include "engine/storage/store.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "rocksdb/db.h"
#include "services/webhook.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

constexpr char kWatchMethod[] = "/duban.v1.NotificationService/Watch";

// Times one call from its creation to the status it sends.
class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(Metrics* m, const char* method) : metrics_(m), start_(std::chrono::steady_clock::now()) {
    method_ = method ? method : "";
    watch_ = method_ == kWatchMethod;
    if (watch_) metrics_->WatcherOpened();
  }
  ~CallInterceptor() override {
    if (watch_) metrics_->WatcherClosed();
  }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      std::string kind = method_.size() > 1 && method_[0] == '/' ? method_.substr(1) : method_;
      metrics_->RecordCall(kind, absl::StatusCodeToString(static_cast<absl::StatusCode>(methods->GetSendStatus().error_code())), secs);
    }
    methods->Proceed();
  }

 private:
  Metrics* metrics_;
  std::string method_;
  bool watch_ = false;
  std::chrono::steady_clock::time_point start_;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(Metrics* m) : m_(m) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(m_, info->method());
  }

 private:
  Metrics* m_;
};

prometheus::MetricFamily Family(const std::string& name, const std::string& help, prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

void AddGauge(prometheus::MetricFamily* f, double v, std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = v;
  f->metric.push_back(std::move(m));
}

void AddCounter(prometheus::MetricFamily* f, double v, std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = v;
  f->metric.push_back(std::move(m));
}

prometheus::ClientMetric::Label L(const std::string& name, const std::string& value) {
  prometheus::ClientMetric::Label l;
  l.name = name;
  l.value = value;
  return l;
}

}  // namespace

// Reads the engine's state on each scrape.
class Metrics::StateCollector : public prometheus::Collectable {
 public:
  explicit StateCollector(Metrics* m) : m_(m) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    Engine* engine = m_->engine_;

    auto pending = Family("duban_timers_pending", "Timers stored and not yet fired.", prometheus::MetricType::Gauge);
    int64_t timers = 0;
    // A read error leaves the count at what was read (a scrape is advisory).
    (void)engine->store().Scan(Cf::kTimers, "", [&](absl::string_view, absl::string_view) {
      ++timers;
      return true;
    });
    AddGauge(&pending, static_cast<double>(timers));
    out.push_back(std::move(pending));

    auto lag = Family("duban_timer_lag_seconds", "How far past due the earliest pending timer is (0 when none is).",
                      prometheus::MetricType::Gauge);
    double lag_s = 0;
    if (auto next = engine->NextTimerDue(); next && *next < engine->clock().Now()) {
      lag_s = absl::ToDoubleSeconds(engine->clock().Now() - *next);
    }
    AddGauge(&lag, lag_s);
    out.push_back(std::move(lag));

    auto dead_timers = Family("duban_timers_dead",
                              "Timers set aside because their firing failed (dubanctl timers dead); at most 1000 "
                              "are counted.",
                              prometheus::MetricType::Gauge);
    auto dead_list = engine->ListDeadTimers();
    AddGauge(&dead_timers, dead_list.ok() ? static_cast<double>(dead_list->size()) : 0.0);
    out.push_back(std::move(dead_timers));

    const uint64_t last = engine->outbox().last_seq();
    auto seq = Family("duban_outbox_last_seq", "Notifications written to the outbox so far.",
                      prometheus::MetricType::Counter);
    AddCounter(&seq, static_cast<double>(last));
    out.push_back(std::move(seq));

    auto watchers = Family("duban_watchers", "Open NotificationService.Watch streams.", prometheus::MetricType::Gauge);
    AddGauge(&watchers, static_cast<double>(m_->watchers_.load()));
    out.push_back(std::move(watchers));

    auto backlog = Family("duban_outbox_backlog", "Notifications a webhook or channel has not passed yet.",
                          prometheus::MetricType::Gauge);
    auto deliveries = Family("duban_channel_deliveries_total",
                             "Deliveries by webhook or channel: delivered, failed attempts, dead letters.",
                             prometheus::MetricType::Counter);
    auto dead = Family("duban_dead_letters_total", "Notifications given up after max_attempts, all channels.",
                       prometheus::MetricType::Counter);
    uint64_t dead_total = 0;
    if (const WebhookDispatcher* d = m_->dispatcher_.load()) {
      for (const std::string& name : d->names()) {
        uint64_t cursor = engine->outbox().Cursor(name);
        AddGauge(&backlog, static_cast<double>(last > cursor ? last - cursor : 0), {L("channel", name)});
        WebhookDispatcher::Stats s = d->stats(name);
        AddCounter(&deliveries, static_cast<double>(s.delivered), {L("channel", name), L("result", "delivered")});
        AddCounter(&deliveries, static_cast<double>(s.failures), {L("channel", name), L("result", "failed")});
        AddCounter(&deliveries, static_cast<double>(s.dead_letters), {L("channel", name), L("result", "dead_letter")});
        dead_total += s.dead_letters;
      }
    }
    AddCounter(&dead, static_cast<double>(dead_total));
    out.push_back(std::move(backlog));
    out.push_back(std::move(deliveries));
    out.push_back(std::move(dead));

    auto sizes = Family("duban_rocksdb_bytes", "RocksDB sizes per column family.", prometheus::MetricType::Gauge);
    static const char* kCfNames[] = {"meta", "entities", "events", "index", "requests", "timers", "outbox"};
    rocksdb::DB* db = engine->store().db();
    for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
      rocksdb::ColumnFamilyHandle* h = engine->store().handle(static_cast<Cf>(i));
      const std::string cf = i < 7 ? kCfNames[i] : absl::StrCat(i);
      struct {
        const char* property;
        const char* kind;
      } props[] = {{"rocksdb.total-sst-files-size", "sst"},
                   {"rocksdb.estimate-live-data-size", "live_data"},
                   {"rocksdb.cur-size-all-mem-tables", "memtables"}};
      for (const auto& p : props) {
        uint64_t v = 0;
        if (db->GetIntProperty(h, p.property, &v)) {
          AddGauge(&sizes, static_cast<double>(v), {L("cf", cf), L("kind", p.kind)});
        }
      }
    }
    out.push_back(std::move(sizes));
    return out;
  }

 private:
  Metrics* m_;
};

Metrics::Metrics(Engine* engine) : engine_(engine), registry_(std::make_shared<prometheus::Registry>()) {
  commands_ = &prometheus::BuildCounter()
                   .Name("duban_commands_total")
                   .Help("RPCs handled, by method (kind) and status code (result).")
                   .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("duban_command_duration_seconds")
                  .Help("RPC latency, from arrival to status, by method.")
                  .Register(*registry_);
  state_ = std::make_shared<StateCollector>(this);
}

Metrics::~Metrics() {
  // Stop serving before the collectors go away.
  exposer_.reset();
}

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(const std::string& listen, Engine* engine) {
  std::unique_ptr<Metrics> m(new Metrics(engine));
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics.listen: cannot listen on ", listen, ": ", e.what()));
  }
  m->exposer_->RegisterCollectable(m->registry_);
  m->exposer_->RegisterCollectable(m->state_);
  auto ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports[0];
  return m;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> Metrics::InterceptorFactory() {
  return std::make_unique<Factory>(this);
}

void Metrics::RecordCall(const std::string& kind, const std::string& result, double seconds) {
  commands_->Add({{"kind", kind}, {"result", result}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                    0.05,   0.1,   0.25,   0.5,   1,    2.5, 10};
  latency_->Add({{"kind", kind}}, kBuckets).Observe(seconds);
}

}  // namespace duban
