#!/usr/bin/env bash
# Configures a sanitizer build folder and prints its path:
#   scripts/sanitizers/configure.sh address   # ASan + UBSan (+ the fuzz targets), build-asan
#   scripts/sanitizers/configure.sh thread    # TSan, build-tsan
# scripts/sanitize.sh and scripts/fuzz.sh both build in what this
# configures, so the ASan+UBSan folder is compiled once for the suite and the
# fuzzers.
# clang-14 at -O0 -g1 (line numbers in reports): the build, not the tests,
# is most of a sanitizer stage on a 2-core machine, and clang compiles this
# code at -O0 in about half the time GCC takes (and -O0 in half that of -O1).
# A build folder made with another compiler is made anew.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind="${1:-}"
fuzz=OFF
case "$kind" in
  address) build="${DUBAN_ASAN_BUILD_DIR:-build-asan}"; fuzz=ON ;;
  thread) build="${DUBAN_TSAN_BUILD_DIR:-build-tsan}" ;;
  *) echo "usage: scripts/sanitizers/configure.sh address|thread" >&2; exit 2 ;;
esac
if [ -f "$build/CMakeCache.txt" ] && ! grep -q "^CMAKE_CXX_COMPILER:.*clang++-14" "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-O0 -g1" \
  -DCMAKE_CXX_FLAGS="-O0 -g1" -DDUBAN_SANITIZE="$kind" -DDUBAN_FUZZ="$fuzz" >/dev/null
echo "$build"
