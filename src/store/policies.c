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

int store_policy_grantees_set(struct store *st, const char *ca_id, const char (*grantees)[13],
			      size_t n, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "DELETE FROM ca_policy_grantees WHERE ca_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		/* A statement may name an account twice: the key keeps one. */
		stmt =
		    store_prepare(st,
				  "INSERT INTO ca_policy_grantees (grantee, ca_id) VALUES (?, ?) "
				  "ON CONFLICT DO NOTHING",
				  err);
		if (stmt == NULL)
			return -1;
		store_bind_text(stmt, 1, grantees[i]);
		store_bind_text(stmt, 2, ca_id);
		if (store_exec_stmt(st, stmt, err) < 0)
			return -1;
	}
	return 0;
}

int store_policy_unindexed(struct store *st, const char *after_ca_id, int limit,
			   void (*fn)(void *ctx, const char *ca_id, const char *policy), void *ctx,
			   struct cm_err *err)
{
	/* At start only: one pass over the policies (one row per shared CA). */
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "SELECT ca_id, policy FROM ca_policies WHERE ca_id > ? AND NOT EXISTS "
			  "(SELECT 1 FROM ca_policy_grantees g WHERE g.ca_id = ca_policies.ca_id) "
			  "ORDER BY ca_id LIMIT ?",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, after_ca_id);
	sqlite3_bind_int(stmt, 2, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		const char *policy = (const char *)sqlite3_column_text(stmt, 1);
		if (id != NULL && policy != NULL)
			fn(ctx, id, policy);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}
