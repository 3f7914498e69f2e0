// pipeline_bench: command throughput of duband against the machine's own
// ceilings, and the scale figures of a large store.
//
// Sections (--sections, comma-separated; default all but scale):
//   ceilings  RocksDB synced-batch writes (a command-sized batch per write)
//             and a gRPC echo round trip to a child process on loopback, at
//             each --clients count;
//   duband    duband as a child process on loopback, driven at each count
//             with three mixes: task progress reports; report obligations
//             submitted and returned; supervision steps (rectification
//             reported, returned). Afterwards duband is killed with SIGKILL,
//             restarted, and every acknowledged command is looked up: each
//             must be there exactly once;
//   pg        the progress-report command as a PostgreSQL transaction
//             (bench/pg_progress.sql, pgbench over loopback) when --pg_port
//             is given;
//   scale     a store of --scale_tasks tasks and --scale_events events
//             written directly, then duband's restart-to-serving time, its
//             memory, and listing by unit and by campaign.
//
// duband runs with bench/accounts.yaml and --dev_accounts: every call
// carries the bearer token of `bench` (the leading group's office, acting
// for each unit through meta.actor, role act_for), and the clock's of
// `bench-sysadmin`; both log in each time duband starts.
//
// Prints figures; the exit status is 1 only when a check fails (a lost or
// doubled command, a failed setup). Not a test; scripts/bench.sh runs it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "duban/v1/auth.grpc.pb.h"
#include "duban/v1/duban.grpc.pb.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/client_interceptor.h"
#include "services/auth/credentials.h"
#include "rocksdb/version.h"

ABSL_FLAG(std::string, sections, "ceilings,duband,pg", "what to run: ceilings, duband, pg, scale");
ABSL_FLAG(std::string, clients, "1,8,32", "concurrency levels (writers, clients)");
ABSL_FLAG(double, seconds, 5, "duration of each measurement");
ABSL_FLAG(std::string, dir, "", "where to create temporary data dirs (default $TMPDIR or /tmp)");
ABSL_FLAG(std::string, duband, DUBAN_BINARY_DIR "/services/duband", "the duband binary");
ABSL_FLAG(std::string, source_dir, DUBAN_SOURCE_DIR, "the source tree (config files)");
ABSL_FLAG(int, pg_port, 0, "PostgreSQL port on 127.0.0.1 (0: skip the peer); password in PGPASSWORD");
ABSL_FLAG(std::string, pg_user, "duban", "PostgreSQL user");
ABSL_FLAG(std::string, pg_db, "duban", "PostgreSQL database");
ABSL_FLAG(int64_t, scale_tasks, 1000000, "scale: tasks written directly");
ABSL_FLAG(int64_t, scale_events, 10000000, "scale: events written directly");
ABSL_FLAG(int, scale_queries, 500, "scale: list queries of each kind");
ABSL_FLAG(std::string, duband_flags, "", "extra flags for duband, space-separated (e.g. --block_cache_mb=32)");
ABSL_FLAG(std::string, echo_server, "", "child mode: serve the echo service, write the port to this file");

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

bool g_failed = false;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// ---------------------------------------------------------------- measurement

struct Figures {
  int64_t ok = 0;
  int64_t errors = 0;
  double secs = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string first_error;
  double rate() const { return secs > 0 ? ok / secs : 0; }
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

// Runs `clients` threads for `seconds`, each calling op(client, &error)
// back to back; op returns false on an error and fills *error.
Figures Drive(int clients, double seconds, const std::function<bool(int, std::string*)>& op) {
  std::vector<std::vector<double>> lat(clients);
  std::vector<int64_t> errors(clients, 0);
  std::vector<std::string> first(clients);
  std::atomic<bool> go{false};
  auto start = Clock::now();
  auto deadline = start;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      while (!go.load()) std::this_thread::yield();
      while (Clock::now() < deadline) {
        auto t0 = Clock::now();
        std::string err;
        bool ok = op(c, &err);
        auto t1 = Clock::now();
        if (ok) {
          lat[c].push_back(Seconds(t1 - t0) * 1000);
        } else {
          if (errors[c]++ == 0) first[c] = err;
        }
      }
    });
  }
  start = Clock::now();
  deadline = start + std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
  go.store(true);
  for (auto& t : threads) t.join();
  Figures f;
  f.secs = Seconds(Clock::now() - start);
  std::vector<double> all;
  for (int c = 0; c < clients; ++c) {
    all.insert(all.end(), lat[c].begin(), lat[c].end());
    f.errors += errors[c];
    if (f.first_error.empty()) f.first_error = first[c];
  }
  f.ok = static_cast<int64_t>(all.size());
  f.p50_ms = Percentile(all, 0.50);
  f.p99_ms = Percentile(all, 0.99);
  return f;
}

std::vector<int> ClientCounts() {
  std::vector<int> out;
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_clients), ',', absl::SkipEmpty())) {
    int n = 0;
    if (absl::SimpleAtoi(s, &n) && n > 0) out.push_back(n);
  }
  return out;
}

std::string TempRoot() {
  std::string d = absl::GetFlag(FLAGS_dir);
  if (d.empty()) d = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string tmpl = d + "/pipeline-bench-XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  if (p == nullptr) {
    std::fprintf(stderr, "pipeline_bench: cannot create a folder under %s\n", d.c_str());
    std::exit(2);
  }
  return p;
}

// ---------------------------------------------------------------- sessions

// The tokens of the running duband's sessions (bench/accounts.yaml).
struct Sessions {
  std::mutex mu;
  std::string bench;     // every call but the clock's
  std::string sysadmin;  // AdminService/AdvanceClock
};
Sessions g_sessions;

constexpr char kBenchPassword[] = "Duban-bench-2023";
constexpr char kBenchTotpSecret[] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

