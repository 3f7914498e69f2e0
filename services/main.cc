// duband: the duban daemon.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include <iostream>
#include <string>

#include "services/auth/credentials.h"
#include "services/config.h"
#include "services/server.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, config, "", "settings file (YAML); flags below override it");
ABSL_FLAG(std::string, listen, "", "address to listen on, e.g. 127.0.0.1:7420");
ABSL_FLAG(std::string, data_dir, "", "folder of the RocksDB store");
ABSL_FLAG(std::string, demo_plan, "", "plan file loaded on the first start ('none' to skip)");
ABSL_FLAG(std::string, clock, "", "real or simulated");
ABSL_FLAG(std::string, calendar, "", "work calendar file ('none' to run without calendar and cadences)");
ABSL_FLAG(std::string, cadences, "", "reporting cadence file");
ABSL_FLAG(std::string, supervision, "", "supervision rules file ('none' for none)");
ABSL_FLAG(std::string, accountability, "",
          "rankings and accountability ladders file, loaded after the demo plan ('none' to run without)");
ABSL_FLAG(std::string, assessment, "", "year-end assessment tables file ('none' to run without)");
ABSL_FLAG(std::string, port_file, "", "write the port listened on to this file once serving");
ABSL_FLAG(std::string, clock_start, "", "start of the simulated clock, RFC 3339");
ABSL_FLAG(std::string, accounts, "", "accounts file: session settings, policy and declared accounts (YAML)");
ABSL_FLAG(bool, dev_accounts, false,
          "local development mode (loopback only): demo accounts for the loaded plan, passwords in "
          "<data_dir>/dev-credentials.txt");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain of the listener (TLS 1.2 or later)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of the listener");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA of client certificates (mutual TLS; maps a certificate's CN to an account)");
ABSL_FLAG(bool, require_client_cert, false, "with --tls_client_ca: refuse connections without a client certificate");
ABSL_FLAG(bool, insecure, false, "allow plaintext on a non-loopback address (logged as insecure)");
ABSL_FLAG(bool, hash_password, false, "read a password from stdin, print its argon2id hash for the accounts file, exit");
ABSL_FLAG(std::string, metrics_listen, "", "serve Prometheus /metrics on this address ('none' for off)");
ABSL_FLAG(int64_t, block_cache_mb, 0, "store: block cache for reads, MiB (0: config or 64)");
ABSL_FLAG(int64_t, write_buffer_mb, 0, "store: memtables of all column families together, MiB (0: config or 64)");
ABSL_FLAG(int64_t, max_wal_mb, 0, "store: write-ahead log bound replayed on restart, MiB (0: config or 64)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("duband --config=config/duband.yaml [--listen=ADDR] [--data_dir=DIR]");
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_hash_password)) {
    std::string password;
    std::getline(std::cin, password);
    auto hash = duban::auth::HashPassword(password);
    duban::auth::Wipe(&password);
    if (!hash.ok()) {
      std::fprintf(stderr, "duband: %s\n", std::string(hash.status().message()).c_str());
      return 2;
    }
    std::printf("%s\n", hash->c_str());
    return 0;
  }
  duban::DaemonConfig config;
  if (!absl::GetFlag(FLAGS_config).empty()) {
    auto c = duban::LoadDaemonConfig(absl::GetFlag(FLAGS_config));
    if (!c.ok()) {
      std::fprintf(stderr, "duband: %s\n", std::string(c.status().message()).c_str());
      return 2;
    }
    config = *c;
  }
  if (auto v = absl::GetFlag(FLAGS_listen); !v.empty()) config.listen = v;
  if (auto v = absl::GetFlag(FLAGS_data_dir); !v.empty()) config.data_dir = v;
  if (auto v = absl::GetFlag(FLAGS_demo_plan); !v.empty()) config.demo_plan = v == "none" ? "" : v;
  if (auto v = absl::GetFlag(FLAGS_port_file); !v.empty()) config.port_file = v;
  if (auto v = absl::GetFlag(FLAGS_metrics_listen); !v.empty()) config.metrics_listen = v == "none" ? "" : v;
  if (auto v = absl::GetFlag(FLAGS_clock); !v.empty()) {
    if (v != "real" && v != "simulated") {
      std::fprintf(stderr, "duband: --clock: '%s' is not real or simulated\n", v.c_str());
      return 2;
    }
    config.simulated_clock = v == "simulated";
  }
  if (auto v = absl::GetFlag(FLAGS_clock_start); !v.empty()) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, v, &config.simulated_start, &err)) {
      std::fprintf(stderr, "duband: --clock_start: '%s' is not an RFC 3339 time\n", v.c_str());
      return 2;
    }
  }
  if (auto v = absl::GetFlag(FLAGS_calendar); !v.empty()) {
    config.calendar_file = v == "none" ? "" : v;
    if (v == "none") config.cadences_file.clear();
  }
  if (auto v = absl::GetFlag(FLAGS_cadences); !v.empty()) config.cadences_file = v;
  if (auto v = absl::GetFlag(FLAGS_supervision); !v.empty()) config.supervision_file = v == "none" ? "" : v;
  if (auto v = absl::GetFlag(FLAGS_accountability); !v.empty()) config.accountability_file = v == "none" ? "" : v;
  if (auto v = absl::GetFlag(FLAGS_assessment); !v.empty()) config.assessment_file = v == "none" ? "" : v;
  if (auto v = absl::GetFlag(FLAGS_accounts); !v.empty()) config.auth.accounts_file = v == "none" ? "" : v;
  config.auth.dev_accounts = absl::GetFlag(FLAGS_dev_accounts);
  config.auth.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  config.auth.tls_key = absl::GetFlag(FLAGS_tls_key);
  config.auth.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  config.auth.require_client_cert = absl::GetFlag(FLAGS_require_client_cert);
  config.auth.insecure = absl::GetFlag(FLAGS_insecure);
  if (absl::Status r = duban::auth::LoadAccountsFile(&config.auth); !r.ok()) {
    std::fprintf(stderr, "duband: %s\n", std::string(r.message()).c_str());
    return 2;
  }
  for (auto [flag, field] : {std::pair{absl::GetFlag(FLAGS_block_cache_mb), &config.engine.store.block_cache_bytes},
                             std::pair{absl::GetFlag(FLAGS_write_buffer_mb), &config.engine.store.write_buffer_bytes},
                             std::pair{absl::GetFlag(FLAGS_max_wal_mb), &config.engine.store.max_wal_bytes}}) {
    if (flag < 0 || flag > (1 << 20)) {
      std::fprintf(stderr, "duband: store sizes: %lld MiB is out of range (1 to 1048576)\n", static_cast<long long>(flag));
      return 2;
    }
    if (flag > 0) *field = static_cast<uint64_t>(flag) << 20;
  }
  if (absl::Status r = duban::LoadRuleFiles(&config); !r.ok()) {
    std::fprintf(stderr, "duband: %s\n", std::string(r.message()).c_str());
    return 2;
  }
  absl::Status s = duban::RunDaemon(config);
  if (absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s)) {
    // A bad file read at start-up (the demo plan, accountability or
    // assessment file): "file:line: reason", as for the rule files above.
    std::fprintf(stderr, "duband: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (!s.ok()) {
    spdlog::error("duband: {}", std::string(s.message()));
    return 1;
  }
  return 0;
}
