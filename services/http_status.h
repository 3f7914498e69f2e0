// gRPC status codes as HTTP statuses and Connect protocol code names.
#ifndef DUBAN_SERVICES_HTTP_STATUS_H_
#define DUBAN_SERVICES_HTTP_STATUS_H_

namespace duban {

// gRPC status code -> HTTP status (as the Connect protocol maps them).
inline int HttpStatusOf(int code) {
  switch (code) {
    case 0: return 200;    // ok
    case 1: return 499;    // canceled
    case 2: return 500;    // unknown
    case 3: return 400;    // invalid_argument
    case 4: return 504;    // deadline_exceeded
    case 5: return 404;    // not_found
    case 6: return 409;    // already_exists
    case 7: return 403;    // permission_denied
    case 8: return 429;    // resource_exhausted
    case 9: return 400;    // failed_precondition
    case 10: return 409;   // aborted
    case 11: return 400;   // out_of_range
    case 12: return 501;   // unimplemented
    case 13: return 500;   // internal
    case 14: return 503;   // unavailable
    case 15: return 500;   // data_loss
    case 16: return 401;   // unauthenticated
    default: return 500;
  }
}

// gRPC status code -> its Connect name, e.g. "invalid_argument".
inline const char* ConnectCodeName(int code) {
  static const char* const kNames[] = {"ok",
                                       "canceled",
                                       "unknown",
                                       "invalid_argument",
                                       "deadline_exceeded",
                                       "not_found",
                                       "already_exists",
                                       "permission_denied",
                                       "resource_exhausted",
                                       "failed_precondition",
                                       "aborted",
                                       "out_of_range",
                                       "unimplemented",
                                       "internal",
                                       "unavailable",
                                       "data_loss",
                                       "unauthenticated"};
  return code >= 0 && code <= 16 ? kNames[code] : "unknown";
}

}  // namespace duban

#endif  // DUBAN_SERVICES_HTTP_STATUS_H_