// Adds "authorization: Bearer <token>" to every call on a duband channel.
class BearerInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(grpc::experimental::ClientRpcInfo* info) : method_(info->method()) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::string token;
      {
        std::lock_guard<std::mutex> l(g_sessions.mu);
        bool clock = absl::EndsWith(method_, "/AdvanceClock");
        token = clock ? g_sessions.sysadmin : g_sessions.bench;
      }
      if (!token.empty()) m->GetSendInitialMetadata()->insert({"authorization", "Bearer " + token});
    }
    m->Proceed();
  }

 private:
  std::string method_;
};

class BearerInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override {
    return new BearerInterceptor(info);
  }
};

// A channel to duband whose calls carry the sessions' tokens.
std::shared_ptr<grpc::Channel> DubandChannel(const std::string& address, grpc::ChannelArguments args = {}) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<BearerInterceptorFactory>());
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, grpc::InsecureChannelCredentials(), args,
                                                                 std::move(factories));
}

// Logs bench and bench-sysadmin in (sessions end when duband stops).
bool LogIn(const std::string& address) {
  auto stub = duban::v1::AuthService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto login = [&](const std::string& account, bool totp, std::string* token) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    duban::v1::LoginRequest req;
    req.set_account_id(account);
    req.set_password(kBenchPassword);
    if (totp) req.set_totp_code(duban::auth::TotpCode(kBenchTotpSecret, absl::Now()).value_or(""));
    duban::v1::LoginResponse res;
    grpc::Status s = stub->Login(&ctx, req, &res);
    if (!s.ok() || res.must_change_password()) {
      std::fprintf(stderr, "login %s: %s\n", account.c_str(),
                   s.ok() ? "the session is restricted" : s.error_message().c_str());
      return false;
    }
    *token = res.token();
    return true;
  };
  std::string bench, sysadmin;
  if (!login("bench", false, &bench) || !login("bench-sysadmin", true, &sysadmin)) return false;
  std::lock_guard<std::mutex> l(g_sessions.mu);
  g_sessions.bench = bench;
  g_sessions.sysadmin = sysadmin;
  return true;
}

// ---------------------------------------------------------------- child processes

struct Child {
  pid_t pid = -1;
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
};

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::fflush(stdout);  // or the child prints our buffered lines again
  pid_t pid = ::fork();
  if (pid == 0) {
    if (std::freopen(log.c_str(), "a", stdout) == nullptr) ::_exit(126);
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for the port file, then connects; the time it took, or nullopt.
std::optional<double> WaitServing(Child* c, const std::string& port_file, double timeout_s) {
  auto start = Clock::now();
  while (Seconds(Clock::now() - start) < timeout_s) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) {
      c->address = absl::StrCat("127.0.0.1:", port);
      c->channel = DubandChannel(c->address);
      if (!c->channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) return {};
      return Seconds(Clock::now() - start);
    }
    int status = 0;
    if (::waitpid(c->pid, &status, WNOHANG) == c->pid) {
      c->pid = -1;
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return {};
}

void Stop(Child* c, int sig) {
  if (c->pid <= 0) return;
  ::kill(c->pid, sig);
  int status = 0;
  ::waitpid(c->pid, &status, 0);
  c->pid = -1;
}

// Connects before the clock starts: a channel still connecting fails its
// calls fast, and one whose first attempt failed (seen on loopback when
// many connect at once) would spend the measurement in reconnect backoff,
// leaving the figure to the other clients.
std::shared_ptr<grpc::Channel> Connected(std::shared_ptr<grpc::Channel> ch, const std::string& address) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (ch->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) return ch;
  }
  std::fprintf(stderr, "a client's channel to %s did not connect in 30 s\n", address.c_str());
  return ch;
}

// A channel of its own per client, as separate users would have.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return Connected(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args), address);
}
// The same to duband, with the sessions' tokens.
std::shared_ptr<grpc::Channel> OwnDubandChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return Connected(DubandChannel(address, args), address);
}

long VmKiB(pid_t pid, const char* field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) {
      long v = 0;
      std::istringstream(line.substr(std::strlen(field) + 1)) >> v;
      return v;
    }
  }
  return 0;
}

// The allocator the process has mapped: tcmalloc when duband was linked
// with it (DUBAN_TCMALLOC), else glibc's malloc.
std::string Allocator(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/maps"));
  std::string line;
  while (std::getline(in, line)) {
    auto at = line.find("libtcmalloc");
    if (at != std::string::npos) return line.substr(at);
  }
  return "glibc malloc";
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  }
  return n;
}

// ---------------------------------------------------------------- echo server (child mode)

class EchoService final : public grpc::health::v1::Health::Service {
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* req,
                     grpc::health::v1::HealthCheckResponse* res) override {
    res->set_status(req->service().empty() ? grpc::health::v1::HealthCheckResponse::UNKNOWN
                                           : grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
};

int RunEchoServer(const std::string& port_file) {
  EchoService echo;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&echo);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) return 1;
  {
    std::ofstream out(port_file + ".tmp");
    out << port << "\n";
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  server->Wait();
  return 0;
}

// ---------------------------------------------------------------- ceilings

