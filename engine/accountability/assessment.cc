#include "engine/accountability/assessment.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "engine/storage/store.h"
#include "engine/storage/validate.h"

namespace duban {

namespace {

constexpr std::array<const char*, 4> kLevelNamesZh = {"国家级", "省级", "市级", "本级"};
const std::vector<absl::string_view> kCategories = {"township", "park", "department"};

// Slack for comparisons of counts computed with a percentage.
constexpr double kEpsilon = 1e-9;

std::string Num(double v) { return absl::StrCat(v); }

bool IsCategory(absl::string_view s) {
  return std::find(kCategories.begin(), kCategories.end(), s) != kCategories.end();
}

// ---------------------------------------------------------------- loading

class Loader {
 public:
  explicit Loader(const yamlx::Doc& doc) : doc_(doc) {}

  absl::StatusOr<AssessmentBook> Load() {
    const YAML::Node& root = doc_.root;
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, root, "", {"assessment"}));
    ASSIGN_OR_RETURN(YAML::Node a, yamlx::Map(doc_, root, "assessment", "", true));
    const std::string p = "assessment";
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, a, p,
                                    {"id", "name", "year", "baseline_year", "tables", "rewards", "evaluation",
                                     // descriptive, not evaluated:
                                     "key_enforcement_units", "prose_targets", "annual_assessment_text",
                                     "outcomes"}));
    AssessmentBook book;
    book.file = doc_.file;
    ASSIGN_OR_RETURN(book.id, yamlx::String(doc_, a, "id", p, true));
    if (auto s = validate::Id("id", book.id); !s.ok()) {
      return yamlx::Error(doc_, a["id"], absl::StrCat(p, ".", s.message()));
    }
    ASSIGN_OR_RETURN(book.name, yamlx::String(doc_, a, "name", p, false));
    ASSIGN_OR_RETURN(book.year, yamlx::Int(doc_, a, "year", p, true));
    if (book.year < 2000 || book.year > 2100) {
      return yamlx::Error(doc_, a["year"], absl::StrCat(p, ".year: ", book.year, " is not a year between 2000 and 2100"));
    }
    ASSIGN_OR_RETURN(book.baseline_year, yamlx::Int(doc_, a, "baseline_year", p, false, book.year - 1));
    if (book.baseline_year >= book.year) {
      return yamlx::Error(doc_, a["baseline_year"],
                          absl::StrCat(p, ".baseline_year: must be before year ", book.year));
    }
    // Extra figures first: conditions and rewards may name them.
    ASSIGN_OR_RETURN(YAML::Node ev, yamlx::Map(doc_, a, "evaluation", p, false));
    RETURN_IF_ERROR(LoadEvaluation(ev, p + ".evaluation", &book));

    ASSIGN_OR_RETURN(YAML::Node tables, yamlx::Seq(doc_, a, "tables", p, true));
    if (tables.size() == 0) return yamlx::Error(doc_, tables, p + ".tables: at least one table is required");
    std::map<std::string, std::string> units_seen;  // unit -> path of its row
    std::set<std::string> table_ids;
    for (size_t i = 0; i < tables.size(); ++i) {
      std::string tp = absl::StrCat(p, ".tables[", i, "]");
      AssessmentTable t;
      RETURN_IF_ERROR(LoadTable(tables[i], tp, &t, &units_seen));
      if (!table_ids.insert(t.id).second) {
        return yamlx::Error(doc_, tables[i]["id"], absl::StrCat(tp, ".id: duplicate table id '", t.id, "'"));
      }
      book.tables.push_back(std::move(t));
    }

    ASSIGN_OR_RETURN(YAML::Node rewards, yamlx::Seq(doc_, a, "rewards", p, false));
    std::set<std::string> reward_ids;
    for (size_t i = 0; i < rewards.size(); ++i) {
      std::string rp = absl::StrCat(p, ".rewards[", i, "]");
      AssessmentReward r;
      RETURN_IF_ERROR(LoadReward(rewards[i], rp, book, &r));
      if (!reward_ids.insert(r.id).second) {
        return yamlx::Error(doc_, rewards[i]["id"], absl::StrCat(rp, ".id: duplicate reward id '", r.id, "'"));
      }
      book.rewards.push_back(std::move(r));
    }
    return book;
  }

 private:
  absl::Status LoadTable(const YAML::Node& n, const std::string& p, AssessmentTable* t,
                         std::map<std::string, std::string>* units_seen) {
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, n, p, {"id", "name", "category", "enforcement_rank_column", "rows"}));
    ASSIGN_OR_RETURN(t->id, yamlx::String(doc_, n, "id", p, true));
    ASSIGN_OR_RETURN(t->name, yamlx::String(doc_, n, "name", p, false));
    ASSIGN_OR_RETURN(t->category, yamlx::String(doc_, n, "category", p, false));
    if (!t->category.empty() && !IsCategory(t->category)) {
      return BadCategory(n["category"], p + ".category", t->category);
    }
    ASSIGN_OR_RETURN(t->enforcement_rank_column, yamlx::String(doc_, n, "enforcement_rank_column", p, false));
    ASSIGN_OR_RETURN(YAML::Node rows, yamlx::Seq(doc_, n, "rows", p, true));
    if (rows.size() == 0) return yamlx::Error(doc_, rows, p + ".rows: at least one row is required");
    std::set<int> seqs;
    for (size_t i = 0; i < rows.size(); ++i) {
      std::string rp = absl::StrCat(p, ".rows[", i, "]");
      AssessmentRow row;
      RETURN_IF_ERROR(LoadRow(rows[i], rp, *t, &row));
      if (!seqs.insert(row.seq).second) {
        return yamlx::Error(doc_, rows[i]["seq"], absl::StrCat(rp, ".seq: duplicate seq ", row.seq));
      }
      auto [it, fresh] = units_seen->emplace(row.unit, rp);
      if (!fresh) {
        return yamlx::Error(doc_, rows[i]["unit"],
                            absl::StrCat(rp, ".unit: '", row.unit, "' already has a row (", it->second, ")"));
      }
      t->rows.push_back(std::move(row));
    }
    return absl::OkStatus();
  }

  absl::Status LoadRow(const YAML::Node& n, const std::string& p, const AssessmentTable& t, AssessmentRow* row) {
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, n, p,
                                    {"seq", "unit", "class", "category", "accidents", "deaths", "enforcement_rank",
                                     "constraint_caps", "incentive_targets"}));
    ASSIGN_OR_RETURN(row->seq, yamlx::Int(doc_, n, "seq", p, true));
    ASSIGN_OR_RETURN(row->unit, yamlx::String(doc_, n, "unit", p, true));
    if (auto s = validate::Required("unit", row->unit, validate::kMaxName); !s.ok()) {
      return yamlx::Error(doc_, n["unit"], absl::StrCat(p, ".", s.message()));
    }
    if (row->unit.find(':') != std::string::npos) {
      return yamlx::Error(doc_, n["unit"], absl::StrCat(p, ".unit: must not contain ':'"));
    }
    ASSIGN_OR_RETURN(row->unit_class, yamlx::String(doc_, n, "class", p, false));
    ASSIGN_OR_RETURN(row->category, yamlx::String(doc_, n, "category", p, false));
    if (row->category.empty()) row->category = t.category;
    if (row->category.empty()) {
      return yamlx::Error(doc_, n, absl::StrCat(p, ".category: required (on the row or its table)"));
    }
    if (!IsCategory(row->category)) return BadCategory(n["category"], p + ".category", row->category);

    ASSIGN_OR_RETURN(YAML::Node acc, yamlx::Map(doc_, n, "accidents", p, true));
    ASSIGN_OR_RETURN(row->accidents, LoadRule(acc, p + ".accidents", {}));
    ASSIGN_OR_RETURN(YAML::Node dea, yamlx::Map(doc_, n, "deaths", p, true));
    ASSIGN_OR_RETURN(row->deaths, LoadRule(dea, p + ".deaths", {}));

    std::string ep = p + ".enforcement_rank";
    ASSIGN_OR_RETURN(YAML::Node er, yamlx::Map(doc_, n, "enforcement_rank", p, true));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, er, ep, {"max_times", "not_ranked"}));
    ASSIGN_OR_RETURN(bool not_ranked, yamlx::Bool(doc_, er, "not_ranked", ep, false));
    bool has_max = er["max_times"].IsDefined() && !er["max_times"].IsNull();
    if (not_ranked == has_max) {
      return yamlx::Error(doc_, er, absl::StrCat(ep, ": give exactly one of max_times: N or not_ranked: true"));
    }
    row->ranked = !not_ranked;
    if (has_max) {
      ASSIGN_OR_RETURN(row->max_last_times, yamlx::Int(doc_, er, "max_times", ep, true));
      if (row->max_last_times < 0) {
        return yamlx::Error(doc_, er["max_times"], absl::StrCat(ep, ".max_times: must be >= 0"));
      }
    }
    ASSIGN_OR_RETURN(row->constraint_caps, LoadLevels(n, "constraint_caps", p));
    ASSIGN_OR_RETURN(row->incentive_targets, LoadLevels(n, "incentive_targets", p));
    return absl::OkStatus();
  }

  absl::StatusOr<std::array<int, 4>> LoadLevels(const YAML::Node& row, const std::string& key, const std::string& p) {
    std::string lp = absl::StrCat(p, ".", key);
    ASSIGN_OR_RETURN(YAML::Node n, yamlx::Map(doc_, row, key, p, true));
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, n, lp, {"national", "provincial", "city", "local"}));
    std::array<int, 4> out{};
    for (size_t i = 0; i < kAssessmentLevels.size(); ++i) {
      ASSIGN_OR_RETURN(out[i], yamlx::Int(doc_, n, kAssessmentLevels[i], lp, true));
      if (out[i] < 0) {
        return yamlx::Error(doc_, n[kAssessmentLevels[i]], absl::StrCat(lp, ".", kAssessmentLevels[i], ": must be >= 0"));
      }
    }
    return out;
  }

  // {rule: flat_or_lower | lower_by_count (n) | lower_by_percent (percent) | zero}
  // plus the keys in `also` (read by the caller).
  absl::StatusOr<CountRule> LoadRule(const YAML::Node& n, const std::string& p,
                                     const std::vector<absl::string_view>& also) {
    std::vector<absl::string_view> known = {"rule", "n", "percent"};
    known.insert(known.end(), also.begin(), also.end());
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, n, p, known));
    ASSIGN_OR_RETURN(std::string kind, yamlx::String(doc_, n, "rule", p, true));
    CountRule r;
    auto present = [&](const char* k) { return n[k].IsDefined() && !n[k].IsNull(); };
    auto no_param = [&](const char* k) -> absl::Status {
      if (present(k)) {
        return yamlx::Error(doc_, n[k], absl::StrCat(p, ".", k, ": not a parameter of rule ", kind));
      }
      return absl::OkStatus();
    };
    if (kind == "flat_or_lower" || kind == "zero") {
      r.kind = kind == "zero" ? CountRuleKind::kZero : CountRuleKind::kFlatOrLower;
      RETURN_IF_ERROR(no_param("n"));
      RETURN_IF_ERROR(no_param("percent"));
    } else if (kind == "lower_by_count") {
      r.kind = CountRuleKind::kLowerByCount;
      RETURN_IF_ERROR(no_param("percent"));
      ASSIGN_OR_RETURN(r.n, yamlx::Int(doc_, n, "n", p, true));
      if (r.n < 1) return yamlx::Error(doc_, n["n"], absl::StrCat(p, ".n: must be a whole number >= 1, got ", r.n));
    } else if (kind == "lower_by_percent") {
      r.kind = CountRuleKind::kLowerByPercent;
      RETURN_IF_ERROR(no_param("n"));
      ASSIGN_OR_RETURN(r.percent, yamlx::Number(doc_, n, "percent", p, true));
      if (!(r.percent > 0 && r.percent <= 100)) {
        return yamlx::Error(doc_, n["percent"],
                            absl::StrCat(p, ".percent: must be more than 0 and at most 100, got ", Num(r.percent)));
      }
    } else {
      return yamlx::Error(doc_, n["rule"],
                          absl::StrCat(p, ".rule: unknown rule '", kind,
                                       "' (flat_or_lower, lower_by_count, lower_by_percent, zero)"));
    }
    return r;
  }

  // A category name or a list of them.
  absl::StatusOr<std::vector<std::string>> LoadAppliesTo(const YAML::Node& map, const std::string& p) {
    std::vector<std::string> out;
    YAML::Node n = map["applies_to"];
    std::string ap = p + ".applies_to";
    if (!n.IsDefined() || n.IsNull()) return out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
    } else {
      ASSIGN_OR_RETURN(out, yamlx::StringList(doc_, map, "applies_to", p));
    }
    for (size_t i = 0; i < out.size(); ++i) {
      if (!IsCategory(out[i])) return BadCategory(n.IsScalar() ? n : n[i], ap, out[i]);
    }
    return out;
  }

  absl::Status LoadReward(const YAML::Node& n, const std::string& p, const AssessmentBook& book,
                          AssessmentReward* r) {
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, n, p, {"id", "applies_to", "condition", "amount_yuan", "text"}));
    ASSIGN_OR_RETURN(r->id, yamlx::String(doc_, n, "id", p, true));
    if (auto s = validate::Id("id", r->id); !s.ok()) return yamlx::Error(doc_, n["id"], absl::StrCat(p, ".", s.message()));
    ASSIGN_OR_RETURN(r->applies_to, LoadAppliesTo(n, p));
    ASSIGN_OR_RETURN(double amount, yamlx::Number(doc_, n, "amount_yuan", p, false));
    if (amount < 0 || amount > 1e15) {
      return yamlx::Error(doc_, n["amount_yuan"], absl::StrCat(p, ".amount_yuan: must be >= 0"));
    }
    r->amount_yuan = static_cast<int64_t>(amount);
    ASSIGN_OR_RETURN(r->text, yamlx::String(doc_, n, "text", p, false));
    std::string cp = p + ".condition";
    ASSIGN_OR_RETURN(YAML::Node c, yamlx::Map(doc_, n, "condition", p, true));
    ASSIGN_OR_RETURN(r->rule, LoadRule(c, cp, {"indicator"}));
    ASSIGN_OR_RETURN(r->indicator, yamlx::String(doc_, c, "indicator", cp, true));
    if (!book.IsFigure(r->indicator)) return UnknownFigure(c["indicator"], cp + ".indicator", r->indicator, book);
    return absl::OkStatus();
  }

  absl::Status LoadEvaluation(const YAML::Node& n, const std::string& p, AssessmentBook* book) {
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, n, p, {"veto_if", "yellow_card_if", "fail_if", "extra_figures"}));
    ASSIGN_OR_RETURN(book->evaluation.extra_figures, yamlx::StringList(doc_, n, "extra_figures", p));
    for (size_t i = 0; i < book->evaluation.extra_figures.size(); ++i) {
      const std::string& f = book->evaluation.extra_figures[i];
      if (auto s = validate::Id("name", f); !s.ok() || f.find(':') != std::string::npos) {
        return yamlx::Error(doc_, n["extra_figures"][i],
                            absl::StrCat(p, ".extra_figures[", i, "]: '", f, "' is not a figure name"));
      }
    }
    struct Level {
      const char* key;
      std::vector<AssessmentCondition>* out;
    };
    for (const Level& l : {Level{"veto_if", &book->evaluation.veto_if},
                           Level{"yellow_card_if", &book->evaluation.yellow_card_if},
                           Level{"fail_if", &book->evaluation.fail_if}}) {
      ASSIGN_OR_RETURN(YAML::Node seq, yamlx::Seq(doc_, n, l.key, p, false));
      for (size_t i = 0; i < seq.size(); ++i) {
        std::string cp = absl::StrCat(p, ".", l.key, "[", i, "]");
        AssessmentCondition c;
        RETURN_IF_ERROR(LoadCondition(seq[i], cp, *book, &c));
        l.out->push_back(std::move(c));
      }
    }
    return absl::OkStatus();
  }

  absl::Status LoadCondition(const YAML::Node& n, const std::string& p, const AssessmentBook& book,
                             AssessmentCondition* c) {
    RETURN_IF_ERROR(yamlx::OnlyKeys(doc_, n, p, {"indicator", "op", "value", "failed", "applies_to", "basis"}));
    ASSIGN_OR_RETURN(c->applies_to, LoadAppliesTo(n, p));
    ASSIGN_OR_RETURN(c->basis, yamlx::String(doc_, n, "basis", p, false));
    bool has_failed = n["failed"].IsDefined() && !n["failed"].IsNull();
    bool has_indicator = n["indicator"].IsDefined() && !n["indicator"].IsNull();
    if (has_failed == has_indicator) {
      return yamlx::Error(doc_, n, absl::StrCat(p, ": give either failed: <targets> or indicator/op/value"));
    }
    if (has_failed) {
      c->kind = AssessmentCondition::Kind::kFailed;
      for (const char* k : {"op", "value"}) {
        if (n[k].IsDefined()) return yamlx::Error(doc_, n[k], absl::StrCat(p, ".", k, ": not used with failed"));
      }
      ASSIGN_OR_RETURN(c->failed, yamlx::String(doc_, n, "failed", p, true));
      static const std::set<std::string> kGroups = [] {
        std::set<std::string> s = {"accidents", "deaths", "enforcement_rank", "any_constraint", "any_incentive"};
        for (const char* l : kAssessmentLevels) {
          s.insert(absl::StrCat("constraint.", l));
          s.insert(absl::StrCat("incentive.", l));
        }
        return s;
      }();
      if (!kGroups.count(c->failed)) {
        return yamlx::Error(doc_, n["failed"],
                            absl::StrCat(p, ".failed: unknown target group '", c->failed, "' (",
                                         absl::StrJoin(kGroups, ", "), ")"));
      }
      return absl::OkStatus();
    }
    c->kind = AssessmentCondition::Kind::kIndicator;
    ASSIGN_OR_RETURN(c->indicator, yamlx::String(doc_, n, "indicator", p, true));
    if (!book.IsFigure(c->indicator)) return UnknownFigure(n["indicator"], p + ".indicator", c->indicator, book);
    ASSIGN_OR_RETURN(c->op, yamlx::String(doc_, n, "op", p, true));
    static const std::set<std::string> kOps = {">", ">=", "<", "<=", "==", "!="};
    if (!kOps.count(c->op)) {
      return yamlx::Error(doc_, n["op"], absl::StrCat(p, ".op: unknown operator '", c->op, "' (> >= < <= == !=)"));
    }
    ASSIGN_OR_RETURN(c->value, yamlx::Number(doc_, n, "value", p, true));
    if (!std::isfinite(c->value)) return yamlx::Error(doc_, n["value"], absl::StrCat(p, ".value: must be finite"));
    return absl::OkStatus();
  }

  absl::Status BadCategory(const YAML::Node& at, const std::string& p, const std::string& v) {
    return yamlx::Error(doc_, at, absl::StrCat(p, ": unknown category '", v, "' (township, park, department)"));
  }

  absl::Status UnknownFigure(const YAML::Node& at, const std::string& p, const std::string& v,
                             const AssessmentBook& book) {
    return yamlx::Error(doc_, at,
                        absl::StrCat(p, ": unknown figure '", v, "' (", absl::StrJoin(book.FigureNames(), ", "), ")"));
  }

  const yamlx::Doc& doc_;
};

