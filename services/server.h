// Builds and runs duband's gRPC server over an Engine.
#ifndef DUBAN_SERVICES_SERVER_H_
#define DUBAN_SERVICES_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "services/config.h"

namespace duban {

// Opens the store, loads the demo plan on the first start, then the
// accountability and assessment files, serves until SIGTERM or SIGINT, then
// shuts down cleanly. INVALID_ARGUMENT ("file:line: reason") when a file
// read at start-up is bad.
absl::Status RunDaemon(const DaemonConfig& config);

}  // namespace duban

#endif  // DUBAN_SERVICES_SERVER_H_
