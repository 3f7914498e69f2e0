// Accountability (问责): the ladders of config/accountability.yaml turned into
// cases (约谈 / 事前问责 / 警示约谈 …) and the cases' workflow.
//
// Cases are opened
//  - by rankings: when a ranking is stored, every ladder on its board is
//    evaluated for that period; for each unit in the ladder's band the
//    highest step whose condition holds opens one case (at most one per unit,
//    ladder and period), in the same WriteBatch as the ranking;
//  - by incidents: an incident that matches an incident rule (a fatal
//    accident) opens one case per unit, rule and month;
//  - by monthly-notice problems: the same problem named against a unit in N
//    monthly notices opens a case (one per unit, rule and month).
// Each case notifies its unit (NotificationKind ACCOUNTABILITY) atomically
// with its creation. Case ids are "A<n>" from meta "next_case_id".
//
// Workflow (the transition table is in accountability.cc):
//   scheduled --hold (minutes, ≥1 commitment)--> held
//   held --follow_up (follow-up text)--> followed_up
//   followed_up --close--> closed
// Every step is an AccountabilityEvent in the case's stream
// (keys::Event(case_id, version)); version 1 is "opened".
#ifndef DUBAN_ENGINE_ACCOUNTABILITY_ACCOUNTABILITY_H_
#define DUBAN_ENGINE_ACCOUNTABILITY_ACCOUNTABILITY_H_

#include <atomic>
#include <mutex>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "duban/v1/model.pb.h"
#include "engine/accountability/ranking.h"
#include "engine/core/context.h"
#include "engine/storage/paging.h"

namespace duban {

struct CommandMeta;
class Supervision;  // engine/supervision/supervision.h

enum class CaseCommand { kHold, kFollowUp, kClose };

// The state a command leads to from `from`; FAILED_PRECONDITION naming the
// state and the commands it allows otherwise.
absl::StatusOr<v1::AccountabilityState> NextCaseState(v1::AccountabilityState from, CaseCommand c);
std::string CaseStateName(v1::AccountabilityState s);  // scheduled, held, followed_up, closed
std::string CaseCommandName(CaseCommand c);            // hold, follow_up, close

struct CaseInput {
  std::string minutes;                   // hold: 约谈记录 (required)
  std::vector<std::string> commitments;  // hold: 整改承诺 (at least one)
  std::string follow_up;                 // follow_up: what was followed up (required)
  // follow_up: files meta.actor uploaded (佐证材料).
  google::protobuf::RepeatedPtrField<v1::EvidenceRef> evidence;
  std::string text;                      // close: optional remark
};

struct CaseFilter {
  std::string unit;    // name, alias or id
  std::string period;  // "2023-01" …
  v1::AccountabilityState state = v1::ACCOUNTABILITY_STATE_UNSPECIFIED;
  std::string rule_id;  // ladder or rule id
  int page_size = 0;       // ListCasesPage: 0 = kDefaultListPageSize, at most kMaxListPageSize
  std::string page_token;  // ListCasesPage (engine/storage/paging.h)
};

struct CasePage {
  std::vector<v1::AccountabilityCase> cases;  // in id order
  std::string next_page_token;                // empty: no more
};

struct IncidentInput {
  std::string unit;  // name, alias or id
  std::string date;  // YYYY-MM-DD, not in the future
  std::string kind;  // a key of incident_kinds
  int deaths = 0;
  std::string description;
};

struct IncidentResult {
  v1::Incident incident;
  std::vector<v1::AccountabilityCase> opened;
};

struct NoticeResult {
  v1::NoticeProblem problem;
  int times = 0;  // monthly notices that have named this problem against the unit
  std::vector<v1::AccountabilityCase> opened;
};

class Accountability : public RankingListener {
 public:
  // Registers itself as the rankings' listener; `rankings` must outlive it,
  // and so must ctx and supervision (read for the overdue-item signal).
  Accountability(const PartContext* ctx, const Supervision* supervision,
                 std::shared_ptr<const AccountabilityConfig> config, Rankings* rankings);
  ~Accountability() override;
  // Reads the case and incident counters; call once before any command.
  // A read error is returned (a counter set too low would reuse an id).
  absl::Status Init();

  absl::StatusOr<IncidentResult> ReportIncident(const CommandMeta& meta, const IncidentInput& in);
  // ALREADY_EXISTS when the same problem is already recorded for the unit and month.
  absl::StatusOr<NoticeResult> RecordNoticeProblem(const CommandMeta& meta, absl::string_view unit,
                                                   absl::string_view month, absl::string_view problem);

  absl::StatusOr<v1::AccountabilityCase> Act(const CommandMeta& meta, absl::string_view case_id, CaseCommand c,
                                             const CaseInput& in);
  absl::StatusOr<v1::AccountabilityCase> Hold(const CommandMeta& meta, absl::string_view case_id,
                                              absl::string_view minutes, const std::vector<std::string>& commitments);
  // evidence: files meta.actor uploaded, attached to the follow-up's event
  // in the same batch.
  absl::StatusOr<v1::AccountabilityCase> FollowUp(
      const CommandMeta& meta, absl::string_view case_id, absl::string_view follow_up,
      const google::protobuf::RepeatedPtrField<v1::EvidenceRef>& evidence = {});
  absl::StatusOr<v1::AccountabilityCase> Close(const CommandMeta& meta, absl::string_view case_id,
                                               absl::string_view text = "");

