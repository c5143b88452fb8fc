/* Checking the user's delegation CNAME (_acme-challenge.<domain> pointing
 * into our validation zone) before asking the CA to validate: a missing CNAME
 * is a configuration problem to report, not a reason to burn a CA attempt. */
#include "acme/dns_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dns_cname_lookup(const struct dns_server *resolver, const char *name, char *target,
		     size_t target_size, struct cm_err *err)
{
	return dns_cname_lookup_timeout(resolver, name, 0, target, target_size, err);
}

/* The CNAME target for owner in the answer section, or NULL. A recursive
 * resolver may add the chain behind it; only the record for owner counts. */
static const ldns_rr *dns_cname_find(const ldns_pkt *reply, const ldns_rdf *owner)
{
	const ldns_rr_list *an = ldns_pkt_answer(reply);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && ldns_rr_rd_count(rr) == 1 &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
			return rr;
	}
	return NULL;
}

int dns_cname_lookup_timeout(const struct dns_server *resolver, const char *name, int timeout_ms,
			     char *target, size_t target_size, struct cm_err *err)
{
	char what[640], rcode[24];
	ldns_rdf *owner = NULL;
	ldns_pkt *query = NULL, *reply = NULL;
	char *text = NULL;
	int rc = -1;
	if (!dns_name_valid(name))
		return cm_fail(err, CM_ERR_VALIDATION, "CNAME lookup: %s is not a valid DNS name",
			       name ? name : "(null)");
	if (target == NULL || target_size == 0)
		return cm_fail(err, CM_ERR_VALIDATION, "CNAME lookup: no room for the target");
	target[0] = '\0';
	if (resolver != NULL)
		snprintf(what, sizeof(what), "CNAME lookup of %s at %s port %u", name,
			 resolver->host, resolver->port ? resolver->port : 53);
	else
		snprintf(what, sizeof(what), "CNAME lookup of %s via /etc/resolv.conf", name);
	owner = ldns_dname_new_frm_str(name);
	query = owner ? ldns_pkt_query_new(ldns_rdf_clone(owner), LDNS_RR_TYPE_CNAME,
					   LDNS_RR_CLASS_IN, LDNS_RD)
		      : NULL;
	if (query == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "%s: out of memory", what);
		goto out;
	}
	if (dns_exchange(resolver, NULL, timeout_ms, query, &reply, what, err) < 0)
		goto out;
	ldns_pkt_rcode r = ldns_pkt_get_rcode(reply);
	const ldns_rr *cname = dns_cname_find(reply, owner);
	if (cname == NULL && (r == LDNS_RCODE_NXDOMAIN || r == LDNS_RCODE_NOERROR)) {
		rc = 0;
		goto out;
	}
	if (cname == NULL) {
		dns_rcode_name(r, rcode, sizeof(rcode));
		cm_fail(err, CM_ERR_INTERNAL, "%s: resolver answered %s", what, rcode);
		goto out;
	}
	text = ldns_rdf2str(ldns_rr_rdf(cname, 0));
	if (text == NULL || strlen(text) >= target_size) {
		cm_fail(err, CM_ERR_INTERNAL, "%s: target does not fit", what);
		goto out;
	}
	/* ldns prints absolute names with the trailing dot; case is the
	 * server's, and callers compare lower case. */
	for (char *c = text; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	memcpy(target, text, strlen(text) + 1);
	rc = 1;
out:
	free(text);
	ldns_pkt_free(reply);
	ldns_pkt_free(query);
	ldns_rdf_deep_free(owner);
	return rc;
}
