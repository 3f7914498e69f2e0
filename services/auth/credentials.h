// Credential primitives: argon2id password hashes, the password policy,
// TOTP (RFC 6238), random bearer tokens and their hashes. Pure functions,
// thread-safe. Secrets passed in are not kept; callers wipe their own
// copies with Wipe().
#ifndef DUBAN_SERVICES_AUTH_CREDENTIALS_H_
#define DUBAN_SERVICES_AUTH_CREDENTIALS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace duban::auth {

// argon2id parameters. The defaults are OWASP's minimum (19 MiB, 2 passes,
// 1 lane); lower values are refused by HashPassword.
struct Argon2Params {
  uint32_t memory_kib = 19456;
  uint32_t passes = 2;
  uint32_t lanes = 1;
};

// An encoded argon2id hash ("$argon2id$v=19$m=...") with a fresh 16-byte
// salt. INVALID_ARGUMENT when the parameters are below the minimum.
absl::StatusOr<std::string> HashPassword(absl::string_view password, const Argon2Params& params = {});
// True when password matches the encoded hash; false for any other hash
// (including one that is not argon2id).
bool VerifyPassword(absl::string_view encoded, absl::string_view password);

// At least 8 characters from 3 of the 4 classes (lower, upper, digit,
// other), at most 128 bytes, and not containing the account id.
// INVALID_ARGUMENT naming `field`; the message never repeats the password.
absl::Status CheckPasswordPolicy(absl::string_view field, absl::string_view account_id, absl::string_view password);

// 20 random bytes as RFC 4648 base32 (no padding): a TOTP secret.
std::string NewTotpSecret();
// Base32 without padding, upper case; decoding accepts lower case and
// ignores spaces and '='. nullopt-like error on other characters.
std::string Base32Encode(absl::string_view bytes);
absl::StatusOr<std::string> Base32Decode(absl::string_view text);
// The six-digit RFC 6238 code (SHA-1, 30-second steps) of secret_base32 at t.
absl::StatusOr<std::string> TotpCode(absl::string_view secret_base32, absl::Time t);
// True when code matches the step of t or one step either side.
bool VerifyTotp(absl::string_view secret_base32, absl::string_view code, absl::Time t);

// A new bearer token: "dbn_" + 43 base64url characters (32 random bytes).
std::string NewToken();
// The form in which a token is stored: hex SHA-256 of it.
std::string TokenHash(absl::string_view token);
// The token of an "authorization" metadata value "Bearer <token>";
// UNAUTHENTICATED when it is missing or malformed. Never echoes the value.
absl::StatusOr<std::string> ParseBearer(absl::string_view header);
// A random password that meets the policy (20 characters).
std::string NewPassword();

// Overwrites the string's bytes, then clears it.
void Wipe(std::string* secret);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_CREDENTIALS_H_
