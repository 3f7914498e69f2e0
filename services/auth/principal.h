// Who a call comes from, once authenticated: the verified account, its
// unit and its role grants. Built by the AccountStore; handed to handlers
// through PrincipalOf(ctx) (services/auth/guard.h).
#ifndef DUBAN_SERVICES_AUTH_PRINCIPAL_H_
#define DUBAN_SERVICES_AUTH_PRINCIPAL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace duban::auth {

// The role code names (README "Roles"). A grant may carry a scope: campaign
// ids for task_force_office, campaign or unit ids for leader, recipients
// for notification_bridge.
inline constexpr char kSystemAdmin[] = "system_admin";
inline constexpr char kSecurityAdmin[] = "security_admin";
inline constexpr char kAuditAdmin[] = "audit_admin";
inline constexpr char kLeadingGroupOffice[] = "leading_group_office";
inline constexpr char kTaskForceOffice[] = "task_force_office";
inline constexpr char kSafetyOffice[] = "safety_office";
inline constexpr char kSupervisor[] = "supervisor";
inline constexpr char kLeader[] = "leader";
inline constexpr char kUnitContact[] = "unit_contact";
inline constexpr char kAuditor[] = "auditor";
inline constexpr char kNotificationBridge[] = "notification_bridge";
// Acting for another account (代办): its scope lists the account or unit
// ids that may be acted for (empty: any account but an administrator).
// Combined with any role; the audit trail records both accounts.
inline constexpr char kActFor[] = "act_for";

// Every role, and whether it is one of the three administrators (三员).
bool IsKnownRole(absl::string_view role);
bool IsAdminRole(absl::string_view role);

struct Grant {
  std::string role;
  std::vector<std::string> scope;  // empty: the role's whole reach
};

// "role" or "role:a,b" <-> Grant.
Grant ParseGrant(absl::string_view text);
std::string GrantText(const Grant& g);

struct Principal {
  std::string account_id;
  std::string display_name;
  std::string unit_id;             // may be empty (administrators, services)
  std::vector<Grant> roles;
  bool person = true;              // false: a service account
  // The session may only change the password or enrol TOTP (first login,
  // expired password, administrator without a second factor).
  bool restricted = false;
  std::string session;             // the token's hash (never the token)
  bool via_certificate = false;    // authenticated by a client certificate
  // Set when this is the principal acted for: the account that is really
  // calling (it holds act_for). Empty otherwise.
  std::string acting_account;

  bool Has(absl::string_view role) const;
  // The grant of role, or nullptr.
  const Grant* Find(absl::string_view role) const;
  // True when the principal holds role with an empty scope or one that
  // lists id.
  bool HasIn(absl::string_view role, absl::string_view id) const;
};

// "role,role:a,b" of the grants, as the audit trail records a role.
std::string RolesText(const Principal& p);

}  // namespace duban::auth

#endif  // DUBAN_SERVICES_AUTH_PRINCIPAL_H_
