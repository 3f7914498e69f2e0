// A shared library for LD_PRELOAD that makes a whole process's fsync and
// fdatasync fail with EIO while a trigger file exists: the file named by
// the environment variable DUBAN_FAIL_SYNC_WHEN. The end-to-end tests start
// duband with it to see what the daemon does when its disk stops taking
// synced writes (the in-process form is tests/fault_fs.h).
//
// Built without sanitizers: it only forwards to the C library.
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

namespace {

bool Failing() {
  const char* trigger = ::getenv("DUBAN_FAIL_SYNC_WHEN");
  return trigger != nullptr && ::access(trigger, F_OK) == 0;
}

using SyncFn = int (*)(int);

SyncFn Next(const char* name) { return reinterpret_cast<SyncFn>(::dlsym(RTLD_NEXT, name)); }

}  // namespace

extern "C" int fdatasync(int fd) {
  static SyncFn next = Next("fdatasync");
  if (Failing()) {
    errno = EIO;
    return -1;
  }
  return next(fd);
}

extern "C" int fsync(int fd) {
  static SyncFn next = Next("fsync");
  if (Failing()) {
    errno = EIO;
    return -1;
  }
  return next(fd);
}
