// The audit trail in the engine: chaining, signed checkpoints, the tamper
// cases verification must catch, offline verification of an export,
// atomicity under an injected fault, concurrency, retention and pruning.
#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/audit/audit_log.h"
#include "engine/audit/audit_scope.h"
#include "engine/audit/chain.h"
#include "engine/audit/signer.h"
#include "engine/audit/verify.h"
#include "engine/engine.h"
#include "engine/storage/keys.h"
#include "engine/storage/store.h"
#include "engine/storage/yaml_util.h"
#include "gtest/gtest.h"
#include "services/audit_interceptor.h"
#include "tests/status_matchers.h"
#include "tests/store_dump.h"
#include "tests/test_util.h"

namespace duban {
namespace {

using ::duban::testing::ReadFile;

using ::duban::testing::IsError;
using ::duban::testing::SourcePath;
using ::duban::testing::TempDir;

v1::AuditEntry Act(const std::string& account, const std::string& subject, const std::string& command,
                   int code = 0) {
  v1::AuditEntry e;
  e.set_account(account);
  e.set_role("unit");
  e.set_source("ipv4:127.0.0.1:5000");
  e.set_subject(subject);
  e.set_command(command);
  e.set_result_code(code);
  return e;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(audit::HashAlgorithm::kSha256, audit::SignatureAlgorithm::kEd25519); }

  void Open(audit::HashAlgorithm hash, audit::SignatureAlgorithm sig) {
    engine_.reset();
    key_file_ = keys_.sub(absl::StrCat("signing-key-", audit::SignatureAlgorithmName(sig)));
    auto signer = audit::CheckpointSigner::LoadOrCreate(sig, key_file_);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::move(*signer);
    EngineOptions o;
    o.audit.hash = hash;
    o.audit.signer = signer_;
    o.audit.checkpoint_every = 5;
    o.audit.checkpoint_interval = absl::ZeroDuration();
    auto e = Engine::Open(dir_.path(), &clock_, o);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    engine_->audit().AddPublisher([this](const v1::AuditCheckpoint& c) { published_.push_back(c); });
  }

  audit::AuditLog& log() { return engine_->audit(); }

  // n entries, one act each, with checkpoints signed as they fall due.
  void Acts(int n) {
    for (int i = 0; i < n; ++i) {
      auto r = log().Record(Act(absl::StrCat("unit-", i % 3), absl::StrCat("task:T", i % 4), "test.act"));
      ASSERT_TRUE(r.ok()) << r.status();
    }
    ASSERT_TRUE(log().MaybeCheckpoint().ok());
  }

  audit::Trail Exported() {
    audit::Trail t;
    EXPECT_TRUE(log()
                    .Export([&](const v1::AuditTrailLine& l) {
                      if (l.has_anchor()) t.anchor = l.anchor();
                      else t.entries.push_back(l.entry());
                      return true;
                    })
                    .ok());
    return t;
  }

  std::unique_ptr<audit::CheckpointVerifier> PublicKey() {
    auto v = audit::CheckpointVerifier::FromPublicKeyPem(ReadFile(key_file_ + ".pub"));
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::move(*v) : nullptr;
  }

  audit::Verification Check(const audit::Trail& t, std::vector<v1::AuditCheckpoint> held) {
    auto key = PublicKey();
    auto v = audit::VerifyTrail(log().options().hash, t, std::move(held), key.get());
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : audit::Verification();
  }

  TempDir dir_;
  TempDir keys_;  // the key lives outside the store
  std::string key_file_;
  SimulatedClock clock_{absl::FromCivil(absl::CivilSecond(2023, 3, 20, 8, 0, 0), PlanTimeZone())};
  std::shared_ptr<const audit::CheckpointSigner> signer_;
  std::unique_ptr<Engine> engine_;
  std::vector<v1::AuditCheckpoint> published_;
};

TEST_F(AuditTest, EntriesChainInSeqOrderAndCheckpointsAreSignedEveryNEntries) {
  Acts(20);
  audit::Trail t = Exported();
  ASSERT_EQ(t.entries.size(), 20u);
  EXPECT_EQ(t.entries[0].prev_hash(), audit::GenesisHash());
  for (size_t i = 0; i < t.entries.size(); ++i) {
    EXPECT_EQ(t.entries[i].seq(), i + 1);
    if (i > 0) {
      EXPECT_EQ(t.entries[i].prev_hash(), t.entries[i - 1].hash());
    }
  }
  ASSERT_EQ(published_.size(), 4u);
  for (size_t i = 0; i < published_.size(); ++i) {
    EXPECT_EQ(published_[i].seq(), 5 * (i + 1));
    EXPECT_EQ(published_[i].head_hash(), t.entries[5 * (i + 1) - 1].hash());
    EXPECT_EQ(published_[i].signature_algorithm(), "ed25519");
  }
  EXPECT_EQ(log().Checkpoints(0).value().size(), 4u);
  audit::Verification v = Check(t, published_);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.checkpoints_matched, 4u);
  EXPECT_EQ(v.last_seq, 20u);
}

