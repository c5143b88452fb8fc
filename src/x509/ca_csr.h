/* The CSR of a certificate authority's own key (CreateCertificateAuthority,
 * GetCertificateAuthorityCsr; spec pca.md §5.7). */
#ifndef CERTAIN_X509_CA_CSR_H
#define CERTAIN_X509_CA_CSR_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "x509/keys.h"
#include "x509/name.h"
#include "x509/usage.h"

/* AccessDescription of SubjectInformationAccess. */
struct x509_access_description {
	const char *method_oid;		   /* dotted OID: CustomObjectIdentifier, or the
					      OID of the AccessMethodType (static) */
	struct x509_general_name location; /* AccessLocation */
};

/* CsrExtensions; borrowed strings, arrays owned by whoever decoded them
 * (api/pca/shapes.c frees them with pca_shape_csr_extensions_free). */
struct x509_csr_extensions {
	bool has_key_usage;
	unsigned key_usage; /* enum x509_ku bits */
	struct x509_access_description *sia;
	size_t n_sia;
};

/* The CA's CSR (owned), signed by key with sig_alg: subject from subject
 * (at least one attribute, else CM_ERR_INVALID_ARGS), an extension request
 * holding a critical BasicConstraints CA:TRUE, then a critical KeyUsage and a
 * SubjectInfoAccess when ext (may be NULL) has them. CM_ERR_INVALID_ARGS when
 * sig_alg does not fit the key or is not supported here. */
X509_REQ *x509_ca_csr_build(EVP_PKEY *key, enum x509_sig_alg sig_alg,
			    const struct x509_subject *subject,
			    const struct x509_csr_extensions *ext, struct cm_err *err);

#endif