// ---------------------------------------------------------------- evaluating

bool Applies(const std::vector<std::string>& applies_to, const std::string& category) {
  return applies_to.empty() || std::find(applies_to.begin(), applies_to.end(), category) != applies_to.end();
}

// The largest value that meets the rule, given the baseline.
double Limit(const CountRule& r, double baseline) {
  switch (r.kind) {
    case CountRuleKind::kFlatOrLower:
      return baseline;
    case CountRuleKind::kLowerByCount:
      // "减少1起以上" against a baseline of 0 (or less than n) cannot go below
      // zero: a count of 0 meets it.
      return std::max(baseline - r.n, 0.0);
    case CountRuleKind::kLowerByPercent:
      // A baseline of 0 gives a limit of 0: met only with 0.
      return baseline * (100 - r.percent) / 100;
    case CountRuleKind::kZero:
      return 0;
  }
  return 0;
}

bool Meets(const CountRule& r, double value, double baseline) {
  if (r.kind == CountRuleKind::kLowerByPercent) {
    // value <= baseline * (1 - p/100), compared without the division.
    return value * 100 <= baseline * (100 - r.percent) + kEpsilon;
  }
  return value <= Limit(r, baseline) + kEpsilon;
}

bool NeedsBaseline(const CountRule& r) { return r.kind != CountRuleKind::kZero; }

