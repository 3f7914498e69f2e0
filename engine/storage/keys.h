// The key layout of duban's RocksDB store, in one place.
//
// Column families and their keys ("|" is the byte 0x00, which no id,
// name or code may contain; u64 is 8 bytes big-endian so that keys sort in
// numeric order):
//
//   meta      "schema_version"                         -> decimal string
//             "next_task_id"                           -> decimal string (old)
//             "task_number|" u64 n                     -> "" (the highest n
//             is the last task number given; see Engine::NextTaskNumber)
//             "dead_timer|" <timer id>                 -> DeadTimer
//             (here "|" is the character '|'; keys::DeadTimer)
//             "demo_loaded"                            -> plan id
//   entities  <kind byte> <id>                         -> serialized record
//             kinds: 'J' jurisdiction, 'U' unit, 'G' unit group, 'P' person,
//             'L' leading group, 'N' plan, 'C' campaign, 'F' task force,
//             'T' task, 'O' obligation, 'S' unit score, 'V' supervision
//             item, 'R' ranking, 'A' accountability case, 'I' incident,
//             'Q' notice problem, 'X' assessment figures, 'E' evidence
//             file (by SHA-256; its index keys: engine/evidence/evidence_store.h)
//   events    <stream id> | u64 version                -> TaskEvent
//             one stream per task or obligation; versions start at 1 with
//             no gaps (task ids are "T<n>", obligation ids contain ':')
//   meta      "sim_now"                                -> simulated clock, µs
//             "cadence|" <rule id>                     -> first tick scheduled
//   index     <index> | <value> | u64 task number      -> ""
//             task "T17" has number 17, so a scan lists tasks in creation
//             order. Indexes: "plan", "campaign", "unit" (lead and
//             responsible units), "state" (TaskState number, decimal),
//             "due" (YYYY-MM-DD)
//             "obligation-unit" | <unit id> | <obligation id>, and
//             "obligation-rule" | <rule id> | <obligation id>  (see
//             ObligationIndex; ids of obligations sort by rule and period)
//   requests  <actor> | <request id>                   -> CommandRecord
//             a request id is scoped to its actor; the record keeps the
//             request's fingerprint and its serialized result
//   timers    u64 due (µs since the epoch) | <timer id> -> timer record
//   outbox    'r' <recipient> | u64 seq                -> Notification
//             'g' u64 seq                              -> Notification
//             each notification twice: per recipient (Watch) and in one
//             global log (webhooks); seq is global and increasing
//   meta      "notification_seq"                      -> last seq written
//             "ack|" <recipient>                       -> acknowledged seq
//             "webhook|" <name>                        -> delivered seq
//
// Every command writes its events, the new records and the index entries
// of all of these in one WriteBatch, synced to the WAL.
#ifndef DUBAN_ENGINE_STORAGE_KEYS_H_
#define DUBAN_ENGINE_STORAGE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace duban::keys {

enum class Kind : char {
  kJurisdiction = 'J',
  kUnit = 'U',
  kUnitGroup = 'G',
  kPerson = 'P',
  kLeadingGroup = 'L',
  kPlan = 'N',
  kCampaign = 'C',
  kTaskForce = 'F',
  kTask = 'T',
  kObligation = 'O',
  kUnitScore = 'S',
  kSupervision = 'V',
  kRanking = 'R',
  kAccountability = 'A',
  kIncident = 'I',
  kNoticeProblem = 'Q',
  kAssessmentFigures = 'X',
  kEvidence = 'E',
  kBriefing = 'B',  // drafted briefings, "<rule id>:<period label>"
};

constexpr char kSep = '\0';

// True when s can be one component of a key (non-empty, no 0x00 byte).
bool IsValidComponent(absl::string_view s);

void AppendU64(std::string* dst, uint64_t v);
uint64_t DecodeU64(absl::string_view src);  // src.size() must be >= 8

std::string Entity(Kind kind, absl::string_view id);
std::string EntityPrefix(Kind kind);

std::string Event(absl::string_view stream, uint64_t version);
std::string EventPrefix(absl::string_view stream);
// Returns the version of an events key of the given stream.
std::optional<uint64_t> EventVersion(absl::string_view key, absl::string_view stream);

std::string Index(absl::string_view index, absl::string_view value, uint64_t task_number);
std::string IndexPrefix(absl::string_view index, absl::string_view value);
// The task number at the end of an index key (0 for a malformed key).
uint64_t IndexTaskNumber(absl::string_view key);

std::string ObligationIndex(absl::string_view index, absl::string_view value, absl::string_view obligation_id);
std::string ObligationIndexPrefix(absl::string_view index, absl::string_view value);

// Timers are ordered by due time; times before the epoch clamp to 0.
std::string Timer(int64_t due_unix_micros, absl::string_view timer_id);
struct TimerKeyParts {
  int64_t due_unix_micros;
  absl::string_view timer_id;
};
std::optional<TimerKeyParts> ParseTimer(absl::string_view key);

// A timer set aside because its firing failed (meta column).
inline constexpr char kDeadTimerPrefix[] = "dead_timer|";
std::string DeadTimer(absl::string_view timer_id);

std::string Request(absl::string_view actor, absl::string_view request_id);

std::string Outbox(absl::string_view recipient, uint64_t seq);
std::string OutboxPrefix(absl::string_view recipient);
std::string OutboxGlobal(uint64_t seq);
std::string OutboxGlobalPrefix();

// The smallest key greater than every key that starts with prefix.
std::string PrefixEnd(absl::string_view prefix);

}  // namespace duban::keys

#endif  // DUBAN_ENGINE_STORAGE_KEYS_H_
