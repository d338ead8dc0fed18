#!/usr/bin/env bash
# Benchmarks POST /v1/cases (fresh Idempotency-Key and crmRecordId per request, sendInvite on)
# with wrk in a second process on loopback, on SQLite and PostgreSQL, and the machine's
# ceilings: a constant axum handler, and bare single-row insert transactions.
#
#   bench/run.sh                 # everything
#   bench/run.sh sqlite postgres # some of it
# Settings: CONNS (32), DURATION (20s), THREADS (2), PG (postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p fml -p fml-bench
FML=target/release/fml
BENCH=target/release/fml-bench
CONNS=${CONNS:-32}
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
PORT=18181
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

wait_up() { for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }

run_api() { # $1 = label, $2 = database url
  export FML_DATABASE_URL=$2 FML_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  $FML org create --id org_bench --name "Bench Bank" >/dev/null
  creds=$($FML client create --org org_bench --name bench --scope cases:write --json)
  id=$(echo "$creds" | python3 -c 'import sys,json;print(json.load(sys.stdin)["client_id"])')
  secret=$(echo "$creds" | python3 -c 'import sys,json;print(json.load(sys.stdin)["client_secret"])')
  FML_LOG=warn FML_LISTEN=127.0.0.1:$PORT $FML serve & pid=$!
  wait_up
  export FML_TOKEN=$(curl -s -X POST "http://127.0.0.1:$PORT/v1/oauth/token" -H 'Content-Type: application/json' \
    -d "{\"grant_type\":\"client_credentials\",\"client_id\":\"$id\",\"client_secret\":\"$secret\"}" \
    | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
  # Warm up, then measure.
  wrk -t"$THREADS" -c"$CONNS" -d3s -s bench/create_case.lua "http://127.0.0.1:$PORT" >/dev/null
  printf '%-28s ' "$1"
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/create_case.lua "http://127.0.0.1:$PORT" | tail -1
  kill $pid; wait $pid 2>/dev/null || true
  unset FML_DATABASE_URL FML_MASTER_KEY
}

pg_fresh() { # $1 = database name
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "$PG/$1"
}

for what in "${@:-sqlite postgres constant inserts}"; do for w in $what; do case $w in
  sqlite) run_api "POST /v1/cases  sqlite" "sqlite:$work/fml.db" ;;
  postgres) run_api "POST /v1/cases  postgres" "$(pg_fresh fml_bench)" ;;
  constant)
    $BENCH constant 127.0.0.1:$PORT 2>/dev/null & pid=$!; wait_up 2>/dev/null || sleep 1
    FML_TOKEN=x wrk -t"$THREADS" -c"$CONNS" -d3s -s bench/create_case.lua "http://127.0.0.1:$PORT" >/dev/null
    printf '%-28s ' "constant axum handler"
    FML_TOKEN=x wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/create_case.lua "http://127.0.0.1:$PORT" | tail -1
    kill $pid; wait $pid 2>/dev/null || true ;;
  inserts)
    printf '%-28s ' "bare inserts sqlite (1 conn)"; $BENCH inserts "sqlite:$work/bare.db" 20000 16
    printf '%-28s ' "bare inserts postgres (16)"; $BENCH inserts "$(pg_fresh fml_bench_bare)" 20000 16 ;;
esac; done; done
