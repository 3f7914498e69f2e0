#include "services/audit_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "engine/audit/verify.h"
#include "engine/storage/status_macros.h"
#include "spdlog/spdlog.h"

namespace duban {

namespace {

std::string Sibling(const std::string& data_dir, absl::string_view suffix) {
  std::filesystem::path p = std::filesystem::path(data_dir).lexically_normal();
  if (p.has_filename() == false) p = p.parent_path();
  return absl::StrCat(p.string(), suffix);
}

}  // namespace

absl::StatusOr<AuditConfig> ParseAuditConfig(const yamlx::Doc& doc, const YAML::Node& node, const std::string& base) {
  AuditConfig c;
  if (!node.IsDefined() || node.IsNull()) return c;
  if (!node.IsMap()) return yamlx::Error(doc, node, "audit: must be a mapping");
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, node, "audit",
                                  {"hash", "signature", "key_file", "checkpoint_file", "checkpoint_every",
                                   "checkpoint_interval", "retention_days", "webhook_recipient"}));
  ASSIGN_OR_RETURN(std::string hash, yamlx::String(doc, node, "hash", "audit", false));
  if (!hash.empty()) c.hash = hash;
  if (!audit::ParseHashAlgorithm("audit.hash", c.hash).ok()) {
    return yamlx::Error(doc, node["hash"], absl::StrCat("audit.hash: '", c.hash, "' is not sha256 or sm3"));
  }
  ASSIGN_OR_RETURN(std::string sig, yamlx::String(doc, node, "signature", "audit", false));
  if (!sig.empty()) c.signature = sig;
  if (!audit::ParseSignatureAlgorithm("audit.signature", c.signature).ok()) {
    return yamlx::Error(doc, node["signature"],
                        absl::StrCat("audit.signature: '", c.signature, "' is not ed25519, sm2 or hmac-sha256"));
  }
  ASSIGN_OR_RETURN(c.key_file, yamlx::String(doc, node, "key_file", "audit", false));
  ASSIGN_OR_RETURN(c.checkpoint_file, yamlx::String(doc, node, "checkpoint_file", "audit", false));
  for (std::string* f : {&c.key_file, &c.checkpoint_file}) {
    if (!f->empty() && std::filesystem::path(*f).is_relative()) {
      *f = (std::filesystem::path(base) / *f).lexically_normal().string();
    }
  }
  ASSIGN_OR_RETURN(c.checkpoint_every, yamlx::Int(doc, node, "checkpoint_every", "audit", false, c.checkpoint_every));
  if (c.checkpoint_every < 0) return yamlx::Error(doc, node["checkpoint_every"], "audit.checkpoint_every: must not be negative");
  ASSIGN_OR_RETURN(std::string interval, yamlx::String(doc, node, "checkpoint_interval", "audit", false));
  if (!interval.empty() && (!absl::ParseDuration(interval, &c.checkpoint_interval) ||
                            c.checkpoint_interval < absl::ZeroDuration())) {
    return yamlx::Error(doc, node["checkpoint_interval"],
                        absl::StrCat("audit.checkpoint_interval: '", interval, "' is not a duration (e.g. 60m)"));
  }
  ASSIGN_OR_RETURN(c.retention_days, yamlx::Int(doc, node, "retention_days", "audit", false, c.retention_days));
  if (c.retention_days < audit::kMinRetentionDays) {
    return yamlx::Error(doc, node["retention_days"],
                        absl::StrCat("audit.retention_days: ", c.retention_days, " is below the minimum of ",
                                     audit::kMinRetentionDays, " days"));
  }
  ASSIGN_OR_RETURN(std::string recipient, yamlx::String(doc, node, "webhook_recipient", "audit", false));
  if (!recipient.empty()) c.webhook_recipient = recipient;
  return c;
}

std::string CheckpointFilePath(const AuditConfig& config, const std::string& data_dir) {
  return config.checkpoint_file.empty() ? Sibling(data_dir, ".audit-checkpoints.jsonl") : config.checkpoint_file;
}

absl::StatusOr<audit::AuditOptions> BuildAuditOptions(const AuditConfig& config, const std::string& data_dir) {
  audit::AuditOptions o;
  ASSIGN_OR_RETURN(o.hash, audit::ParseHashAlgorithm("audit.hash", config.hash));
  ASSIGN_OR_RETURN(audit::SignatureAlgorithm sig, audit::ParseSignatureAlgorithm("audit.signature", config.signature));
  if (config.retention_days < audit::kMinRetentionDays) {
    return absl::InvalidArgumentError(absl::StrCat("audit.retention_days: ", config.retention_days,
                                                   " is below the minimum of ", audit::kMinRetentionDays, " days"));
  }
  if (config.checkpoint_every < 0) return absl::InvalidArgumentError("audit.checkpoint_every: must not be negative");
  o.retention_days = config.retention_days;
  o.checkpoint_every = static_cast<uint64_t>(config.checkpoint_every);
  o.checkpoint_interval = config.checkpoint_interval;
  std::string key_file = config.key_file.empty() ? Sibling(data_dir, ".audit-key.pem") : config.key_file;
  std::filesystem::path key = std::filesystem::absolute(key_file).lexically_normal();
  std::filesystem::path data = std::filesystem::absolute(data_dir).lexically_normal();
  auto rel = key.lexically_relative(data);
  if (!rel.empty() && *rel.begin() != "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("audit.key_file: ", key_file, " is inside the data folder ", data_dir, "; keep it outside"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<audit::CheckpointSigner> signer, audit::CheckpointSigner::LoadOrCreate(sig, key_file));
  spdlog::info("audit: {} chain, checkpoints signed with {} key {} from {}", config.hash, config.signature,
               signer->key_id().substr(0, 16), key_file);
  o.signer = std::move(signer);
  return o;
}

void InstallCheckpointPublishers(Engine* engine, const AuditConfig& config, const std::string& data_dir) {
  std::string file = CheckpointFilePath(config, data_dir);
  engine->audit().AddPublisher([file](const v1::AuditCheckpoint& c) {
    std::string line = audit::CheckpointJson(c) + "\n";
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    bool ok = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    if (fd >= 0) ok = ::close(fd) == 0 && ok;
    if (!ok) spdlog::error("audit: cannot append checkpoint {} to {}", c.seq(), file);
  });
  engine->audit().AddPublisher([](const v1::AuditCheckpoint& c) {
    spdlog::info("audit checkpoint: {}", audit::CheckpointJson(c));
  });
  std::string recipient = config.webhook_recipient;
  Outbox* outbox = &engine->outbox();
  engine->audit().AddPublisher([outbox, recipient](const v1::AuditCheckpoint& c) {
    v1::Notification n;
    n.set_recipient(recipient);
    n.set_kind(v1::NOTIFICATION_KIND_AUDIT_CHECKPOINT);
    n.set_subject_id(absl::StrCat("audit:", c.seq()));
    n.set_title(absl::StrCat("audit checkpoint ", c.seq()));
    n.set_body(audit::CheckpointJson(c));
    *n.mutable_created_at() = c.at();
    std::vector<v1::Notification> notes{std::move(n)};
    rocksdb::WriteBatch b;
    if (absl::Status s = outbox->Commit(&b, &notes); !s.ok()) {
      spdlog::error("audit: checkpoint {} not queued for webhooks: {}", c.seq(), std::string(s.message()));
    }
  });
}

}  // namespace duban
