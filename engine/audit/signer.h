// Signing and checking audit checkpoints.
//
// The signing key lives in a file outside the store (duband's
// --audit_key_file), so that whoever copies or rewrites the data folder
// cannot sign a new head. Ed25519 is the default; SM2 (with SM3) is the
// national-standard option; HMAC-SHA256 is for an office that cannot hold a
// key pair, and then the verifier needs the same secret. Both classes are
// immutable after creation and thread-safe.
#ifndef DUBAN_ENGINE_AUDIT_SIGNER_H_
#define DUBAN_ENGINE_AUDIT_SIGNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/audit.pb.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace duban::audit {

enum class SignatureAlgorithm { kEd25519, kSm2, kHmacSha256 };

// "ed25519" / "sm2" / "hmac-sha256".
const char* SignatureAlgorithmName(SignatureAlgorithm a);
absl::StatusOr<SignatureAlgorithm> ParseSignatureAlgorithm(absl::string_view field, absl::string_view name);

class CheckpointSigner {
 public:
  // Reads the key in key_file: a PEM private key (Ed25519 or SM2, matching
  // `algorithm`), or for HMAC a secret of at least 32 bytes. When the file
  // does not exist a new key is made there (mode 0600) and, for a key pair,
  // its public key is written to key_file + ".pub". INVALID_ARGUMENT naming
  // key_file when it holds something else.
  static absl::StatusOr<std::unique_ptr<CheckpointSigner>> LoadOrCreate(SignatureAlgorithm algorithm,
                                                                        const std::string& key_file);
  ~CheckpointSigner();
  CheckpointSigner(const CheckpointSigner&) = delete;
  CheckpointSigner& operator=(const CheckpointSigner&) = delete;

  // Fills signature_algorithm, key_id and signature of c (every other field
  // must be set first).
  absl::Status Sign(v1::AuditCheckpoint* c) const;

  SignatureAlgorithm algorithm() const { return algorithm_; }
  const std::string& key_id() const { return key_id_; }
  // PEM; empty for HMAC.
  const std::string& public_key_pem() const { return public_pem_; }

 private:
  CheckpointSigner() = default;
  SignatureAlgorithm algorithm_ = SignatureAlgorithm::kEd25519;
  EVP_PKEY* key_ = nullptr;  // owned; null for HMAC
  std::string secret_;       // HMAC only
  std::string key_id_;
  std::string public_pem_;
};

class CheckpointVerifier {
 public:
  // From a PEM public key (Ed25519 or SM2). INVALID_ARGUMENT "public_key: ..."
  static absl::StatusOr<std::unique_ptr<CheckpointVerifier>> FromPublicKeyPem(absl::string_view pem);
  // From the HMAC secret held by the office.
  static absl::StatusOr<std::unique_ptr<CheckpointVerifier>> FromHmacSecret(absl::string_view secret);
  ~CheckpointVerifier();
  CheckpointVerifier(const CheckpointVerifier&) = delete;
  CheckpointVerifier& operator=(const CheckpointVerifier&) = delete;

  // OK when c was signed by this key; else FAILED_PRECONDITION naming what
  // differs (key id, algorithm or signature).
  absl::Status Verify(const v1::AuditCheckpoint& c) const;
  const std::string& key_id() const { return key_id_; }

 private:
  CheckpointVerifier() = default;
  SignatureAlgorithm algorithm_ = SignatureAlgorithm::kEd25519;
  EVP_PKEY* key_ = nullptr;
  std::string secret_;
  std::string key_id_;
};

}  // namespace duban::audit

#endif  // DUBAN_ENGINE_AUDIT_SIGNER_H_
