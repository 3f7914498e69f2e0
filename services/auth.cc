#include "services/auth.h"

#include "absl/strings/str_cat.h"
#include "services/services.h"

namespace duban {

absl::StatusOr<std::string> ResolveActor(const grpc::ServerContext& ctx, const std::string& field_path,
                                         const std::string& actor) {
  const auth::Principal* p = auth::PrincipalOf(&ctx);
  if (p == nullptr) return absl::UnauthenticatedError("authorization: missing (log in first)");
  if (!actor.empty() && actor != p->account_id) {
    return absl::PermissionDeniedError(
        absl::StrCat(field_path, ": '", actor, "' is not the authenticated account '", p->account_id, "'"));
  }
  return p->account_id;
}

absl::StatusOr<CommandMeta> ToMeta(const grpc::ServerContext& ctx, const v1::CommandMeta& m) {
  auto actor = ResolveActor(ctx, "meta.actor", m.actor());
  if (!actor.ok()) return actor.status();
  CommandMeta meta;
  meta.actor = *actor;
  meta.comment = m.comment();
  // Request ids are the account's own: another account's id never replays
  // (or collides with) this one's commands.
  if (!m.request_id().empty()) meta.request_id = absl::StrCat(*actor, "/", m.request_id());
  meta.expected_version = m.expected_version();
  return meta;
}

}  // namespace duban
