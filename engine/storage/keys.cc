#include "engine/storage/keys.h"
#include <initializer_list>

#include "absl/strings/str_cat.h"

namespace duban::keys {

bool IsValidComponent(absl::string_view s) {
  return !s.empty() && s.find(kSep) == absl::string_view::npos;
}

void AppendU64(std::string* dst, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    dst->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t DecodeU64(absl::string_view src) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(src[i]);
  return v;
}

std::string Entity(Kind kind, absl::string_view id) {
  std::string k(1, static_cast<char>(kind));
  k.append(id.data(), id.size());
  return k;
}

std::string EntityPrefix(Kind kind) { return std::string(1, static_cast<char>(kind)); }

std::string EventPrefix(absl::string_view stream) {
  std::string k(stream);
  k.push_back(kSep);
  return k;
}

std::string Event(absl::string_view stream, uint64_t version) {
  std::string k = EventPrefix(stream);
  AppendU64(&k, version);
  return k;
}

std::optional<uint64_t> EventVersion(absl::string_view key, absl::string_view stream) {
  if (key.size() != stream.size() + 1 + 8) return std::nullopt;
  if (key.substr(0, stream.size()) != stream || key[stream.size()] != kSep) return std::nullopt;
  return DecodeU64(key.substr(stream.size() + 1));
}

std::string IndexPrefix(absl::string_view index, absl::string_view value) {
  std::string k(index);
  k.push_back(kSep);
  k.append(value.data(), value.size());
  k.push_back(kSep);
  return k;
}

std::string Index(absl::string_view index, absl::string_view value, uint64_t task_number) {
  std::string k = IndexPrefix(index, value);
  AppendU64(&k, task_number);
  return k;
}

uint64_t IndexTaskNumber(absl::string_view key) {
  if (key.size() < 10) return 0;
  return DecodeU64(key.substr(key.size() - 8));
}

std::string ObligationIndexPrefix(absl::string_view index, absl::string_view value) {
  return IndexPrefix(index, value);
}

std::string ObligationIndex(absl::string_view index, absl::string_view value, absl::string_view obligation_id) {
  std::string k = IndexPrefix(index, value);
  k.append(obligation_id.data(), obligation_id.size());
  return k;
}

std::string Timer(int64_t due_unix_micros, absl::string_view timer_id) {
  std::string k;
  AppendU64(&k, due_unix_micros < 0 ? 0 : static_cast<uint64_t>(due_unix_micros));
  k.push_back(kSep);
  k.append(timer_id.data(), timer_id.size());
  return k;
}

std::optional<TimerKeyParts> ParseTimer(absl::string_view key) {
  if (key.size() < 10 || key[8] != kSep) return std::nullopt;
  return TimerKeyParts{static_cast<int64_t>(DecodeU64(key)), key.substr(9)};
}

std::string OutboxPrefix(absl::string_view recipient) {
  std::string k("r");
  k.append(recipient.data(), recipient.size());
  k.push_back(kSep);
  return k;
}

std::string OutboxGlobalPrefix() { return "g"; }

std::string OutboxGlobal(uint64_t seq) {
  std::string k = OutboxGlobalPrefix();
  AppendU64(&k, seq);
  return k;
}

std::string Request(absl::string_view actor, absl::string_view request_id) {
  std::string k(actor);
  k.push_back(kSep);
  k.append(request_id.data(), request_id.size());
  return k;
}

std::string Outbox(absl::string_view recipient, uint64_t seq) {
  std::string k = OutboxPrefix(recipient);
  AppendU64(&k, seq);
  return k;
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char c = static_cast<unsigned char>(end.back());
    if (c != 0xff) {
      end.back() = static_cast<char>(c + 1);
      return end;
    }
    end.pop_back();
  }
  return end;  // empty: no upper bound
}

std::string DeadTimer(absl::string_view timer_id) { return absl::StrCat(kDeadTimerPrefix, timer_id); }

