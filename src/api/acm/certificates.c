/* Handlers of one certificate: DescribeCertificate, GetCertificate,
 * ExportCertificate, DeleteCertificate, RenewCertificate,
 * UpdateCertificateOptions, ResendValidationEmail, RevokeCertificate
 * (spec acm.md §5.2–5.3, §5.6–5.8, §5.11–5.13). */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "api/acm/common.h"
#include "api/acm/handlers.h"
#include "api/pca/common.h"
#include "aws/jv.h"

static const char *const revocation_reasons[] = {
    "UNSPECIFIED",     "KEY_COMPROMISE",      "CA_COMPROMISE",		"AFFILIATION_CHANGED",
    "SUPERCEDED",      "SUPERSEDED",	      "CESSATION_OF_OPERATION", "CERTIFICATE_HOLD",
    "REMOVE_FROM_CRL", "PRIVILEGE_WITHDRAWN", "A_A_COMPROMISE",		NULL};

int acm_api_describe(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct store_acm_cert c;
	const char *arn = NULL;
	json_t *detail = NULL;
	if (acm_api_arn(in, &arn, err) < 0 || acm_load_summary(&ctx, arn, &c, err) < 0)
		return -1;
	int rc = acm_api_detail(&ctx, &c, &detail, err);
	store_acm_cert_clear(&c);
	if (rc == 0)
		*out = json_pack("{s:o}", "Certificate", detail);
	return rc;
}

int acm_api_get(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	char *cert = NULL, *chain = NULL;
	if (acm_api_arn(in, &arn, err) < 0 ||
	    acm_get_certificate(&ctx, arn, &cert, &chain, err) < 0)
		return -1;
	*out = json_object();
	pca_api_set_owned_string(*out, "Certificate", cert);
	pca_api_set_owned_string(*out, "CertificateChain", chain);
	return 0;
}

int acm_api_export(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	unsigned char *pass = NULL;
	size_t pass_len = 0;
	char *cert = NULL, *chain = NULL, *key = NULL;
	int rc = -1;
	if (acm_api_arn(in, &arn, err) < 0 ||
	    jv_blob(in, NULL, "Passphrase", true, 4, 128, &pass, &pass_len, err) < 0 ||
	    acm_export(&ctx, arn, pass, pass_len, &cert, &chain, &key, err) < 0)
		goto out;
	*out = json_object();
	pca_api_set_owned_string(*out, "Certificate", cert);
	pca_api_set_owned_string(*out, "CertificateChain", chain);
	/* The key leaves only inside the response, encrypted under the passphrase. */
	json_object_set_new(*out, "PrivateKey", json_string(key));
	OPENSSL_clear_free(key, strlen(key));
	rc = 0;
out:
	if (pass != NULL)
		OPENSSL_clear_free(pass, pass_len);
	return rc;
}

int acm_api_delete(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	if (acm_api_arn(in, &arn, err) < 0 || acm_delete(&ctx, arn, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int acm_api_renew(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	if (acm_api_arn(in, &arn, err) < 0 || acm_renew(&ctx, arn, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int acm_api_update_options(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	json_t *opts = NULL;
	int ct = 0, exp = 0;
	bool has_ct = false, has_exp = false;
	if (acm_api_arn(in, &arn, err) < 0 ||
	    jv_object(in, NULL, "Options", true, &opts, err) < 0 ||
	    jv_enum(opts, "Options", "CertificateTransparencyLoggingPreference", false,
		    acm_enum_enabled_disabled, &ct, &has_ct, err) < 0 ||
	    jv_enum(opts, "Options", "Export", false, acm_enum_enabled_disabled, &exp, &has_exp,
		    err) < 0)
		return -1;
	if (acm_update_options(&ctx, arn, has_ct ? acm_enum_enabled_disabled[ct] : NULL,
			       has_exp ? acm_enum_enabled_disabled[exp] : NULL, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int acm_api_resend(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL, *domain = NULL, *vd = NULL;
	if (acm_api_arn(in, &arn, err) < 0 ||
	    jv_string(in, NULL, "Domain", true, 1, 253, &domain, err) < 0 ||
	    jv_string(in, NULL, "ValidationDomain", true, 1, 253, &vd, err) < 0 ||
	    acm_resend_validation(&ctx, arn, domain, vd, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int acm_api_revoke(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	int reason = 0;
	if (acm_api_arn(in, &arn, err) < 0 ||
	    jv_enum(in, NULL, "RevocationReason", true, revocation_reasons, &reason, NULL, err) <
		0 ||
	    acm_revoke(&ctx, arn, revocation_reasons[reason], err) < 0)
		return -1;
	*out = json_pack("{s:s}", "CertificateArn", arn);
	return 0;
}
