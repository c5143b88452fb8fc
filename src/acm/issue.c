/* Issuing a PRIVATE certificate through the Private CA path (spec acm.md
 * §6.2): a new key generated here, a CSR for the certificate's names, the
 * CA's EndEntityCertificate/V1 template for 395 days. CA problems are not the
 * caller's errors: they become the certificate's FailureReason (§5.1). */
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "keystore/keystore.h"
#include "pca/access.h"
#include "x509/pem.h"

#define ACM_REQUESTER "acm.amazonaws.com"

/* FailureReason of a PCA error (spec §5.1). */
static const char *acm_pca_failure(enum cm_code code)
{
	switch (code) {
	case CM_ERR_NOT_FOUND:
		return "PCA_RESOURCE_NOT_FOUND";
	case CM_ERR_INVALID_STATE:
		return "PCA_INVALID_STATE";
	case CM_ERR_VALIDATION:
		return "PCA_INVALID_DURATION"; /* validity past the CA's own */
	case CM_ERR_INVALID_ARGS:
	case CM_ERR_MALFORMED_CSR:
		return "PCA_INVALID_ARGS";
	case CM_ERR_INVALID_ARN:
		return "PCA_INVALID_ARN";
	case CM_ERR_LIMIT_EXCEEDED:
		return "PCA_LIMIT_EXCEEDED";
	case CM_ERR_ACCESS_DENIED:
		return "PCA_ACCESS_DENIED";
	default:
		return "PCA_REQUEST_FAILED";
	}
}

static bool acm_same_family(const char *a, const char *b)
{
	return strncmp(a, b, 2) == 0; /* "RS" vs "EC" */
}

/* The CA exists, is the caller's or shared with it by its policy (spec acm.md
 * §5.1: PCA_ACCESS_DENIED when not), and signs keys of this family. */
static int acm_check_ca(const struct acm_ctx *ctx, const struct store_acm_cert *c,
			enum x509_sig_alg *sig, struct cm_err *err)
{
	struct pca_ctx pctx = acm_pca_ctx(ctx);
	struct store_ca ca;
	if (pca_ca_load_shared(&pctx, c->ca_arn, "CertificateAuthorityArn", PCA_ACTION_ISSUE,
			       PCA_SHARED_TEMPLATE, &ca, err) < 0)
		return -1;
	int rc = 0;
	if (x509_sig_alg_from_name(ca.sig_alg, sig) < 0)
		rc = cm_fail(err, CM_ERR_INTERNAL, "stored signing algorithm %s unknown", ca.sig_alg);
	else if (!acm_same_family(ca.key_alg, c->key_alg))
		rc = cm_fail(err, CM_ERR_INVALID_ARGS,
			     "The certificate authority's %s key cannot issue for a %s key",
			     ca.key_alg, c->key_alg);
	store_ca_clear(&ca);
	return rc;
}

unsigned char *acm_csr(const struct store_acm_cert *c, EVP_PKEY **key, size_t *len,
			      struct cm_err *err)
{
	enum x509_key_alg alg;
	char **names = NULL;
	size_t n = 0;
	unsigned char *der = NULL;
	X509_REQ *req = NULL;
	*key = NULL;
	if (x509_key_alg_from_name(c->key_alg, &alg) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "unknown key algorithm %s", c->key_alg);
		return NULL;
	}
	if (acm_names(c, &names, &n, err) < 0)
		return NULL;
	*key = x509_key_generate(alg, err);
	if (*key != NULL)
		req = x509_leaf_csr_build(*key, c->domain_name, (const char *const *)names, n, err);
	int der_len = req != NULL ? i2d_X509_REQ(req, &der) : -1;
	if (req != NULL && der_len <= 0)
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the CSR");
	*len = der_len > 0 ? (size_t)der_len : 0;
	X509_REQ_free(req);
	store_strings_free(names, n);
	if (der_len <= 0) {
		EVP_PKEY_free(*key);
		*key = NULL;
		return NULL;
	}
	return der;
}

/* Signs the CSR through the PCA issuing path; nothing stored yet. */
static int acm_sign(const struct acm_ctx *ctx, const struct store_acm_cert *c,
		    enum x509_sig_alg sig, const unsigned char *csr, size_t csr_len,
		    struct pca_issued *out, struct cm_err *err)
{
	struct pca_ctx pctx = acm_pca_ctx(ctx);
	struct pca_issue_req req = {
		.ca_arn = c->ca_arn,
		.csr = csr,
		.csr_len = csr_len,
		.sig_alg = sig,
		.validity = {PCA_VALIDITY_DAYS, ACM_PRIVATE_VALIDITY_DAYS},
		.requester = ACM_REQUESTER,
	};
	return pca_issue_signed(&pctx, &req, out, err);
}

int acm_install(const struct acm_ctx *ctx, struct store_acm_cert *c, EVP_PKEY *key,
		       X509 *cert, const char *chain, struct cm_err *err)
{
	struct x509_leaf_details d = {0};
	char binding[96];
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	acm_key_binding(c->id, binding, sizeof(binding));
	int rc = -1;
	if (x509_leaf_details_get_keyed(cert, key, &d, err) < 0 ||
	    keystore_seal_key(ctx->keys, key, binding, &blob, &blob_len, err) < 0)
		goto out;
	if (acm_set_material(c, cert, chain, &d, err) < 0) {
		free(blob);
		goto out;
	}
	free(c->key_sealed);
	c->key_sealed = blob;
	c->key_sealed_len = blob_len;
	rc = 0;
out:
	x509_leaf_details_clear(&d);
	return rc;
}

int acm_issue_private(const struct acm_ctx *ctx, struct store_acm_cert *c, const char **reason,
		      struct pca_issued *issued, struct cm_err *err)
{
	enum x509_sig_alg sig;
	EVP_PKEY *key = NULL;
	size_t csr_len = 0;
	unsigned char *csr = NULL;
	int rc = -1;
	*reason = NULL;
	if (acm_check_ca(ctx, c, &sig, err) < 0 ||
	    (csr = acm_csr(c, &key, &csr_len, err)) == NULL ||
	    acm_sign(ctx, c, sig, csr, csr_len, issued, err) < 0) {
		*reason = acm_pca_failure(err->code);
		goto out;
	}
	rc = acm_install(ctx, c, key, issued->cert, issued->chain_pem, err);
out:
	if (rc < 0)
		pca_issued_clear(issued);
	OPENSSL_free(csr);
	EVP_PKEY_free(key);
	return rc;
}

int acm_renew_private(const struct acm_ctx *ctx, struct store_acm_cert *c, const char **reason,
		      struct pca_issued *issued, struct cm_err *err)
{
	struct pca_ctx pctx = acm_pca_ctx(ctx);
	*reason = NULL;
	if (pca_acm_renewal_allowed(&pctx, c->ca_arn, err) < 0) {
		*reason = acm_pca_failure(err->code);
		return -1;
	}
	return acm_issue_private(ctx, c, reason, issued, err);
}