TEST_F(AuditTest, FlippedByteIsNamedAsModified) {
  Acts(20);
  audit::Trail t = Exported();
  std::string account = t.entries[6].account();
  account[0] ^= 0x01;
  t.entries[6].set_account(account);
  audit::Verification v = Check(t, published_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 7u);
  EXPECT_NE(v.problem.find("modified"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, EntryDeletedInTheMiddleIsNamedAsMissing) {
  Acts(20);
  audit::Trail t = Exported();
  t.entries.erase(t.entries.begin() + 6);  // entry 7
  audit::Verification v = Check(t, published_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 7u);
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, SwappedEntriesAreNamedAsOutOfOrder) {
  Acts(20);
  audit::Trail t = Exported();
  std::swap(t.entries[6], t.entries[7]);  // 8 before 7
  audit::Verification v = Check(t, published_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 7u);
  EXPECT_NE(v.problem.find("out of order"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, CutTailIsCaughtByAHeldCheckpoint) {
  Acts(20);
  audit::Trail t = Exported();
  t.entries.resize(17);  // 18, 19, 20 gone; the chain itself is still consistent
  audit::Verification alone = Check(t, {});
  EXPECT_TRUE(alone.ok);  // nothing but a held checkpoint can tell
  audit::Verification v = Check(t, published_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 18u);
  EXPECT_NE(v.problem.find("truncated"), std::string::npos) << v.problem;
}

// Entries 12 and later of an exported trail rewritten with another
// account, every hash recomputed: a chain consistent in itself.
void RewriteFromEntry12(audit::Trail* t) {
  for (size_t i = 11; i < t->entries.size(); ++i) {
    v1::AuditEntry& e = t->entries[i];
    e.set_account("someone-else");
    e.set_prev_hash(t->entries[i - 1].hash());
    auto h = audit::EntryHash(audit::HashAlgorithm::kSha256, e);
    ASSERT_TRUE(h.ok());
    e.set_hash(*h);
  }
}

TEST_F(AuditTest, RewriteFromEntryJWithRecomputedHashesIsCaughtByAHeldCheckpoint) {
  Acts(20);
  audit::Trail t = Exported();
  // Rewrite entries 12..20: another account, every hash recomputed.
  RewriteFromEntry12(&t);
  audit::Verification alone = Check(t, {});
  EXPECT_TRUE(alone.ok);  // self-consistent
  // The checkpoint at 15 signed the hashes of entries 11..15: the rewrite is
  // named at j = 12 itself.
  ASSERT_EQ(published_[2].seq(), 15u);
  EXPECT_EQ(published_[2].entry_hashes_from(), 11u);
  EXPECT_EQ(published_[2].entry_hashes_size(), 5);
  audit::Verification v = Check(t, published_);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 12u);
  EXPECT_NE(v.problem.find("entry 12: differs from its hash in signed checkpoint 15"), std::string::npos)
      << v.problem;
  EXPECT_NE(v.problem.find("rewritten from entry 12 on"), std::string::npos) << v.problem;
  // Holding only a later checkpoint (the one at 20, which signed 16..20):
  // still caught, at the first entry that checkpoint signed.
  audit::Verification later = Check(t, {published_[3]});
  EXPECT_FALSE(later.ok);
  EXPECT_EQ(later.bad_seq, 16u);
}

TEST_F(AuditTest, ARewriteAgainstCheckpointsWithoutEntryHashesIsNamedAtTheCheckpoint) {
  Acts(20);
  audit::Trail t = Exported();
  RewriteFromEntry12(&t);
  // Checkpoints in the earlier format: the head only, signed without entry
  // hashes (their canonical bytes are those of that format).
  std::vector<v1::AuditCheckpoint> heads_only;
  for (v1::AuditCheckpoint c : published_) {
    c.clear_entry_hashes();
    c.clear_entry_hashes_from();
    c.clear_signature();
    ASSERT_TRUE(signer_->Sign(&c).ok());
    heads_only.push_back(c);
  }
  audit::Verification v = Check(t, heads_only);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_seq, 15u);  // the first checkpoint after j = 12
  EXPECT_NE(v.problem.find("rewritten"), std::string::npos) << v.problem;
  EXPECT_NE(v.problem.find("after 10"), std::string::npos) << v.problem;
  // A checkpoint whose entry hashes were altered after signing is refused.
  std::vector<v1::AuditCheckpoint> forged = published_;
  forged[2].set_entry_hashes(1, std::string(32, 'x'));
  std::unique_ptr<audit::CheckpointVerifier> key = PublicKey();
  EXPECT_FALSE(audit::VerifyTrail(audit::HashAlgorithm::kSha256, t, forged, key.get()).ok());
}

TEST_F(AuditTest, ForgedCheckpointIsRefused) {
  Acts(10);
  std::vector<v1::AuditCheckpoint> held = published_;
  held[1].set_head_hash(std::string(32, 'x'));
  auto key = PublicKey();
  auto v = audit::VerifyTrail(audit::HashAlgorithm::kSha256, Exported(), held, key.get());
  EXPECT_TRUE(IsError(v.status(), absl::StatusCode::kInvalidArgument, "signature does not verify"));
}

TEST_F(AuditTest, ExportedJsonLinesVerifyOfflineWithTheHeldCheckpointFile) {
  Acts(12);
  // What `dubanctl audit export` writes and what duband appends to its
  // checkpoint file.
  std::string trail_text, cp_text;
  ASSERT_TRUE(log()
                  .Export([&](const v1::AuditTrailLine& l) {
                    trail_text += audit::TrailLineJson(l) + "\n";
                    return true;
                  })
                  .ok());
  for (const auto& c : published_) cp_text += audit::CheckpointJson(c) + "\n";
  engine_.reset();  // offline: no store from here on

  auto trail = audit::ParseTrailJsonLines(trail_text);
  ASSERT_TRUE(trail.ok()) << trail.status();
  auto held = audit::ParseCheckpointJsonLines(cp_text);
  ASSERT_TRUE(held.ok()) << held.status();
  auto key = PublicKey();
  auto v = audit::VerifyTrail(audit::HashAlgorithm::kSha256, *trail, *held, key.get());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 12u);
  EXPECT_EQ(v->checkpoints_matched, 2u);

  // One character changed in the file is found.
  std::string tampered = trail_text;
  size_t at = tampered.find("unit-1");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 5] = '2';
  auto bad = audit::ParseTrailJsonLines(tampered);
  ASSERT_TRUE(bad.ok());
  auto v2 = audit::VerifyTrail(audit::HashAlgorithm::kSha256, *bad, *held, key.get());
  ASSERT_TRUE(v2.ok());
  EXPECT_FALSE(v2->ok);
  EXPECT_EQ(v2->bad_seq, 2u);  // the first "unit-1" is entry 2
}

