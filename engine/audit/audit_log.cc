#include "engine/audit/audit_log.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "engine/audit/audit_scope.h"
#include "engine/storage/keys.h"
#include "engine/storage/status_macros.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"

namespace duban::audit {

namespace {

constexpr size_t kMaxGroup = 256;

std::string EntryKey(uint64_t seq) { return keys::AuditEntry(seq); }
std::string CheckpointKey(uint64_t seq) { return keys::AuditCheckpoint(seq); }

// Parses a stored entry for a Scan callback: false (with *bad set to
// DATA_LOSS) when it cannot be parsed, which ends the scan.
bool ParseEntry(absl::string_view v, v1::AuditEntry* e, absl::Status* bad) {
  if (e->ParseFromArray(v.data(), static_cast<int>(v.size()))) return true;
  *bad = absl::DataLossError("audit: an entry cannot be parsed");
  return false;
}

// Index keys (keys::AuditIndex), so that a filtered list reads only the
// entries it returns; field 'a' account, 'u' unit_id, 's' subject. Written
// in the entry's own batch; keys::AuditIndexVersion() marks a trail whose
// every entry is indexed.
std::string IndexPrefix(char field, absl::string_view value) { return keys::AuditIndexPrefix(field, value); }
std::string IndexKey(char field, absl::string_view value, uint64_t seq) { return keys::AuditIndex(field, value, seq); }
std::vector<std::string> IndexKeysOf(const v1::AuditEntry& e) {
  std::vector<std::string> out;
  if (!e.account().empty()) out.push_back(IndexKey('a', e.account(), e.seq()));
  if (!e.unit_id().empty()) out.push_back(IndexKey('u', e.unit_id(), e.seq()));
  if (!e.subject().empty()) out.push_back(IndexKey('s', e.subject(), e.seq()));
  return out;
}

// Copies the operations of one batch into another (the group's merged batch).
class Copier : public rocksdb::WriteBatch::Handler {
 public:
  Copier(rocksdb::WriteBatch* out, const std::map<uint32_t, rocksdb::ColumnFamilyHandle*>* handles)
      : out_(out), handles_(handles) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& k, const rocksdb::Slice& v) override {
    auto* h = Handle(cf);
    return h ? out_->Put(h, k, v) : Unknown(cf);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& k) override {
    auto* h = Handle(cf);
    return h ? out_->Delete(h, k) : Unknown(cf);
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf, const rocksdb::Slice& k) override {
    auto* h = Handle(cf);
    return h ? out_->SingleDelete(h, k) : Unknown(cf);
  }
  rocksdb::Status DeleteRangeCF(uint32_t cf, const rocksdb::Slice& b, const rocksdb::Slice& e) override {
    auto* h = Handle(cf);
    return h ? out_->DeleteRange(h, b, e) : Unknown(cf);
  }
  rocksdb::Status MergeCF(uint32_t cf, const rocksdb::Slice& k, const rocksdb::Slice& v) override {
    auto* h = Handle(cf);
    return h ? out_->Merge(h, k, v) : Unknown(cf);
  }
  void LogData(const rocksdb::Slice& blob) override { out_->PutLogData(blob); }

 private:
  rocksdb::ColumnFamilyHandle* Handle(uint32_t cf) const {
    auto it = handles_->find(cf);
    return it == handles_->end() ? nullptr : it->second;
  }
  static rocksdb::Status Unknown(uint32_t cf) {
    return rocksdb::Status::InvalidArgument("audit group commit: unknown column family ", std::to_string(cf));
  }
  rocksdb::WriteBatch* out_;
  const std::map<uint32_t, rocksdb::ColumnFamilyHandle*>* handles_;
};

}  // namespace

struct AuditLog::Writer {
  Writer(rocksdb::WriteBatch* b, v1::AuditEntry e) : batch(b), entry(std::move(e)) {}
  rocksdb::WriteBatch* batch;
  v1::AuditEntry entry;
  absl::Status status;
  bool done = false;
  absl::CondVar cv;
};

