// The command pipeline: the one path by which every command and every
// timer firing changes the store.
//
// A command takes these steps, in this order:
//   1. check meta (actor, comment, request id);
//   2. replay: a request id is scoped to its actor; a retry with the same
//      fingerprint (a hash of the whole request) returns the first result
//      and writes nothing, a different request under the same id is
//      ALREADY_EXISTS;
//   3. lock the command's subjects (striped keyed locks, taken in stripe
//      order; the request record's key is always one of them). No lock that
//      every command shares is held while the batch is synced;
//   4. read and decide (the caller's function, given a Txn);
//   5. build one WriteBatch: records, events, the index keys that changed,
//      notifications, the request record and the audit entry (AuditSink);
//   6. commit it synced (Pipeline::Commit; RocksDB groups concurrent synced
//      writers into one WAL sync);
//   7. publish the notifications and write one log line.
//
// Thread-safe. The pipeline does not own the store or the outbox.
#ifndef DUBAN_ENGINE_STORAGE_PIPELINE_H_
#define DUBAN_ENGINE_STORAGE_PIPELINE_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "duban/v1/model.pb.h"
#include "engine/storage/outbox.h"
#include "engine/storage/store.h"

namespace duban {

// Carried by every command.
struct CommandMeta {
  std::string actor;
  std::string comment;
  std::string request_id;
  uint64_t expected_version = 0;  // 0: no check
};

// "<kind>:<hash of body>", for request_id replays. The hash is stable
// across builds and restarts (it is stored).
std::string Fingerprint(absl::string_view kind, absl::string_view body);

// Appends one field of a request to a fingerprint body, length-prefixed so
// that no two different requests give the same body.
void AddField(std::string* body, absl::string_view value);
void AddField(std::string* body, int64_t value);
void AddField(std::string* body, const std::vector<std::string>& values);

// Striped locks on named subjects ("T17", "score|swj", ...). Two subjects
// may share a stripe; that only serialises more than needed.
class KeyLocks {
 public:
  static constexpr size_t kStripes = 1024;

  // Holds the stripes of a set of subjects until destroyed.
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& o) noexcept : held_(std::move(o.held_)) { o.held_.clear(); }
    Guard& operator=(Guard&& o) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { Release(); }
    void Release();

   private:
    friend class KeyLocks;
    std::vector<absl::Mutex*> held_;
  };

  // Locks the stripes of every subject, in stripe order (so two commands
  // with overlapping subjects never deadlock).
  Guard Lock(const std::vector<std::string>& subjects);
  // Locks every stripe, in order: no command runs until the guard goes.
  // For rare administrative changes across many records (a rule reload
  // that moves deadlines), never for a command.
  Guard LockAll();

 private:
  std::array<absl::Mutex, kStripes> stripes_;
};

// The reads and writes of one command (or one batch of fired timers): reads
// see the transaction's own writes first; nothing reaches the store before
// Pipeline::Commit.
class Txn {
 public:
  Txn(Store* store, absl::Time now) : store_(store), now_(now) {}
  virtual ~Txn() = default;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // NotFound when absent (or deleted in this transaction), DataLoss when the
  // record cannot be parsed.
  absl::Status Get(Cf cf, const std::string& key, google::protobuf::MessageLite* msg);
  void Put(Cf cf, const std::string& key, const google::protobuf::MessageLite& msg);
  void PutRaw(Cf cf, const std::string& key, const std::string& value);
  void Delete(Cf cf, const std::string& key);
  void Notify(v1::Notification n);

  absl::Time now() const { return now_; }
  Store* store() const { return store_; }
  rocksdb::WriteBatch* batch() { return &batch_; }
  std::vector<v1::Notification>* notes() { return &notes_; }

 protected:
  Store* store_;
  absl::Time now_;

 private:
  rocksdb::WriteBatch batch_;
  std::map<std::pair<Cf, std::string>, std::optional<std::string>> overlay_;
  std::vector<v1::Notification> notes_;
};

// What a command was, for the log line and the audit trail.
struct CommandInfo {
  std::string subject_kind;  // "task", "obligation", "supervision", "timer" ...
  std::string subject_id;
  std::string command;
  CommandMeta meta;
};

