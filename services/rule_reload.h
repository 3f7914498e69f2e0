// Rule files while running: reload (SIGHUP, AdminService.ReloadRules,
// `dubanctl rules reload`) and the watch on the work calendar's coverage.
#ifndef DUBAN_SERVICES_RULE_RELOAD_H_
#define DUBAN_SERVICES_RULE_RELOAD_H_

#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "duban/v1/duban.pb.h"
#include "engine/accountability/accountability.h"
#include "engine/accountability/ranking.h"
#include "engine/engine.h"
#include "services/config.h"

namespace duban {

// Administrator notifications (subject "calendar:<year>") go to
// kAdminRecipient (engine/engine.h): `dubanctl watch admin`.

// Rereads config.cadences_file and config.accountability_file and puts them
// in force. Both are loaded and checked before anything changes: a file that
// does not load is INVALID_ARGUMENT naming file, line and field, and every
// rule stays as it was. The work calendar is read at start-up only (a year
// added takes effect on restart). `rankings` and `accountability` may be
// null (duband runs without them). Reloads are serialised.
class RuleReloader {
 public:
  RuleReloader(const DaemonConfig& config, Engine* engine, Rankings* rankings, Accountability* accountability)
      : config_(config), engine_(engine), rankings_(rankings), accountability_(accountability) {}

  absl::StatusOr<v1::ReloadRulesResponse> Reload();

 private:
  const DaemonConfig& config_;
  Engine* engine_;
  Rankings* rankings_;
  Accountability* accountability_;
  std::mutex mu_;
};

// Notifies the administrator, once per year, of each year MissingCalendarYears
// names for today (the current year without a calendar entry; from 1
// November the coming one). Returns the years notified by this call.
absl::StatusOr<std::vector<int>> NotifyMissingCalendarYears(Engine* engine);

}  // namespace duban

#endif  // DUBAN_SERVICES_RULE_RELOAD_H_
