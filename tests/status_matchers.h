// Assertions on absl::Status for the tests.
#ifndef DUBAN_TESTS_STATUS_MATCHERS_H_
#define DUBAN_TESTS_STATUS_MATCHERS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace duban::testing {

// status has the code and its message names the field.
inline ::testing::AssertionResult IsError(const absl::Status& s, absl::StatusCode code, absl::string_view field) {
  if (s.ok()) return ::testing::AssertionFailure() << "expected " << absl::StatusCodeToString(code) << ", got OK";
  if (s.code() != code) {
    return ::testing::AssertionFailure() << "expected " << absl::StatusCodeToString(code) << ", got " << s;
  }
  if (s.message().find(field) == absl::string_view::npos) {
    return ::testing::AssertionFailure() << "message '" << s.message() << "' does not name '" << field << "'";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace duban::testing

#endif  // DUBAN_TESTS_STATUS_MATCHERS_H_