bool AuditFilter::Matches(const v1::AuditEntry& e) const {
  if (!account.empty() && e.account() != account) return false;
  if (!unit_id.empty() && e.unit_id() != unit_id) return false;
  if (!subject.empty() && e.subject() != subject) return false;
  absl::Time at = FromTs(e.at());
  if (from && at < *from) return false;
  if (to && at >= *to) return false;
  if (result == Result::kAccepted && e.result_code() != 0) return false;
  if (result == Result::kRefused && e.result_code() == 0) return false;
  return true;
}

AuditLog::AuditLog(Store* store, const Clock* clock, AuditOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(Store* store, const Clock* clock, AuditOptions options) {
  if (options.retention_days < kMinRetentionDays) {
    return absl::InvalidArgumentError(absl::StrCat("audit.retention_days: ", options.retention_days,
                                                   " is below the minimum of ", kMinRetentionDays, " days"));
  }
  if (auto probe = Digest(options.hash, ""); !probe.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("audit.hash: ", probe.status().message()));
  }
  std::unique_ptr<AuditLog> log(new AuditLog(store, clock, std::move(options)));
  absl::MutexLock l(&log->mu_);
  absl::MutexLock c(&log->checkpoint_mu_);
  log->head_hash_ = GenesisHash();
  ASSIGN_OR_RETURN(std::optional<v1::AuditCheckpoint> anchor, log->Anchor());
  if (anchor) {
    log->head_seq_ = anchor->seq();
    log->head_hash_ = anchor->head_hash();
  }
  std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(rocksdb::ReadOptions(), store->handle(Cf::kAudit)));
  // Each seek's error is its own: a later seek clears the iterator's status.
  auto seek_error = [&]() {
    return absl::InternalError(absl::StrCat("audit: rocksdb: ", it->status().ToString()));
  };
  it->SeekForPrev(EntryKey(~uint64_t{0}));
  if (!it->status().ok()) return seek_error();
  if (it->Valid() && it->key().starts_with(keys::AuditEntryPrefix())) {
    v1::AuditEntry last;
    if (!last.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("audit: the last entry cannot be parsed");
    }
    log->head_seq_ = last.seq();
    log->head_hash_ = last.hash();
  }
  log->last_checkpoint_at_ = clock->Now();
  it->SeekForPrev(CheckpointKey(~uint64_t{0}));
  if (!it->status().ok()) return seek_error();
  if (it->Valid() && it->key().starts_with(keys::AuditCheckpointPrefix())) {
    v1::AuditCheckpoint cp;
    if (!cp.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("audit: the last checkpoint cannot be parsed");
    }
    log->last_checkpoint_seq_ = cp.seq();
  }
  // A trail written before the index: index every entry once.
  ASSIGN_OR_RETURN(bool indexed, store->Exists(Cf::kAudit, keys::AuditIndexVersion()));
  if (!indexed) {
    rocksdb::WriteBatch b;
    absl::Status bad;
    RETURN_IF_ERROR(store->Scan(Cf::kAudit, keys::AuditEntryPrefix(), [&](absl::string_view, absl::string_view v) {
      v1::AuditEntry e;
      if (!ParseEntry(v, &e, &bad)) return false;
      for (const auto& k : IndexKeysOf(e)) store->Put(&b, Cf::kAudit, k, absl::string_view());
      return true;
    }));
    RETURN_IF_ERROR(bad);
    store->Put(&b, Cf::kAudit, keys::AuditIndexVersion(), absl::string_view("1"));
    RETURN_IF_ERROR(store->WriteDirect(&b));
  }
  return log;
}

absl::StatusOr<v1::AuditEntry> AuditLog::Append(rocksdb::WriteBatch* batch, v1::AuditEntry entry) {
  Writer w(batch, std::move(entry));
  RETURN_IF_ERROR(CommitGroup(&w));
  return std::move(w.entry);
}

absl::StatusOr<v1::AuditEntry> AuditLog::Record(v1::AuditEntry entry) {
  rocksdb::WriteBatch b;
  return Append(&b, std::move(entry));
}

