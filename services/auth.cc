#include "services/auth.h"

#include "absl/strings/str_cat.h"
#include "services/services.h"

namespace duban {

absl::StatusOr<std::string> ResolveActor(const grpc::ServerContext& ctx, const std::string& field_path,
                                         const std::string& actor) {
  std::string from_md;
  auto it = ctx.client_metadata().find("x-duban-actor");
  if (it != ctx.client_metadata().end()) from_md.assign(it->second.data(), it->second.size());
  if (!actor.empty() && !from_md.empty() && actor != from_md) {
    return absl::PermissionDeniedError(absl::StrCat(field_path, ": '", actor,
                                                    "' differs from the caller's x-duban-actor '", from_md, "'"));
  }
  if (!actor.empty()) return actor;
  if (!from_md.empty()) return from_md;
  return absl::InvalidArgumentError(absl::StrCat(field_path, ": required"));
}

absl::StatusOr<CommandMeta> ToMeta(const grpc::ServerContext& ctx, const v1::CommandMeta& m) {
  auto actor = ResolveActor(ctx, "meta.actor", m.actor());
  if (!actor.ok()) return actor.status();
  CommandMeta meta;
  meta.actor = *actor;
  meta.comment = m.comment();
  meta.request_id = m.request_id();
  meta.expected_version = m.expected_version();
  return meta;
}

}  // namespace duban
