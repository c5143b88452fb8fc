/* The expiry scan (spec acm.md §6.7, §6.8). Work comes from the due list:
 * every ISSUED certificate carries scan_due_at, the earliest moment something
 * can happen to it (a warning, its expiry, its renewal window), and a pass
 * reads only the rows whose moment has come, through the index
 * (status, scan_due_at, id). Each row is then handled and given its next
 * moment together with the events it caused, as one step (a savepoint) of
 * the pass's write transaction, which commits every SCAN_TX_STEPS rows: the
 * pass at UTC midnight has every certificate in its last 60 days due (about
 * 75,000 of a million), and a sync per row cost tens of seconds there.
 *
 * Two schedulers on one store never act on one certificate twice: every
 * change is written with store_acm_cert_update, which succeeds only if the
 * row is still at the revision this pass read; the loser gets
 * CM_ERR_CONFLICT, undoes its step (its events with it) and leaves the row
 * to the winner. A renewal, which signs before it writes, first claims the row the
 * same way (acm_renew_now: PENDING_AUTO_RENEWAL plus a lease in scan_due_at),
 * so nothing is signed twice either; a renewer that dies leaves the row due
 * again when the lease ends. */
#include "lifecycle/scan.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/acm.h"
#include "lifecycle/events.h"
#include "store/store.h"
#include "util/log.h"

#define DAY	      86400
#define SCAN_BATCH    256
#define SCAN_TX_STEPS 256

/* The pass's open write transaction. Rows handled without signing share it,
 * one savepoint (store step) each, so one row's conflict or failure undoes
 * that row alone. A renewal commits it first: it signs, and nothing signed
 * may wait on other rows' writes, so it writes on its own. */
struct scan_tx {
	struct store *st;
	bool open;
	int steps; /* kept since the transaction began */
};

static int scan_tx_step(struct scan_tx *tx, struct cm_err *err)
{
	if (!tx->open) {
		if (store_begin(tx->st, err) < 0)
			return -1;
		tx->open = true;
		tx->steps = 0;
	}
	return store_step_begin(tx->st, err);
}

/* Commits what the open transaction holds (and wakes delivery for its events). */
static int scan_tx_commit(struct scan_tx *tx, struct cm_err *err)
{
	if (!tx->open)
		return 0;
	tx->open = false;
	if (lifecycle_events_commit(tx->st, err) == 0)
		return 0;
	store_rollback(tx->st);
	return -1;
}

/* Ends the step: kept when ok, else undone alone (err already says why); the
 * transaction commits once SCAN_TX_STEPS are kept. */
static int scan_tx_end(struct scan_tx *tx, bool ok, struct cm_err *err)
{
	if (!ok || store_step_keep(tx->st, err) < 0) {
		store_step_undo(tx->st);
		return -1;
	}
	return ++tx->steps >= SCAN_TX_STEPS ? scan_tx_commit(tx, err) : 0;
}

/* Renewal Action Required marks, ascending (spec §6.7). */
static const int scan_marks_private[] = {1, 3, 15, 30, 45, 0};
static const int scan_marks_public[] = {1, 3, 7, 15, 30, 0};

int lifecycle_action_mark(int64_t days_left, int last, bool public_cert)
{
	const int *marks = public_cert ? scan_marks_public : scan_marks_private;
	for (size_t i = 0; marks[i] != 0; i++) {
		if (days_left > marks[i])
			continue;
		/* The nearest mark already passed; once per mark. */
		return last == 0 || last > marks[i] ? marks[i] : 0;
	}
	return 0;
}

static struct acm_ctx scan_ctx(const struct lifecycle_cfg *cfg, const char *account, int64_t now)
{
	return (struct acm_ctx){.store = cfg->store,
				.keys = cfg->keys,
				.account = account,
				.region = cfg->region,
				.partition = cfg->partition,
				.now = now,
				.ca_certs = cfg->ca_certs,
				.validation_zone = cfg->validation_zone,
				.public_cfg = cfg->public_cfg};
}

static int64_t scan_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* When managed renewal may start (spec §6.7): PRIVATE 60 days before
 * NotAfter; public a third of the lifetime before, at most
 * ACM_PUBLIC_RENEWAL_MAX_DAYS (issue 8: short-lived public certificates
 * must not renew every day); INT64_MAX for what ACM never renews. */
static int64_t scan_renewal_start(const struct store_acm_cert *c)
{
	if (strcmp(c->type, "PRIVATE") == 0)
		return c->not_after - (int64_t)ACM_PRIVATE_RENEWAL_DAYS * DAY;
	if (strcmp(c->type, "AMAZON_ISSUED") != 0)
		return INT64_MAX;
	int64_t window = (c->not_after - c->not_before) / 3;
	if (window > (int64_t)ACM_PUBLIC_RENEWAL_MAX_DAYS * DAY)
		window = (int64_t)ACM_PUBLIC_RENEWAL_MAX_DAYS * DAY;
	return c->not_after - window;
}

