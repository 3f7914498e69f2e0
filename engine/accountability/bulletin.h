// The monthly bulletin (月通报): who is late, in one page.
//
// Owns nothing and writes nothing: it reads the tasks as they stand, the
// report obligations whose deadline fell in the month, the open supervision
// items and the accountability cases it is given, and orders the units by
// how late they are. Thread-safe as far as the parts it reads are (all of
// them may be read concurrently with commands).
#ifndef DUBAN_ENGINE_ACCOUNTABILITY_BULLETIN_H_
#define DUBAN_ENGINE_ACCOUNTABILITY_BULLETIN_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/model.pb.h"
#include "engine/plans/directory.h"
#include "engine/storage/store.h"
#include "engine/supervision/supervision.h"
#include "engine/tasks/task_commands.h"
#include "engine/time/clock.h"

namespace duban {

// What a bulletin reads (non-owning; every pointer set).
struct BulletinSources {
  const Store* store = nullptr;  // the report obligations' records
  const Clock* clock = nullptr;
  const Directory* directory = nullptr;  // unit names
  const TaskCommands* tasks = nullptr;
  const Supervision* supervision = nullptr;
};

// The bulletin of `month` (YYYY-MM; INVALID_ARGUMENT "period: ..."
// otherwise). `cases` are the accountability cases to include: those opened
// in the month, or entered for it, count. DATA_LOSS when a record read does
// not parse. At most kMaxDocumentEntries per list and kMaxDocumentBytes in
// all (engine/storage/paging.h), with what was left out counted.
absl::StatusOr<v1::Bulletin> MonthlyBulletin(const BulletinSources& from, absl::string_view month,
                                             const std::vector<v1::AccountabilityCase>& cases);

}  // namespace duban

#endif  // DUBAN_ENGINE_ACCOUNTABILITY_BULLETIN_H_
