// duband's authentication settings: the accounts file (settings, policy and
// declared accounts), the local development mode and the TLS files.
#ifndef DUBAN_SERVICES_AUTH_AUTH_CONFIG_H_
#define DUBAN_SERVICES_AUTH_AUTH_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/auth/accounts.h"
#include "services/auth/policy.h"

namespace duban::auth {

struct AuthConfig {
  std::string accounts_file;  // YAML (config/README.md "Accounts"); empty: none declared
  // Local development mode: on the first start, demo accounts for every unit
  // and office of the loaded plan, with random passwords written to
  // <data_dir>/dev-credentials.txt (mode 0600). Loopback listeners only.
  bool dev_accounts = false;
  std::string tls_cert;       // PEM server certificate chain; with tls_key, TLS 1.2+ on the listener
  std::string tls_key;
  std::string tls_client_ca;  // PEM CA; set: client certificates are requested and verified
  bool require_client_cert = false;
  bool insecure = false;      // allows a non-loopback listener without TLS (logged loudly)
  AuthOptions options;
  PolicyOptions policy;
  std::vector<DeclaredAccount> accounts;
};

// Reads config->accounts_file into options, policy and accounts. Errors are
// INVALID_ARGUMENT "file:line: field: reason".
absl::Status LoadAccountsFile(AuthConfig* config);
// Parses the same format from text (tests and fuzzing).
absl::Status ParseAccounts(const std::string& file_name, const std::string& text, AuthConfig* config);

// True for 127.0.0.0/8, [::1], localhost and unix: addresses.
bool IsLoopbackAddress(const std::string& listen);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_AUTH_CONFIG_H_
