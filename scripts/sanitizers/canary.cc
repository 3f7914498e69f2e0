// sanitizer_canary: faults planted on purpose, so that a sanitizer stage can
// show it would catch one (scripts/sanitize.sh runs it before the suite).
// Built only in a sanitizer build (DUBAN_SANITIZE).
//
//   sanitizer_canary heap-overflow   reads past a heap block        (ASan)
//   sanitizer_canary signed-overflow overflows a signed int         (UBSan)
//   sanitizer_canary race            two threads write one int,
//                                    each under its own absl::Mutex (TSan)
//   sanitizer_canary mutex-ok        two threads write one int under
//                                    the same absl::Mutex: no report (TSan)
//
// The last two check the annotations that tell TSan about Debian's
// uninstrumented abseil (tsan_absl_sync.cc): a shared lock orders the writes,
// two different locks do not.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace {

volatile int sink;

int HeapOverflow() {
  auto block = std::make_unique<char[]>(16);
  std::memset(block.get(), 1, 16);
  volatile int i = 16;
  sink = block[i];
  return 0;
}

int SignedOverflow() {
  volatile int big = 0x7fffffff;
  int one = 1;
  sink = big + one;
  return 0;
}

int Writes(bool same_mutex) {
  static int shared = 0;
  static absl::Mutex a, b;
  auto run = [](absl::Mutex* mu) {
    for (int i = 0; i < 1000; ++i) {
      absl::MutexLock l(mu);
      shared = shared + 1;
    }
  };
  std::thread t1(run, &a);
  std::thread t2(run, same_mutex ? &a : &b);
  t1.join();
  t2.join();
  sink = shared;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "";
  if (std::strcmp(what, "heap-overflow") == 0) return HeapOverflow();
  if (std::strcmp(what, "signed-overflow") == 0) return SignedOverflow();
  if (std::strcmp(what, "race") == 0) return Writes(false);
  if (std::strcmp(what, "mutex-ok") == 0) return Writes(true);
  std::fprintf(stderr, "usage: sanitizer_canary heap-overflow|signed-overflow|race|mutex-ok\n");
  return 2;
}
