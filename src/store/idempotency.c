/* Idempotency tokens: (account, scope, token) → the result of the first
 * request, valid for a window the caller enforces through not_before. */
#include "store/internal.h"

int store_idempotency_get(struct store *st, const char *account_id, const char *scope,
			  const char *token, int64_t not_before, char *result, size_t size,
			  struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT result FROM idempotency WHERE account_id = ? "
					   "AND scope = ? AND token = ? AND created_at >= ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, scope, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, not_before);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_col_copy(stmt, 0, result, size);
		store_release(st, stmt);
		return 1;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return 0;
}

int store_idempotency_put(struct store *st, const char *account_id, const char *scope,
			  const char *token, const char *result, int64_t now, struct cm_err *err)
{
	/* ON CONFLICT ... DO UPDATE: portable upsert (SQLite ≥ 3.24, PostgreSQL). */
	sqlite3_stmt *stmt = store_prepare(
		st,
		"INSERT INTO idempotency (account_id, scope, token, result, created_at) "
		"VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, scope, token) DO UPDATE "
		"SET result = excluded.result, created_at = excluded.created_at",
		err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, scope, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 4, result, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 5, now);
	return store_exec_stmt(st, stmt, err);
}

int store_idempotency_claim(struct store *st, const struct store_idempotency *idem,
			    struct cm_err *err)
{
	int found = store_idempotency_get(st, idem->account_id, idem->scope, idem->token,
					  idem->not_before, idem->winner, idem->winner_size, err);
	if (found != 0)
		return found;
	return store_idempotency_put(st, idem->account_id, idem->scope, idem->token, idem->result,
				     idem->created_at, err);
}