bool Compare(double a, const std::string& op, double b) {
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == "==") return a == b;
  return a != b;
}

absl::StatusOr<double> Need(const google::protobuf::Map<std::string, double>& m, const std::string& field,
                            const std::string& name) {
  auto it = m.find(name);
  if (it == m.end()) return absl::InvalidArgumentError(absl::StrCat(field, ".", name, ": required"));
  return it->second;
}

const char* OutcomeZh(v1::AssessmentOutcome o) {
  switch (o) {
    case v1::ASSESSMENT_OUTCOME_VETO:
      return "一票否决";
    case v1::ASSESSMENT_OUTCOME_YELLOW_CARD:
      return "黄牌警告";
    case v1::ASSESSMENT_OUTCOME_FAIL:
      return "不合格";
    case v1::ASSESSMENT_OUTCOME_PASS:
      return "合格";
    default:
      return "";
  }
}

}  // namespace

// ---------------------------------------------------------------- book

const std::vector<std::string>& BuiltinAssessmentFigures() {
  static const std::vector<std::string> kFigures = [] {
    std::vector<std::string> v = {"accidents",       "deaths",          "fire_accidents", "road_traffic_deaths",
                                  "major_accidents", "forest_fire_major", "enforcement_last_times"};
    for (const char* l : kAssessmentLevels) v.push_back(absl::StrCat("constraint.", l));
    for (const char* l : kAssessmentLevels) v.push_back(absl::StrCat("incentive.", l));
    return v;
  }();
  return kFigures;
}

