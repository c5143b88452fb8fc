/* Tags of ACM certificates (spec acm.md §5.9): the PCA's rules, at most 50
 * per certificate; removing a tag with a Value removes it only on a match. */
#include <string.h>

#include "acm/internal.h"

/* How many tags the certificate would have with `tags` merged in. */
static int acm_tags_merged_count(const struct acm_ctx *ctx, const char *id,
				 const struct pca_tag *tags, size_t n, struct cm_err *err)
{
	struct store_tag *have;
	size_t n_have;
	if (store_acm_tags_get(ctx->store, id, &have, &n_have, err) < 0)
		return -1;
	size_t total = pca_tags_merged_count(have, n_have, tags, n);
	store_tags_free(have, n_have);
	return (int)total;
}

static int acm_tags_apply(const struct acm_ctx *ctx, const char *id, const struct pca_tag *tags,
			  size_t n, bool add, struct cm_err *err)
{
	if (store_begin(ctx->store, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *value = tags[i].value;
		int rc = add ? store_acm_tag_put(ctx->store, id, tags[i].key,
						 value != NULL ? value : "", err)
			     : store_acm_tag_delete(ctx->store, id, tags[i].key, value, err);
		if (rc < 0) {
			store_rollback(ctx->store);
			return -1;
		}
	}
	return store_commit(ctx->store, err);
}

static int acm_tags_change(const struct acm_ctx *ctx, const char *arn,
			   const struct pca_tag *tags, size_t n, bool add, struct cm_err *err)
{
	struct store_acm_cert c;
	if (pca_ca_tags_check(tags, n, err) < 0)
		return -1;
	for (size_t i = 0; add && i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(tags[i].key, tags[j].key) == 0)
				return cm_fail(err, CM_ERR_INVALID_PARAMETER,
					       "Tag key '%.128s' appears twice in the request",
					       tags[i].key);
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	int rc = 0;
	if (add) {
		int total = acm_tags_merged_count(ctx, c.id, tags, n, err);
		if (total < 0)
			rc = -1;
		else if (total > ACM_MAX_TAGS)
			rc = cm_fail(err, CM_ERR_TOO_MANY_TAGS,
				     "A certificate can have at most %d tags", ACM_MAX_TAGS);
	}
	if (rc == 0)
		rc = acm_tags_apply(ctx, c.id, tags, n, add, err);
	store_acm_cert_clear(&c);
	return rc;
}

int acm_tag(const struct acm_ctx *ctx, const char *arn, const struct pca_tag *tags, size_t n,
	    struct cm_err *err)
{
	return acm_tags_change(ctx, arn, tags, n, true, err);
}

int acm_untag(const struct acm_ctx *ctx, const char *arn, const struct pca_tag *tags, size_t n,
	      struct cm_err *err)
{
	return acm_tags_change(ctx, arn, tags, n, false, err);
}