/* The next moment anything can happen to a live certificate: its expiry,
 * the start of its warning window or else tomorrow's warning, the start of
 * its renewal window or else tomorrow's look at its eligibility, and after a
 * failed renewal the next pass. Always later than now. */
static int64_t scan_next_due(const struct store_acm_cert *c, int days, int64_t now, bool failed)
{
	int64_t tomorrow = (now / DAY + 1) * DAY;
	int64_t warn = c->not_after - (int64_t)days * DAY;
	int64_t due = scan_min(c->not_after, warn > now ? warn : tomorrow);
	int64_t renew = scan_renewal_start(c);
	if (renew != INT64_MAX)
		due = scan_min(due, renew > now ? renew : tomorrow);
	return failed ? scan_min(due, now + 1) : due;
}

/* Managed renewal applies (spec §6.7): a PRIVATE or public certificate,
 * eligible, in its window or with a renewal already started
 * (RenewCertificate, or an earlier failed attempt: retried until success,
 * expiry or lost eligibility). */
static bool scan_renewal_due(const struct store_acm_cert *c, int64_t now)
{
	if (scan_renewal_start(c) == INT64_MAX || !acm_renewal_eligible(c, "ISSUED", c->in_use))
		return false;
	return scan_renewal_start(c) <= now ||
	       strcmp(c->renewal_status, "PENDING_AUTO_RENEWAL") == 0;
}

/* The RenewalStatusReason of the stored summary (NULL when none), copied. */
static void scan_renewal_reason(const struct store_acm_cert *c, char *buf, size_t size)
{
	json_t *o = c->renewal_json != NULL ? json_loads(c->renewal_json, 0, NULL) : NULL;
	const char *r = json_string_value(json_object_get(o, "RenewalStatusReason"));
	snprintf(buf, size, "%s", r != NULL ? r : "");
	json_decref(o);
}

/* At expiry: EXPIRED stored, a renewal still pending becomes FAILED, and the
 * Expired event for what ACM issued (not for IMPORTED, spec §6.8). */
static int scan_expire(const struct acm_ctx *ctx, struct scan_tx *tx, struct store_acm_cert *c,
		       struct lifecycle_scan_stats *stats, struct cm_err *err)
{
	char reason[48];
	snprintf(c->status, sizeof(c->status), "EXPIRED");
	if (strcmp(c->renewal_status, "PENDING_AUTO_RENEWAL") == 0) {
		scan_renewal_reason(c, reason, sizeof(reason));
		if (acm_set_renewal(c, "FAILED", reason[0] != '\0' ? reason : NULL, ctx->now, err) <
		    0)
			return -1;
	}
	if (scan_tx_step(tx, err) < 0)
		return -1;
	bool ok = store_acm_cert_update(ctx->store, c, err) == 0 &&
		  (strcmp(c->type, "IMPORTED") == 0 ||
		   lifecycle_event_emit(LIFECYCLE_EVENT_EXPIRED, ctx, c, NULL, err) == 0);
	if (scan_tx_end(tx, ok, err) < 0)
		return -1;
	stats->expired++;
	log_event(LOG_INFO, "acm certificate expired", "certificate", c->id, LOG_END);
	return 0;
}

/* The events of a live certificate and its next moment, in one step:
 * Renewal Action Required after a failed renewal (at its marks), and the
 * day's Approaching Expiration inside the account's window. */
static int scan_live_tx(const struct acm_ctx *ctx, struct scan_tx *tx, struct store_acm_cert *c,
			int days, bool renewal_tried, const char *failed_reason,
			struct lifecycle_scan_stats *stats, struct cm_err *err)
{
	int64_t left = lifecycle_days_to_expiry(c, ctx->now), today = ctx->now / DAY;
	int mark = failed_reason != NULL
		       ? lifecycle_action_mark(left, c->action_required_days,
					       strcmp(c->type, "AMAZON_ISSUED") == 0)
		       : 0;
	bool warn = c->not_after - (int64_t)days * DAY <= ctx->now && c->expiry_warned_day < today;
	if (mark > 0)
		c->action_required_days = mark;
	if (warn)
		c->expiry_warned_day = today;
	c->scan_due_at = scan_next_due(c, days, ctx->now, failed_reason != NULL);
	if (scan_tx_step(tx, err) < 0)
		return -1;
	/* A renewal attempt changed more of the record than the scan's columns. */
	int stored = renewal_tried ? store_acm_cert_update(ctx->store, c, err)
				   : store_acm_cert_update_scan(ctx->store, c, err);
	bool ok = stored == 0 &&
		  (mark == 0 || lifecycle_event_emit(LIFECYCLE_EVENT_RENEWAL_ACTION_REQUIRED, ctx,
						     c, failed_reason, err) == 0) &&
		  (!warn || lifecycle_event_emit(LIFECYCLE_EVENT_APPROACHING_EXPIRATION, ctx, c,
						 NULL, err) == 0);
	if (scan_tx_end(tx, ok, err) < 0)
		return -1;
	stats->warned += warn ? 1 : 0;
	stats->action_required += mark > 0 ? 1 : 0;
	return 0;
}

