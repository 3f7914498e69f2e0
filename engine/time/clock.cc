#include "engine/time/clock.h"

#include "absl/time/time.h"

namespace duban {

const absl::TimeZone& PlanTimeZone() {
  static const absl::TimeZone* tz = [] {
    auto* z = new absl::TimeZone;
    // China has had no DST since 1991, so a fixed +08:00 is exact for every
    // date duban handles if the zone database is missing.
    if (!absl::LoadTimeZone("Asia/Shanghai", z)) {
      *z = absl::FixedTimeZone(8 * 3600);
    }
    return z;
  }();
  return *tz;
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t us = absl::ToUnixMicros(t);
  ts.set_seconds(us / 1000000);
  ts.set_nanos(static_cast<int32_t>((us % 1000000) * 1000));
  if (ts.nanos() < 0) {
    ts.set_seconds(ts.seconds() - 1);
    ts.set_nanos(ts.nanos() + 1000000000);
  }
  return ts;
}

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string FormatBeijing(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M", t, PlanTimeZone()); }

absl::Time At(absl::CivilDay d, int h, int m) {
  return absl::FromCivil(absl::CivilMinute(d.year(), d.month(), d.day(), h, m), PlanTimeZone());
}

}  // namespace duban
