// Rankings (排名) and the configuration of the accountability ladders
// (config/accountability.yaml).
//
// A board is a named ranking of units, one per period: either entered (a
// higher authority publishes it, e.g. Changsha's monthly enforcement ranking
// of the 10 key enforcement units) or computed by duban from its own data
// (the scorecard). Rankings are stored as v1::Ranking under "<board>:<period>".
// Whenever one is stored, the registered listener (the Accountability module)
// adds what the ranking triggers to the same WriteBatch, so the ranking, the
// cases it opens and their notifications commit together or not at all.
#ifndef DUBAN_ENGINE_ACCOUNTABILITY_RANKING_H_
#define DUBAN_ENGINE_ACCOUNTABILITY_RANKING_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "duban/v1/model.pb.h"
#include "engine/core/context.h"
#include "engine/storage/yaml_util.h"
#include "rocksdb/write_batch.h"

namespace duban {

struct CommandMeta;
class TaskCommands;  // engine/tasks/task_commands.h
class Obligations;   // engine/obligations/obligations.h

// ---------------------------------------------------------------- config

// Who counts as last (or inside a bottom-k band) when units tie.
enum class TieRule {
  kAllLast,   // all_last: every unit of a tie that reaches into the band counts
  kNoneLast,  // none_last: a tie that straddles the band's edge counts nobody
};

enum class BoardSource { kEntered, kComputed };
enum class BoardCadence { kMonthly, kQuarterly, kYearly };

// Weights of the computed scorecard; score = sum of weight × metric.
struct ScoreWeights {
  double on_time_rate = 0;     // UnitScore on_time / due (1 when nothing was due)
  double overdue_tasks = 0;    // number of the unit's lead tasks flagged overdue
  double completion_rate = 0;  // completed or archived lead tasks / all lead tasks (1 when none)
  double returns = 0;          // UnitScore.returned
};

struct Board {
  std::string id;
  std::string name;
  BoardSource source = BoardSource::kEntered;
  BoardCadence cadence = BoardCadence::kMonthly;
  std::vector<std::string> member_ids;         // resolved unit ids, in config order
  bool members_with_obligations = false;       // computed boards: units with obligations or a UnitScore
  std::vector<std::string> not_ranked_ids;     // 不参与排名: never ranked on this board
  TieRule tie_rule = TieRule::kAllLast;
  ScoreWeights weights;                        // computed boards
  int line = 0;
};

// The band of a ladder: the last place (bottom 1) or the bottom k.
struct Band {
  int bottom = 1;
  bool last = true;  // written as `last`
};

struct ActionSpec {
  std::string id;       // interview, pre_accountability, warning_interview ...
  std::string name;     // 约谈, 事前问责 ...
  std::string by_role;  // a key of `roles`
};

// What a ladder counts: placements in the band of one or more boards, or
// occurrences of a signal from duban's own data (see ladder_rules.h).
enum class LadderSignal {
  kRanking,             // placements in the band of `boards`
  kMissedReport,        // missed_report: a report obligation whose deadline passed without a report
  kRedTask,             // red_task: a lead task of the unit flagged red
  kSupervisionOverdue,  // supervision_overdue: a supervision item of the unit past its deadline
};

// Bounds of the counts and offsets (documented in config/README.md).
inline constexpr int kMaxLadderCount = 100;     // thresholds: 1 to kMaxLadderCount
inline constexpr int kMaxCategoryOffset = 100;  // offsets: -kMaxCategoryOffset to +kMaxCategoryOffset

// A step holds when any of its conditions holds (0 = not used). Counts are
// of placements in the band (or of signal occurrences), the current one
// included:
//   consecutive       in a row ending at the current period (one board only);
//   within_year       in the current calendar year;
//   within_12_months  in the 12 months ending with the current period;
//   within_quarter    in the current calendar quarter.
// The unit's category offset is added to every threshold; the result is
// never below 1.
struct LadderStep {
  int consecutive = 0;
  int within_year = 0;
  int within_12_months = 0;
  int within_quarter = 0;
  std::map<v1::UnitCategory, int> category_offsets;  // ladder's, overridden per step
  ActionSpec action;
  // by_category: the action a category gets instead (levels_higher already
  // applied against `interviewers`).
  std::map<v1::UnitCategory, ActionSpec> category_actions;
  std::string rule_text;  // the rule in the office's words; generated when empty
  int line = 0;
};

struct Ladder {
  std::string id;
  std::string name;
  std::string board;                // the first of `boards`; empty for signal ladders
  std::vector<std::string> boards;  // placements on any of them count
  LadderSignal signal = LadderSignal::kRanking;
  Band band;
  bool restart_after_case = false;  // counts start again after each case of this ladder and unit
  std::vector<LadderStep> steps;    // step n = steps[n-1]; the highest that holds fires
  int line = 0;

