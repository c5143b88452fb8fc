/* Shared encoding and decoding of the ACM PCA API. */
#include "api/pca/common.h"

#include <stdlib.h>
#include <string.h>

#include "aws/jv.h"
#include "aws/token.h"

struct pca_ctx pca_api_ctx(const struct aws_ctx *ctx)
{
	struct pca_ctx p = {
		.store = ctx->env->store,
		.keys = ctx->env->keys,
		.account = ctx->account,
		.region = ctx->env->region,
		.partition = ctx->env->partition,
		.now = ctx->now,
		.ca_certs = ctx->env->ca_certs,
	};
	return p;
}

int pca_api_set_next_token(const struct aws_ctx *actx, json_t **out, const char *scope,
			   const char *cursor, struct cm_err *err)
{
	char *token = token_encode(actx->env->token_key, actx->account, scope, cursor);
	if (token == NULL) {
		json_decref(*out);
		*out = NULL;
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encode NextToken");
	}
	pca_api_set_owned_string(*out, "NextToken", token);
	return 0;
}

void pca_api_set_owned_string(json_t *obj, const char *name, char *s)
{
	if (s == NULL)
		return;
	json_object_set_new(obj, name, json_string(s));
	free(s);
}

json_t *pca_api_ca_encode(const struct pca_ctx *ctx, const struct store_ca *ca,
			  enum pca_status status)
{
	char arn[ARN_MAX];
	pca_ca_arn(ctx, ca, arn, sizeof(arn));
	json_t *j = json_object();
	json_object_set_new(j, "Arn", json_string(arn));
	json_object_set_new(j, "OwnerAccount", json_string(ca->account_id));
	json_object_set_new(j, "CreatedAt", json_integer(ca->created_at));
	json_object_set_new(j, "LastStateChangeAt", json_integer(ca->last_state_change_at));
	json_object_set_new(j, "Type", json_string(ca->type));
	json_object_set_new(j, "Status", json_string(pca_status_name(status)));
	json_object_set_new(j, "CertificateAuthorityConfiguration",
			    json_loads(ca->config_json, 0, NULL));
	json_object_set_new(j, "RevocationConfiguration",
			    json_loads(ca->revocation_json, 0, NULL));
	json_object_set_new(j, "KeyStorageSecurityStandard", json_string(ca->key_storage));
	json_object_set_new(j, "UsageMode", json_string(ca->usage_mode));
	if (ca->cert_der != NULL) {
		json_object_set_new(j, "Serial", json_string(ca->serial_dec));
		json_object_set_new(j, "NotBefore", json_integer(ca->not_before));
		json_object_set_new(j, "NotAfter", json_integer(ca->not_after));
	}
	if (status == PCA_DELETED)
		json_object_set_new(j, "RestorableUntil", json_integer(ca->restorable_until));
	return j;
}

/* Far above any valid tag: lengths are the tag check's to judge, because AWS
 * answers InvalidTagException (not ValidationException) for a long key. */
#define PCA_API_TAG_TEXT_MAX 4096

int pca_api_tags_decode(json_t *in, const char *name, bool required, size_t max,
			struct pca_tag **tags, size_t *n, struct cm_err *err)
{
	json_t *list = NULL, *item;
	size_t i;
	*tags = NULL;
	*n = 0;
	if (jv_array(in, NULL, name, required, 1, max, &list, err) < 0)
		return -1;
	if (list == NULL)
		return 0;
	*tags = calloc(json_array_size(list) + 1, sizeof(**tags));
	if (*tags == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	json_array_foreach(list, i, item) {
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "%s.%zu.member", name, i + 1);
		if (jv_object(item, prefix, NULL, true, &item, err) < 0 ||
		    jv_string(item, prefix, "Key", true, 0, PCA_API_TAG_TEXT_MAX, &(*tags)[i].key,
			      err) < 0 ||
		    jv_string(item, prefix, "Value", false, 0, PCA_API_TAG_TEXT_MAX,
			      &(*tags)[i].value, err) < 0) {
			free(*tags);
			*tags = NULL;
			return -1;
		}
	}
	*n = json_array_size(list);
	return 0;
}
