/* Handlers: AddTagsToCertificate, RemoveTagsFromCertificate,
 * ListTagsForCertificate (spec acm.md §5.9). */
#include <stdlib.h>

#include "api/acm/common.h"
#include "api/acm/handlers.h"
#include "api/pca/common.h"

static int tags_change(const struct aws_ctx *actx, json_t *in, json_t **out, bool add,
		       struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	struct pca_tag *tags = NULL;
	size_t n = 0;
	if (acm_api_arn(in, &arn, err) < 0 ||
	    pca_api_tags_decode(in, "Tags", true, 50, &tags, &n, err) < 0)
		return -1;
	int rc = add ? acm_tag(&ctx, arn, tags, n, err) : acm_untag(&ctx, arn, tags, n, err);
	free(tags);
	if (rc == 0)
		*out = json_object();
	return rc;
}

int acm_api_add_tags(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	return tags_change(actx, in, out, true, err);
}

int acm_api_remove_tags(const struct aws_ctx *actx, json_t *in, json_t **out,
			struct cm_err *err)
{
	return tags_change(actx, in, out, false, err);
}

int acm_api_list_tags(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *arn = NULL;
	struct store_acm_cert c;
	struct store_tag *tags = NULL;
	size_t n = 0;
	if (acm_api_arn(in, &arn, err) < 0 || acm_load(&ctx, arn, &c, err) < 0)
		return -1;
	int rc = store_acm_tags_get(ctx.store, c.id, &tags, &n, err);
	store_acm_cert_clear(&c);
	if (rc < 0)
		return -1;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_pack("{s:s}", "Key", tags[i].key);
		/* A tag stored without a value shows without one. */
		if (tags[i].value != NULL && tags[i].value[0] != '\0')
			json_object_set_new(t, "Value", json_string(tags[i].value));
		json_array_append_new(list, t);
	}
	store_tags_free(tags, n);
	*out = json_pack("{s:o}", "Tags", list);
	return 0;
}
