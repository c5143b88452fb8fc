/* The pieces of the CSR reader (private to the csr_*.c files): each takes
 * slices of the request as csr.c's walk found them. */
#ifndef CERTAIN_X509_CSR_INTERNAL_H
#define CERTAIN_X509_CSR_INTERNAL_H

#include <openssl/x509.h>

#include "util/err.h"
#include "x509/csr_der.h"

/* What PEM text held. */
enum csr_pem_rc {
	CSR_PEM_OK,	  /* *der (owned) holds the block's bytes */
	CSR_PEM_BAD,	  /* not one well-formed CSR block */
	CSR_PEM_TRAILING, /* a good block, then something but whitespace */
};

/* The DER inside the PEM block that starts p (after whitespace). */
enum csr_pem_rc csr_pem_decode(const unsigned char *p, size_t len, unsigned char **der,
			       size_t *der_len);

/* The public key of a SubjectPublicKeyInfo from its AlgorithmIdentifier's
 * content and its BIT STRING's content (owned); NULL with
 * CM_ERR_MALFORMED_CSR when it is not an RSA key of 2048 bits or more or an
 * EC key on P-256, P-384 or P-521. */
EVP_PKEY *csr_key_read(const struct csr_der *alg, const struct csr_der *bits, struct cm_err *err);

/* Verifies sig (the BIT STRING's content) over tbs with key, under the
 * AlgorithmIdentifier whose content is alg; CM_ERR_MALFORMED_CSR when the
 * algorithm is unknown, does not fit the key, or the signature is wrong. */
int csr_sig_verify(EVP_PKEY *key, const struct csr_der *alg, const struct csr_der *sig,
		   const struct csr_der *tbs, struct cm_err *err);

/* The extensionRequest among the attributes (the content of [0]) into *out
 * (owned; empty when none); CM_ERR_MALFORMED_CSR when an attribute does not
 * decode, the request is there twice or its value is not Extensions. */
int csr_ext_read(const struct csr_der *attrs, STACK_OF(X509_EXTENSION) * *out, struct cm_err *err);

#endif
