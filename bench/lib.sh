# Shared by the end-to-end benchmarks (sourced, not run): the release build, a scratch folder
# cleaned up on exit with every process the script started, and small helpers.
#   FML_BIN  another `fml` build to measure (the "before" of a change)
#   PG       the PostgreSQL server (postgres://postgres@127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release -q -p fml -p fml-bench
FML=${FML_BIN:-$PWD/target/release/fml}
B=$PWD/target/release/fml-bench
PG=${PG:-postgres://postgres@127.0.0.1:5432}
# The verifier's webhook secret (every endpoint a benchmark creates uses it).
SECRET=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# A key of a JSON document on stdin: json '["apiToken"]'.
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
# Waits until URL answers (10 s at most).
up() { for _ in $(seq 1 200); do curl -sf "$1" >/dev/null && return 0; sleep 0.05; done; return 1; }
# A new empty database for BACKEND (sqlite or postgres) named NAME; prints its URL.
fresh_db() {
  if [ "$1" = sqlite ]; then
    rm -f "$work/$2".db*; echo "sqlite:$work/$2.db"
  else
    PGOPTIONS="-c client_min_messages=warning" psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c "CREATE DATABASE $2" >/dev/null
    echo "$PG/$2"
  fi
}
# The signature-checking receiver (`fml-bench verifier`) on PORT, in the background.
start_verifier() { $B verifier "127.0.0.1:$1" $SECRET & up "http://127.0.0.1:$1/stats"; }
