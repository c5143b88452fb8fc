/* Publishing dns-01 TXT values: RFC 2136 dynamic updates (signed with TSIG)
 * or the configured hook. Each update touches one RR, never the RRset, so a
 * wildcard and its base name can have their two challenges published side by
 * side under the same _acme-challenge name. */
#include "acme/dns_internal.h"

#include <stdio.h>
#include <string.h>

/* Base64 as tsig-keygen prints it: the standard alphabet, padded. */
static bool dns_b64_valid(const char *s)
{
	size_t len = strlen(s);
	size_t body = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	size_t pad = strspn(s + body, "=");
	return len > 0 && len % 4 == 0 && body + pad == len && pad <= 2;
}

static int dns_publisher_check(const struct dns_publisher *p, const char *fqdn, const char *value,
			       struct cm_err *err)
{
	if (p == NULL)
		return cm_fail(err, CM_ERR_VALIDATION, "DNS publisher: missing");
	if (!dns_name_valid(fqdn))
		return cm_fail(err, CM_ERR_VALIDATION, "TXT name: not a valid DNS name");
	if (!dns_txt_value_valid(value))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "TXT value for %s: must be 1 to 255 printable ASCII characters",
			       fqdn);
	if (p->zone[0] != '\0' && !dns_name_in_zone(fqdn, p->zone))
		return cm_fail(err, CM_ERR_VALIDATION, "TXT name %s: not inside zone %s", fqdn,
			       dns_name_valid(p->zone) ? p->zone : "(invalid)");
	if (p->hook[0] != '\0')
		return 0;
	if (!dns_name_valid(p->zone))
		return cm_fail(err, CM_ERR_VALIDATION, "DNS publisher zone: not a valid DNS name");
	if (p->server.host[0] == '\0' || p->server.port > 65535)
		return cm_fail(err, CM_ERR_VALIDATION, "DNS publisher server: missing or bad port");
	if (!p->has_tsig)
		return 0;
	if (!dns_name_valid(p->tsig.name))
		return cm_fail(err, CM_ERR_VALIDATION, "TSIG key name: not a valid DNS name");
	if (dns_tsig_algorithm(p->tsig.algorithm) == NULL)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "TSIG algorithm %s: unsupported (hmac-sha256, hmac-sha512, "
			       "hmac-sha1, hmac-md5)",
			       p->tsig.algorithm);
	/* Never print the secret, not even a bad one. */
	if (!dns_b64_valid(p->tsig.secret_b64))
		return cm_fail(err, CM_ERR_VALIDATION, "TSIG key %s: secret is not base64",
			       p->tsig.name);
	return 0;
}

/* fqdn IN TXT "value" as an update RR: class IN and ttl to add it, class NONE
 * and ttl 0 to delete exactly that RR (RFC 2136 2.5.1 and 2.5.4). The value
 * goes in as bytes, so no zone-file escaping is involved. */
static ldns_rr *dns_txt_rr(const char *fqdn, const char *value, uint32_t ttl, bool add)
{
	uint8_t data[256];
	size_t len = strlen(value);
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *owner = ldns_dname_new_frm_str(fqdn);
	/* A character-string: length octet, then the octets, no terminator. */
	data[0] = (uint8_t)len;
	for (size_t i = 0; i < len; i++)
		data[i + 1] = (uint8_t)value[i];
	ldns_rdf *txt = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, len + 1, data);
	if (rr == NULL || owner == NULL || txt == NULL) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(owner);
		ldns_rdf_deep_free(txt);
		return NULL;
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
	ldns_rr_set_class(rr, add ? LDNS_RR_CLASS_IN : LDNS_RR_CLASS_NONE);
	ldns_rr_set_ttl(rr, add ? ttl : 0);
	ldns_rr_push_rdf(rr, txt);
	return rr;
}

static int dns_txt_update(const struct dns_publisher *p, const char *fqdn, const char *value,
			  uint32_t ttl, bool add, struct cm_err *err)
{
	char what[600], rcode[24];
	ldns_rr_list *up = NULL;
	ldns_pkt *query = NULL, *reply = NULL;
	int rc = -1;
	snprintf(what, sizeof(what), "DNS update (%s TXT %s) of zone %s at %s port %u",
		 add ? "add" : "remove", fqdn, p->zone, p->server.host,
		 p->server.port ? p->server.port : 53);
	up = ldns_rr_list_new();
	ldns_rr *rr = dns_txt_rr(fqdn, value, ttl, add);
	ldns_rdf *zone = ldns_dname_new_frm_str(p->zone);
	if (up == NULL || rr == NULL || zone == NULL || !ldns_rr_list_push_rr(up, rr)) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(zone);
		cm_fail(err, CM_ERR_INTERNAL, "%s: out of memory", what);
		goto out;
	}
	/* Takes zone; copies up. */
	query = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, NULL, up, NULL);
	if (query == NULL) {
		ldns_rdf_deep_free(zone);
		cm_fail(err, CM_ERR_INTERNAL, "%s: out of memory", what);
		goto out;
	}
	/* ldns sets RD on updates; RFC 2136 2.2 says the bits are zero. */
	ldns_pkt_set_rd(query, false);
	if (dns_exchange(&p->server, p->has_tsig ? &p->tsig : NULL, p->timeout_ms, query, &reply,
			 what, err) < 0)
		goto out;
	if (ldns_pkt_get_rcode(reply) != LDNS_RCODE_NOERROR) {
		dns_rcode_name(ldns_pkt_get_rcode(reply), rcode, sizeof(rcode));
		cm_fail(err, CM_ERR_INTERNAL, "%s: server answered %s", what, rcode);
		goto out;
	}
	rc = 0;
out:
	ldns_pkt_free(reply);
	ldns_pkt_free(query);
	ldns_rr_list_deep_free(up);
	return rc;
}

int dns_txt_add(const struct dns_publisher *p, const char *fqdn, const char *value, uint32_t ttl,
		struct cm_err *err)
{
	if (dns_publisher_check(p, fqdn, value, err) < 0)
		return -1;
	/* RFC 2181 8: a TTL with the top bit set is read as 0 by resolvers. */
	if (ttl > INT32_MAX)
		return cm_fail(err, CM_ERR_VALIDATION, "TXT TTL %u: more than 2147483647", ttl);
	if (p->hook[0] != '\0')
		return dns_hook_run(p->hook, "add", fqdn, value, p->timeout_ms, err);
	return dns_txt_update(p, fqdn, value, ttl, true, err);
}

int dns_txt_remove(const struct dns_publisher *p, const char *fqdn, const char *value,
		   struct cm_err *err)
{
	if (dns_publisher_check(p, fqdn, value, err) < 0)
		return -1;
	if (p->hook[0] != '\0')
		return dns_hook_run(p->hook, "remove", fqdn, value, p->timeout_ms, err);
	/* Deleting an RR that is not there is a no-op with NOERROR (RFC 2136
	 * 3.4.2.4), which gives "not there is success" for free. */
	return dns_txt_update(p, fqdn, value, 0, false, err);
}
