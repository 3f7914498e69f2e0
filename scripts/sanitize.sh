#!/usr/bin/env bash
# Builds duban under a sanitizer in its own build folder and runs every test
# there (CTest). Fails on a failing test or on any sanitizer report, from a
# test binary or from a duband it started.
#   scripts/sanitize.sh address   # AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan
#   scripts/sanitize.sh thread    # ThreadSanitizer, in build-tsan
# Suppressions (scripts/sanitizers/) name only the uninstrumented Debian
# libraries (gRPC, RocksDB and what they use), never duban's code.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-}"
case "$kind" in
  address|thread) ;;
  *) echo "usage: scripts/sanitize.sh address|thread" >&2; exit 2 ;;
esac
scripts/setup.sh
build="$(scripts/sanitizers/configure.sh "$kind")"
cmake --build "$build" -j"$(nproc)"
# First the canaries (scripts/sanitizers/canary.cc): faults planted on
# purpose must be reported, and correctly locked code must not be; otherwise a
# stage could pass because its sanitizer never speaks.
canary() {  # canary MODE report|none [PATTERN]
  local dir="$PWD/$build/canary-$1" rc
  rm -rf "$dir"
  mkdir -p "$dir"
  ASAN_OPTIONS="log_path=$dir/asan:detect_leaks=0" UBSAN_OPTIONS="log_path=$dir/ubsan:halt_on_error=1" \
    TSAN_OPTIONS="log_path=$dir/tsan" "$build/sanitizer_canary" "$1" >"$dir.out" 2>&1 && rc=0 || rc=$?
  if [ "$2" = report ]; then
    if ! grep -qs "$3" "$dir"/* "$dir.out"; then
      echo "sanitize $kind: the planted fault '$1' was not reported ('$3' expected)" >&2
      exit 1
    fi
  elif ((rc != 0)) || compgen -G "$dir/*" >/dev/null || grep -qs "Sanitizer" "$dir.out"; then
    echo "sanitize $kind: the canary '$1' has no fault but was reported:" >&2
    cat "$dir"/* "$dir.out" >&2
    exit 1
  fi
  echo "sanitize $kind: canary '$1': as expected"
}
if [ "$kind" = address ]; then
  canary heap-overflow report "heap-buffer-overflow"
  canary signed-overflow report "signed integer overflow"
else
  canary race report "data race"
  canary mutex-ok none
fi
supp="$PWD/scripts/sanitizers"
reports="$PWD/$build/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
export TSAN_OPTIONS="log_path=$reports/tsan:suppressions=$supp/tsan.supp:second_deadlock_stack=1:print_suppressions=0"
# Sanitized code runs several times slower: the tests wait that many times
# longer for duband to start, for RPCs and for files (DUBAN_TEST_TIME_SCALE,
# tests/test_util.h); what they check is the same. CTest's per-test limits
# are five times longer in a sanitizer build (tests/CMakeLists.txt).
if [ "$kind" = address ]; then
  export DUBAN_TEST_TIME_SCALE="${DUBAN_TEST_TIME_SCALE:-4}"
else
  export DUBAN_TEST_TIME_SCALE="${DUBAN_TEST_TIME_SCALE:-10}"
fi
rc=0
# Sanitized tests wait more than they compute (for syncs, for duband, for
# the browser): CTest runs DUBAN_SANITIZE_TEST_JOBS of them at once (default:
# twice the number of cores; the tests' own waits are scaled above).
jobs="${DUBAN_SANITIZE_TEST_JOBS:-$(( 2 * $(nproc) ))}"
(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 1800) || rc=$?
shopt -s nullglob
found=("$reports"/*)
if ((${#found[@]})); then
  echo "sanitize $kind: ${#found[@]} report file(s):" >&2
  for f in "${found[@]}"; do
    echo "== $f" >&2
    head -n 60 "$f" >&2
  done
  rc=1
fi
if ((rc == 0)); then echo "sanitize $kind: clean"; fi
exit "$rc"
