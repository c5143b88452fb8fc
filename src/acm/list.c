/* ListCertificates (spec acm.md §5.4): keyset pages over (created_at, id),
 * so a page costs the same with a thousand or a million certificates and
 * stays correct while certificates come and go between pages. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"

/* Rows a page may look at: ten pages' worth, and never fewer than 10,000, so
 * that ordinary filters fill their pages and a rare one costs a few ms. */
#define ACM_LIST_WINDOW(limit) ((limit) * 10 > 10000 ? (limit) * 10 : 10000)

struct acm_list_state {
	void (*fn)(void *fctx, const struct store_acm_cert *c);
	void *fctx;
	int limit, seen;
	int64_t last_created_at;
	char last_id[40];
};

/* The store is asked for one row more than the page: its arrival says that
 * another page exists, without a count. */
static void acm_list_row(void *ctx, const struct store_acm_cert *c)
{
	struct acm_list_state *s = ctx;
	if (++s->seen > s->limit)
		return;
	s->fn(s->fctx, c);
	s->last_created_at = c->created_at;
	snprintf(s->last_id, sizeof(s->last_id), "%s", c->id);
}

/* Cursor text: "<created_at>|<id>", produced only by this file (and then
 * authenticated by the API's NextToken). */
static int acm_cursor_parse(const char *cursor, int64_t *created_at, char *id, size_t size,
			    struct cm_err *err)
{
	char *end = NULL;
	*created_at = 0;
	id[0] = '\0';
	if (cursor == NULL || cursor[0] == '\0')
		return 0;
	long long v = strtoll(cursor, &end, 10);
	if (end == cursor || *end != '|' || strlen(end + 1) >= size)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "Invalid NextToken");
	*created_at = v;
	snprintf(id, size, "%s", end + 1);
	return 0;
}

int acm_list(const struct acm_ctx *ctx, const struct store_acm_filter *f, const char *cursor,
	     int limit, void (*fn)(void *fctx, const struct store_acm_cert *c), void *fctx,
	     char *next_cursor, size_t next_size, struct cm_err *err)
{
	struct acm_list_state s = {.fn = fn, .fctx = fctx};
	int64_t after_created_at;
	char after_id[40];
	next_cursor[0] = '\0';
	if (acm_cursor_parse(cursor, &after_created_at, after_id, sizeof(after_id), err) < 0)
		return -1;
	struct store_acm_filter bounded = *f;
	struct store_acm_window w;
	/* A filter matching little must not walk the whole account for one page
	 * (design: no request scans a table): look at a bounded window and, when
	 * it ends first, hand out a short page whose NextToken starts after it. */
	bounded.max_examined = ACM_LIST_WINDOW(limit);
	s.limit = limit;
	int n = store_acm_cert_list(ctx->store, ctx->account, &bounded, after_created_at, after_id,
				    limit + 1, acm_list_row, &s, &w, err);
	if (n < 0)
		return -1;
	if (n > limit)
		snprintf(next_cursor, next_size, "%" PRId64 "|%s", s.last_created_at, s.last_id);
	else if (w.capped)
		snprintf(next_cursor, next_size, "%" PRId64 "|%s", w.end_created_at, w.end_id);
	return 0;
}
