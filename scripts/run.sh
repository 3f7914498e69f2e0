#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and start duband on
# 127.0.0.1:7420 with its data under ./data, loaded with the demo plan on the
# first start. Extra arguments go to duband.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target duband dubanctl
build="${DUBAN_BUILD_DIR:-build}"
cat <<MSG
duband is starting on 127.0.0.1:7420 (data in ./data) in the local development
mode: every unit and office of the demo plan has an account, with a generated
password in data/dev-credentials.txt (mode 0600); the administrators' one-time
credentials are in data/bootstrap-credentials.txt. The web desk is on
http://127.0.0.1:7480/ (sign in with an account and its password from
data/dev-credentials.txt, e.g. swj, fgj or huang-tao). In another shell:
  $build/clients/dubanctl login office < <(awk '\$1=="office"{print \$2}' data/dev-credentials.txt)
  $build/clients/dubanctl campaign list
  $build/clients/dubanctl task list --campaign=economy
Stop it with Ctrl-C.
MSG
exec "$build/services/duband" --config=config/duband.yaml --dev_accounts "$@"
