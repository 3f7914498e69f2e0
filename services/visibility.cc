#include "services/visibility.h"

#include "absl/strings/str_cat.h"
#include "services/auth.h"
#include "services/auth/policy.h"

namespace duban {

bool MaySeeAttachment(auth::Objects& objects, const auth::Principal& caller, const v1::EvidenceAttachment& a) {
  const std::string& kind = a.subject_kind();
  const std::string& id = a.subject_id();
  if (kind == "task") {
    auto t = objects.Task(id);
    return t.ok() && auth::MaySeeTask(caller, *t);
  }
  if (kind == "obligation") {
    auto o = objects.Obligation(id);
    return o.ok() && auth::MaySeeObligation(caller, *o);
  }
  if (kind == "supervision") {
    auto s = objects.Supervision(id);
    return s.ok() && auth::MaySeeSupervision(caller, *s);
  }
  if (kind == "case") {
    auto c = objects.Case(id);
    return c.ok() && auth::MaySeeCase(caller, *c);
  }
  return false;
}

absl::Status CheckCallerMaySeeTask(const grpc::ServerContext& ctx, Engine&, const v1::Task& task) {
  const auth::Principal* p = auth::PrincipalOf(&ctx);
  if (p == nullptr) return absl::UnauthenticatedError("authorization: missing (log in first)");
  if (auth::MaySeeTask(*p, task)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("task_id: '", p->account_id, "' may not see task ", task.id()));
}

}  // namespace duban
