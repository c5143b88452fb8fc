/* Handlers: IssueCertificate, GetCertificate, RevokeCertificate
 * (spec pca.md §5.10–5.12). */
#include <stdlib.h>
#include <string.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "api/pca/shapes.h"
#include "aws/jv.h"

#define ARN_MEMBER "CertificateAuthorityArn"
#define MAX_CSR (32 * 1024)

static const char *const validity_types[] = {"END_DATE", "ABSOLUTE", "DAYS", "MONTHS", "YEARS",
					     NULL};

static int issue_validity(json_t *in, const char *name, bool required, struct pca_validity *v,
			  bool *present, struct cm_err *err)
{
	json_t *obj = NULL;
	int type = 0;
	*present = false;
	if (jv_object(in, NULL, name, required, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	if (jv_int(obj, name, "Value", true, 1, INT64_MAX, &v->value, NULL, err) < 0 ||
	    jv_enum(obj, name, "Type", true, validity_types, &type, NULL, err) < 0)
		return -1;
	v->type = (enum pca_validity_type)type;
	*present = true;
	return 0;
}

int pca_api_issue(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	struct pca_issue_req req = {.requester = actx->account};
	struct x509_passthrough passthrough;
	const char *sig = NULL;
	unsigned char *csr = NULL;
	json_t *api = NULL;
	bool present, has_passthrough = false;
	char arn[ARN_MAX + 64];
	int rc = -1;
	memset(&passthrough, 0, sizeof(passthrough));
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &req.ca_arn, err) < 0 ||
	    jv_blob(in, NULL, "Csr", true, 1, MAX_CSR, &csr, &req.csr_len, err) < 0 ||
	    jv_string(in, NULL, "SigningAlgorithm", true, 1, 64, &sig, err) < 0 ||
	    issue_validity(in, "Validity", true, &req.validity, &present, err) < 0 ||
	    issue_validity(in, "ValidityNotBefore", false, &req.not_before, &req.has_not_before,
			   err) < 0 ||
	    jv_string(in, NULL, "TemplateArn", false, 5, 200, &req.template_arn, err) < 0 ||
	    jv_string(in, NULL, "IdempotencyToken", false, 1, 36, &req.idempotency_token, err) < 0 ||
	    jv_object(in, NULL, "ApiPassthrough", false, &api, err) < 0)
		goto out;
	if (x509_sig_alg_from_name(sig, &req.sig_alg) < 0) {
		jv_fail_constraint(err, "SigningAlgorithm", sig,
				   "Member must satisfy enum value set: [SHA256WITHECDSA, "
				   "SHA384WITHECDSA, SHA512WITHECDSA, SHA256WITHRSA, SHA384WITHRSA, "
				   "SHA512WITHRSA, SM3WITHSM2, ML_DSA_44, ML_DSA_65, ML_DSA_87]");
		goto out;
	}
	if (req.idempotency_token != NULL && !jv_is_printable_latin1(req.idempotency_token)) {
		jv_fail_constraint(err, "IdempotencyToken", req.idempotency_token,
				   "Member must satisfy regular expression pattern: "
				   "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]*");
		goto out;
	}
	if (api != NULL) {
		if (pca_shape_passthrough_decode(api, "ApiPassthrough", &passthrough, err) < 0)
			goto out;
		has_passthrough = true;
		req.api_passthrough = &passthrough;
	}
	req.csr = csr;
	if (pca_issue(&ctx, &req, arn, sizeof(arn), err) < 0)
		goto out;
	*out = json_pack("{s:s}", "CertificateArn", arn);
	rc = 0;
out:
	if (has_passthrough)
		pca_shape_passthrough_free(&passthrough);
	free(csr);
	return rc;
}

int pca_api_get_cert(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *ca_arn = NULL, *cert_arn = NULL;
	char *cert = NULL, *chain = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &ca_arn, err) < 0 ||
	    jv_string(in, NULL, "CertificateArn", true, 5, 200, &cert_arn, err) < 0 ||
	    pca_get_certificate(&ctx, ca_arn, cert_arn, &cert, &chain, err) < 0)
		return -1;
	*out = json_object();
	pca_api_set_owned_string(*out, "Certificate", cert);
	pca_api_set_owned_string(*out, "CertificateChain", chain);
	return 0;
}

int pca_api_revoke(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	static const char *const reasons[] = {
		"UNSPECIFIED",         "KEY_COMPROMISE", "CERTIFICATE_AUTHORITY_COMPROMISE",
		"AFFILIATION_CHANGED", "SUPERSEDED",     "CESSATION_OF_OPERATION",
		"PRIVILEGE_WITHDRAWN", "A_A_COMPROMISE", NULL};
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *ca_arn = NULL, *serial = NULL;
	int reason = 0;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &ca_arn, err) < 0 ||
	    jv_string(in, NULL, "CertificateSerial", true, 0, 128, &serial, err) < 0 ||
	    jv_enum(in, NULL, "RevocationReason", true, reasons, &reason, NULL, err) < 0 ||
	    pca_revoke(&ctx, ca_arn, serial, reasons[reason], err) < 0)
		return -1;
	*out = json_object();
	return 0;
}
