// libFuzzer target: what a caller controls in authentication: the
// authorization header, TOTP codes and secrets, role grants.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "services/auth/credentials.h"
#include "services/auth/principal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto token = duban::auth::ParseBearer(s);
  if (token.ok()) (void)duban::auth::TokenHash(*token);
  (void)duban::auth::Base32Decode(s);
  (void)duban::auth::VerifyTotp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", s, absl::FromUnixSeconds(1700000000));
  (void)duban::auth::VerifyTotp(s, "123456", absl::FromUnixSeconds(1700000000));
  (void)duban::auth::CheckPasswordPolicy("password", "swj", s);
  auto g = duban::auth::ParseGrant(s);
  (void)duban::auth::GrantText(g);
  (void)duban::auth::IsKnownRole(g.role);
  return 0;
}
