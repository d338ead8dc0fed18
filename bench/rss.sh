#!/usr/bin/env bash
# Memory of `fml serve` under another benchmark: use as FML_BIN. It runs FML_REAL_BIN (default
# the release build) and, for `serve`, samples /proc every 0.5 s and appends one JSON line to
# RSS_LOG when the server exits: idle (1 s after start) and peak RSS, anonymous and file-backed
# parts, threads and open files.
#   FML_BIN=$PWD/bench/rss.sh RSS_LOG=/tmp/rss.jsonl RUN_SECONDS=15 bench/pipeline.sh
real=${FML_REAL_BIN:-$(cd "$(dirname "$0")/.." && pwd)/target/release/fml}
if [ "${1:-}" = serve ]; then
  me=$$ log=${RSS_LOG:-/dev/stderr} label=${RSS_LABEL:-}
  (
    kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$me/status" 2>/dev/null; }
    sleep 1
    idle=$(kib VmRSS) idle_anon=$(kib RssAnon) idle_file=$(kib RssFile)
    hwm=0 anon=0 file=0 threads=0 fds=0
    while [ -r "/proc/$me/status" ]; do
      v=$(kib VmHWM); [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
      v=$(kib RssAnon); [ -n "$v" ] && [ "$v" -gt "$anon" ] && anon=$v
      v=$(kib RssFile); [ -n "$v" ] && [ "$v" -gt "$file" ] && file=$v
      v=$(kib Threads); [ -n "$v" ] && [ "$v" -gt "$threads" ] && threads=$v
      v=$(ls "/proc/$me/fd" 2>/dev/null | wc -l); [ "$v" -gt "$fds" ] && fds=$v
      sleep 0.5
    done
    db=${FML_DATABASE_URL%%:*}
    printf '{"label":"%s","db":"%s","idle_kib":%s,"idle_anon":%s,"idle_file":%s,"peak_kib":%s,"peak_anon":%s,"peak_file":%s,"threads":%s,"fds":%s}\n' \
      "$label" "$db" "${idle:-0}" "${idle_anon:-0}" "${idle_file:-0}" "$hwm" "$anon" "$file" "$threads" "$fds" >>"$log"
  ) &
  exec "$real" "$@"
fi
exec "$real" "$@"