  bool OnBoard(absl::string_view board_id) const;
};

struct IncidentRule {
  std::string id;
  std::vector<std::string> kinds;  // empty: every kind
  int min_deaths = 1;
  ActionSpec action;
  int line = 0;
};

struct NoticeRule {
  std::string id;
  int repeats = 2;  // the same problem in this many monthly notices
  ActionSpec action;
  int line = 0;
};

struct AccountabilityConfig {
  std::string file;
  std::map<std::string, std::string> roles;           // role id -> title
  std::vector<std::string> interviewers;              // role ids, lowest to highest
  std::map<std::string, std::string> incident_kinds;  // kind -> name
  TieRule tie_rule = TieRule::kAllLast;
  std::vector<Board> boards;
  std::vector<Ladder> ladders;
  std::vector<IncidentRule> incident_rules;
  std::vector<NoticeRule> notice_rules;

  const Board* FindBoard(absl::string_view id) const;
};

// Unit names are resolved against the organisation directory, so a plan
// must be imported first. Errors: INVALID_ARGUMENT "<file>:<line>: <field>: <reason>".
absl::StatusOr<AccountabilityConfig> LoadAccountabilityConfig(const yamlx::Doc& doc, const Directory& directory);
absl::StatusOr<AccountabilityConfig> LoadAccountabilityConfigFile(const std::string& path,
                                                                   const Directory& directory);

std::string TieRuleName(TieRule r);
std::string CategoryName(v1::UnitCategory c);  // department, township, park, platform_company, other

// ---------------------------------------------------------------- periods

// Periods as ordinals: months (year*12 + month-1), quarters (year*4 + q-1) or
// years. Labels: "2023-01", "2023-Q1", "2023".
absl::StatusOr<int64_t> ParsePeriod(BoardCadence c, absl::string_view field, absl::string_view label);
std::string FormatPeriod(BoardCadence c, int64_t ordinal);
int PeriodYear(BoardCadence c, int64_t ordinal);
absl::CivilDay PeriodStart(BoardCadence c, int64_t ordinal);

// ---------------------------------------------------------------- rankings

// The unit ids of a ranking inside the bottom-k band under a tie rule. A tie
// group (consecutive entries with the same rank) counts under all_last when
// any of its positions is among the last k, under none_last only when all are.
std::set<std::string> UnitsInBand(const v1::Ranking& r, int bottom, TieRule rule);

// The lock subject of a unit's accountability triggers (one case per unit,
// rule and period): taken by every command that may open a case for it.
inline std::string AccountabilitySubject(absl::string_view unit_id) { return absl::StrCat("acct|", unit_id); }

// Told about every ranking before it is written; adds its own records and
// notifications to the batch. Called with the board and the ranked units'
// AccountabilitySubject locked.
class RankingListener {
 public:
  virtual ~RankingListener() = default;
  virtual absl::Status OnRanking(const v1::Ranking& ranking, const Board& board, rocksdb::WriteBatch* batch,
                                 std::vector<v1::Notification>* notes,
                                 std::vector<v1::AccountabilityCase>* opened) = 0;
};

struct RankedUnit {
  std::string unit;             // name, alias or id
  std::optional<double> score;  // give scores for every unit or for none
};

struct RankingInput {
  std::string board;
  std::string period;
  std::vector<RankedUnit> entries;      // best first
  std::vector<std::string> not_ranked;  // members not ranked this period
  bool replace = false;                 // overwrite a stored ranking of the period
};

struct RankingResult {
  v1::Ranking ranking;
  std::vector<v1::AccountabilityCase> opened;  // cases the ranking opened
};

struct RankingPage {
  std::vector<v1::Ranking> rankings;  // by board (configuration order), then period
  std::string next_page_token;        // empty: no more
};

class Rankings {
 public:
  // ctx, tasks and obligations (read by the computed scorecard) outlive
  // the rankings.
  Rankings(const PartContext* ctx, const TaskCommands* tasks, const Obligations* obligations,
           std::shared_ptr<const AccountabilityConfig> config);

