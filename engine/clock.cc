#include "engine/clock.h"

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

}  // namespace duban
