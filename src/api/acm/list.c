/* Handler: ListCertificates (spec acm.md §5.4). Without Includes.keyTypes
 * only RSA_1024 and RSA_2048 certificates are listed, as AWS does. */
#include <string.h>

#include "api/acm/common.h"
#include "api/acm/handlers.h"
#include "api/pca/common.h"
#include "aws/jv.h"
#include "aws/token.h"
#include "x509/leaf.h"

#define LIST_SCOPE "ListCertificates"
#define MAX_LIST   16

static const char *const sort_by_values[] = {"CREATED_AT", NULL};
static const char *const default_key_types[] = {"RSA_1024", "RSA_2048"};

/* A list of enum values into out[] (the table's static strings). */
static int enum_list(json_t *in, const char *prefix, const char *name, const char *const *values,
		     const char **out, size_t *n, struct cm_err *err)
{
	json_t *list = NULL;
	*n = 0;
	if (jv_array(in, prefix, name, false, 0, MAX_LIST, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(list); i++) {
		/* Each element is checked as if it were the member itself. */
		json_t *wrap = json_pack("{s:O}", name, json_array_get(list, i));
		int idx = 0;
		int rc = jv_enum(wrap, prefix, name, true, values, &idx, NULL, err);
		json_decref(wrap);
		if (rc < 0)
			return -1;
		out[(*n)++] = values[idx];
	}
	return 0;
}

static unsigned bits_of(const char *const *names, size_t n, unsigned (*from_name)(const char *))
{
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++)
		bits |= from_name(names[i]);
	return bits;
}

/* KeyUsageName ANY means any key usage at all; CUSTOM has no bit here. */
static unsigned ku_from_name(const char *name)
{
	return strcmp(name, "ANY") == 0 ? 0x1ffu : x509_ku_from_acm_name(name);
}

struct list_query {
	const char *st[MAX_LIST], *keys[MAX_LIST], *ekus[MAX_LIST], *kus[MAX_LIST];
	size_t n_ekus, n_kus;
	struct store_acm_filter filter;
};

static int decode_includes(json_t *in, struct list_query *q, struct cm_err *err)
{
	json_t *inc = NULL;
	const char *export_option = NULL, *managed_by = NULL;
	int i = 0;
	bool present = false;
	if (jv_object(in, NULL, "Includes", false, &inc, err) < 0)
		return -1;
	if (inc != NULL && (enum_list(inc, "Includes", "extendedKeyUsage", acm_enum_eku_names,
				      q->ekus, &q->n_ekus, err) < 0 ||
			    enum_list(inc, "Includes", "keyUsage", acm_enum_ku_names, q->kus,
				      &q->n_kus, err) < 0 ||
			    enum_list(inc, "Includes", "keyTypes", acm_enum_key_algorithms, q->keys,
				      &q->filter.n_key_algs, err) < 0))
		return -1;
	if (inc != NULL && jv_enum(inc, "Includes", "exportOption", false,
				   acm_enum_enabled_disabled, &i, &present, err) < 0)
		return -1;
	export_option = present ? acm_enum_enabled_disabled[i] : NULL;
	if (inc != NULL && jv_enum(inc, "Includes", "managedBy", false, acm_enum_managed_by, &i,
				   &present, err) < 0)
		return -1;
	managed_by = present ? acm_enum_managed_by[i] : NULL;
	q->filter.export_option = export_option;
	q->filter.managed_by = managed_by;
	q->filter.key_algs = q->keys;
	if (q->filter.n_key_algs == 0) {
		q->filter.key_algs = default_key_types;
		q->filter.n_key_algs = 2;
	}
	q->filter.eku_any = bits_of(q->ekus, q->n_ekus, x509_eku_bit_from_name);
	q->filter.ku_any = bits_of(q->kus, q->n_kus, ku_from_name);
	return 0;
}

static int decode_sort(json_t *in, struct list_query *q, struct cm_err *err)
{
	int by = 0, order = 0;
	bool has_by = false, has_order = false;
	if (jv_enum(in, NULL, "SortBy", false, sort_by_values, &by, &has_by, err) < 0 ||
	    jv_enum(in, NULL, "SortOrder", false, acm_enum_sort_orders, &order, &has_order, err) <
		0)
		return -1;
	if (has_by != has_order)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "SortBy and SortOrder must be given together");
	q->filter.descending = has_order && order == 1;
	return 0;
}

struct list_page {
	const struct acm_ctx *ctx;
	json_t *items;
};

static void list_row(void *fctx, const struct store_acm_cert *c)
{
	struct list_page *p = fctx;
	json_array_append_new(p->items, acm_api_summary(p->ctx, c));
}

static int decode_cursor(const struct aws_ctx *actx, json_t *in, char *cursor, size_t size,
			 struct cm_err *err)
{
	const char *token = NULL;
	cursor[0] = '\0';
	if (jv_string(in, NULL, "NextToken", false, 1, 10000, &token, err) < 0)
		return -1;
	if (token == NULL)
		return 0;
	if (token_decode(actx->env->token_key, actx->account, LIST_SCOPE, token, cursor, size,
			 err) < 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "The NextToken is not valid");
	return 0;
}

int acm_api_list(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct list_query q;
	long long max = 1000;
	char cursor[TOKEN_CURSOR_MAX + 1], next[128];
	memset(&q, 0, sizeof(q));
	q.filter.now = ctx.now;
	q.filter.statuses = q.st;
	if (enum_list(in, NULL, "CertificateStatuses", acm_enum_statuses, q.st,
		      &q.filter.n_statuses, err) < 0 ||
	    decode_includes(in, &q, err) < 0 || decode_sort(in, &q, err) < 0 ||
	    jv_int(in, NULL, "MaxItems", false, 1, 1000, &max, NULL, err) < 0 ||
	    decode_cursor(actx, in, cursor, sizeof(cursor), err) < 0)
		return -1;
	struct list_page page = {&ctx, json_array()};
	if (acm_list(&ctx, &q.filter, cursor, (int)max, list_row, &page, next, sizeof(next), err) <
	    0) {
		json_decref(page.items);
		return -1;
	}
	*out = json_pack("{s:o}", "CertificateSummaryList", page.items);
	return next[0] != '\0' ? pca_api_set_next_token(actx, out, LIST_SCOPE, next, err) : 0;
}
