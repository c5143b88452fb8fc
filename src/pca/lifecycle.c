/* CA lifecycle after creation: loading by ARN (account-scoped), status
 * updates, deletion with a restore window, restoration, listing (spec pca.md
 * §5.2–5.6, §6.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pca/ca.h"
#include "pca/revocation.h"

void pca_ca_arn(const struct pca_ctx *ctx, const struct store_ca *ca, char *buf, size_t size)
{
	arn_format_ca(buf, size, ctx->partition, ctx->region, ca->account_id, ca->id);
}

/* A DELETED CA whose restore window has passed is gone: purge it on sight. */
static bool pca_ca_purge_if_due(const struct pca_ctx *ctx, const struct store_ca *ca)
{
	struct cm_err ignored;
	if (strcmp(ca->status, "DELETED") != 0 || ca->restorable_until > ctx->now)
		return false;
	store_ca_delete(ctx->store, ca->account_id, ca->id, &ignored);
	return true;
}

int pca_ca_load(const struct pca_ctx *ctx, const char *arn, const char *member,
		struct store_ca *out, struct cm_err *err)
{
	struct arn_ca parsed;
	memset(out, 0, sizeof(*out));
	if (arn_parse_ca(arn, member, &parsed, err) < 0)
		return -1;
	/* Another account's (or region's) CA is answered exactly like a missing one. */
	if (strcmp(parsed.account, ctx->account) != 0 || strcmp(parsed.region, ctx->region) != 0 ||
	    strcmp(parsed.partition, ctx->partition) != 0)
		goto not_found;
	if (store_ca_get(ctx->store, ctx->account, parsed.ca_id, out, err) < 0) {
		if (err->code == CM_ERR_NOT_FOUND)
			goto not_found;
		return -1;
	}
	if (pca_ca_purge_if_due(ctx, out)) {
		store_ca_clear(out);
		goto not_found;
	}
	return 0;
not_found:
	return cm_fail(err, CM_ERR_NOT_FOUND, "Could not find certificate authority %.200s", arn);
}

static void pca_set_state(const struct pca_ctx *ctx, struct store_ca *ca, enum pca_status s)
{
	snprintf(ca->status, sizeof(ca->status), "%s", pca_status_name(s));
	ca->last_state_change_at = ctx->now;
}

/* Status change of UpdateCertificateAuthority. */
static int pca_ca_change_status(const struct pca_ctx *ctx, struct store_ca *ca,
				enum pca_status current, const char *status, struct cm_err *err)
{
	enum pca_status want;
	if (pca_status_from_name(status, &want) < 0 ||
	    (want != PCA_ACTIVE && want != PCA_DISABLED))
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "Status %.40s is not allowed: use ACTIVE or DISABLED", status);
	if (current == PCA_EXPIRED)
		return cm_fail(err, CM_ERR_INVALID_STATE,
			       "The status of an expired certificate authority cannot change");
	if (want == PCA_ACTIVE && ca->cert_der == NULL)
		return cm_fail(err, CM_ERR_INVALID_STATE,
			       "The certificate authority has no certificate installed");
	if (want != current)
		pca_set_state(ctx, ca, want);
	return 0;
}

int pca_ca_update(const struct pca_ctx *ctx, const char *arn, const char *status,
		  const char *revocation_json, struct cm_err *err)
{
	struct store_ca ca = {0};
	int rc = -1;
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	enum pca_status current = pca_effective_status(&ca, ctx->now);
	if (pca_state_allows(PCA_OP_UPDATE, current, err) < 0)
		goto out;
	if (status != NULL && pca_ca_change_status(ctx, &ca, current, status, err) < 0)
		goto out;
	if (store_begin(ctx->store, err) < 0)
		goto out;
	if (store_ca_update_state(ctx->store, &ca, err) < 0)
		goto rollback;
	if (revocation_json != NULL) {
		free(ca.revocation_json);
		ca.revocation_json = strdup(revocation_json);
		if (ca.revocation_json == NULL || store_ca_update_revocation(ctx->store, &ca, err) < 0)
			goto rollback;
	}
	rc = store_commit(ctx->store, err);
	if (rc == 0) {
		pca_notify_ca_changed(ca.id); /* CRL and OCSP follow the new configuration */
		goto out;
	}
rollback:
	store_rollback(ctx->store);
out:
	store_ca_clear(&ca);
	return rc;
}

