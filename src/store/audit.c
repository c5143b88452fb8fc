/* Audit report records, and the stream of a CA's issued certificates a
 * report lists: one statement over the (ca_id, serial) key, one row at a
 * time, so a CA with a million certificates costs one row of memory. */
#include <string.h>

#include "store/internal.h"

int store_audit_insert(struct store *st, const struct store_audit_report *r, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO audit_reports (id, ca_id, account_id, bucket, "
			  "s3_key, format, status, created_at) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, r->id);
	store_bind_text(stmt, 2, r->ca_id);
	store_bind_text(stmt, 3, r->account_id);
	store_bind_text(stmt, 4, r->bucket);
	store_bind_text(stmt, 5, r->s3_key);
	store_bind_text(stmt, 6, r->format);
	store_bind_text(stmt, 7, r->status);
	sqlite3_bind_int64(stmt, 8, r->created_at);
	return store_exec_stmt(st, stmt, err);
}

int store_audit_set_status(struct store *st, const char *id, const char *status, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "UPDATE audit_reports SET status = ? WHERE id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, status);
	store_bind_text(stmt, 2, id);
	return store_exec_stmt(st, stmt, err);
}

int store_audit_get(struct store *st, const char *ca_id, const char *id,
		    struct store_audit_report *out, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT id, ca_id, account_id, bucket, s3_key, format, "
					   "status, created_at FROM audit_reports "
					   "WHERE id = ? AND ca_id = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, ca_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "audit report not found");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	memset(out, 0, sizeof(*out));
	store_col_copy(stmt, 0, out->id, sizeof(out->id));
	store_col_copy(stmt, 1, out->ca_id, sizeof(out->ca_id));
	store_col_copy(stmt, 2, out->account_id, sizeof(out->account_id));
	store_col_copy(stmt, 3, out->bucket, sizeof(out->bucket));
	store_col_copy(stmt, 4, out->s3_key, sizeof(out->s3_key));
	store_col_copy(stmt, 5, out->format, sizeof(out->format));
	store_col_copy(stmt, 6, out->status, sizeof(out->status));
	out->created_at = sqlite3_column_int64(stmt, 7);
	store_release(st, stmt);
	return 0;
}

int store_audit_last(struct store *st, const char *ca_id, int64_t *created_at, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT COALESCE(MAX(created_at), 0) FROM audit_reports WHERE ca_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return store_fail(st, stmt, err);
	*created_at = sqlite3_column_int64(stmt, 0);
	store_release(st, stmt);
	return 0;
}

static void store_cert_row_read(sqlite3_stmt *stmt, struct store_cert_row *row)
{
	row->serial = (const char *)sqlite3_column_text(stmt, 0);
	row->account_id = (const char *)sqlite3_column_text(stmt, 1);
	row->template_arn = (const char *)sqlite3_column_text(stmt, 2);
	row->requester = (const char *)sqlite3_column_text(stmt, 3);
	row->der = sqlite3_column_blob(stmt, 4);
	row->der_len = (size_t)sqlite3_column_bytes(stmt, 4);
	row->not_before = sqlite3_column_int64(stmt, 5);
	row->not_after = sqlite3_column_int64(stmt, 6);
	row->issued_at = sqlite3_column_int64(stmt, 7);
	row->revoked_at = sqlite3_column_int64(stmt, 8);
	row->revocation_reason = (const char *)sqlite3_column_text(stmt, 9);
}

int store_cert_each(struct store *st, const char *ca_id,
		    int (*fn)(void *ctx, const struct store_cert_row *row), void *ctx,
		    struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "SELECT serial, account_id, template_arn, requester, der, "
			  "not_before, not_after, issued_at, revoked_at, "
			  "revocation_reason FROM certificates WHERE ca_id = ? "
			  "ORDER BY serial",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_cert_row row;
		store_cert_row_read(stmt, &row);
		int stop = fn(ctx, &row);
		if (stop != 0) {
			store_release(st, stmt);
			return stop;
		}
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return 0;
}
