#include "services/visibility.h"

#include "absl/strings/str_cat.h"
#include "services/auth.h"
#include "services/auth/policy.h"

namespace duban {

bool MaySeeAttachment(Engine& engine, const auth::Principal& caller, const v1::EvidenceAttachment& a) {
  if (a.subject_kind() != "task") return false;
  auto task = engine.GetTask(a.subject_id());
  if (!task.ok()) return false;
  return auth::MaySeeTask(caller, *task);
}

absl::Status CheckCallerMaySeeTask(const grpc::ServerContext& ctx, Engine&, const v1::Task& task) {
  const auth::Principal* p = auth::PrincipalOf(&ctx);
  if (p == nullptr) return absl::UnauthenticatedError("authorization: missing (log in first)");
  if (auth::MaySeeTask(*p, task)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("task_id: '", p->account_id, "' may not see task ", task.id()));
}

}  // namespace duban