std::string SchemaVersion() { return "schema_version"; }
std::string LegacyNextTaskId() { return "next_task_id"; }
std::string TaskNumberPrefix() { return "task_number|"; }
std::string TaskNumber(uint64_t n) {
  std::string k = TaskNumberPrefix();
  AppendU64(&k, n);
  return k;
}
std::string CadenceStarted(absl::string_view rule_id) { return absl::StrCat("cadence|", rule_id); }
std::string CaseCounter() { return "next_case_id"; }
std::string IncidentCounter() { return "next_incident_id"; }
std::string SimulatedNow() { return "sim_now"; }
std::string DemoLoaded() { return "demo_loaded"; }
std::string NotificationSeq() { return "notification_seq"; }
std::string AckCursor(absl::string_view recipient) { return absl::StrCat("ack|", recipient); }
std::string WebhookCursor(absl::string_view name) { return absl::StrCat("webhook|", name); }
std::string CalendarMissingNotified(int year) { return absl::StrCat("calendar_missing_notified|", year); }
std::string NextBriefing(absl::string_view rule_id) { return absl::StrCat("briefings:next:", rule_id); }
std::string Account(absl::string_view account_id) { return absl::StrCat(AccountPrefix(), account_id); }
std::string AccountPrefix() { return "auth/account/"; }

namespace {
std::string TaggedSeq(char tag, uint64_t seq) {
  std::string k(1, tag);
  AppendU64(&k, seq);
  return k;
}
// parts joined by kSep
std::string Join(std::initializer_list<absl::string_view> parts) {
  std::string k;
  bool first = true;
  for (absl::string_view p : parts) {
    if (!first) k.push_back(kSep);
    k.append(p.data(), p.size());
    first = false;
  }
  return k;
}
std::string WithVersion(std::string prefix, uint64_t version) {
  prefix.push_back(kSep);
  AppendU64(&prefix, version);
  return prefix;
}
}  // namespace

std::string AuditEntry(uint64_t seq) { return TaggedSeq('e', seq); }
std::string AuditEntryPrefix() { return "e"; }
std::string AuditCheckpoint(uint64_t seq) { return TaggedSeq('c', seq); }
std::string AuditCheckpointPrefix() { return "c"; }
std::string AuditAnchor() { return "anchor"; }
std::string AuditIndexVersion() { return "xver"; }
std::string AuditIndexPrefix(char field, absl::string_view value) {
  std::string k = {'x', field};
  k.append(value.data(), value.size());
  k.push_back(kSep);
  return k;
}
std::string AuditIndex(char field, absl::string_view value, uint64_t seq) {
  std::string k = AuditIndexPrefix(field, value);
  AppendU64(&k, seq);
  return k;
}

std::string EvidenceUpload(absl::string_view sha256, absl::string_view actor) {
  return Join({"evidence-up", sha256, actor});
}
std::string EvidenceUploadPrefix(absl::string_view sha256) { return Join({"evidence-up", sha256, ""}); }
std::string EvidenceFile(absl::string_view sha256, absl::string_view subject, uint64_t version) {
  return WithVersion(Join({"evidence-file", sha256, subject}), version);
}
std::string EvidenceFilePrefix(absl::string_view sha256) {
  return sha256.empty() ? Join({"evidence-file", ""}) : Join({"evidence-file", sha256, ""});
}
std::string EvidenceTask(absl::string_view task_id, absl::string_view sha256, absl::string_view subject,
                         uint64_t version) {
  return WithVersion(subject.empty() ? Join({"evidence-task", task_id, sha256})
                                     : Join({"evidence-task", task_id, sha256, subject}),
                     version);
}
std::string EvidenceTaskPrefix(absl::string_view task_id) { return Join({"evidence-task", task_id, ""}); }
std::string EvidenceUnit(absl::string_view unit_id, absl::string_view period, absl::string_view sha256,
                         absl::string_view subject, uint64_t version) {
  return WithVersion(Join({"evidence-unit", unit_id, period, sha256, subject}), version);
}
std::string EvidenceUnitPrefix(absl::string_view unit_id, absl::string_view period) {
  return period.empty() ? Join({"evidence-unit", unit_id, ""}) : Join({"evidence-unit", unit_id, period, ""});
}

}  // namespace duban::keys
