#!/usr/bin/env bash
# The analyst console's pages under load, on a tenant with history (issue 8): N past cases,
# each with its event, delivery and attempt (`fml-bench history`), behind a real `fml serve`
# (release build, its own process); wrk in another process, signed in with a real session
# cookie, requests each page from CONNS kept-alive connections for DURATION seconds:
#   dashboard        /cases                          (page 1, with the count of matching cases)
#   dashboard deep   /cases?sort=company&page=200    (another order, a deep page)
#   search           /cases?q=<text>                 (literal substring of name, reference, email)
#   case view        /cases/<id>                     (every panel: one query each)
#   deliveries       /config/deliveries              (the newest 50, live-refreshing page)
#   live refresh     /config/deliveries/rows         (If-None-Match of the current rows: 304)
#
#   bench/console.sh                 # SQLite and PostgreSQL
# Settings: N (100000), CONNS (8), DURATION (10), BACKENDS, PG (postgres://postgres@127.0.0.1:5432).
source "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
N=${N:-100000}
CONNS=${CONNS:-8}
DURATION=${DURATION:-10}
PORT=18391

for backend in ${BACKENDS:-sqlite postgres}; do
  url=$(fresh_db "$backend" fml_bench_c)
  export FML_DATABASE_URL=$url FML_MASTER_KEY=$(python3 -c "import secrets; print(secrets.token_hex(32))")
  $FML org create --id org_bench --name "Bench Bank" >/dev/null
  $B history "$url" org_bench "$N" "http://127.0.0.1:9/hook" "$SECRET" >/dev/null
  [ "$backend" = postgres ] && psql "$url" -qc "ANALYZE" >/dev/null
  password=$($FML analyst create --org org_bench --email console@bank.example --name Console --role admin --json | json '["password"]')
  FML_LOG=warn FML_LISTEN=127.0.0.1:$PORT $FML serve & pid=$!
  up "http://127.0.0.1:$PORT/healthz"
  base="http://127.0.0.1:$PORT"
  curl -s -c "$work/jar" "$base/sign-in" >/dev/null
  csrf=$(awk '/fml_login_csrf/ {print $7}' "$work/jar")
  curl -s -b "$work/jar" -c "$work/jar" -o /dev/null \
    --data-urlencode "_csrf=$csrf" --data-urlencode "next=/cases" \
    --data-urlencode "email=console@bank.example" --data-urlencode "password=$password" "$base/sign-in"
  cookie="fml_session=$(awk '/fml_session/ {print $7}' "$work/jar")"
  case_id=$(curl -s -H "Cookie: $cookie" "$base/cases?sort=oldest" | grep -o 'href="/cases/[0-9a-f-]*"' | head -1 | cut -d/ -f3 | tr -d '"')
  etag=$(curl -s -D - -o /dev/null -H "Cookie: $cookie" "$base/config/deliveries/rows" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
  echo "$backend: $N past cases"
  for page in "dashboard|/cases" "dashboard deep|/cases?sort=company&page=200" "search|/cases?q=CS-2025-4711" \
              "case view|/cases/$case_id" "deliveries|/config/deliveries" "live refresh (304)|/config/deliveries/rows"; do
    name=${page%%|*}; path=${page#*|}
    extra=()
    [ "$name" = "live refresh (304)" ] && extra=(-H "If-None-Match: $etag")
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "Cookie: $cookie" "${extra[@]}" "$base$path")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $4}')
    printf "  %-20s %9s req/s   p50 %8s   p99 %8s   non-2xx/3xx %s\n" "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  done
  kill $pid; wait $pid 2>/dev/null || true
  unset FML_DATABASE_URL FML_MASTER_KEY
done
