// Year-end assessment (考核) of units against a target decomposition table
// (format: config/demo/safety-assessment.yaml, its header comment and the
// comment above `evaluation:`).
//
// LoadAssessment reads the tables, the rewards and the evaluation criteria;
// Evaluate turns one unit's figures for the year into an outcome (pass,
// fail, yellow card, veto) with one IndicatorResult per target; Assessments
// stores reported figures in the engine's store and evaluates them.
#ifndef DUBAN_ENGINE_ACCOUNTABILITY_ASSESSMENT_H_
#define DUBAN_ENGINE_ACCOUNTABILITY_ASSESSMENT_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/model.pb.h"
#include "engine/core/context.h"
#include "engine/storage/yaml_util.h"

namespace duban {

struct CommandMeta;

// A target on a count against the previous year's count (the baseline).
enum class CountRuleKind {
  kFlatOrLower,     // 持平或下降: value <= baseline
  kLowerByCount,    // 减少N起/人以上: value <= baseline - n (0 stays 0)
  kLowerByPercent,  // 下降P%以上: value <= baseline * (1 - P/100)
  kZero,            // 零事故 / 零死亡: value == 0
};

struct CountRule {
  CountRuleKind kind = CountRuleKind::kFlatOrLower;
  int n = 0;           // kLowerByCount, >= 1
  double percent = 0;  // kLowerByPercent, in (0, 100]
};

// The four levels of the constraint and incentive cells (a/b/c/d).
inline constexpr std::array<const char*, 4> kAssessmentLevels = {"national", "provincial", "city", "local"};

struct AssessmentRow {
  int seq = 0;
  std::string unit;       // as the table writes it
  std::string category;   // "township" | "park" | "department"
  std::string unit_class;  // "A" / "B" in the 市直 table; may be empty
  CountRule accidents;
  CountRule deaths;
  bool ranked = true;      // false: 不参与排名
  int max_last_times = 0;  // when ranked: cap on times among the ranking's last places
  std::array<int, 4> constraint_caps{};    // by kAssessmentLevels
  std::array<int, 4> incentive_targets{};  // by kAssessmentLevels
};

struct AssessmentTable {
  std::string id;
  std::string name;
  std::string category;  // default category of its rows
  std::string enforcement_rank_column;
  std::vector<AssessmentRow> rows;
};

// One criterion of evaluation.
struct AssessmentCondition {
  enum class Kind { kIndicator, kFailed };
  Kind kind = Kind::kIndicator;
  // kIndicator: figure `indicator` compared with `value` by `op`
  // (">", ">=", "<", "<=", "==", "!="). The figure is required from every
  // unit the condition applies to.
  std::string indicator;
  std::string op;
  double value = 0;
  // kFailed: a group of the row's own targets not met: "accidents",
  // "deaths", "enforcement_rank", "any_constraint", "any_incentive",
  // "constraint.<level>", "incentive.<level>".
  std::string failed;
  std::vector<std::string> applies_to;  // categories; empty: every unit
  std::string basis;                     // plan text, quoted in reasons
};

struct AssessmentReward {
  std::string id;
  std::vector<std::string> applies_to;  // categories; empty: every unit
  std::string indicator;
  CountRule rule;
  int64_t amount_yuan = 0;
  std::string text;
};

struct AssessmentEvaluation {
  std::vector<AssessmentCondition> veto_if;
  std::vector<AssessmentCondition> yellow_card_if;
  std::vector<AssessmentCondition> fail_if;
  std::vector<std::string> extra_figures;  // figure names accepted besides the built-in ones
};

struct AssessmentBook {
  std::string file;
  std::string id;
  std::string name;
  int year = 0;
  int baseline_year = 0;
  std::vector<AssessmentTable> tables;
  std::vector<AssessmentReward> rewards;
  AssessmentEvaluation evaluation;

