#!/usr/bin/env bash
# Builds the libFuzzer targets in the ASan+UBSan build folder (build-asan,
# or $DUBAN_ASAN_BUILD_DIR; scripts/sanitizers/configure.sh), where all the
# code they reach carries coverage counters, and runs each for a bounded time
# (default 30 s, $DUBAN_FUZZ_SECONDS) on a copy of its corpus in
# tests/fuzz/corpus/. A crash, leak or sanitizer report fails the script.
# After scripts/sanitize.sh address the targets are already built.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${DUBAN_FUZZ_SECONDS:-30}"
scripts/setup.sh
build="$(scripts/sanitizers/configure.sh address)"
targets=(plan_loader_fuzz rule_files_fuzz token_fuzz command_fuzz plan_draft_fuzz)
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
for t in "${targets[@]}"; do
  corpus="$build/corpus/${t%_fuzz}"
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"${t%_fuzz}"/* "$corpus"/ 2>/dev/null || true
  extra=()
  dict="tests/fuzz/${t%_fuzz}.dict"
  [ -f "$dict" ] && extra+=(-dict="$dict")
  echo "fuzz: $t for ${seconds}s"
  "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/$t-" "${extra[@]}" "$corpus" >"$build/$t.log" 2>&1 || {
    tail -50 "$build/$t.log"
    echo "fuzz: $t failed (log: $build/$t.log)"
    exit 1
  }
  grep -E "^stat::number_of_executed_units" "$build/$t.log" || true
done
echo "fuzz: every target ran ${seconds}s without a crash"
