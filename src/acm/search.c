/* SearchCertificates (spec acm.md §5.14): the rules of the filter tree (its
 * limits, ARNs resolved inside the caller's account), keyset pages over
 * (sort key, id) whatever the SortBy, and what each hit shows. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "util/log.h"
#include "x509/dn.h"

int acm_search_nodes(struct acm_search_tree *t, size_t n, int depth,
		     struct store_acm_search_node **out, struct cm_err *err)
{
	if (depth > ACM_SEARCH_MAX_DEPTH)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "FilterStatement is nested more than %d levels deep",
			       ACM_SEARCH_MAX_DEPTH);
	if (n > ACM_SEARCH_MAX_NODES - t->used)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "FilterStatement has more than %d statements and filters",
			       ACM_SEARCH_MAX_NODES);
	*out = &t->nodes[t->used];
	memset(*out, 0, n * sizeof(**out));
	t->used += n;
	return 0;
}

/* An ARN leaf becomes the id it names, or NOTHING when it names another
 * account's or region's certificate (which must read as absent) or is not a
 * certificate ARN at all. Only a value outside the model pattern fails. */
static int acm_search_arn(const struct acm_ctx *ctx, struct acm_search_tree *t,
			  struct store_acm_search_node *n, struct cm_err *err)
{
	struct arn_acm_cert a;
	struct cm_err perr = {0};
	char *id = t->ids[n - t->nodes];
	if (arn_parse_acm_certificate(n->text != NULL ? n->text : "",
				      "FilterStatement.Filter.CertificateArn", &a, &perr) < 0) {
		if (perr.code == CM_ERR_VALIDATION || perr.code == CM_ERR_INTERNAL) {
			*err = perr;
			return -1;
		}
		n->kind = STORE_ACM_SEARCH_NOTHING;
		return 0;
	}
	if (strcmp(a.account, ctx->account) != 0 || strcmp(a.region, ctx->region) != 0 ||
	    strcmp(a.partition, ctx->partition) != 0) {
		n->kind = STORE_ACM_SEARCH_NOTHING;
		return 0;
	}
	snprintf(id, sizeof(t->ids[0]), "%s", a.id);
	n->text = id;
	return 0;
}

/* The tree as the store will read it: every node inside t, statements with
 * the right number of members, depth bounded (checked before recursing). */
static int acm_search_check(const struct acm_ctx *ctx, struct acm_search_tree *t,
			    struct store_acm_search_node *n, int depth, struct cm_err *err)
{
	if (depth > ACM_SEARCH_MAX_DEPTH || n < t->nodes || n >= t->nodes + t->used)
		return cm_fail(err, CM_ERR_VALIDATION, "FilterStatement is too deep");
	switch (n->kind) {
	case STORE_ACM_SEARCH_AND:
	case STORE_ACM_SEARCH_OR:
		if (n->n_children < 1 || n->n_children > ACM_SEARCH_MAX_LIST)
			return cm_fail(err, CM_ERR_VALIDATION, "And and Or take 1 to %d statements",
				       ACM_SEARCH_MAX_LIST);
		break;
	case STORE_ACM_SEARCH_NOT:
		if (n->n_children != 1)
			return cm_fail(err, CM_ERR_VALIDATION, "Not takes one statement");
		break;
	case STORE_ACM_SEARCH_ID:
		return acm_search_arn(ctx, t, n, err);
	default:
		return 0;
	}
	if (n->children < t->nodes || n->children + n->n_children > t->nodes + t->used)
		return cm_fail(err, CM_ERR_INTERNAL, "search tree out of bounds");
	for (size_t i = 0; i < n->n_children; i++)
		if (acm_search_check(ctx, t, &n->children[i], depth + 1, err) < 0)
			return -1;
	return 0;
}

struct acm_search_state {
	const struct acm_ctx *ctx;
	void (*fn)(void *fctx, const struct acm_search_hit *h);
	void *fctx;
	int limit, seen;
	struct store_acm_sort_key last;
	char last_id[40];
};

/* The store is asked for one row more than the page: its arrival says that
 * another page exists, without a count. */
