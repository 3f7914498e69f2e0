// Who may see what, for reads that carry files (evidence downloads and
// lists). A person (a leader, office staff) and the configured supervisors
// see every task; a unit sees the tasks it leads or is responsible for, and
// the leading group's office and the task forces' office units see every
// task.
#ifndef DUBAN_SERVICES_VISIBILITY_H_
#define DUBAN_SERVICES_VISIBILITY_H_

#include <string>

#include "absl/status/status.h"
#include "engine/engine.h"
#include "grpcpp/server_context.h"

namespace duban {

bool MaySeeTask(Engine& engine, const std::string& actor, const v1::Task& task);
// Whether actor may see the subject of an attachment (a task today).
bool MaySeeAttachment(Engine& engine, const std::string& actor, const v1::EvidenceAttachment& a);
// Whether actor may read what is addressed to unit_or_person (its
// notifications): itself, a person, an office unit or a supervisor.
bool MayReadFor(Engine& engine, const std::string& actor, const std::string& unit_or_person);

// Reads by a caller that names itself (x-duban-actor) are limited to what
// it may see; a caller that does not name itself reads as before.
std::string CallerActor(const grpc::ServerContext& ctx);
// PERMISSION_DENIED ("task_id: ...") when the caller may not see the task.
absl::Status CheckCallerMaySeeTask(const grpc::ServerContext& ctx, Engine& engine, const v1::Task& task);
// PERMISSION_DENIED ("<field>: ...") when the caller may not read for the recipient.
absl::Status CheckCallerMayReadFor(const grpc::ServerContext& ctx, Engine& engine, const std::string& field,
                                   const std::string& recipient);

}  // namespace duban

#endif  // DUBAN_SERVICES_VISIBILITY_H_
