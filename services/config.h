// duband's settings: config/duband.yaml, overridden by flags.
#ifndef DUBAN_SERVICES_CONFIG_H_
#define DUBAN_SERVICES_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "services/audit_config.h"
#include "services/auth/auth_config.h"
#include "services/channels.h"
#include "services/webhook.h"

namespace duban {

struct DaemonConfig {
  std::string listen = "127.0.0.1:7420";
  std::string data_dir = "data";
  std::string demo_plan;          // loaded on the first start when set
  std::string port_file;          // when set, the bound port is written here once serving
  bool simulated_clock = false;
  absl::Time simulated_start = absl::FromCivil(absl::CivilSecond(2023, 1, 1), absl::FixedTimeZone(8 * 3600));
  std::string calendar_file;   // work calendar (holidays, adjusted working days)
  std::string cadences_file;   // reporting cadences and warning thresholds
  std::string supervision_file;  // supervision levels, supervisors, escalation rules
  // Loaded by RunDaemon after the demo plan (unit names resolve through the
  // engine); empty: the RankingService and AccountabilityService answer
  // FAILED_PRECONDITION.
  std::string accountability_file;  // boards, ladders, incident and notice rules
  std::string assessment_file;      // year-end assessment tables; empty: AssessmentService off
  EngineOptions engine;        // calendar and cadences filled from the files
  std::vector<WebhookConfig> webhooks;
  AuditConfig audit;           // the audit trail: hash, signing key, checkpoints, retention
  // HTTP/JSON gateway and web app (services/http_gateway.h); empty
  // http_listen: not served.
  std::string http_listen;
  std::string http_port_file;  // when set, the HTTP port is written here once serving
  std::string web_dir;         // the web app's files
  auth::AuthConfig auth;        // accounts, sessions, TLS (services/auth/auth_config.h)
  // Per-unit DingTalk / WeCom robots and e-mail (services/channels.h).
  std::vector<ChannelSettings> channels;
  // Prometheus /metrics on this address ("127.0.0.1:9464"); empty: off.
  std::string metrics_listen;
};

// Reads the file (file names inside it are relative to its folder; data_dir
// to the working directory). Errors name the file, line and field.
absl::StatusOr<DaemonConfig> LoadDaemonConfig(const std::string& path);
// Loads calendar_file and cadences_file into config->engine; errors name
// the file, line and reason.
absl::Status LoadRuleFiles(DaemonConfig* config);

// "host:port" (or "[v6]:port") with a decimal port from 0 to 65535 (0: any
// free port). INVALID_ARGUMENT naming "listen" otherwise.
absl::Status CheckListenAddress(absl::string_view listen);

}  // namespace duban

#endif  // DUBAN_SERVICES_CONFIG_H_
