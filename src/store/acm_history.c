/* The certificates a renewal or reimport replaced: kept beside the ACM
 * certificate so they can still be revoked and audited. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

int store_acm_history_add(struct store *st, const struct store_acm_history *h, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO acm_cert_history (cert_id, serial, ca_arn, "
					   "not_before, not_after, replaced_at) "
					   "VALUES (?, ?, ?, ?, ?, ?)",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, h->cert_id);
	store_bind_text(stmt, 2, h->serial);
	store_bind_text(stmt, 3, h->ca_arn);
	sqlite3_bind_int64(stmt, 4, h->not_before);
	sqlite3_bind_int64(stmt, 5, h->not_after);
	sqlite3_bind_int64(stmt, 6, h->replaced_at);
	return store_exec_stmt(st, stmt, err);
}

/* Appends the current row; false when out of memory. */
static bool store_history_append(sqlite3_stmt *stmt, struct store_acm_history **out, size_t *n,
				 size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct store_acm_history *h = realloc(*out, ncap * sizeof(**out));
		if (h == NULL)
			return false;
		*out = h;
		*cap = ncap;
	}
	struct store_acm_history *h = &(*out)[(*n)++];
	memset(h, 0, sizeof(*h));
	store_col_copy(stmt, 0, h->cert_id, sizeof(h->cert_id));
	store_col_copy(stmt, 1, h->serial, sizeof(h->serial));
	store_col_copy(stmt, 2, h->ca_arn, sizeof(h->ca_arn));
	h->not_before = sqlite3_column_int64(stmt, 3);
	h->not_after = sqlite3_column_int64(stmt, 4);
	h->replaced_at = sqlite3_column_int64(stmt, 5);
	return true;
}

int store_acm_history_list(struct store *st, const char *cert_id, struct store_acm_history **out,
			   size_t *n, struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	/* serial breaks replaced_at ties so the order is stable without rowids. */
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT cert_id, serial, ca_arn, not_before, not_after, "
					   "replaced_at FROM acm_cert_history WHERE cert_id = ? "
					   "ORDER BY replaced_at, serial",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, cert_id);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	bool ok = true;
	while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ok = store_history_append(stmt, out, n, &cap);
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
