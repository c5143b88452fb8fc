/* Loading a CA for another account under its resource policy, and the
 * policy operations (spec pca.md §5.16, §6.10). The owner's path is
 * pca_ca_load, untouched: a policy only ever widens access to the listed
 * read/issue actions, never to management (revoke, update, delete, tag). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pca/access.h"

/* A DELETED CA past its restore window is gone for everyone. */
static bool pca_ca_gone(const struct pca_ctx *ctx, const struct store_ca *ca)
{
	return strcmp(ca->status, "DELETED") == 0 && ca->restorable_until <= ctx->now;
}

/* The verdict of the CA's policy for the caller: ALLOW, or the error. */
static int pca_shared_verdict(const struct pca_ctx *ctx, const struct store_ca *ca,
			      enum pca_action action, const char *template_arn, struct cm_err *err)
{
	char arn[ARN_MAX], *policy = NULL;
	pca_ca_arn(ctx, ca, arn, sizeof(arn));
	if (store_policy_get(ctx->store, ca->id, &policy, err) < 0)
		return -1; /* CM_ERR_NOT_FOUND: no policy, nothing shared */
	enum pca_policy_verdict v =
	    pca_policy_evaluate(policy, arn, ctx->account, action, template_arn);
	bool visible = v == PCA_POLICY_DENY;
	for (int a = 0; a < PCA_ACTION__COUNT && !visible; a++)
		visible = pca_policy_evaluate(policy, arn, ctx->account, (enum pca_action)a,
					      PCA_SHARED_TEMPLATE) == PCA_POLICY_ALLOW;
	free(policy);
	if (v == PCA_POLICY_ALLOW)
		return 0;
	if (!visible)
		return cm_fail(err, CM_ERR_NOT_FOUND, "not shared");
	return cm_fail(err, CM_ERR_ACCESS_DENIED,
		       "Account %s is not authorized to perform %s on %.200s", ctx->account,
		       pca_action_name(action), arn);
}

int pca_ca_load_shared(const struct pca_ctx *ctx, const char *arn, const char *member,
		       enum pca_action action, const char *template_arn, struct store_ca *out,
		       struct cm_err *err)
{
	struct arn_ca parsed;
	memset(out, 0, sizeof(*out));
	if (arn_parse_ca(arn, member, &parsed, err) < 0)
		return -1;
	if (strcmp(parsed.account, ctx->account) == 0 || strcmp(parsed.region, ctx->region) != 0 ||
	    strcmp(parsed.partition, ctx->partition) != 0)
		return pca_ca_load(ctx, arn, member, out, err);
	if (store_ca_get(ctx->store, parsed.account, parsed.ca_id, out, err) < 0) {
		if (err->code != CM_ERR_NOT_FOUND)
			return -1;
		goto not_found;
	}
	if (pca_ca_gone(ctx, out) || pca_shared_verdict(ctx, out, action, template_arn, err) < 0) {
		store_ca_clear(out);
		if (err->code == CM_ERR_ACCESS_DENIED || err->code == CM_ERR_INTERNAL)
			return -1;
		goto not_found;
	}
	if (action == PCA_ACTION_ISSUE && template_arn != NULL &&
	    strcmp(template_arn, PCA_SHARED_TEMPLATE) != 0) {
		store_ca_clear(out);
		return cm_fail(err, CM_ERR_ACCESS_DENIED,
			       "Another account's certificate authority issues only with "
			       "template %s",
			       PCA_SHARED_TEMPLATE);
	}
	return 0;
not_found:
	return cm_fail(err, CM_ERR_NOT_FOUND, "Could not find certificate authority %.200s", arn);
}

/* The caller's own CA, in a state that allows permissions and policies. */
static int pca_policy_target(const struct pca_ctx *ctx, const char *arn, const char *member,
			     struct store_ca *ca, struct cm_err *err)
{
	if (pca_ca_load(ctx, arn, member, ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_PERMISSIONS, pca_effective_status(ca, ctx->now), err) < 0) {
		store_ca_clear(ca);
		return -1;
	}
	return 0;
}

int pca_policy_put(const struct pca_ctx *ctx, const char *arn, const char *policy,
		   struct cm_err *err)
{
	struct store_ca ca;
	char ca_arn[ARN_MAX];
	if (pca_policy_target(ctx, arn, "ResourceArn", &ca, err) < 0)
		return -1;
	pca_ca_arn(ctx, &ca, ca_arn, sizeof(ca_arn));
	char(*grantees)[13] = NULL;
	int n = 0, rc = pca_policy_check(policy, ca_arn, err);
	if (rc == 0 && (n = pca_policy_grantees(policy, &grantees)) < 0)
		rc = cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	/* The policy and the accounts it names change together. */
	if (rc == 0 && (rc = store_begin(ctx->store, err)) == 0) {
		if (store_policy_put(ctx->store, ca.id, policy, ctx->now, err) < 0 ||
		    store_policy_grantees_set(ctx->store, ca.id, (const char(*)[13])grantees,
					      (size_t)n, err) < 0) {
			store_rollback(ctx->store);
			rc = -1;
		} else {
			rc = store_commit(ctx->store, err);
		}
	}
	free(grantees);
	store_ca_clear(&ca);
	return rc;
}