  // The row whose unit is written exactly `unit`, or nullptr.
  const AssessmentRow* FindRow(absl::string_view unit) const;
  // The table holding `row` (a pointer into this book).
  const AssessmentTable* TableOf(const AssessmentRow* row) const;
  // Built-in figure names plus evaluation.extra_figures.
  bool IsFigure(absl::string_view name) const;
  std::vector<std::string> FigureNames() const;
};

// Built-in figure names: accidents, deaths, fire_accidents,
// road_traffic_deaths, major_accidents, forest_fire_major,
// enforcement_last_times, constraint.<level>, incentive.<level>.
const std::vector<std::string>& BuiltinAssessmentFigures();

// Reads the `assessment:` document. Errors are INVALID_ARGUMENT
// "<file>:<line>: <field path>: <reason>". The descriptive keys
// (prose_targets, annual_assessment_text, outcomes, key_enforcement_units)
// are skipped; any other unknown key is an error.
absl::StatusOr<AssessmentBook> LoadAssessment(const yamlx::Doc& doc);
absl::StatusOr<AssessmentBook> LoadAssessmentFile(const std::string& path);

// Checks figures against the book without needing a complete set:
// assessment_id (empty or the book's, else NOT_FOUND), year (0 or the
// book's), every name in values/baseline a known figure, every value finite
// and >= 0. Errors name the field ("values.accidents").
absl::Status CheckFigures(const AssessmentBook& book, const v1::AssessmentFigures& figures);

// The unit's outcome. figures.unit must be a row's unit as written
// (NOT_FOUND naming `unit` otherwise). Required: values and baseline of
// accidents and deaths; enforcement_last_times for ranked rows;
// constraint.<level> and incentive.<level>; the figure of every indicator
// condition applying to the unit. A missing one is INVALID_ARGUMENT naming
// "values.<name>" / "baseline.<name>".
absl::StatusOr<v1::AssessmentResult> Evaluate(const AssessmentBook& book, const v1::AssessmentFigures& figures);

// Rule in words, as the tables write it ("持平或下降", "减少1起以上",
// "下降20%以上", "零事故"; for deaths "减少1人以上", "零死亡").
std::string CountRuleText(const CountRule& rule, bool deaths);

// Figures reported through the engine and evaluated from the store. Records:
// entities 'X' "<assessment id>:<year>:<unit as the table writes it>" ->
// AssessmentFigures. A report replaces the unit's earlier one for that year.
class Assessments {
 public:
  // ctx outlives the assessments.
  Assessments(const PartContext* ctx, AssessmentBook book);

  const AssessmentBook& book() const { return book_; }

  // Validates (meta.actor; assessment_id, year, unit, figure names and
  // values) and stores the figures in one synced write. The unit may be
  // named as the table writes it or by any name, alias or id the engine
  // resolves to the same unit as a row. Nothing is written on error.
  absl::Status ReportFigures(const CommandMeta& meta, v1::AssessmentFigures figures);
  // The stored figures of a unit (NOT_FOUND when none were reported).
  absl::StatusOr<v1::AssessmentFigures> GetFigures(absl::string_view assessment_id, int year,
                                                   absl::string_view unit) const;
  absl::StatusOr<v1::AssessmentResult> Evaluate(absl::string_view assessment_id, int year,
                                                absl::string_view unit) const;
  // Every row with figures, in table order.
  absl::StatusOr<std::vector<v1::AssessmentResult>> EvaluateAll(absl::string_view assessment_id, int year) const;

  // The row a unit name stands for; NOT_FOUND naming `unit` when none.
  absl::StatusOr<const AssessmentRow*> ResolveRow(absl::string_view unit) const;

 private:
  absl::Status CheckKey(absl::string_view assessment_id, int year) const;
  std::string Key(int year, const AssessmentRow& row) const;

  const PartContext* const ctx_;
  AssessmentBook book_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_ACCOUNTABILITY_ASSESSMENT_H_
