/* CA tags (spec pca.md §5.13): at most 50, keys 1-128 and values 0-256
 * characters of letters, digits, spaces and _.:/=+-@, no "aws:" prefix. */
#include <string.h>

#include "pca/internal.h"

#define PCA_MAX_TAGS 50

/* ASCII per the pattern; bytes >= 0x80 are taken as letters (\p{L}) so
 * non-English tags work. */
static bool pca_tag_text_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(" _.:/=+-@", *p) != NULL)
			continue;
		return false;
	}
	return true;
}

/* Length in characters (UTF-8 code points), as the model counts it. */
static size_t pca_tag_chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

static int pca_tag_check(const struct pca_tag *t, struct cm_err *err)
{
	size_t klen = pca_tag_chars(t->key);
	if (klen < 1 || klen > 128 || !pca_tag_text_ok(t->key))
		return cm_fail(err, CM_ERR_INVALID_TAG, "Tag key '%.128s' is not valid", t->key);
	if (strncmp(t->key, "aws:", 4) == 0)
		return cm_fail(err, CM_ERR_INVALID_TAG,
			       "Tag keys starting with 'aws:' are reserved: '%.128s'", t->key);
	if (t->value != NULL && (pca_tag_chars(t->value) > 256 || !pca_tag_text_ok(t->value)))
		return cm_fail(err, CM_ERR_INVALID_TAG, "Tag value for key '%.128s' is not valid",
			       t->key);
	return 0;
}

int pca_ca_tags_check(const struct pca_tag *tags, size_t n, struct cm_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (pca_tag_check(&tags[i], err) < 0)
			return -1;
	return 0;
}

/* Loads the CA for a tag operation and checks that it may be tagged. */
static int pca_tag_target(const struct pca_ctx *ctx, const char *arn, struct store_ca *ca,
			  struct cm_err *err)
{
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_TAG, pca_effective_status(ca, ctx->now), err) < 0) {
		store_ca_clear(ca);
		return -1;
	}
	return 0;
}

size_t pca_tags_merged_count(const struct store_tag *have, size_t n_have,
			     const struct pca_tag *tags, size_t n)
{
	size_t total = n_have;
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		for (size_t j = 0; j < n_have && !known; j++)
			known = strcmp(have[j].key, tags[i].key) == 0;
		for (size_t j = 0; j < i && !known; j++)
			known = strcmp(tags[j].key, tags[i].key) == 0;
		total += !known;
	}
	return total;
}

/* Tags after merging `tags` into the CA's current ones. */
static int pca_ca_tags_merged_count(const struct pca_ctx *ctx, const char *ca_id,
				    const struct pca_tag *tags, size_t n, struct cm_err *err)
{
	struct store_tag *have;
	size_t n_have;
	if (store_ca_tags_get(ctx->store, ca_id, &have, &n_have, err) < 0)
		return -1;
	size_t total = pca_tags_merged_count(have, n_have, tags, n);
	store_tags_free(have, n_have);
	return (int)total;
}

int pca_ca_tag(const struct pca_ctx *ctx, const char *arn, const struct pca_tag *tags, size_t n,
	       struct cm_err *err)
{
	struct store_ca ca;
	int rc = -1;
	if (pca_ca_tags_check(tags, n, err) < 0 || pca_tag_target(ctx, arn, &ca, err) < 0)
		return -1;
	if (store_begin(ctx->store, err) < 0)
		goto out;
	int total = pca_ca_tags_merged_count(ctx, ca.id, tags, n, err);
	if (total < 0)
		goto rollback;
	if (total > PCA_MAX_TAGS) {
		cm_fail(err, CM_ERR_TOO_MANY_TAGS,
			"A certificate authority can have at most %d tags", PCA_MAX_TAGS);
		goto rollback;
	}
	for (size_t i = 0; i < n; i++)
		if (store_ca_tag_put(ctx->store, ca.id, tags[i].key,
				     tags[i].value != NULL ? tags[i].value : "", err) < 0)
			goto rollback;
	rc = store_commit(ctx->store, err);
	if (rc == 0)
		goto out;
rollback:
	store_rollback(ctx->store);
out:
	store_ca_clear(&ca);
	return rc;
}

int pca_ca_untag(const struct pca_ctx *ctx, const char *arn, const struct pca_tag *tags,
		 size_t n, struct cm_err *err)
{
	struct store_ca ca;
	int rc = -1;
	if (pca_ca_tags_check(tags, n, err) < 0 || pca_tag_target(ctx, arn, &ca, err) < 0)
		return -1;
	if (store_begin(ctx->store, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (store_ca_tag_delete(ctx->store, ca.id, tags[i].key, tags[i].value, err) < 0)
			goto rollback;
	rc = store_commit(ctx->store, err);
	if (rc == 0)
		goto out;
rollback:
	store_rollback(ctx->store);
out:
	store_ca_clear(&ca);
	return rc;
}