TEST_F(AuditTest, Sm3ChainWithSm2CheckpointsVerifiesAndCatchesAModification) {
  Open(audit::HashAlgorithm::kSm3, audit::SignatureAlgorithm::kSm2);
  Acts(10);
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[0].hash_algorithm(), "sm3");
  EXPECT_EQ(published_[0].signature_algorithm(), "sm2");
  audit::Trail t = Exported();
  // A verifier told sha256 still uses the algorithm the signed checkpoints name.
  auto key = PublicKey();
  auto v = audit::VerifyTrail(audit::HashAlgorithm::kSha256, t, published_, key.get());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  auto sha = audit::EntryHash(audit::HashAlgorithm::kSha256, t.entries[0]);
  ASSERT_TRUE(sha.ok());
  EXPECT_NE(*sha, t.entries[0].hash());  // it really is SM3
  t.entries[3].set_command("test.other");
  auto v2 = audit::VerifyTrail(audit::HashAlgorithm::kSm3, t, published_, key.get());
  ASSERT_TRUE(v2.ok());
  EXPECT_FALSE(v2->ok);
  EXPECT_EQ(v2->bad_seq, 4u);
}

TEST_F(AuditTest, HmacCheckpointsVerifyOnlyWithTheSameSecret) {
  TempDir k;
  auto signer = audit::CheckpointSigner::LoadOrCreate(audit::SignatureAlgorithm::kHmacSha256, k.sub("secret"));
  ASSERT_TRUE(signer.ok()) << signer.status();
  v1::AuditCheckpoint c;
  c.set_seq(3);
  c.set_head_hash(std::string(32, 'a'));
  c.set_hash_algorithm("sha256");
  ASSERT_TRUE((*signer)->Sign(&c).ok());
  auto same = audit::CheckpointVerifier::FromHmacSecret(ReadFile(k.sub("secret")));
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE((*same)->Verify(c).ok());
  auto other = audit::CheckpointVerifier::FromHmacSecret(std::string(40, 'z'));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(IsError((*other)->Verify(c), absl::StatusCode::kFailedPrecondition, "not the key held"));
}

