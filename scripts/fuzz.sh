#!/bin/bash
# Runs every libFuzzer target in fuzz/ (built by `make fuzz-build`).
#   fuzz.sh smoke          replay fuzz/regressions/<target>/ and fuzz each target
#                          for FUZZ_SMOKE_SECONDS (default 8) from its seed corpus
#   fuzz.sh run SECONDS    fuzz each target for SECONDS, growing build/fuzz-corpus/
# Prints "fuzz: <target> ok" or "fuzz: <target> FAILED" per target. A crash
# input is kept in build/fuzz-crashes/: copy it into fuzz/regressions/<target>/
# once fixed, so the suite replays it forever.
set -u
cd "$(dirname "$0")/.."
mode=${1:-smoke}
seconds=${2:-${FUZZ_SMOKE_SECONDS:-8}}
make -s -j"$(nproc)" fuzz-build >/dev/null || { echo "fuzz: build FAILED"; exit 1; }
mkdir -p build/fuzz-crashes build/fuzz-corpus
status=0
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=build/fuzz/$name
	seeds=fuzz/corpus/${name#fuzz_}
	regress=fuzz/regressions/${name#fuzz_}
	work=build/fuzz-corpus/${name#fuzz_}
	mkdir -p "$work" "$seeds"
	ok=1
	if [ -d "$regress" ] && [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
		"$bin" -runs=0 "$regress"/* >"build/fuzz-crashes/$name.replay.log" 2>&1 || ok=0
	fi
	if [ $ok -eq 1 ]; then
		"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="build/fuzz-crashes/$name-" "$work" "$seeds" \
			>"build/fuzz-crashes/$name.log" 2>&1 || ok=0
	fi
	if [ $ok -eq 1 ]; then
		echo "fuzz: $name ok ($(grep -oE '#[0-9]+' "build/fuzz-crashes/$name.log" | tail -n 1 | tr -d '#') runs)"
	else
		echo "fuzz: $name FAILED (see build/fuzz-crashes/$name*.log)"
		tail -n 30 "build/fuzz-crashes/$name.log" 2>/dev/null
		status=1
	fi
done
exit $status
