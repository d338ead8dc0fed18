#!/usr/bin/env bash
# Leasing jobs behind a backlog (issue 16): one tenant with N queued jobs and 2N finished ones,
# nine quiet tenants with one job each; the job runner's lease (a batch of 8) timed 200 times,
# and whether the first batch held the quiet tenants' jobs (fairness).
#
#   bench/lease.sh
# Settings: N (100000), BACKENDS, PG (postgres://postgres@127.0.0.1:5432).
source "$(dirname "$0")/lib.sh"
N=${N:-100000}
for backend in ${BACKENDS:-sqlite postgres}; do
  echo "$backend $($B lease "$(fresh_db "$backend" fml_bench_lease)" "$N")"
done
