// Credential primitives and the account store without a daemon: RFC 6238
// vectors, the password policy, argon2id, bearer-token parsing, lockout,
// idle and absolute session timeouts, revocation, and the separation of the
// three administrators. Time is injected.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "duban/v1/duban.pb.h"
#include "gtest/gtest.h"
#include "services/auth/accounts.h"
#include "services/auth/credentials.h"
#include "services/auth/secrets.h"

namespace duban::auth {
namespace {

TEST(TotpTest, MatchesRfc6238Vectors) {
  // RFC 6238 appendix B, SHA-1 key "12345678901234567890"; the six low digits.
  std::string secret = Base32Encode("12345678901234567890");
  EXPECT_EQ(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(*TotpCode(secret, absl::FromUnixSeconds(59)), "287082");
  EXPECT_EQ(*TotpCode(secret, absl::FromUnixSeconds(1111111109)), "081804");
  EXPECT_EQ(*TotpCode(secret, absl::FromUnixSeconds(1234567890)), "005924");
  EXPECT_EQ(*TotpCode(secret, absl::FromUnixSeconds(2000000000)), "279037");
  // One step of clock skew either way is accepted, two are not.
  EXPECT_TRUE(VerifyTotp(secret, "287082", absl::FromUnixSeconds(59 + 30)));
  EXPECT_FALSE(VerifyTotp(secret, "287082", absl::FromUnixSeconds(59 + 90)));
  EXPECT_FALSE(VerifyTotp(secret, "28708", absl::FromUnixSeconds(59)));
  EXPECT_FALSE(Base32Decode("not base32!").ok());
}

TEST(PasswordPolicyTest, NeedsLengthThreeClassesAndNotTheAccountName) {
  EXPECT_TRUE(CheckPasswordPolicy("p", "swj", "Abcdef12").ok());
  EXPECT_TRUE(absl::StrContains(CheckPasswordPolicy("p", "swj", "Ab1").message(), "at least 8"));
  EXPECT_TRUE(absl::StrContains(CheckPasswordPolicy("p", "swj", "abcdefgh12").message(), "3 of the 4"));
  EXPECT_TRUE(absl::StrContains(CheckPasswordPolicy("p", "swj", "Xswj-2023!").message(), "account name"));
  // The message never repeats the password.
  EXPECT_FALSE(absl::StrContains(CheckPasswordPolicy("p", "swj", "abcdefgh12").message(), "abcdefgh12"));
  EXPECT_TRUE(CheckPasswordPolicy("p", "swj", NewPassword()).ok());
}

TEST(Argon2Test, HashesWithSaltAndVerifies) {
  auto a = HashPassword("Correct-horse-9");
  auto b = HashPassword("Correct-horse-9");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(absl::StartsWith(*a, "$argon2id$v=19$m=19456,t=2,p=1$"));
  EXPECT_NE(*a, *b);  // per-hash salt
  EXPECT_TRUE(VerifyPassword(*a, "Correct-horse-9"));
  EXPECT_FALSE(VerifyPassword(*a, "Correct-horse-8"));
  EXPECT_FALSE(VerifyPassword("$2y$10$bcrypt", "x"));
  Argon2Params weak;
  weak.memory_kib = 4096;
  EXPECT_EQ(HashPassword("x", weak).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BearerTest, ParsesOnlyWellFormedTokens) {
  std::string t = NewToken();
  EXPECT_EQ(*ParseBearer("Bearer " + t), t);
  EXPECT_EQ(ParseBearer("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseBearer("Basic abc").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseBearer("Bearer " + t.substr(1)).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(absl::StrContains(ParseBearer("Bearer dbn_x!").status().message(), "dbn_x!"));
  EXPECT_NE(TokenHash(t), t);
  EXPECT_EQ(TokenHash(t).size(), 64u);
}

class AccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthOptions o;
    o.lockout_threshold = 3;
    o.idle_timeout = absl::Minutes(30);
    o.session_lifetime = absl::Hours(12);
    store_ = std::make_unique<AccountStore>(
        nullptr, o, [](absl::string_view u) -> absl::StatusOr<std::string> { return std::string(u); },
        [this] { return now_; });
    DeclaredAccount a;
    a.id = "swj";
    a.unit = "swj";
    a.roles = {"unit_contact"};
    a.password_hash = *HashPassword("Shangwu-2023");
    DeclaredAccount s;
    s.id = "sec";
    s.roles = {"security_admin"};
    s.password_hash = *HashPassword("Security-2023");
    s.totp_secret = Base32Encode("12345678901234567890");
    ASSERT_TRUE(store_->Declare({a, s}).ok());
  }
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::unique_ptr<AccountStore> store_;
};

TEST_F(AccountStoreTest, UnknownAccountAndWrongPasswordAnswerAlike) {
  auto unknown = store_->Login("nobody", "Shangwu-2023", "");
  auto wrong = store_->Login("swj", "Wrong-2023x", "");
  ASSERT_FALSE(unknown.ok());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(unknown.status(), wrong.status());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(AccountStoreTest, LocksAfterTheConfiguredFailuresAndRevokesSessions) {
  auto ok = store_->Login("swj", "Shangwu-2023", "");
  ASSERT_TRUE(ok.ok());
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(store_->Login("swj", "Wrong-2023x", "").ok());
  // Locked: even the right password is refused, with the same answer.
  auto locked = store_->Login("swj", "Shangwu-2023", "");
  EXPECT_EQ(locked.status().message(), "account_id or password: not accepted");
  EXPECT_EQ(store_->Authenticate(ok->token).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(store_->Account("swj")->locked());
  // The system administrator unlocks it.
  Principal admin;
  admin.account_id = "root";
  ASSERT_TRUE(store_->SetDisabled(admin, "swj", false).ok());
  EXPECT_TRUE(store_->Login("swj", "Shangwu-2023", "").ok());
}

TEST_F(AccountStoreTest, IdleTimeoutAndAbsoluteLifetimeEndSessions) {
  auto login = store_->Login("swj", "Shangwu-2023", "");
  ASSERT_TRUE(login.ok());
  now_ += absl::Minutes(29);
  auto p = store_->Authenticate(login->token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->account_id, "swj");
  EXPECT_EQ(p->unit_id, "swj");
  now_ += absl::Minutes(31);  // idle for 31 minutes
  EXPECT_EQ(store_->Authenticate(login->token).status().code(), absl::StatusCode::kUnauthenticated);

  // Used every 20 minutes, it still ends 12 hours after login.
  login = store_->Login("swj", "Shangwu-2023", "");
  ASSERT_TRUE(login.ok());
  for (int i = 0; i < 35; ++i) {
    now_ += absl::Minutes(20);
    ASSERT_TRUE(store_->Authenticate(login->token).ok()) << i;
  }
  now_ += absl::Minutes(20);
  EXPECT_EQ(store_->Authenticate(login->token).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(AccountStoreTest, LogoutAndPasswordChangeRevoke) {
  auto a = store_->Login("swj", "Shangwu-2023", "");
  auto b = store_->Login("swj", "Shangwu-2023", "");
  ASSERT_TRUE(a.ok() && b.ok());
  auto pa = store_->Authenticate(a->token);
  ASSERT_TRUE(pa.ok());
  store_->Logout(*pa);
  EXPECT_FALSE(store_->Authenticate(a->token).ok());
  auto pb = store_->Authenticate(b->token);
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(store_->ChangePassword(*pb, "Shangwu-2023", "short").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ChangePassword(*pb, "nope", "Shangwu-2024!").code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(store_->ChangePassword(*pb, "Shangwu-2023", "Shangwu-2024!").ok());
  EXPECT_FALSE(store_->Authenticate(b->token).ok());
  EXPECT_TRUE(store_->Login("swj", "Shangwu-2024!", "").ok());
}

TEST_F(AccountStoreTest, TotpIsRequiredWhenEnrolled) {
  std::string secret = Base32Encode("12345678901234567890");
  EXPECT_FALSE(store_->Login("sec", "Security-2023", "").ok());
  EXPECT_FALSE(store_->Login("sec", "Security-2023", "000000").ok());
  auto ok = store_->Login("sec", "Security-2023", *TotpCode(secret, now_));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_FALSE(ok->must_enrol_totp);
}

TEST_F(AccountStoreTest, AdministratorRolesAreNeverCombinedNorSelfGranted) {
  Principal sec;
  sec.account_id = "sec";
  sec.roles = {{"security_admin", {}}};
  auto r = store_->GrantRole(sec, "sec", {"leader", {}});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "themselves"));
  ASSERT_TRUE(store_->GrantRole(sec, "swj", {"system_admin", {}}).ok());
  auto two = store_->GrantRole(sec, "swj", {"audit_admin", {}});
  EXPECT_EQ(two.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(two.status().message(), "only one of"));
  // A role change ends the account's sessions.
  Principal root;
  root.account_id = "root";
  ASSERT_TRUE(store_->SetDisabled(root, "swj", false).ok());
  auto s = store_->Login("swj", "Shangwu-2023", "");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(store_->RevokeRole(sec, "swj", "system_admin").ok());
  EXPECT_FALSE(store_->Authenticate(s->token).ok());
}

TEST(WipeSecretsTest, ClearsEveryPasswordCodeAndTokenFieldAndNothingElse) {
  v1::LoginRequest login;
  login.set_account_id("swj");
  login.set_password("Shangwu-2023");
  login.set_totp_code("123456");
  EXPECT_EQ(WipeSecrets(&login), 2);
  EXPECT_EQ(login.account_id(), "swj");
  EXPECT_TRUE(login.password().empty());
  EXPECT_TRUE(login.totp_code().empty());
  v1::CreateAccountRequest create;
  create.set_id("new-one");
  create.set_initial_password("Initial-2023");
  EXPECT_EQ(WipeSecrets(&create), 1);
  EXPECT_EQ(create.id(), "new-one");
  EXPECT_TRUE(create.initial_password().empty());
  v1::ChangePasswordRequest change;
  change.set_old_password("Old-pass-2023");
  change.set_new_password("New-pass-2023");
  EXPECT_EQ(WipeSecrets(&change), 2);
  EXPECT_EQ(change.ByteSizeLong(), 0u);
  v1::LoginResponse answer;
  answer.set_token("dbn_secret");
  answer.mutable_account()->set_id("swj");
  EXPECT_EQ(WipeSecrets(&answer), 1);
  EXPECT_EQ(answer.account().id(), "swj");
  v1::TaskRef nothing;
  nothing.set_task_id("T1");
  EXPECT_EQ(WipeSecrets(&nothing), 0);
  EXPECT_EQ(nothing.task_id(), "T1");
}

}  // namespace
}  // namespace duban::auth
