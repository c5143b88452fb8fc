/* Event targets: where an account's events are delivered (a webhook URL with
 * its sealed HMAC secret, or a command). Removing one removes its pending
 * deliveries too (ON DELETE CASCADE): nothing is left to send them to. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define TARGET_COLUMNS "id, account_id, kind, endpoint, secret_sealed, created_at"

void store_event_target_clear(struct store_event_target *t)
{
	if (t == NULL)
		return;
	free(t->endpoint);
	free(t->secret_sealed); /* sealed: no plaintext to wipe */
	memset(t, 0, sizeof(*t));
}

static void store_target_read(sqlite3_stmt *stmt, struct store_event_target *t)
{
	memset(t, 0, sizeof(*t));
	store_col_copy(stmt, 0, t->id, sizeof(t->id));
	store_col_copy(stmt, 1, t->account_id, sizeof(t->account_id));
	store_col_copy(stmt, 2, t->kind, sizeof(t->kind));
	t->endpoint = store_col_strdup(stmt, 3);
	t->secret_sealed = store_col_blobdup(stmt, 4, &t->secret_sealed_len);
	t->created_at = sqlite3_column_int64(stmt, 5);
}

int store_event_target_add(struct store *st, const struct store_event_target *t, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "INSERT INTO event_targets (" TARGET_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, t->id);
	store_bind_text(stmt, 2, t->account_id);
	store_bind_text(stmt, 3, t->kind);
	store_bind_text(stmt, 4, t->endpoint);
	/* A NULL pointer binds SQL NULL: commands have no secret. */
	sqlite3_bind_blob(stmt, 5, t->secret_sealed, (int)t->secret_sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 6, t->created_at);
	return store_exec_stmt(st, stmt, err);
}

int store_event_target_get(struct store *st, const char *account_id, const char *id,
			   struct store_event_target *out, struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT " TARGET_COLUMNS " FROM event_targets WHERE id = ? AND account_id = ?",
	    err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "event target %.40s not found", id);
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	store_target_read(stmt, out);
	store_release(st, stmt);
	return 0;
}

int store_event_target_delete(struct store *st, const char *account_id, const char *id,
			      struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "DELETE FROM event_targets WHERE id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_NOT_FOUND, "event target %.40s not found", id);
	return 0;
}

/* Appends the current row; false when out of memory. */
static bool store_target_append(sqlite3_stmt *stmt, struct store_event_target **out, size_t *n,
				size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct store_event_target *t = realloc(*out, ncap * sizeof(**out));
		if (t == NULL)
			return false;
		*out = t;
		*cap = ncap;
	}
	struct store_event_target *t = &(*out)[(*n)++];
	store_target_read(stmt, t);
	return t->endpoint != NULL;
}

int store_event_target_list(struct store *st, const char *account_id,
			    struct store_event_target **out, size_t *n, struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT " TARGET_COLUMNS " FROM event_targets "
					   "WHERE account_id = ? ORDER BY created_at, id",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	bool ok = true;
	while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ok = store_target_append(stmt, out, n, &cap);
	if (ok && rc == SQLITE_DONE) {
		store_release(st, stmt);
		return 0;
	}
	for (size_t i = 0; i < *n; i++)
		store_event_target_clear(&(*out)[i]);
	free(*out);
	*out = NULL;
	*n = 0;
	if (!ok) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return store_fail(st, stmt, err);
}
