/* One ACME order for a public certificate (issue 8; RFC 8555 §7.4, §8.4).
 * Every name's CNAME is already in place (worker.c checked), so: a new order
 * for the names, the dns-01 TXT value of each pending authorization published
 * at the CNAME's target in the validation zone, all published before any
 * challenge is answered (a wildcard and its base share one name and need both
 * values at once), the order polled until ready, finalized with a CSR of a
 * key made here, the chain downloaded, and the TXT values removed whatever
 * happened. Waits are bounded so the job's lease always outlasts them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/acme.h"
#include "acme/worker_internal.h"
#include "util/log.h"
#include "x509/pem.h"

#define ACME_TXT_TTL	     60
#define ACME_POLL_MS	     (90 * 1000) /* per wait: validation, then issuance */
#define ACME_BACKOFF_BASE    60
#define ACME_BACKOFF_CAP     (6 * 3600)
#define ACME_RETRY_AFTER_MIN 5

/* A TXT value published for this order, to remove afterwards. */
struct acme_txt {
	char fqdn[300];
	char value[ACME_B64_SHA256_LEN];
};

/* What one attempt needs, and what it published. */
struct acme_run {
	struct acme_worker *w;
	const struct acm_ctx *ctx;
	struct acme_client *cl;
	EVP_PKEY *account_key; /* the client's, for the dns-01 values */
	const struct acm_validation *v;
	size_t n;
	struct acme_txt *txt;
	size_t n_txt;
	char detail[512]; /* why an attempt did not issue, for the job's state */
};

static int64_t acme_backoff(int attempts)
{
	int64_t d = ACME_BACKOFF_BASE;
	for (int i = 1; i < attempts && d < ACME_BACKOFF_CAP; i++)
		d *= 2;
	return d > ACME_BACKOFF_CAP ? ACME_BACKOFF_CAP : d;
}

/* The record of the authorization's identifier: the wildcard and its base
 * share it, so the base name is what matters. */
static const struct acm_validation *acme_record_for(const struct acme_run *r, const char *ident)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *name = r->v[i].domain_name;
		if (strncmp(name, "*.", 2) == 0)
			name += 2;
		if (strcasecmp(name, ident) == 0)
			return &r->v[i];
	}
	return NULL;
}

/* Publishes the TXT value of one pending authorization; *challenge gets the
 * URL to answer (owned) or stays NULL when there is nothing to do. */
static int acme_publish(struct acme_run *r, const char *authz_url, char **challenge,
			struct cm_err *err)
{
	struct acme_authz a = {0};
	int rc = -1;
	*challenge = NULL;
	if (acme_authz_fetch(r->cl, authz_url, &a, err) < 0)
		goto out;
	if (a.status == ACME_STATUS_VALID) {
		rc = 0; /* validated earlier and still valid (RFC 8555 §7.1.4) */
		goto out;
	}
	const struct acm_validation *v = acme_record_for(r, a.identifier);
	if (a.status != ACME_STATUS_PENDING || a.challenge_url == NULL || v == NULL) {
		cm_fail(err, CM_ERR_INVALID_STATE, "authorization for %.200s is %s%s",
			a.identifier != NULL ? a.identifier : "?", acme_status_name(a.status),
			a.challenge_url == NULL ? " without a dns-01 challenge" : "");
		goto out;
	}
	/* One value per name at most: a CA listing more authorizations than the
	 * order has names must not write past the list. */
	if (r->n_txt >= r->n) {
		cm_fail(err, CM_ERR_INVALID_STATE, "the CA sent more authorizations than names");
		goto out;
	}
	struct acme_txt *t = &r->txt[r->n_txt];
	snprintf(t->fqdn, sizeof(t->fqdn), "%.*s", (int)strlen(v->record_value) - 1,
		 v->record_value);
	if (acme_dns01_txt(r->account_key, a.token, t->value) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot compute the dns-01 value");
		goto out;
	}
	if (dns_txt_add(&r->w->cfg.conf->publisher, t->fqdn, t->value, ACME_TXT_TTL, err) < 0)
		goto out;
	r->n_txt++;
	*challenge = strdup(a.challenge_url);
	rc = *challenge != NULL ? 0 : cm_fail(err, CM_ERR_INTERNAL, "out of memory");
out:
	acme_authz_clear(&a);
	return rc;
}

/* Removes what this attempt published. A removal that fails leaves a stale
 * TXT value behind, harmless (a CA never accepts an old token) but logged. */
