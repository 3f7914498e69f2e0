// Who is acting. The one place where a request's actor is decided; roles and
// credentials are checked here as they are added.
#ifndef DUBAN_SERVICES_AUTH_H_
#define DUBAN_SERVICES_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

namespace duban {

// The actor named in the request, or else the "x-duban-actor" metadata.
// When both are present they must agree. INVALID_ARGUMENT when neither is.
absl::StatusOr<std::string> ResolveActor(const grpc::ServerContext& ctx, const std::string& field_path,
                                         const std::string& actor);

}  // namespace duban

#endif  // DUBAN_SERVICES_AUTH_H_
