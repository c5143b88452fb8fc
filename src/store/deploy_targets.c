/* Deployment targets and their association with a certificate (issue 6).
 * One certificate per target: the association's primary key is the target.
 * Removing a target removes its association and jobs (ON DELETE CASCADE);
 * its deployment records stay for audit. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* The associated certificate comes along by a join on the association's
 * primary key, so a Describe or a List page reads it at no extra cost. */
#define TARGET_SELECT                                                                              \
	"SELECT t.id, t.account_id, t.spec_json, t.created_at, t.updated_at, "                     \
	"COALESCE(a.cert_id, '') FROM deploy_targets t "                                           \
	"LEFT JOIN deploy_associations a ON a.target_id = t.id "

void store_deploy_target_clear(struct store_deploy_target *t)
{
	if (t == NULL)
		return;
	free(t->spec_json);
	memset(t, 0, sizeof(*t));
}

static void store_dt_read(sqlite3_stmt *stmt, struct store_deploy_target *t)
{
	memset(t, 0, sizeof(*t));
	store_col_copy(stmt, 0, t->id, sizeof(t->id));
	store_col_copy(stmt, 1, t->account_id, sizeof(t->account_id));
	t->spec_json = store_col_strdup(stmt, 2);
	t->created_at = sqlite3_column_int64(stmt, 3);
	t->updated_at = sqlite3_column_int64(stmt, 4);
	store_col_copy(stmt, 5, t->cert_id, sizeof(t->cert_id));
}

int store_deploy_target_add(struct store *st, const struct store_deploy_target *t,
			    struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO deploy_targets (id, account_id, spec_json, "
					   "created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, t->id);
	store_bind_text(stmt, 2, t->account_id);
	store_bind_text(stmt, 3, t->spec_json);
	sqlite3_bind_int64(stmt, 4, t->created_at);
	sqlite3_bind_int64(stmt, 5, t->updated_at);
	return store_exec_stmt(st, stmt, err);
}

int store_deploy_target_get(struct store *st, const char *account_id, const char *id,
			    struct store_deploy_target *out, struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt =
	    store_prepare(st, TARGET_SELECT "WHERE t.id = ? AND t.account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "Deployment target %.40s not found", id);
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	store_dt_read(stmt, out);
	store_release(st, stmt);
	if (out->spec_json == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return 0;
}

/* Runs a one-row UPDATE/DELETE; CM_ERR_NOT_FOUND when it touched nothing. */
static int store_dt_exec_one(struct store *st, sqlite3_stmt *stmt, const char *what, const char *id,
			     struct cm_err *err)
{
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_NOT_FOUND, "%s %.40s not found", what, id);
	return 0;
}

int store_deploy_target_update(struct store *st, const struct store_deploy_target *t,
			       struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "UPDATE deploy_targets SET spec_json = ?, updated_at = ? "
			  "WHERE id = ? AND account_id = ?",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, t->spec_json);
	sqlite3_bind_int64(stmt, 2, t->updated_at);
	store_bind_text(stmt, 3, t->id);
	store_bind_text(stmt, 4, t->account_id);
	return store_dt_exec_one(st, stmt, "Deployment target", t->id, err);
}

int store_deploy_target_delete(struct store *st, const char *account_id, const char *id,
			       struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "DELETE FROM deploy_targets WHERE id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	return store_dt_exec_one(st, stmt, "Deployment target", id, err);
}

int store_deploy_target_list(struct store *st, const char *account_id, int64_t after_created_at,
			     const char *after_id, int limit,
			     void (*fn)(void *ctx, const struct store_deploy_target *t), void *ctx,
			     struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   TARGET_SELECT "WHERE t.account_id = ? AND "
							 "(t.created_at, t.id) > (?, ?) "
							 "ORDER BY t.created_at, t.id LIMIT ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	sqlite3_bind_int64(stmt, 2, after_created_at);
	store_bind_text(stmt, 3, after_id != NULL ? after_id : "");
	sqlite3_bind_int(stmt, 4, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_deploy_target t;
		store_dt_read(stmt, &t);
		if (t.spec_json == NULL) {
			store_release(st, stmt);
			return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		}
		fn(ctx, &t);
		store_deploy_target_clear(&t);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}

int store_deploy_target_count(struct store *st, const char *account_id, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "SELECT COUNT(*) FROM deploy_targets WHERE account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return store_fail(st, stmt, err);
	int n = sqlite3_column_int(stmt, 0);
	store_release(st, stmt);
	return n;
}

int store_deploy_assoc_add(struct store *st, const char *account_id, const char *target_id,
			   const char *cert_id, int64_t now, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO deploy_associations (target_id, cert_id, "
					   "account_id, created_at) VALUES (?, ?, ?, ?)",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, target_id);
	store_bind_text(stmt, 2, cert_id);
	store_bind_text(stmt, 3, account_id);
	sqlite3_bind_int64(stmt, 4, now);
	return store_exec_stmt(st, stmt, err);
}

int store_deploy_assoc_remove(struct store *st, const char *account_id, const char *target_id,
			      struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "DELETE FROM deploy_associations WHERE target_id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, target_id);
	store_bind_text(stmt, 2, account_id);
	return store_dt_exec_one(st, stmt, "Association of target", target_id, err);
}