TEST_F(AuditTest, ConcurrentActsChainInCommitOrderWithoutGaps) {
  constexpr int kThreads = 6, kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = log().Record(Act(absl::StrCat("unit-", t), absl::StrCat("task:T", i), "test.concurrent"));
        EXPECT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(log().MaybeCheckpoint().ok());
  audit::Trail t = Exported();
  ASSERT_EQ(t.entries.size(), static_cast<size_t>(kThreads * kEach));
  audit::Verification v = Check(t, published_);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(log().Head().first, static_cast<uint64_t>(kThreads * kEach));
}

TEST_F(AuditTest, RetentionBelow180DaysIsRefused) {
  EngineOptions o;
  o.audit.retention_days = 179;
  engine_.reset();
  auto e = Engine::Open(dir_.path(), &clock_, o);
  EXPECT_TRUE(IsError(e.status(), absl::StatusCode::kInvalidArgument, "audit.retention_days"));
}

TEST_F(AuditTest, PruningWithinRetentionIsRefusedAndWritesNothing) {
  Acts(6);
  uint64_t head = log().Head().first;
  auto r = log().Prune(clock_.Now() - absl::Hours(24 * 179), Act("audit-admin", "audit", "test.prune"));
  EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kFailedPrecondition, "180-day retention"));
  EXPECT_EQ(log().Head().first, head);
  EXPECT_EQ(Exported().entries.size(), 6u);
}

TEST_F(AuditTest, PruningIsAuditedAndVerificationStartsFromItsCheckpoint) {
  Acts(7);  // checkpoint at 5
  clock_.MoveTo(clock_.Now() + absl::Hours(24 * 200));
  Acts(5);  // 8..12, checkpoint at 10
  std::vector<v1::AuditCheckpoint> held = published_;  // what the office collected
  auto r = log().Prune(clock_.Now() - absl::Hours(24 * 190), Act("audit-admin", "audit", "test.prune"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->pruned, 7u);
  EXPECT_EQ(r->anchor.seq(), 7u);
  EXPECT_EQ(r->anchor.kind(), v1::AUDIT_CHECKPOINT_KIND_PRUNE);
  EXPECT_EQ(published_.back().seq(), 7u);  // the anchor is published too

  audit::Trail t = Exported();
  ASSERT_TRUE(t.anchor.has_value());
  ASSERT_EQ(t.entries.size(), 6u);  // 8..12 and the pruning's own entry
  EXPECT_EQ(t.entries.front().seq(), 8u);
  const v1::AuditEntry& prune = t.entries.back();
  EXPECT_EQ(prune.seq(), 13u);
  EXPECT_EQ(prune.account(), "audit-admin");
  EXPECT_NE(prune.detail().find("pruned entries 1..7"), std::string::npos) << prune.detail();

  audit::Verification v = Check(t, held);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.first_seq, 8u);
  EXPECT_EQ(v.checkpoints_matched, 1u);  // 10
  EXPECT_EQ(v.checkpoints_skipped, 1u);  // 5, pruned

  // The head survives a restart, and the chain goes on from it.
  Open(audit::HashAlgorithm::kSha256, audit::SignatureAlgorithm::kEd25519);
  EXPECT_EQ(log().Head().first, 13u);
  Acts(1);
  EXPECT_TRUE(Check(Exported(), held).ok);
}

class AuditAtomicityTest : public AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    auto doc = yamlx::ParseFile(SourcePath("config/demo/plan.yaml"));
    ASSERT_TRUE(doc.ok()) << doc.status();
    ASSERT_TRUE(engine_->ImportPlan(*doc, "tester", true).ok());
  }

  absl::StatusOr<CommandResult> Accept(const std::string& task_id) {
    v1::AuditEntry act = Act("swj", absl::StrCat("task:", task_id), "duban.v1.TaskService/AcceptTask");
    audit::AuditScope scope(act);
    CommandMeta meta;
    meta.actor = "swj";
    TaskCommandArgs a;
    a.task_id = task_id;
    a.command = v1::TASK_COMMAND_ACCEPT;
    auto r = engine_->Execute(meta, a);
    last_seq_ = scope.recorded_seq();
    return r;
  }

  uint64_t last_seq_ = 0;
};