const AssessmentRow* AssessmentBook::FindRow(absl::string_view unit) const {
  for (const auto& t : tables) {
    for (const auto& r : t.rows) {
      if (r.unit == unit) return &r;
    }
  }
  return nullptr;
}

const AssessmentTable* AssessmentBook::TableOf(const AssessmentRow* row) const {
  for (const auto& t : tables) {
    if (!t.rows.empty() && row >= &t.rows.front() && row <= &t.rows.back()) return &t;
  }
  return nullptr;
}

bool AssessmentBook::IsFigure(absl::string_view name) const {
  const auto& b = BuiltinAssessmentFigures();
  return std::find(b.begin(), b.end(), name) != b.end() ||
         std::find(evaluation.extra_figures.begin(), evaluation.extra_figures.end(), name) !=
             evaluation.extra_figures.end();
}

std::vector<std::string> AssessmentBook::FigureNames() const {
  std::vector<std::string> out = BuiltinAssessmentFigures();
  out.insert(out.end(), evaluation.extra_figures.begin(), evaluation.extra_figures.end());
  return out;
}

absl::StatusOr<AssessmentBook> LoadAssessment(const yamlx::Doc& doc) { return Loader(doc).Load(); }

absl::StatusOr<AssessmentBook> LoadAssessmentFile(const std::string& path) {
  ASSIGN_OR_RETURN(yamlx::Doc doc, yamlx::ParseFile(path));
  return LoadAssessment(doc);
}

