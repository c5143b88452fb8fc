/* GetCertificate and ExportCertificate (spec acm.md §5.3, §5.6, §6.6). */
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "keystore/keystore.h"
#include "x509/pem.h"

/* PEM of the stored certificate and a copy of its chain (NULL when none). */
static int acm_pem(const struct store_acm_cert *c, const char *arn, char **cert_pem,
		   char **chain_pem, struct cm_err *err)
{
	*cert_pem = NULL;
	*chain_pem = NULL;
	if (c->cert_der == NULL)
		return cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS,
			       "Certificate %.300s is not yet issued: it has no certificate yet",
			       arn);
	X509 *cert = x509_cert_from_der(c->cert_der, c->cert_der_len, err);
	if (cert == NULL)
		return -1;
	*cert_pem = x509_cert_to_pem(cert);
	X509_free(cert);
	if (c->chain_pem != NULL)
		*chain_pem = strdup(c->chain_pem);
	if (*cert_pem == NULL || (c->chain_pem != NULL && *chain_pem == NULL)) {
		free(*cert_pem);
		free(*chain_pem);
		*cert_pem = *chain_pem = NULL;
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

int acm_get_certificate(const struct acm_ctx *ctx, const char *arn, char **cert_pem,
			char **chain_pem, struct cm_err *err)
{
	struct store_acm_cert c;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	int rc = acm_pem(&c, arn, cert_pem, chain_pem, err);
	store_acm_cert_clear(&c);
	return rc;
}

/* Printable ASCII without '#', '$' and '%' (spec §6.6). */
static int acm_passphrase_check(const unsigned char *p, size_t len, struct cm_err *err)
{
	if (len < 4 || len > 128)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The passphrase must be 4 to 128 characters long");
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '#' || p[i] == '$' || p[i] == '%')
			return cm_fail(err, CM_ERR_VALIDATION,
				       "The passphrase may contain printable ASCII characters "
				       "except #, $ and %%");
	return 0;
}

static int acm_exportable(const struct store_acm_cert *c, const char *arn, struct cm_err *err)
{
	if (strcmp(c->type, "PRIVATE") == 0 ||
	    (strcmp(c->type, "AMAZON_ISSUED") == 0 && strcmp(c->export_option, "ENABLED") == 0))
		return 0;
	if (strcmp(c->type, "IMPORTED") == 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "Certificate ARN: %.300s is an imported certificate and cannot be "
			       "exported",
			       arn);
	return cm_fail(err, CM_ERR_VALIDATION, "Certificate ARN: %.300s is not a private certificate",
		       arn);
}

int acm_export(const struct acm_ctx *ctx, const char *arn, const unsigned char *passphrase,
	       size_t pass_len, char **cert_pem, char **chain_pem, char **key_pem,
	       struct cm_err *err)
{
	struct store_acm_cert c;
	char binding[96];
	int rc = -1;
	*cert_pem = *chain_pem = *key_pem = NULL;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (acm_exportable(&c, arn, err) < 0 || acm_passphrase_check(passphrase, pass_len, err) < 0 ||
	    acm_pem(&c, arn, cert_pem, chain_pem, err) < 0)
		goto out;
	acm_key_binding(c.id, binding, sizeof(binding));
	if (keystore_export_key(ctx->keys, c.key_sealed, c.key_sealed_len, binding, passphrase,
				pass_len, key_pem, err) < 0)
		goto out;
	/* An exported certificate is in use somewhere: it becomes renewable (§6.2). */
	if (!c.exported && store_acm_cert_mark_exported(ctx->store, ctx->account, c.id, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		free(*cert_pem), free(*chain_pem), free(*key_pem);
		*cert_pem = *chain_pem = *key_pem = NULL;
	}
	store_acm_cert_clear(&c);
	return rc;
}

int acm_key_write_pem(const struct acm_ctx *ctx, const struct store_acm_cert *c, int fd,
		      struct cm_err *err)
{
	char binding[96];
	if (c->key_sealed == NULL)
		return cm_fail(err, CM_ERR_INVALID_STATE, "certificate %s has no private key", c->id);
	acm_key_binding(c->id, binding, sizeof(binding));
	return keystore_write_key_pem(ctx->keys, c->key_sealed, c->key_sealed_len, binding, fd, err);
}
