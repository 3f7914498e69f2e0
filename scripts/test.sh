#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build="${DUBAN_BUILD_DIR:-build}"
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 600