std::string CountRuleText(const CountRule& rule, bool deaths) {
  switch (rule.kind) {
    case CountRuleKind::kFlatOrLower:
      return "持平或下降";
    case CountRuleKind::kLowerByCount:
      return absl::StrCat("减少", rule.n, deaths ? "人以上" : "起以上");
    case CountRuleKind::kLowerByPercent:
      return absl::StrCat("下降", Num(rule.percent), "%以上");
    case CountRuleKind::kZero:
      return deaths ? "零死亡" : "零事故";
  }
  return "";
}

absl::Status CheckFigures(const AssessmentBook& book, const v1::AssessmentFigures& f) {
  if (!f.assessment_id().empty() && f.assessment_id() != book.id) {
    return absl::NotFoundError(absl::StrCat("assessment_id: no assessment '", f.assessment_id(), "' (loaded: '",
                                            book.id, "')"));
  }
  if (f.year() != 0 && f.year() != book.year) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: assessment '", book.id, "' is for ", book.year, ", not ", f.year()));
  }
  for (const auto* m : {&f.values(), &f.baseline()}) {
    const char* field = m == &f.values() ? "values" : "baseline";
    // Sorted, so that the first error does not depend on hash order.
    std::map<std::string, double> sorted(m->begin(), m->end());
    for (const auto& [name, v] : sorted) {
      if (!book.IsFigure(name)) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".", name, ": unknown figure (",
                                                       absl::StrJoin(book.FigureNames(), ", "), ")"));
      }
      if (!std::isfinite(v) || v < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".", name, ": must be a finite number >= 0, got ", Num(v)));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::AssessmentResult> Evaluate(const AssessmentBook& book, const v1::AssessmentFigures& f) {
  RETURN_IF_ERROR(CheckFigures(book, f));
  const AssessmentRow* row = book.FindRow(f.unit());
  if (row == nullptr) {
    return absl::NotFoundError(absl::StrCat("unit: '", f.unit(), "' has no row in assessment '", book.id, "'"));
  }
  const AssessmentTable* table = book.TableOf(row);
  const auto& values = f.values();
  const auto& base = f.baseline();

  v1::AssessmentResult out;
  out.set_assessment_id(book.id);
  out.set_unit(row->unit);
  out.set_year(book.year);

  // Target results, by indicator name, for the `failed:` conditions.
  std::map<std::string, bool> met;
  auto add = [&](const std::string& indicator, const std::string& rule, double value, double baseline, double limit,
                 bool ok) {
    auto* r = out.add_results();
    r->set_indicator(indicator);
    r->set_rule(rule);
    r->set_value(value);
    r->set_baseline(baseline);
    r->set_limit(limit);
    r->set_met(ok);
    met[indicator] = ok;
  };

  // 事故防控: accidents and deaths against last year.
  for (const auto& [name, rule, deaths] :
       {std::tuple<std::string, CountRule, bool>{"accidents", row->accidents, false},
        std::tuple<std::string, CountRule, bool>{"deaths", row->deaths, true}}) {
    ASSIGN_OR_RETURN(double v, Need(values, "values", name));
    // The baseline is required even for the zero rule: it is part of the record.
    ASSIGN_OR_RETURN(double b, Need(base, "baseline", name));
    add(name, CountRuleText(rule, deaths), v, b, Limit(rule, b), Meets(rule, v, b));
  }

  // 执法排名: times among the last places of the monthly ranking.
  if (row->ranked) {
    ASSIGN_OR_RETURN(double v, Need(values, "values", "enforcement_last_times"));
    std::string column = table->enforcement_rank_column.empty() ? "执法排名末位次数" : table->enforcement_rank_column;
    add("enforcement_rank", absl::StrCat(column, "≤", row->max_last_times, "次"), v, 0, row->max_last_times,
        v <= row->max_last_times + kEpsilon);
  } else {
    // Not ranked: any reported figure is shown but never counts.
    auto it = values.find("enforcement_last_times");
    add("enforcement_rank", "不参与排名", it == values.end() ? 0 : it->second, 0, 0, true);
  }

  // 约束指标 (caps) and 激励指标 (targets).
  for (size_t i = 0; i < kAssessmentLevels.size(); ++i) {
    std::string name = absl::StrCat("constraint.", kAssessmentLevels[i]);
    ASSIGN_OR_RETURN(double v, Need(values, "values", name));
    add(name, absl::StrCat(kLevelNamesZh[i], "通报、约谈、挂牌督办≤", row->constraint_caps[i], "次"), v, 0,
        row->constraint_caps[i], v <= row->constraint_caps[i] + kEpsilon);
  }
  for (size_t i = 0; i < kAssessmentLevels.size(); ++i) {
    std::string name = absl::StrCat("incentive.", kAssessmentLevels[i]);
    ASSIGN_OR_RETURN(double v, Need(values, "values", name));
    add(name, absl::StrCat(kLevelNamesZh[i], "发文推荐或经验交流≥", row->incentive_targets[i], "次"), v, 0,
        row->incentive_targets[i], v + kEpsilon >= row->incentive_targets[i]);
  }

  // The conditions, level by level; every one that holds is a reason.
  auto failed_group = [&](const std::string& g, std::vector<std::string>* which) {
    for (const auto& [name, ok] : met) {
      bool in = name == g || (g == "any_constraint" && name.rfind("constraint.", 0) == 0) ||
                (g == "any_incentive" && name.rfind("incentive.", 0) == 0);
      if (in && !ok) which->push_back(name);
    }
    return !which->empty();
  };
  auto describe = [&](const std::string& name) {
    for (const auto& r : out.results()) {
      if (r.indicator() != name) continue;
      if (name == "accidents" || name == "deaths") {
        return absl::StrCat(name, " ", Num(r.value()), "（目标", r.rule(), "，", book.baseline_year, "年 ",
                            Num(r.baseline()), "，上限 ", Num(r.limit()), "）");
      }
      return absl::StrCat(name, " ", Num(r.value()), "（目标", r.rule(), "）");
    }
    return name;
  };
  v1::AssessmentOutcome outcome = v1::ASSESSMENT_OUTCOME_PASS;
  struct Level {
    const std::vector<AssessmentCondition>* conds;
    v1::AssessmentOutcome outcome;
  };
  for (const Level& l : {Level{&book.evaluation.veto_if, v1::ASSESSMENT_OUTCOME_VETO},
                         Level{&book.evaluation.yellow_card_if, v1::ASSESSMENT_OUTCOME_YELLOW_CARD},
                         Level{&book.evaluation.fail_if, v1::ASSESSMENT_OUTCOME_FAIL}}) {
    for (const auto& c : *l.conds) {
      if (!Applies(c.applies_to, row->category)) continue;
      std::string why;
      if (c.kind == AssessmentCondition::Kind::kIndicator) {
        ASSIGN_OR_RETURN(double v, Need(values, "values", c.indicator));
        if (!Compare(v, c.op, c.value)) continue;
        why = absl::StrCat(c.indicator, " = ", Num(v), "，", c.op, " ", Num(c.value));
      } else {
        std::vector<std::string> which;
        if (!failed_group(c.failed, &which)) continue;
        std::vector<std::string> parts;
        for (const auto& w : which) parts.push_back(describe(w));
        why = absl::StrCat("未达标：", absl::StrJoin(parts, "；"));
      }
      if (!c.basis.empty()) absl::StrAppend(&why, "（依据：", c.basis, "）");
      out.add_reasons(absl::StrCat(OutcomeZh(l.outcome), "：", why));
      // The levels run from the most severe down: the first that holds wins.
      if (outcome == v1::ASSESSMENT_OUTCOME_PASS) outcome = l.outcome;
    }
  }
  out.set_outcome(outcome);
  if (outcome == v1::ASSESSMENT_OUTCOME_PASS) out.add_reasons("合格：未触发任何否决、黄牌或不合格条件");
  // Targets not met that decide nothing are still said.
  std::vector<std::string> unmet;
  for (const auto& r : out.results()) {
    if (!r.met()) unmet.push_back(r.indicator());
  }
  for (const auto& name : unmet) {
    bool counted = false;
    for (const auto* conds : {&book.evaluation.veto_if, &book.evaluation.yellow_card_if, &book.evaluation.fail_if}) {
      for (const auto& c : *conds) {
        std::vector<std::string> which;
        if (c.kind == AssessmentCondition::Kind::kFailed && Applies(c.applies_to, row->category) &&
            failed_group(c.failed, &which) && std::find(which.begin(), which.end(), name) != which.end()) {
          counted = true;
        }
      }
    }
    if (!counted) out.add_reasons(absl::StrCat("记录（不影响结果）：未达标 ", describe(name)));
  }

  // Rewards: independent of the outcome (the plan attaches no other condition).
  for (const auto& rw : book.rewards) {
    if (!Applies(rw.applies_to, row->category)) continue;
    auto v = values.find(rw.indicator);
    if (v == values.end()) continue;  // not reported: not eligible
    double b = 0;
    if (NeedsBaseline(rw.rule)) {
      auto it = base.find(rw.indicator);
      if (it == base.end()) continue;
      b = it->second;
    }
    if (Meets(rw.rule, v->second, b)) out.add_rewards(rw.id);
  }
  return out;
}

