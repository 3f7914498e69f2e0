// Shared pieces of the plan-draft parser. Not part of its interface.
#ifndef DUBAN_ENGINE_PLANS_DRAFT_INTERNAL_H_
#define DUBAN_ENGINE_PLANS_DRAFT_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/plans/draft/plan_draft.h"

namespace duban::plandraft::internal {

// ---- text.cc
// Valid UTF-8 with each invalid byte replaced by U+FFFD; *bad counts them.
std::string SanitizeUtf8(absl::string_view in, int* bad);
// Full-width brackets, colon, semicolon and comma; ASCII digits; no BOM.
std::string NormalizeText(absl::string_view in);
// Code points in s.
int CharCount(absl::string_view s);
// Removes blanks (ASCII, U+3000, NBSP) at both ends.
std::string TrimBlanks(absl::string_view s);
// Removes every blank.
std::string RemoveBlanks(absl::string_view s);
bool StartsWithAny(absl::string_view s, const std::vector<std::string>& words, std::string* which = nullptr);
bool EndsWithAny(absl::string_view s, const std::vector<std::string>& words, std::string* which = nullptr);
bool ContainsAny(absl::string_view s, const std::vector<std::string>& words);
// Splits at any of the separators, outside brackets （）〔〕“”.
std::vector<std::string> SplitTopLevel(absl::string_view s, const std::vector<std::string>& seps);
// 一…九十 (up to 99) or ASCII digits; 0 when neither.
int ParseNumeral(absl::string_view s);

struct Paragraph {
  int line = 0;  // 1-based line of its first line
  std::string text;
};
// The document as paragraphs: page numbers, running headers and bullets
// dropped, broken wraps joined. Line numbers are of the input.
std::vector<Paragraph> Paragraphs(const std::string& normalized, int* lines);

// ---- units.cc
// A bracketed unit clause: （市发改局牵头，市工信局等负责）.
struct UnitClause {
  std::vector<std::string> leads;        // refs
  std::vector<std::string> responsible;  // refs
  std::vector<std::string> unroled;      // refs, in order, when no role is written
  size_t begin = 0, end = 0;             // byte range in the paragraph, brackets included
};

class UnitReader {
 public:
  UnitReader(const Directory& dir, Draft* draft) : dir_(dir), draft_(draft) {}
  // The ref (directory id, group name or proposed id) of a name as written;
  // "" when it is not a unit. `sure`: the name stands in a unit role, so an
  // unknown name is proposed as a new unit even if it does not look like one.
  std::string Ref(const std::string& name, int line, bool sure);
  // Every ref of a list "A、B以及C等".
  std::vector<std::string> List(const std::string& list, int line, bool sure);
  // The unit clauses of a paragraph, in order.
  std::vector<UnitClause> Clauses(const std::string& para, int line);
  bool LooksLikeUnit(const std::string& name) const;
  // Only resolves: no proposal, no report.
  std::string Known(const std::string& name) const;
  // Whether a ref is a unit group (各乡镇（街道）, 各园区).
  bool IsGroup(const std::string& ref) const;
  // The known units a text names acting at the head of its first clause that
  // opens so ("由市安委办对…", "市安委办将…", "各园区、乡镇（街道）要…"), in
  // order; empty when none. Only resolves: no proposal, no report.
  std::vector<std::string> Acting(const std::string& text) const;
  // The units a title naming a sector ("建筑施工领域（含自建房）", rules.cc
  // sector_heading) stands for, by the directory's declared sectors.
  struct SectorUnits {
    std::string words;  // the words before 领域 / 行业; empty: the title names no sector
    std::vector<Directory::SectorMatch> matches;  // in text order; empty: no unit declares them
    bool ambiguous() const {
      for (const auto& m : matches) {
        if (m.unit_ids.size() > 1) return true;
      }
      return false;
    }
    // "建筑施工 -> zjj; 水利 -> slj" or, ambiguous, "交通 -> jtysj, jjdd".
    std::string Describe() const;
  };
  SectorUnits Sectors(const std::string& title) const;

 private:
  std::string Propose(const std::string& name, int line);
  const Directory& dir_;
  Draft* draft_;
};

// ---- targets.cc
// The quantitative targets of one paragraph of a 目标 section.
std::vector<DraftTarget> ReadTargets(const std::string& para, int line, Draft* draft);

// ---- mechanism.cc
// Cadence proposals, the leading group and the task forces, from every
// paragraph of the document. campaign_of[i]: the campaign (index in
// draft->campaigns) paragraph i belongs to, or -1.
void ReadMechanism(const std::vector<Paragraph>& paras, const std::vector<int>& campaign_of, UnitReader& units,
                   Draft* draft);
// Length in code points of the longest common substring.
int CommonRun(const std::string& a, const std::string& b);

}  // namespace duban::plandraft::internal

#endif  // DUBAN_ENGINE_PLANS_DRAFT_INTERNAL_H_
