/* Splits a PEM chain into leaf and intermediates and names its topmost
 * issuer, so the ACME client can pick among alternate chains without
 * touching ASN.1 itself. */
#include "x509/pem_chain.h"

#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "x509/pem.h"

static char *x509_issuer_cn(const X509 *cert)
{
	const X509_NAME *n = X509_get_issuer_name(cert);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	unsigned char *utf8 = NULL;
	if (i < 0)
		return strdup("");
	const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	int len = ASN1_STRING_to_UTF8(&utf8, s);
	char *out = len >= 0 ? strndup((const char *)utf8, (size_t)len) : NULL;
	OPENSSL_free(utf8);
	return out;
}

void x509_pem_chain_clear(struct x509_pem_chain *c)
{
	if (c == NULL)
		return;
	free(c->leaf_pem);
	free(c->chain_pem);
	free(c->top_issuer_cn);
	memset(c, 0, sizeof(*c));
}

int x509_pem_chain_split(const char *pem, size_t len, struct x509_pem_chain *out,
			 struct cm_err *err)
{
	STACK_OF(X509) *all = x509_chain_parse((const unsigned char *)pem, len, err);
	STACK_OF(X509) *rest = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (all == NULL)
		goto out;
	int n = sk_X509_num(all);
	if ((rest = sk_X509_new_null()) == NULL)
		goto oom;
	for (int i = 1; i < n; i++)
		if (!sk_X509_push(rest, sk_X509_value(all, i))) /* borrowed from all */
			goto oom;
	out->count = (size_t)n;
	out->leaf_pem = x509_cert_to_pem(sk_X509_value(all, 0));
	out->chain_pem = n > 1 ? x509_chain_to_pem(rest) : strdup("");
	out->top_issuer_cn = x509_issuer_cn(sk_X509_value(all, n - 1));
	if (out->leaf_pem == NULL || out->chain_pem == NULL || out->top_issuer_cn == NULL)
		goto oom;
	rc = 0;
	goto out;
oom:
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
out:
	if (rc < 0)
		x509_pem_chain_clear(out);
	sk_X509_free(rest);
	sk_X509_pop_free(all, X509_free);
	return rc;
}