// ---------------------------------------------------------------- Assessments

Assessments::Assessments(const PartContext* ctx, AssessmentBook book) : ctx_(ctx), book_(std::move(book)) {}

absl::Status Assessments::CheckKey(absl::string_view assessment_id, int year) const {
  RETURN_IF_ERROR(validate::Id("assessment_id", assessment_id));
  if (assessment_id != book_.id) {
    return absl::NotFoundError(absl::StrCat("assessment_id: no assessment '", assessment_id, "'"));
  }
  if (year != book_.year) {
    return absl::InvalidArgumentError(absl::StrCat("year: assessment '", book_.id, "' is for ", book_.year,
                                                   ", not ", year));
  }
  return absl::OkStatus();
}

std::string Assessments::Key(int year, const AssessmentRow& row) const {
  return keys::Entity(keys::Kind::kAssessmentFigures, absl::StrCat(book_.id, ":", year, ":", row.unit));
}

absl::StatusOr<const AssessmentRow*> Assessments::ResolveRow(absl::string_view unit) const {
  RETURN_IF_ERROR(validate::Required("unit", unit, validate::kMaxName));
  if (const AssessmentRow* r = book_.FindRow(unit)) return r;
  auto not_found = [&] {
    return absl::NotFoundError(absl::StrCat("unit: '", unit, "' has no row in assessment '", book_.id, "'"));
  };
  // Another name of a unit: match the row whose name resolves to the same unit.
  auto resolved = ctx_->directory->Resolve(unit);
  if (!resolved.ok()) {
    if (absl::IsNotFound(resolved.status())) return not_found();
    return resolved.status();
  }
  if (resolved->group.has_value() || resolved->units.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("unit: '", unit, "' is a group of units; name one unit"));
  }
  const std::string& id = resolved->units[0].id();
  for (const auto& t : book_.tables) {
    for (const auto& r : t.rows) {
      auto rr = ctx_->directory->Resolve(r.unit);
      if (rr.ok() && !rr->group.has_value() && rr->units.size() == 1 && rr->units[0].id() == id) return &r;
    }
  }
  return not_found();
}

