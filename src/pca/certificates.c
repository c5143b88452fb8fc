/* Reading and revoking issued certificates (spec pca.md §5.11–5.12). */
#include <stdlib.h>
#include <string.h>

#include "pca/internal.h"
#include "pca/access.h"
#include "pca/revocation.h"
#include "pca/templates.h"
#include "x509/info.h"
#include "x509/pem.h"

/* The certificate ARN must name a certificate of the CA given beside it. */
static int pca_cert_arn_check(const struct store_ca *ca, const char *cert_arn, char *serial,
			      size_t size, struct cm_err *err)
{
	struct arn_ca parsed;
	if (arn_parse_pca_certificate(cert_arn, "CertificateArn", &parsed, serial, size, err) < 0)
		return -1;
	if (strcmp(parsed.ca_id, ca->id) != 0 || strcmp(parsed.account, ca->account_id) != 0)
		return cm_fail(err, CM_ERR_INVALID_ARN,
			       "Certificate %.200s was not issued by the certificate authority given",
			       cert_arn);
	return 0;
}

int pca_cert_chain(const struct pca_ctx *ctx, const struct store_ca *ca,
		   const struct store_cert *rec, char **chain, struct cm_err *err)
{
	const struct pca_template *tmpl = pca_template_find(rec->template_arn);
	*chain = NULL;
	if (tmpl != NULL && tmpl->is_root)
		return 0;
	X509 *ca_cert = pca_ca_certificate(ctx, ca, err);
	if (ca_cert == NULL)
		return -1;
	char *ca_pem = x509_cert_to_pem(ca_cert);
	X509_free(ca_cert);
	size_t n1 = ca_pem != NULL ? strlen(ca_pem) : 0;
	size_t n2 = ca->chain_pem != NULL ? strlen(ca->chain_pem) : 0;
	*chain = ca_pem != NULL ? malloc(n1 + n2 + 2) : NULL;
	if (*chain == NULL) {
		free(ca_pem);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	memcpy(*chain, ca_pem, n1);
	if (n2 > 0 && n1 > 0 && ca_pem[n1 - 1] != '\n')
		(*chain)[n1++] = '\n';
	memcpy(*chain + n1, ca->chain_pem != NULL ? ca->chain_pem : "", n2 + 1);
	free(ca_pem);
	return 0;
}

int pca_get_certificate(const struct pca_ctx *ctx, const char *ca_arn, const char *cert_arn,
			char **cert_pem, char **chain_pem, struct cm_err *err)
{
	struct store_ca ca;
	struct store_cert rec = {0};
	char serial[48];
	int rc = -1;
	if (pca_ca_load_shared(ctx, ca_arn, "CertificateAuthorityArn", PCA_ACTION_GET_CERT, NULL,
			       &ca, err) < 0)
		return -1;
	if (pca_cert_arn_check(&ca, cert_arn, serial, sizeof(serial), err) < 0 ||
	    pca_state_allows(PCA_OP_GET_CERT, pca_effective_status(&ca, ctx->now), err) < 0)
		goto out;
	if (store_cert_get(ctx->store, ca.id, serial, &rec, err) < 0) {
		if (err->code == CM_ERR_NOT_FOUND)
			cm_fail(err, CM_ERR_NOT_FOUND, "Could not find certificate %.200s", cert_arn);
		goto out;
	}
	if (rec.der == NULL) {
		/* The CertificateIssued waiter retries on exactly this error. */
		cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS, "The certificate is still being issued");
		goto out;
	}
	if (pca_cert_chain(ctx, &ca, &rec, chain_pem, err) < 0)
		goto out;
	/* Our own DER, checked when signed: encoded as PEM, not decoded again. */
	*cert_pem = x509_der_to_pem("CERTIFICATE", rec.der, rec.der_len);
	if (*cert_pem == NULL) {
		free(*chain_pem);
		*chain_pem = NULL;
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the certificate");
		goto out;
	}
	rc = 0;
out:
	store_cert_clear(&rec);
	store_ca_clear(&ca);
	return rc;
}

/* RevokeCertificate refuses the CA's own self-signed root certificate. */
static int pca_revoke_not_self(const struct pca_ctx *ctx, const struct store_ca *ca,
			       const char *serial, struct cm_err *err)
{
	struct x509_cert_info info;
	if (strcmp(ca->type, "ROOT") != 0 || ca->cert_der == NULL)
		return 0;
	X509 *cert = pca_ca_certificate(ctx, ca, err);
	if (cert == NULL)
		return -1;
	int rc = x509_cert_info_get(cert, &info, err);
	X509_free(cert);
	if (rc < 0)
		return -1;
	x509_cert_info_clear(&info);
	if (strcmp(info.serial_hex, serial) == 0)
		return cm_fail(err, CM_ERR_INVALID_REQUEST,
			       "A root certificate authority cannot revoke its own certificate");
	return 0;
}

int pca_revoke(const struct pca_ctx *ctx, const char *ca_arn, const char *serial_text,
	       const char *reason, struct cm_err *err)
{
	struct store_ca ca;
	struct store_cert rec = {0};
	char serial[48];
	int rc = -1;
	if (pca_ca_load(ctx, ca_arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_REVOKE, pca_effective_status(&ca, ctx->now), err) < 0)
		goto out;
	if (x509_serial_hex_normalize(serial_text, serial, sizeof(serial)) < 0) {
		cm_fail(err, CM_ERR_INVALID_ARGS,
			"CertificateSerial '%.128s' is not a hexadecimal serial number", serial_text);
		goto out;
	}
	if (pca_revoke_not_self(ctx, &ca, serial, err) < 0)
		goto out;
	if (store_cert_get(ctx->store, ca.id, serial, &rec, err) < 0 || rec.der == NULL) {
		cm_fail(err, CM_ERR_NOT_FOUND,
			"The certificate authority never issued serial %.128s", serial_text);
		goto out;
	}
	if (rec.revoked_at != 0) {
		cm_fail(err, CM_ERR_ALREADY_PROCESSED, "The certificate is already revoked");
		goto out;
	}
	/* Durable once this returns; the CRL and OCSP publishers work after it. */
	rc = store_cert_revoke(ctx->store, ca.id, serial, ctx->now, reason, err);
	if (rc == 0)
		pca_notify_revoked(ca.id, serial);
out:
	store_cert_clear(&rec);
	store_ca_clear(&ca);
	return rc;
}
