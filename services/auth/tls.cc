#include "services/auth/tls.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "spdlog/spdlog.h"

namespace duban::auth {

absl::StatusOr<std::string> ReadSmallFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::ostringstream s;
  s << in.rdbuf();
  if (s.str().empty() || s.str().size() > (1 << 20)) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is empty or too large"));
  }
  return s.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(const AuthConfig& c,
                                                                             const std::string& listen) {
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return absl::InvalidArgumentError("tls_cert, tls_key: give both or neither");
  }
  if (c.tls_cert.empty()) {
    if (!c.tls_client_ca.empty()) return absl::InvalidArgumentError("tls_client_ca: needs tls_cert and tls_key");
    if (!IsLoopbackAddress(listen)) {
      if (!c.insecure) {
        return absl::FailedPreconditionError(absl::StrCat(
            "listen: ", listen, " is not a loopback address; give --tls_cert and --tls_key (or --insecure)"));
      }
      spdlog::critical("INSECURE: serving plaintext gRPC on non-loopback address {} (--insecure); bearer tokens and "
                       "passwords cross the network unencrypted", listen);
    }
    return grpc::InsecureServerCredentials();
  }
  auto cert = ReadSmallFile("tls_cert", c.tls_cert);
  if (!cert.ok()) return cert.status();
  auto key = ReadSmallFile("tls_key", c.tls_key);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions opts(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  opts.pem_key_cert_pairs.push_back({*key, *cert});
  key->assign(key->size(), '\0');
  if (!c.tls_client_ca.empty()) {
    auto ca = ReadSmallFile("tls_client_ca", c.tls_client_ca);
    if (!ca.ok()) return ca.status();
    opts.pem_root_certs = *ca;
    opts.client_certificate_request = c.require_client_cert
                                          ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                          : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(opts);
}

}  // namespace duban::auth
