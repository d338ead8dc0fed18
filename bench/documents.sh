#!/usr/bin/env bash
# The document path, end to end (issue 9): N uploads over the analyst API (one file per
# request, from CONNS connections; half certificate PDFs, half passport PNGs) against a real
# `fml serve` (release build, its own process). Each upload stores the file, emits
# `document.uploaded` and queues its processing job; the job runner reads the file, classifies
# it, extracts its fields and emits `document.processed` in the transaction that stores the
# result; both events are delivered, signed, to a receiver in a third process
# (`fml-bench verifier`). The run ends when every `document.processed` has arrived: the
# figure is uploads → processed → delivered, per second.
#
# The abuse run (issue 16) does the same while BOMBS hostile files (a content stream that
# inflates past the budget, a million tiny operations, a huge PNG text chunk, an object-stream
# bomb, in turn) are uploaded at once as it starts; it also waits for each bomb to end
# `error`. Each run reports the server's peak resident memory (VmHWM), beside the clean run.
#
#   bench/documents.sh                   # SQLite and PostgreSQL, clean then abuse
# Settings: N (2000), CONNS (16), BOMBS (10), RUNS (clean abuse), BACKENDS,
# PG (postgres://postgres@127.0.0.1:5432).
source "$(dirname "$0")/lib.sh"
N=${N:-2000}
CONNS=${CONNS:-16}
PORT=18391
VPORT=18392

start_verifier $VPORT

for backend in ${BACKENDS:-sqlite postgres}; do
for run in ${RUNS:-clean abuse}; do
  bombs=0; [ "$run" = abuse ] && bombs=${BOMBS:-10}
  url=$(fresh_db "$backend" fml_bench_d)
  export FML_DATABASE_URL=$url FML_MASTER_KEY=$(python3 -c "import secrets; print(secrets.token_hex(32))")
  export FML_DOCUMENTS_DIR=$work/docs-$backend
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
    -d "{\"url\":\"http://127.0.0.1:$VPORT/hook\",\"secret\":\"$SECRET\",\"eventTypes\":[\"document.processed\"]}" >/dev/null
  curl -s "http://127.0.0.1:$VPORT/stats" >/dev/null
  start=$(date +%s.%N)
  result=$($B documents "http://127.0.0.1:$PORT" "$token" "$analyst" "$N" "$CONNS" "$bombs")
  uploaded=$(echo "$result" | json '["uploaded"]')
  total=0
  for _ in $(seq 1 3000); do
    stats=$(curl -s "http://127.0.0.1:$VPORT/stats")
    total=$((total + $(echo "$stats" | json '["count"]')))
    [ "$total" -ge "$uploaded" ] && break
    sleep 0.1
  done
  end=$(date +%s.%N)
  peak=$(awk '/^VmHWM:/ {print $2}' /proc/$pid/status)
  python3 - "$backend $run" "$result" "$total" "$uploaded" "$start" "$end" "$peak" <<'PY'
import json, sys
label, r, total, want, start, end, peak = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
secs = end - start
print(f"{label:16} uploads {r['uploads_per_s']:>5,.0f}/s (p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, errors {r['errors']})"
      f"  document.processed delivered {total}/{want} in {secs:.1f} s = {total / secs:,.0f} documents/s end to end;"
      f" server peak RSS {peak // 1024} MiB")
if r["bombs"]:
    print(f"{'':16} bombs uploaded {r['bombsAccepted']}/{r['bombs']}, ended: {json.dumps(r['bombOutcomes'])}")
PY
  kill $pid; wait $pid 2>/dev/null || true
  unset FML_DATABASE_URL FML_MASTER_KEY FML_DOCUMENTS_DIR
done
done
