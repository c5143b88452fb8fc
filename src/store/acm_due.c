/* The lifecycle scan's work list over ACM certificates: which ISSUED
 * certificates are due (scan_due_at <= now), read through the index
 * (status, scan_due_at, id) so a pass costs what is due, not what is stored. */
#include <stdlib.h>
#include <string.h>

#include "store/acm_internal.h"

/* Row values keep the keyset one comparison (SQLite >= 3.15, PostgreSQL). */
const char store_acm_due_sql[] = "SELECT id, account_id, scan_due_at FROM acm_certificates "
				 "WHERE status = 'ISSUED' AND scan_due_at <= ? "
				 "AND (scan_due_at, id) > (?, ?) "
				 "ORDER BY scan_due_at, id LIMIT ?";

/* Appends the current row; false when out of memory. */
static bool store_due_append(sqlite3_stmt *stmt, struct store_acm_due **out, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct store_acm_due *d = realloc(*out, ncap * sizeof(**out));
		if (d == NULL)
			return false;
		*out = d;
		*cap = ncap;
	}
	struct store_acm_due *d = &(*out)[(*n)++];
	memset(d, 0, sizeof(*d));
	store_col_copy(stmt, 0, d->id, sizeof(d->id));
	store_col_copy(stmt, 1, d->account_id, sizeof(d->account_id));
	d->scan_due_at = sqlite3_column_int64(stmt, 2);
	return true;
}

int store_acm_due_list(struct store *st, int64_t now, int64_t after_due, const char *after_id,
		       int limit, struct store_acm_due **out, size_t *n, struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *stmt = store_prepare(st, store_acm_due_sql, err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, after_due);
	store_bind_text(stmt, 3, after_id);
	sqlite3_bind_int(stmt, 4, limit);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	bool ok = true;
	while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ok = store_due_append(stmt, out, n, &cap);
	if (ok && rc == SQLITE_DONE) {
		store_release(st, stmt);
		return 0;
	}
	free(*out);
	*out = NULL;
	*n = 0;
	if (!ok) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return store_fail(st, stmt, err);
}

int store_acm_due_reset(struct store *st, const char *account_id, int64_t until, struct cm_err *err)
{
	/* Through the (account_id, not_after, id) index; the revision bump makes
	 * a scan that read a row before this fail its update and look again. */
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE acm_certificates SET scan_due_at = 0, "
					   "revision = revision + 1 WHERE account_id = ? "
					   "AND not_after <= ? AND status = 'ISSUED' "
					   "AND scan_due_at <> 0",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	sqlite3_bind_int64(stmt, 2, until);
	return store_exec_stmt(st, stmt, err);
}
