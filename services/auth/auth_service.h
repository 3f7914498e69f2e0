// duban.v1.AuthService over an AccountStore. The Guard has authenticated
// and authorised each call; handlers read the caller with PrincipalOf.
#ifndef DUBAN_SERVICES_AUTH_AUTH_SERVICE_H_
#define DUBAN_SERVICES_AUTH_AUTH_SERVICE_H_

#include "duban/v1/auth.grpc.pb.h"
#include "services/auth/accounts.h"

namespace duban::auth {

class AuthServiceImpl final : public v1::AuthService::Service {
 public:
  explicit AuthServiceImpl(AccountStore* accounts) : accounts_(accounts) {}
  grpc::Status Login(grpc::ServerContext*, const v1::LoginRequest*, v1::LoginResponse*) override;
  grpc::Status Logout(grpc::ServerContext*, const v1::LogoutRequest*, v1::LogoutResponse*) override;
  grpc::Status ChangePassword(grpc::ServerContext*, const v1::ChangePasswordRequest*,
                              v1::ChangePasswordResponse*) override;
  grpc::Status WhoAmI(grpc::ServerContext*, const v1::WhoAmIRequest*, v1::WhoAmIResponse*) override;
  grpc::Status EnrolTotp(grpc::ServerContext*, const v1::EnrolTotpRequest*, v1::EnrolTotpResponse*) override;
  grpc::Status ConfirmTotp(grpc::ServerContext*, const v1::ConfirmTotpRequest*, v1::ConfirmTotpResponse*) override;
  grpc::Status CreateAccount(grpc::ServerContext*, const v1::CreateAccountRequest*,
                             v1::CreateAccountResponse*) override;
  grpc::Status SetAccountDisabled(grpc::ServerContext*, const v1::SetAccountDisabledRequest*,
                                  v1::SetAccountDisabledResponse*) override;
  grpc::Status ResetPassword(grpc::ServerContext*, const v1::ResetPasswordRequest*,
                             v1::ResetPasswordResponse*) override;
  grpc::Status GrantRole(grpc::ServerContext*, const v1::GrantRoleRequest*, v1::RoleChangeResponse*) override;
  grpc::Status RevokeRole(grpc::ServerContext*, const v1::RevokeRoleRequest*, v1::RoleChangeResponse*) override;
  grpc::Status ListAccounts(grpc::ServerContext*, const v1::ListAccountsRequest*, v1::ListAccountsResponse*) override;

 private:
  AccountStore* const accounts_;
};

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_AUTH_SERVICE_H_
