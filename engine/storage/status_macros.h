// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status code.
#ifndef DUBAN_ENGINE_STORAGE_STATUS_MACROS_H_
#define DUBAN_ENGINE_STORAGE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DUBAN_CONCAT_INNER(a, b) a##b
#define DUBAN_CONCAT(a, b) DUBAN_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status duban_status_ = (expr);   \
    if (!duban_status_.ok()) return duban_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(DUBAN_CONCAT(duban_or_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(*tmp)

#endif  // DUBAN_ENGINE_STORAGE_STATUS_MACROS_H_
