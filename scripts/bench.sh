#!/usr/bin/env bash
# The throughput benchmark in one command: builds duband and pipeline_bench,
# starts a private PostgreSQL server on a random loopback port (installing
# the Debian package postgresql when missing; DUBAN_BENCH_PG=0 skips the
# peer), runs bench/pipeline_bench and stops what it started.
#   scripts/bench.sh                      # ceilings, duband, PostgreSQL
#   scripts/bench.sh --sections=scale     # the 1M-task / 10M-event store
# Any flag is passed on to pipeline_bench (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build="${DUBAN_BUILD_DIR:-build}"
scripts/build.sh --target duband pipeline_bench >/dev/null
args=("$@")
pgdir=""
cleanup() {
  if [ -n "$pgdir" ] && [ -d "$pgdir" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
}
trap cleanup EXIT
wants_pg=1
for a in "$@"; do
  case "$a" in --sections=*) [[ "$a" == *pg* ]] || wants_pg=0 ;; esac
done
if [ "${DUBAN_BENCH_PG:-1}" != 0 ] && [ "$wants_pg" = 1 ]; then
  if ! ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1; then
    echo "bench: installing postgresql"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  export PATH="$pgbin:$PATH"
  pgdir="$(mktemp -d /tmp/duban-bench-pg-XXXXXX)"
  chown postgres "$pgdir"
  port=$(( 20000 + RANDOM % 20000 ))
  export PGPASSWORD="bench-$RANDOM$RANDOM"
  echo "$PGPASSWORD" > "$pgdir/pw" && chown postgres "$pgdir/pw"
  runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -U duban --pwfile="$pgdir/pw" -A scram-sha-256 >/dev/null
  # Durable like duband: fsync on, synchronous commit, full page writes.
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $pgdir -c fsync=on -c synchronous_commit=on -c max_connections=100" \
    start >/dev/null
  psql -q -h 127.0.0.1 -p "$port" -U duban -d postgres -c "CREATE DATABASE duban" >/dev/null
  psql -q -h 127.0.0.1 -p "$port" -U duban -d duban -f bench/pg_schema.sql >/dev/null
  args+=("--pg_port=$port")
fi
"$build/bench/pipeline_bench" "${args[@]}"
