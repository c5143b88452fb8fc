#!/bin/bash
# Static analysis over the whole tree with the checked-in configuration
# (.clang-tidy, the cppcheck flags below). Prints findings; exits non-zero on any.
set -u
cd "$(dirname "$0")/.."
CFLAGS="-std=c17 -D_GNU_SOURCE -Isrc $(pkg-config --cflags openssl sqlite3 libmicrohttpd jansson)"
status=0

echo "-- cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--std=c11 --inline-suppr --suppress=missingIncludeSystem \
	-D__GNUC__ -Isrc src tests/unit fuzz 2>&1; then
	status=1
fi

echo "-- clang-tidy"
# One file per clang-tidy run (files must come before "--" and the flags).
out=$(find src tests/unit fuzz bench -name '*.c' | sort |
	xargs -P "$(nproc)" -I{} sh -c 'clang-tidy --quiet "$1" -- $2 2>&1' _ {} "$CFLAGS")
if printf '%s\n' "$out" | grep -qE '(warning|error):'; then
	printf '%s\n' "$out" | grep -E -A3 '(warning|error):' | head -n 200
	status=1
fi
exit $status