static void acm_search_row(void *sctx, const struct store_acm_cert *c,
			   const struct store_acm_sort_key *key)
{
	struct acm_search_state *s = sctx;
	struct x509_attrs attrs;
	struct cm_err err = {0};
	bool has_attrs = false;
	if (++s->seen > s->limit)
		return;
	if (c->cert_der != NULL) {
		has_attrs = x509_attrs_from_der(c->cert_der, c->cert_der_len, &attrs, &err) == 0;
		if (!has_attrs)
			log_event(LOG_WARN, "acm search: stored certificate unreadable",
				  "certificate", c->id, "detail", err.msg, LOG_END);
	}
	struct acm_search_hit h = {.cert = c,
				   .status = store_acm_effective_status(c, s->ctx->now),
				   .x509 = has_attrs ? &attrs : NULL};
	h.renewal_eligible = acm_renewal_eligible(c, h.status, c->in_use);
	s->fn(s->fctx, &h);
	if (has_attrs)
		x509_attrs_clear(&attrs);
	s->last = *key;
	snprintf(s->last_id, sizeof(s->last_id), "%s", c->id);
}

/* Cursor text: "<sort>|<A|D>|<id>|<key>", made only here (and authenticated
 * by the API's NextToken). The id has no '|', so the key may hold any. */
static void acm_search_cursor_make(const struct acm_search_state *s, enum store_acm_sort sort,
				   bool descending, char *out, size_t size)
{
	if (store_acm_sort_is_text(sort))
		snprintf(out, size, "%d|%c|%s|%s", (int)sort, descending ? 'D' : 'A', s->last_id,
			 s->last.text);
	else
		snprintf(out, size, "%d|%c|%s|%" PRId64, (int)sort, descending ? 'D' : 'A',
			 s->last_id, s->last.num);
}

static int acm_search_cursor_parse(const char *cursor, struct store_acm_search *q, char *id,
				   size_t id_size, struct cm_err *err)
{
	char order = 0, *end = NULL;
	int sort = -1, used = 0;
	if (cursor == NULL || cursor[0] == '\0')
		return 0;
	if (sscanf(cursor, "%d|%c|%n", &sort, &order, &used) != 2 || used == 0)
		goto bad;
	const char *rest = cursor + used, *bar = strchr(rest, '|');
	if (bar == NULL || (size_t)(bar - rest) >= id_size || bar == rest)
		goto bad;
	if (sort != (int)q->sort || order != (q->descending ? 'D' : 'A'))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The NextToken was issued for another SortBy or SortOrder");
	memcpy(id, rest, (size_t)(bar - rest));
	id[bar - rest] = '\0';
	q->after_id = id;
	if (store_acm_sort_is_text(q->sort)) {
		if (strlen(bar + 1) >= sizeof(q->after.text))
			goto bad;
		snprintf(q->after.text, sizeof(q->after.text), "%s", bar + 1);
		return 0;
	}
	q->after.num = strtoll(bar + 1, &end, 10);
	if (end == bar + 1 || *end != '\0')
		goto bad;
	return 0;
bad:
	return cm_fail(err, CM_ERR_VALIDATION, "The NextToken is not valid");
}

int acm_search(const struct acm_ctx *ctx, struct acm_search_tree *t, enum store_acm_sort sort,
	       bool descending, const char *cursor, int limit,
	       void (*fn)(void *fctx, const struct acm_search_hit *h), void *fctx,
	       char *next_cursor, size_t next_size, struct cm_err *err)
{
	struct store_acm_search q = {.now = ctx->now, .sort = sort, .descending = descending};
	struct acm_search_state s = {.ctx = ctx, .fn = fn, .fctx = fctx, .limit = limit};
	char after_id[40];
	next_cursor[0] = '\0';
	if ((unsigned)sort >= STORE_ACM_SORT__COUNT || limit < 1 || limit > ACM_SEARCH_MAX_RESULTS)
		return cm_fail(err, CM_ERR_VALIDATION, "SortBy or MaxResults out of range");
	if (t != NULL && t->used > 0) {
		if (acm_search_check(ctx, t, &t->nodes[0], 1, err) < 0)
			return -1;
		q.filter = &t->nodes[0];
	}
	if (acm_search_cursor_parse(cursor, &q, after_id, sizeof(after_id), err) < 0)
		return -1;
	int n =
	    store_acm_cert_search(ctx->store, ctx->account, &q, limit + 1, acm_search_row, &s, err);
	if (n < 0)
		return -1;
	if (n > limit)
		acm_search_cursor_make(&s, sort, descending, next_cursor, next_size);
	return 0;
}