/* A renewal needs the certificate's material, which the scan does not read
 * (store_acm_cert_get_summary): read again, whole. A change meanwhile reads
 * as a conflict, as the update would have. */
static int scan_read_material(const struct acm_ctx *ctx, struct store_acm_cert *c,
			      struct cm_err *err)
{
	struct store_acm_cert whole;
	if (store_acm_cert_get(ctx->store, c->account_id, c->id, &whole, err) < 0)
		return -1;
	if (whole.revision != c->revision) {
		store_acm_cert_clear(&whole);
		return cm_fail(err, CM_ERR_CONFLICT, "certificate changed during the scan");
	}
	store_acm_cert_clear(c);
	*c = whole;
	return 0;
}

static int scan_live(const struct acm_ctx *ctx, struct scan_tx *tx, struct store_acm_cert *c,
		     int days, struct lifecycle_scan_stats *stats, struct cm_err *err)
{
	const char *reason = NULL;
	char last[48];
	bool tried = scan_renewal_due(c, ctx->now);
	if (tried) {
		if (scan_tx_commit(tx, err) < 0 || scan_read_material(ctx, c, err) < 0)
			return -1;
		int rc = acm_renew_now(ctx, c, &reason, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			stats->renewed++;
			return 0;
		}
		if (rc == 2) {
			/* A public renewal runs in the ACME worker; an attempt that
			 * failed there left its reason for the Action Required marks. */
			stats->renewal_started++;
			scan_renewal_reason(c, last, sizeof(last));
			reason = last[0] != '\0' ? last : NULL;
		} else {
			stats->renewal_failed++;
		}
	}
	return scan_live_tx(ctx, tx, c, days, tried, reason, stats, err);
}

/* One due certificate, re-read: it may have changed since the list. Without
 * its material: the expiry and the day's events do not need it, and the
 * update of a record read so leaves it as stored. */
static int scan_one(const struct lifecycle_cfg *cfg, int64_t now, const struct store_acm_due *d,
		    struct scan_tx *tx, struct lifecycle_scan_stats *stats, struct cm_err *err)
{
	struct acm_ctx ctx = scan_ctx(cfg, d->account_id, now);
	struct store_acm_cert c;
	int days = ACM_DEFAULT_DAYS_BEFORE_EXPIRY, rc = 0;
	if (store_acm_cert_get_summary(cfg->store, d->account_id, d->id, &c, err) < 0)
		return err->code == CM_ERR_NOT_FOUND ? 0 : -1; /* deleted meanwhile */
	stats->examined++;
	if (strcmp(c.status, "ISSUED") != 0 || c.scan_due_at > now)
		goto out;
	if (acm_days_before_expiry(&ctx, &days, err) < 0)
		rc = -1;
	else if (c.not_after <= now)
		rc = scan_expire(&ctx, tx, &c, stats, err);
	else
		rc = scan_live(&ctx, tx, &c, days, stats, err);
out:
	store_acm_cert_clear(&c);
	return rc;
}

int lifecycle_scan(const struct lifecycle_cfg *cfg, int64_t now, struct lifecycle_scan_stats *stats,
		   struct cm_err *err)
{
	int64_t after_due = INT64_MIN;
	char after_id[40] = "";
	struct scan_tx tx = {.st = cfg->store};
	memset(stats, 0, sizeof(*stats));
	for (;;) {
		struct store_acm_due *due = NULL;
		size_t n = 0;
		if (store_acm_due_list(cfg->store, now, after_due, after_id, SCAN_BATCH, &due, &n,
				       err) < 0) {
			store_rollback(cfg->store);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			struct cm_err one = {0};
			if (scan_one(cfg, now, &due[i], &tx, stats, &one) == 0)
				continue;
			/* Another scheduler or a request changed it first. */
			if (one.code == CM_ERR_CONFLICT || one.code == CM_ERR_NOT_FOUND)
				stats->skipped++;
			else
				log_event(LOG_WARN,
					  "lifecycle scan: certificate left for next pass",
					  "certificate", due[i].id, "error", one.msg, LOG_END);
		}
		if (n > 0) {
			after_due = due[n - 1].scan_due_at;
			snprintf(after_id, sizeof(after_id), "%s", due[n - 1].id);
		}
		free(due);
		if (n < SCAN_BATCH)
			return scan_tx_commit(&tx, err);
	}
}
