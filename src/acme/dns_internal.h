/* Shared by the DNS files of src/acme: one signed request/response exchange
 * over libldns, and the names of what went wrong. Not for use outside acme/. */
#ifndef CERTAIN_ACME_DNS_INTERNAL_H
#define CERTAIN_ACME_DNS_INTERNAL_H

#include <ldns/ldns.h>

#include "acme/dns.h"

/* Sends query (an ldns packet the caller owns; its id is set here) to server,
 * or to the servers of /etc/resolv.conf when server is NULL, waiting at most
 * timeout_ms per address. UDP first, TCP when the answer is truncated. With
 * tsig, the query is signed and the reply must carry a valid TSIG whenever its
 * rcode is NOERROR. On success *reply is the parsed answer (caller frees with
 * ldns_pkt_free), whatever its rcode; `what` prefixes error messages. */
int dns_exchange(const struct dns_server *server, const struct dns_tsig *tsig, int timeout_ms,
		 ldns_pkt *query, ldns_pkt **reply, const char *what, struct cm_err *err);

/* Sends wire over UDP to `to` and waits up to timeout_ms for the datagram
 * that answers id, skipping any other. 0 with *bytes (caller frees) and
 * *size; -1 with *why, a static reason ("timed out", "Connection refused"). */
int dns_udp_exchange(const struct sockaddr_storage *to, socklen_t tolen, const uint8_t *wire,
		     size_t wlen, uint16_t id, int timeout_ms, uint8_t **bytes, size_t *size,
		     const char **why);

/* "NOERROR", "REFUSED"... for an rcode; "RCODE<n>" for unknown ones. */
void dns_rcode_name(ldns_pkt_rcode rcode, char *buf, size_t size);

/* The canonical ldns algorithm name for a TSIG algorithm as configured
 * ("" = hmac-sha256), or NULL when unsupported. */
const char *dns_tsig_algorithm(const char *configured);

/* Runs hook (absolute path) as `hook action fqdn value` with posix_spawn, no
 * shell, in its own process group, killed whole after timeout_ms. 0 when it
 * exits 0 in time; -1 with *err naming the exit status, signal or timeout. */
int dns_hook_run(const char *hook, const char *action, const char *fqdn, const char *value,
		 int timeout_ms, struct cm_err *err);

#endif
