/* One DNS request/response exchange: address resolution, UDP with TCP
 * fallback, reply matching and TSIG (RFC 8945) signing and verification.
 * libldns does the wire format, TCP and the HMAC; we do not use ldns_send
 * because it neither checks the reply id nor lets us see the TSIG error of an
 * unsigned NOTAUTH reply, and both matter here (UDP is dns_udp.c). */
#include "acme/dns_internal.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define DNS_MAX_ADDRS 8
/* Seconds of clock skew the server may accept (RFC 8945 5.2.3 suggests 300). */
#define DNS_TSIG_FUDGE 300

struct dns_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[300]; /* for messages: "host port N" */
};

struct dns_addrs {
	struct dns_addr a[DNS_MAX_ADDRS];
	size_t n;
};

void dns_rcode_name(ldns_pkt_rcode rcode, char *buf, size_t size)
{
	const ldns_lookup_table *e = ldns_lookup_by_id(ldns_rcodes, (int)rcode);
	if (e != NULL)
		snprintf(buf, size, "%s", e->name);
	else
		snprintf(buf, size, "RCODE%d", (int)rcode);
}

/* TSIG error codes (RFC 8945 table 3) that are not rcodes of ldns_rcodes. */
static const char *dns_tsig_error_name(unsigned code)
{
	switch (code) {
	case 16:
		return "BADSIG";
	case 17:
		return "BADKEY";
	case 18:
		return "BADTIME";
	case 22:
		return "BADTRUNC";
	default:
		return "error";
	}
}

const char *dns_tsig_algorithm(const char *configured)
{
	/* ldns 1.8.3 knows sha1/256/512 and md5; its hmac-sha384 entry is
	 * misspelt ("hmac-shac384") so sha384 cannot work and is refused here. */
	static const struct {
		const char *name, *ldns;
	} algs[] = {
	    {"hmac-sha256", "hmac-sha256."},
	    {"hmac-sha512", "hmac-sha512."},
	    {"hmac-sha1", "hmac-sha1."},
	    {"hmac-md5", "hmac-md5.sig-alg.reg.int."},
	    {"hmac-md5.sig-alg.reg.int", "hmac-md5.sig-alg.reg.int."},
	};
	char name[40];
	if (configured == NULL || configured[0] == '\0')
		return algs[0].ldns;
	snprintf(name, sizeof(name), "%s", configured);
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		name[len - 1] = '\0';
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(name, algs[i].name) == 0)
			return algs[i].ldns;
	return NULL;
}

static void dns_addr_push(struct dns_addrs *as, const struct sockaddr *sa, socklen_t len,
			  const char *host, unsigned port)
{
	if (as->n >= DNS_MAX_ADDRS || len > sizeof(struct sockaddr_storage))
		return;
	struct dns_addr *a = &as->a[as->n++];
	memcpy(&a->ss, sa, len);
	a->len = len;
	snprintf(a->text, sizeof(a->text), "%s port %u", host, port);
}

