/* Certificate download (RFC 8555 §7.4.2): the default chain, and when the
 * configuration prefers a root, the alternates the CA links to. */
#include <stdlib.h>
#include <string.h>

#include "acme/internal.h"
#include "x509/pem_chain.h"

#define ACME_PEM_CHAIN "application/pem-certificate-chain"

/* One chain: fetched, its type checked, split by x509/. */
static int acme_chain_get(struct acme_client *c, const char *url, struct acme_resp *r,
			  struct x509_pem_chain *chain, struct cm_err *err)
{
	if (acme_post(c, url, NULL, false, ACME_PEM_CHAIN, r, err) < 0)
		return -1;
	if (r->status != 200 ||
	    strncmp(r->content_type, ACME_PEM_CHAIN, strlen(ACME_PEM_CHAIN)) != 0)
		return acme_fail(c, err, CM_ERR_REQUEST_FAILED,
				 "ACME CA %s: certificate answer is not a PEM chain (HTTP %ld)",
				 c->name, r->status);
	if (x509_pem_chain_split(r->body, r->body_len, chain, err) < 0)
		return acme_fail(c, err, CM_ERR_REQUEST_FAILED,
				 "ACME CA %s: certificate chain does not parse", c->name);
	return 0;
}

static bool acme_chain_preferred(const struct acme_client *c, const struct x509_pem_chain *ch)
{
	return c->preferred_chain != NULL && ch->top_issuer_cn != NULL &&
	       strcmp(ch->top_issuer_cn, c->preferred_chain) == 0;
}

int acme_cert_download(struct acme_client *c, const char *cert_url, char **leaf_pem,
		       char **chain_pem, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1}, alt = {.retry_after = -1};
	struct x509_pem_chain def = {0}, other = {0};
	struct x509_pem_chain *pick = &def;
	int rc = -1;
	*leaf_pem = *chain_pem = NULL;
	if (acme_chain_get(c, cert_url, &r, &def, err) < 0)
		goto out;
	for (size_t i = 0;
	     !acme_chain_preferred(c, pick) && c->preferred_chain != NULL && i < r.nalternates;
	     i++) {
		x509_pem_chain_clear(&other);
		/* An alternate that fails to load is no reason to fail the default. */
		if (acme_chain_get(c, r.alternates[i], &alt, &other, NULL) == 0 &&
		    other.leaf_pem != NULL && def.leaf_pem != NULL &&
		    strcmp(other.leaf_pem, def.leaf_pem) == 0 && acme_chain_preferred(c, &other))
			pick = &other;
		acme_resp_clear(&alt);
	}
	*leaf_pem = pick->leaf_pem;
	*chain_pem = pick->chain_pem;
	pick->leaf_pem = pick->chain_pem = NULL;
	rc = 0;
out:
	x509_pem_chain_clear(&def);
	x509_pem_chain_clear(&other);
	acme_resp_clear(&r);
	acme_resp_clear(&alt);
	return rc;
}
