// Listener credentials: TLS (gRPC's minimum, TLS 1.2) with an optional
// client CA for mutual TLS, or plaintext.
#ifndef DUBAN_SERVICES_AUTH_TLS_H_
#define DUBAN_SERVICES_AUTH_TLS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "services/auth/auth_config.h"

namespace duban::auth {

// TLS when tls_cert and tls_key are set (both or neither), verifying client
// certificates against tls_client_ca when set; plaintext otherwise.
// A non-loopback listen address without TLS is refused (FAILED_PRECONDITION)
// unless insecure is set. INVALID_ARGUMENT names the flag of an unreadable file.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(const AuthConfig& config,
                                                                             const std::string& listen);

// The whole of a small file; INVALID_ARGUMENT naming `flag` when unreadable.
absl::StatusOr<std::string> ReadSmallFile(const std::string& flag, const std::string& path);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_TLS_H_