absl::Status AuditLog::Write(rocksdb::WriteBatch* batch) {
  AuditScope* scope = AuditScope::Current();
  if (scope == nullptr || scope->recorded_seq() != 0) return store_->WriteDirect(batch);
  v1::AuditEntry e = scope->entry();
  e.set_result_code(0);
  e.clear_result_message();
  ASSIGN_OR_RETURN(v1::AuditEntry done, Append(batch, std::move(e)));
  scope->set_recorded_seq(done.seq());
  return absl::OkStatus();
}

absl::Status AuditLog::CommitGroup(Writer* w) {
  absl::MutexLock l(&mu_);
  writers_.push_back(w);
  while (!w->done && writers_.front() != w) w->cv.Wait(&mu_);
  if (w->done) return w->status;

  // The leader: chain the queue in order, then one synced write.
  std::vector<Writer*> group;
  for (Writer* g : writers_) {
    group.push_back(g);
    if (group.size() == kMaxGroup) break;
  }
  absl::Status st = fault_;
  uint64_t seq = head_seq_;
  std::string prev = head_hash_;
  std::vector<std::pair<uint64_t, std::string>> due;
  rocksdb::WriteBatch merged;
  std::map<uint32_t, rocksdb::ColumnFamilyHandle*> handles;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    auto* h = store_->handle(static_cast<Cf>(i));
    handles[h->GetID()] = h;
  }
  if (st.ok()) {
    absl::Time now = clock_->Now();
    for (Writer* g : group) {
      v1::AuditEntry& e = g->entry;
      e.set_seq(seq + 1);
      *e.mutable_at() = Ts(now);
      e.set_prev_hash(prev);
      auto h = EntryHash(options_.hash, e);
      if (!h.ok()) {
        st = h.status();
        break;
      }
      e.set_hash(*h);
      store_->Put(g->batch, Cf::kAudit, EntryKey(e.seq()), e);
      for (const auto& k : IndexKeysOf(e)) store_->Put(g->batch, Cf::kAudit, k, absl::string_view());
      ++seq;
      prev = *h;
      if (options_.checkpoint_every > 0 && seq % options_.checkpoint_every == 0) due.emplace_back(seq, prev);
      if (group.size() > 1) {
        Copier copier(&merged, &handles);
        rocksdb::Status rs = g->batch->Iterate(&copier);
        if (!rs.ok()) {
          st = absl::InternalError(absl::StrCat("audit: ", rs.ToString()));
          break;
        }
      }
    }
  }
  if (st.ok()) {
    mu_.Unlock();
    st = store_->WriteDirect(group.size() == 1 ? group[0]->batch : &merged);
    mu_.Lock();
  }
  if (st.ok()) {
    head_seq_ = seq;
    head_hash_ = prev;
    due_checkpoints_.insert(due_checkpoints_.end(), due.begin(), due.end());
  } else {
    st = absl::Status(st.code(), absl::StrCat("audit: the entry cannot be written, the act is not applied: ",
                                              st.message()));
  }
  for (Writer* g : group) {
    writers_.pop_front();
    g->status = st;
    g->done = true;
    if (g != w) g->cv.Signal();
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();
  return st;
}

absl::StatusOr<v1::AuditCheckpoint> AuditLog::SignAndStore(uint64_t seq, const std::string& hash,
                                                           v1::AuditCheckpointKind kind, rocksdb::WriteBatch* batch,
                                                           uint64_t covered_from) {
  if (!options_.signer) return absl::FailedPreconditionError("audit: no signing key is configured");
  v1::AuditCheckpoint c;
  c.set_seq(seq);
  c.set_head_hash(hash);
  if (kind == v1::AUDIT_CHECKPOINT_KIND_PERIODIC && seq > covered_from) {
    uint64_t from = covered_from + 1;
    if (options_.max_checkpoint_entries > 0 && seq - covered_from > options_.max_checkpoint_entries) {
      from = seq - options_.max_checkpoint_entries + 1;
    }
    // Entries pruned since the last checkpoint are skipped: the hashes
    // start at the first entry still held. A gap after it (which
    // verification reports as a missing entry) leaves the checkpoint
    // without entry hashes.
    absl::Status bad;
    uint64_t next = 0;
    bool contiguous = true;
    RETURN_IF_ERROR(store_->Scan(
        Cf::kAudit, keys::AuditEntryPrefix(),
        [&](absl::string_view, absl::string_view v) {
          v1::AuditEntry e;
          if (!ParseEntry(v, &e, &bad)) return false;
          if (e.seq() > seq) return false;
          if (next == 0) {
            c.set_entry_hashes_from(e.seq());
          } else if (e.seq() != next) {
            contiguous = false;
            return false;
          }
          c.add_entry_hashes(e.hash());
          next = e.seq() + 1;
          return true;
        },
        EntryKey(from)));
    RETURN_IF_ERROR(bad);
    if (!contiguous || next != seq + 1) {
      c.clear_entry_hashes();
      c.clear_entry_hashes_from();
    }
  }
  *c.mutable_at() = Ts(clock_->Now());
  c.set_hash_algorithm(HashAlgorithmName(options_.hash));
  c.set_kind(kind);
  RETURN_IF_ERROR(options_.signer->Sign(&c));
  store_->Put(batch, Cf::kAudit, CheckpointKey(seq), c);
  return c;
}