static void acme_unpublish(struct acme_run *r)
{
	for (size_t i = 0; i < r->n_txt; i++) {
		struct cm_err err = {0};
		if (dns_txt_remove(&r->w->cfg.conf->publisher, r->txt[i].fqdn, r->txt[i].value,
				   &err) < 0)
			log_event(LOG_WARN, "acme: cannot remove a dns-01 TXT value", "name",
				  r->txt[i].fqdn, "error", err.msg, LOG_END);
	}
	r->n_txt = 0;
}

/* Publishes every pending authorization's value, then answers them all. */
static int acme_validate(struct acme_run *r, const struct acme_order *o, struct cm_err *err)
{
	char **challenges = calloc(o->nauthorizations + 1, sizeof(*challenges));
	int rc = 0;
	if (challenges == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; rc == 0 && i < o->nauthorizations; i++)
		rc = acme_publish(r, o->authorizations[i], &challenges[i], err);
	for (size_t i = 0; rc == 0 && i < o->nauthorizations; i++)
		if (challenges[i] != NULL)
			rc = acme_challenge_respond(r->cl, challenges[i], err);
	for (size_t i = 0; i < o->nauthorizations; i++)
		free(challenges[i]);
	free(challenges);
	return rc;
}

/* Polls until the order leaves pending/processing; still there after the
 * budget counts as a passing problem (the CA is slow: next attempt). */
static int acme_wait(struct acme_run *r, struct acme_order *o, struct cm_err *err)
{
	if (acme_order_poll(r->cl, o, ACME_POLL_MS, err) < 0)
		return -1;
	if (o->status == ACME_STATUS_PENDING || o->status == ACME_STATUS_PROCESSING)
		return cm_fail(err, CM_ERR_UNAVAILABLE, "the order is still %s after %d s",
			       acme_status_name(o->status), ACME_POLL_MS / 1000);
	return 0;
}

/* Why an invalid order failed: its error, else the first failed
 * authorization's challenge error. *reason is ACM's FailureReason. */
static void acme_order_failure(struct acme_run *r, const struct acme_order *o, const char **reason)
{
	*reason = "OTHER";
	if (o->has_error) {
		*reason = acme_problem_reason(&o->error);
		snprintf(r->detail, sizeof(r->detail), "%s", o->error.detail);
		return;
	}
	for (size_t i = 0; i < o->nauthorizations; i++) {
		struct acme_authz a = {0};
		struct cm_err err = {0};
		if (acme_authz_fetch(r->cl, o->authorizations[i], &a, &err) == 0 && a.has_error) {
			*reason = acme_problem_reason(&a.error);
			snprintf(r->detail, sizeof(r->detail), "%.200s: %.300s",
				 a.identifier != NULL ? a.identifier : "?", a.error.detail);
			acme_authz_clear(&a);
			return;
		}
		acme_authz_clear(&a);
	}
	snprintf(r->detail, sizeof(r->detail), "the CA marked the order invalid");
}

/* Finalizes with a new key's CSR and hands the certificate to ACM. */
static int acme_finish(struct acme_run *r, struct store_acme_job *j, const struct store_acm_cert *c,
		       struct acme_order *o, struct cm_err *err)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	char *leaf = NULL, *chain = NULL;
	size_t csr_len = 0;
	unsigned char *csr = acm_csr(c, &key, &csr_len, err);
	int rc = -1;
	if (csr == NULL || acme_order_finalize(r->cl, o, csr, csr_len, err) < 0 ||
	    acme_wait(r, o, err) < 0)
		goto out;
	if (o->status != ACME_STATUS_VALID || o->certificate == NULL) {
		rc = 1; /* refused at finalize: the caller reads the order's error */
		goto out;
	}
	if (acme_cert_download(r->cl, o->certificate, &leaf, &chain, err) < 0 ||
	    (cert = x509_cert_parse((const unsigned char *)leaf, strlen(leaf), err)) == NULL)
		goto out;
	rc = acm_public_issued(r->ctx, j, key, cert,
			       chain != NULL && chain[0] != '\0' ? chain : NULL, err) < 0
		 ? -2 /* our own failure, not the CA's */
		 : 0;
out:
	OPENSSL_free(csr);
	EVP_PKEY_free(key);
	X509_free(cert);
	free(leaf);
	free(chain);
	return rc;
}

/* The job's state with the reason an attempt did not issue (each name's
 * status as the CNAME check left it). */
static void acme_state_detail(struct store_acme_job *j, const char *detail)
{
	json_t *o = j->state != NULL ? json_loads(j->state, 0, NULL) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_set_new(o, "detail", json_string(detail));
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		return;
	free(j->state);
	j->state = s;
}

