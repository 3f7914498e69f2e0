// The audit chain's arithmetic: canonical bytes of entries and checkpoints,
// and the hash that links each entry to the one before it.
//
// Canonical bytes (DO NOT CHANGE: every stored hash depends on them) are a
// tag, then each field in the order below, integers as fixed-width
// big-endian, strings and bytes as a 4-byte big-endian length and the bytes:
//
//   entry      := "duban-audit-entry-v1" seq:u64 at_seconds:i64 at_nanos:i32
//                 account role unit_id source request_id subject command
//                 result_code:i32 result_message request_digest detail
//                 [ "acting_for" acting_for ]   (only when acting_for is set)
//   checkpoint := "duban-audit-checkpoint-v1" seq:u64 head_hash
//                 at_seconds:i64 at_nanos:i32 hash_algorithm
//                 signature_algorithm key_id kind:i32
//
//   entry.hash = H(entry.prev_hash || canonical(entry))
//
// H is SHA-256 or SM3 (both 32 bytes), through OpenSSL 3's EVP interface.
// The first entry's prev_hash is 32 zero bytes. These functions are pure and
// thread-safe; dubanctl links them to verify a trail without the server.
#ifndef DUBAN_ENGINE_AUDIT_CHAIN_H_
#define DUBAN_ENGINE_AUDIT_CHAIN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "duban/v1/audit.pb.h"

namespace duban::audit {

enum class HashAlgorithm { kSha256, kSm3 };

constexpr size_t kHashSize = 32;

// "sha256" / "sm3".
const char* HashAlgorithmName(HashAlgorithm a);
// INVALID_ARGUMENT "<field>: '<name>' is not sha256 or sm3".
absl::StatusOr<HashAlgorithm> ParseHashAlgorithm(absl::string_view field, absl::string_view name);

// H(data); INTERNAL when libcrypto fails (e.g. SM3 missing from the provider).
absl::StatusOr<std::string> Digest(HashAlgorithm a, absl::string_view data);

std::string CanonicalEntry(const v1::AuditEntry& e);
std::string CanonicalCheckpoint(const v1::AuditCheckpoint& c);

// H(prev_hash || CanonicalEntry(e)); e.prev_hash is the one used.
absl::StatusOr<std::string> EntryHash(HashAlgorithm a, const v1::AuditEntry& e);

// The prev_hash of entry 1.
std::string GenesisHash();

std::string Hex(absl::string_view bytes);

}  // namespace duban::audit

#endif  // DUBAN_ENGINE_AUDIT_CHAIN_H_
