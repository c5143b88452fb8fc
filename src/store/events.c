/* The outbox: events in the EventBridge shape, each written with one PENDING
 * delivery per target of its account, in the transaction of the change that
 * caused it, so a committed change always has its event and a rolled-back
 * one never does. Delivery rows live in deliveries.c. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define EVENT_COLUMNS "id, account_id, detail_type, resource, body, created_at"

void store_event_clear(struct store_event *e)
{
	if (e == NULL)
		return;
	free(e->body);
	memset(e, 0, sizeof(*e));
}

static int store_event_insert(struct store *st, const struct store_event *e, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "INSERT INTO events (" EVENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, e->id);
	store_bind_text(stmt, 2, e->account_id);
	store_bind_text(stmt, 3, e->detail_type);
	store_bind_text(stmt, 4, e->resource);
	store_bind_text(stmt, 5, e->body);
	sqlite3_bind_int64(stmt, 6, e->created_at);
	return store_exec_stmt(st, stmt, err);
}

/* One PENDING delivery, due at once, for every target the account has now. */
static int store_event_fan_out(struct store *st, const struct store_event *e, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO event_deliveries (event_id, target_id, "
			  "account_id, event_created_at, state, attempts, "
			  "next_attempt_at) SELECT ?, id, account_id, ?, "
			  "'PENDING', 0, ? FROM event_targets WHERE account_id = ?",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, e->id);
	sqlite3_bind_int64(stmt, 2, e->created_at);
	sqlite3_bind_int64(stmt, 3, e->created_at);
	store_bind_text(stmt, 4, e->account_id);
	return store_exec_stmt(st, stmt, err);
}

int store_event_add(struct store *st, const struct store_event *e, struct cm_err *err)
{
	/* Meant for the caller's transaction; alone, it still commits as one. */
	bool own = !store_in_transaction(st);
	if (own && store_begin(st, err) < 0)
		return -1;
	if (store_event_insert(st, e, err) < 0 || store_event_fan_out(st, e, err) < 0) {
		if (own)
			store_rollback(st);
		return -1;
	}
	return own ? store_commit(st, err) : 0;
}

static void store_event_read(sqlite3_stmt *stmt, struct store_event *e)
{
	memset(e, 0, sizeof(*e));
	store_col_copy(stmt, 0, e->id, sizeof(e->id));
	store_col_copy(stmt, 1, e->account_id, sizeof(e->account_id));
	store_col_copy(stmt, 2, e->detail_type, sizeof(e->detail_type));
	store_col_copy(stmt, 3, e->resource, sizeof(e->resource));
	e->body = store_col_strdup(stmt, 4);
	e->created_at = sqlite3_column_int64(stmt, 5);
}

int store_event_get(struct store *st, const char *account_id, const char *id,
		    struct store_event *out, struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT " EVENT_COLUMNS " FROM events WHERE id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "event %.40s not found", id);
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	store_event_read(stmt, out);
	store_release(st, stmt);
	if (out->body == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return 0;
}

int store_event_list(struct store *st, const char *account_id, int64_t since,
		     int64_t after_created_at, const char *after_id, int limit,
		     void (*fn)(void *ctx, const struct store_event *e), void *ctx,
		     struct cm_err *err)
{
	/* Keyset pagination on the (account_id, created_at, id) index. */
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT " EVENT_COLUMNS " FROM events "
					   "WHERE account_id = ? AND created_at >= ? "
					   "AND (created_at, id) > (?, ?) "
					   "ORDER BY created_at, id LIMIT ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	sqlite3_bind_int64(stmt, 2, since);
	sqlite3_bind_int64(stmt, 3, after_created_at);
	store_bind_text(stmt, 4, after_id != NULL ? after_id : "");
	sqlite3_bind_int(stmt, 5, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_event e;
		store_event_read(stmt, &e);
		if (e.body == NULL) {
			store_release(st, stmt);
			return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		}
		fn(ctx, &e);
		store_event_clear(&e);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}
