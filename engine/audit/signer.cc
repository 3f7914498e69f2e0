#include "engine/audit/signer.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/audit/chain.h"

namespace duban::audit {

namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string PublicPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// Hex SHA-256 of the DER public key.
std::string PublicKeyId(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return "";
  std::string bytes(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  auto d = Digest(HashAlgorithm::kSha256, bytes);
  return d.ok() ? Hex(*d) : "";
}

std::string HmacKeyId(absl::string_view secret) {
  auto d = Digest(HashAlgorithm::kSha256, absl::StrCat("duban-audit-hmac-key-id:", secret));
  return d.ok() ? Hex(*d) : "";
}

absl::StatusOr<std::string> Hmac(absl::string_view secret, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr) {
    return absl::InternalError("audit checkpoint: HMAC failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

bool IsAlgorithm(EVP_PKEY* key, SignatureAlgorithm a) {
  if (a == SignatureAlgorithm::kEd25519) return EVP_PKEY_is_a(key, "ED25519");
  if (a == SignatureAlgorithm::kSm2) return EVP_PKEY_is_a(key, "SM2");
  return false;
}

absl::StatusOr<SignatureAlgorithm> AlgorithmOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return SignatureAlgorithm::kEd25519;
  if (EVP_PKEY_is_a(key, "SM2")) return SignatureAlgorithm::kSm2;
  return absl::InvalidArgumentError("public_key: not an Ed25519 or SM2 key");
}

// SM2 signs with SM3; Ed25519 takes no digest.
const EVP_MD* DigestFor(SignatureAlgorithm a) { return a == SignatureAlgorithm::kSm2 ? EVP_sm3() : nullptr; }

absl::Status WriteNewFile(const std::string& path, absl::string_view data, mode_t mode) {
  // The key lives beside the data folder, which may not exist yet.
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) return absl::InvalidArgumentError(absl::StrCat("audit key file ", path, ": ", std::strerror(errno)));
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("audit key file ", path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace

const char* SignatureAlgorithmName(SignatureAlgorithm a) {
  switch (a) {
    case SignatureAlgorithm::kEd25519: return "ed25519";
    case SignatureAlgorithm::kSm2: return "sm2";
    case SignatureAlgorithm::kHmacSha256: return "hmac-sha256";
  }
  return "?";
}

absl::StatusOr<SignatureAlgorithm> ParseSignatureAlgorithm(absl::string_view field, absl::string_view name) {
  if (name == "ed25519") return SignatureAlgorithm::kEd25519;
  if (name == "sm2") return SignatureAlgorithm::kSm2;
  if (name == "hmac-sha256" || name == "hmac") return SignatureAlgorithm::kHmacSha256;
  return absl::InvalidArgumentError(absl::StrCat(field, ": '", name, "' is not ed25519, sm2 or hmac-sha256"));
}

absl::StatusOr<std::unique_ptr<CheckpointSigner>> CheckpointSigner::LoadOrCreate(SignatureAlgorithm algorithm,
                                                                                 const std::string& key_file) {
  if (key_file.empty()) return absl::InvalidArgumentError("audit key file: required");
  std::unique_ptr<CheckpointSigner> s(new CheckpointSigner);
  s->algorithm_ = algorithm;
  std::ifstream in(key_file, std::ios::binary);
  if (!in) {
    if (access(key_file.c_str(), F_OK) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("audit key file ", key_file, ": cannot be read"));
    }
    // A new key.
    if (algorithm == SignatureAlgorithm::kHmacSha256) {
      unsigned char raw[32];
      if (RAND_bytes(raw, sizeof raw) != 1) return absl::InternalError("audit key: no randomness");
      s->secret_ = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(raw), sizeof raw));
      if (absl::Status w = WriteNewFile(key_file, s->secret_ + "\n", 0600); !w.ok()) return w;
    } else {
      s->key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm == SignatureAlgorithm::kSm2 ? "SM2" : "ED25519");
      if (s->key_ == nullptr) return absl::InternalError("audit key: key generation failed");
      BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
      if (!bio || PEM_write_bio_PrivateKey(bio.get(), s->key_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return absl::InternalError("audit key: cannot encode the private key");
      }
      char* data = nullptr;
      long n = BIO_get_mem_data(bio.get(), &data);
      if (absl::Status w = WriteNewFile(key_file, absl::string_view(data, static_cast<size_t>(n)), 0600); !w.ok()) {
        return w;
      }
      std::string pub_file = key_file + ".pub";
      ::unlink(pub_file.c_str());
      if (absl::Status w = WriteNewFile(pub_file, PublicPem(s->key_), 0644); !w.ok()) return w;
    }
  } else {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (algorithm == SignatureAlgorithm::kHmacSha256) {
      s->secret_ = std::string(absl::StripAsciiWhitespace(text));
      if (s->secret_.size() < 32) {
        return absl::InvalidArgumentError(
            absl::StrCat("audit key file ", key_file, ": an HMAC secret must be at least 32 characters"));
      }
    } else {
      BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
      s->key_ = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
      if (s->key_ == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("audit key file ", key_file, ": not a PEM private key"));
      }
      if (!IsAlgorithm(s->key_, algorithm)) {
        return absl::InvalidArgumentError(absl::StrCat("audit key file ", key_file, ": not an ",
                                                       SignatureAlgorithmName(algorithm), " key"));
      }
    }
  }
  if (algorithm == SignatureAlgorithm::kHmacSha256) {
    s->key_id_ = HmacKeyId(s->secret_);
  } else {
    s->key_id_ = PublicKeyId(s->key_);
    s->public_pem_ = PublicPem(s->key_);
  }
  if (s->key_id_.empty()) return absl::InternalError("audit key: cannot compute the key id");
  return s;
}

