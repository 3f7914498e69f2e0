// Obligations: the report obligations (报送事项) that the reporting cadences
// create, the units' reports on them and their review, and the units'
// score counters (on time, missed, late, returned, urged).
//
// Owns: the obligation records, their events and their indexes
// ("obligation-unit", "obligation-rule"), the unit score records and their
// lock subjects (ScoreSubject), the cadence markers ("cadence|<rule>" in
// meta), the slot of the cadences in force (swapped by ReloadCadences), and
// the timer kinds cadence tick, reminder and deadline (RegisterTimerHandlers).
// Reads: the context (engine/core/context.h): store, pipeline, clock,
// directory, calendar, cadences, evidence; the plan records
// (engine/plans/plan_records.h) for the task forces that report.
// Thread-safety: thread-safe. Commands lock the obligation (and the score
// counters they move) through the pipeline; the timer handlers write into
// the timer runner's batch under the locks it took; StartCadences,
// ReloadCadences and RecomputeDeadlines hold the runner's run lock.
#ifndef DUBAN_ENGINE_OBLIGATIONS_OBLIGATIONS_H_
#define DUBAN_ENGINE_OBLIGATIONS_OBLIGATIONS_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "duban/v1/model.pb.h"
#include "engine/core/batch.h"
#include "engine/core/context.h"
#include "engine/storage/paging.h"
#include "engine/storage/pipeline.h"
#include "engine/time/cadence.h"

namespace duban {

struct ObligationFilter {
  std::string unit;     // id, name or alias
  std::string rule_id;
  v1::ObligationState state = v1::OBLIGATION_STATE_UNSPECIFIED;
  std::string period_from;  // YYYY-MM-DD: period ends on or after
  std::string period_to;    // YYYY-MM-DD: period starts on or before
  int page_size = 100;
  std::string page_token;
};

struct ObligationPage {
  std::vector<v1::Obligation> obligations;
  std::string next_page_token;
};

// What a reload of the cadences changed.
struct CadenceReload {
  std::vector<std::string> added, removed, changed;  // rule ids
  int obligations_moved = 0;                         // open obligations whose deadline moved
  int warning_checks_moved = 0;                      // when the warning thresholds changed
};

// The lock subject of a unit's score counters.
inline std::string ScoreSubject(absl::string_view unit_id) { return absl::StrCat("score|", unit_id); }

class Obligations {
 public:
  // ctx outlives the part.
  explicit Obligations(const PartContext* ctx) : ctx_(ctx) {}
  Obligations(const Obligations&) = delete;
  Obligations& operator=(const Obligations&) = delete;

  // Gives the runner the handlers of cadence ticks, reminders and deadlines.
  void RegisterTimerHandlers(TimerRunner* timers);

  absl::StatusOr<v1::Obligation> Get(absl::string_view id) const;
  absl::StatusOr<ObligationPage> List(const ObligationFilter& filter) const;
  absl::StatusOr<std::vector<v1::ObligationEvent>> History(absl::string_view id) const;
  // One page of an obligation's history (engine/storage/paging.h).
  absl::StatusOr<EventPage<v1::ObligationEvent>> HistoryPage(absl::string_view id, uint64_t after_version,
                                                             int page_size) const;
  // The unit reports; on time or late. From pending, returned or missed.
  // evidence: files meta.actor uploaded, attached to the submission's event
  // in the same batch (INVALID_ARGUMENT "evidence[i]..." for a bad one).
  absl::StatusOr<v1::Obligation> SubmitReport(const CommandMeta& meta, absl::string_view id, absl::string_view text,
                                              const EvidenceRefs& evidence = {});
  // The receiving office accepts, or returns with a reason.
  absl::StatusOr<v1::Obligation> ReviewReport(const CommandMeta& meta, absl::string_view id, bool accept,
                                              absl::string_view reason);
  absl::StatusOr<v1::UnitScore> GetUnitScore(absl::string_view unit) const;
  absl::StatusOr<std::vector<v1::UnitScore>> ListUnitScores() const;

  // Schedules the first tick of every cadence rule not yet scheduled.
  absl::Status StartCadences();
  // Replaces the cadences while running: removed rules stop creating
  // obligations, added ones start at their next period, changed ones start
  // again at their next period and the open obligations they made get the
  // new deadlines, their reminders moved. When the warning thresholds
  // changed, recompute_warning_checks (the tasks' part) is called and its
  // count reported. FAILED_PRECONDITION without calendar and cadences.
  absl::StatusOr<CadenceReload> ReloadCadences(
      std::shared_ptr<const CadenceConfig> cadences,
      const std::function<absl::StatusOr<int>(absl::string_view why)>& recompute_warning_checks);
  // Recomputes the deadline (and its note) of every open obligation whose
  // deadline is still ahead, of the given rules (all when empty), from the
  // cadences and calendar in force, and moves its reminder and deadline
  // timers; each move is a "deadline_moved" event. Returns how many moved.
  absl::StatusOr<int> RecomputeDeadlines(const std::set<std::string>& rule_ids, absl::string_view why);

 private:
  // The effects of the timer kinds, written into the runner's batch.
  absl::Status Tick(Batch& b, const v1::Timer& t, bool late);
  absl::Status Remind(Batch& b, const v1::Timer& t, bool late);
  absl::Status Deadline(Batch& b, const v1::Timer& t, bool late);
  absl::StatusOr<v1::Obligation> SubmitReportIn(Batch& w, const CommandMeta& meta, absl::string_view id,
                                                absl::string_view text, const EvidenceRefs& evidence);
  absl::StatusOr<v1::Obligation> ReviewReportIn(Batch& w, const CommandMeta& meta, absl::string_view id, bool accept,
                                                absl::string_view reason);
  // Get, ABORTED when expected_version is set and differs.
  absl::StatusOr<v1::Obligation> GetAt(absl::string_view id, uint64_t expected_version) const;
  std::vector<std::string> ReporterUnits(const CadenceRule& rule, std::vector<std::string>* subjects) const;
  std::string SubjectName(const std::string& subject_id) const;

  const PartContext* const ctx_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_OBLIGATIONS_OBLIGATIONS_H_