/* The addresses of server, or of the nameservers in /etc/resolv.conf. */
static int dns_addrs_get(const struct dns_server *server, struct dns_addrs *as, const char *what,
			 struct cm_err *err)
{
	as->n = 0;
	if (server == NULL) {
		ldns_resolver *r = NULL;
		if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK || r == NULL)
			return cm_fail(err, CM_ERR_INTERNAL, "%s: cannot read /etc/resolv.conf",
				       what);
		for (size_t i = 0; i < ldns_resolver_nameserver_count(r); i++) {
			size_t len = 0;
			struct sockaddr_storage *ss = ldns_rdf2native_sockaddr_storage(
			    ldns_resolver_nameservers(r)[i], ldns_resolver_port(r), &len);
			char *text = ldns_rdf2str(ldns_resolver_nameservers(r)[i]);
			if (ss != NULL)
				dns_addr_push(as, (struct sockaddr *)ss, (socklen_t)len,
					      text ? text : "?", ldns_resolver_port(r));
			free(text);
			free(ss);
		}
		ldns_resolver_deep_free(r);
		if (as->n == 0)
			return cm_fail(err, CM_ERR_INTERNAL,
				       "%s: no nameserver in /etc/resolv.conf", what);
		return 0;
	}
	unsigned port = server->port ? server->port : 53;
	char port_s[16];
	if (port > 65535)
		return cm_fail(err, CM_ERR_VALIDATION, "%s: bad DNS server port %u", what, port);
	snprintf(port_s, sizeof(port_s), "%u", port);
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(server->host, port_s, &hints, &res);
	if (rc != 0)
		return cm_fail(err, CM_ERR_INTERNAL, "%s: cannot resolve DNS server %s: %s", what,
			       server->host, gai_strerror(rc));
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
		dns_addr_push(as, ai->ai_addr, ai->ai_addrlen, server->host, port);
	freeaddrinfo(res);
	if (as->n == 0)
		return cm_fail(err, CM_ERR_INTERNAL, "%s: no address for DNS server %s", what,
			       server->host);
	return 0;
}

/* One send to one address: UDP, then TCP if the answer came back truncated.
 * *bytes is the raw reply (TSIG verification needs the exact wire). */
static int dns_send_one(ldns_buffer *qb, uint16_t id, const struct dns_addr *a, int timeout_ms,
			uint8_t **bytes, size_t *size, const char **why)
{
	if (dns_udp_exchange(&a->ss, a->len, ldns_buffer_begin(qb), ldns_buffer_position(qb), id,
			     timeout_ms, bytes, size, why) < 0)
		return -1;
	/* TC is bit 1 of octet 2 of the header (RFC 1035 4.1.1). */
	if (((*bytes)[2] & 0x02) == 0)
		return 0;
	free(*bytes);
	*bytes = NULL;
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	ldns_status st = ldns_tcp_send(bytes, qb, &a->ss, a->len, tv, size);
	if (st == LDNS_STATUS_OK && *bytes != NULL)
		return 0;
	free(*bytes);
	*bytes = NULL;
	*why = ldns_get_errorstr_by_id(st);
	return -1;
}

/* Checks the TSIG of a reply to a signed query. An unsigned or badly signed
 * reply is never taken as success: anyone on the path could forge it. */
static int dns_tsig_check(ldns_pkt *query, ldns_pkt *reply, const uint8_t *bytes, size_t size,
			  const struct dns_tsig *tsig, const char *what, struct cm_err *err)
{
	char rcode[24];
	const ldns_rr *t = ldns_pkt_tsig(reply);
	dns_rcode_name(ldns_pkt_get_rcode(reply), rcode, sizeof(rcode));
	if (t != NULL && ldns_rr_rd_count(t) > 6) {
		unsigned terr = ldns_rdf2native_int16(ldns_rr_rdf(t, 5));
		if (terr != 0)
			return cm_fail(err, CM_ERR_INTERNAL,
				       "%s: server answered %s (TSIG %s, key %s)", what, rcode,
				       dns_tsig_error_name(terr), tsig->name);
		const ldns_rdf *qmac = ldns_rr_rdf(ldns_pkt_tsig(query), 3);
		if (ldns_pkt_tsig_verify(reply, bytes, size, tsig->name, tsig->secret_b64, qmac))
			return 0;
		return cm_fail(
		    err, CM_ERR_INTERNAL,
		    "%s: server answered %s with a TSIG that does not verify with key %s", what,
		    rcode, tsig->name);
	}
	return cm_fail(err, CM_ERR_INTERNAL, "%s: server answered %s without TSIG (key %s)", what,
		       rcode, tsig->name);
}

/* The question (or zone, for an update) a reply echoes, when it has one,
 * must be ours: RFC 5452 9.1. */