absl::Status Assessments::ReportFigures(const CommandMeta& meta, v1::AssessmentFigures figures) {
  RETURN_IF_ERROR(validate::Required("meta.actor", meta.actor, validate::kMaxActor));
  RETURN_IF_ERROR(validate::Optional("meta.comment", meta.comment, validate::kMaxComment));
  RETURN_IF_ERROR(CheckKey(figures.assessment_id(), figures.year()));
  ASSIGN_OR_RETURN(const AssessmentRow* row, ResolveRow(figures.unit()));
  figures.set_unit(row->unit);
  RETURN_IF_ERROR(CheckFigures(book_, figures));
  // A put of the whole record: the unit's key is the only subject.
  std::string key = Key(figures.year(), *row);
  KeyLocks::Guard lock = ctx_->pipeline->locks().Lock({key});
  absl::Time start = absl::Now();
  CommandInfo info{"assessment_figures", absl::StrCat(figures.unit(), ":", figures.year()), "report_figures", meta};
  rocksdb::WriteBatch batch;
  ctx_->store->Put(&batch, Cf::kEntities, key, figures);
  absl::Status s = ctx_->pipeline->Audit(info, figures, &batch);
  std::vector<v1::Notification> none;
  if (s.ok()) s = ctx_->pipeline->Commit(&batch, &none);
  Pipeline::Log(info, s, false, start);
  return s;
}

