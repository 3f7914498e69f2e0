// Verifying an audit trail with nothing but the trail, the checkpoints the
// verifier already holds and the public key. Used by dubanctl (online: the
// entries come from the daemon; offline: from an exported file) and by the
// tests; it trusts no hash the server reports, recomputing every one.
//
// What it catches, and the entry it names (the first position where the
// trail is wrong):
//   - a modified entry: its hash does not match its contents;
//   - a deleted entry in the middle: the seq jumps (or, renumbered, the
//     prev_hash does not link);
//   - reordered entries: an entry stands where a lower one should;
//   - a truncated tail: a held checkpoint is beyond the last entry;
//   - a rewrite from entry j with every hash recomputed: the chain is
//     consistent, but entry j's hash differs from the one a held periodic
//     checkpoint signed for it (named at j); with only older-format
//     checkpoints (no entry hashes), it differs from a held checkpoint's
//     head at or after j (named at that checkpoint).
#ifndef DUBAN_ENGINE_AUDIT_VERIFY_H_
#define DUBAN_ENGINE_AUDIT_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/audit.pb.h"
#include "engine/audit/chain.h"
#include "engine/audit/signer.h"

namespace duban::audit {

struct Trail {
  std::optional<v1::AuditCheckpoint> anchor;  // after a pruning: where the trail starts
  std::vector<v1::AuditEntry> entries;       // in the order received
};

struct Verification {
  bool ok = false;
  uint64_t entries = 0;              // entries checked
  uint64_t first_seq = 0;            // of the trail
  uint64_t last_seq = 0;
  uint64_t checkpoints_matched = 0;  // held checkpoints the trail agrees with
  uint64_t checkpoints_skipped = 0;  // held checkpoints before the trail's start (pruned)
  uint64_t bad_seq = 0;              // when !ok: the first bad entry
  std::string problem;               // when !ok: "entry 5: ..."
};

// `hash` is used when neither the anchor nor a held checkpoint names the
// algorithm. `key` checks the anchor and every held checkpoint; it may be
// null only when there is neither. INVALID_ARGUMENT for unusable input (a
// held checkpoint whose signature does not verify, an anchor without a key);
// otherwise the result says whether the trail is intact.
absl::StatusOr<Verification> VerifyTrail(HashAlgorithm hash, const Trail& trail,
                                         std::vector<v1::AuditCheckpoint> held, const CheckpointVerifier* key);

// JSON lines, as `dubanctl audit export` writes them and as duband appends
// checkpoints to its checkpoint file. Errors name the line.
std::string TrailLineJson(const v1::AuditTrailLine& line);
std::string CheckpointJson(const v1::AuditCheckpoint& c);
absl::StatusOr<Trail> ParseTrailJsonLines(absl::string_view text);
absl::StatusOr<std::vector<v1::AuditCheckpoint>> ParseCheckpointJsonLines(absl::string_view text);

}  // namespace duban::audit

#endif  // DUBAN_ENGINE_AUDIT_VERIFY_H_
