#include "plan_draft.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dubanctl {
namespace {

namespace pd = duban::plandraft;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot write the file");
  out << text;
  if (!out.flush()) throw std::runtime_error(path + ": cannot write the file");
}

std::string Stem(const std::string& path) {
  std::string s = path;
  if (absl::EndsWith(s, ".yaml")) s = s.substr(0, s.size() - 5);
  return s;
}

}  // namespace

void PlanDraft(const Args& a, const std::string& file, const DaemonDirectory& daemon) {
  std::string dir_arg = a.GetOr("directory", "");
  pd::Directory dir;
  if (dir_arg == "daemon") {
    std::string jurisdiction;
    auto units = daemon.list_units(&jurisdiction);
    dir.set_jurisdiction(jurisdiction, "");  // the name is read from the document
    for (auto& e : units) dir.Add(std::move(e));
    dir.SetFallback(daemon.resolve);
  } else if (!dir_arg.empty()) {
    std::ifstream in(dir_arg, std::ios::binary);
    if (!in) throw std::runtime_error("--directory: " + dir_arg + ": cannot read the file");
    std::stringstream buf;
    buf << in.rdbuf();
    auto d = pd::Directory::FromPlanYaml(buf.str());
    if (!d.ok()) throw std::runtime_error(absl::StrCat("--directory: ", dir_arg, ": ", d.status().message()));
    dir = std::move(*d);
  }
  auto text = pd::ReadDocument(file);
  if (!text.ok()) throw std::runtime_error(std::string(text.status().message()));
  pd::Options opts;
  opts.plan_id = a.GetOr("plan-id", "");
  auto draft = pd::ParsePlanText(*text, dir, opts);
  if (!draft.ok()) throw std::runtime_error(absl::StrCat(file, ": ", draft.status().message()));
  std::string output = a.GetOr("output", "");
  std::string plan_yaml = pd::WritePlanYaml(*draft, dir);
  std::string cadences = pd::WriteCadencesYaml(*draft);
  std::string report = pd::WriteReport(*draft);
  if (output.empty() || output == "-") {
    std::cout << plan_yaml;
  } else {
    WriteFile(output, plan_yaml);
  }
  std::string cad_path = a.GetOr("cadences", output.empty() || output == "-" ? "" : Stem(output) + ".cadences.yaml");
  if (!cad_path.empty()) WriteFile(cad_path, cadences);
  std::string report_path = a.GetOr("report", "");
  if (!report_path.empty()) WriteFile(report_path, report);
  // The summary goes to stderr so that `plan draft FILE > plan.yaml` works.
  int tasks = 0;
  for (const auto& c : draft->campaigns) tasks += c.tasks.size();
  std::cerr << "drafted " << draft->plan_id << ": " << draft->campaigns.size() << " campaigns, " << tasks << " tasks, "
            << draft->proposed_units.size() << " proposed units, " << draft->cadences.size() << " cadence rules, "
            << draft->uncertain.size() << " uncertain items";
  if (!output.empty() && output != "-") std::cerr << "; plan: " << output;
  if (!cad_path.empty()) std::cerr << "; cadences: " << cad_path;
  if (!report_path.empty()) {
    std::cerr << "; report: " << report_path;
  }
  std::cerr << "\n";
  if (report_path.empty()) std::cerr << report;
}

}  // namespace dubanctl
