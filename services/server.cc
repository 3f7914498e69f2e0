#include "services/server.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "services/auth/auth_service.h"
#include "services/auth/engine_binding.h"
#include "services/auth/guard.h"
#include "services/auth/tls.h"
#include "services/channels.h"
#include "services/metrics.h"
#include "services/office_services.h"
#include "services/services.h"
#include "services/webhook.h"
#include "services/status.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

absl::Status LoadDemoIfFirstStart(Engine* engine, const DaemonConfig& config) {
  if (config.demo_plan.empty()) return absl::OkStatus();
  if (engine->store().Exists(Cf::kMeta, "demo_loaded")) return absl::OkStatus();
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::ParseFile(config.demo_plan));
  ASSIGN_OR_RETURN(ImportSummary s, engine->ImportPlan(doc, "duband", /*assign=*/true));
  rocksdb::WriteBatch b;
  engine->store().Put(&b, Cf::kMeta, "demo_loaded", s.plan.id());
  RETURN_IF_ERROR(engine->store().Write(&b));
  spdlog::info("loaded demo plan {} from {}: {} campaigns, {} tasks, {} units", s.plan.id(), config.demo_plan,
               s.campaigns, s.tasks, s.units);
  return absl::OkStatus();
}

// A start-up file that cannot be used: INVALID_ARGUMENT whatever the cause
// (a missing file too), so that duband exits 2 naming it.
absl::Status StartupFileError(const absl::Status& s) {
  if (s.ok() || absl::IsInvalidArgument(s)) return s;
  return absl::InvalidArgumentError(s.message());
}

}  // namespace

