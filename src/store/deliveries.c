/* Deliveries of the outbox: one row per (event, target), claimed by delivery
 * workers with a lease, updated after each attempt, moved to DEAD after the
 * last one and replayed from there on request. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define DELIVERY_COLUMNS                                                                           \
	"event_id, target_id, account_id, state, attempts, next_attempt_at, delivered_at, "        \
	"last_error"

static void store_delivery_read(sqlite3_stmt *stmt, struct store_delivery *d)
{
	memset(d, 0, sizeof(*d));
	store_col_copy(stmt, 0, d->event_id, sizeof(d->event_id));
	store_col_copy(stmt, 1, d->target_id, sizeof(d->target_id));
	store_col_copy(stmt, 2, d->account_id, sizeof(d->account_id));
	store_col_copy(stmt, 3, d->state, sizeof(d->state));
	d->attempts = sqlite3_column_int(stmt, 4);
	d->next_attempt_at = sqlite3_column_int64(stmt, 5);
	d->delivered_at = sqlite3_column_int64(stmt, 6);
	store_col_copy(stmt, 7, d->last_error, sizeof(d->last_error));
}

/* Steps stmt to the end, appending every row to *out; releases it. */
static int store_delivery_collect(struct store *st, sqlite3_stmt *stmt, struct store_delivery **out,
				  size_t *n, struct cm_err *err)
{
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct store_delivery *d = realloc(*out, ncap * sizeof(**out));
			if (d == NULL) {
				free(*out);
				*out = NULL;
				*n = 0;
				store_release(st, stmt);
				return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			}
			*out = d;
			cap = ncap;
		}
		store_delivery_read(stmt, &(*out)[(*n)++]);
	}
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return 0;
	}
	free(*out);
	*out = NULL;
	*n = 0;
	return store_fail(st, stmt, err);
}

/* Moves one due delivery's next_attempt_at to until. 1 when this caller won
 * it, 0 when another worker did first, -1 on error. The WHERE repeats the
 * due condition, so even without the write lock only one claim succeeds. */
static int store_delivery_lease(struct store *st, const struct store_delivery *d, int64_t now,
				int64_t until, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE event_deliveries SET next_attempt_at = ? "
					   "WHERE event_id = ? AND target_id = ? "
					   "AND state = 'PENDING' AND next_attempt_at <= ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, until);
	store_bind_text(stmt, 2, d->event_id);
	store_bind_text(stmt, 3, d->target_id);
	sqlite3_bind_int64(stmt, 4, now);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	return sqlite3_changes(store_db(st, err)) == 1 ? 1 : 0;
}

static int store_delivery_claim_tx(struct store *st, int64_t now, int64_t lease, int limit,
				   struct store_delivery **out, size_t *n, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT " DELIVERY_COLUMNS " FROM event_deliveries "
					   "WHERE state = 'PENDING' AND next_attempt_at <= ? "
					   "ORDER BY next_attempt_at, event_id, target_id LIMIT ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int(stmt, 2, limit);
	if (store_delivery_collect(st, stmt, out, n, err) < 0)
		return -1;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		int won = store_delivery_lease(st, &(*out)[i], now, now + lease, err);
		if (won < 0)
			return -1;
		if (won == 1) {
			(*out)[kept] = (*out)[i];
			(*out)[kept++].next_attempt_at = now + lease;
		}
	}
	*n = kept;
	return 0;
}

/* Whether any delivery is due: 1, 0, or -1. A plain read, no lock taken. */
static int store_delivery_any_due(struct store *st, int64_t now, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT 1 FROM event_deliveries "
					   "WHERE state = 'PENDING' AND next_attempt_at <= ? LIMIT 1",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return rc == SQLITE_ROW ? 1 : 0;
}

int store_delivery_claim(struct store *st, int64_t now, int64_t lease, int limit,
			 struct store_delivery **out, size_t *n, struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	/* Every committed event wakes the delivery worker, most often with
	 * nothing to deliver (no target): finding that out must not take the
	 * write lock, or each API write would queue behind it. */
	int due = store_delivery_any_due(st, now, err);
	if (due <= 0)
		return due;
	/* BEGIN IMMEDIATE: the select and the leases happen under the write
	 * lock, so two workers on one SQLite file never claim the same row. */
	if (store_begin(st, err) < 0)
		return -1;
	if (store_delivery_claim_tx(st, now, lease, limit, out, n, err) < 0 ||
	    store_commit(st, err) < 0) {
		store_rollback(st);
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_delivery_update(struct store *st, const struct store_delivery *d, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE event_deliveries SET state = ?, attempts = ?, "
					   "next_attempt_at = ?, delivered_at = ?, last_error = ? "
					   "WHERE event_id = ? AND target_id = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, d->state);
	sqlite3_bind_int(stmt, 2, d->attempts);
	sqlite3_bind_int64(stmt, 3, d->next_attempt_at);
	sqlite3_bind_int64(stmt, 4, d->delivered_at);
	store_bind_text(stmt, 5, d->last_error);
	store_bind_text(stmt, 6, d->event_id);
	store_bind_text(stmt, 7, d->target_id);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_NOT_FOUND, "delivery not found (target removed?)");
	return 0;
}

int store_delivery_list_event(struct store *st, const char *account_id, const char *event_id,
			      struct store_delivery **out, size_t *n, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "SELECT " DELIVERY_COLUMNS " FROM event_deliveries "
			  "WHERE event_id = ? AND account_id = ? ORDER BY target_id",
			  err);
	*out = NULL;
	*n = 0;
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, event_id);
	store_bind_text(stmt, 2, account_id);
	return store_delivery_collect(st, stmt, out, n, err);
}

int store_delivery_list_state(struct store *st, const char *account_id, const char *state,
			      const char *after_event_id, const char *after_target_id, int limit,
			      struct store_delivery **out, size_t *n, struct cm_err *err)
{
	/* Oldest event first on (account_id, state, event_created_at, event_id,
	 * target_id); the cursor's creation time is looked up by its event id
	 * (-1 when "" or gone: from the start). */
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "SELECT " DELIVERY_COLUMNS " FROM event_deliveries "
	    "WHERE account_id = ? AND state = ? AND (event_created_at, event_id, target_id) > "
	    "(COALESCE((SELECT created_at FROM events WHERE id = ?), -1), ?, ?) "
	    "ORDER BY event_created_at, event_id, target_id LIMIT ?",
	    err);
	*out = NULL;
	*n = 0;
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	store_bind_text(stmt, 2, state);
	store_bind_text(stmt, 3, after_event_id != NULL ? after_event_id : "");
	store_bind_text(stmt, 4, after_event_id != NULL ? after_event_id : "");
	store_bind_text(stmt, 5, after_target_id != NULL ? after_target_id : "");
	sqlite3_bind_int(stmt, 6, limit);
	return store_delivery_collect(st, stmt, out, n, err);
}

int store_delivery_replay(struct store *st, const char *account_id, const char *event_id,
			  const char *target_id, int64_t now, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE event_deliveries SET state = 'PENDING', "
					   "attempts = 0, next_attempt_at = ?, delivered_at = 0, "
					   "last_error = '' WHERE account_id = ? AND event_id = ? "
					   "AND target_id = ? AND state = 'DEAD'",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	store_bind_text(stmt, 2, account_id);
	store_bind_text(stmt, 3, event_id);
	store_bind_text(stmt, 4, target_id);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_NOT_FOUND,
			       "no dead-letter delivery of event %.40s to target %.40s", event_id,
			       target_id);
	return 0;
}