// A batch of the size and shape of a progress report: the task record,
// one event, a few index keys, the request record.
Figures RocksCeiling(const std::string& root, int writers, double seconds) {
  std::string dir = absl::StrCat(root, "/rocks-", writers);
  auto store = duban::Store::Open(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "ceiling: %s\n", std::string(store.status().message()).c_str());
    g_failed = true;
    return {};
  }
  std::vector<uint64_t> seq(writers, 0);
  std::string record(420, 'r'), event(260, 'e');
  Figures f = Drive(writers, seconds, [&](int c, std::string* err) {
    uint64_t n = ++seq[c];
    std::string id = absl::StrCat("T", c + 1);
    rocksdb::WriteBatch b;
    (*store)->Put(&b, duban::Cf::kEntities, duban::keys::Entity(duban::keys::Kind::kTask, id), record);
    (*store)->Put(&b, duban::Cf::kEvents, duban::keys::Event(id, n), event);
    (*store)->Put(&b, duban::Cf::kIndex, duban::keys::Index("state", "4", c + 1), "");
    (*store)->Put(&b, duban::Cf::kRequests, absl::StrCat("bench-", c, "-", n), event);
    absl::Status s = (*store)->Write(&b);
    if (!s.ok()) *err = std::string(s.message());
    return s.ok();
  });
  store->reset();
  fs::remove_all(dir);
  return f;
}

Figures EchoCeiling(const Child& echo, int clients, double seconds) {
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> stubs;
  for (int c = 0; c < clients; ++c) stubs.push_back(grpc::health::v1::Health::NewStub(OwnChannel(echo.address)));
  // About the size of a progress report request.
  std::string payload(200, 'x');
  return Drive(clients, seconds, [&](int c, std::string* err) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(payload);
    grpc::health::v1::HealthCheckResponse res;
    grpc::Status s = stubs[c]->Check(&ctx, req, &res);
    if (!s.ok()) *err = s.error_message();
    return s.ok();
  });
}

// ---------------------------------------------------------------- duband

std::vector<std::string> DubandArgs(const std::string& data_dir, const std::string& port_file, bool demo) {
  std::string src = absl::GetFlag(FLAGS_source_dir);
  std::vector<std::string> args = {absl::GetFlag(FLAGS_duband),
                                   "--config=" + src + "/config/duband.yaml",
                                   "--data_dir=" + data_dir,
                                   "--listen=127.0.0.1:0",
                                   "--port_file=" + port_file,
                                   "--clock=simulated",
                                   "--clock_start=2023-03-20T08:00:00+08:00",
                                   "--accounts=" + src + "/bench/accounts.yaml",
                                   "--dev_accounts"};
  if (demo) {
    args.push_back("--demo_plan=" + src + "/config/demo/plan.yaml");
  } else {
    args.push_back("--demo_plan=none");
  }
  for (absl::string_view f : absl::StrSplit(absl::GetFlag(FLAGS_duband_flags), ' ', absl::SkipEmpty())) {
    args.emplace_back(f);
  }
  return args;
}

bool StartDuband(Child* d, const std::string& data_dir, bool demo, double* took = nullptr) {
  std::string port_file = data_dir + ".port";
  ::unlink(port_file.c_str());
  d->pid = Spawn(DubandArgs(data_dir, port_file, demo), data_dir + ".log");
  auto t = WaitServing(d, port_file, 600);
  if (!t) {
    std::fprintf(stderr, "duband did not start; see %s.log\n", data_dir.c_str());
    return false;
  }
  if (took) *took = *t;
  if (!LogIn(d->address)) {
    std::fprintf(stderr, "duband: the bench accounts could not log in; see %s.log\n", data_dir.c_str());
    return false;
  }
  return true;
}

duban::v1::CommandMeta Meta(const std::string& actor) {
  duban::v1::CommandMeta m;
  m.set_actor(actor);
  return m;
}

// What each client acknowledged: subject id -> the texts of its commands.
struct Record {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> acked;
  void Add(const std::string& subject, std::string text) {
    std::lock_guard<std::mutex> l(mu);
    acked[subject].push_back(std::move(text));
  }
};

// One mix: its setup, its command and its check after the restart.
class Mix {
 public:
  virtual ~Mix() = default;
  virtual std::string name() const = 0;
  // Prepares subjects for up to max_clients clients.
  virtual bool Setup(const std::shared_ptr<grpc::Channel>& ch, int max_clients) = 0;
  virtual bool Command(duban::v1::TaskService::Stub*, duban::v1::ReportService::Stub*,
                       duban::v1::SupervisionService::Stub*, int client, int clients, std::string* err) = 0;
  // Counts acknowledged commands missing or present twice after the restart.
  virtual void Check(const std::shared_ptr<grpc::Channel>& ch, int64_t* acked, int64_t* lost, int64_t* doubled) = 0;

 protected:
  std::atomic<int64_t> serial_{0};
  std::string Text(int client) { return absl::StrCat("c", client, "-", serial_.fetch_add(1)); }
  static void Count(const std::vector<std::string>& acked, const std::multiset<std::string>& seen, int64_t* n,
                    int64_t* lost, int64_t* doubled) {
    for (const auto& t : acked) {
      ++*n;
      size_t k = seen.count(t);
      if (k == 0) ++*lost;
      if (k > 1) ++*doubled;
    }
  }
  Record record_;
};