  absl::StatusOr<v1::AccountabilityCase> GetCase(absl::string_view case_id) const;
  // Every case that matches, in id order (page_size and page_token are
  // not used).
  absl::StatusOr<std::vector<v1::AccountabilityCase>> ListCases(const CaseFilter& f) const;
  // One page of them, in id order: at most f.page_size (and kMaxPageBytes)
  // after f.page_token.
  absl::StatusOr<CasePage> ListCasesPage(const CaseFilter& f) const;
  absl::StatusOr<std::vector<v1::AccountabilityEvent>> CaseHistory(absl::string_view case_id) const;
  // One page of a case's history (engine/storage/paging.h).
  absl::StatusOr<EventPage<v1::AccountabilityEvent>> CaseHistoryPage(absl::string_view case_id,
                                                                     uint64_t after_version, int page_size) const;

  // Opens the cases of the signal ladders (missed_report, red_task,
  // supervision_overdue) for every day with occurrences up to today; at most
  // one case per unit, ladder and day, so calling it again opens nothing new
  // unless the data changed. duband calls it after timers fire.
  absl::StatusOr<std::vector<v1::AccountabilityCase>> EvaluateSignals(const CommandMeta& meta);
  bool HasSignalLadders() const;
  // Replaces the configuration (rule reload), under the rankings' write
  // mutex: open cases stay as they are; later rankings and signals are
  // evaluated under the new ladders.
  void SetConfig(std::shared_ptr<const AccountabilityConfig> config);

  // RankingListener: called by Rankings with the board's subjects locked.
  absl::Status OnRanking(const v1::Ranking& ranking, const Board& board, rocksdb::WriteBatch* batch,
                         std::vector<v1::Notification>* notes, std::vector<v1::AccountabilityCase>* opened) override;

 private:
  // What one write of the module collects: the batch, the notifications,
  // the cases opened, and the case counter (read once, written once).
  struct Pending {
    rocksdb::WriteBatch* batch = nullptr;
    std::vector<v1::Notification>* notes = nullptr;
    std::vector<v1::AccountabilityCase>* opened = nullptr;
    std::string actor;
    // The configuration this write decides under: read once (current()) at
    // its start, so that a reload meanwhile cannot mix old and new rules.
    std::shared_ptr<const AccountabilityConfig> cfg;
    std::optional<uint64_t> next_case;
    std::set<std::string> triggers;  // trigger keys written in this batch
    // The first store read that failed while deciding (the batch is then
    // not committed).
    absl::Status read_error;
  };
  // One case per unit, rule and trigger period (the case's period unless
  // given).
  absl::Status OpenCase(Pending* p, const std::string& unit_id, const std::string& rule_id, const ActionSpec& action,
                        int step, const std::string& period, const std::string& reason,
                        const std::string& trigger_period = "");
  // The last day of the latest period (up to `until`) in which the rule
  // opened a case for the unit, other than `current_trigger`.
  std::optional<absl::CivilDay> LastCaseEnd(Pending* p, const std::string& rule_id, const std::string& unit_id,
                                            const std::string& current_trigger, absl::CivilDay until) const;
  // Days of a signal's occurrences up to `today`, per unit, sorted.
  absl::StatusOr<std::map<std::string, std::vector<absl::CivilDay>>> SignalOccurrences(LadderSignal signal,
                                                                                       absl::CivilDay today) const;
  absl::StatusOr<std::string> ResolveUnit(absl::string_view field, absl::string_view name) const;
  // The filter's unit id ("" for none), once the filter's fields are checked.
  absl::StatusOr<std::string> CheckCaseFilter(const CaseFilter& f) const;
  // Closes the cases a replaced ranking of `period` opened for units that
  // are no longer in the ladder's band, and frees their triggers.
  absl::Status WithdrawReplaced(Pending* p, const std::string& ladder_id, const std::string& period,
                                const std::set<std::string>& still_in);

  // The configuration in force, one atomic load. A computation calls it
  // once and keeps the pointer to its end.
  std::shared_ptr<const AccountabilityConfig> current() const { return std::atomic_load(&config_); }

  const PartContext* const ctx_;
  const Supervision* const supervision_;
  std::atomic<uint64_t> next_case_{1};
  std::atomic<uint64_t> next_incident_{1};
  std::shared_ptr<const AccountabilityConfig> config_;  // atomic_load / atomic_store
  std::mutex retired_mu_;
  std::vector<std::shared_ptr<const AccountabilityConfig>> retired_;  // guarded by retired_mu_
  Rankings* rankings_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_ACCOUNTABILITY_ACCOUNTABILITY_H_
