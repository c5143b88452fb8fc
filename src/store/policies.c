/* A CA's resource policy: the exact text PutPolicy received (GetPolicy gives
 * it back byte for byte); pca/ parses and evaluates it. */
#include "store/internal.h"

int store_policy_get(struct store *st, const char *ca_id, char **policy, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "SELECT policy FROM ca_policies WHERE ca_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "no policy");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	*policy = store_col_strdup(stmt, 0);
	store_release(st, stmt);
	if (*policy == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return 0;
}

int store_policy_put(struct store *st, const char *ca_id, const char *policy, int64_t now,
		     struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO ca_policies (ca_id, policy, updated_at) "
			  "VALUES (?, ?, ?) ON CONFLICT (ca_id) DO UPDATE SET "
			  "policy = excluded.policy, updated_at = excluded.updated_at",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	store_bind_text(stmt, 2, policy);
	sqlite3_bind_int64(stmt, 3, now);
	return store_exec_stmt(st, stmt, err);
}

int store_policy_delete(struct store *st, const char *ca_id, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st, "DELETE FROM ca_policies WHERE ca_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	return store_exec_stmt(st, stmt, err);
}
