/* Permissions a CA grants the ACM service principal (spec pca.md §5.15,
 * §6.10): one per (CA, principal, source account), holding 1–3 actions. */
#include <stdio.h>
#include <string.h>

#include "pca/access.h"

static const struct {
	unsigned bit;
	const char *name;
} pca_perm_names[] = {
    {PCA_PERM_ISSUE, "IssueCertificate"},
    {PCA_PERM_GET, "GetCertificate"},
    {PCA_PERM_LIST_PERMISSIONS, "ListPermissions"},
};

#define PCA_PERM_N (sizeof(pca_perm_names) / sizeof(pca_perm_names[0]))

unsigned pca_perm_actions_parse(const char *text)
{
	unsigned bits = 0;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < PCA_PERM_N; i++)
			if (strcmp(tok, pca_perm_names[i].name) == 0)
				bits |= pca_perm_names[i].bit;
	return bits;
}

static void pca_perm_actions_format(unsigned bits, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < PCA_PERM_N; i++)
		if ((bits & pca_perm_names[i].bit) != 0 && used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used > 0 ? "," : "", pca_perm_names[i].name);
}

/* The caller's own CA in a state that allows permissions (matrix §6.2). */
static int pca_perm_target(const struct pca_ctx *ctx, const char *arn, struct store_ca *ca,
			   struct cm_err *err)
{
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_PERMISSIONS, pca_effective_status(ca, ctx->now), err) < 0) {
		store_ca_clear(ca);
		return -1;
	}
	return 0;
}

int pca_permission_create(const struct pca_ctx *ctx, const char *arn, const char *principal,
			  const char *source_account, unsigned actions, struct cm_err *err)
{
	struct store_ca ca;
	struct store_permission p;
	if (pca_perm_target(ctx, arn, &ca, err) < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	snprintf(p.ca_id, sizeof(p.ca_id), "%s", ca.id);
	snprintf(p.principal, sizeof(p.principal), "%s", principal);
	snprintf(p.source_account, sizeof(p.source_account), "%s",
		 source_account != NULL ? source_account : ctx->account);
	pca_perm_actions_format(actions, p.actions, sizeof(p.actions));
	p.created_at = ctx->now;
	int rc = store_permission_insert(ctx->store, &p, err);
	if (rc < 0 && err->code == CM_ERR_CONFLICT)
		cm_fail(err, CM_ERR_PERMISSION_EXISTS,
			"A permission for %.128s from account %s already exists on %.200s",
			principal, p.source_account, arn);
	store_ca_clear(&ca);
	return rc;
}

int pca_permission_delete(const struct pca_ctx *ctx, const char *arn, const char *principal,
			  const char *source_account, struct cm_err *err)
{
	struct store_ca ca;
	if (pca_perm_target(ctx, arn, &ca, err) < 0)
		return -1;
	const char *source = source_account != NULL ? source_account : ctx->account;
	int rc = store_permission_delete(ctx->store, ca.id, principal, source, err);
	if (rc < 0 && err->code == CM_ERR_NOT_FOUND)
		cm_fail(err, CM_ERR_NOT_FOUND, "No permission for %.128s from account %s on %.200s",
			principal, source, arn);
	store_ca_clear(&ca);
	return rc;
}

struct pca_perm_page {
	void (*fn)(void *fctx, const struct store_permission *p, const char *ca_arn);
	void *fctx;
	const char *ca_arn;
	int limit, seen;
	char last[200];
};

static void pca_perm_row(void *p, const struct store_permission *perm)
{
	struct pca_perm_page *page = p;
	/* One row past the page tells whether there is a next one. */
	if (++page->seen > page->limit)
		return;
	snprintf(page->last, sizeof(page->last), "%s|%s", perm->source_account, perm->principal);
	page->fn(page->fctx, perm, page->ca_arn);
}

int pca_permission_list(const struct pca_ctx *ctx, const char *arn, const char *cursor, int limit,
			void (*fn)(void *fctx, const struct store_permission *p,
				   const char *ca_arn),
			void *fctx, char *next_cursor, size_t next_size, struct cm_err *err)
{
	struct store_ca ca;
	char ca_arn[ARN_MAX], source[16] = "";
	const char *principal = NULL;
	struct pca_perm_page page = {.fn = fn, .fctx = fctx, .ca_arn = ca_arn, .limit = limit};
	/* Cursor: "<source account>|<principal>" of the last row given. */
	if (cursor != NULL && cursor[0] != '\0') {
		const char *bar = strchr(cursor, '|');
		if (bar == NULL || bar - cursor != 12)
			return cm_fail(err, CM_ERR_INVALID_NEXT_TOKEN, "Invalid NextToken");
		memcpy(source, cursor, 12);
		principal = bar + 1;
	}
	if (pca_ca_load_shared(ctx, arn, "CertificateAuthorityArn", PCA_ACTION_LIST_PERMISSIONS,
			       NULL, &ca, err) < 0)
		return -1;
	int rc = pca_state_allows(PCA_OP_PERMISSIONS, pca_effective_status(&ca, ctx->now), err);
	pca_ca_arn(ctx, &ca, ca_arn, sizeof(ca_arn));
	if (rc == 0)
		rc = store_permission_list(ctx->store, ca.id, principal, source, limit + 1,
					   pca_perm_row, &page, err);
	store_ca_clear(&ca);
	if (rc < 0)
		return -1;
	next_cursor[0] = '\0';
	if (page.seen > limit)
		snprintf(next_cursor, next_size, "%s", page.last);
	return 0;
}

int pca_acm_renewal_allowed(const struct pca_ctx *ctx, const char *ca_arn, struct cm_err *err)
{
	const unsigned all = PCA_PERM_ISSUE | PCA_PERM_GET | PCA_PERM_LIST_PERMISSIONS;
	struct arn_ca parsed;
	struct store_ca ca;
	struct store_permission p;
	if (arn_parse_ca(ca_arn, "CertificateAuthorityArn", &parsed, err) < 0)
		return -1;
	if (strcmp(parsed.account, ctx->account) != 0)
		return 0;
	if (pca_ca_load(ctx, ca_arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	int rc = store_permission_get(ctx->store, ca.id, PCA_ACM_PRINCIPAL, ctx->account, &p, err);
	if (rc < 0 && err->code != CM_ERR_NOT_FOUND)
		goto out;
	if (rc < 0 || (pca_perm_actions_parse(p.actions) & all) != all)
		rc = cm_fail(err, CM_ERR_ACCESS_DENIED,
			     "%s has not been permitted IssueCertificate, GetCertificate and "
			     "ListPermissions on %.200s",
			     PCA_ACM_PRINCIPAL, ca_arn);
out:
	store_ca_clear(&ca);
	return rc;
}
