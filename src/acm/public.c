/* Public certificates from an ACME CA (issue 8; spec acm.md §6.3, §6.7): the
 * ACM side of what the ACME worker does. The worker proves the names and
 * fetches the certificate; here its outcome becomes the certificate's state:
 * ISSUED with an Available/ISSUANCE event, a renewal with the old serial in
 * the history and an Available/RENEWAL event (which queues the redeploys),
 * FAILED with the FailureReason the CA's problem maps to, or still waiting
 * for DNS. The job row records which CA issues the certificate, so it stays
 * (idle) once the work is done: the next renewal goes to the same CA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "lifecycle/events.h"
#include "util/log.h"

/* Tries a write again after a concurrent change (the scheduler's daily
 * bookkeeping) took the revision it read: the certificate the CA just issued
 * must not be lost to a race over a warning counter. */
#define ACM_PUBLIC_WRITE_TRIES 4

/* The job once its work is done: kept, idle, to remember the CA. Shares
 * nothing owned with j. */
static struct store_acme_job acm_public_idle(const struct store_acme_job *j)
{
	struct store_acme_job idle = *j;
	snprintf(idle.reason, sizeof(idle.reason), "%s", ACM_ACME_IDLE);
	idle.attempts = 0;
	idle.due_at = INT64_MAX;
	idle.state = NULL;
	return idle;
}

int acm_public_job_retire(const struct acm_ctx *ctx, const struct store_acme_job *j,
			  struct cm_err *err)
{
	struct store_acme_job idle = acm_public_idle(j);
	return store_acme_job_put(ctx->store, &idle, true, err);
}

int acm_public_job_live(const struct acm_ctx *ctx, const struct store_acme_job *j,
			struct store_acm_cert *c, struct cm_err *err)
{
	if (store_acm_cert_get(ctx->store, j->account_id, j->cert_id, c, err) < 0)
		return err->code == CM_ERR_NOT_FOUND ? 0 : -1;
	const char *status = store_acm_effective_status(c, ctx->now);
	if (strcmp(j->reason, "ISSUANCE") == 0)
		return strcmp(status, "PENDING_VALIDATION") == 0;
	if (strcmp(j->reason, ACM_ACME_ARI) == 0)
		return strcmp(status, "ISSUED") == 0;
	return strcmp(j->reason, "RENEWAL") == 0 && strcmp(status, "ISSUED") == 0 &&
	       (strcmp(c->renewal_status, "PENDING_AUTO_RENEWAL") == 0 ||
		strcmp(c->renewal_status, "PENDING_VALIDATION") == 0);
}

/* The issued record from the one read: first issuance or renewal. */
static int acm_public_next(const struct acm_ctx *ctx, const struct store_acm_cert *c, EVP_PKEY *key,
			   X509 *cert, const char *chain, struct store_acm_cert *next,
			   struct cm_err *err)
{
	if (acm_renew_copy(c, next, err) < 0 || acm_install(ctx, next, key, cert, chain, err) < 0)
		return -1;
	next->issued_at = ctx->now;
	next->scan_due_at = 0; /* the scan sets its next moment */
	next->action_required_days = 0;
	if (strcmp(c->status, "ISSUED") != 0) {
		snprintf(next->status, sizeof(next->status), "ISSUED");
		next->failure_reason[0] = '\0';
		return 0;
	}
	next->exported = false; /* eligible again once exported or in use (§6.2) */
	return acm_set_renewal(next, "SUCCESS", NULL, ctx->now, err);
}

/* One try at writing the issued certificate, its event and the idle job. */
static int acm_public_issued_once(const struct acm_ctx *ctx, struct store_acme_job *j,
				  EVP_PKEY *key, X509 *cert, const char *chain, struct cm_err *err)
{
	struct store_acm_cert c, next = {0};
	int live = acm_public_job_live(ctx, j, &c, err), rc = -1;
	if (live <= 0) {
		store_acm_cert_clear(&c);
		return live; /* deleted, timed out or revoked meanwhile: nothing to install */
	}
	bool renewal = strcmp(c.status, "ISSUED") == 0;
	struct store_acme_job idle = acm_public_idle(j);
	if (acm_public_next(ctx, &c, key, cert, chain, &next, err) < 0 ||
	    store_begin(ctx->store, err) < 0)
		goto out;
	if ((renewal ? acm_renew_write(ctx, &c, &next, err)
		     : (store_acm_cert_update(ctx->store, &next, err) < 0
			    ? -1
			    : lifecycle_event_emit(LIFECYCLE_EVENT_AVAILABLE, ctx, &next,
						   "ISSUANCE", err))) < 0 ||
	    store_acme_job_put(ctx->store, &idle, true, err) < 0) {
		store_rollback(ctx->store);
		goto out;
	}
	rc = lifecycle_events_commit(ctx->store, err) < 0 ? -1 : 1;
	if (rc == 1)
		log_event(LOG_INFO, renewal ? "acm certificate renewed" : "acm certificate issued",
			  "certificate", next.id, "serial", next.serial, "ca", j->ca_name, LOG_END);
out:
	store_acm_cert_clear(&next);
	store_acm_cert_clear(&c);
	return rc;
}