void AuditLog::AddPublisher(CheckpointPublisher p) {
  absl::MutexLock l(&checkpoint_mu_);
  publishers_.push_back(std::move(p));
}

void AuditLog::Publish(const v1::AuditCheckpoint& c) {
  std::vector<CheckpointPublisher> pubs;
  {
    absl::MutexLock l(&checkpoint_mu_);
    pubs = publishers_;
  }
  for (const auto& p : pubs) p(c);
}

absl::Status AuditLog::MaybeCheckpoint() {
  if (!options_.signer) return absl::OkStatus();
  std::vector<std::pair<uint64_t, std::string>> due;
  uint64_t head_seq;
  std::string head_hash;
  {
    absl::MutexLock l(&mu_);
    due.swap(due_checkpoints_);
    head_seq = head_seq_;
    head_hash = head_hash_;
  }
  std::vector<v1::AuditCheckpoint> signed_now;
  {
    absl::MutexLock c(&checkpoint_mu_);
    absl::Time now = clock_->Now();
    uint64_t covered = due.empty() ? last_checkpoint_seq_ : std::max(last_checkpoint_seq_, due.back().first);
    if (options_.checkpoint_interval > absl::ZeroDuration() && head_seq > covered &&
        now - last_checkpoint_at_ >= options_.checkpoint_interval) {
      due.emplace_back(head_seq, head_hash);
    }
    for (const auto& [seq, hash] : due) {
      if (seq <= last_checkpoint_seq_) continue;
      rocksdb::WriteBatch b;
      ASSIGN_OR_RETURN(v1::AuditCheckpoint cp,
                       SignAndStore(seq, hash, v1::AUDIT_CHECKPOINT_KIND_PERIODIC, &b, last_checkpoint_seq_));
      RETURN_IF_ERROR(store_->WriteDirect(&b));
      last_checkpoint_seq_ = seq;
      last_checkpoint_at_ = now;
      signed_now.push_back(std::move(cp));
    }
  }
  for (const auto& cp : signed_now) Publish(cp);
  return absl::OkStatus();
}

absl::StatusOr<v1::AuditCheckpoint> AuditLog::CheckpointNow() {
  auto [seq, hash] = Head();
  if (seq == 0) return absl::FailedPreconditionError("audit: the trail is empty");
  v1::AuditCheckpoint cp;
  {
    absl::MutexLock c(&checkpoint_mu_);
    rocksdb::WriteBatch b;
    ASSIGN_OR_RETURN(cp, SignAndStore(seq, hash, v1::AUDIT_CHECKPOINT_KIND_PERIODIC, &b,
                                      std::min(last_checkpoint_seq_, seq)));
    RETURN_IF_ERROR(store_->WriteDirect(&b));
    last_checkpoint_seq_ = std::max(last_checkpoint_seq_, seq);
    last_checkpoint_at_ = clock_->Now();
  }
  Publish(cp);
  return cp;
}

