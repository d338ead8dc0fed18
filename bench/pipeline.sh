#!/usr/bin/env bash
# The whole pipeline, end to end (issue 6): a Rust load generator (`fml-bench load`) creates
# cases over HTTP against a real `fml serve` (release build, its own process) at CONNS kept-
# alive connections; one endpoint is subscribed to case.created, and each case's event is
# delivered, signed, to a receiver in a third process (`fml-bench verifier`) that checks the
# HMAC and measures emit-to-receipt from X-FML-Timestamp. All on this machine's two cores.
#
#   bench/pipeline.sh                    # SQLite and PostgreSQL
#   BACKENDS=postgres bench/pipeline.sh  # one of them
#   HISTORY=1000000 BACKENDS=postgres bench/pipeline.sh   # on a database that already holds
#                                        # that many cases with delivered deliveries
#   OBSERVE=1 bench/pipeline.sh          # with observability on: /metrics (scraped every second)
#                                        # and JSON logs at info, to weigh what they cost
# Settings: CONNS (32), RUN_SECONDS (20), PG (postgres://postgres@127.0.0.1:5432), HISTORY (0).
# On PostgreSQL it also prints what the database did per delivered event (pg_stat_database,
# pg_stat_user_tables; pg_stat_statements' top statements when the extension is loaded).
source "$(dirname "$0")/lib.sh"
CONNS=${CONNS:-32}
SECONDS_RUN=${RUN_SECONDS:-20}
HISTORY=${HISTORY:-0}
PORT=18281
VPORT=18282

start_verifier $VPORT

pg_counters() { # the database's counters, as one JSON object
  psql "$1" -tAc "SELECT json_build_object(
      'commits', (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
      'inserted', (SELECT tup_inserted FROM pg_stat_database WHERE datname = current_database()),
      'updated', (SELECT tup_updated FROM pg_stat_database WHERE datname = current_database()),
      'deleted', (SELECT tup_deleted FROM pg_stat_database WHERE datname = current_database()),
      'fetched', (SELECT tup_fetched FROM pg_stat_database WHERE datname = current_database()),
      'returned', (SELECT tup_returned FROM pg_stat_database WHERE datname = current_database()),
      'seq', (SELECT json_object_agg(relname, json_build_array(seq_scan, seq_tup_read)) FROM pg_stat_user_tables))"
}