/* An attempt that did not issue: the CA's refusal fails the certificate
 * (FailureReason from its problem); anything that may pass (the network, a
 * rate limit, the CA's own trouble, our DNS server) is tried again later,
 * after Retry-After when the CA gave one, else with backoff. A renewal keeps
 * trying either way (spec §6.7), its summary saying why. */
static int acme_not_issued(struct acme_run *r, struct store_acme_job *j, const struct cm_err *step,
			   const char *refused, struct cm_err *err)
{
	const struct acme_problem *p = r->cl != NULL ? acme_client_problem(r->cl) : NULL;
	const char *reason = refused;
	long after = -1;
	if (reason == NULL && step->code == CM_ERR_INVALID_STATE)
		reason = "OTHER";
	if (reason == NULL && step->code == CM_ERR_REQUEST_FAILED && p != NULL &&
	    p->type[0] != '\0' && !acme_problem_is_transient(p))
		reason = acme_problem_reason(p);
	if (reason == NULL && step->code == CM_ERR_REQUEST_FAILED && p != NULL)
		after = p->retry_after;
	if (refused == NULL)
		snprintf(r->detail, sizeof(r->detail), "%s",
			 step->code == CM_ERR_REQUEST_FAILED && p != NULL ? p->detail : step->msg);
	acme_state_detail(j, r->detail);
	j->attempts++;
	j->due_at = r->ctx->now +
		    (after >= 0 ? (after > ACME_RETRY_AFTER_MIN ? after : ACME_RETRY_AFTER_MIN)
				: acme_backoff(j->attempts));
	log_event(LOG_INFO,
		  reason != NULL ? "acme: the CA refused" : "acme: attempt failed, retrying",
		  "certificate", j->cert_id, "ca", j->ca_name, "reason",
		  reason != NULL ? reason : "-", "detail", r->detail, LOG_END);
	return acm_public_not_issued(r->ctx, j,
				     reason != NULL ? ACM_PUBLIC_FAILED : ACM_PUBLIC_RETRY, reason,
				     err) < 0
		   ? -1
		   : 0;
}

/* The order's steps up to a final status; -1 with *step on a failed step. */
static int acme_order_run(struct acme_run *r, struct store_acme_job *j,
			  const struct store_acm_cert *c, struct acme_order *o, struct cm_err *step)
{
	const char **names = calloc(r->n + 1, sizeof(*names));
	if (names == NULL)
		return cm_fail(step, CM_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < r->n; i++)
		names[i] = r->v[i].domain_name;
	int rc = acme_order_new(r->cl, names, r->n, o, step);
	free(names);
	if (rc < 0 || (o->status == ACME_STATUS_PENDING && acme_validate(r, o, step) < 0) ||
	    acme_wait(r, o, step) < 0)
		return -1;
	return o->status == ACME_STATUS_READY ? acme_finish(r, j, c, o, step) : 1;
}

int acme_issue(struct acme_worker *w, const struct acm_ctx *ctx, struct store_acme_job *j,
	       const struct store_acm_cert *c, const struct acm_validation *v, size_t n,
	       struct cm_err *err)
{
	struct acme_run r = {.w = w, .ctx = ctx, .v = v, .n = n};
	struct acme_order o = {0};
	struct cm_err step = {0};
	const char *refused = NULL;
	size_t idx = 0;
	int rc = -1;
	if (!acme_worker_ca_index(w, j->ca_name, &idx)) {
		snprintf(r.detail, sizeof(r.detail), "ACME CA %s is not configured any more",
			 j->ca_name);
		return acme_not_issued(&r, j, &step, "OTHER", err);
	}
	if ((r.txt = calloc(n + 1, sizeof(*r.txt))) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	r.cl = acme_worker_client(w, idx, &step);
	int run = -1;
	if (r.cl != NULL) {
		r.account_key = w->account_keys[idx];
		run = acme_order_run(&r, j, c, &o, &step);
	} else {
		r.cl = w->clients[idx]; /* its problem says why, when it got that far */
	}
	acme_unpublish(&r);
	if (run == 0) {
		rc = 0;
		if (acme_ari_follow(w, ctx, idx, j, &step) < 0)
			log_event(LOG_WARN, "acme: cannot schedule renewal information checks",
				  "certificate", j->cert_id, "error", step.msg, LOG_END);
	} else if (run == -2) {
		*err = step;
	} else {
		if (run == 1)
			acme_order_failure(&r, &o, &refused);
		rc = acme_not_issued(&r, j, &step, refused, err);
	}
	acme_order_clear(&o);
	free(r.txt);
	return rc;
}
