#!/bin/sh
# make bench: installs the peers the benchmark compares against (CFSSL), then
# prints the table and records it in docs/performance.md's latest-run file.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh bench
exec /usr/bin/python3 bench/bench.py --seconds "${BENCH_SECONDS:-5}" --out build/bench-table.md
