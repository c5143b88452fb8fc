/* A CA's delegated OCSP responder (spec pca.md §6.8: responses signed "by
 * the CA or a delegated OCSPSigning certificate"; RFC 6960 §4.2.2.2), for
 * `serve --ocsp-delegated`: the CA key then signs a responder certificate
 * once a fortnight instead of every OCSP response. The responder's key is
 * generated here, sealed by the keystore and kept with its certificate; a
 * certificate is replaced when less than half its life is left, or when the
 * CA's certificate changed, so there is always time to switch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/keystore.h"
#include "pca/internal.h"
#include "pca/revocation.h"
#include "x509/issue.h"
#include "x509/pem.h"

#define PCA_OCSP_SIGNER_DAYS 30 /* short: id-pkix-ocsp-nocheck means no revocation */
#define DAY		     ((int64_t)86400)

static void pca_ocsp_signer_binding(const char *ca_id, char *buf, size_t size)
{
	snprintf(buf, size, "ocsp-signer:%s", ca_id);
}

/* The stored responder if it is still good for this CA certificate: 1 with
 * *cert and *key (owned), 0 when a new one is needed, -1 on error. */
static int pca_ocsp_signer_load(const struct pca_ctx *ctx, const struct store_ca *ca, X509 *ca_cert,
				X509 **cert, EVP_PKEY **key, struct cm_err *err)
{
	struct store_ocsp_signer s;
	char binding[96];
	int rc = 0;
	if (store_ocsp_signer_get(ctx->store, ca->id, &s, err) < 0)
		return err->code == CM_ERR_NOT_FOUND ? 0 : -1;
	/* Half its life gone, unless it already lasts as long as the CA (a new
	 * one could last no longer: renewing would only repeat every rebuild). */
	if (s.not_after - ctx->now < PCA_OCSP_SIGNER_DAYS * DAY / 2 && s.not_after < ca->not_after)
		goto out;
	if (s.not_after <= ctx->now)
		goto out;
	*cert = x509_cert_from_der(s.cert_der, s.cert_der_len, err);
	if (*cert == NULL || X509_verify(*cert, X509_get0_pubkey(ca_cert)) != 1 ||
	    X509_NAME_cmp(X509_get_issuer_name(*cert), X509_get_subject_name(ca_cert)) != 0) {
		X509_free(*cert); /* the CA's certificate (or key) changed */
		*cert = NULL;
		goto out;
	}
	pca_ocsp_signer_binding(ca->id, binding, sizeof(binding));
	*key = keystore_open_key(ctx->keys, s.key_sealed, s.key_sealed_len, binding, err);
	if (*key == NULL) {
		X509_free(*cert);
		*cert = NULL;
		rc = -1;
	} else {
		rc = 1;
	}
out:
	store_ocsp_signer_clear(&s);
	return rc;
}

/* A new key of the CA's family (RSA 2048 for any RSA CA: the responder
 * signs often, and the CA's hash still applies). */
static EVP_PKEY *pca_ocsp_signer_key(const struct store_ca *ca, struct cm_err *err)
{
	enum x509_key_alg alg;
	if (x509_key_alg_from_name(ca->key_alg, &alg) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "CA %s has an unknown key algorithm", ca->id);
		return NULL;
	}
	if (alg == X509_KEY_RSA_3072 || alg == X509_KEY_RSA_4096)
		alg = X509_KEY_RSA_2048;
	return x509_key_generate(alg, err);
}

/* Issues, seals and stores a new responder: *cert and *key owned. */
static int pca_ocsp_signer_new(const struct pca_ctx *ctx, const struct store_ca *ca, X509 *ca_cert,
			       X509 **cert, EVP_PKEY **key, struct cm_err *err)
{
	unsigned char serial[16];
	char binding[96];
	struct store_ocsp_signer s = {0};
	struct x509_ocsp_signer_params p = {.ca_cert = ca_cert,
					    .serial = serial,
					    .serial_len = sizeof(serial),
					    .not_before = ctx->now - 300, /* clock skew */
					    .not_after = ctx->now + PCA_OCSP_SIGNER_DAYS * DAY};
	int rc = -1;
	if (p.not_after > ca->not_after)
		p.not_after = ca->not_after; /* never past the CA (RFC 5280 §6) */
	x509_serial_random(serial);
	if (pca_ca_sig_alg(ca, &p.sig_alg, err) < 0 ||
	    (p.ca_key = pca_ca_open_key(ctx, ca, err)) == NULL ||
	    (*key = pca_ocsp_signer_key(ca, err)) == NULL)
		goto out;
	p.signer_key = *key;
	pca_ocsp_signer_binding(ca->id, binding, sizeof(binding));
	snprintf(s.ca_id, sizeof(s.ca_id), "%s", ca->id);
	s.not_after = p.not_after;
	if ((*cert = x509_ocsp_signer_issue(&p, err)) == NULL)
		goto out;
	if ((s.cert_der = x509_cert_to_der(*cert, &s.cert_der_len)) == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the OCSP responder certificate");
		goto out;
	}
	if (keystore_seal_key(ctx->keys, *key, binding, &s.key_sealed, &s.key_sealed_len, err) <
		0 ||
	    store_ocsp_signer_put(ctx->store, &s, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
	}
	EVP_PKEY_free(p.ca_key);
	store_ocsp_signer_clear(&s);
	return rc;
}

int pca_ocsp_signer(const struct pca_ctx *ctx, const struct store_ca *ca, X509 **cert,
		    EVP_PKEY **key, struct cm_err *err)
{
	int rc = -1;
	*cert = NULL;
	*key = NULL;
	/* A responder would outlive the CA by nothing: the CA signs itself. */
	if (ca->not_after - ctx->now < DAY)
		return cm_fail(err, CM_ERR_INVALID_STATE,
			       "The certificate authority expires within a day");
	X509 *ca_cert = pca_ca_certificate(ctx, ca, err);
	if (ca_cert == NULL)
		return -1;
	int got = pca_ocsp_signer_load(ctx, ca, ca_cert, cert, key, err);
	if (got == 1)
		rc = 0;
	else if (got == 0)
		rc = pca_ocsp_signer_new(ctx, ca, ca_cert, cert, key, err);
	X509_free(ca_cert);
	return rc;
}
