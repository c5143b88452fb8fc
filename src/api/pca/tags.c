/* Handlers: TagCertificateAuthority, UntagCertificateAuthority, ListTags
 * (spec pca.md §5.13). */
#include <stdio.h>
#include <stdlib.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "aws/jv.h"
#include "aws/token.h"
#include "pca/access.h"

#define ARN_MEMBER "CertificateAuthorityArn"

static int tags_change(const struct aws_ctx *actx, json_t *in, json_t **out, bool add,
		       struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	struct pca_tag *tags = NULL;
	size_t n = 0;
	int rc = -1;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    pca_api_tags_decode(in, "Tags", true, 50, &tags, &n, err) < 0)
		return -1;
	rc = add ? pca_ca_tag(&ctx, arn, tags, n, err) : pca_ca_untag(&ctx, arn, tags, n, err);
	free(tags);
	if (rc == 0)
		*out = json_object();
	return rc;
}

int pca_api_tag_ca(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	return tags_change(actx, in, out, true, err);
}

int pca_api_untag_ca(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	return tags_change(actx, in, out, false, err);
}

int pca_api_list_tags(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	static const char scope[] = "ListTags";
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL, *token = NULL;
	long long max = 50;
	char cursor[32] = "0";
	struct store_ca ca;
	struct store_tag *tags = NULL;
	size_t n = 0;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_int(in, NULL, "MaxResults", false, 1, 1000, &max, NULL, err) < 0 ||
	    jv_string(in, NULL, "NextToken", false, 1, 43739, &token, err) < 0)
		return -1;
	if (token != NULL && token_decode(actx->env->token_key, ctx.account, scope, token, cursor,
					  sizeof(cursor), err) < 0)
		return -1;
	if (pca_ca_load_shared(&ctx, arn, ARN_MEMBER, PCA_ACTION_LIST_TAGS, NULL, &ca, err) < 0)
		return -1;
	int rc = store_ca_tags_get(ctx.store, ca.id, &tags, &n, err);
	store_ca_clear(&ca);
	if (rc < 0)
		return -1;
	/* At most 50 tags per CA: an offset cursor over the sorted keys is enough. */
	size_t start = strtoul(cursor, NULL, 10), end = start + (size_t)max;
	json_t *list = json_array();
	for (size_t i = start; i < n && i < end; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "Key", tags[i].key, "Value",
						      tags[i].value));
	*out = json_pack("{s:o}", "Tags", list);
	store_tags_free(tags, n);
	if (end < n) {
		char next[32];
		snprintf(next, sizeof(next), "%zu", end);
		return pca_api_set_next_token(actx, out, scope, next, err);
	}
	return 0;
}
