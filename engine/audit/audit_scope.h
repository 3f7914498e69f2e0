// AuditScope: the audit entry of the act the current thread is carrying
// out, waiting for the act's WriteBatch.
//
// Whoever starts an act (the gRPC layer for a command, the timer runner for
// a firing) opens a scope with the entry's who / what / where. The first
// Store::Write on that thread while the scope is open carries the entry: the
// audit log chains it into that very batch (AuditLog::Write). When the act
// ends without such a write (a refusal, a replayed request, a read that is
// audited such as an export), its opener records the entry on its own
// (AuditLog::Record). Scopes nest (a command that fires timers); the
// innermost is current. A scope belongs to the thread that opened it and
// must be closed there.
#ifndef DUBAN_ENGINE_AUDIT_AUDIT_SCOPE_H_
#define DUBAN_ENGINE_AUDIT_AUDIT_SCOPE_H_

#include <cstdint>
#include <utility>

#include "duban/v1/audit.pb.h"

namespace duban::audit {

class AuditScope {
 public:
  explicit AuditScope(v1::AuditEntry entry) : entry_(std::move(entry)), outer_(current_) { current_ = this; }
  ~AuditScope() {
    if (current_ == this) current_ = outer_;
  }
  AuditScope(const AuditScope&) = delete;
  AuditScope& operator=(const AuditScope&) = delete;

  // The innermost open scope of this thread, or nullptr.
  static AuditScope* Current() { return current_; }

  v1::AuditEntry& entry() { return entry_; }
  // The seq of the entry once it committed with the act's batch; 0 before.
  uint64_t recorded_seq() const { return recorded_seq_; }
  void set_recorded_seq(uint64_t seq) { recorded_seq_ = seq; }

 private:
  v1::AuditEntry entry_;
  uint64_t recorded_seq_ = 0;
  AuditScope* outer_;
  static inline thread_local AuditScope* current_ = nullptr;
};

}  // namespace duban::audit

#endif  // DUBAN_ENGINE_AUDIT_AUDIT_SCOPE_H_
