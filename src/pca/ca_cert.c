/* A CA's own certificate: its CSR, installing a signed certificate (with the
 * checks of spec pca.md §5.8/§6.4), and reading it back with its chain. */
#include <stdlib.h>
#include <string.h>

#include "pca/internal.h"
#include "pca/access.h"
#include "pca/revocation.h"
#include "x509/ca_cert.h"
#include "x509/info.h"
#include "util/ref_cache.h"
#include "x509/pem.h"

X509 *pca_ca_certificate(const struct pca_ctx *ctx, const struct store_ca *ca,
			 struct cm_err *err)
{
	unsigned char id[REF_CACHE_ID_LEN];
	if (ca->cert_der == NULL) {
		cm_fail(err, CM_ERR_INVALID_STATE,
			"The certificate authority has no certificate installed");
		return NULL;
	}
	/* Keyed by the DER itself: a newly imported certificate is a new entry. */
	bool cacheable = ref_cache_id(ca->id, ca->cert_der, ca->cert_der_len, id) == 0;
	X509 *cert = cacheable ? ref_cache_get(ctx->ca_certs, id) : NULL;
	if (cert != NULL)
		return cert;
	cert = x509_cert_from_der(ca->cert_der, ca->cert_der_len, err);
	if (cert != NULL && cacheable)
		ref_cache_put(ctx->ca_certs, id, cert);
	return cert;
}

int pca_ca_get_csr(const struct pca_ctx *ctx, const char *arn, char **csr_pem,
		   struct cm_err *err)
{
	struct store_ca ca;
	int rc = -1;
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_GET_CSR, pca_effective_status(&ca, ctx->now), err) < 0)
		goto out;
	*csr_pem = ca.csr_pem;
	ca.csr_pem = NULL;
	rc = 0;
out:
	store_ca_clear(&ca);
	return rc;
}

/* Parses and checks the certificate and chain against the CA's key. */
static int pca_import_check(const struct pca_ctx *ctx, const struct store_ca *ca, X509 *cert,
			    const unsigned char *chain, size_t chain_len, char **chain_pem,
			    struct cm_err *err)
{
	bool is_root = strcmp(ca->type, "ROOT") == 0;
	STACK_OF(X509) *stack = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;
	if (chain != NULL && chain_len > 0) {
		if (is_root)
			return cm_fail(err, CM_ERR_INVALID_REQUEST,
				       "A ROOT certificate authority's certificate takes no chain");
		stack = x509_chain_parse(chain, chain_len, err);
		if (stack == NULL)
			return -1;
	} else if (!is_root) {
		return cm_fail(err, CM_ERR_INVALID_REQUEST,
			       "A SUBORDINATE certificate authority needs a CertificateChain");
	}
	key = pca_ca_open_key(ctx, ca, err);
	if (key == NULL || x509_ca_cert_check(cert, stack, key, is_root, ctx->now, err) < 0)
		goto out;
	if (stack != NULL && (*chain_pem = x509_chain_to_pem(stack)) == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the chain");
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(key);
	sk_X509_pop_free(stack, X509_free);
	return rc;
}

/* Fills the certificate fields of the record from the parsed certificate. */
static int pca_import_fill(struct store_ca *ca, X509 *cert, char *chain_pem, struct cm_err *err)
{
	struct x509_cert_info info;
	if (x509_cert_info_get(cert, &info, err) < 0)
		return -1;
	x509_cert_info_clear(&info); /* only the fixed-size fields are kept */
	free(ca->cert_der);
	free(ca->chain_pem);
	ca->chain_pem = chain_pem;
	ca->cert_der = x509_cert_to_der(cert, &ca->cert_der_len);
	if (ca->cert_der == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encode the certificate");
	snprintf(ca->serial_dec, sizeof(ca->serial_dec), "%s", info.serial_dec);
	ca->not_before = info.not_before;
	ca->not_after = info.not_after;
	return 0;
}

int pca_ca_import_certificate(const struct pca_ctx *ctx, const char *arn,
			      const unsigned char *cert_data, size_t cert_len,
			      const unsigned char *chain, size_t chain_len, struct cm_err *err)
{
	struct store_ca ca;
	X509 *cert = NULL;
	char *chain_pem = NULL;
	int rc = -1;
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	enum pca_status status = pca_effective_status(&ca, ctx->now);
	if (pca_state_allows(PCA_OP_IMPORT_CA_CERT, status, err) < 0)
		goto out;
	cert = x509_cert_parse(cert_data, cert_len, err);
	if (cert == NULL || pca_import_check(ctx, &ca, cert, chain, chain_len, &chain_pem, err) < 0)
		goto out;
	if (pca_import_fill(&ca, cert, chain_pem, err) < 0)
		goto out;
	/* PENDING_CERTIFICATE becomes ACTIVE; ACTIVE/DISABLED stay; an EXPIRED CA
	 * keeps its stored ACTIVE/DISABLED, which the new notAfter revives. */
	if (status == PCA_PENDING_CERTIFICATE) {
		snprintf(ca.status, sizeof(ca.status), "%s", pca_status_name(PCA_ACTIVE));
		ca.last_state_change_at = ctx->now;
	} else if (status == PCA_EXPIRED) {
		ca.last_state_change_at = ctx->now;
	}
	if (store_begin(ctx->store, err) < 0)
		goto out;
	if (store_ca_update_cert(ctx->store, &ca, err) < 0 ||
	    store_ca_update_state(ctx->store, &ca, err) < 0 || store_commit(ctx->store, err) < 0) {
		store_rollback(ctx->store);
		goto out;
	}
	pca_notify_ca_changed(ca.id); /* a newly ACTIVE CA starts publishing */
	rc = 0;
out:
	X509_free(cert);
	store_ca_clear(&ca);
	return rc;
}

int pca_ca_get_certificate(const struct pca_ctx *ctx, const char *arn, char **cert_pem,
			   char **chain_pem, struct cm_err *err)
{
	struct store_ca ca;
	X509 *cert = NULL;
	int rc = -1;
	if (pca_ca_load_shared(ctx, arn, "CertificateAuthorityArn", PCA_ACTION_GET_CA_CERT, NULL,
			       &ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_GET_CA_CERT, pca_effective_status(&ca, ctx->now), err) < 0 ||
	    (cert = pca_ca_certificate(ctx, &ca, err)) == NULL)
		goto out;
	*cert_pem = x509_cert_to_pem(cert);
	if (*cert_pem == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the certificate");
		goto out;
	}
	*chain_pem = ca.chain_pem;
	ca.chain_pem = NULL;
	rc = 0;
out:
	X509_free(cert);
	store_ca_clear(&ca);
	return rc;
}