// Progress reports on the demo tasks; each client reports on its own tasks.
class ProgressMix : public Mix {
 public:
  std::string name() const override { return "task progress reports"; }
  bool Setup(const std::shared_ptr<grpc::Channel>& ch, int max_clients) override {
    auto tasks = duban::v1::TaskService::NewStub(ch);
    for (int i = 1; i <= 170; ++i) {
      // Each task is accepted, and reported on, by its lead unit's account.
      grpc::ClientContext gctx;
      duban::v1::GetTaskRequest get;
      get.set_task_id(absl::StrCat("T", i));
      duban::v1::Task task;
      if (grpc::Status s = tasks->GetTask(&gctx, get, &task); !s.ok() || task.lead_unit_ids().empty()) {
        std::fprintf(stderr, "setup: get T%d: %s\n", i, s.ok() ? "no lead unit" : s.error_message().c_str());
        return false;
      }
      lead_[task.id()] = task.lead_unit_ids(0);
      grpc::ClientContext ctx;
      duban::v1::TaskRef ref;
      ref.set_task_id(absl::StrCat("T", i));
      *ref.mutable_meta() = Meta(task.lead_unit_ids(0));
      duban::v1::CommandResponse res;
      grpc::Status s = tasks->AcceptTask(&ctx, ref, &res);
      if (!s.ok()) {
        std::fprintf(stderr, "setup: accept T%d: %s\n", i, s.error_message().c_str());
        return false;
      }
      ids_.push_back(ref.task_id());
    }
    next_.assign(max_clients, 0);
    return true;
  }
  bool Command(duban::v1::TaskService::Stub* tasks, duban::v1::ReportService::Stub*,
               duban::v1::SupervisionService::Stub*, int c, int clients, std::string* err) override {
    // Client c owns the tasks i with i % clients == c.
    size_t per = (ids_.size() - c + clients - 1) / clients;
    const std::string& id = ids_[c + clients * (next_[c]++ % per)];
    std::string text = Text(c);
    grpc::ClientContext ctx;
    duban::v1::ReportProgressRequest req;
    req.set_task_id(id);
    *req.mutable_meta() = Meta(lead_.at(id));
    req.mutable_report()->set_work_done(text);
    req.mutable_report()->set_progress("按计划推进，本期完成阶段目标");
    duban::v1::CommandResponse res;
    grpc::Status s = tasks->ReportProgress(&ctx, req, &res);
    if (!s.ok()) {
      *err = s.error_message();
      return false;
    }
    record_.Add(id, text);
    return true;
  }
  void Check(const std::shared_ptr<grpc::Channel>& ch, int64_t* n, int64_t* lost, int64_t* doubled) override {
    auto tasks = duban::v1::TaskService::NewStub(ch);
    for (const auto& [id, texts] : record_.acked) {
      std::multiset<std::string> seen;
      duban::v1::HistoryRequest req;
      req.set_task_id(id);
      do {  // every page
        grpc::ClientContext ctx;
        duban::v1::HistoryResponse res;
        if (grpc::Status s = tasks->History(&ctx, req, &res); !s.ok()) {
          std::fprintf(stderr, "check: history %s: %s\n", id.c_str(), s.error_message().c_str());
          break;
        }
        for (const auto& e : res.events()) seen.insert(e.report().work_done());
        req.set_after_version(res.next_after_version());
      } while (req.after_version() != 0);
      Count(texts, seen, n, lost, doubled);
    }
  }

 private:
  std::vector<std::string> ids_;
  std::map<std::string, std::string> lead_;  // task id -> its lead unit (that unit's account)
  std::vector<uint64_t> next_;
};

// Report obligations: the unit submits, the office returns it, again.
class ObligationMix : public Mix {
 public:
  std::string name() const override { return "obligations submitted and reviewed"; }
  bool Setup(const std::shared_ptr<grpc::Channel>& ch, int max_clients) override {
    // Obligations are generated by the cadence timers: move the clock on.
    auto admin = duban::v1::AdminService::NewStub(ch);
    auto reports = duban::v1::ReportService::NewStub(ch);
    for (int week = 0; week < 8 && static_cast<int>(ids_.size()) < max_clients; ++week) {
      grpc::ClientContext actx;
      actx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
      duban::v1::AdvanceClockRequest areq;
      areq.set_by("168h");
      duban::v1::AdvanceClockResponse ares;
      if (grpc::Status s = admin->AdvanceClock(&actx, areq, &ares); !s.ok()) {
        std::fprintf(stderr, "setup: advance clock: %s\n", s.error_message().c_str());
        return false;
      }
      ids_.clear();
      std::string token;
      do {
        grpc::ClientContext ctx;
        duban::v1::ListObligationsRequest req;
        req.set_state(duban::v1::OBLIGATION_STATE_PENDING);
        req.set_page_size(1000);
        req.set_page_token(token);
        duban::v1::ListObligationsResponse res;
        if (grpc::Status s = reports->ListObligations(&ctx, req, &res); !s.ok()) {
          std::fprintf(stderr, "setup: list obligations: %s\n", s.error_message().c_str());
          return false;
        }
        for (const auto& o : res.obligations()) {
          ids_.push_back(o.id());
          unit_[o.id()] = o.unit_id();
        }
        token = res.next_page_token();
      } while (!token.empty());
    }
    if (static_cast<int>(ids_.size()) < max_clients) {
      std::fprintf(stderr, "setup: %zu pending obligations, need %d\n", ids_.size(), max_clients);
      return false;
    }
    ids_.resize(max_clients);
    submitted_.assign(max_clients, false);
    return true;
  }
  bool Command(duban::v1::TaskService::Stub*, duban::v1::ReportService::Stub* reports,
               duban::v1::SupervisionService::Stub*, int c, int, std::string* err) override {
    const std::string& id = ids_[c];
    std::string text = Text(c);
    grpc::ClientContext ctx;
    duban::v1::Obligation res;
    grpc::Status s;
    if (!submitted_[c]) {
      duban::v1::SubmitReportRequest req;
      *req.mutable_meta() = Meta(unit_.at(id));  // the reporting unit's account
      req.set_obligation_id(id);
      req.set_text(text);
      s = reports->SubmitReport(&ctx, req, &res);
    } else {
      duban::v1::ReviewReportRequest req;
      *req.mutable_meta() = Meta("");  // bench itself: the leading group's office
      req.set_obligation_id(id);
      req.set_decision(duban::v1::REVIEW_DECISION_RETURN);
      req.set_reason(text);
      s = reports->ReviewReport(&ctx, req, &res);
    }
    if (!s.ok()) {
      *err = s.error_message();
      return false;
    }
    submitted_[c] = !submitted_[c];
    record_.Add(id, text);
    return true;
  }
  void Check(const std::shared_ptr<grpc::Channel>& ch, int64_t* n, int64_t* lost, int64_t* doubled) override {
    auto reports = duban::v1::ReportService::NewStub(ch);
    for (const auto& [id, texts] : record_.acked) {
      std::multiset<std::string> seen;
      duban::v1::ObligationHistoryRequest req;
      req.set_obligation_id(id);
      do {  // every page
        grpc::ClientContext ctx;
        duban::v1::ObligationHistoryResponse res;
        if (grpc::Status s = reports->ObligationHistory(&ctx, req, &res); !s.ok()) {
          std::fprintf(stderr, "check: history %s: %s\n", id.c_str(), s.error_message().c_str());
          break;
        }
        for (const auto& e : res.events()) seen.insert(e.text());
        req.set_after_version(res.next_after_version());
      } while (req.after_version() != 0);
      Count(texts, seen, n, lost, doubled);
    }
  }

