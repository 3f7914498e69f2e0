// Linked into every executable of a ThreadSanitizer build (DUBAN_SANITIZE=
// thread) and nowhere else.
//
// Debian's abseil is not built with ThreadSanitizer, so TSan cannot see
// absl::Mutex, absl::CondVar or absl::Notification synchronise anything, and
// would report every access to data they guard as a race. These definitions
// take the place of abseil's (an executable's symbols come first), call the
// library's own through dlsym(RTLD_NEXT), and tell TSan what happened: a
// lock acquires the mutex, an unlock releases it, a wait does both.
// Nothing here changes what the program does.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/base/config.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

#define DUBAN_STR2(x) #x
#define DUBAN_STR(x) DUBAN_STR2(x)

// The mangled name of absl::<inline namespace>::<rest>; "K" for a const method.
std::string Mangled(bool is_const, const char* rest) {
  const char* ns = DUBAN_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  return std::string(is_const ? "_ZNK4absl" : "_ZN4absl") + std::to_string(std::strlen(ns)) + ns + rest;
}

template <typename F>
F Real(bool is_const, const char* rest) {
  std::string name = Mangled(is_const, rest);
  void* p = ::dlsym(RTLD_NEXT, name.c_str());
  if (p == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found\n", name.c_str());
    std::abort();
  }
  return reinterpret_cast<F>(p);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}
void Mutex::ReaderLock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}
bool Mutex::TryLock() {
  static auto real = Real<bool (*)(Mutex*)>(false, "5Mutex7TryLockEv");
  bool ok = real(this);
  if (ok) __tsan_acquire(this);
  return ok;
}
bool Mutex::ReaderTryLock() {
  static auto real = Real<bool (*)(Mutex*)>(false, "5Mutex13ReaderTryLockEv");
  bool ok = real(this);
  if (ok) __tsan_acquire(this);
  return ok;
}
void Mutex::Unlock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}
void Mutex::ReaderUnlock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}
void Mutex::LockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(false, "5Mutex8LockWhenERKNS0_9ConditionE");
  real(this, cond);
  __tsan_acquire(this);
}
void Mutex::ReaderLockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(false, "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  real(this, cond);
  __tsan_acquire(this);
}
bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      false, "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  bool r = real(this, cond, timeout);
  __tsan_acquire(this);  // held on return either way
  return r;
}
bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      false, "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  bool r = real(this, cond, timeout);
  __tsan_acquire(this);
  return r;
}
void Mutex::Await(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(false, "5Mutex5AwaitERKNS0_9ConditionE");
  __tsan_release(this);
  real(this, cond);
  __tsan_acquire(this);
}
bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      false, "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  __tsan_release(this);
  bool r = real(this, cond, timeout);
  __tsan_acquire(this);
  return r;
}
bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      false, "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  bool r = real(this, mu, timeout);
  __tsan_acquire(mu);
  return r;
}
bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, absl::Time)>(
      false, "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  bool r = real(this, mu, deadline);
  __tsan_acquire(mu);
  return r;
}
void CondVar::Wait(Mutex* mu) {
  static auto real = Real<void (*)(CondVar*, Mutex*)>(false, "7CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}
void Notification::Notify() {
  static auto real = Real<void (*)(Notification*)>(false, "12Notification6NotifyEv");
  __tsan_release(this);
  real(this);
}
void Notification::WaitForNotification() const {
  static auto real = Real<void (*)(const Notification*)>(true, "12Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}
bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  static auto real = Real<bool (*)(const Notification*, absl::Duration)>(
      true, "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  bool r = real(this, timeout);
  if (r) __tsan_acquire(const_cast<Notification*>(this));
  return r;
}

ABSL_NAMESPACE_END
}  // namespace absl
