/* What revocation publishing keeps and reads (issue 7): each CA's CRLNumber
 * and last CRL times, the revoked certificates of a CA for its CRL, one
 * serial's status for OCSP, and a scan of every CA for the publishers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

int store_crl_next_number(struct store *st, const char *ca_id, uint64_t floor, uint64_t *out,
			  struct cm_err *err)
{
	/* One statement, so no transaction is needed and two writers still get
	 * distinct, increasing numbers (RFC 5280 §5.2.3). Portable: PostgreSQL
	 * has ON CONFLICT and RETURNING too. */
	sqlite3_stmt *stmt = store_prepare(
		st,
		"INSERT INTO crls (ca_id, number) VALUES (?, ?) "
		"ON CONFLICT (ca_id) DO UPDATE SET number = CASE WHEN crls.number >= "
		"excluded.number THEN crls.number + 1 ELSE excluded.number END RETURNING number",
		err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)floor);
	int64_t number = 0;
	int rc = store_exec_returning(st, stmt, &number, err);
	if (rc == 1)
		return cm_fail(err, CM_ERR_INTERNAL, "no CRL number came back");
	if (rc == 0)
		*out = (uint64_t)number;
	return rc;
}

int store_crl_set_published(struct store *st, const char *ca_id, uint64_t number,
			    int64_t this_update, int64_t next_update, struct cm_err *err)
{
	/* Only if no later number was handed out meanwhile: times follow numbers. */
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE crls SET this_update = ?, next_update = ? "
					   "WHERE ca_id = ? AND number = ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, this_update);
	sqlite3_bind_int64(stmt, 2, next_update);
	store_bind_text(stmt, 3, ca_id);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)number);
	return store_exec_stmt(st, stmt, err);
}

int store_crl_get(struct store *st, const char *ca_id, struct store_crl *out, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
		st, "SELECT number, this_update, next_update FROM crls WHERE ca_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "no CRL yet");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	memset(out, 0, sizeof(*out));
	snprintf(out->ca_id, sizeof(out->ca_id), "%s", ca_id);
	out->number = (uint64_t)sqlite3_column_int64(stmt, 0);
	out->this_update = sqlite3_column_int64(stmt, 1);
	out->next_update = sqlite3_column_int64(stmt, 2);
	store_release(st, stmt);
	return 0;
}

/* A range of the partial index certificates_revoked (ca_id, revoked_at,
 * revoked rows only: the query must keep "revoked_at > 0" for SQLite to use
 * it); the expiry filter reads only rows that range holds anyway. */
const char store_crl_revoked_sql[] = "SELECT serial, revoked_at, revocation_reason, not_after "
				     "FROM certificates WHERE ca_id = ? AND revoked_at > 0 "
				     "AND not_after > ?";

int store_cert_revoked_each(struct store *st, const char *ca_id, int64_t not_after_min,
			    void (*fn)(void *ctx, const struct store_revoked *r), void *ctx,
			    struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st, store_crl_revoked_sql, err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	sqlite3_bind_int64(stmt, 2, not_after_min);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_revoked r = {
			.serial = (const char *)sqlite3_column_text(stmt, 0),
			.revoked_at = sqlite3_column_int64(stmt, 1),
			.reason = (const char *)sqlite3_column_text(stmt, 2),
			.not_after = sqlite3_column_int64(stmt, 3),
		};
		if (r.serial == NULL || r.reason == NULL)
			continue;
		fn(ctx, &r);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}

int store_cert_status(struct store *st, const char *ca_id, const char *serial,
		      int64_t *revoked_at, char *reason, size_t reason_size, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT revoked_at, revocation_reason FROM certificates "
					   "WHERE ca_id = ? AND serial = ? AND der IS NOT NULL",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	store_bind_text(stmt, 2, serial);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "certificate not found");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	*revoked_at = sqlite3_column_int64(stmt, 0);
	store_col_copy(stmt, 1, reason, reason_size);
	store_release(st, stmt);
	return 0;
}

int store_ca_scan(struct store *st, const char *after_id, int limit,
		  void (*fn)(void *ctx, const struct store_ca_ref *ca), void *ctx,
		  struct cm_err *err)
{
	/* Keyset pagination on the primary key. */
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT id, account_id, revocation_json FROM cas "
					   "WHERE id > ? ORDER BY id LIMIT ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, after_id);
	sqlite3_bind_int(stmt, 2, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_ca_ref ref;
		store_col_copy(stmt, 0, ref.id, sizeof(ref.id));
		store_col_copy(stmt, 1, ref.account_id, sizeof(ref.account_id));
		ref.revocation_json = (const char *)sqlite3_column_text(stmt, 2);
		fn(ctx, &ref);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}