TEST_F(AuditAtomicityTest, ACommandCarriesItsEntryInItsOwnBatch) {
  uint64_t before = log().Head().first;
  auto r = Accept("T1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(last_seq_, before + 1);
  audit::AuditFilter on_t1;
  on_t1.subject = "task:T1";
  auto page = log().List(on_t1, 0, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].account(), "swj");
  EXPECT_EQ(page->entries[0].result_code(), 0);
}

TEST_F(AuditAtomicityTest, ACommandWhoseEntryCannotBeWrittenLeavesNoEffect) {
  auto task_before = engine_->GetTask("T1");
  auto history_before = engine_->History("T1");
  ASSERT_TRUE(task_before.ok() && history_before.ok());
  uint64_t head = log().Head().first;
  auto dump_before = testing::DumpStore(engine_->store());

  log().InjectAppendFaultForTesting(absl::UnavailableError("injected: audit column family unwritable"));
  auto r = Accept("T1");
  EXPECT_TRUE(IsError(r.status(), absl::StatusCode::kUnavailable, "the act is not applied"));
  EXPECT_EQ(last_seq_, 0u);
  auto task_after = engine_->GetTask("T1");
  ASSERT_TRUE(task_after.ok());
  EXPECT_EQ(task_after->version(), task_before->version());
  EXPECT_EQ(task_after->state(), task_before->state());
  EXPECT_EQ(engine_->History("T1")->size(), history_before->size());
  EXPECT_EQ(log().Head().first, head);
  EXPECT_EQ(testing::DumpDiff(dump_before, testing::DumpStore(engine_->store())), "");

  // Once the fault clears the same command goes through, with its entry.
  log().InjectAppendFaultForTesting(absl::OkStatus());
  auto ok = Accept("T1");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->task.version(), task_before->version() + 1);
  EXPECT_EQ(last_seq_, head + 1);
  EXPECT_TRUE(Check(Exported(), published_).ok);
}

// Index keys ("x" + field + value + NUL + seq) in the audit column family.
int IndexKeys(Engine& e, char field) {
  int n = 0;
  std::string prefix = {'x', field};
  EXPECT_TRUE(e.store().Scan(Cf::kAudit, prefix, [&](absl::string_view, absl::string_view) {
    ++n;
    return true;
  }).ok());
  return n;
}

TEST_F(AuditTest, FilteredListsReadTheIndexAndPageInSeqOrder) {
  Acts(12);  // accounts unit-0..2 in turn, subjects task:T0..T3 in turn
  // One index key per entry and field it has (units are not set by Act).
  EXPECT_EQ(IndexKeys(*engine_, 'a'), 12);
  EXPECT_EQ(IndexKeys(*engine_, 's'), 12);
  EXPECT_EQ(IndexKeys(*engine_, 'u'), 0);

  audit::AuditFilter f;
  f.account = "unit-1";  // seqs 2, 5, 8, 11
  auto first = log().List(f, 0, 3);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->entries.size(), 3u);
  EXPECT_EQ(first->entries[0].seq(), 2u);
  EXPECT_EQ(first->entries[2].seq(), 8u);
  EXPECT_EQ(first->next_seq, 11u);
  auto rest = log().List(f, first->next_seq, 3);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->entries.size(), 1u);
  EXPECT_EQ(rest->entries[0].seq(), 11u);
  EXPECT_EQ(rest->next_seq, 0u);

  // Subject and account together: the subject's index, checked for both.
  f.subject = "task:T1";  // seqs 2, 6, 10; of unit-1 only 2
  auto both = log().List(f, 0, 10);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->entries.size(), 1u);
  EXPECT_EQ(both->entries[0].seq(), 2u);

  // An account with no entry: nothing, and no scan of the trail.
  f = audit::AuditFilter();
  f.account = "nobody";
  auto none = log().List(f, 0, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
}

TEST_F(AuditTest, PruningRemovesTheIndexOfThePrunedEntries) {
  Acts(7);
  clock_.MoveTo(clock_.Now() + absl::Hours(24 * 200));
  Acts(5);
  auto r = log().Prune(clock_.Now() - absl::Hours(24 * 190), Act("audit-admin", "audit", "test.prune"));
  ASSERT_TRUE(r.ok()) << r.status();
  // 8..12 and the pruning's own entry are left, each indexed once.
  EXPECT_EQ(IndexKeys(*engine_, 'a'), 6);
  audit::AuditFilter f;
  f.account = "unit-0";  // seqs 1, 4, 7 pruned; 8 and 11 left
  auto page = log().List(f, 0, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].seq(), 8u);
  EXPECT_EQ(page->entries[1].seq(), 11u);
}