int pca_policy_get(const struct pca_ctx *ctx, const char *arn, char **policy, struct cm_err *err)
{
	struct store_ca ca;
	if (pca_policy_target(ctx, arn, "ResourceArn", &ca, err) < 0)
		return -1;
	int rc = store_policy_get(ctx->store, ca.id, policy, err);
	if (rc < 0 && err->code == CM_ERR_NOT_FOUND)
		cm_fail(err, CM_ERR_NOT_FOUND, "The certificate authority %.200s has no policy",
			arn);
	store_ca_clear(&ca);
	return rc;
}

int pca_policy_delete(const struct pca_ctx *ctx, const char *arn, struct cm_err *err)
{
	struct store_ca ca;
	if (pca_policy_target(ctx, arn, "ResourceArn", &ca, err) < 0)
		return -1;
	int rc = store_begin(ctx->store, err);
	if (rc == 0) {
		if (store_policy_delete(ctx->store, ca.id, err) < 0 ||
		    store_policy_grantees_set(ctx->store, ca.id, NULL, 0, err) < 0) {
			store_rollback(ctx->store);
			rc = -1;
		} else {
			rc = store_commit(ctx->store, err);
		}
	}
	store_ca_clear(&ca);
	return rc;
}

struct pca_shared_page {
	const struct pca_ctx *ctx;
	void (*fn)(void *fctx, const struct store_ca *ca, enum pca_status status);
	void *fctx;
	int limit, seen;
	char last_id[40];
};

/* Listed when its policy allows the caller at least one action: exactly the
 * CAs that answer the caller rather than look absent (pca_ca_load_shared). */
static void pca_shared_row(void *p, const struct store_ca *ca)
{
	struct pca_shared_page *page = p;
	struct cm_err ignored = {0};
	if (++page->seen > page->limit)
		return; /* one row past the page: there is a next one */
	snprintf(page->last_id, sizeof(page->last_id), "%s", ca->id);
	if (pca_ca_gone(page->ctx, ca))
		return;
	for (int a = 0; a < PCA_ACTION__COUNT; a++) {
		if (pca_shared_verdict(page->ctx, ca, (enum pca_action)a, PCA_SHARED_TEMPLATE,
				       &ignored) == 0) {
			page->fn(page->fctx, ca, pca_effective_status(ca, page->ctx->now));
			return;
		}
	}
}

int pca_ca_list_shared(const struct pca_ctx *ctx, const char *cursor, int limit,
		       void (*fn)(void *fctx, const struct store_ca *ca, enum pca_status status),
		       void *fctx, char *next_cursor, size_t next_size, struct cm_err *err)
{
	struct pca_shared_page page = {.ctx = ctx, .fn = fn, .fctx = fctx, .limit = limit};
	/* Cursor: the id of the last CA looked at. */
	if (cursor != NULL && strlen(cursor) >= sizeof(page.last_id))
		return cm_fail(err, CM_ERR_INVALID_NEXT_TOKEN, "Invalid NextToken");
	if (store_ca_shared_list(ctx->store, ctx->account, cursor != NULL ? cursor : "", limit + 1,
				 pca_shared_row, &page, err) < 0)
		return -1;
	next_cursor[0] = '\0';
	if (page.seen > limit)
		snprintf(next_cursor, next_size, "%s", page.last_id);
	return 0;
}

#define PCA_REINDEX_PAGE 100

struct pca_reindex_page {
	char ids[PCA_REINDEX_PAGE][40];
	char (*grantees[PCA_REINDEX_PAGE])[13];
	int n_grantees[PCA_REINDEX_PAGE];
	size_t n;
};

static void pca_reindex_row(void *p, const char *ca_id, const char *policy)
{
	struct pca_reindex_page *page = p;
	if (page->n == PCA_REINDEX_PAGE)
		return;
	snprintf(page->ids[page->n], sizeof(page->ids[0]), "%s", ca_id);
	page->n_grantees[page->n] = pca_policy_grantees(policy, &page->grantees[page->n]);
	page->n++;
}

int pca_policy_reindex(struct store *st, struct cm_err *err)
{
	struct pca_reindex_page *page = calloc(1, sizeof(*page));
	char after[40] = "";
	int n, rc = 0;
	if (page == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	do {
		/* Written after the read: never from inside it (WAL snapshots). */
		page->n = 0;
		n = store_policy_unindexed(st, after, PCA_REINDEX_PAGE, pca_reindex_row, page, err);
		for (size_t i = 0; i < page->n; i++) {
			if (rc == 0 && page->n_grantees[i] > 0)
				rc = store_policy_grantees_set(st, page->ids[i],
							       (const char(*)[13])page->grantees[i],
							       (size_t)page->n_grantees[i], err);
			free(page->grantees[i]);
			snprintf(after, sizeof(after), "%s", page->ids[i]);
		}
	} while (rc == 0 && n == PCA_REINDEX_PAGE);
	free(page);
	return n < 0 ? -1 : rc;
}
