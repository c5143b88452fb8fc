/* Accounts and their access keys. The secret is stored sealed by the
 * keystore: a copy of the database alone does not let anyone sign requests. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

int store_account_create(struct store *st, const char *account_id, int64_t now,
			 struct cm_err *err)
{
	sqlite3_stmt *stmt =
		store_prepare(st, "INSERT INTO accounts (id, created_at) VALUES (?, ?)", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, now);
	return store_exec_stmt(st, stmt, err);
}

bool store_account_exists(struct store *st, const char *account_id)
{
	struct cm_err err;
	sqlite3_stmt *stmt = store_prepare(st, "SELECT 1 FROM accounts WHERE id = ?", &err);
	if (stmt == NULL)
		return false;
	sqlite3_bind_text(stmt, 1, account_id, -1, SQLITE_TRANSIENT);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	store_release(st, stmt);
	return found;
}

void store_access_key_clear(struct store_access_key *k)
{
	if (k == NULL)
		return;
	free(k->secret_sealed);
	k->secret_sealed = NULL;
	k->secret_sealed_len = 0;
}

int store_access_key_create(struct store *st, const struct store_access_key *k,
			    struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO access_keys (access_key_id, account_id, "
					   "secret_sealed, created_at) VALUES (?, ?, ?, ?)",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, k->access_key_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, k->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(stmt, 3, k->secret_sealed, (int)k->secret_sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, k->created_at);
	return store_exec_stmt(st, stmt, err);
}

int store_access_key_get(struct store *st, const char *access_key_id, struct store_access_key *out,
			 struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT access_key_id, account_id, secret_sealed, "
					   "created_at FROM access_keys WHERE access_key_id = ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, access_key_id, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "unknown access key");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	memset(out, 0, sizeof(*out));
	store_col_copy(stmt, 0, out->access_key_id, sizeof(out->access_key_id));
	store_col_copy(stmt, 1, out->account_id, sizeof(out->account_id));
	out->secret_sealed = store_col_blobdup(stmt, 2, &out->secret_sealed_len);
	out->created_at = sqlite3_column_int64(stmt, 3);
	store_release(st, stmt);
	return 0;
}

int store_access_key_delete(struct store *st, const char *access_key_id, struct cm_err *err)
{
	sqlite3_stmt *stmt =
		store_prepare(st, "DELETE FROM access_keys WHERE access_key_id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, access_key_id, -1, SQLITE_TRANSIENT);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) == 0)
		return cm_fail(err, CM_ERR_NOT_FOUND, "no access key %s", access_key_id);
	return 0;
}

int store_access_key_list(struct store *st,
			  void (*fn)(void *ctx, const struct store_access_key *k), void *ctx,
			  struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT access_key_id, account_id, created_at "
					   "FROM access_keys ORDER BY created_at, access_key_id",
					   err);
	if (stmt == NULL)
		return -1;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_access_key k = {0};
		store_col_copy(stmt, 0, k.access_key_id, sizeof(k.access_key_id));
		store_col_copy(stmt, 1, k.account_id, sizeof(k.account_id));
		k.created_at = sqlite3_column_int64(stmt, 2);
		fn(ctx, &k);
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return 0;
}