absl::Status RunDaemon(const DaemonConfig& config) {
  // Signals are taken by one thread with sigwait; block them everywhere else.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  // The listener's safety first: nothing is opened for an unsafe address.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> listener_credentials,
                   auth::ListenerCredentials(config.auth, config.listen));
  if (config.auth.dev_accounts && !auth::IsLoopbackAddress(config.listen)) {
    return absl::FailedPreconditionError("dev_accounts: the local development mode serves loopback addresses only");
  }

  std::unique_ptr<Clock> clock;
  if (config.simulated_clock) {
    clock = std::make_unique<SimulatedClock>(config.simulated_start);
  } else {
    clock = std::make_unique<RealClock>();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(config.data_dir, clock.get(), config.engine));
  RETURN_IF_ERROR(LoadDemoIfFirstStart(engine.get(), config));

  // Rankings and accountability: the config names units, resolved through
  // the engine's directory, so it is read after the demo plan is imported.
  std::unique_ptr<Rankings> rankings;
  std::unique_ptr<Accountability> accountability;
  if (!config.accountability_file.empty()) {
    auto acct = LoadAccountabilityConfigFile(config.accountability_file, *engine);
    if (!acct.ok()) return StartupFileError(acct.status());
    auto shared = std::make_shared<const AccountabilityConfig>(std::move(*acct));
    rankings = std::make_unique<Rankings>(engine.get(), shared);
    accountability = std::make_unique<Accountability>(engine.get(), shared, rankings.get());
    spdlog::info("accountability: {} boards, {} ladders from {}", shared->boards.size(), shared->ladders.size(),
                 config.accountability_file);
  }
  std::unique_ptr<Assessments> assessments;
  if (!config.assessment_file.empty()) {
    auto book = LoadAssessmentFile(config.assessment_file);
    if (!book.ok()) return StartupFileError(book.status());
    spdlog::info("assessment: {} {} from {}", book->id, book->year, config.assessment_file);
    assessments = std::make_unique<Assessments>(engine.get(), std::move(*book));
  }

  // Accounts: those the accounts file declares, the bootstrap
  // administrators on the first start, and in the local development mode
  // the demo accounts of the loaded plan.
  const Engine* engine_ptr = engine.get();
  auth::AccountStore accounts(&engine->store(), config.auth.options, [engine_ptr](absl::string_view name) {
    return auth::ResolveOneUnit(*engine_ptr, name);
  });
  RETURN_IF_ERROR(accounts.Load());
  if (absl::Status s = accounts.Declare(config.auth.accounts); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(config.auth.accounts_file, ": ", s.message()));
  }
  std::string bootstrap_file = config.data_dir + "/bootstrap-credentials.txt";
  ASSIGN_OR_RETURN(bool bootstrapped, accounts.Bootstrap(bootstrap_file));
  if (bootstrapped) {
    spdlog::warn("first start: the administrators sysadmin, secadmin and auditadmin were created; their one-time "
                 "passwords and TOTP secrets are in {} (mode 0600)", bootstrap_file);
  }
  if (config.auth.dev_accounts) {
    std::string dev_file = config.data_dir + "/dev-credentials.txt";
    RETURN_IF_ERROR(accounts.CreateDevAccounts(auth::DemoAccounts(*engine), dev_file));
    spdlog::warn("local development mode: demo accounts of the loaded plan; their passwords are in {} (mode 0600)",
                 dev_file);
  }
  auth::EngineObjects objects(engine.get(), accountability.get());
  auth::Guard guard(&accounts, &objects, config.auth.policy);

  RETURN_IF_ERROR(engine->StartCadences());
  // Briefings are drafted on the timer thread, after the timers due.
  Briefings briefings(engine.get(), rankings.get(), accountability.get());

  // The timer loop: fires what is due, then sleeps until the next timer (at
  // most a second, so a real clock is followed closely).
  std::atomic<bool> stopping{false};
  std::mutex timer_mu;
  std::condition_variable timer_cv;
  std::thread timer_thread([&] {
    bool stop_sent = false;
    while (!stopping.load()) {
      // A write failed on the disk: the store takes no more writes until it
      // is reopened, so stop as on SIGTERM (and exit non-zero, below).
      if (engine->store().write_failed() && !stop_sent) {
        spdlog::error("store: {}; stopping", engine->store().WriteFailure());
        ::kill(::getpid(), SIGTERM);
        stop_sent = true;
      }
      absl::Time now = engine->clock().Now();
      auto next = engine->NextTimerDue();
      if (next && *next <= now) {
        auto run = engine->RunTimers(now, /*step_clock=*/false);
        if (!run.ok()) {
          spdlog::error("timers: {}", std::string(run.status().message()));
        } else {
          continue;
        }
      }
      if (auto drafted = briefings.DraftDue(now); !drafted.ok()) {
        spdlog::error("briefings: {}", std::string(drafted.status().message()));
      } else if (*drafted > 0) {
        spdlog::info("briefings: {} drafted", *drafted);
      }
      absl::Duration wait = absl::Seconds(1);
      if (next && !engine->clock().IsSimulated()) wait = std::min(wait, *next - now);
      std::unique_lock<std::mutex> l(timer_mu);
      timer_cv.wait_for(l, std::chrono::microseconds(std::max<int64_t>(1000, absl::ToInt64Microseconds(wait))),
                        [&] { return stopping.load(); });
    }
  });
  auto wake_timers = [&] { timer_cv.notify_all(); };

  OrgServiceImpl org(engine.get());
  PlanServiceImpl plans(engine.get());
  TaskServiceImpl tasks(engine.get());
  ReportServiceImpl reports(engine.get());
  SupervisionServiceImpl supervision(engine.get());
  // Registered whether configured or not: unconfigured, they answer
  // FAILED_PRECONDITION "... not configured".
  RankingServiceImpl ranking_service(rankings.get());
  AccountabilityServiceImpl accountability_service(accountability.get());
  BulletinServiceImpl bulletin_service(engine.get(), accountability.get());
  AssessmentServiceImpl assessment_service(assessments.get());
  NotificationServiceImpl notifications(engine.get(), &stopping);
  notifications.set_session_check([&accounts](const std::string& session) { return accounts.SessionAlive(session); });
  auth::AuthServiceImpl auth_service(&accounts);
  AdminServiceImpl admin(engine.get(), config.data_dir, wake_timers);
  ExportServiceImpl export_service(engine.get(), rankings.get(), accountability.get());
  BriefingServiceImpl briefing_service(&briefings);

  // The offices' channels are webhooks of their own; their units resolve
  // through the engine's directory.
  std::vector<WebhookConfig> hooks = config.webhooks;
  {
    auto channels = ChannelWebhooks(config.channels, *engine);
    if (!channels.ok()) {
      stopping.store(true);
      timer_cv.notify_all();
      timer_thread.join();
      return StartupFileError(channels.status());
    }
    for (auto& h : *channels) hooks.push_back(std::move(h));
  }
  std::unique_ptr<Metrics> metrics;
  if (!config.metrics_listen.empty()) {
    auto m = Metrics::Start(config.metrics_listen, engine.get());
    if (!m.ok()) {
      stopping.store(true);
      timer_cv.notify_all();
      timer_thread.join();
      return m.status();
    }
    metrics = std::move(*m);
    spdlog::info("metrics on http://{}/metrics (port {})", config.metrics_listen, metrics->port());
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen, listener_credentials, &port);
  // Commands wait on a synced write. With gRPC's default of at most 2 idle
  // pollers, every concurrent call beyond them ran on a thread created for
  // it and destroyed after; keep up to 64 threads polling instead.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  // Every service is served through the Guard (services/auth/guard.h).
  std::vector<std::unique_ptr<auth::GuardedService>> guarded;
  auto serve = [&](grpc::Service* service, const char* name) {
    const auto* d = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    guarded.push_back(std::make_unique<auth::GuardedService>(&guard, service, d));
    builder.RegisterService(guarded.back().get());
  };
  serve(&auth_service, "duban.v1.AuthService");
  serve(&org, "duban.v1.OrgService");
  serve(&plans, "duban.v1.PlanService");
  serve(&tasks, "duban.v1.TaskService");
  serve(&reports, "duban.v1.ReportService");
  serve(&supervision, "duban.v1.SupervisionService");
  serve(&ranking_service, "duban.v1.RankingService");
  serve(&accountability_service, "duban.v1.AccountabilityService");
  serve(&bulletin_service, "duban.v1.BulletinService");
  serve(&assessment_service, "duban.v1.AssessmentService");
  serve(&notifications, "duban.v1.NotificationService");
  serve(&admin, "duban.v1.AdminService");
  serve(&export_service, "duban.v1.ExportService");
  serve(&briefing_service, "duban.v1.BriefingService");
  if (metrics) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(metrics->InterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  WebhookDispatcher webhooks(&engine->outbox(), hooks);
  if (!hooks.empty()) webhooks.Start();
  if (metrics) metrics->SetDispatcher(&webhooks);
  auto stop_timers = [&] {
    {
      std::lock_guard<std::mutex> l(timer_mu);
      stopping.store(true);
    }
    timer_cv.notify_all();
    engine->outbox().WakeAll();
    timer_thread.join();
  };
  if (!server || port == 0) {
    stop_timers();
    return absl::UnavailableError(absl::StrCat("listen: cannot listen on ", config.listen));
  }
  spdlog::info("duband {} listening on {} (port {}, {}), data in {}, clock {}", DubanVersion(), config.listen, port,
               config.auth.tls_cert.empty() ? "plaintext" : "TLS", config.data_dir,
               config.simulated_clock ? "simulated" : "real");

  if (!config.port_file.empty()) {
    std::string tmp = config.port_file + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr || std::fprintf(f, "%d\n", port) < 0 || std::fclose(f) != 0 ||
        std::rename(tmp.c_str(), config.port_file.c_str()) != 0) {
      server->Shutdown();
      stop_timers();
      return absl::UnavailableError(absl::StrCat("port_file: cannot write ", config.port_file));
    }
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    spdlog::info("signal {}: shutting down", sig);
    stopping.store(true);
    engine->RequestStop();
    engine->outbox().WakeAll();
    if (auto* health = server->GetHealthCheckService()) health->Shutdown();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  });
  server->Wait();
  waiter.join();
  webhooks.Stop();
  metrics.reset();  // no scrape may see the dispatcher go
  stop_timers();
  spdlog::info("duband stopped");
  if (engine->store().write_failed()) {
    return absl::UnavailableError(absl::StrCat("data_dir ", config.data_dir, ": ", engine->store().WriteFailure()));
  }
  return absl::OkStatus();
}

}  // namespace duban
