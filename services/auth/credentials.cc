#include "services/auth/credentials.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace duban::auth {

namespace {

constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // Without randomness no secret may be made; stopping is the only safe answer.
    std::abort();
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password, const Argon2Params& p) {
  if (p.memory_kib < 19456 || p.passes < 2 || p.lanes < 1) {
    return absl::InvalidArgumentError("argon2: parameters below the minimum (19456 KiB, 2 passes, 1 lane)");
  }
  std::string salt = RandomBytes(kSaltBytes);
  size_t len = argon2_encodedlen(p.passes, p.memory_kib, p.lanes, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(p.passes, p.memory_kib, p.lanes, password.data(), password.size(), salt.data(),
                                 salt.size(), kHashBytes, encoded.data(), encoded.size());
  Wipe(&salt);
  if (rc != ARGON2_OK) return absl::InternalError(absl::StrCat("argon2: ", argon2_error_message(rc)));
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

bool VerifyPassword(absl::string_view encoded, absl::string_view password) {
  if (!absl::StartsWith(encoded, "$argon2id$")) return false;
  std::string e(encoded);
  return argon2id_verify(e.c_str(), password.data(), password.size()) == ARGON2_OK;
}

absl::Status CheckPasswordPolicy(absl::string_view field, absl::string_view account_id, absl::string_view password) {
  if (password.size() < 8) return absl::InvalidArgumentError(absl::StrCat(field, ": at least 8 characters"));
  if (password.size() > 128) return absl::InvalidArgumentError(absl::StrCat(field, ": at most 128 bytes"));
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : password) {
    if (c < 0x20 || c == 0x7f) return absl::InvalidArgumentError(absl::StrCat(field, ": control characters"));
    if (absl::ascii_islower(c)) {
      lower = true;
    } else if (absl::ascii_isupper(c)) {
      upper = true;
    } else if (absl::ascii_isdigit(c)) {
      digit = true;
    } else {
      other = true;
    }
  }
  if (int(lower) + int(upper) + int(digit) + int(other) < 3) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": needs characters of 3 of the 4 classes (lower case, upper case, digits, others)"));
  }
  if (!account_id.empty() &&
      absl::StrContains(absl::AsciiStrToLower(password), absl::AsciiStrToLower(account_id))) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must not contain the account name"));
  }
  return absl::OkStatus();
}

std::string Base32Encode(absl::string_view bytes) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kB32[(buf >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kB32[(buf << (5 - bits)) & 31]);
  return out;
}

absl::StatusOr<std::string> Base32Decode(absl::string_view text) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char ch : text) {
    if (ch == ' ' || ch == '=') continue;
    char c = absl::ascii_toupper(ch);
    const char* p = std::strchr(kB32, c);
    if (c == '\0' || p == nullptr) return absl::InvalidArgumentError("totp secret: not base32");
    buf = (buf << 5) | static_cast<uint32_t>(p - kB32);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("totp secret: empty");
  return out;
}

std::string NewTotpSecret() {
  std::string raw = RandomBytes(20);
  std::string s = Base32Encode(raw);
  Wipe(&raw);
  return s;
}

namespace {
std::string HotpAt(const std::string& key, uint64_t counter) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = counter & 0xff;
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof(msg), mac, &mac_len);
  int off = mac[mac_len - 1] & 0x0f;
  uint32_t bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  OPENSSL_cleanse(mac, sizeof(mac));
  char code[7];
  std::snprintf(code, sizeof(code), "%06u", bin % 1000000);
  return code;
}
}  // namespace

absl::StatusOr<std::string> TotpCode(absl::string_view secret_base32, absl::Time t) {
  auto key = Base32Decode(secret_base32);
  if (!key.ok()) return key.status();
  int64_t secs = absl::ToUnixSeconds(t);
  std::string code = HotpAt(*key, static_cast<uint64_t>(secs < 0 ? 0 : secs / 30));
  Wipe(&*key);
  return code;
}

bool VerifyTotp(absl::string_view secret_base32, absl::string_view code, absl::Time t) {
  if (code.size() != 6) return false;
  auto key = Base32Decode(secret_base32);
  if (!key.ok()) return false;
  int64_t step = absl::ToUnixSeconds(t) / 30;
  bool ok = false;
  for (int64_t s = step - 1; s <= step + 1; ++s) {
    if (s < 0) continue;
    std::string expect = HotpAt(*key, static_cast<uint64_t>(s));
    if (CRYPTO_memcmp(expect.data(), code.data(), 6) == 0) ok = true;
  }
  Wipe(&*key);
  return ok;
}

std::string NewToken() {
  std::string raw = RandomBytes(32);
  std::string t = absl::StrCat("dbn_", absl::WebSafeBase64Escape(raw));
  Wipe(&raw);
  return t;
}

std::string TokenHash(absl::string_view token) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

absl::StatusOr<std::string> ParseBearer(absl::string_view header) {
  if (header.empty()) return absl::UnauthenticatedError("authorization: missing (log in first)");
  if (header.size() < 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "Bearer ")) {
    return absl::UnauthenticatedError("authorization: not a Bearer credential");
  }
  absl::string_view t = absl::StripAsciiWhitespace(header.substr(7));
  if (t.size() != 47 || !absl::StartsWith(t, "dbn_")) {
    return absl::UnauthenticatedError("authorization: malformed token");
  }
  for (char c : t.substr(4)) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') {
      return absl::UnauthenticatedError("authorization: malformed token");
    }
  }
  return std::string(t);
}

std::string NewPassword() {
  // 15 base64url characters of randomness, then one of each class so that
  // the policy holds whatever the random part is.
  std::string raw = RandomBytes(12);
  std::string p = absl::StrCat(absl::WebSafeBase64Escape(raw), "a7Q!");
  Wipe(&raw);
  return p;
}

void Wipe(std::string* secret) {
  if (secret == nullptr) return;
  if (!secret->empty()) OPENSSL_cleanse(secret->data(), secret->size());
  secret->clear();
}

}  // namespace duban::auth