// Told about every command that commits, before its commit, with the batch
// it will commit: an implementation adds its audit entry to the batch, so
// the entry commits with the change or not at all. Called with the
// command's subjects locked; must not call back into the pipeline.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual absl::Status OnCommand(const CommandInfo& command, const google::protobuf::MessageLite& result,
                                 rocksdb::WriteBatch* batch) = 0;
};

// A command for Pipeline::Run.
struct CommandSpec {
  CommandInfo info;
  // The whole request, built with AddField; fingerprinted for replays.
  std::string body;
  // The subjects the command reads and writes, locked for its duration.
  std::vector<std::string> subjects;
};

template <typename M>
struct Outcome {
  M value;
  bool replayed = false;
};

class Pipeline {
 public:
  Pipeline(Store* store, Outbox* outbox);
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Step 1. INVALID_ARGUMENT naming the field at fault.
  static absl::Status CheckMeta(const CommandMeta& meta);

  // Installs the audit sink (nullptr: none). Set before commands run.
  void SetAuditSink(AuditSink* sink) { audit_ = sink; }

  KeyLocks& locks() { return locks_; }

  // The serialized result of an earlier command with the same actor and
  // request id and the same fingerprint; ALREADY_EXISTS for a different
  // request under that id; nullopt when there is none (or no request id).
  absl::StatusOr<std::optional<std::string>> Replay(const CommandMeta& meta, const std::string& fingerprint) const;
  // Adds the request record to the transaction (no-op without a request id).
  static void RecordRequest(Txn* txn, const CommandMeta& meta, const std::string& fingerprint,
                            const google::protobuf::MessageLite& result);
  // The lock subject of a request record.
  static std::string RequestSubject(const CommandMeta& meta);

  // Step 6 and 7's publishing: assigns the notifications their sequence
  // numbers, adds them to the batch, writes the batch synced and publishes
  // the notifications. The only place a command's batch reaches the store.
  absl::Status Commit(Txn* txn);
  absl::Status Commit(rocksdb::WriteBatch* batch, std::vector<v1::Notification>* notes);

  // Calls the audit sink, if any, for a command about to commit.
  absl::Status Audit(const CommandInfo& info, const google::protobuf::MessageLite& result, rocksdb::WriteBatch* batch);

  // Steps 1 to 7 for one command. `txn` is a fresh transaction (a Txn or a
  // subclass); decide reads through it and adds its writes, and returns the
  // result (a protobuf message) or the error refusing the command.
  template <typename M, typename T>
  absl::StatusOr<Outcome<M>> Run(const CommandSpec& spec, T* txn, absl::FunctionRef<absl::StatusOr<M>(T&)> decide);

  // The one log line of a command.
  static void Log(const CommandInfo& info, const absl::Status& result, bool replayed, absl::Time start);

 private:
  Store* store_;
  Outbox* outbox_;
  AuditSink* audit_ = nullptr;
  KeyLocks locks_;
};

template <typename M, typename T>
absl::StatusOr<Outcome<M>> Pipeline::Run(const CommandSpec& spec, T* txn,
                                         absl::FunctionRef<absl::StatusOr<M>(T&)> decide) {
  absl::Time start = absl::Now();
  bool replayed = false;
  absl::StatusOr<Outcome<M>> out = [&]() -> absl::StatusOr<Outcome<M>> {
    absl::Status s = CheckMeta(spec.info.meta);
    if (!s.ok()) return s;
    std::string fp = Fingerprint(spec.info.command, spec.body);
    std::vector<std::string> subjects = spec.subjects;
    if (!spec.info.meta.request_id.empty()) subjects.push_back(RequestSubject(spec.info.meta));
    KeyLocks::Guard guard = locks_.Lock(subjects);
    auto earlier = Replay(spec.info.meta, fp);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      Outcome<M> r;
      if (!r.value.ParseFromString(**earlier)) return absl::DataLossError("requests: record cannot be parsed");
      r.replayed = replayed = true;
      return r;
    }
    absl::StatusOr<M> decided = decide(*txn);
    if (!decided.ok()) return decided.status();
    RecordRequest(txn, spec.info.meta, fp, *decided);
    s = Audit(spec.info, *decided, txn->batch());
    if (!s.ok()) return s;
    s = Commit(txn);
    if (!s.ok()) return s;
    Outcome<M> r;
    r.value = std::move(*decided);
    return r;
  }();
  Log(spec.info, out.status(), replayed, start);
  return out;
}

}  // namespace duban

#endif  // DUBAN_ENGINE_STORAGE_PIPELINE_H_