TEST_F(AuditTest, ATrailWrittenBeforeTheIndexIsIndexedAtOpen) {
  Acts(6);
  // Take the store back to a trail without index keys.
  rocksdb::WriteBatch b;
  std::vector<std::string> keys;
  ASSERT_TRUE(engine_->store().Scan(Cf::kAudit, "x", [&](absl::string_view k, absl::string_view) {
    keys.emplace_back(k);
    return true;
  }).ok());
  for (const auto& k : keys) engine_->store().Delete(&b, Cf::kAudit, k);
  ASSERT_TRUE(engine_->store().WriteDirect(&b).ok());
  EXPECT_EQ(IndexKeys(*engine_, 'a'), 0);
  Open(audit::HashAlgorithm::kSha256, audit::SignatureAlgorithm::kEd25519);
  EXPECT_EQ(IndexKeys(*engine_, 'a'), 6);
  audit::AuditFilter f;
  f.subject = "task:T2";  // seq 3
  auto page = log().List(f, 0, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].seq(), 3u);
}

// The anchor and the last checkpoint tell a reopened trail where it
// stands: one that cannot be read is an error at open, never taken for
// "none" (which would restart the chain at genesis or re-sign from seq 0).
TEST_F(AuditTest, AnAnchorOrLastCheckpointThatDoesNotParseStopsTheOpen) {
  Acts(6);
  ASSERT_FALSE(published_.empty());
  for (const std::string& key : {keys::AuditAnchor(), keys::AuditCheckpoint(published_.back().seq())}) {
    SCOPED_TRACE(key == keys::AuditAnchor() ? "anchor" : "checkpoint");
    // Take the record away, damaged, and back whole between the rounds.
    std::string kept;
    auto whole = engine_->store().Get(Cf::kAudit, key);
    if (whole.ok()) kept = *whole;
    rocksdb::WriteBatch b;
    engine_->store().Put(&b, Cf::kAudit, key, std::string("\xff\xff not a checkpoint"));
    ASSERT_TRUE(engine_->store().WriteDirect(&b).ok());
    engine_.reset();
    EngineOptions o;
    o.audit.signer = signer_;
    auto reopened = Engine::Open(dir_.path(), &clock_, o);
    ASSERT_FALSE(reopened.ok()) << "a damaged audit record was taken for none";
    EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss) << reopened.status();
    EXPECT_NE(reopened.status().message().find("audit"), std::string::npos) << reopened.status();
    // Put it back as it was (the anchor: absent) and open again.
    {
      auto st = Store::Open(dir_.path());
      ASSERT_TRUE(st.ok()) << st.status();
      rocksdb::WriteBatch fix;
      if (whole.ok()) (*st)->Put(&fix, Cf::kAudit, key, kept);
      else (*st)->Delete(&fix, Cf::kAudit, key);
      ASSERT_TRUE((*st)->WriteDirect(&fix).ok());
    }
    Open(audit::HashAlgorithm::kSha256, audit::SignatureAlgorithm::kEd25519);
  }
  EXPECT_EQ(log().Head().first, 6u);
}

// Which RPCs are acts (one audit entry each) and which are reads.
TEST(AuditClassificationTest, ReadsAndComputationsAreNotActs) {
  for (const char* read : {"/duban.v1.TaskService/GetTask", "/duban.v1.TaskService/ListTasks",
                           "/duban.v1.TaskService/History", "/duban.v1.NotificationService/Watch",
                           "/duban.v1.AssessmentService/Evaluate", "/duban.v1.AssessmentService/EvaluateAll",
                           "/duban.v1.AdminService/ServerInfo", "/duban.v1.AdminService/ListDeadTimers"}) {
    EXPECT_TRUE(IsReadMethod(read)) << read;
  }
  for (const char* act : {"/duban.v1.TaskService/ReportProgress", "/duban.v1.AssessmentService/ReportFigures",
                          "/duban.v1.AdminService/AdvanceClock", "/duban.v1.AdminService/ReloadRules"}) {
    EXPECT_FALSE(IsReadMethod(act)) << act;
  }
}

}  // namespace
}  // namespace duban
