// `dubanctl plan draft FILE`: reads a plan document (text or .docx) and
// writes a proposed plan file, the proposed cadence rules and an import
// report. Works offline against a plan file's units, or asks the daemon.
#ifndef DUBAN_CLIENTS_DUBANCTL_PLAN_DRAFT_H_
#define DUBAN_CLIENTS_DUBANCTL_PLAN_DRAFT_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "flags.h"
#include "engine/plans/draft/plan_draft.h"

namespace dubanctl {

// The daemon's organisation directory, for --directory=daemon.
struct DaemonDirectory {
  // Every unit; sets *jurisdiction_id to theirs.
  std::function<std::vector<duban::plandraft::DirectoryEntry>(std::string* jurisdiction_id)> list_units;
  std::function<std::optional<duban::plandraft::DirectoryEntry>(const std::string&)> resolve;
};

// Flags: --output (-o), --report, --cadences, --directory, --plan-id.
// Throws UsageError for a bad command line and std::runtime_error (with
// the file and the reason) for a document or directory that cannot be read.
void PlanDraft(const Args& a, const std::string& file, const DaemonDirectory& daemon);

}  // namespace dubanctl

#endif  // DUBAN_CLIENTS_DUBANCTL_PLAN_DRAFT_H_
