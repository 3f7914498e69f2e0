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
//             and the markers, cursors and accounts listed with their
//             builders below
//   audit     entries, checkpoints and their indexes (builders below)
//   index     also the evidence indexes (builders below)
//
// Every key is built by a function of this header; no other file spells
// a key out.
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

// ---- meta column: markers, counters and cursors (values: decimal strings
// unless said otherwise)
std::string SchemaVersion();                         // "schema_version"
std::string LegacyNextTaskId();                      // "next_task_id" (old stores)
// "task_number|" u64 n -> "": the highest n is the last task number given
std::string TaskNumber(uint64_t n);
std::string TaskNumberPrefix();
// "cadence|" <rule id> -> YYYY-MM-DD of the rule's first tick, or "none"
std::string CadenceStarted(absl::string_view rule_id);
std::string CaseCounter();                           // "next_case_id"
std::string IncidentCounter();                       // "next_incident_id"
std::string SimulatedNow();                          // "sim_now": µs
std::string DemoLoaded();                            // "demo_loaded" -> plan id
std::string NotificationSeq();                       // "notification_seq" (read at start-up)
std::string AckCursor(absl::string_view recipient);  // "ack|" <recipient>
std::string WebhookCursor(absl::string_view name);   // "webhook|" <name>
// "calendar_missing_notified|" <year> -> the day the administrator was told
std::string CalendarMissingNotified(int year);
// "briefings:next:" <rule id> -> YYYY-MM-DD of the rule's next briefing
std::string NextBriefing(absl::string_view rule_id);
// "auth/account/" <account id> -> AccountRecord
std::string Account(absl::string_view account_id);
std::string AccountPrefix();

// ---- audit column (engine/audit/audit_log.h)
std::string AuditEntry(uint64_t seq);       // 'e' u64 seq -> AuditEntry
std::string AuditEntryPrefix();             // "e"
std::string AuditCheckpoint(uint64_t seq);  // 'c' u64 seq -> Checkpoint
std::string AuditCheckpointPrefix();        // "c"
std::string AuditAnchor();                  // "anchor" -> the checkpoint pruning kept
std::string AuditIndexVersion();            // "xver": every entry is indexed
// 'x' <field> <value> 0x00 u64 seq -> "" ; field: 'a' account, 'u' unit,
// 's' subject
std::string AuditIndex(char field, absl::string_view value, uint64_t seq);
std::string AuditIndexPrefix(char field, absl::string_view value);

// ---- evidence indexes (index column; engine/evidence/evidence_store.h).
// subject: a task id, or "<kind>:<id>" for other subjects.
//   "evidence-up"   | sha | actor                           -> ""
//   "evidence-file" | sha | subject | u64 event version     -> EvidenceAttachment
//   "evidence-task" | task | sha [| subject] | u64 version  -> EvidenceAttachment
//       (with subject: a supervision item about the task)
//   "evidence-unit" | unit | YYYY-MM | sha | subject | u64 version -> EvidenceAttachment
std::string EvidenceUpload(absl::string_view sha256, absl::string_view actor);
std::string EvidenceUploadPrefix(absl::string_view sha256);
std::string EvidenceFile(absl::string_view sha256, absl::string_view subject, uint64_t version);
std::string EvidenceFilePrefix(absl::string_view sha256);  // "": every file
std::string EvidenceTask(absl::string_view task_id, absl::string_view sha256, absl::string_view subject,
                         uint64_t version);  // subject "": the task's own event
std::string EvidenceTaskPrefix(absl::string_view task_id);
std::string EvidenceUnit(absl::string_view unit_id, absl::string_view period, absl::string_view sha256,
                         absl::string_view subject, uint64_t version);
std::string EvidenceUnitPrefix(absl::string_view unit_id, absl::string_view period);  // period "": all

// The smallest key greater than every key that starts with prefix.
std::string PrefixEnd(absl::string_view prefix);

}  // namespace duban::keys

#endif  // DUBAN_ENGINE_STORAGE_KEYS_H_