absl::StatusOr<PruneResult> AuditLog::Prune(absl::Time before, v1::AuditEntry act) {
  absl::MutexLock p(&prune_mu_);
  if (!options_.signer) return absl::FailedPreconditionError("audit: pruning needs a signing key");
  absl::Time limit = clock_->Now() - absl::Hours(24) * options_.retention_days;
  if (before > limit) {
    return absl::FailedPreconditionError(absl::StrCat(
        "before: ", absl::FormatTime(absl::RFC3339_sec, before, absl::UTCTimeZone()), " is within the ",
        options_.retention_days, "-day retention; the latest allowed is ",
        absl::FormatTime(absl::RFC3339_sec, limit, absl::UTCTimeZone())));
  }
  uint64_t first = 0, last = 0;
  std::string last_hash;
  std::vector<std::string> pruned_index;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(Cf::kAudit, keys::AuditEntryPrefix(), [&](absl::string_view, absl::string_view v) {
    v1::AuditEntry e;
    if (!ParseEntry(v, &e, &bad)) return false;
    if (FromTs(e.at()) >= before) return false;
    if (first == 0) first = e.seq();
    last = e.seq();
    last_hash = e.hash();
    for (auto& k : IndexKeysOf(e)) pruned_index.push_back(std::move(k));
    return true;
  }));
  RETURN_IF_ERROR(bad);
  PruneResult r;
  rocksdb::WriteBatch b;
  for (const auto& k : pruned_index) store_->Delete(&b, Cf::kAudit, k);
  std::string bound = absl::FormatTime(absl::RFC3339_sec, before, absl::UTCTimeZone());
  std::string detail = absl::StrCat("nothing older than ", bound, " to prune");
  if (last > 0) {
    ASSIGN_OR_RETURN(r.anchor, SignAndStore(last, last_hash, v1::AUDIT_CHECKPOINT_KIND_PRUNE, &b));
    b.DeleteRange(store_->handle(Cf::kAudit), EntryKey(0), EntryKey(last + 1));
    store_->Put(&b, Cf::kAudit, keys::AuditAnchor(), r.anchor);
    r.pruned = last - first + 1;
    detail = absl::StrCat("pruned entries ", first, "..", last, " (older than ", bound, ")");
  }
  // The pruning's own entry: the open scope's (a command), else `act`.
  AuditScope* scope = AuditScope::Current();
  if (scope != nullptr && scope->recorded_seq() == 0) act = scope->entry();
  act.set_detail(detail);
  ASSIGN_OR_RETURN(v1::AuditEntry done, Append(&b, std::move(act)));
  if (scope != nullptr && scope->recorded_seq() == 0) scope->set_recorded_seq(done.seq());
  if (last > 0) {
    spdlog::info("audit: pruned {} entries up to {}; anchor {} {}", r.pruned, last, last, Hex(last_hash));
    Publish(r.anchor);
  }
  return r;
}

absl::StatusOr<AuditPage> AuditLog::List(const AuditFilter& filter, uint64_t from_seq, size_t limit) const {
  AuditPage page;
  absl::Status bad;
  // Adds a matching entry to the page; false once the page is full (its
  // next_seq is then the first entry left out).
  auto take = [&](v1::AuditEntry e) {
    if (!filter.Matches(e)) return true;
    if (page.entries.size() == limit) {
      page.next_seq = e.seq();
      return false;
    }
    page.entries.push_back(std::move(e));
    return true;
  };
  // With a subject, account or unit filter, only the entries the index
  // names are read (the most selective field first).
  char field = 0;
  std::string value;
  if (!filter.subject.empty()) {
    field = 's', value = filter.subject;
  } else if (!filter.account.empty()) {
    field = 'a', value = filter.account;
  } else if (!filter.unit_id.empty()) {
    field = 'u', value = filter.unit_id;
  }
  if (field != 0) {
    const std::string prefix = IndexPrefix(field, value);
    absl::Status read;
    RETURN_IF_ERROR(store_->Scan(
        Cf::kAudit, prefix,
        [&](absl::string_view k, absl::string_view) {
          if (k.size() != prefix.size() + 8) return true;
          uint64_t seq = 0;
          for (char ch : k.substr(prefix.size())) seq = (seq << 8) | static_cast<uint8_t>(ch);
          v1::AuditEntry e;
          absl::Status s = store_->GetProto(Cf::kAudit, EntryKey(seq), &e);
          if (absl::IsNotFound(s)) return true;  // pruned meanwhile
          if (!s.ok()) {
            read = s;
            return false;
          }
          return take(std::move(e));
        },
        IndexKey(field, value, from_seq)));
    RETURN_IF_ERROR(read);
    return page;
  }
  RETURN_IF_ERROR(store_->Scan(
      Cf::kAudit, keys::AuditEntryPrefix(),
      [&](absl::string_view, absl::string_view v) {
        v1::AuditEntry e;
        if (!ParseEntry(v, &e, &bad)) return false;
        return take(std::move(e));
      },
      EntryKey(std::max<uint64_t>(from_seq, 0))));
  RETURN_IF_ERROR(bad);
  return page;
}

