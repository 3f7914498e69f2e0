// Time for the engine comes only from a Clock. The daemon runs on the real
// one, or on a simulated one that tests and demos move forward by hand.
#ifndef DUBAN_ENGINE_TIME_CLOCK_H_
#define DUBAN_ENGINE_TIME_CLOCK_H_

#include <mutex>
#include <string>

#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace duban {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // True for a clock that only moves when told to.
  virtual bool IsSimulated() const { return false; }
  // Moves a simulated clock forward to t (never back); false for a real one.
  virtual bool MoveTo(absl::Time t) { return false; }
};

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

class SimulatedClock : public Clock {
 public:
  explicit SimulatedClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    std::lock_guard<std::mutex> l(mu_);
    return now_;
  }
  bool IsSimulated() const override { return true; }
  // Moves time forward; time never goes back.
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> l(mu_);
    if (d > absl::ZeroDuration()) now_ += d;
  }
  void SetIfLater(absl::Time t) {
    std::lock_guard<std::mutex> l(mu_);
    if (t > now_) now_ = t;
  }
  bool MoveTo(absl::Time t) override {
    SetIfLater(t);
    return true;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

// Asia/Shanghai, the zone every date of a plan is read in.
const absl::TimeZone& PlanTimeZone();

// Conversions used throughout the engine.
google::protobuf::Timestamp Ts(absl::Time t);
absl::Time FromTs(const google::protobuf::Timestamp& ts);
// "YYYY-MM-DD HH:MM", Beijing time.
std::string FormatBeijing(absl::Time t);
// The instant h:m on day d, Beijing time.
absl::Time At(absl::CivilDay d, int h, int m);

}  // namespace duban

#endif  // DUBAN_ENGINE_TIME_CLOCK_H_
