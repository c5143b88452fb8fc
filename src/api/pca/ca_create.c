/* Handler: CreateCertificateAuthority (spec pca.md §5.1). */
#include <stdlib.h>
#include <string.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "api/pca/shapes.h"
#include "aws/jv.h"

#define CONFIG "CertificateAuthorityConfiguration"

static const char *const ca_types[] = {"ROOT", "SUBORDINATE", NULL};
static const char *const usage_modes[] = {"GENERAL_PURPOSE", "SHORT_LIVED_CERTIFICATE", NULL};
static const char *const key_storages[] = {"FIPS_140_2_LEVEL_2_OR_HIGHER",
					   "FIPS_140_2_LEVEL_3_OR_HIGHER",
					   "CCPC_LEVEL_1_OR_HIGHER", NULL};

/* The parts of the request that need freeing. */
struct create_parts {
	struct x509_subject subject;
	struct x509_csr_extensions csr_ext;
	bool has_subject, has_csr_ext;
	struct pca_tag *tags;
	char *config_json;
	char *revocation_json;
};

static void create_parts_free(struct create_parts *p)
{
	if (p->has_subject)
		pca_shape_subject_free(&p->subject);
	if (p->has_csr_ext)
		pca_shape_csr_extensions_free(&p->csr_ext);
	free(p->tags);
	free(p->config_json);
	free(p->revocation_json);
}

/* KeyAlgorithm, SigningAlgorithm, Subject, CsrExtensions. */
static int create_config(json_t *cfg, struct pca_create_req *req, struct create_parts *p,
			 struct cm_err *err)
{
	const char *key = NULL, *sig = NULL;
	json_t *subject = NULL, *ext = NULL;
	if (jv_string(cfg, CONFIG, "KeyAlgorithm", true, 1, 64, &key, err) < 0 ||
	    jv_string(cfg, CONFIG, "SigningAlgorithm", true, 1, 64, &sig, err) < 0 ||
	    jv_object(cfg, CONFIG, "Subject", true, &subject, err) < 0 ||
	    jv_object(cfg, CONFIG, "CsrExtensions", false, &ext, err) < 0)
		return -1;
	if (x509_key_alg_from_name(key, &req->key_alg) < 0)
		return jv_fail_constraint(err, CONFIG ".KeyAlgorithm", key,
					  "Member must satisfy enum value set: [RSA_2048, "
					  "RSA_3072, RSA_4096, EC_prime256v1, EC_secp384r1, "
					  "EC_secp521r1, ML_DSA_44, ML_DSA_65, ML_DSA_87, SM2]");
	if (x509_sig_alg_from_name(sig, &req->sig_alg) < 0)
		return jv_fail_constraint(err, CONFIG ".SigningAlgorithm", sig,
					  "Member must satisfy enum value set: [SHA256WITHECDSA, "
					  "SHA384WITHECDSA, SHA512WITHECDSA, SHA256WITHRSA, "
					  "SHA384WITHRSA, SHA512WITHRSA, SM3WITHSM2, ML_DSA_44, "
					  "ML_DSA_65, ML_DSA_87]");
	if (pca_shape_subject_decode(subject, CONFIG ".Subject", &p->subject, err) < 0)
		return -1;
	p->has_subject = true;
	req->subject = &p->subject;
	if (ext != NULL) {
		if (pca_shape_csr_extensions_decode(ext, CONFIG ".CsrExtensions", &p->csr_ext,
						    err) < 0)
			return -1;
		p->has_csr_ext = true;
		req->csr_extensions = &p->csr_ext;
	}
	p->config_json = json_dumps(cfg, JSON_COMPACT);
	req->config_json = p->config_json;
	return p->config_json != NULL ? 0 : cm_fail(err, CM_ERR_INTERNAL, "out of memory");
}

static int create_decode(json_t *in, struct pca_create_req *req, struct create_parts *p,
			 struct cm_err *err)
{
	json_t *cfg = NULL, *rev = NULL;
	int type = 0, mode = 0, storage = 1;
	if (jv_object(in, NULL, CONFIG, true, &cfg, err) < 0 ||
	    jv_enum(in, NULL, "CertificateAuthorityType", true, ca_types, &type, NULL, err) < 0 ||
	    jv_object(in, NULL, "RevocationConfiguration", false, &rev, err) < 0 ||
	    jv_string(in, NULL, "IdempotencyToken", false, 1, 36, &req->idempotency_token, err) <
		    0 ||
	    jv_enum(in, NULL, "KeyStorageSecurityStandard", false, key_storages, &storage, NULL,
		    err) < 0 ||
	    jv_enum(in, NULL, "UsageMode", false, usage_modes, &mode, NULL, err) < 0 ||
	    pca_api_tags_decode(in, "Tags", false, 50, &p->tags, &req->n_tags, err) < 0)
		return -1;
	if (req->idempotency_token != NULL && !jv_is_printable_latin1(req->idempotency_token))
		return jv_fail_constraint(err, "IdempotencyToken", req->idempotency_token,
					  "Member must satisfy regular expression pattern: "
					  "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]*");
	req->tags = p->tags;
	req->subordinate = type == 1;
	req->usage_mode = usage_modes[mode];
	req->key_storage = key_storages[storage];
	if (create_config(cfg, req, p, err) < 0 ||
	    pca_api_revocation_decode(rev, NULL, &p->revocation_json, err) < 0)
		return -1;
	req->revocation_json = p->revocation_json;
	return 0;
}

int pca_api_create_ca(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	struct pca_create_req req;
	struct create_parts parts;
	char arn[ARN_MAX];
	int rc = -1;
	memset(&req, 0, sizeof(req));
	memset(&parts, 0, sizeof(parts));
	if (create_decode(in, &req, &parts, err) < 0 ||
	    pca_ca_create(&ctx, &req, arn, sizeof(arn), err) < 0)
		goto out;
	*out = json_pack("{s:s}", "CertificateAuthorityArn", arn);
	rc = 0;
out:
	create_parts_free(&parts);
	return rc;
}
