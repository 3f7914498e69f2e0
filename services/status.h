// absl::Status -> grpc::Status. The canonical codes share their numbers.
#ifndef DUBAN_SERVICES_STATUS_H_
#define DUBAN_SERVICES_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace duban {

inline grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace duban

#endif  // DUBAN_SERVICES_STATUS_H_
