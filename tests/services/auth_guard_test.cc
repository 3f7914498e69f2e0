// The Guard fails closed: a service whose RPC has no row in the permission
// table is refused for every caller, even an authenticated administrator,
// and its handler never runs; the same service served without the Guard
// answers. Calls through the server's in-process channel are checked the
// same way as network calls.
#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "duban/v1/auth.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/auth/auth_service.h"
#include "services/auth/guard.h"

namespace duban::auth {
namespace {

// A service outside duban's table: grpc.health.v1.Health.
class CountingHealth final : public grpc::health::v1::Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse* out) override {
    ++calls;
    out->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
  std::atomic<int> calls{0};
};

class NoObjects final : public Objects {
 public:
  absl::StatusOr<v1::Task> Task(const std::string&) override { return absl::NotFoundError("task"); }
  absl::StatusOr<v1::Obligation> Obligation(const std::string&) override { return absl::NotFoundError("o"); }
  absl::StatusOr<v1::SupervisionItem> Supervision(const std::string&) override { return absl::NotFoundError("s"); }
  absl::StatusOr<v1::AccountabilityCase> Case(const std::string&) override { return absl::NotFoundError("c"); }
  absl::StatusOr<std::string> UnitId(const std::string& n) override { return n; }
  absl::StatusOr<std::string> PersonId(const std::string&) override { return absl::NotFoundError("p"); }
};

TEST(GuardTest, AnRpcWithoutATableRowIsDeniedToEveryone) {
  AccountStore accounts(nullptr, AuthOptions{}, [](absl::string_view u) -> absl::StatusOr<std::string> {
    return std::string(u);
  });
  DeclaredAccount admin;
  admin.id = "root-sys";
  admin.roles = {"system_admin"};
  admin.password_hash = *HashPassword("Root-pass-2023");
  admin.totp_secret = Base32Encode("12345678901234567890");
  ASSERT_TRUE(accounts.Declare({admin}).ok());
  NoObjects objects;
  Guard guard(&accounts, &objects, PolicyOptions{});

  CountingHealth health;
  AuthServiceImpl auth_service(&accounts);
  GuardedService guarded_health(&guard, &health,
                                google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                                    "grpc.health.v1.Health"));
  GuardedService guarded_auth(&guard, &auth_service,
                              google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                                  "duban.v1.AuthService"));
  grpc::ServerBuilder builder;
  builder.RegisterService(&guarded_health);
  builder.RegisterService(&guarded_auth);
  auto server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto channel = server->InProcessChannel(grpc::ChannelArguments());

  // Log in as the system administrator.
  auto auth = v1::AuthService::NewStub(channel);
  v1::LoginRequest login;
  login.set_account_id("root-sys");
  login.set_password("Root-pass-2023");
  login.set_totp_code(*TotpCode(Base32Encode("12345678901234567890"), absl::Now()));
  v1::LoginResponse session;
  grpc::ClientContext lctx;
  ASSERT_TRUE(auth->Login(&lctx, login, &session).ok());

  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckResponse res;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + session.token());
    grpc::Status s = stub->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(absl::StrContains(s.error_message(), "/grpc.health.v1.Health/Check: not in the permission table"))
        << s.error_message();
  }
  {
    grpc::ClientContext ctx;  // anonymous, in process: no exemption
    grpc::Status s = stub->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &res);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(absl::StrContains(s.error_message(), "not in the permission table")) << s.error_message();
    v1::WhoAmIResponse who;
    grpc::ClientContext wctx;
    EXPECT_EQ(auth->WhoAmI(&wctx, v1::WhoAmIRequest(), &who).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(health.calls.load(), 0);
  server->Shutdown();

  // The control: unguarded, the same service answers.
  CountingHealth open;
  grpc::ServerBuilder b2;
  b2.RegisterService(&open);
  auto s2 = b2.BuildAndStart();
  auto stub2 = grpc::health::v1::Health::NewStub(s2->InProcessChannel(grpc::ChannelArguments()));
  grpc::ClientContext ctx;
  EXPECT_TRUE(stub2->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &res).ok());
  EXPECT_EQ(open.calls.load(), 1);
  s2->Shutdown();
}

}  // namespace
}  // namespace duban::auth
