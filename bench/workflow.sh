#!/usr/bin/env bash
# The workflow path, end to end (issue 7): N cases in review are decided over the analyst API
# (`POST /api/cases/{id}/decision`, an analyst's personal token) from CONNS kept-alive
# connections against a real `fml serve` (release build, its own process). Each decision is
# one command — the lifecycle rule, a compare-and-set move, an audit row, `case.decision.made`
# and `case.status.changed` with their deliveries, one transaction — and both events are
# delivered, signed, to a receiver in a third process (`fml-bench verifier`) that checks the
# HMAC and measures emit-to-receipt. The run ends when every event has arrived.
#
#   bench/workflow.sh                    # SQLite and PostgreSQL
# Settings: N (5000), CONNS (32), BACKENDS, PG (postgres://postgres@127.0.0.1:5432).
source "$(dirname "$0")/lib.sh"
N=${N:-5000}
CONNS=${CONNS:-32}
PORT=18291
VPORT=18292

start_verifier $VPORT

for backend in ${BACKENDS:-sqlite postgres}; do
  url=$(fresh_db "$backend" fml_bench_w)
  export FML_DATABASE_URL=$url FML_MASTER_KEY=$(python3 -c "import secrets; print(secrets.token_hex(32))")
  $FML org create --id org_bench --name "Bench Bank" >/dev/null
  creds=$($FML client create --org org_bench --name bench --scope cases:write --scope webhooks:write --json)
  analyst=$($FML analyst create --org org_bench --email bench@bank.example --name Bench --json | json '["apiToken"]')
  FML_LOG=warn FML_LISTEN=127.0.0.1:$PORT FML_WEBHOOK_ALLOW_PRIVATE_TARGETS=1 $FML serve & pid=$!
  up "http://127.0.0.1:$PORT/healthz"
  token=$(curl -s -X POST "http://127.0.0.1:$PORT/v1/oauth/token" -H 'Content-Type: application/json' \
    -d "{\"grant_type\":\"client_credentials\",\"client_id\":\"$(echo "$creds" | json '["client_id"]')\",\"client_secret\":\"$(echo "$creds" | json '["client_secret"]')\"}" \
    | json '["access_token"]')
  curl -sf -X POST "http://127.0.0.1:$PORT/v1/webhook-endpoints" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"url\":\"http://127.0.0.1:$VPORT/hook\",\"secret\":\"$SECRET\",\"eventTypes\":[\"case.decision.made\",\"case.status.changed\"]}" >/dev/null
  curl -s "http://127.0.0.1:$VPORT/stats" >/dev/null
  start=$(date +%s.%N)
  result=$($B decide "http://127.0.0.1:$PORT" "$token" "$analyst" "$url" "$N" "$CONNS")
  decided=$(echo "$result" | json '["decided"]')
  want=$((decided * 2))
  total=0; p50=0; p99=0
  for _ in $(seq 1 600); do
    stats=$(curl -s "http://127.0.0.1:$VPORT/stats")
    total=$((total + $(echo "$stats" | json '["count"]')))
    # The receiver resets its percentiles at each read: keep the worst window's.
    if [ "$(echo "$stats" | json '["count"]')" -gt 0 ]; then
      p50=$(python3 -c "print(max($p50, $(echo "$stats" | json '["p50_ms"]')))")
      p99=$(python3 -c "print(max($p99, $(echo "$stats" | json '["p99_ms"]')))")
    fi
    [ "$total" -ge "$want" ] && break
    sleep 0.1
  done
  end=$(date +%s.%N)
  python3 - "$backend" "$result" "$total" "$want" "$start" "$end" "$p50" "$p99" <<'PY'
import json, sys
backend, r, total, want, start, end, p50, p99 = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), sys.argv[7], sys.argv[8]
print(f"{backend:10} decided {r['decisions_per_s']:>6,.0f}/s (p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, errors {r['errors']})"
      f"  events delivered {total}/{want}, all by {end - start:.1f} s  (emit->receipt, worst 0.1 s window: p50 {p50} ms, p99 {p99} ms)")
PY
  kill $pid; wait $pid 2>/dev/null || true
  unset FML_DATABASE_URL FML_MASTER_KEY
done