int pca_ca_delete(const struct pca_ctx *ctx, const char *arn, int days, struct cm_err *err)
{
	struct store_ca ca = {0};
	int rc = -1;
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	enum pca_status current = pca_effective_status(&ca, ctx->now);
	if (current == PCA_ACTIVE) {
		cm_fail(err, CM_ERR_INVALID_STATE,
			"An ACTIVE certificate authority cannot be deleted: disable it first");
		goto out;
	}
	if (pca_state_allows(PCA_OP_DELETE, current, err) < 0)
		goto out;
	if (current == PCA_CREATING || current == PCA_FAILED) {
		/* Never usable: gone at once, nothing to restore. */
		rc = store_ca_delete(ctx->store, ctx->account, ca.id, err);
		goto out;
	}
	/* Restore returns to the stored status (EXPIRED is derived again then). */
	snprintf(ca.prior_status, sizeof(ca.prior_status), "%s", ca.status);
	pca_set_state(ctx, &ca, PCA_DELETED);
	ca.restorable_until = ctx->now + (int64_t)days * 86400;
	rc = store_ca_update_state(ctx->store, &ca, err);
	if (rc == 0)
		pca_notify_ca_changed(ca.id);
out:
	store_ca_clear(&ca);
	return rc;
}

int pca_ca_restore(const struct pca_ctx *ctx, const char *arn, struct cm_err *err)
{
	struct store_ca ca = {0};
	int rc = -1;
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_RESTORE, pca_effective_status(&ca, ctx->now), err) < 0)
		goto out;
	enum pca_status prior = PCA_DISABLED;
	pca_status_from_name(ca.prior_status, &prior);
	/* Never straight back to ACTIVE: the owner re-enables explicitly (§5.6). */
	if (prior == PCA_ACTIVE)
		prior = PCA_DISABLED;
	pca_set_state(ctx, &ca, prior);
	ca.prior_status[0] = '\0';
	ca.restorable_until = 0;
	rc = store_ca_update_state(ctx->store, &ca, err);
	if (rc == 0)
		pca_notify_ca_changed(ca.id);
out:
	store_ca_clear(&ca);
	return rc;
}

struct pca_list_state {
	const struct pca_ctx *ctx;
	void (*fn)(void *fctx, const struct store_ca *ca, enum pca_status status);
	void *fctx;
	int limit;
	int seen;
	int64_t last_created;
	char last_id[40];
};

static void pca_list_row(void *p, const struct store_ca *ca)
{
	struct pca_list_state *ls = p;
	/* One row past the page tells whether there is a next page. */
	if (++ls->seen > ls->limit)
		return;
	ls->last_created = ca->created_at;
	snprintf(ls->last_id, sizeof(ls->last_id), "%s", ca->id);
	if (strcmp(ca->status, "DELETED") == 0 && ca->restorable_until <= ls->ctx->now)
		return; /* past its restore window: not listed (purged on next load) */
	ls->fn(ls->fctx, ca, pca_effective_status(ca, ls->ctx->now));
}

int pca_ca_list(const struct pca_ctx *ctx, const char *cursor, int limit,
		void (*fn)(void *fctx, const struct store_ca *ca, enum pca_status status),
		void *fctx, char *next_cursor, size_t next_size, struct cm_err *err)
{
	struct pca_list_state ls = {.ctx = ctx, .fn = fn, .fctx = fctx, .limit = limit};
	long long after_created = -1;
	char after_id[40] = "";
	if (cursor != NULL && cursor[0] != '\0' &&
	    sscanf(cursor, "%lld|%39s", &after_created, after_id) != 2)
		return cm_fail(err, CM_ERR_INVALID_NEXT_TOKEN, "Invalid NextToken");
	int n = store_ca_list(ctx->store, ctx->account, after_created, after_id, limit + 1,
			      pca_list_row, &ls, err);
	if (n < 0)
		return -1;
	next_cursor[0] = '\0';
	if (n > limit)
		snprintf(next_cursor, next_size, "%lld|%s", (long long)ls.last_created, ls.last_id);
	return 0;
}