 private:
  std::vector<std::string> ids_;
  std::map<std::string, std::string> unit_;  // obligation id -> its reporting unit
  std::vector<char> submitted_;  // per client: next is a review
};

// Supervision items: the unit reports its rectification, a supervisor
// returns it, again.
class SupervisionMix : public Mix {
 public:
  std::string name() const override { return "supervision steps"; }
  bool Setup(const std::shared_ptr<grpc::Channel>& ch, int max_clients) override {
    auto sup = duban::v1::SupervisionService::NewStub(ch);
    for (int c = 0; c < max_clients; ++c) {
      grpc::ClientContext ctx;
      duban::v1::ListForSupervisionRequest req;
      *req.mutable_meta() = Meta("supervisor");
      req.set_subject_kind(duban::v1::SUPERVISION_SUBJECT_HAZARD);
      req.set_title(absl::StrCat("隐患整改 ", c + 1));
      req.set_level(1);
      req.set_responsible_unit("市应急管理局");
      req.set_hazard_list("一单四制");
      duban::v1::SupervisionItem item;
      if (grpc::Status s = sup->ListForSupervision(&ctx, req, &item); !s.ok()) {
        std::fprintf(stderr, "setup: list for supervision: %s\n", s.error_message().c_str());
        return false;
      }
      ids_.push_back(item.id());
      responsible_.push_back(item.responsible_unit_id());
    }
    reported_.assign(max_clients, false);
    return true;
  }
  bool Command(duban::v1::TaskService::Stub*, duban::v1::ReportService::Stub*, duban::v1::SupervisionService::Stub* sup,
               int c, int, std::string* err) override {
    std::string text = Text(c);
    grpc::ClientContext ctx;
    duban::v1::SupervisionStepRequest req;
    req.set_item_id(ids_[c]);
    req.set_text(text);
    if (!reported_[c]) {
      *req.mutable_meta() = Meta(responsible_[c]);  // 市应急管理局's account
      req.set_action(duban::v1::SUPERVISION_ACTION_REPORT_RECTIFICATION);
    } else {
      *req.mutable_meta() = Meta("supervisor");
      req.set_action(duban::v1::SUPERVISION_ACTION_RETURN);
    }
    duban::v1::SupervisionItem item;
    grpc::Status s = sup->Step(&ctx, req, &item);
    if (!s.ok()) {
      *err = s.error_message();
      return false;
    }
    reported_[c] = !reported_[c];
    record_.Add(ids_[c], text);
    return true;
  }
  void Check(const std::shared_ptr<grpc::Channel>& ch, int64_t* n, int64_t* lost, int64_t* doubled) override {
    auto sup = duban::v1::SupervisionService::NewStub(ch);
    for (const auto& [id, texts] : record_.acked) {
      std::multiset<std::string> seen;
      duban::v1::SupervisionHistoryRequest req;
      req.set_item_id(id);
      do {  // every page
        grpc::ClientContext ctx;
        duban::v1::SupervisionHistoryResponse res;
        if (grpc::Status s = sup->History(&ctx, req, &res); !s.ok()) {
          std::fprintf(stderr, "check: history %s: %s\n", id.c_str(), s.error_message().c_str());
          break;
        }
        for (const auto& e : res.events()) seen.insert(e.text());
        req.set_after_version(res.next_after_version());
      } while (req.after_version() != 0);
      Count(texts, seen, n, lost, doubled);
    }
  }

 private:
  std::vector<std::string> ids_;
  std::vector<std::string> responsible_;  // per item: the responsible unit's id
  std::vector<char> reported_;
};

// ---------------------------------------------------------------- PostgreSQL

// pgbench with bench/pg_progress.sql: the figures, or nullopt.
std::optional<Figures> PgProgress(const std::string& root, int clients, double seconds) {
  int port = absl::GetFlag(FLAGS_pg_port);
  std::string src = absl::GetFlag(FLAGS_source_dir);
  std::string conn = absl::StrFormat("-h 127.0.0.1 -p %d -U %s %s", port, absl::GetFlag(FLAGS_pg_user),
                                     absl::GetFlag(FLAGS_pg_db));
  std::string logdir = absl::StrCat(root, "/pg-", clients);
  fs::create_directories(logdir);
  // Each client reports on its own tasks (:client_id in the script).
  std::string cmd = absl::StrFormat(
      "cd %s && pgbench -n -c %d -j %d -T %d -l --log-prefix=tx -f %s/bench/pg_progress.sql %s 2>&1", logdir,
      clients, std::min(clients, 4), std::max(1, static_cast<int>(seconds + 0.5)), src, conn);
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return {};
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  int rc = ::pclose(p);
  if (rc != 0) {
    std::fprintf(stderr, "pgbench failed:\n%s", out.c_str());
    return {};
  }
  // Per-transaction log lines: client_id transaction_no time_us script_no epoch epoch_us
  std::vector<double> lat;
  for (const auto& e : fs::directory_iterator(logdir)) {
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
      double us = 0;
      if (f.size() >= 3 && absl::SimpleAtod(f[2], &us)) lat.push_back(us / 1000);
    }
  }
  Figures fig;
  fig.ok = static_cast<int64_t>(lat.size());
  fig.secs = seconds;
  // pgbench's own rate excludes connection set-up; prefer it.
  auto pos = out.find("tps = ");
  double tps = 0;
  if (pos != std::string::npos) {
    std::string rest = out.substr(pos + 6);
    absl::SimpleAtod(rest.substr(0, rest.find(' ')), &tps);
  }
  if (tps > 0) fig.secs = fig.ok / tps;
  fig.p50_ms = Percentile(lat, 0.5);
  fig.p99_ms = Percentile(lat, 0.99);
  fs::remove_all(logdir);
  return fig;
}