for backend in ${BACKENDS:-sqlite postgres}; do
  url=$(fresh_db "$backend" fml_bench_p)
  if [ "$backend" = postgres ]; then
    psql "$url" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 || true
  fi
  export FML_DATABASE_URL=$url FML_MASTER_KEY=$(python3 -c "import secrets; print(secrets.token_hex(32))")
  $FML org create --id org_bench --name "Bench Bank" >/dev/null
  creds=$($FML client create --org org_bench --name bench --scope cases:write --scope webhooks:write --json)
  if [ "$HISTORY" -gt 0 ]; then
    echo "writing $HISTORY past cases with their delivered deliveries"
    $B history "$url" org_bench "$HISTORY" "http://127.0.0.1:$VPORT/hook" $SECRET >/dev/null
  fi
  if [ -n "${OBSERVE:-}" ]; then
    FML_LOG=info FML_LOG_FORMAT=json FML_METRICS_TOKEN=bench-metrics-token-0123 \
      FML_LISTEN=127.0.0.1:$PORT FML_WEBHOOK_ALLOW_PRIVATE_TARGETS=1 $FML serve >"$work/serve.log" 2>&1 & pid=$!
  else
    FML_LOG=warn FML_LISTEN=127.0.0.1:$PORT FML_WEBHOOK_ALLOW_PRIVATE_TARGETS=1 $FML serve & pid=$!
  fi
  up "http://127.0.0.1:$PORT/healthz"
  if [ -n "${OBSERVE:-}" ]; then # a Prometheus scraping every second, as a busy one would
    (while sleep 1; do curl -sf -H "Authorization: Bearer bench-metrics-token-0123" \
      "http://127.0.0.1:$PORT/metrics" >/dev/null || break; done) & scraper=$!
  fi
  token=$(curl -s -X POST "http://127.0.0.1:$PORT/v1/oauth/token" -H 'Content-Type: application/json' \
    -d "{\"grant_type\":\"client_credentials\",\"client_id\":\"$(echo "$creds" | json '["client_id"]')\",\"client_secret\":\"$(echo "$creds" | json '["client_secret"]')\"}" \
    | json '["access_token"]')
  if [ "$HISTORY" -eq 0 ]; then # (the history step made the endpoint)
    curl -sf -X POST "http://127.0.0.1:$PORT/v1/webhook-endpoints" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' \
      -d "{\"url\":\"http://127.0.0.1:$VPORT/hook\",\"secret\":\"$SECRET\",\"eventTypes\":[\"case.created\"]}" >/dev/null
  fi
  # Warm up, let the engine drain, then measure from a clean slate.
  $B load "http://127.0.0.1:$PORT" "$token" "$CONNS" 3 >/dev/null
  sleep 2
  curl -s "http://127.0.0.1:$VPORT/stats" >/dev/null
  [ "$backend" = postgres ] && { psql "$url" -qtAc "SELECT pg_stat_statements_reset()" >/dev/null 2>&1 || true; before=$(pg_counters "$url"); }
  load=$($B load "http://127.0.0.1:$PORT" "$token" "$CONNS" "$SECONDS_RUN")
  window=$(curl -s "http://127.0.0.1:$VPORT/stats")
  [ "$backend" = postgres ] && after=$(pg_counters "$url")
  created=$(echo "$load" | json '["created"]')
  delivered=$(echo "$window" | json '["count"]')
  # Drain: every created case must arrive (none lost), signed correctly.
  total=$delivered
  for _ in $(seq 1 300); do
    [ "$total" -ge "$created" ] && break
    sleep 0.1
    total=$((total + $(curl -s "http://127.0.0.1:$VPORT/stats" | json '["count"]')))
  done
  secs=$(echo "$load" | json "[\"seconds\"]")
  [ -n "${DEBUG:-}" ] && echo "load=$load window=$window" >&2
  python3 - "$backend" "$HISTORY" "$load" "$window" "$total" "$secs" <<'PY'
import json, sys
backend, history, load, window, total, secs = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
print(f"{backend:10} history {history:>9,}  created {load['creates_per_s']:>6,.0f}/s (p99 {load['p99_ms']} ms, errors {load['errors']})"
      f"  delivered {window['count'] / secs:>6,.0f}/s  emit->receipt p50 {window['p50_ms']} ms p99 {window['p99_ms']} ms"
      f"  bad signatures {window['bad_signatures']}  all {total}/{load['created']} arrived")
PY
  if [ "$backend" = postgres ]; then
    python3 - "$before" "$after" "$delivered" <<'PY'
import json, sys
b, a, n = json.loads(sys.argv[1]), json.loads(sys.argv[2]), max(int(sys.argv[3]), 1)
per = {k: (a[k] - b[k]) / n for k in ("commits", "inserted", "updated", "deleted", "fetched", "returned")}
print("  per delivered event: " + ", ".join(f"{k} {v:.2f}" for k, v in per.items()))
scans = {t: (a["seq"][t][0] - b["seq"].get(t, [0, 0])[0], a["seq"][t][1] - b["seq"].get(t, [0, 0])[1]) for t in a["seq"]}
busy = {t: s for t, s in scans.items() if s[0] > 0}
print("  sequential scans in the window (scans, rows read): " + (", ".join(f"{t} {s[0]} ({s[1]})" for t, s in sorted(busy.items())) or "none"))
PY
    psql "$url" -qtAc "SELECT round(total_exec_time::numeric, 0) || ' ms  ' || calls || ' calls  ' || left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8" 2>/dev/null | sed 's/^/  /' || true
  fi
  [ -n "${OBSERVE:-}" ] && { kill $scraper 2>/dev/null || true; echo "  metrics scraped; $(wc -l <"$work/serve.log") JSON log lines"; }
  kill $pid; wait $pid 2>/dev/null || true
  unset FML_DATABASE_URL FML_MASTER_KEY
done
