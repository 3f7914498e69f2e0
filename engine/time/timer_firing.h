// TimerFiring: the reads and writes of one batch of fired timers or of one
// command, committed as one WriteBatch with its notifications. Internal to
// the engine (scheduler.cc, supervision.cc).
#ifndef DUBAN_ENGINE_TIME_TIMER_FIRING_H_
#define DUBAN_ENGINE_TIME_TIMER_FIRING_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/storage/keys.h"

namespace duban {

// The reads and writes of one batch of fired timers (or of one command):
// reads see this batch's own writes first.
class TimerFiring {
 public:
  TimerFiring(Engine* e, absl::Time now) : e_(e), store_(e->store_.get()), now_(now) {}

  template <typename T>
  absl::Status Get(Cf cf, const std::string& key, T* msg) {
    auto it = overlay_.find({cf, key});
    if (it != overlay_.end()) {
      if (!it->second) return absl::NotFoundError("deleted");
      return msg->ParseFromString(*it->second) ? absl::OkStatus() : absl::DataLossError("unparsable");
    }
    return store_->GetProto(cf, key, msg);
  }
  void Put(Cf cf, const std::string& key, const google::protobuf::MessageLite& msg) {
    std::string v = msg.SerializeAsString();
    store_->Put(&batch_, cf, key, v);
    overlay_[{cf, key}] = std::move(v);
  }
  void PutRaw(Cf cf, const std::string& key, const std::string& v) {
    store_->Put(&batch_, cf, key, v);
    overlay_[{cf, key}] = v;
  }
  void Delete(Cf cf, const std::string& key) {
    store_->Delete(&batch_, cf, key);
    overlay_[{cf, key}] = std::nullopt;
  }
  void AddTimer(v1::Timer t) {
    Put(Cf::kTimers, keys::Timer(absl::ToUnixMicros(FromTs(t.due())), t.id()), t);
  }
  // Keeps a command's result for retries with the same request_id.
  void RecordRequest(const CommandMeta& meta, const std::string& fingerprint,
                     const google::protobuf::MessageLite& result) {
    if (meta.request_id.empty()) return;
    v1::CommandRecord rec;
    rec.set_request_id(meta.request_id);
    rec.set_fingerprint(fingerprint);
    rec.set_result(result.SerializeAsString());
    Put(Cf::kRequests, meta.request_id, rec);
  }
  void Notify(v1::Notification n) {
    *n.mutable_created_at() = Ts(now_);
    notes_.push_back(std::move(n));
  }
  absl::Status Commit() { return e_->outbox_->Commit(&batch_, &notes_); }
  Engine* engine() { return e_; }
  rocksdb::WriteBatch* batch() { return &batch_; }
  absl::Time now() const { return now_; }

  // ---- effects
  absl::Status Fire(const v1::Timer& t, bool late);
  absl::Status Score(const std::string& unit, const std::function<void(v1::UnitScore*)>& fn);
  absl::Status ObligationEvent(v1::Obligation* o, const std::string& kind, v1::ObligationState to,
                               const std::string& actor, const std::string& text, bool late);

 private:
  absl::Status Tick(const v1::Timer& t, bool late);
  absl::Status Remind(const v1::Timer& t, bool late);
  absl::Status Deadline(const v1::Timer& t, bool late);
  absl::Status Warn(const v1::Timer& t, bool late);
  // Supervision (supervision.cc).
  absl::Status EscalationDue(const v1::Timer& t, bool late);
  absl::Status SupervisionDeadlineDue(const v1::Timer& t, bool late);
  absl::Status LookbackDue(const v1::Timer& t, bool late);

  Engine* e_;
  Store* store_;
  absl::Time now_;
  rocksdb::WriteBatch batch_;
  std::map<std::pair<Cf, std::string>, std::optional<std::string>> overlay_;
  std::vector<v1::Notification> notes_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_TIME_TIMER_FIRING_H_