// ---------------------------------------------------------------- scale

// Writes tasks (with their index entries) and events directly, linked to
// the demo plan's campaigns and units already in the store.
bool WriteScaleData(const std::string& data_dir, int64_t n_tasks, int64_t n_events) {
  auto store_or = duban::Store::Open(data_dir);
  if (!store_or.ok()) {
    std::fprintf(stderr, "scale: %s\n", std::string(store_or.status().message()).c_str());
    return false;
  }
  auto& store = **store_or;
  std::vector<duban::v1::Task> templates;
  absl::Status scanned = store.Scan(duban::Cf::kEntities, duban::keys::EntityPrefix(duban::keys::Kind::kTask),
                                    [&](absl::string_view, absl::string_view v) {
                                      duban::v1::Task t;
                                      if (t.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
                                        templates.push_back(t);
                                      }
                                      return true;
                                    });
  if (!scanned.ok()) {
    std::fprintf(stderr, "scale: reading the demo tasks: %s\n", std::string(scanned.message()).c_str());
    return false;
  }
  if (templates.empty()) {
    std::fprintf(stderr, "scale: no demo tasks to copy\n");
    return false;
  }
  uint64_t first = templates.size() + 1000;  // above every existing task number
  int64_t per_task = n_events / n_tasks, extra = n_events % n_tasks;
  auto start = Clock::now();
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;  // bulk load; flushed below
  rocksdb::WriteBatch b;
  int64_t events = 0;
  for (int64_t i = 0; i < n_tasks; ++i) {
    uint64_t num = first + i;
    duban::v1::Task t = templates[i % templates.size()];
    std::string id = absl::StrCat("T", num);
    t.set_id(id);
    t.set_code(absl::StrCat(t.code(), ".", i));
    int64_t k = per_task + (i < extra ? 1 : 0);
    t.set_version(k + 1);
    store.Put(&b, duban::Cf::kEntities, duban::keys::Entity(duban::keys::Kind::kTask, id), t);
    std::vector<std::string> idx = {duban::keys::Index("plan", t.plan_id(), num),
                                    duban::keys::Index("campaign", t.campaign_id(), num),
                                    duban::keys::Index("state", std::to_string(t.state()), num),
                                    duban::keys::Index("due", t.due_date(), num)};
    for (const auto& u : t.lead_unit_ids()) idx.push_back(duban::keys::Index("unit", u, num));
    for (const auto& u : t.responsible_unit_ids()) idx.push_back(duban::keys::Index("unit", u, num));
    std::sort(idx.begin(), idx.end());
    idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
    for (const auto& key : idx) store.Put(&b, duban::Cf::kIndex, key, "");
    for (int64_t v = 1; v <= k + 1; ++v) {
      duban::v1::TaskEvent e;
      e.set_task_id(id);
      e.set_version(v);
      e.set_actor(t.lead_unit_ids_size() ? t.lead_unit_ids(0) : "bench");
      e.mutable_at()->set_seconds(1679270400 + v * 86400);
      e.set_command(v == 1 ? duban::v1::TASK_COMMAND_CREATE : duban::v1::TASK_COMMAND_REPORT_PROGRESS);
      if (v > 1) {
        e.mutable_report()->set_work_done(absl::StrCat("第", v - 1, "次报送：按计划推进"));
        ++events;
      }
      store.Put(&b, duban::Cf::kEvents, duban::keys::Event(id, v), e);
    }
    if (b.Count() >= 20000) {
      if (auto s = store.db()->Write(wo, &b); !s.ok()) {
        std::fprintf(stderr, "scale: write: %s\n", s.ToString().c_str());
        return false;
      }
      b.Clear();
    }
    if ((i + 1) % 100000 == 0) {
      std::printf("  %lld tasks, %lld events written (%.0f s)\n", static_cast<long long>(i + 1),
                  static_cast<long long>(events), Seconds(Clock::now() - start));
      std::fflush(stdout);
    }
  }
  store.Put(&b, duban::Cf::kMeta, "next_task_id", std::to_string(first + n_tasks));
  if (auto s = store.db()->Write(wo, &b); !s.ok()) return false;
  rocksdb::FlushOptions fo;
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (int c = 0; c < static_cast<int>(duban::Cf::kCount); ++c) all.push_back(store.handle(static_cast<duban::Cf>(c)));
  store.db()->Flush(fo, all);
  std::printf("  written: %lld tasks, %lld events in %.1f s (flushed; compaction left to the store)\n",
              static_cast<long long>(n_tasks), static_cast<long long>(events), Seconds(Clock::now() - start));
  return true;
}

