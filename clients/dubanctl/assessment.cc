// dubanctl: the assessment noun (考核): figures and evaluation.
#include <cstdint>
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "all_pages.h"
#include "client.h"
#include "text_table.h"

namespace dubanctl {
namespace {

int32_t ParseYear(const std::string& v) {
  int32_t y = 0;
  if (!absl::SimpleAtoi(v, &y) || y < 1900 || y > 9999) throw UsageError("<year>: '" + v + "' is not a year");
  return y;
}

// --value=accidents=2 (or accidents=2,deaths=0) into a figure map.
void ParseFigures(const Args& a, const std::string& flag, google::protobuf::Map<std::string, double>* out) {
  for (const auto& s : a.List(flag)) {
    size_t eq = s.find('=');
    double v = 0;
    if (eq == std::string::npos || eq == 0 || !absl::SimpleAtod(s.substr(eq + 1), &v)) {
      throw UsageError("--" + flag + ": '" + s + "' is not NAME=NUMBER");
    }
    std::string name(absl::StripAsciiWhitespace(s.substr(0, eq)));
    if (out->count(name)) throw UsageError("--" + flag + ": " + name + " given twice");
    (*out)[name] = v;
  }
}

std::string OutcomeName(v1::AssessmentOutcome o) {
  if (o == v1::ASSESSMENT_OUTCOME_UNSPECIFIED) return "-";
  return Short(v1::AssessmentOutcome_Name(o), "ASSESSMENT_OUTCOME_");
}

void AssessmentReportFigures(Client& c, const Args& a, const Operands& ops) {
  v1::ReportFiguresRequest req;
  *req.mutable_meta() = c.Meta(a);
  v1::AssessmentFigures* f = req.mutable_figures();
  f->set_assessment_id(ops[0]);
  f->set_year(ParseYear(ops[1]));
  f->set_unit(ops[2]);
  ParseFigures(a, "value", f->mutable_values());
  ParseFigures(a, "baseline", f->mutable_baseline());
  v1::ReportFiguresResponse resp;
  c.Call([&](grpc::ClientContext* ctx) { return c.assessment().ReportFigures(ctx, req, &resp); });
  if (c.opts().json) return PrintJson(resp);
  const auto& s = resp.figures();
  std::cout << s.assessment_id() << " " << s.year() << "  " << s.unit() << ": figures stored\n";
  std::set<std::string> names;
  for (const auto& [k, v] : s.values()) names.insert(k);
  for (const auto& [k, v] : s.baseline()) names.insert(k);
  Table t({"FIGURE", "VALUE", "BASELINE"});
  for (const auto& n : names) {
    auto v = s.values().find(n);
    auto b = s.baseline().find(n);
    t.AddRow({n, v == s.values().end() ? "" : Number(v->second), b == s.baseline().end() ? "" : Number(b->second)});
  }
  t.Print(std::cout);
}

void PrintAssessmentResult(const v1::AssessmentResult& r) {
  KeyValues kv;
  kv.Add("UNIT", r.unit());
  kv.Add("ASSESSMENT", absl::StrCat(r.assessment_id(), " ", r.year()));
  kv.Add("OUTCOME", OutcomeName(r.outcome()));
  if (r.reasons_size() > 0) {
    std::vector<std::string> lines;
    for (const auto& s : r.reasons()) {
      for (const auto& l : Wrap("- " + s, 76)) lines.push_back(l);
    }
    kv.Add("REASONS", absl::StrJoin(lines, "\n"));
  }
  kv.AddWrapped("REWARDS", absl::StrJoin(r.rewards(), " "));
  kv.Print(std::cout);
  std::cout << "\n";
  Table t({"INDICATOR", "RULE", "VALUE", "BASELINE", "LIMIT", "MET"}, {0, 30, 0, 0, 0, 0});
  for (const auto& i : r.results()) {
    t.AddRow({i.indicator(), i.rule(), Number(i.value()), Number(i.baseline()), Number(i.limit()),
              i.met() ? "yes" : "NO"});
  }
  t.Print(std::cout);
}

void AssessmentEvaluate(Client& c, const Args&, const Operands& ops) {
  int32_t year = ParseYear(ops[1]);
  if (ops.size() > 2) {
    v1::EvaluateRequest req;
    req.set_assessment_id(ops[0]);
    req.set_year(year);
    req.set_unit(ops[2]);
    v1::AssessmentResult r;
    c.Call([&](grpc::ClientContext* ctx) { return c.assessment().Evaluate(ctx, req, &r); });
    if (c.opts().json) return PrintJson(r);
    return PrintAssessmentResult(r);
  }
  v1::EvaluateAllRequest req;
  req.set_assessment_id(ops[0]);
  req.set_year(year);
  v1::EvaluateAllResponse resp;
  AllPages(c, req, &resp,
           [&](grpc::ClientContext* ctx, const auto& r, auto* p) { return c.assessment().EvaluateAll(ctx, r, p); },
           [](auto* m) { return m->mutable_results(); });
  if (c.opts().json) return PrintJson(resp);
  Table t({"UNIT", "OUTCOME", "NOT MET", "REWARDS", "REASONS"}, {24, 0, 40, 20, 60});
  for (const auto& r : resp.results()) {
    std::vector<std::string> missed;
    for (const auto& i : r.results()) {
      if (!i.met()) missed.push_back(i.indicator());
    }
    t.AddRow({r.unit(), OutcomeName(r.outcome()), absl::StrJoin(missed, " "), absl::StrJoin(r.rewards(), " "),
              absl::StrJoin(r.reasons(), "; ")});
  }
  t.Print(std::cout);
}

}  // namespace

void RegisterAssessmentCommands(Registry& r) {
  r.Add("assessment figures",
        "assessment figures <assessment> <year> <unit> --value=NAME=NUM... [--baseline=NAME=NUM...]",
        {"assessment", "year", "unit"}, {"value", "baseline"}, true, AssessmentReportFigures);
  r.Add("assessment evaluate", "assessment evaluate <assessment> <year> [<unit>]", {"assessment", "year", "[unit]"},
        {}, false, AssessmentEvaluate);
}

}  // namespace dubanctl
