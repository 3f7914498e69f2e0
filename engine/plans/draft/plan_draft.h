// Reads a government plan document (plain text) and proposes duban's ledger:
// campaigns from the annexes (附件N), numbered tasks with their lead and
// responsible units, quantitative targets, the working mechanism's reporting
// dates as cadence rules, and the leading group and task forces.
//
// The parser never fails on content: whatever it cannot read with
// confidence goes into Draft::uncertain with the line number and the reason.
// The only errors are about the input itself (not UTF-8 text, cannot read).
//
// Every textual form the parser understands is a rule in rules.cc, each
// commented with the form it reads. ParsePlanText keeps no state between
// calls; a Directory is safe to share between threads unless it has a
// fallback (its answers are cached without a lock).
#ifndef DUBAN_ENGINE_PLANS_DRAFT_PLAN_DRAFT_H_
#define DUBAN_ENGINE_PLANS_DRAFT_PLAN_DRAFT_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace duban::plandraft {

// ---------------------------------------------------------------- organisation directory

// One unit or unit group the document's names are resolved against.
struct DirectoryEntry {
  std::string id;        // unit id; for a group, its name (plan files refer to groups by name)
  std::string name;
  std::string category;  // department | township | park | platform_company | other ("" for groups)
  std::vector<std::string> aliases;
  bool group = false;
  // The sectors the unit regulates ("建筑施工", "城镇燃气"), as the plan
  // file's units[].sectors declare them; empty for groups.
  std::vector<std::string> sectors = {};
};

// Names, aliases and short names of the units a plan may refer to. Lookups
// are exact on the normalised name first, then on the short-name forms of
// rules.cc (市发改局 / 发改局 / 宁乡市发改局).
class Directory {
 public:
  Directory() = default;
  // The units and unit_groups of a plan file (config/README.md format).
  static absl::StatusOr<Directory> FromPlanYaml(absl::string_view yaml_text);
  void Add(DirectoryEntry e);
  // Consulted for a name the entries do not know (e.g. a running daemon's
  // ResolveUnit); returns the entry or nullopt.
  void SetFallback(std::function<std::optional<DirectoryEntry>(const std::string&)> f) { fallback_ = std::move(f); }
  void set_jurisdiction(std::string id, std::string name) {
    jurisdiction_id_ = std::move(id);
    jurisdiction_name_ = std::move(name);
  }
  const std::string& jurisdiction_id() const { return jurisdiction_id_; }
  const std::string& jurisdiction_name() const { return jurisdiction_name_; }

  struct Match {
    const DirectoryEntry* entry = nullptr;  // null: not found
    bool ambiguous = false;                 // several entries fit a short form
    std::vector<std::string> candidates;    // their ids, when ambiguous
  };
  Match Resolve(const std::string& name) const;

  // A declared sector found in a text, and the units that declare it (more
  // than one: ambiguous).
  struct SectorMatch {
    std::string sector;
    std::vector<std::string> unit_ids;
    size_t at = 0;  // byte offset in the normalised text
  };
  // The sectors of the entries (not of the fallback's answers) that a text
  // contains, longest first: a match inside a longer one is dropped ("交通"
  // inside "道路交通"); two of the same length that overlap are one match
  // with both sectors' units. In the order they appear in the text.
  std::vector<SectorMatch> SectorsIn(const std::string& text) const;
  const std::vector<DirectoryEntry>& entries() const { return entries_; }
  const DirectoryEntry* ById(const std::string& id) const;

 private:
  std::vector<DirectoryEntry> entries_;
  std::map<std::string, size_t> exact_;                 // normalised name/alias/id -> entry
  std::map<std::string, std::vector<size_t>> short_;    // short form -> entries
  std::function<std::optional<DirectoryEntry>(const std::string&)> fallback_;
  mutable std::vector<std::shared_ptr<DirectoryEntry>> fetched_;  // answers of the fallback
  std::string jurisdiction_id_, jurisdiction_name_;
};

// ---------------------------------------------------------------- the draft