  // Stores an entered ranking. INVALID_ARGUMENT / NOT_FOUND naming the field
  // for bad input, ALREADY_EXISTS for a stored period without replace.
  // Every member must be ranked or listed in not_ranked.
  absl::StatusOr<RankingResult> EnterRanking(const CommandMeta& meta, const RankingInput& in);
  // Builds a computed board for the period from the engine's data at the time
  // of the call (UnitScore totals, lead tasks).
  absl::StatusOr<RankingResult> ComputeScorecard(const CommandMeta& meta, absl::string_view period,
                                                 absl::string_view board = "scorecard", bool replace = false);

  absl::StatusOr<v1::Ranking> GetRanking(absl::string_view board, absl::string_view period) const;
  // In period order.
  absl::StatusOr<std::vector<v1::Ranking>> ListRankings(absl::string_view board) const;
  // One page of the rankings of a board (every board, in the configuration's
  // order, when board is empty), each board's in period order: at most
  // page_size (0: kDefaultListPageSize; at most kMaxListPageSize) and
  // kMaxPageBytes of them after page_token (engine/storage/paging.h).
  absl::StatusOr<RankingPage> ListRankingsPage(absl::string_view board, int page_size,
                                               absl::string_view page_token) const;

  // The configuration in force. The reference stays valid after a reload
  // (earlier configurations are kept), but two calls may return different
  // ones: a computation that reads it more than once holds current().
  const AccountabilityConfig& config() const { return *current(); }
  // Replaces the configuration (rule reload). A command that has already
  // read the configuration keeps the one it read; earlier configurations
  // stay alive for readers still holding a reference.
  void SetConfig(std::shared_ptr<const AccountabilityConfig> config);
  std::shared_ptr<const AccountabilityConfig> current() const { return std::atomic_load(&config_); }
  // Set once, before commands run (nullptr: none).
  void SetListener(RankingListener* l);

 private:
  absl::StatusOr<RankingResult> Persist(const CommandMeta& meta, const Board& board, v1::Ranking ranking, bool replace);

  const PartContext* const ctx_;
  const TaskCommands* const tasks_;
  const Obligations* const obligations_;
  std::shared_ptr<const AccountabilityConfig> config_;  // atomic_load / atomic_store
  std::mutex retired_mu_;
  std::vector<std::shared_ptr<const AccountabilityConfig>> retired_;  // guarded by retired_mu_
  std::atomic<RankingListener*> listener_{nullptr};
};

// The key of a ranking, "<board>:<period>".
std::string RankingId(absl::string_view board, absl::string_view period);
// Meta checks shared by the module's commands.
absl::Status CheckCommandMeta(const CommandMeta& meta);

}  // namespace duban

#endif  // DUBAN_ENGINE_ACCOUNTABILITY_RANKING_H_
