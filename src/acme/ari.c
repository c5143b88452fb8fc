/* ACME Renewal Information (RFC 9773) for issued public certificates. When
 * the CA's directory has renewalInfo, the certificate's job does not go idle
 * after issuance: it becomes an ARI check, due again when the CA's
 * Retry-After (bounded) or the chosen renewal time comes, whichever is first.
 * Once that time has come the renewal starts through acm_renew_now, as the
 * scheduler's lifetime-based window would start it; whichever comes first
 * wins. This is how a CA that must revoke early (a mis-issuance, a key
 * compromise) gets its certificates replaced in time. */
#include <jansson.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "acme/acme.h"
#include "acme/worker_internal.h"
#include "util/log.h"
#include "x509/ari.h"

#define ACME_ARI_RECHECK_MIN	 10 /* a CA asking for less is not obeyed */
#define ACME_ARI_RECHECK_MAX	 86400
#define ACME_ARI_RECHECK_DEFAULT (6 * 3600) /* without a Retry-After, or after a failure */

/* A uniformly random moment of [start, end] (RFC 9773 §4.2: spreads the
 * renewals a mass revocation causes), never before now. */
static int64_t acme_ari_pick(int64_t start, int64_t end, int64_t now)
{
	uint32_t r = 0;
	int64_t at = start;
	if (end > start && RAND_bytes((unsigned char *)&r, sizeof(r)) == 1)
		at = start + (int64_t)(((double)r / 4294967296.0) * (double)(end - start));
	return at > now ? at : now;
}

/* The renewal time of this window: the one picked before when the window is
 * the same (a re-check must not move it), else a new pick. */
static int64_t acme_ari_renew_at(const struct store_acme_job *j, int64_t start, int64_t end,
				 int64_t now)
{
	json_t *st = j->state != NULL ? json_loads(j->state, 0, NULL) : NULL;
	int64_t at = 0;
	if (json_integer_value(json_object_get(st, "start")) == start &&
	    json_integer_value(json_object_get(st, "end")) == end)
		at = json_integer_value(json_object_get(st, "renew_at"));
	json_decref(st);
	return at > 0 ? at : acme_ari_pick(start, end, now);
}

static char *acme_ari_state(int64_t start, int64_t end, int64_t renew_at)
{
	json_t *o = json_pack("{s:I, s:I, s:I}", "start", (json_int_t)start, "end", (json_int_t)end,
			      "renew_at", (json_int_t)renew_at);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return s;
}

static int64_t acme_ari_recheck(long retry_after)
{
	if (retry_after < 0)
		return ACME_ARI_RECHECK_DEFAULT;
	if (retry_after < ACME_ARI_RECHECK_MIN)
		return ACME_ARI_RECHECK_MIN;
	return retry_after > ACME_ARI_RECHECK_MAX ? ACME_ARI_RECHECK_MAX : retry_after;
}

/* Asks the CA about c. 1 with the window in *ri, 0 when the CA has no
 * renewalInfo, -1 when asking failed (asked again later). */
static int acme_ari_ask(struct acme_client *cl, const struct store_acm_cert *c,
			struct acme_renewal_info *ri, struct cm_err *err)
{
	const struct acme_directory *d = acme_client_directory(cl, err);
	if (d == NULL)
		return -1;
	if (d->renewal_info == NULL)
		return 0;
	char *id = x509_ari_cert_id(c->cert_der, c->cert_der_len, err);
	int rc = id != NULL && acme_renewal_info_fetch(cl, id, ri, err) == 0 ? 1 : -1;
	free(id);
	return rc;
}

/* Starts the renewal when its time has come and the certificate is
 * eligible (spec §6.7); otherwise the job waits for the next check. */
static int acme_ari_due(const struct acm_ctx *ctx, struct store_acme_job *j,
			struct store_acm_cert *c, struct cm_err *err)
{
	const char *reason = NULL;
	if (!acm_renewal_eligible(c, "ISSUED", c->in_use)) {
		j->due_at = ctx->now + ACME_ARI_RECHECK_DEFAULT;
		return 0;
	}
	log_event(LOG_INFO, "acme: renewal information says renew now", "certificate", c->id,
		  "serial", c->serial, LOG_END);
	int rc = acm_renew_now(ctx, c, &reason, err);
	return rc < 0 ? -1 : 1; /* the job is now the renewal's (or failed with a reason) */
}

int acme_ari_check(struct acme_worker *w, const struct acm_ctx *ctx, struct store_acme_job *j,
		   struct store_acm_cert *c, struct cm_err *err)
{
	struct acme_renewal_info ri = {0};
	struct cm_err ask_err = {0};
	size_t idx = 0;
	int asked = -1;
	int64_t claimed_due = j->due_at; /* the row's due_at, as the worker claimed it */
	if (acme_worker_ca_index(w, j->ca_name, &idx)) {
		struct acme_client *cl = acme_worker_client(w, idx, &ask_err);
		asked = cl != NULL ? acme_ari_ask(cl, c, &ri, &ask_err) : -1;
	}
	if (asked == 0 || !acme_worker_ca_index(w, j->ca_name, &idx)) {
		acme_renewal_info_clear(&ri);
		return acm_public_job_retire(ctx, j, err); /* the scheduler's window it is */
	}
	int rc = 0;
	if (asked < 0) {
		log_event(LOG_INFO, "acme: renewal information unavailable", "certificate", c->id,
			  "error", ask_err.msg, LOG_END);
		j->due_at = ctx->now + ACME_ARI_RECHECK_DEFAULT;
	} else {
		int64_t at = acme_ari_renew_at(j, ri.start, ri.end, ctx->now);
		int64_t next = ctx->now + acme_ari_recheck(ri.retry_after);
		j->due_at = at < next ? at : next;
		free(j->state);
		j->state = acme_ari_state(ri.start, ri.end, at);
		if (at <= ctx->now)
			rc = acme_ari_due(ctx, j, c, err);
	}
	acme_renewal_info_clear(&ri);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* Only while the row is still the job claimed: asking the CA takes a
	 * round trip, and RenewCertificate or the scheduler may have put a
	 * RENEWAL job in its place meanwhile, which this check's schedule must
	 * not overwrite (the renewal would wait for its claim's lease to end). */
	if (store_acme_job_update(ctx->store, j, claimed_due, err) == 0)
		return 0;
	if (err->code != CM_ERR_CONFLICT)
		return -1;
	log_event(LOG_INFO, "acme: renewal information check left to the newer job", "certificate",
		  j->cert_id, LOG_END);
	return 0;
}

int acme_ari_follow(struct acme_worker *w, const struct acm_ctx *ctx, size_t idx,
		    const struct store_acme_job *j, struct cm_err *err)
{
	struct cm_err dir_err = {0};
	const struct acme_directory *d =
	    w->clients[idx] != NULL ? acme_client_directory(w->clients[idx], &dir_err) : NULL;
	if (d == NULL || d->renewal_info == NULL)
		return 0; /* idle, as acm_public_issued left it */
	struct store_acme_job ari = *j;
	snprintf(ari.reason, sizeof(ari.reason), "%s", ACM_ACME_ARI);
	ari.attempts = 0;
	ari.due_at = ctx->now; /* the first check schedules the rest */
	ari.state = NULL;
	return store_acme_job_put(ctx->store, &ari, true, err);
}
