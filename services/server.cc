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
#include "engine/audit/audit_scope.h"
#include "services/audit_interceptor.h"
#include "services/audit_service.h"
#include "services/evidence_service.h"
#include "services/http_gateway.h"
#include "services/auth/auth_service.h"
#include "services/auth/engine_binding.h"
#include "services/auth/guard.h"
#include "services/auth/tls.h"
#include "services/channels.h"
#include "services/metrics.h"
#include "services/office_services.h"
#include "services/services.h"
#include "services/request_bounds.h"
#include "services/webhook.h"
#include "services/rule_reload.h"
#include "services/status.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

absl::Status LoadDemoIfFirstStart(Engine* engine, const DaemonConfig& config) {
  if (config.demo_plan.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool loaded, engine->store().Exists(Cf::kMeta, keys::DemoLoaded()));
  if (loaded) return absl::OkStatus();
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::ParseFile(config.demo_plan));
  v1::AuditEntry act;
  act.set_account("duband");
  act.set_role("system");
  act.set_command("plans.import-demo");
  act.set_subject(absl::StrCat("file:", config.demo_plan));
  audit::AuditScope scope(std::move(act));
  ASSIGN_OR_RETURN(bool imported, engine->ImportDemoOnce(doc));
  if (imported) spdlog::info("loaded demo plan from {}", config.demo_plan);
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
  sigaddset(&sigs, SIGHUP);  // reload the rule files
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  // The listener's safety first: nothing is opened for an unsafe address.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> listener_credentials,
                   auth::ListenerCredentials(config.auth, config.listen));
  if (config.auth.dev_accounts && !auth::IsLoopbackAddress(config.listen)) {
    return absl::FailedPreconditionError("dev_accounts: the local development mode serves loopback addresses only");
  }
  // The HTTP listener follows the same rules: HTTPS with the same
  // certificate and key, or loopback (or --insecure, said loudly).
  if (!config.http_listen.empty() && config.auth.tls_cert.empty() && !auth::IsLoopbackAddress(config.http_listen)) {
    if (!config.auth.insecure) {
      return absl::FailedPreconditionError(absl::StrCat("http_listen: ", config.http_listen,
                                                        " is not a loopback address; give --tls_cert and --tls_key "
                                                        "(or --insecure)"));
    }
    spdlog::critical("INSECURE: serving plain HTTP on non-loopback address {} (--insecure); bearer tokens and "
                     "passwords cross the network unencrypted", config.http_listen);
  }
  if (config.auth.dev_accounts && !config.http_listen.empty() && !auth::IsLoopbackAddress(config.http_listen)) {
    return absl::FailedPreconditionError(
        "dev_accounts: the local development mode serves loopback addresses only (http_listen)");
  }

  std::unique_ptr<Clock> clock;
  if (config.simulated_clock) {
    clock = std::make_unique<SimulatedClock>(config.simulated_start);
  } else {
    clock = std::make_unique<RealClock>();
  }
  EngineOptions engine_options = config.engine;
  ASSIGN_OR_RETURN(engine_options.audit, BuildAuditOptions(config.audit, config.data_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(config.data_dir, clock.get(), engine_options));
  InstallCheckpointPublishers(engine.get(), config.audit, config.data_dir);
  RETURN_IF_ERROR(LoadDemoIfFirstStart(engine.get(), config));

  // Rankings and accountability: the config names units, resolved through
  // the engine's directory, so it is read after the demo plan is imported.
  std::unique_ptr<Rankings> rankings;
  std::unique_ptr<Accountability> accountability;
  if (!config.accountability_file.empty()) {
    auto acct = LoadAccountabilityConfigFile(config.accountability_file, engine->directory());
    if (!acct.ok()) return StartupFileError(acct.status());
    auto shared = std::make_shared<const AccountabilityConfig>(std::move(*acct));
    rankings = std::make_unique<Rankings>(&engine->context(), &engine->tasks(), &engine->obligations(), shared);
    accountability = std::make_unique<Accountability>(&engine->context(), &engine->supervision(), shared, rankings.get());
    if (absl::Status s = accountability->Init(); !s.ok()) return s;
    spdlog::info("accountability: {} boards, {} ladders from {}", shared->boards.size(), shared->ladders.size(),
                 config.accountability_file);
  }
  std::unique_ptr<Assessments> assessments;
  if (!config.assessment_file.empty()) {
    auto book = LoadAssessmentFile(config.assessment_file);
    if (!book.ok()) return StartupFileError(book.status());
    spdlog::info("assessment: {} {} from {}", book->id, book->year, config.assessment_file);
    assessments = std::make_unique<Assessments>(&engine->context(), std::move(*book));
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
    ASSIGN_OR_RETURN(auto demo_accounts, auth::DemoAccounts(*engine));
    RETURN_IF_ERROR(accounts.CreateDevAccounts(demo_accounts, dev_file));
    spdlog::warn("local development mode: demo accounts of the loaded plan; their passwords are in {} (mode 0600)",
                 dev_file);
  }
  auth::EngineObjects objects(engine.get(), accountability.get());
  auth::Guard guard(&accounts, &objects, config.auth.policy);

  RETURN_IF_ERROR(engine->StartCadences());
  // The work calendar past its last year: warn, tell the administrator, and
  // recompute deadlines counted before a year was added.
  if (const auto& cal = config.engine.calendar) {
    absl::CivilDay today = absl::ToCivilDay(engine->clock().Now(), PlanTimeZone());
    for (int year : MissingCalendarYears(*cal, today)) {
      spdlog::warn("calendar: {} has no entry for {}; working days in {} are counted Monday to Friday until one is "
                   "added (then restart)",
                   config.calendar_file, year, year);
    }
    RETURN_IF_ERROR(NotifyMissingCalendarYears(engine.get()).status());
    RETURN_IF_ERROR(engine->RecomputeDeadlines({}, "work calendar").status());
    RETURN_IF_ERROR(engine->RecomputeWarningChecks("work calendar").status());
  }
  // Ladders on signals (missed reports, red tasks, overdue supervision) are
  // evaluated after timers fire.
  auto evaluate_signals = [&] {
    if (!accountability || !accountability->HasSignalLadders()) return;
    CommandMeta meta;
    meta.actor = "duband";
    if (auto r = accountability->EvaluateSignals(meta); !r.ok()) {
      spdlog::error("signal ladders: {}", std::string(r.status().message()));
    }
  };
  evaluate_signals();
  // Briefings are drafted on the timer thread, after the timers due.
  Briefings briefings(engine.get(), rankings.get(), accountability.get());

  // The timer loop: fires what is due, then sleeps until the next timer (at
  // most a second, so a real clock is followed closely).
  std::atomic<bool> stopping{false};
  std::mutex timer_mu;
  std::condition_variable timer_cv;
  std::thread timer_thread([&] {
    absl::CivilDay checked_day;
    // Unreferenced evidence uploads are swept every ten minutes, and
    // whenever a simulated clock has moved.
    absl::Time last_sweep_real = absl::InfinitePast();
    absl::Time last_sweep_clock = absl::InfinitePast();
    bool stop_sent = false;
    while (!stopping.load()) {
      if (absl::Status s = engine->audit().MaybeCheckpoint(); !s.ok()) {
        spdlog::error("audit checkpoint: {}", std::string(s.message()));
      }
      // A write failed on the disk: the store takes no more writes until it
      // is reopened, so stop as on SIGTERM (and exit non-zero, below).
      if (engine->store().write_failed() && !stop_sent) {
        spdlog::error("store: {}; stopping", engine->store().WriteFailure());
        ::kill(::getpid(), SIGTERM);
        stop_sent = true;
      }
      absl::Time now = engine->clock().Now();
      if (absl::CivilDay today = absl::ToCivilDay(now, PlanTimeZone()); today != checked_day) {
        checked_day = today;
        if (auto n = NotifyMissingCalendarYears(engine.get()); !n.ok()) {
          spdlog::error("calendar: {}", std::string(n.status().message()));
        }
        evaluate_signals();
      }
      if (absl::Now() - last_sweep_real >= absl::Minutes(10) ||
          (engine->clock().IsSimulated() && now != last_sweep_clock)) {
        if (auto swept = engine->evidence().Sweep(now); !swept.ok()) {
          spdlog::error("evidence sweep: {}", std::string(swept.status().message()));
        }
        last_sweep_real = absl::Now();
        last_sweep_clock = now;
      }
      auto next = engine->NextTimerDue();
      if (next && *next <= now) {
        auto run = engine->RunTimers(now, /*step_clock=*/false);
        if (!run.ok()) {
          spdlog::error("timers: {}", std::string(run.status().message()));
        } else {
          if (run->fired > 0) evaluate_signals();
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
  auto wake_timers = [&] {
    evaluate_signals();  // after an AdvanceClock, before it answers
    timer_cv.notify_all();
  };

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
  RuleReloader reloader(config, engine.get(), rankings.get(), accountability.get());
  admin.SetReloader([&] { return reloader.Reload(); });
  AuditServiceImpl audit_service(engine.get(), config.audit);
  EvidenceServiceImpl evidence(engine.get(), &objects);
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
    spdlog::info("metrics on {} (port {}): /metrics", config.metrics_listen, metrics->port());
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  // A port in use is refused: without this gRPC binds with SO_REUSEPORT
  // and a second daemon would take a share of the first one's connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(config.listen, listener_credentials, &port);
  // Commands wait on a synced write. With gRPC's default of at most 2 idle
  // pollers, every concurrent call beyond them ran on a thread created for
  // it and destroyed after; keep up to 64 threads polling instead.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  // Requests: at most kMaxRequestBytes each (services/request_bounds.h);
  // the Guard bounds every repeated field within that.
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
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
  serve(&audit_service, "duban.v1.AuditService");
  serve(&evidence, "duban.v1.EvidenceService");
  serve(&export_service, "duban.v1.ExportService");
  serve(&briefing_service, "duban.v1.BriefingService");
  {
    // The audit trail's interceptor is always there; metrics when configured.
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(std::make_unique<AuditInterceptorFactory>(engine.get(), config.audit));
    if (metrics) interceptors.push_back(metrics->InterceptorFactory());
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
  // HTTP/JSON and the web app, through an in-process channel to this server.
  std::unique_ptr<HttpGateway> http;
  if (!config.http_listen.empty()) {
    HttpGatewayOptions ho;
    ho.listen = config.http_listen;
    ho.web_dir = config.web_dir;
    ho.tls_cert_file = config.auth.tls_cert;
    ho.tls_key_file = config.auth.tls_key;
    ho.max_body_bytes = config.engine.evidence.max_bytes + (1 << 20);
    http = std::make_unique<HttpGateway>(server->InProcessChannel(grpc::ChannelArguments()), ho);
    absl::Status hs = http->Start();
    if (hs.ok() && !config.http_port_file.empty()) {
      std::string tmp = config.http_port_file + ".tmp";
      FILE* f = std::fopen(tmp.c_str(), "w");
      if (f == nullptr || std::fprintf(f, "%d\n", http->port()) < 0 || std::fclose(f) != 0 ||
          std::rename(tmp.c_str(), config.http_port_file.c_str()) != 0) {
        hs = absl::UnavailableError(absl::StrCat("http_port_file: cannot write ", config.http_port_file));
      }
    }
    if (!hs.ok()) {
      http.reset();
      server->Shutdown();
      stop_timers();
      return hs;
    }
  }
  std::thread waiter([&] {
    int sig = 0;
    while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP) {
      // The reload is an act on the record, whether or not it changed
      // anything (as the ReloadRules RPC is, through the interceptor).
      v1::AuditEntry act;
      act.set_account("duband");
      act.set_role("system");
      act.set_command("rules.reload");
      act.set_subject("signal:SIGHUP");
      audit::AuditScope scope(act);
      auto r = reloader.Reload();
      if (!r.ok()) spdlog::error("SIGHUP: rules not reloaded: {}", std::string(r.status().message()));
      if (scope.recorded_seq() == 0) {
        act.set_result_code(static_cast<int>(r.status().code()));
        act.set_result_message(std::string(r.status().message()).substr(0, 512));
        if (r.ok()) {
          act.set_detail(absl::StrCat("cadences: ", r->cadences_added_size(), " added, ", r->cadences_removed_size(),
                                      " removed, ", r->cadences_changed_size(), " changed; ladders: ", r->ladders()));
        }
        if (auto rec = engine->audit().Record(std::move(act)); !rec.ok()) {
          spdlog::error("SIGHUP: the reload's audit entry was not written: {}", rec.status().ToString());
        }
      }
    }
    spdlog::info("signal {}: shutting down", sig);
    stopping.store(true);
    engine->RequestStop();
    engine->outbox().WakeAll();
    if (auto* health = server->GetHealthCheckService()) health->Shutdown();
    if (http) http->Stop();
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
