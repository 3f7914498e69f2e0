// Drafted briefings (旬简报, 月通报, 季讲评, 年总结).
//
// The cadence rules of the four documents (config/cadences.yaml) give their
// periods; each period's briefing is drafted from the engine's data on the
// morning after the period closes (08:30 Beijing time, and never after the
// deadline day's morning), stored as a record, then edited and published by
// the office. Drafting is driven by a durable schedule kept in the store: the
// draft and the move to the next period are one write, so each period is
// drafted exactly once, and periods missed while the daemon was down are
// drafted, in order, when it next runs.
//
// Reads go through the Engine's public API only. Thread-safe: commands and
// drafting are serialised on one mutex; reads take none.
#ifndef DUBAN_ENGINE_BRIEFINGS_BRIEFINGS_H_
#define DUBAN_ENGINE_BRIEFINGS_BRIEFINGS_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "duban/v1/briefing.pb.h"
#include "engine/time/cadence.h"

namespace duban {

class Engine;
class Rankings;
class Accountability;
struct CommandMeta;

// Which cadence rule drafts which kind. The defaults are the rule ids of
// config/cadences.yaml.
struct BriefingRules {
  std::map<std::string, v1::BriefingKind> rules = {
      {"dekad-briefing", v1::BRIEFING_KIND_DEKAD},
      {"monthly-bulletin", v1::BRIEFING_KIND_MONTHLY},
      {"quarterly-review", v1::BRIEFING_KIND_QUARTERLY},
      {"annual-summary", v1::BRIEFING_KIND_ANNUAL},
  };
};

class Briefings {
 public:
  // rankings and accountability may be null (then no rankings or cases are
  // quoted). The engine's cadences and calendar must outlive this object.
  Briefings(Engine* engine, const Rankings* rankings, const Accountability* accountability,
            BriefingRules rules = {});

  Briefings(const Briefings&) = delete;
  Briefings& operator=(const Briefings&) = delete;

  // Drafts every briefing whose drafting time is at or before `now`, oldest
  // first; returns how many were drafted. Rules missing from the engine's
  // cadences are skipped.
  absl::StatusOr<int> DraftDue(absl::Time now);
  // When the next briefing falls due for drafting (none: no rule).
  std::optional<absl::Time> NextDraftTime() const;

  absl::StatusOr<v1::Briefing> Get(absl::string_view id) const;
  // By period start, then kind, then id. Unspecified kind / state: all.
  absl::StatusOr<std::vector<v1::Briefing>> List(v1::BriefingKind kind, v1::BriefingState state) const;
  // One page of List: at most page_size (0: kDefaultListPageSize; at most
  // kMaxListPageSize) and kMaxPageBytes of them, after the briefing that
  // page_token names (engine/storage/paging.h).
  struct Page {
    std::vector<v1::Briefing> briefings;
    std::string next_page_token;  // empty: no more
  };
  absl::StatusOr<Page> ListPage(v1::BriefingKind kind, v1::BriefingState state, int page_size,
                                absl::string_view page_token) const;
  // Changes the title, preface or remarks of a draft (empty fields are left
  // as they are). A published briefing is FAILED_PRECONDITION; a stale
  // meta.expected_version is ABORTED.
  absl::StatusOr<v1::Briefing> Edit(const CommandMeta& meta, absl::string_view id, const std::string& title,
                                    const std::string& preface, const std::string& remarks);
  // Publishes a draft. Publishing twice is FAILED_PRECONDITION.
  absl::StatusOr<v1::Briefing> Publish(const CommandMeta& meta, absl::string_view id);

  // The drafting time of a period: 08:30 on the day after it ends, or on
  // its due day when that comes first.
  static absl::Time DraftTime(const Period& p);
  // Builds (does not store) the briefing of one period.
  absl::StatusOr<v1::Briefing> Compose(const CadenceRule& rule, v1::BriefingKind kind, const Period& p,
                                       absl::Time drafted_at) const;

 private:
  absl::StatusOr<v1::Briefing> Load(absl::string_view id) const;
  absl::StatusOr<v1::Briefing> Change(const CommandMeta& meta, absl::string_view id,
                                      const std::function<absl::Status(v1::Briefing*)>& fn);

  Engine* const engine_;
  const Rankings* const rankings_;
  const Accountability* const accountability_;
  const BriefingRules rules_;
  std::mutex mu_;  // drafting and commands
};

// The briefing as a page that prints on A4 (HTML with print CSS), and as
// Markdown.
std::string BriefingToHtml(const v1::Briefing& b);
std::string BriefingToMarkdown(const v1::Briefing& b);
std::string BriefingKindName(v1::BriefingKind kind);  // 旬简报 …

}  // namespace duban

#endif  // DUBAN_ENGINE_BRIEFINGS_BRIEFINGS_H_