CheckpointSigner::~CheckpointSigner() { EVP_PKEY_free(key_); }

absl::Status CheckpointSigner::Sign(v1::AuditCheckpoint* c) const {
  c->set_signature_algorithm(SignatureAlgorithmName(algorithm_));
  c->set_key_id(key_id_);
  c->clear_signature();
  std::string msg = CanonicalCheckpoint(*c);
  if (algorithm_ == SignatureAlgorithm::kHmacSha256) {
    auto mac = Hmac(secret_, msg);
    if (!mac.ok()) return mac.status();
    c->set_signature(*mac);
    return absl::OkStatus();
  }
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(algorithm_), nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) != 1) {
    return absl::InternalError("audit checkpoint: signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) != 1) {
    return absl::InternalError("audit checkpoint: signing failed");
  }
  sig.resize(len);
  c->set_signature(sig);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CheckpointVerifier>> CheckpointVerifier::FromPublicKeyPem(absl::string_view pem) {
  std::unique_ptr<CheckpointVerifier> v(new CheckpointVerifier);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  v->key_ = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (v->key_ == nullptr) return absl::InvalidArgumentError("public_key: not a PEM public key");
  auto a = AlgorithmOf(v->key_);
  if (!a.ok()) return a.status();
  v->algorithm_ = *a;
  v->key_id_ = PublicKeyId(v->key_);
  return v;
}

absl::StatusOr<std::unique_ptr<CheckpointVerifier>> CheckpointVerifier::FromHmacSecret(absl::string_view secret) {
  std::unique_ptr<CheckpointVerifier> v(new CheckpointVerifier);
  v->algorithm_ = SignatureAlgorithm::kHmacSha256;
  v->secret_ = std::string(absl::StripAsciiWhitespace(secret));
  if (v->secret_.size() < 32) return absl::InvalidArgumentError("hmac_key: a secret must be at least 32 characters");
  v->key_id_ = HmacKeyId(v->secret_);
  return v;
}

CheckpointVerifier::~CheckpointVerifier() { EVP_PKEY_free(key_); }

absl::Status CheckpointVerifier::Verify(const v1::AuditCheckpoint& c) const {
  if (c.signature_algorithm() != SignatureAlgorithmName(algorithm_)) {
    return absl::FailedPreconditionError(absl::StrCat("checkpoint ", c.seq(), ": signed with '",
                                                      c.signature_algorithm(), "', the key held is ",
                                                      SignatureAlgorithmName(algorithm_)));
  }
  if (c.key_id() != key_id_) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint ", c.seq(), ": signed by key ", c.key_id().substr(0, 16), ", not the key held"));
  }
  v1::AuditCheckpoint unsigned_copy = c;
  unsigned_copy.clear_signature();
  std::string msg = CanonicalCheckpoint(unsigned_copy);
  bool good = false;
  if (algorithm_ == SignatureAlgorithm::kHmacSha256) {
    auto mac = Hmac(secret_, msg);
    good = mac.ok() && mac->size() == c.signature().size() &&
           CRYPTO_memcmp(mac->data(), c.signature().data(), mac->size()) == 0;
  } else {
    MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    good = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(algorithm_), nullptr, key_) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(c.signature().data()),
                            c.signature().size(), reinterpret_cast<const unsigned char*>(msg.data()),
                            msg.size()) == 1;
  }
  if (!good) {
    return absl::FailedPreconditionError(absl::StrCat("checkpoint ", c.seq(), ": the signature does not verify"));
  }
  return absl::OkStatus();
}

}  // namespace duban::audit
