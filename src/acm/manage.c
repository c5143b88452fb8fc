/* DeleteCertificate, RenewCertificate, UpdateCertificateOptions and
 * RevokeCertificate (spec acm.md §5.7, §5.8, §5.11, §5.13). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "lifecycle/events.h"
#include "util/log.h"

int acm_delete(const struct acm_ctx *ctx, const char *arn, struct cm_err *err)
{
	struct store_acm_cert c;
	char **users = NULL;
	size_t n = 0;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (store_acm_usage_list(ctx->store, c.id, &users, &n, err) < 0)
		goto out;
	if (n > 0) {
		cm_fail(err, CM_ERR_RESOURCE_IN_USE,
			"Certificate %.300s is in use by %.300s and cannot be deleted", arn,
			users[0]);
		goto out;
	}
	/* The row holds the only copy of the sealed key: deleting it is for good. */
	rc = store_acm_cert_delete(ctx->store, ctx->account, c.id, err);
out:
	store_strings_free(users, n);
	store_acm_cert_clear(&c);
	return rc;
}

/* RenewalSummary without its DomainValidationOptions (those are derived). */
static char *acm_renewal_json(const char *status, const char *reason, int64_t now)
{
	json_t *o = json_pack("{s:s, s:I}", "RenewalStatus", status, "UpdatedAt", (json_int_t)now);
	if (o != NULL && reason != NULL)
		json_object_set_new(o, "RenewalStatusReason", json_string(reason));
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

int acm_set_renewal(struct store_acm_cert *c, const char *status, const char *reason,
		    int64_t now, struct cm_err *err)
{
	char *s = acm_renewal_json(status, reason, now);
	if (s == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	free(c->renewal_json);
	c->renewal_json = s;
	return 0;
}

/* Writes the claim (see acm_renew_now) and follows the row's revision. */
static int acm_renew_claim(const struct acm_ctx *ctx, struct store_acm_cert *c,
			   struct cm_err *err)
{
	if (acm_set_renewal(c, "PENDING_AUTO_RENEWAL", NULL, ctx->now, err) < 0)
		return -1;
	c->scan_due_at = ctx->now + ACM_RENEWAL_LEASE;
	if (store_acm_cert_update(ctx->store, c, err) < 0)
		return -1;
	c->revision++; /* the update counted one */
	return 0;
}

/* A copy of c sharing nothing owned, to issue into: on failure c is intact. */
int acm_renew_copy(const struct store_acm_cert *c, struct store_acm_cert *next,
			  struct cm_err *err)
{
	*next = *c;
	next->names_json = c->names_json != NULL ? strdup(c->names_json) : NULL;
	next->validation_json = c->validation_json != NULL ? strdup(c->validation_json) : NULL;
	next->key_sealed = NULL;
	next->cert_der = NULL;
	next->chain_pem = NULL;
	next->subject = NULL;
	next->issuer = NULL;
	next->eku_json = NULL;
	next->renewal_json = NULL;
	if ((c->names_json != NULL && next->names_json == NULL) ||
	    (c->validation_json != NULL && next->validation_json == NULL))
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return 0;
}

int acm_renew_write(const struct acm_ctx *ctx, const struct store_acm_cert *old,
		    const struct store_acm_cert *next, struct cm_err *err)
{
	struct store_acm_history h = {0};
	snprintf(h.cert_id, sizeof(h.cert_id), "%s", old->id);
	snprintf(h.serial, sizeof(h.serial), "%s", old->serial);
	snprintf(h.ca_arn, sizeof(h.ca_arn), "%s", old->ca_arn);
	h.not_before = old->not_before;
	h.not_after = old->not_after;
	h.replaced_at = ctx->now;
	if (store_acm_history_add(ctx->store, &h, err) < 0 ||
	    store_acm_cert_update(ctx->store, next, err) < 0)
		return -1;
	return lifecycle_event_emit(LIFECYCLE_EVENT_AVAILABLE, ctx, next, "RENEWAL", err);
}

/* The CA's record of the new certificate, the old serial to the history,
 * the new record and its event: one commit. */
static int acm_renew_store(const struct acm_ctx *ctx, const struct store_acm_cert *old,
			   const struct store_acm_cert *next, const struct pca_issued *issued,
			   struct cm_err *err)
{
	struct pca_ctx pctx = acm_pca_ctx(ctx);
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (pca_issued_store(&pctx, issued, err) < 0 || acm_renew_write(ctx, old, next, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	return lifecycle_events_commit(ctx->store, err);
}

/* The CA could not issue: PENDING_AUTO_RENEWAL with the reason, retried at
 * the next scheduler pass (spec §6.7); the caller stores it. Returns 1. */
static int acm_renew_failed(const struct acm_ctx *ctx, struct store_acm_cert *c,
			    const char *reason, const struct cm_err *issue_err, struct cm_err *err)
{
	log_event(LOG_INFO, "acm renewal failed", "certificate", c->id, "reason", reason,
		  "detail", issue_err->msg, LOG_END);
	c->scan_due_at = ctx->now + 1;
	if (acm_set_renewal(c, "PENDING_AUTO_RENEWAL", reason, ctx->now, err) < 0)
		return -1;
	return 1;
}

/* The claim of a public certificate's renewal and its ACME job, due now:
 * one transaction, so the worker never runs a renewal nobody claimed. */
static int acm_renew_public_claim(const struct acm_ctx *ctx, struct store_acm_cert *c,
				  struct store_acme_job *j, struct cm_err *err)
{
	snprintf(j->reason, sizeof(j->reason), "RENEWAL");
	j->attempts = 0;
	j->due_at = ctx->now;
	free(j->state);
	j->state = NULL;
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (acm_renew_claim(ctx, c, err) < 0 || store_acme_job_put(ctx->store, j, true, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	if (store_commit(ctx->store, err) < 0)
		return -1;
	if (ctx->public_cfg->wake != NULL)
		ctx->public_cfg->wake();
	return 0;
}

/* A public certificate renews through its ACME job (issue 8): claimed here,
 * carried out by the ACME worker, which writes the outcome. Returns 2 when
 * the renewal runs (started now or earlier), 1 when it cannot (no ACME CA
 * for it on this server: *reason), -1 on error. */
static int acm_renew_public(const struct acm_ctx *ctx, struct store_acm_cert *c,
			    const char **reason, struct cm_err *err)
{
	struct store_acme_job j;
	struct cm_err job_err = {0};
	int rc = 2;
	if (ctx->public_cfg == NULL || store_acme_job_get(ctx->store, c->id, &j, &job_err) < 0) {
		if (job_err.code == CM_ERR_INTERNAL) {
			*err = job_err;
			return -1;
		}
		*reason = "OTHER";
		cm_fail(&job_err, CM_ERR_INVALID_STATE, "no ACME certificate authority issues it");
		return acm_renew_failed(ctx, c, *reason, &job_err, err);
	}
	if (strcmp(j.reason, "RENEWAL") != 0 && acm_renew_public_claim(ctx, c, &j, err) < 0)
		rc = -1;
	store_acme_job_clear(&j);
	return rc;
}

int acm_renew_now(const struct acm_ctx *ctx, struct store_acm_cert *c, const char **reason,
		  struct cm_err *err)
{
	struct store_acm_cert next;
	struct pca_issued issued = {0};
	struct cm_err issue_err = {0};
	*reason = NULL;
	if (strcmp(c->type, "AMAZON_ISSUED") == 0)
		return acm_renew_public(ctx, c, reason, err);
	if (acm_renew_claim(ctx, c, err) < 0)
		return -1;
	if (acm_renew_copy(c, &next, err) < 0) {
		store_acm_cert_clear(&next);
		return -1;
	}
	if (acm_renew_private(ctx, &next, reason, &issued, &issue_err) < 0) {
		store_acm_cert_clear(&next);
		if (*reason == NULL)
			*reason = "OTHER";
		return acm_renew_failed(ctx, c, *reason, &issue_err, err);
	}
	next.issued_at = ctx->now;
	next.exported = false; /* eligible again once exported again (§6.2) */
	bool stored = acm_set_renewal(&next, "SUCCESS", NULL, ctx->now, err) == 0 &&
		      acm_renew_store(ctx, c, &next, &issued, err) == 0;
	pca_issued_clear(&issued);
	if (!stored) {
		store_acm_cert_clear(&next);
		return -1;
	}
	next.revision++; /* as stored */
	store_acm_cert_clear(c);
	*c = next;
	log_event(LOG_INFO, "acm certificate renewed", "certificate", c->id, "serial", c->serial,
		  LOG_END);
	return 0;
}

/* A claim younger than its lease: another renewer is at work (spec §5.8:
 * RequestInProgressException while a renewal runs). */
static bool acm_renewal_running(const struct acm_ctx *ctx, const struct store_acm_cert *c)
{
	return strcmp(c->renewal_status, "PENDING_AUTO_RENEWAL") == 0 &&
	       c->scan_due_at > ctx->now && c->scan_due_at <= ctx->now + ACM_RENEWAL_LEASE;
}

static int acm_renew_check(const struct acm_ctx *ctx, const char *arn,
			   const struct store_acm_cert *c, const struct acm_view *v,
			   struct cm_err *err)
{
	if (strcmp(c->type, "IMPORTED") == 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "Certificate ARN %.300s is an imported certificate and cannot be "
			       "renewed",
			       arn);
	if (strcmp(v->status, "PENDING_VALIDATION") == 0)
		return cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS,
			       "Certificate %.300s is not yet issued", arn);
	if (!v->renewal_eligible)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "Certificate ARN %.300s has not been exported so it is not eligible "
			       "for the Renew Certificate API.",
			       arn);
	if (strcmp(c->type, "AMAZON_ISSUED") == 0 && ctx->public_cfg == NULL)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "Certificate ARN %.300s is a public certificate and this server has "
			       "no ACME certificate authority configured to renew it",
			       arn);
	if (acm_renewal_running(ctx, c))
		return cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS,
			       "A renewal of certificate %.300s is already in progress", arn);
	return 0;
}

int acm_renew(const struct acm_ctx *ctx, const char *arn, struct cm_err *err)
{
	struct store_acm_cert c;
	struct acm_view v;
	const char *reason = NULL;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (acm_view_get(ctx, &c, &v, err) < 0)
		goto out;
	if (acm_renew_check(ctx, arn, &c, &v, err) == 0) {
		rc = acm_renew_now(ctx, &c, &reason, err);
		/* A CA problem is not the caller's error: the summary says why. */
		if (rc == 1)
			rc = store_acm_cert_update(ctx->store, &c, err);
		else if (rc == 2)
			rc = 0; /* a public renewal runs on (spec §5.8: asynchronous) */
		else if (rc < 0 && err->code == CM_ERR_CONFLICT)
			cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS,
				"A renewal of certificate %.300s is already in progress", arn);
	}
	acm_view_clear(&v);
out:
	store_acm_cert_clear(&c);
	return rc;
}

int acm_update_options(const struct acm_ctx *ctx, const char *arn, const char *ct_logging,
		       const char *export_option, struct cm_err *err)
{
	struct store_acm_cert c;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (strcmp(c.type, "PRIVATE") == 0 || strcmp(c.type, "IMPORTED") == 0) {
		cm_fail(err, CM_ERR_INVALID_STATE,
			"The UpdateCertificateOptions command is not permitted for %s certificates.",
			strcmp(c.type, "PRIVATE") == 0 ? "private" : "imported");
	} else if (strcmp(store_acm_effective_status(&c, ctx->now), "ISSUED") != 0) {
		cm_fail(err, CM_ERR_INVALID_STATE, "Certificate %.300s is not ISSUED", arn);
	} else if (export_option != NULL && strcmp(export_option, c.export_option) != 0) {
		cm_fail(err, CM_ERR_VALIDATION,
			"The Export option is fixed when the certificate is requested");
	} else {
		if (ct_logging != NULL)
			snprintf(c.ct_logging, sizeof(c.ct_logging), "%s", ct_logging);
		rc = store_acm_cert_update(ctx->store, &c, err);
	}
	store_acm_cert_clear(&c);
	return rc;
}

/* Reasons a Private CA accepts in RevokeCertificate. */
static bool acm_pca_reason(const char *reason)
{
	return strcmp(reason, "CERTIFICATE_HOLD") != 0 && strcmp(reason, "REMOVE_FROM_CRL") != 0;
}

/* The REVOKED record and its event commit together. */
static int acm_revoke_store(const struct acm_ctx *ctx, const struct store_acm_cert *c,
			    struct cm_err *err)
{
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_acm_cert_update(ctx->store, c, err) < 0 ||
	    lifecycle_event_emit(LIFECYCLE_EVENT_REVOKED, ctx, c, NULL, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	return lifecycle_events_commit(ctx->store, err);
}

int acm_revoke(const struct acm_ctx *ctx, const char *arn, const char *reason,
	       struct cm_err *err)
{
	struct store_acm_cert c;
	struct acm_view v;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (acm_view_get(ctx, &c, &v, err) < 0)
		goto out;
	if (strcmp(c.type, "IMPORTED") == 0 || !c.exported) {
		cm_fail(err, CM_ERR_VALIDATION,
			"Certificate %.300s was never exported or is imported: it cannot be revoked",
			arn);
	} else if (v.n_in_use_by > 0) {
		cm_fail(err, CM_ERR_RESOURCE_IN_USE, "Certificate %.300s is in use", arn);
	} else if (strcmp(c.status, "REVOKED") == 0) {
		cm_fail(err, CM_ERR_CONFLICT, "Certificate %.300s is already revoked", arn);
	} else if (strcmp(c.type, "PRIVATE") == 0 && !acm_pca_reason(reason)) {
		cm_fail(err, CM_ERR_VALIDATION,
			"Revocation reason %s is not supported by the issuing certificate authority",
			reason);
	} else {
		struct pca_ctx pctx = acm_pca_ctx(ctx);
		/* The CA's record makes it reach the CRL and OCSP. PCA spells two
		 * reasons differently from ACM. */
		const char *pca_reason = strcmp(reason, "SUPERCEDED") == 0	? "SUPERSEDED"
					 : strcmp(reason, "CA_COMPROMISE") == 0 ? "CERTIFICATE_AUTHORITY_COMPROMISE"
										: reason;
		if (strcmp(c.type, "PRIVATE") != 0 ||
		    pca_revoke(&pctx, c.ca_arn, c.serial, pca_reason, err) == 0) {
			snprintf(c.status, sizeof(c.status), "REVOKED");
			snprintf(c.revocation_reason, sizeof(c.revocation_reason), "%s", reason);
			c.revoked_at = ctx->now;
			rc = acm_revoke_store(ctx, &c, err);
		}
	}
	acm_view_clear(&v);
out:
	store_acm_cert_clear(&c);
	return rc;
}