static bool dns_question_matches(const ldns_pkt *query, const ldns_pkt *reply)
{
	const ldns_rr_list *rq = ldns_pkt_question(reply);
	if (ldns_rr_list_rr_count(rq) == 0)
		return true;
	const ldns_rr *a = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	const ldns_rr *b = ldns_rr_list_rr(rq, 0);
	return ldns_rr_list_rr_count(rq) == 1 && a != NULL &&
	       ldns_rr_get_type(a) == ldns_rr_get_type(b) &&
	       ldns_rr_get_class(a) == ldns_rr_get_class(b) &&
	       ldns_dname_compare(ldns_rr_owner(a), ldns_rr_owner(b)) == 0;
}

/* Parses and matches a reply: same id, a response, same opcode and question. */
static int dns_reply_parse(ldns_pkt *query, const uint8_t *bytes, size_t size, ldns_pkt **reply)
{
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, bytes, size) != LDNS_STATUS_OK)
		return -1;
	if (ldns_pkt_id(p) != ldns_pkt_id(query) || !ldns_pkt_qr(p) ||
	    ldns_pkt_get_opcode(p) != ldns_pkt_get_opcode(query) ||
	    !dns_question_matches(query, p)) {
		ldns_pkt_free(p);
		return -1;
	}
	*reply = p;
	return 0;
}

int dns_exchange(const struct dns_server *server, const struct dns_tsig *tsig, int timeout_ms,
		 ldns_pkt *query, ldns_pkt **reply, const char *what, struct cm_err *err)
{
	struct dns_addrs as;
	ldns_buffer *qb = NULL;
	uint8_t *bytes = NULL;
	size_t size = 0;
	int rc = -1;
	*reply = NULL;
	if (timeout_ms <= 0)
		timeout_ms = DNS_DEFAULT_TIMEOUT_MS;
	if (dns_addrs_get(server, &as, what, err) < 0)
		goto out;
	ldns_pkt_set_random_id(query);
	if (tsig != NULL) {
		const char *alg = dns_tsig_algorithm(tsig->algorithm);
		if (alg == NULL ||
		    ldns_pkt_tsig_sign(query, tsig->name, tsig->secret_b64, DNS_TSIG_FUDGE, alg,
				       NULL) != LDNS_STATUS_OK) {
			cm_fail(err, CM_ERR_VALIDATION, "%s: cannot sign with TSIG key %s", what,
				tsig->name);
			goto out;
		}
	}
	qb = ldns_buffer_new(LDNS_MAX_PACKETLEN);
	if (qb == NULL || ldns_pkt2buffer_wire(qb, query) != LDNS_STATUS_OK) {
		cm_fail(err, CM_ERR_INTERNAL, "%s: cannot encode the DNS message", what);
		goto out;
	}
	cm_fail(err, CM_ERR_INTERNAL, "%s: no DNS server to ask", what);
	for (size_t i = 0; i < as.n && *reply == NULL; i++) {
		const char *why = NULL;
		if (dns_send_one(qb, ldns_pkt_id(query), &as.a[i], timeout_ms, &bytes, &size,
				 &why) < 0) {
			cm_fail(err, CM_ERR_INTERNAL,
				"%s: no answer from %s (%s after %d ms at most)", what,
				as.a[i].text, why, timeout_ms);
		} else if (dns_reply_parse(query, bytes, size, reply) < 0) {
			cm_fail(err, CM_ERR_INTERNAL, "%s: malformed or mismatched answer from %s",
				what, as.a[i].text);
		} else if (tsig != NULL &&
			   dns_tsig_check(query, *reply, bytes, size, tsig, what, err) < 0) {
			ldns_pkt_free(*reply);
			*reply = NULL;
			goto out;
		}
		free(bytes);
		bytes = NULL;
	}
	if (*reply == NULL)
		goto out;
	cm_err_clear(err);
	rc = 0;
out:
	free(bytes);
	ldns_buffer_free(qb);
	return rc;
}
