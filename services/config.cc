#include "services/config.h"
#include "engine/storage/validate.h"
#include "absl/strings/numbers.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/yaml_util.h"

namespace duban {

namespace {

absl::Status ParseEvidenceSettings(const yamlx::Doc& doc, const YAML::Node& root, EvidenceOptions* out) {
  ASSIGN_OR_RETURN(YAML::Node ev, yamlx::Map(doc, root, "evidence", "", false));
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, ev, "evidence", {"max_bytes", "grace"}));
  ASSIGN_OR_RETURN(int max_bytes, yamlx::Int(doc, ev, "max_bytes", "evidence", false, 20 << 20));
  if (max_bytes <= 0) return yamlx::Error(doc, ev["max_bytes"], "evidence.max_bytes: must be positive");
  out->max_bytes = max_bytes;
  ASSIGN_OR_RETURN(std::string grace, yamlx::String(doc, ev, "grace", "evidence", false));
  if (!grace.empty()) {
    absl::Duration d;
    if (!absl::ParseDuration(grace, &d) || d <= absl::ZeroDuration()) {
      return yamlx::Error(doc, ev["grace"], absl::StrCat("evidence.grace: '", grace, "' is not a duration such as 24h"));
    }
    out->grace = d;
  }
  return absl::OkStatus();
}

// storage: {block_cache_mb, write_buffer_mb, max_wal_mb}; each 1 to 1048576.
absl::Status ParseStorage(const yamlx::Doc& doc, const YAML::Node& root, StoreOptions* out) {
  ASSIGN_OR_RETURN(YAML::Node st, yamlx::Map(doc, root, "storage", "", false));
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, st, "storage", {"block_cache_mb", "write_buffer_mb", "max_wal_mb"}));
  for (auto [key, field] : {std::pair{"block_cache_mb", &out->block_cache_bytes},
                            std::pair{"write_buffer_mb", &out->write_buffer_bytes},
                            std::pair{"max_wal_mb", &out->max_wal_bytes}}) {
    ASSIGN_OR_RETURN(int mb, yamlx::Int(doc, st, key, "storage", false, 0));
    if (!st[key]) continue;
    if (mb < 1 || mb > (1 << 20)) {
      return yamlx::Error(doc, st[key], absl::StrCat("storage.", key, ": must be 1 to 1048576 (MiB)"));
    }
    *field = static_cast<uint64_t>(mb) << 20;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DaemonConfig> LoadDaemonConfig(const std::string& path) {
  DaemonConfig c;
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::ParseFile(path));
  const YAML::Node& r = doc.root;
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, r, "", {"listen", "data_dir", "demo_plan", "clock", "workflow", "calendar", "cadences", "webhooks",
                                         "supervision", "accountability", "assessment",
                                         "metrics_listen", "channels", "storage", "audit",
                                         "http_listen", "web_dir", "evidence", "accounts"}));
  ASSIGN_OR_RETURN(std::string listen, yamlx::String(doc, r, "listen", "", false));
  if (!listen.empty()) c.listen = listen;
  ASSIGN_OR_RETURN(std::string data_dir, yamlx::String(doc, r, "data_dir", "", false));
  if (!data_dir.empty()) c.data_dir = data_dir;
  ASSIGN_OR_RETURN(c.demo_plan, yamlx::String(doc, r, "demo_plan", "", false));
  ASSIGN_OR_RETURN(c.calendar_file, yamlx::String(doc, r, "calendar", "", false));
  ASSIGN_OR_RETURN(c.cadences_file, yamlx::String(doc, r, "cadences", "", false));
  ASSIGN_OR_RETURN(c.supervision_file, yamlx::String(doc, r, "supervision", "", false));
  ASSIGN_OR_RETURN(c.accountability_file, yamlx::String(doc, r, "accountability", "", false));
  ASSIGN_OR_RETURN(c.assessment_file, yamlx::String(doc, r, "assessment", "", false));
  ASSIGN_OR_RETURN(c.auth.accounts_file, yamlx::String(doc, r, "accounts", "", false));
  ASSIGN_OR_RETURN(YAML::Node clock, yamlx::Map(doc, r, "clock", "", false));
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, clock, "clock", {"mode", "start"}));
  ASSIGN_OR_RETURN(std::string mode, yamlx::String(doc, clock, "mode", "clock", false));
  if (mode == "simulated") {
    c.simulated_clock = true;
  } else if (!mode.empty() && mode != "real") {
    return yamlx::Error(doc, clock["mode"], absl::StrCat("clock.mode: '", mode, "' is not real or simulated"));
  }
  ASSIGN_OR_RETURN(std::string start, yamlx::String(doc, clock, "start", "clock", false));
  if (!start.empty()) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, start, &c.simulated_start, &err)) {
      return yamlx::Error(doc, clock["start"], absl::StrCat("clock.start: '", start, "' is not an RFC 3339 time"));
    }
  }
  ASSIGN_OR_RETURN(c.webhooks, ParseWebhooks(doc, r["webhooks"]));
  ASSIGN_OR_RETURN(c.http_listen, yamlx::String(doc, r, "http_listen", "", false));
  ASSIGN_OR_RETURN(c.web_dir, yamlx::String(doc, r, "web_dir", "", false));
  RETURN_IF_ERROR(ParseEvidenceSettings(doc, r, &c.engine.evidence));
  ASSIGN_OR_RETURN(c.channels, ParseChannels(doc, r["channels"]));
  ASSIGN_OR_RETURN(c.metrics_listen, yamlx::String(doc, r, "metrics_listen", "", false));
  RETURN_IF_ERROR(ParseStorage(doc, r, &c.engine.store));
  ASSIGN_OR_RETURN(YAML::Node wf, yamlx::Map(doc, r, "workflow", "", false));
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, wf, "workflow", {"completion_review_steps", "extension_review_steps"}));
  ASSIGN_OR_RETURN(c.engine.workflow.completion_review_steps,
                   yamlx::Int(doc, wf, "completion_review_steps", "workflow", false, 1));
  ASSIGN_OR_RETURN(c.engine.workflow.extension_review_steps,
                   yamlx::Int(doc, wf, "extension_review_steps", "workflow", false, 1));
  for (const char* k : {"completion_review_steps", "extension_review_steps"}) {
    int v = absl::string_view(k) == "completion_review_steps" ? c.engine.workflow.completion_review_steps
                                                           : c.engine.workflow.extension_review_steps;
    if (v != 1 && v != 2) return yamlx::Error(doc, wf[k], absl::StrCat("workflow.", k, ": must be 1 or 2"));
  }
  // Rule and data files named in the config are relative to its folder.
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  for (std::string* f : {&c.demo_plan, &c.calendar_file, &c.cadences_file, &c.supervision_file,
                        &c.accountability_file, &c.assessment_file, &c.web_dir,
                        &c.auth.accounts_file}) {
    if (!f->empty() && std::filesystem::path(*f).is_relative()) *f = (base / *f).lexically_normal().string();
  }
  ASSIGN_OR_RETURN(c.audit, ParseAuditConfig(doc, r["audit"], base.string()));
  return c;
}