void Scale(const std::string& root) {
  int64_t n_tasks = absl::GetFlag(FLAGS_scale_tasks), n_events = absl::GetFlag(FLAGS_scale_events);
  std::printf("\n== scale: %lld tasks, %lld events\n", static_cast<long long>(n_tasks),
              static_cast<long long>(n_events));
  std::string data = root + "/scale";
  Child d;
  if (!StartDuband(&d, data, /*demo=*/true)) {
    g_failed = true;
    return;
  }
  Stop(&d, SIGTERM);
  if (!WriteScaleData(data, n_tasks, n_events)) {
    g_failed = true;
    return;
  }
  std::printf("  data dir: %.0f MiB\n", DirBytes(data) / 1048576.0);
  // Restart after a clean stop, then after SIGKILL under writes.
  double took = 0;
  if (!StartDuband(&d, data, true, &took)) {
    g_failed = true;
    return;
  }
  std::printf("%-44s %8.2f s   (target < 5 s)\n", "restart to serving, after bulk load", took);
  auto tasks = duban::v1::TaskService::NewStub(d.channel);
  auto timed_list = [&](const char* what, const std::function<void(duban::v1::ListTasksRequest*, int)>& fill) {
    std::vector<double> lat;
    int64_t rows = 0;
    for (int q = 0; q < absl::GetFlag(FLAGS_scale_queries); ++q) {
      grpc::ClientContext ctx;
      duban::v1::ListTasksRequest req;
      fill(&req, q);
      req.set_page_size(50);
      duban::v1::ListTasksResponse res;
      auto t0 = Clock::now();
      grpc::Status s = tasks->ListTasks(&ctx, req, &res);
      lat.push_back(Seconds(Clock::now() - t0) * 1000);
      if (!s.ok()) {
        std::fprintf(stderr, "scale: list %s: %s\n", what, s.error_message().c_str());
        g_failed = true;
        return;
      }
      rows += res.tasks_size();
    }
    double p50 = Percentile(lat, 0.5), p99 = Percentile(lat, 0.99);
    std::printf("%-44s p50 %6.2f ms  p99 %6.2f ms  (%lld rows; target p99 < 50 ms)\n",
                absl::StrCat("list tasks by ", what, ", page of 50").c_str(), p50, p99,
                static_cast<long long>(rows));
  };
  std::vector<std::string> units = {"swj", "fgj", "yjj", "jtj", "zjj", "sjj"};
  std::vector<std::string> campaigns = {"economy", "safety", "project", "environment", "reform", "people"};
  {
    // The campaign and unit ids of the demo plan, as stored.
    auto plans = duban::v1::PlanService::NewStub(d.channel);
    grpc::ClientContext ctx;
    duban::v1::ListCampaignsRequest req;
    duban::v1::ListCampaignsResponse res;
    if (plans->ListCampaigns(&ctx, req, &res).ok() && res.campaigns_size() > 0) {
      campaigns.clear();
      for (const auto& c : res.campaigns()) campaigns.push_back(c.id());
    }
    grpc::ClientContext tctx;
    duban::v1::ListTasksRequest treq;
    treq.set_page_size(200);
    duban::v1::ListTasksResponse tres;
    if (tasks->ListTasks(&tctx, treq, &tres).ok()) {
      std::set<std::string> seen;
      for (const auto& t : tres.tasks()) {
        for (const auto& u : t.lead_unit_ids()) seen.insert(u);
      }
      if (!seen.empty()) units.assign(seen.begin(), seen.end());
    }
  }
  timed_list("campaign", [&](duban::v1::ListTasksRequest* r, int q) { r->set_campaign_id(campaigns[q % campaigns.size()]); });
  timed_list("unit", [&](duban::v1::ListTasksRequest* r, int q) { r->set_unit(units[q % units.size()]); });
  // A later page: the index is sought, not walked from the start.
  timed_list("campaign, page 2", [&](duban::v1::ListTasksRequest* r, int q) {
    grpc::ClientContext ctx;
    duban::v1::ListTasksRequest first;
    first.set_campaign_id(campaigns[q % campaigns.size()]);
    first.set_page_size(50);
    duban::v1::ListTasksResponse res;
    tasks->ListTasks(&ctx, first, &res);
    r->set_campaign_id(first.campaign_id());
    r->set_page_token(res.next_page_token());
  });
  std::printf("%-44s VmRSS %.0f MiB, VmHWM %.0f MiB (flags: %s)\n", "duband memory after the queries",
              VmKiB(d.pid, "VmRSS:") / 1024.0, VmKiB(d.pid, "VmHWM:") / 1024.0,
              absl::GetFlag(FLAGS_duband_flags).empty() ? "defaults" : absl::GetFlag(FLAGS_duband_flags).c_str());
  // Writes, then SIGKILL: the restart replays the log (bounded by the WAL limit).
  ProgressMix mix;
  if (!mix.Setup(d.channel, 8)) {
    g_failed = true;
    return;
  }
  std::vector<std::unique_ptr<duban::v1::TaskService::Stub>> stubs;
  for (int c = 0; c < 8; ++c) stubs.push_back(duban::v1::TaskService::NewStub(OwnDubandChannel(d.address)));
  Figures w = Drive(8, absl::GetFlag(FLAGS_seconds) * 2, [&](int c, std::string* err) {
    return mix.Command(stubs[c].get(), nullptr, nullptr, c, 8, err);
  });
  Stop(&d, SIGKILL);
  if (!StartDuband(&d, data, true, &took)) {
    g_failed = true;
    return;
  }
  std::printf("%-44s %8.2f s   (after %lld commands; target < 5 s)\n", "restart to serving, after SIGKILL", took,
              static_cast<long long>(w.ok));
  std::printf("%-44s VmRSS %.0f MiB\n", "duband memory after the restart", VmKiB(d.pid, "VmRSS:") / 1024.0);
  Stop(&d, SIGTERM);
  if (!StartDuband(&d, data, true, &took)) {
    g_failed = true;
    return;
  }
  std::printf("%-44s %8.2f s\n", "restart to serving, after a clean stop", took);
  Stop(&d, SIGTERM);
}