absl::Status AuditLog::Export(const std::function<bool(const v1::AuditTrailLine&)>& fn) const {
  // One snapshot, so the anchor and the entries agree.
  const rocksdb::Snapshot* snap = store_->db()->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  absl::Status st;
  {
    std::string v;
    rocksdb::Status s = store_->db()->Get(ro, store_->handle(Cf::kAudit), keys::AuditAnchor(), &v);
    bool go = true;
    if (s.ok()) {
      v1::AuditTrailLine line;
      if (!line.mutable_anchor()->ParseFromString(v)) st = absl::DataLossError("audit: the anchor cannot be parsed");
      else go = fn(line);
    } else if (!s.IsNotFound()) {
      st = absl::InternalError(absl::StrCat("audit: rocksdb: ", s.ToString()));
    }
    if (st.ok() && go) {
      std::string upper = "f";
      rocksdb::Slice upper_slice(upper);
      ro.iterate_upper_bound = &upper_slice;
      std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->handle(Cf::kAudit)));
      for (it->Seek(keys::AuditEntryPrefix()); it->Valid(); it->Next()) {
        v1::AuditTrailLine line;
        if (!line.mutable_entry()->ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
          st = absl::DataLossError("audit: an entry cannot be parsed");
          break;
        }
        if (!fn(line)) break;
      }
      if (st.ok() && !it->status().ok()) st = absl::InternalError(absl::StrCat("audit: ", it->status().ToString()));
    }
  }
  store_->db()->ReleaseSnapshot(snap);
  return st;
}

absl::StatusOr<std::vector<v1::AuditCheckpoint>> AuditLog::Checkpoints(uint64_t after_seq) const {
  std::vector<v1::AuditCheckpoint> out;
  absl::Status bad;
  RETURN_IF_ERROR(store_->Scan(
      Cf::kAudit, keys::AuditCheckpointPrefix(),
      [&](absl::string_view, absl::string_view v) {
        v1::AuditCheckpoint c;
        if (!c.ParseFromArray(v.data(), static_cast<int>(v.size()))) {
          bad = absl::DataLossError(absl::StrCat("audit: the checkpoint after ",
                                                 out.empty() ? after_seq : out.back().seq(), " cannot be parsed"));
          return false;
        }
        out.push_back(std::move(c));
        return true;
      },
      CheckpointKey(after_seq + 1)));
  RETURN_IF_ERROR(bad);
  return out;
}

absl::StatusOr<std::optional<v1::AuditCheckpoint>> AuditLog::Anchor() const {
  v1::AuditCheckpoint c;
  absl::Status s = store_->GetProto(Cf::kAudit, keys::AuditAnchor(), &c);
  if (absl::IsNotFound(s)) return std::optional<v1::AuditCheckpoint>();
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("audit anchor: ", s.message()));
  return std::optional<v1::AuditCheckpoint>(std::move(c));
}

std::pair<uint64_t, std::string> AuditLog::Head() const {
  absl::MutexLock l(&mu_);
  return {head_seq_, head_hash_};
}

void AuditLog::InjectAppendFaultForTesting(absl::Status s) {
  absl::MutexLock l(&mu_);
  fault_ = std::move(s);
}

}  // namespace duban::audit
