#include "engine/audit/chain.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace duban::audit {

namespace {

void PutU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutStr(std::string* out, absl::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

}  // namespace

const char* HashAlgorithmName(HashAlgorithm a) { return a == HashAlgorithm::kSm3 ? "sm3" : "sha256"; }

absl::StatusOr<HashAlgorithm> ParseHashAlgorithm(absl::string_view field, absl::string_view name) {
  if (name == "sha256") return HashAlgorithm::kSha256;
  if (name == "sm3") return HashAlgorithm::kSm3;
  return absl::InvalidArgumentError(absl::StrCat(field, ": '", name, "' is not sha256 or sm3"));
}

absl::StatusOr<std::string> Digest(HashAlgorithm a, absl::string_view data) {
  const char* name = a == HashAlgorithm::kSm3 ? "SM3" : "SHA256";
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(EVP_MD_fetch(nullptr, name, nullptr), EVP_MD_free);
  if (!md) return absl::InternalError(absl::StrCat("audit hash: libcrypto has no ", name));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, &len) != 1 || len != kHashSize) {
    return absl::InternalError(absl::StrCat("audit hash: ", name, " failed"));
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string CanonicalEntry(const v1::AuditEntry& e) {
  std::string out;
  PutStr(&out, "duban-audit-entry-v1");
  PutU64(&out, e.seq());
  PutU64(&out, static_cast<uint64_t>(e.at().seconds()));
  PutU32(&out, static_cast<uint32_t>(e.at().nanos()));
  for (const std::string* s : {&e.account(), &e.role(), &e.unit_id(), &e.source(), &e.request_id(), &e.subject(),
                               &e.command()}) {
    PutStr(&out, *s);
  }
  PutU32(&out, static_cast<uint32_t>(e.result_code()));
  PutStr(&out, e.result_message());
  PutStr(&out, e.request_digest());
  PutStr(&out, e.detail());
  // Added after v1: present only when set, so earlier entries keep their hashes.
  if (!e.acting_for().empty()) {
    PutStr(&out, "acting_for");
    PutStr(&out, e.acting_for());
  }
  return out;
}

std::string CanonicalCheckpoint(const v1::AuditCheckpoint& c) {
  std::string out;
  PutStr(&out, "duban-audit-checkpoint-v1");
  PutU64(&out, c.seq());
  PutStr(&out, c.head_hash());
  PutU64(&out, static_cast<uint64_t>(c.at().seconds()));
  PutU32(&out, static_cast<uint32_t>(c.at().nanos()));
  PutStr(&out, c.hash_algorithm());
  PutStr(&out, c.signature_algorithm());
  PutStr(&out, c.key_id());
  PutU32(&out, static_cast<uint32_t>(c.kind()));
  // Checkpoints without entry hashes keep the bytes they were signed with.
  if (c.entry_hashes_size() > 0) {
    PutU64(&out, c.entry_hashes_from());
    PutU32(&out, static_cast<uint32_t>(c.entry_hashes_size()));
    for (const auto& h : c.entry_hashes()) PutStr(&out, h);
  }
  return out;
}

absl::StatusOr<std::string> EntryHash(HashAlgorithm a, const v1::AuditEntry& e) {
  return Digest(a, absl::StrCat(e.prev_hash(), CanonicalEntry(e)));
}

std::string GenesisHash() { return std::string(kHashSize, '\0'); }

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

}  // namespace duban::audit