struct Uncertain {
  int line = 0;
  std::string what;    // the item, e.g. "task 1.2.3" or a unit name
  std::string reason;  // e.g. "ambiguous unit: fgj, fgw"
};

// A unit the directory does not know, proposed for review.
struct ProposedUnit {
  std::string id;
  std::string name;
  std::string category;
  int first_line = 0;
  int mentions = 0;
};

struct DraftTarget {
  std::string code;
  std::string indicator;
  double value = 0;
  std::string unit;
  std::string comparison;  // about | at_least | at_most | exactly
  std::string direction;   // up | down
  std::string source;      // the phrase it was read from
  int line = 0;
};

struct DraftTask {
  std::string code;
  std::string title;
  std::string text;
  std::vector<std::string> lead_units;         // directory ids / group names / proposed ids
  std::vector<std::string> responsible_units;
  std::string list_kind = "task";              // project | task | policy
  bool lead_inferred = false;                  // no lead written for this task
  int line = 0;
};

struct DraftTaskForce {
  std::string name;
  std::string convener;         // person ids
  std::string deputy_convener;
  std::string office_unit;
  std::vector<std::string> member_units;
  int line = 0;
};

struct DraftCampaign {
  int annex = 0;  // 附件N
  std::string id;
  std::string code;
  std::string name;
  std::string lead_unit;
  std::vector<std::string> responsible_units;
  std::optional<DraftTaskForce> task_force;
  std::vector<DraftTarget> targets;
  std::vector<DraftTask> tasks;
  int line = 0;
};

struct DraftPerson {
  std::string id;
  std::string name;
  std::string title;
};

struct DraftLeadingGroup {
  std::string name;
  std::string leader, first_deputy_leader, office_director, office_deputy_director;
  std::vector<std::string> deputy_leaders, members, member_units;
  std::string office_unit;
  int line = 0;
};

// A reporting date of the working mechanism, proposed as a rule of
// config/cadences.yaml.
struct CadenceProposal {
  std::string id;
  std::string name;
  std::string what;
  bool all_task_forces = false;
  std::string task_force_members;        // campaign id
  std::vector<std::string> reporter_units;
  std::string recipient;                 // unit id
  std::string schedule_yaml;             // e.g. {kind: monthly_days, days: [7, 17, 27]}
  std::string source;
  int line = 0;
};

struct Draft {
  std::string plan_id;
  std::string title;
  std::string document_no;
  int year = 0;
  std::string issued;  // YYYY-MM-DD or ""
  std::string jurisdiction_id, jurisdiction_name;
  std::vector<DraftCampaign> campaigns;
  std::optional<DraftLeadingGroup> leading_group;
  std::vector<DraftPerson> people;
  std::vector<ProposedUnit> proposed_units;
  std::vector<CadenceProposal> cadences;
  std::vector<Uncertain> uncertain;
  int lines = 0;  // lines read
};

struct Options {
  std::string plan_id;  // default: derived from the document's title
  int default_year = 0; // used when the document names no year (0: the report flags it, 2000 is used)
};

// Parses a plan document in plain text. Fails only when the text is not
// UTF-8 (INVALID_ARGUMENT naming the byte offset) or is empty.
absl::StatusOr<Draft> ParsePlanText(absl::string_view text, const Directory& dir, const Options& opts = {});

// The draft as a plan file (config/README.md); it refers to directory units
// by id, so it imports into a store that holds the directory. Proposed
// units are written under units: with a note.
std::string WritePlanYaml(const Draft& d, const Directory& dir);
// The proposed cadence rules, in the format of config/cadences.yaml.
std::string WriteCadencesYaml(const Draft& d);
// The import report: counts per annex, proposed units, uncertain items.
std::string WriteReport(const Draft& d);

// Reads a document: .docx through pandoc (-t plain), anything else as text.
// NOT_FOUND / FAILED_PRECONDITION (pandoc missing or failing) name the file.
absl::StatusOr<std::string> ReadDocument(const std::string& path);

}  // namespace duban::plandraft

#endif  // DUBAN_ENGINE_PLANS_DRAFT_PLAN_DRAFT_H_
