#include "engine/audit/verify.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace duban::audit {

namespace {

Verification Bad(Verification v, uint64_t seq, std::string problem) {
  v.ok = false;
  v.bad_seq = seq;
  v.problem = std::move(problem);
  return v;
}

std::string ToJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

template <typename M>
absl::Status FromJson(absl::string_view line, size_t n, M* m) {
  auto s = google::protobuf::util::JsonStringToMessage(std::string(line), m);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("line ", n, ": ", s.ToString()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Verification> VerifyTrail(HashAlgorithm hash, const Trail& trail,
                                         std::vector<v1::AuditCheckpoint> held, const CheckpointVerifier* key) {
  Verification v;
  // The algorithm: the signed records name it.
  std::string alg_name;
  auto take_alg = [&](const v1::AuditCheckpoint& c) -> absl::Status {
    if (alg_name.empty()) alg_name = c.hash_algorithm();
    if (c.hash_algorithm() != alg_name) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint ", c.seq(), ": hash algorithm '",
                                                     c.hash_algorithm(), "', others say '", alg_name, "'"));
    }
    return absl::OkStatus();
  };
  if (trail.anchor || !held.empty()) {
    if (key == nullptr) return absl::InvalidArgumentError("public_key: required to check signed checkpoints");
  }
  if (trail.anchor) {
    if (absl::Status s = key->Verify(*trail.anchor); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("anchor: ", s.message()));
    }
    if (absl::Status s = take_alg(*trail.anchor); !s.ok()) return s;
  }
  for (const auto& c : held) {
    if (absl::Status s = key->Verify(c); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("held ", s.message()));
    }
    if (absl::Status s = take_alg(c); !s.ok()) return s;
  }
  if (!alg_name.empty()) {
    auto a = ParseHashAlgorithm("checkpoint.hash_algorithm", alg_name);
    if (!a.ok()) return a.status();
    hash = *a;
  }
  std::sort(held.begin(), held.end(),
            [](const v1::AuditCheckpoint& a, const v1::AuditCheckpoint& b) { return a.seq() < b.seq(); });
  std::map<uint64_t, const v1::AuditCheckpoint*> by_seq;
  for (const auto& c : held) by_seq[c.seq()] = &c;
  // Entry hashes the held checkpoints signed: entry seq -> (hash, checkpoint).
  std::map<uint64_t, std::pair<const std::string*, uint64_t>> signed_entries;
  for (const auto& c : held) {
    for (int i = 0; i < c.entry_hashes_size(); ++i) {
      signed_entries[c.entry_hashes_from() + static_cast<uint64_t>(i)] = {&c.entry_hashes(i), c.seq()};
    }
  }

  uint64_t expected = 1;
  std::string prev = GenesisHash();
  uint64_t last_matched = 0;
  if (trail.anchor) {
    expected = trail.anchor->seq() + 1;
    prev = trail.anchor->head_hash();
    last_matched = trail.anchor->seq();
    // Held checkpoints of pruned entries can only be checked at the anchor.
    for (const auto& c : held) {
      if (c.seq() > trail.anchor->seq()) break;
      if (c.seq() == trail.anchor->seq()) {
        if (c.head_hash() != trail.anchor->head_hash()) {
          return Bad(v, c.seq(), absl::StrCat("entry ", c.seq(), ": the anchor differs from held checkpoint ",
                                              c.seq()));
        }
        ++v.checkpoints_matched;
      } else {
        ++v.checkpoints_skipped;
      }
    }
  }
  v.first_seq = expected;
  v.last_seq = expected - 1;
  const auto& es = trail.entries;
  for (size_t i = 0; i < es.size(); ++i) {
    const v1::AuditEntry& e = es[i];
    if (e.seq() != expected) {
      bool later = std::any_of(es.begin() + static_cast<long>(i) + 1, es.end(),
                               [&](const v1::AuditEntry& x) { return x.seq() == expected; });
      if (later || e.seq() < expected) {
        return Bad(v, expected, absl::StrCat("entry ", expected, ": out of order (entry ", e.seq(),
                                             " stands in its place)"));
      }
      return Bad(v, expected, absl::StrCat("entry ", expected, ": missing (the trail goes from entry ",
                                           expected - 1, " to entry ", e.seq(), ")"));
    }
    if (e.prev_hash() != prev) {
      return Bad(v, expected, absl::StrCat("entry ", expected, ": prev_hash does not match the hash of entry ",
                                           expected - 1, " (an entry before it was removed or replaced)"));
    }
    auto h = EntryHash(hash, e);
    if (!h.ok()) return h.status();
    if (*h != e.hash()) {
      return Bad(v, expected, absl::StrCat("entry ", expected, ": its hash does not match its contents (modified)"));
    }
    if (auto it = signed_entries.find(expected); it != signed_entries.end() && *it->second.first != *h) {
      return Bad(v, expected,
                 absl::StrCat("entry ", expected, ": differs from its hash in signed checkpoint ", it->second.second,
                              ": the trail was rewritten from entry ", expected, " on"));
    }
    if (auto it = by_seq.find(expected); it != by_seq.end()) {
      if (it->second->head_hash() != *h) {
        return Bad(v, expected,
                   absl::StrCat("entry ", expected, ": differs from signed checkpoint ", expected,
                                ": entries after ", last_matched, " up to ", expected, " were rewritten"));
      }
      last_matched = expected;
      ++v.checkpoints_matched;
    }
    prev = *h;
    v.last_seq = expected;
    ++v.entries;
    ++expected;
  }
  if (!held.empty() && held.back().seq() > v.last_seq) {
    return Bad(v, v.last_seq + 1,
               absl::StrCat("entry ", v.last_seq + 1, ": missing: the trail ends at entry ", v.last_seq,
                            " but a signed checkpoint holds entry ", held.back().seq(), " (tail truncated)"));
  }
  v.ok = true;
  return v;
}

std::string TrailLineJson(const v1::AuditTrailLine& line) { return ToJson(line); }
std::string CheckpointJson(const v1::AuditCheckpoint& c) { return ToJson(c); }

absl::StatusOr<Trail> ParseTrailJsonLines(absl::string_view text) {
  Trail t;
  size_t n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++n;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    v1::AuditTrailLine l;
    if (absl::Status s = FromJson(line, n, &l); !s.ok()) return s;
    if (l.has_anchor()) {
      if (t.anchor || !t.entries.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("line ", n, ": an anchor must be the first line"));
      }
      t.anchor = l.anchor();
    } else if (l.has_entry()) {
      t.entries.push_back(l.entry());
    } else {
      return absl::InvalidArgumentError(absl::StrCat("line ", n, ": neither an entry nor an anchor"));
    }
  }
  return t;
}

absl::StatusOr<std::vector<v1::AuditCheckpoint>> ParseCheckpointJsonLines(absl::string_view text) {
  std::vector<v1::AuditCheckpoint> out;
  size_t n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++n;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    v1::AuditCheckpoint c;
    if (absl::Status s = FromJson(line, n, &c); !s.ok()) return s;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace duban::audit
