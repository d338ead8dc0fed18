#!/usr/bin/env bash
# Screening at OpenSanctions scale (issue 9): N synthetic FtM entities (`fml-bench
# sanctions-gen`, shaped like the consolidated list, plus the sample files) imported with
# `fml sanctions import` (time and peak memory from /usr/bin/time), re-imported unchanged (the
# incremental path), then N_SCREEN subjects screened one after another against the list
# (`fml-bench screen`: index build time, latency percentiles of candidates + store read +
# comparison per subject).
#
#   bench/screening.sh          # SQLite and PostgreSQL
# Settings: N (1000000), N_SCREEN (3000), BACKENDS, PG (postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p fml -p fml-bench
FML=${FML_BIN:-$PWD/target/release/fml}
B=$PWD/target/release/fml-bench
N=${N:-1000000}
N_SCREEN=${N_SCREEN:-3000}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

$B sanctions-gen "$N" data/sanctions/*.jsonl > "$work/list.jsonl"
echo "list: $(wc -l < "$work/list.jsonl") lines, $(du -h "$work/list.jsonl" | cut -f1)"

measure() { # LABEL URL
  /usr/bin/time -f "  wall %e s, peak memory %M KiB" "$FML" --database-url "$2" sanctions import --dataset synthetic "$work/list.jsonl" 2>&1 | sed "s/^/  $1: /"
}

for backend in ${BACKENDS:-sqlite postgres}; do
  echo "== $backend"
  if [ "$backend" = sqlite ]; then
    url="sqlite:$work/bench.db"
  else
    db="fml_bench_screening"
    psql "$PG" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    url="$PG/$db"
  fi
  measure "first import" "$url"
  measure "unchanged re-import" "$url"
  $B screen "$url" "$N_SCREEN" | sed 's/^/  /'
done
