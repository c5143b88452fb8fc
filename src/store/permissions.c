/* Permissions a CA grants a service principal (CreatePermission), keyed by
 * (ca, principal, source account): the key is what makes a duplicate a
 * PermissionAlreadyExistsException. */
#include <stdio.h>
#include <string.h>

#include "store/internal.h"

int store_permission_insert(struct store *st, const struct store_permission *p, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO ca_permissions (ca_id, principal, "
			  "source_account, actions, created_at) VALUES (?, ?, ?, ?, ?)",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, p->ca_id);
	store_bind_text(stmt, 2, p->principal);
	store_bind_text(stmt, 3, p->source_account);
	store_bind_text(stmt, 4, p->actions);
	sqlite3_bind_int64(stmt, 5, p->created_at);
	return store_exec_stmt(st, stmt, err);
}

int store_permission_delete(struct store *st, const char *ca_id, const char *principal,
			    const char *source_account, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "DELETE FROM ca_permissions WHERE ca_id = ? AND "
					   "principal = ? AND source_account = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	store_bind_text(stmt, 2, principal);
	store_bind_text(stmt, 3, source_account);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_NOT_FOUND, "permission not found");
	return 0;
}

int store_permission_get(struct store *st, const char *ca_id, const char *principal,
			 const char *source_account, struct store_permission *out,
			 struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT actions, created_at FROM ca_permissions WHERE "
					   "ca_id = ? AND principal = ? AND source_account = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	store_bind_text(stmt, 2, principal);
	store_bind_text(stmt, 3, source_account);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "permission not found");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	snprintf(out->ca_id, sizeof(out->ca_id), "%s", ca_id);
	snprintf(out->principal, sizeof(out->principal), "%s", principal);
	snprintf(out->source_account, sizeof(out->source_account), "%s", source_account);
	store_col_copy(stmt, 0, out->actions, sizeof(out->actions));
	out->created_at = sqlite3_column_int64(stmt, 1);
	store_release(st, stmt);
	return 0;
}

int store_permission_list(struct store *st, const char *ca_id, const char *after_principal,
			  const char *after_source, int limit,
			  void (*fn)(void *ctx, const struct store_permission *p), void *ctx,
			  struct cm_err *err)
{
	/* Row values keep the keyset comparison on the primary key index; ("", "")
	 * sorts before every stored key (principals are never empty). */
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "SELECT ca_id, principal, source_account, actions, created_at FROM "
			  "ca_permissions WHERE ca_id = ? AND (principal, source_account) > (?, ?) "
			  "ORDER BY principal, source_account LIMIT ?",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	store_bind_text(stmt, 2, after_principal != NULL ? after_principal : "");
	store_bind_text(stmt, 3, after_principal != NULL ? after_source : "");
	sqlite3_bind_int(stmt, 4, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_permission p;
		memset(&p, 0, sizeof(p));
		store_col_copy(stmt, 0, p.ca_id, sizeof(p.ca_id));
		store_col_copy(stmt, 1, p.principal, sizeof(p.principal));
		store_col_copy(stmt, 2, p.source_account, sizeof(p.source_account));
		store_col_copy(stmt, 3, p.actions, sizeof(p.actions));
		p.created_at = sqlite3_column_int64(stmt, 4);
		fn(ctx, &p);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}
