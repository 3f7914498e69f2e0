// Who may see what, for reads that filter their results (task lists, and
// evidence downloads and lists). The caller is the authenticated principal
// of the running handler (services/auth/guard.h); what it may see is the
// permission table's rule for tasks (auth::MaySeeTask, policy.h), so a
// list shows exactly what a GetTask of each item would allow.
#ifndef DUBAN_SERVICES_VISIBILITY_H_
#define DUBAN_SERVICES_VISIBILITY_H_

#include <string>

#include "absl/status/status.h"
#include "engine/engine.h"
#include "grpcpp/server_context.h"
#include "services/auth/policy.h"
#include "services/auth/principal.h"

namespace duban {

// Whether the caller may see the subject of an attachment (a task,
// obligation, supervision item or accountability case), by the permission
// table's rule for reading that subject.
bool MaySeeAttachment(auth::Objects& objects, const auth::Principal& caller, const v1::EvidenceAttachment& a);

// PERMISSION_DENIED ("task_id: ...") when the caller of ctx may not see the
// task; UNAUTHENTICATED when the handler has no authenticated caller.
absl::Status CheckCallerMaySeeTask(const grpc::ServerContext& ctx, Engine& engine, const v1::Task& task);

}  // namespace duban

#endif  // DUBAN_SERVICES_VISIBILITY_H_
