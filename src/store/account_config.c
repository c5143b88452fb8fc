/* Per-account settings (ACM PutAccountConfiguration): one row per account,
 * absent until first set. */
#include "store/internal.h"

int store_account_days_before_expiry(struct store *st, const char *account_id, int *days,
				     struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "SELECT days_before_expiry FROM account_config WHERE account_id = ? "
			  "AND days_before_expiry IS NOT NULL",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*days = sqlite3_column_int(stmt, 0);
		store_release(st, stmt);
		return 1;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return 0;
}

int store_account_set_days_before_expiry(struct store *st, const char *account_id, int days,
					 struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "INSERT INTO account_config (account_id, days_before_expiry) VALUES (?, ?) "
	    "ON CONFLICT (account_id) DO UPDATE SET days_before_expiry = "
	    "excluded.days_before_expiry",
	    err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	sqlite3_bind_int(stmt, 2, days);
	return store_exec_stmt(st, stmt, err);
}
