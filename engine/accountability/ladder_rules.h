// How a ladder of config/accountability.yaml decides: the counts of a unit's
// placements (or signal occurrences) in the windows of the current one, the
// step that holds for the unit's category, and the case reason that states
// the rule in the office's words.
//
// Pure functions over values: no store, no clock. The Accountability module
// gathers the occurrences (ranking placements from stored rankings, signals
// from obligations, tasks and supervision items) and opens the cases.
#ifndef DUBAN_ENGINE_ACCOUNTABILITY_LADDER_RULES_H_
#define DUBAN_ENGINE_ACCOUNTABILITY_LADDER_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "duban/v1/model.pb.h"
#include "engine/accountability/ranking.h"

namespace duban {

// A counted placement or signal occurrence: the days of its period (a day
// for signals, a month, quarter or year for rankings).
struct Occurrence {
  absl::CivilDay start;
  absl::CivilDay end;
};

struct LadderCounts {
  int consecutive = 0;  // filled by the caller: periods in a row of one board
  int within_year = 0;
  int within_12_months = 0;
  int within_quarter = 0;
};

// Counts the occurrences that fall in the windows of `current` (itself one of
// them). Only occurrences starting on or before current.start count:
//   within_year       the calendar year of current.start;
//   within_quarter    the calendar quarter of current.start;
//   within_12_months  starting after current.end minus 12 months.
LadderCounts CountWindows(const std::vector<Occurrence>& occurrences, const Occurrence& current);

// The unit's threshold for a step's count: threshold + category offset, at
// least 1; 0 (unused) stays 0.
int EffectiveThreshold(int threshold, const LadderStep& step, v1::UnitCategory category);

struct StepChoice {
  int step = 0;           // 1-based
  ActionSpec action;      // after by_category
  std::string condition;  // the condition that held, e.g. "连续2期排名倒数第一"
  std::string rule;       // the step's rule in the office's words
};

// The highest step that holds for a unit of `category` with `counts`;
// nullopt when none does.
std::optional<StepChoice> ChooseStep(const Ladder& ladder, const AccountabilityConfig& cfg,
                                     v1::UnitCategory category, const LadderCounts& counts);

// What the ladder counts, as the office says it: "排名倒数第一",
// "在长沙市执法排名、消防排名中排名后3名", "未按时报送".
std::string LadderEventWords(const Ladder& ladder, const AccountabilityConfig& cfg);

// The facts of the counts the ladder uses: "连续2期，2023年累计3期".
std::string CountFacts(const Ladder& ladder, const LadderCounts& counts, int year, bool restarted);

// The category as the office names it: 市直部门, 乡镇（街道）, 园区, 平台公司, 其他单位.
std::string CategoryTitle(v1::UnitCategory c);

// The last day of a case's period label: "2023" → 2023-12-31, "2023-Q1" →
// 2023-03-31, "2023-02" → 2023-02-28, "2023-02-14" → itself. A
// "<board>@" prefix is ignored. INVALID_ARGUMENT for anything else.
absl::StatusOr<absl::CivilDay> PeriodLabelEndDay(absl::string_view label);

}  // namespace duban

#endif  // DUBAN_ENGINE_ACCOUNTABILITY_LADDER_RULES_H_
