#include "services/auth/principal.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace duban::auth {

bool IsKnownRole(absl::string_view r) {
  for (const char* k : {kSystemAdmin, kSecurityAdmin, kAuditAdmin, kLeadingGroupOffice, kTaskForceOffice,
                        kSafetyOffice, kSupervisor, kLeader, kUnitContact, kAuditor, kNotificationBridge, kActFor}) {
    if (r == k) return true;
  }
  return false;
}

bool IsAdminRole(absl::string_view r) { return r == kSystemAdmin || r == kSecurityAdmin || r == kAuditAdmin; }

Grant ParseGrant(absl::string_view text) {
  Grant g;
  auto colon = text.find(':');
  g.role = std::string(text.substr(0, colon));
  if (colon != absl::string_view::npos) {
    for (absl::string_view s : absl::StrSplit(text.substr(colon + 1), ',', absl::SkipWhitespace())) {
      g.scope.emplace_back(absl::StripAsciiWhitespace(s));
    }
  }
  return g;
}

std::string GrantText(const Grant& g) {
  if (g.scope.empty()) return g.role;
  return g.role + ":" + absl::StrJoin(g.scope, ",");
}

const Grant* Principal::Find(absl::string_view role) const {
  for (const auto& g : roles) {
    if (g.role == role) return &g;
  }
  return nullptr;
}

bool Principal::Has(absl::string_view role) const { return Find(role) != nullptr; }

bool Principal::HasIn(absl::string_view role, absl::string_view id) const {
  const Grant* g = Find(role);
  if (g == nullptr) return false;
  return g->scope.empty() || std::find(g->scope.begin(), g->scope.end(), id) != g->scope.end();
}

std::string RolesText(const Principal& p) {
  std::vector<std::string> out;
  for (const auto& g : p.roles) out.push_back(g.role);
  return absl::StrJoin(out, ",");
}

}  // namespace duban::auth
