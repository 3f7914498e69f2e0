// The bounds every decoded request is held to before its handler runs.
//
// gRPC already refuses a request larger than the server's receive limit
// (kMaxRequestBytes). Within it, no repeated field of any request, at any
// depth, may hold more than kMaxRepeatedEntries entries or more than
// kMaxRepeatedBytes in all. The engine's own, tighter limits for particular
// fields (validate.h: units of a task, indicator values, ...) still apply
// after this check; this one covers every field, including those added
// later, so that no request can make duband hold or echo an unbounded list.
#ifndef DUBAN_SERVICES_REQUEST_BOUNDS_H_
#define DUBAN_SERVICES_REQUEST_BOUNDS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace duban {

inline constexpr int kMaxRequestBytes = 4 << 20;
inline constexpr int kMaxRepeatedEntries = 1000;
inline constexpr size_t kMaxRepeatedBytes = 1 << 20;

// OK, or INVALID_ARGUMENT naming the first repeated field over a bound by
// its path ("milestones", "entries[3].reasons"): "<path>: at most 1000
// entries (got N)" or "<path>: at most 1048576 bytes in all (got N)".
absl::Status CheckRequestBounds(const google::protobuf::Message& request);

}  // namespace duban

#endif  // DUBAN_SERVICES_REQUEST_BOUNDS_H_
