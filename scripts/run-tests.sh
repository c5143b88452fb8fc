#!/bin/bash
# The whole suite, as `make test` and CI run it:
#   1. release build: unit tests, integration tests (real aws CLI, boto3, openssl)
#   2. ASan+UBSan build: the same unit and integration tests (LeakSanitizer on)
#   3. short fuzz runs of every fuzz target, replaying the saved corpora
#   4. static analysis (cppcheck, clang-tidy)
# Each stage adds its counts; the last line is "N passed, M failed".
set -u
cd "$(dirname "$0")/.."

JOBS=$(nproc 2>/dev/null || echo 2)
PASSED=0
FAILED=0
LOG_DIR=build/test-logs
mkdir -p "$LOG_DIR"

add() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

# A stage that is one check: passes or fails as a whole.
check() {
	local name=$1; shift
	echo "== $name"
	if "$@"; then add 1 0; else echo "FAILED: $name"; add 0 1; fi
}

# Unit tests print "unit: N passed, M failed".
unit() {
	local bin=$1 log="$LOG_DIR/unit-$2.log"
	echo "== unit tests ($2)"
	"$bin" >"$log" 2>&1
	local rc=$?
	cat "$log" | tail -n 40
	local line p f
	line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "unit test binary ($2) crashed (rc=$rc)"; add 0 1; return
	fi
	p=$(echo "$line" | sed -E 's/unit: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*, ([0-9]+) failed.*/\1/')
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	add "$p" "$f"
}

# Integration tests: Python unittest with Debian's interpreter and clients.
integration() {
	local bin=$1 log="$LOG_DIR/integration-$2.log"
	echo "== integration tests ($2)"
	CERTAIN_BIN="$bin" /usr/bin/python3 -m unittest discover -s tests/integration -t . \
		>"$log" 2>&1
	local rc=$?
	grep -E '^(FAIL|ERROR):|^Ran |^OK|^FAILED' "$log"
	local ran fails errs
	ran=$(grep -E '^Ran [0-9]+ test' "$log" | sed -E 's/Ran ([0-9]+).*/\1/' | tail -n 1)
	if [ -z "$ran" ]; then
		tail -n 30 "$log"; add 0 1; return
	fi
	fails=$(grep -oE 'failures=[0-9]+' "$log" | tail -n 1 | cut -d= -f2)
	errs=$(grep -oE 'errors=[0-9]+' "$log" | tail -n 1 | cut -d= -f2)
	local bad=$(( ${fails:-0} + ${errs:-0} ))
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	[ "$bad" -gt 0 ] && grep -B2 -A25 -E '^(FAIL|ERROR):' "$log" | head -n 200
	add $((ran - bad)) "$bad"
}

check "build (release)" make -s -j"$JOBS" all
unit build/unit-tests release
integration build/certain release

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
check "build (asan+ubsan)" make -s -j"$JOBS" VARIANT=asan all
unit build/asan/unit-tests asan
integration build/asan/certain asan
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

if [ -x scripts/fuzz.sh ]; then
	echo "== fuzz smoke"
	scripts/fuzz.sh smoke >"$LOG_DIR/fuzz.log" 2>&1
	grep -E '^fuzz:' "$LOG_DIR/fuzz.log"
	p=$(grep -cE '^fuzz: .* ok' "$LOG_DIR/fuzz.log")
	f=$(grep -cE '^fuzz: .* FAILED' "$LOG_DIR/fuzz.log")
	add "$p" "$f"
fi

if [ -x scripts/lint.sh ]; then
	check "static analysis" scripts/lint.sh
fi

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
