#!/bin/sh
# Installs the Debian packages Certain needs that are missing, and nothing else.
#   install-deps.sh run    build and run the server
#   install-deps.sh test   also everything the test suite drives
#   install-deps.sh bench  also the peers the benchmarks compare against
# Uses apt-get directly as root, through sudo otherwise.
set -eu

# libcurl4-openssl-dev: the outgoing HTTP(S) client (event webhooks, the CLI's
# signed requests, later ACME), on the same OpenSSL as everything else.
# libldns-dev: DNS messages, RFC 2136 updates and TSIG for ACME dns-01.
RUN_PKGS="make gcc pkg-config libssl-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libldns-dev"
# awscli/python3-boto3: the real clients the integration tests drive;
# openssl: inspects certificates; nginx, haproxy: the TLS servers deployment tests
# deploy to; clang + libclang-rt: sanitizers and libFuzzer;
# cppcheck/clang-tidy: static analysis; bind9 (named) + bind9-dnsutils (dig,
# nsupdate): the real DNS server the dns-01 tests update and query; pebble: the
# ACME test CA public certificates are tested against end to end.
TEST_PKGS="awscli python3-boto3 openssl nginx haproxy clang libclang-rt-14-dev cppcheck clang-tidy bind9 bind9-dnsutils pebble"

# golang-cfssl: the peer `make bench` compares issuing against.
BENCH_PKGS="golang-cfssl"

case "${1:-run}" in
run) want="$RUN_PKGS" ;;
test) want="$RUN_PKGS $TEST_PKGS" ;;
bench) want="$RUN_PKGS $TEST_PKGS $BENCH_PKGS" ;;
*) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
