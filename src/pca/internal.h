/* Helpers shared inside src/pca/. */
#ifndef CERTAIN_PCA_INTERNAL_H
#define CERTAIN_PCA_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pca/ca.h"

#define PCA_IDEMPOTENCY_WINDOW 300 /* seconds: AWS's 5 minutes */

/* The result a request with this IdempotencyToken already produced within
 * the window: 1 (result filled), 0 (none: token NULL or unseen), -1 (error). */
int pca_idempotent_result(const struct pca_ctx *ctx, const char *scope, const char *token,
			  char *result, size_t size, struct cm_err *err);

/* The keystore binding of a CA's sealed key. */
void pca_key_binding(const char *ca_id, char *buf, size_t size);

/* Opens the CA's private key (owned). */
EVP_PKEY *pca_ca_open_key(const struct pca_ctx *ctx, const struct store_ca *ca,
			  struct cm_err *err);

/* The CA certificate as an X509 (a reference: X509_free it), parsed once and
 * then served from ctx->ca_certs; CM_ERR_INVALID_STATE when none is installed. */
X509 *pca_ca_certificate(const struct pca_ctx *ctx, const struct store_ca *ca,
			 struct cm_err *err);

/* The chain of a certificate this CA issued (rec): the CA's certificate,
 * then its own chain up to the root; *chain NULL for a root's own
 * self-signed certificate. */
int pca_cert_chain(const struct pca_ctx *ctx, const struct store_ca *ca,
		   const struct store_cert *rec, char **chain, struct cm_err *err);


#endif
