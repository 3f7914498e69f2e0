// The shared test helpers' time scale (tests/test_util.h): how
// DUBAN_TEST_TIME_SCALE is read, and that waits and RPC deadlines stretch by it.
#include "tests/test_util.h"

#include <chrono>
#include <cstdlib>

#include "gtest/gtest.h"

namespace duban::testing {
namespace {

TEST(TimeScaleTest, ParseTimeScaleReadsANumberFromOneToAHundred) {
  EXPECT_EQ(ParseTimeScale("1"), 1.0);
  EXPECT_EQ(ParseTimeScale("4"), 4.0);
  EXPECT_EQ(ParseTimeScale("2.5"), 2.5);
  EXPECT_EQ(ParseTimeScale("100"), 100.0);
}

TEST(TimeScaleTest, ParseTimeScaleIsOneWhenUnsetOrNotSuchANumber) {
  EXPECT_EQ(ParseTimeScale(nullptr), 1.0);
  EXPECT_EQ(ParseTimeScale(""), 1.0);
  EXPECT_EQ(ParseTimeScale("fast"), 1.0);
  EXPECT_EQ(ParseTimeScale("3x"), 1.0);
  EXPECT_EQ(ParseTimeScale("0.5"), 1.0);
  EXPECT_EQ(ParseTimeScale("0"), 1.0);
  EXPECT_EQ(ParseTimeScale("-4"), 1.0);
  EXPECT_EQ(ParseTimeScale("1000"), 1.0);
}

TEST(TimeScaleTest, TimeScaleIsTheEnvironmentsValue) {
  EXPECT_EQ(TimeScale(), ParseTimeScale(std::getenv("DUBAN_TEST_TIME_SCALE")));
}

TEST(TimeScaleTest, WaitsAndDeadlinesStretchByTheScale) {
  const double scale = TimeScale();
  EXPECT_EQ(Scaled(std::chrono::seconds(10)).count(), static_cast<long long>(10000 * scale));
  EXPECT_EQ(Scaled(std::chrono::milliseconds(500)).count(), static_cast<long long>(500 * scale));
  auto before = std::chrono::system_clock::now();
  auto deadline = DeadlineIn(std::chrono::seconds(30));
  auto after = std::chrono::system_clock::now();
  EXPECT_GE(deadline - before, Scaled(std::chrono::seconds(30)));
  EXPECT_LE(deadline - after, Scaled(std::chrono::seconds(30)));
}

}  // namespace
}  // namespace duban::testing
