/* The DNS side of ACME dns-01 (issue 8): publish the challenge TXT value in a
 * validation zone Certain controls (RFC 2136 updates signed with TSIG, RFC
 * 8945, or a hook command for any other provider), and check the user's
 * `_acme-challenge` CNAME into that zone before asking the CA to validate.
 * Wire format, TSIG and sockets come from libldns. All calls block for at most
 * about timeout_ms per exchange; none keeps state between calls. */
#ifndef CERTAIN_ACME_DNS_H
#define CERTAIN_ACME_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define DNS_DEFAULT_TIMEOUT_MS 10000

/* A DNS server address: IPv4/IPv6 literal or host name, and port (53 if 0). */
struct dns_server {
	char host[256];
	unsigned port;
};

/* TSIG key (RFC 8945): key name, algorithm ("hmac-sha256" default; also
 * hmac-sha512, hmac-sha1...), secret in base64 as BIND's tsig-keygen prints it. */
struct dns_tsig {
	char name[256];
	char algorithm[32];
	char secret_b64[256];
};

/* Where Certain publishes TXT records: RFC 2136 updates to `server` for `zone`,
 * signed with `tsig` when has_tsig; or, when hook[0] != '\0', the hook command
 * instead (argv[0] = hook path, run with posix_spawn, no shell:
 *   HOOK add FQDN VALUE   /   HOOK remove FQDN VALUE
 * exit 0 = done; a timeout kills it). */
struct dns_publisher {
	struct dns_server server;
	char zone[256];
	struct dns_tsig tsig;
	bool has_tsig;
	char hook[4096];
	int timeout_ms; /* per exchange / hook run; 0 = DNS_DEFAULT_TIMEOUT_MS */
};

/* Adds one TXT record FQDN (absolute, inside zone) with value, TTL ttl; the
 * RRset may already hold other values (a wildcard and its base name share
 * _acme-challenge.<base>), which stay. 0, or -1 with *err naming the rcode
 * (REFUSED, NOTAUTH, NOTZONE, TSIG BADSIG...) or the network failure.
 * Faults of the input (names, value, zone, key, ttl above 2^31-1) are
 * CM_ERR_VALIDATION and nothing is sent; the server's refusals, forged or
 * unsigned replies to a signed update, timeouts and a failing hook are
 * CM_ERR_INTERNAL. With a hook, a non-empty zone still fences fqdn. */
int dns_txt_add(const struct dns_publisher *p, const char *fqdn, const char *value, uint32_t ttl,
		struct cm_err *err);

/* Removes exactly that TXT value (other values stay). Removing one that is not
 * there is success. */
int dns_txt_remove(const struct dns_publisher *p, const char *fqdn, const char *value,
		   struct cm_err *err);

/* Looks up the CNAME of name (e.g. "_acme-challenge.www.example.com") through
 * `resolver` (NULL: the system resolver of /etc/resolv.conf), recursion
 * desired. Returns 1 and the target (absolute, trailing dot, lower case) in
 * target; 0 when the name has no CNAME (NXDOMAIN or NODATA); -1 with *err on
 * timeout/SERVFAIL/network error (the caller retries later). Waits at most
 * DNS_DEFAULT_TIMEOUT_MS per server; see dns_cname_lookup_timeout. */
int dns_cname_lookup(const struct dns_server *resolver, const char *name, char *target,
		     size_t target_size, struct cm_err *err);

/* dns_cname_lookup with its own timeout (ms, 0 = default), for callers (and
 * tests) that cannot wait 10 s for a silent server. */
int dns_cname_lookup_timeout(const struct dns_server *resolver, const char *name, int timeout_ms,
			     char *target, size_t target_size, struct cm_err *err);

/* Parses "host:port", "host", "[v6]:port" (and a bare v6 literal, port 53)
 * into *out; -1 on junk. */
int dns_server_parse(const char *s, struct dns_server *out);

/* Input checks shared by the calls above, exported for the API layer that
 * validates configuration before storing it. */

/* A well-formed DNS name: LDH-or-underscore labels of 1..63 octets, 253
 * octets at most, an optional trailing dot. "" and "." are not accepted. */
bool dns_name_valid(const char *name);

/* true when name equals zone or lies below it (case-insensitive, trailing
 * dots ignored). Both must be valid names. */
bool dns_name_in_zone(const char *name, const char *zone);

/* One TXT character-string: 1..255 printable ASCII octets (0x20..0x7e). */
bool dns_txt_value_valid(const char *value);

#endif
