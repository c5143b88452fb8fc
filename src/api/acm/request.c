/* Handler: RequestCertificate (spec acm.md §5.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/acm/common.h"
#include "api/acm/handlers.h"
#include "api/pca/common.h"
#include "aws/jv.h"

/* An optional enum member: *out stays NULL when absent. */
static int get_enum(json_t *in, const char *prefix, const char *name, const char *const *values,
		    const char **out, struct cm_err *err)
{
	int i = 0;
	bool present = false;
	if (jv_enum(in, prefix, name, false, values, &i, &present, err) < 0)
		return -1;
	*out = present ? values[i] : NULL;
	return 0;
}

static int decode_sans(json_t *in, struct acm_request *req, const char ***sans, struct cm_err *err)
{
	json_t *list = NULL;
	if (jv_array(in, NULL, "SubjectAlternativeNames", false, 1, 100, &list, err) < 0)
		return -1;
	size_t n = json_array_size(list);
	*sans = calloc(n + 1, sizeof(**sans));
	if (*sans == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(list, i));
		if (s == NULL)
			return cm_fail(err, CM_ERR_SERIALIZATION,
				       "SubjectAlternativeNames must be a list of strings");
		if (strlen(s) < 1 || strlen(s) > 253)
			return jv_fail_constraint(err, "subjectAlternativeNames", s,
						  "Member must have length between 1 and 253");
		(*sans)[i] = s;
	}
	req->sans = *sans;
	req->n_sans = n;
	return 0;
}

static int decode_dvo(json_t *in, struct acm_request *req, const char ***names,
		      const char ***domains, struct cm_err *err)
{
	json_t *list = NULL, *item;
	size_t i;
	if (jv_array(in, NULL, "DomainValidationOptions", false, 1, 100, &list, err) < 0)
		return -1;
	size_t n = json_array_size(list);
	*names = calloc(n + 1, sizeof(**names));
	*domains = calloc(n + 1, sizeof(**domains));
	if (*names == NULL || *domains == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	json_array_foreach(list, i, item)
	{
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "DomainValidationOptions.%zu.member", i + 1);
		if (jv_object(item, prefix, NULL, true, &item, err) < 0 ||
		    jv_string(item, prefix, "DomainName", true, 1, 253, &(*names)[i], err) < 0 ||
		    jv_string(item, prefix, "ValidationDomain", true, 1, 253, &(*domains)[i], err) <
			0)
			return -1;
	}
	req->dvo_names = *names;
	req->dvo_domains = *domains;
	req->n_dvo = n;
	return 0;
}

static int decode_options(json_t *in, struct acm_request *req, struct cm_err *err)
{
	json_t *opts = NULL;
	if (jv_object(in, NULL, "Options", false, &opts, err) < 0)
		return -1;
	if (opts == NULL)
		return 0;
	return get_enum(opts, "Options", "CertificateTransparencyLoggingPreference",
			acm_enum_enabled_disabled, &req->ct_logging, err) < 0 ||
		       get_enum(opts, "Options", "Export", acm_enum_enabled_disabled,
				&req->export_option, err) < 0
		   ? -1
		   : 0;
}

int acm_api_request(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct acm_request req = {0};
	const char **sans = NULL, **dvo_names = NULL, **dvo_domains = NULL;
	struct pca_tag *tags = NULL;
	char arn[ARN_MAX];
	int rc = -1;
	if (jv_string(in, NULL, "DomainName", true, 1, 253, &req.domain_name, err) < 0 ||
	    get_enum(in, NULL, "ValidationMethod", acm_enum_validation_methods,
		     &req.validation_method, err) < 0 ||
	    decode_sans(in, &req, &sans, err) < 0 ||
	    jv_string(in, NULL, "IdempotencyToken", false, 1, 32, &req.idempotency_token, err) <
		0 ||
	    decode_dvo(in, &req, &dvo_names, &dvo_domains, err) < 0 ||
	    decode_options(in, &req, err) < 0 ||
	    jv_string(in, NULL, "CertificateAuthorityArn", false, 20, 2048, &req.ca_arn, err) < 0 ||
	    pca_api_tags_decode(in, "Tags", false, 50, &tags, &req.n_tags, err) < 0 ||
	    get_enum(in, NULL, "KeyAlgorithm", acm_enum_key_algorithms, &req.key_alg, err) < 0 ||
	    get_enum(in, NULL, "ManagedBy", acm_enum_managed_by, &req.managed_by, err) < 0)
		goto out;
	if (req.idempotency_token != NULL && !jv_is_in_charset(req.idempotency_token, JV_WORD)) {
		jv_fail_constraint(err, "idempotencyToken", req.idempotency_token,
				   "Member must satisfy regular expression pattern: \\w+");
		goto out;
	}
	req.tags = tags;
	if (acm_request(&ctx, &req, arn, sizeof(arn), err) < 0)
		goto out;
	*out = json_pack("{s:s}", "CertificateArn", arn);
	rc = 0;
out:
	free(sans);
	free(dvo_names);
	free(dvo_domains);
	free(tags);
	return rc;
}
