// duband's audit settings: the `audit:` section of duband.yaml and the
// --audit_* flags, turned into the engine's AuditOptions and the
// checkpoint publishers.
#ifndef DUBAN_SERVICES_AUDIT_CONFIG_H_
#define DUBAN_SERVICES_AUDIT_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/audit/audit_log.h"
#include "engine/engine.h"
#include "engine/storage/yaml_util.h"

namespace duban {

struct AuditConfig {
  std::string hash = "sha256";          // sha256 | sm3
  std::string signature = "ed25519";    // ed25519 | sm2 | hmac-sha256
  // The signing key, outside the data folder. Empty: <data_dir>.audit-key.pem.
  // Made on the first start when missing (the public key next to it, .pub).
  std::string key_file;
  // Every checkpoint is appended here as a JSON line, for an external
  // collector. Empty: <data_dir>.audit-checkpoints.jsonl.
  std::string checkpoint_file;
  int checkpoint_every = 1000;                      // entries; 0: off
  absl::Duration checkpoint_interval = absl::Minutes(60);  // zero: off
  int retention_days = audit::kMinRetentionDays;    // refused below 180
  // Checkpoints also go to the outbox for this recipient, so a webhook with
  // `recipients: [audit-checkpoints]` delivers them off the machine.
  std::string webhook_recipient = "audit-checkpoints";
};

// Reads the `audit:` mapping (node may be undefined: the defaults). File
// names are relative to `base`. Errors: "<file>:<line>: audit.<field>: ...".
absl::StatusOr<AuditConfig> ParseAuditConfig(const yamlx::Doc& doc, const YAML::Node& node, const std::string& base);

// Checks the settings, loads (or makes) the signing key. INVALID_ARGUMENT
// naming the setting at fault.
absl::StatusOr<audit::AuditOptions> BuildAuditOptions(const AuditConfig& config, const std::string& data_dir);

// The checkpoint file's path as used (the default filled in).
std::string CheckpointFilePath(const AuditConfig& config, const std::string& data_dir);

// Publishes each signed checkpoint to the checkpoint file (appended and
// synced), the log, and the outbox for config.webhook_recipient.
void InstallCheckpointPublishers(Engine* engine, const AuditConfig& config, const std::string& data_dir);

}  // namespace duban

#endif  // DUBAN_SERVICES_AUDIT_CONFIG_H_