absl::StatusOr<v1::AssessmentFigures> Assessments::GetFigures(absl::string_view assessment_id, int year,
                                                             absl::string_view unit) const {
  RETURN_IF_ERROR(CheckKey(assessment_id, year));
  ASSIGN_OR_RETURN(const AssessmentRow* row, ResolveRow(unit));
  v1::AssessmentFigures f;
  absl::Status s = ctx_->store->GetProto(Cf::kEntities, Key(year, *row), &f);
  if (absl::IsNotFound(s)) {
    return absl::NotFoundError(
        absl::StrCat("unit: no figures reported for '", row->unit, "' in ", assessment_id, " ", year));
  }
  if (!s.ok()) return s;
  return f;
}

absl::StatusOr<v1::AssessmentResult> Assessments::Evaluate(absl::string_view assessment_id, int year,
                                                          absl::string_view unit) const {
  ASSIGN_OR_RETURN(v1::AssessmentFigures f, GetFigures(assessment_id, year, unit));
  return ::duban::Evaluate(book_, f);
}

absl::StatusOr<std::vector<v1::AssessmentResult>> Assessments::EvaluateAll(absl::string_view assessment_id,
                                                                          int year) const {
  RETURN_IF_ERROR(CheckKey(assessment_id, year));
  std::vector<v1::AssessmentResult> out;
  for (const auto& t : book_.tables) {
    for (const auto& r : t.rows) {
      v1::AssessmentFigures f;
      absl::Status s = ctx_->store->GetProto(Cf::kEntities, Key(year, r), &f);
      if (absl::IsNotFound(s)) continue;
      if (!s.ok()) return s;
      auto res = ::duban::Evaluate(book_, f);
      if (!res.ok()) {
        return absl::Status(res.status().code(), absl::StrCat(r.unit, ": ", res.status().message()));
      }
      out.push_back(std::move(*res));
    }
  }
  return out;
}

}  // namespace duban