int acm_public_issued(const struct acm_ctx *ctx, struct store_acme_job *j, EVP_PKEY *key,
		      X509 *cert, const char *chain, struct cm_err *err)
{
	for (int i = 0; i < ACM_PUBLIC_WRITE_TRIES; i++) {
		struct cm_err one = {0};
		int rc = acm_public_issued_once(ctx, j, key, cert, chain, &one);
		if (rc >= 0)
			return rc;
		if (one.code != CM_ERR_CONFLICT) {
			*err = one;
			return -1;
		}
	}
	return cm_fail(err, CM_ERR_CONFLICT, "certificate %s kept changing", j->cert_id);
}

/* The certificate's side of an attempt that did not issue. */
static int acm_public_mark(const struct acm_ctx *ctx, struct store_acm_cert *c,
			   enum acm_public_outcome o, const char *reason, struct cm_err *err)
{
	if (strcmp(c->status, "ISSUED") != 0) {
		if (o != ACM_PUBLIC_FAILED)
			return 0; /* still PENDING_VALIDATION: the job says how far */
		snprintf(c->status, sizeof(c->status), "FAILED");
		snprintf(c->failure_reason, sizeof(c->failure_reason), "%s", reason);
		return 1;
	}
	/* A renewal: the summary says what it waits for (spec §6.7), and a
	 * failure is due at the next scan for its Action Required marks. */
	if (o == ACM_PUBLIC_WAITING)
		return strcmp(c->renewal_status, "PENDING_VALIDATION") == 0
			   ? 0
			   : (acm_set_renewal(c, "PENDING_VALIDATION", NULL, ctx->now, err) < 0
				  ? -1
				  : 1);
	if (o == ACM_PUBLIC_FAILED)
		c->scan_due_at = ctx->now + 1;
	if (acm_set_renewal(c, "PENDING_AUTO_RENEWAL", o == ACM_PUBLIC_FAILED ? reason : NULL,
			    ctx->now, err) < 0)
		return -1;
	return 1;
}

static int acm_public_not_issued_once(const struct acm_ctx *ctx, struct store_acme_job *j,
				      enum acm_public_outcome o, const char *reason,
				      struct cm_err *err)
{
	struct store_acm_cert c;
	int live = acm_public_job_live(ctx, j, &c, err), rc = -1;
	if (live <= 0) {
		store_acm_cert_clear(&c);
		return live;
	}
	bool first = strcmp(c.status, "ISSUED") != 0;
	/* FAILED is final for a request (spec §5.1): its job goes idle. */
	struct store_acme_job idle = acm_public_idle(j);
	const struct store_acme_job *next = first && o == ACM_PUBLIC_FAILED ? &idle : j;
	int changed = acm_public_mark(ctx, &c, o, reason, err);
	if (changed < 0 || store_begin(ctx->store, err) < 0)
		goto out;
	if ((changed == 1 && store_acm_cert_update(ctx->store, &c, err) < 0) ||
	    store_acme_job_put(ctx->store, next, true, err) < 0) {
		store_rollback(ctx->store);
		goto out;
	}
	rc = store_commit(ctx->store, err) < 0 ? -1 : 1;
	if (rc == 1 && o == ACM_PUBLIC_FAILED)
		log_event(LOG_INFO, first ? "acm certificate failed" : "acm renewal failed",
			  "certificate", c.id, "reason", reason, "ca", j->ca_name, LOG_END);
out:
	store_acm_cert_clear(&c);
	return rc;
}

int acm_public_not_issued(const struct acm_ctx *ctx, struct store_acme_job *j,
			  enum acm_public_outcome o, const char *reason, struct cm_err *err)
{
	for (int i = 0; i < ACM_PUBLIC_WRITE_TRIES; i++) {
		struct cm_err one = {0};
		int rc = acm_public_not_issued_once(ctx, j, o, reason, &one);
		if (rc >= 0)
			return rc;
		if (one.code != CM_ERR_CONFLICT) {
			*err = one;
			return -1;
		}
	}
	return cm_fail(err, CM_ERR_CONFLICT, "certificate %s kept changing", j->cert_id);
}