void PrintRow(const char* what, int clients, const Figures& f, double ceiling, double pg) {
  std::printf("%-36s %3d  %9.0f/s  p50 %6.2f ms  p99 %6.2f ms", what, clients, f.rate(), f.p50_ms, f.p99_ms);
  if (ceiling > 0) std::printf("  %5.2f of min(ceilings)", f.rate() / ceiling);
  if (pg > 0) std::printf("  %5.2f of PostgreSQL", f.rate() / pg);
  if (f.errors) std::printf("  %lld errors (%s)", static_cast<long long>(f.errors), f.first_error.c_str());
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "pipeline_bench [--sections=ceilings,duband,pg,scale] [--clients=1,8,32] [--seconds=5] [--pg_port=N]");
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_echo_server).empty()) return RunEchoServer(absl::GetFlag(FLAGS_echo_server));
  std::set<std::string> sections;
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_sections), ',', absl::SkipEmpty())) {
    sections.insert(std::string(s));
  }
  std::vector<int> counts = ClientCounts();
  double secs = absl::GetFlag(FLAGS_seconds);
  std::string root = TempRoot();
  std::printf("pipeline_bench: %u hardware threads, RocksDB %d.%d.%d, gRPC %s, data under %s, %.1f s per figure\n",
              std::thread::hardware_concurrency(), ROCKSDB_MAJOR, ROCKSDB_MINOR, ROCKSDB_PATCH,
              grpc::Version().c_str(), root.c_str(), secs);

  std::map<int, double> ceiling, pg;
  if (sections.count("ceilings")) {
    std::printf("\n== ceilings\n");
    Child echo;
    std::string port_file = root + "/echo.port";
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    echo.pid = Spawn({self, "--echo_server=" + port_file}, root + "/echo.log");
    if (!WaitServing(&echo, port_file, 60)) {
      std::fprintf(stderr, "echo server did not start\n");
      return 1;
    }
    for (int c : counts) {
      Figures r = RocksCeiling(root, c, secs);
      PrintRow("RocksDB synced batch", c, r, 0, 0);
      Figures e = EchoCeiling(echo, c, secs);
      PrintRow("gRPC echo", c, e, 0, 0);
      ceiling[c] = std::min(r.rate(), e.rate());
    }
    Stop(&echo, SIGTERM);
  }
  if (sections.count("pg") && absl::GetFlag(FLAGS_pg_port) > 0) {
    std::printf("\n== PostgreSQL: progress report as a transaction (pgbench, bench/pg_progress.sql)\n");
    for (int c : counts) {
      auto f = PgProgress(root, c, secs);
      if (!f) {
        std::printf("PostgreSQL %d clients: failed (see above)\n", c);
        continue;
      }
      PrintRow("PostgreSQL progress report", c, *f, ceiling.count(c) ? ceiling[c] : 0, 0);
      pg[c] = f->rate();
    }
  }
  if (sections.count("duband")) {
    std::printf("\n== duband (child process on loopback)\n");
    Child d;
    std::string data = root + "/duband";
    if (!StartDuband(&d, data, /*demo=*/true)) return 1;
    std::printf("duband's allocator: %s\n", Allocator(d.pid).c_str());
    int max_clients = *std::max_element(counts.begin(), counts.end());
    std::vector<std::unique_ptr<Mix>> mixes;
    mixes.push_back(std::make_unique<ProgressMix>());
    mixes.push_back(std::make_unique<ObligationMix>());
    mixes.push_back(std::make_unique<SupervisionMix>());
    std::vector<std::unique_ptr<duban::v1::TaskService::Stub>> task_stubs;
    std::vector<std::unique_ptr<duban::v1::ReportService::Stub>> report_stubs;
    std::vector<std::unique_ptr<duban::v1::SupervisionService::Stub>> sup_stubs;
    for (int c = 0; c < max_clients; ++c) {
      auto ch = OwnDubandChannel(d.address);
      task_stubs.push_back(duban::v1::TaskService::NewStub(ch));
      report_stubs.push_back(duban::v1::ReportService::NewStub(ch));
      sup_stubs.push_back(duban::v1::SupervisionService::NewStub(ch));
    }
    for (auto& mix : mixes) {
      if (!mix->Setup(d.channel, max_clients)) {
        g_failed = true;
        continue;
      }
      for (int c : counts) {
        Figures f = Drive(c, secs, [&](int client, std::string* err) {
          return mix->Command(task_stubs[client].get(), report_stubs[client].get(), sup_stubs[client].get(), client, c,
                              err);
        });
        PrintRow(mix->name().c_str(), c, f, ceiling.count(c) ? ceiling[c] : 0,
                 mix.get() == mixes[0].get() && pg.count(c) ? pg[c] : 0);
      }
    }
    // Every acknowledged command, after SIGKILL and a restart.
    Stop(&d, SIGKILL);
    double took = 0;
    if (!StartDuband(&d, data, true, &took)) return 1;
    std::printf("restart to serving after SIGKILL: %.2f s\n", took);
    for (auto& mix : mixes) {
      int64_t acked = 0, lost = 0, doubled = 0;
      mix->Check(d.channel, &acked, &lost, &doubled);
      std::printf("check %-36s %lld acknowledged, %lld lost, %lld applied twice%s\n", mix->name().c_str(),
                  static_cast<long long>(acked), static_cast<long long>(lost), static_cast<long long>(doubled),
                  lost || doubled ? "  FAILED" : "");
      if (lost || doubled) g_failed = true;
    }
    Stop(&d, SIGTERM);
  }
  if (sections.count("scale")) Scale(root);
  std::error_code ec;
  fs::remove_all(root, ec);
  return g_failed ? 1 : 0;
}
