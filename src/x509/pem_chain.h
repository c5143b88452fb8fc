/* A PEM certificate chain as an ACME CA sends it (RFC 8555 §7.4.2: leaf
 * first, then the certificates that certify it), split for storage. */
#ifndef CERTAIN_X509_PEM_CHAIN_H
#define CERTAIN_X509_PEM_CHAIN_H

#include <stddef.h>

#include "util/err.h"

struct x509_pem_chain {
	char *leaf_pem;	     /* the first certificate (owned) */
	char *chain_pem;     /* the others in order, "" when none (owned) */
	char *top_issuer_cn; /* issuer CN of the last certificate, "" when none (owned) */
	size_t count;	     /* certificates in all */
};

/* Splits PEM text; CM_ERR_MALFORMED_CERTIFICATE (from x509_chain_parse) when
 * it is not a clean run of PEM certificates. */
int x509_pem_chain_split(const char *pem, size_t len, struct x509_pem_chain *out,
			 struct cm_err *err);

void x509_pem_chain_clear(struct x509_pem_chain *c);

#endif
