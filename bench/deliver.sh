#!/usr/bin/env bash
# End-to-end webhook delivery benchmark (issue 3): events are written to the outbox by an
# emitter at a fixed rate (or as fast as it can), the delivery engine runs in the same
# process, and the receiver is a second process on loopback (`fml-bench receiver`) that
# measures emit-to-receipt latency from X-FML-Timestamp (millisecond precision, so figures
# are at most 1 ms pessimistic).
#
#   bench/deliver.sh                    # every scenario on SQLite and PostgreSQL
# Settings: SECONDS_EACH (10), PG (postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p fml-bench
B=target/release/fml-bench
S=${SECONDS_EACH:-10}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
PORT=18700
work=$(mktemp -d)
$B receiver 127.0.0.1:$PORT & rpid=$!
trap 'kill $rpid 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 0.5
R=http://127.0.0.1:$PORT

db() { # $1 = backend; a fresh database
  if [ "$1" = sqlite ]; then rm -f "$work"/d.db*; echo "sqlite:$work/d.db"
  else psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS fml_bench_d WITH (FORCE)" -c "CREATE DATABASE fml_bench_d" >/dev/null; echo "$PG/fml_bench_d"; fi
}

for backend in ${BACKENDS:-sqlite postgres}; do
  # Noisy neighbour (issue 6): the same tenant, alone and then beside a tenant whose 16
  # endpoints answer 500 after 9.9 s and together get as many deliveries (1/16 of the events).
  for noisy in 0 16; do
    printf '%-9s   500/s, 1 healthy, %2s slow-5xx endpoints of another tenant: ' "$backend" "$noisy"
    $B deliver "$(db $backend)" $R 500 "$S" 1 0 $noisy
  done
  [ -n "${NOISY_ONLY:-}" ] && continue
  for rate in 500 5000 6000 7000; do
    printf '%-9s %5s/s, 1 healthy endpoint:            ' "$backend" "$rate"; $B deliver "$(db $backend)" $R $rate "$S" 1 0
  done
  for rate in 2000 2500; do
    printf '%-9s %5s/s, 2 healthy endpoints:           ' "$backend" "$rate"; $B deliver "$(db $backend)" $R $rate "$S" 2 0
    printf '%-9s %5s/s, 2 healthy + 2 black-holed:     ' "$backend" "$rate"; $B deliver "$(db $backend)" $R $rate "$S" 2 2
  done
done
