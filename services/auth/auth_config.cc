#include "services/auth/auth_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/yaml_util.h"

namespace duban::auth {

namespace {

absl::Status ParseDuration(const yamlx::Doc& doc, const YAML::Node& r, const char* key, absl::Duration* out,
                           bool allow_zero) {
  ASSIGN_OR_RETURN(std::string v, yamlx::String(doc, r, key, "", false));
  if (v.empty()) return absl::OkStatus();
  absl::Duration d;
  if (!absl::ParseDuration(v, &d) || d < absl::ZeroDuration() || (!allow_zero && d == absl::ZeroDuration())) {
    return yamlx::Error(doc, r[key], absl::StrCat(key, ": '", v, "' is not a positive duration (e.g. 30m, 12h)"));
  }
  *out = d;
  return absl::OkStatus();
}

absl::Status Parse(const yamlx::Doc& doc, AuthConfig* c) {
  const YAML::Node& r = doc.root;
  if (!r.IsMap()) return yamlx::Error(doc, r, "accounts file: must be a map");
  RETURN_IF_ERROR(yamlx::OnlyKeys(doc, r, "",
                                  {"lockout_threshold", "session_lifetime", "idle_timeout", "service_session_lifetime",
                                   "password_max_age", "argon2_memory_kib", "board_owners", "accounts"}));
  ASSIGN_OR_RETURN(c->options.lockout_threshold, yamlx::Int(doc, r, "lockout_threshold", "", false, 5));
  if (c->options.lockout_threshold < 1 || c->options.lockout_threshold > 100) {
    return yamlx::Error(doc, r["lockout_threshold"], "lockout_threshold: must be 1 to 100");
  }
  RETURN_IF_ERROR(ParseDuration(doc, r, "session_lifetime", &c->options.session_lifetime, false));
  RETURN_IF_ERROR(ParseDuration(doc, r, "idle_timeout", &c->options.idle_timeout, false));
  RETURN_IF_ERROR(ParseDuration(doc, r, "service_session_lifetime", &c->options.service_session_lifetime, false));
  RETURN_IF_ERROR(ParseDuration(doc, r, "password_max_age", &c->options.password_max_age, true));
  ASSIGN_OR_RETURN(int mem, yamlx::Int(doc, r, "argon2_memory_kib", "", false, 19456));
  if (mem < 19456 || mem > 4 * 1024 * 1024) {
    return yamlx::Error(doc, r["argon2_memory_kib"], "argon2_memory_kib: must be 19456 (OWASP minimum) to 4194304");
  }
  c->options.argon2.memory_kib = static_cast<uint32_t>(mem);
  ASSIGN_OR_RETURN(YAML::Node owners, yamlx::Map(doc, r, "board_owners", "", false));
  if (owners && owners.IsMap()) {
    for (const auto& kv : owners) {
      std::string board = kv.first.as<std::string>(), role;
      if (kv.second.IsScalar()) role = kv.second.as<std::string>();
      if (!IsKnownRole(role)) {
        return yamlx::Error(doc, kv.second, absl::StrCat("board_owners.", board, ": unknown role '", role, "'"));
      }
      c->policy.board_owners[board] = role;
    }
  }
  ASSIGN_OR_RETURN(YAML::Node accounts, yamlx::Seq(doc, r, "accounts", "", false));
  for (size_t i = 0; accounts && i < accounts.size(); ++i) {
    const YAML::Node& a = accounts[i];
    std::string path = absl::StrCat("accounts[", i, "]");
    if (!a.IsMap()) return yamlx::Error(doc, a, absl::StrCat(path, ": must be a map"));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc, a, path,
                                    {"id", "display_name", "unit", "roles", "kind", "password_hash", "totp_secret",
                                     "client_cert_subject", "must_change_password"}));
    DeclaredAccount d;
    d.line = a.Mark().line + 1;
    ASSIGN_OR_RETURN(d.id, yamlx::String(doc, a, "id", path, true));
    ASSIGN_OR_RETURN(d.display_name, yamlx::String(doc, a, "display_name", path, false));
    ASSIGN_OR_RETURN(d.unit, yamlx::String(doc, a, "unit", path, false));
    ASSIGN_OR_RETURN(d.roles, yamlx::StringList(doc, a, "roles", path));
    for (size_t j = 0; j < d.roles.size(); ++j) {
      if (!IsKnownRole(ParseGrant(d.roles[j]).role)) {
        return yamlx::Error(doc, a["roles"], absl::StrCat(path, ".roles[", j, "]: unknown role '", d.roles[j], "'"));
      }
    }
    ASSIGN_OR_RETURN(std::string kind, yamlx::String(doc, a, "kind", path, false));
    if (kind == "service") {
      d.kind = v1::ACCOUNT_KIND_SERVICE;
    } else if (!kind.empty() && kind != "person") {
      return yamlx::Error(doc, a["kind"], absl::StrCat(path, ".kind: '", kind, "' is not person or service"));
    }
    ASSIGN_OR_RETURN(d.password_hash, yamlx::String(doc, a, "password_hash", path, false));
    ASSIGN_OR_RETURN(d.totp_secret, yamlx::String(doc, a, "totp_secret", path, false));
    ASSIGN_OR_RETURN(d.client_cert_subject, yamlx::String(doc, a, "client_cert_subject", path, false));
    ASSIGN_OR_RETURN(d.must_change_password, yamlx::Bool(doc, a, "must_change_password", path, false));
    if (d.password_hash.empty() && d.client_cert_subject.empty()) {
      return yamlx::Error(doc, a, absl::StrCat(path, ".password_hash: required (or client_cert_subject)"));
    }
    if (!d.password_hash.empty() && !absl::StartsWith(d.password_hash, "$argon2id$")) {
      return yamlx::Error(doc, a["password_hash"],
                          absl::StrCat(path, ".password_hash: not an argon2id hash (duband --hash_password)"));
    }
    c->accounts.push_back(std::move(d));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseAccounts(const std::string& file_name, const std::string& text, AuthConfig* config) {
  auto doc = yamlx::Parse(file_name, text);
  if (!doc.ok()) return doc.status();
  return Parse(*doc, config);
}

absl::Status LoadAccountsFile(AuthConfig* config) {
  if (config->accounts_file.empty()) return absl::OkStatus();
  auto doc = yamlx::ParseFile(config->accounts_file);
  if (!doc.ok()) {
    if (absl::IsInvalidArgument(doc.status())) return doc.status();
    return absl::InvalidArgumentError(doc.status().message());
  }
  return Parse(*doc, config);
}

bool IsLoopbackAddress(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  std::string host = listen;
  if (absl::StartsWith(host, "[")) {
    auto end = host.find(']');
    return end != std::string::npos && host.substr(1, end - 1) == "::1";
  }
  host = host.substr(0, host.rfind(':'));
  return host == "localhost" || absl::StartsWith(host, "127.");
}

}  // namespace duban::auth