absl::Status LoadRuleFiles(DaemonConfig* c) {
  if (!c->supervision_file.empty()) {
    ASSIGN_OR_RETURN(SupervisionConfig sup, LoadSupervisionFile(c->supervision_file));
    c->engine.supervision = std::make_shared<const SupervisionConfig>(std::move(sup));
  }
  if (c->calendar_file.empty() != c->cadences_file.empty()) {
    return absl::InvalidArgumentError("calendar and cadences: give both files or neither");
  }
  if (c->calendar_file.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(WorkCalendar cal, WorkCalendar::LoadFile(c->calendar_file));
  ASSIGN_OR_RETURN(CadenceConfig cad, LoadCadencesFile(c->cadences_file));
  c->engine.calendar = std::make_shared<const WorkCalendar>(std::move(cal));
  c->engine.cadences = std::make_shared<const CadenceConfig>(std::move(cad));
  return absl::OkStatus();
}

absl::Status CheckListenAddress(absl::string_view listen) {
  size_t colon = listen.rfind(':');
  if (listen.empty() || colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: '", validate::Quote(listen), "' is not host:port (e.g. 127.0.0.1:7420)"));
  }
  absl::string_view port = listen.substr(colon + 1);
  uint32_t n = 0;
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(port, &n) || n > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("listen: port '", validate::Quote(port),
                                                   "' is out of range (0 to 65535)"));
  }
  return absl::OkStatus();
}

}  // namespace duban
