#!/usr/bin/env bash
# Reading hostile documents (issue 16): N bombs of each kind read at once, and how far the
# reading process's peak resident memory rises above where it was:
#   legacy   the reader before issue 16 (lopdf load_mem + extract_text), in-process;
#   budgets  fml_app::filetext with its budgets, in-process;
#   child    the server's way: one `fml read-document` child per file (2 at a time, 512 MiB,
#            10 s CPU, 20 s wall); the figure is the parent's, the server's.
# Then each bomb once through `fml read-document`, with that child's own peak.
#
#   bench/docbombs.sh
# Settings: N (10), KINDS (content operations text object), MODES (legacy budgets child),
# LEGACY_LIMIT_GIB (16: the legacy run is stopped there rather than take the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p fml -p fml-bench
T=${CARGO_TARGET_DIR:-$PWD/target}/release
N=${N:-10}
LEGACY_LIMIT_GIB=${LEGACY_LIMIT_GIB:-16}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for kind in ${KINDS:-content operations text object}; do
  for mode in ${MODES:-legacy budgets child}; do
    if [ "$mode" = legacy ]; then
      (ulimit -v $((LEGACY_LIMIT_GIB * 1024 * 1024)); "$T/fml-bench" docbombs legacy "$kind" "$N" 2>/dev/null) ||
        echo "{\"mode\":\"legacy\",\"kind\":\"$kind\",\"files\":$N,\"aborted\":\"out of memory at the ${LEGACY_LIMIT_GIB} GiB limit\"}"
    else
      "$T/fml-bench" docbombs "$mode" "$kind" "$N" "$T/fml"
    fi
  done
done

"$T/fml-bench" docbombs write "$work" 0
python3 - "$T/fml" "$work" <<'PY'
import json, os, subprocess, sys
fml, d = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(d)):
    kind = "image/png" if name.endswith(".png") else "application/pdf"
    p = subprocess.Popen([fml, "read-document"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdin.write(kind.encode() + b"\n" + open(os.path.join(d, name), "rb").read())
    p.stdin.close()
    answer = json.loads(p.stdout.read())
    _, status, usage = os.wait4(p.pid, 0)
    print(json.dumps({"file": name, "childPeakMiB": usage.ru_maxrss // 1024, "answer": answer}))
PY
