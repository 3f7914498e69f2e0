// Batch: the reads and writes of one command or of one batch of fired
// timers, committed as one WriteBatch with its notifications: a Txn
// (engine/storage/pipeline.h) that carries the parts' shared context, so
// that the effects of every part (obligations, tasks, supervision) can be
// written into the same batch without knowing the Engine.
//
// Owns: its WriteBatch, its read overlay and its notifications (Txn's).
// Reads: the store through the overlay; the context for the parts' effects.
// Thread-safety: one Batch belongs to one thread at a time (a command's
// caller, or the timer runner's run). The context outlives it.
#ifndef DUBAN_ENGINE_CORE_BATCH_H_
#define DUBAN_ENGINE_CORE_BATCH_H_

#include <string>
#include <utility>

#include "engine/core/context.h"
#include "engine/storage/keys.h"
#include "engine/storage/pipeline.h"

namespace duban {

class Batch : public Txn {
 public:
  Batch(const PartContext* ctx, absl::Time now) : Txn(ctx->store, now), ctx_(ctx) {}

  template <typename T>
  absl::Status Get(Cf cf, const std::string& key, T* msg) {
    return Txn::Get(cf, key, msg);
  }
  void AddTimer(v1::Timer t) {
    Put(Cf::kTimers, keys::Timer(absl::ToUnixMicros(FromTs(t.due())), t.id()), t);
  }
  // Stamps the notification with the batch's time.
  void Notify(v1::Notification n) {
    *n.mutable_created_at() = Ts(now_);
    Txn::Notify(std::move(n));
  }
  // Commits through the context's pipeline (Pipeline::Commit).
  absl::Status Commit() { return ctx_->pipeline->Commit(this); }
  const PartContext& ctx() const { return *ctx_; }

 private:
  const PartContext* ctx_;
};

}  // namespace duban

#endif  // DUBAN_ENGINE_CORE_BATCH_H_
