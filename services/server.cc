#include "services/server.h"

#include <signal.h>

#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/keys.h"
#include "engine/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "services/services.h"
#include "services/status.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

constexpr char kVersion[] = "0.1.0";

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  AdminServiceImpl(Engine* engine, std::string data_dir) : engine_(engine), data_dir_(std::move(data_dir)) {}
  grpc::Status ServerInfo(grpc::ServerContext*, const v1::ServerInfoRequest*, v1::ServerInfoResponse* out) override {
    out->set_version(kVersion);
    out->set_data_dir(data_dir_);
    out->set_simulated_clock(engine_->clock().IsSimulated());
    *out->mutable_now() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(engine_->clock().Now()));
    return grpc::Status::OK;
  }

 private:
  Engine* engine_;
  std::string data_dir_;
};

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

}  // namespace

absl::Status RunDaemon(const DaemonConfig& config) {
  // Signals are taken by one thread with sigwait; block them everywhere else.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  std::unique_ptr<Clock> clock;
  if (config.simulated_clock) {
    clock = std::make_unique<SimulatedClock>(config.simulated_start);
  } else {
    clock = std::make_unique<RealClock>();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(config.data_dir, clock.get(), config.engine));
  RETURN_IF_ERROR(LoadDemoIfFirstStart(engine.get(), config));

  OrgServiceImpl org(engine.get());
  PlanServiceImpl plans(engine.get());
  TaskServiceImpl tasks(engine.get());
  AdminServiceImpl admin(engine.get(), config.data_dir);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&org);
  builder.RegisterService(&plans);
  builder.RegisterService(&tasks);
  builder.RegisterService(&admin);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return absl::UnavailableError(absl::StrCat("listen: cannot listen on ", config.listen));
  }
  spdlog::info("duband {} listening on {} (port {}), data in {}, clock {}", kVersion, config.listen, port,
               config.data_dir, config.simulated_clock ? "simulated" : "real");

  if (!config.port_file.empty()) {
    std::string tmp = config.port_file + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr || std::fprintf(f, "%d\n", port) < 0 || std::fclose(f) != 0 ||
        std::rename(tmp.c_str(), config.port_file.c_str()) != 0) {
      server->Shutdown();
      return absl::UnavailableError(absl::StrCat("port_file: cannot write ", config.port_file));
    }
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    spdlog::info("signal {}: shutting down", sig);
    if (auto* health = server->GetHealthCheckService()) health->Shutdown();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  });
  server->Wait();
  waiter.join();
  spdlog::info("duband stopped");
  return absl::OkStatus();
}

}  // namespace duban
