/* InUseBy: which deployment targets use an ACM certificate. Adding twice or
 * removing what is absent is not an error, so deploy/ can retry freely. */
#include <stdlib.h>

#include "store/internal.h"

int store_acm_usage_add(struct store *st, const char *cert_id, const char *user, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO acm_cert_usage (cert_id, used_by) "
			  "VALUES (?, ?) ON CONFLICT (cert_id, used_by) DO NOTHING",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, cert_id);
	store_bind_text(stmt, 2, user);
	return store_exec_stmt(st, stmt, err);
}

int store_acm_usage_remove(struct store *st, const char *cert_id, const char *user,
			   struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "DELETE FROM acm_cert_usage WHERE cert_id = ? AND used_by = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, cert_id);
	store_bind_text(stmt, 2, user);
	return store_exec_stmt(st, stmt, err);
}

void store_strings_free(char **s, size_t n)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

/* Appends column 0 of the current row; false when out of memory. */
static bool store_string_append(sqlite3_stmt *stmt, char ***out, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **s = realloc(*out, ncap * sizeof(**out));
		if (s == NULL)
			return false;
		*out = s;
		*cap = ncap;
	}
	char *v = store_col_strdup(stmt, 0);
	(*out)[(*n)++] = v;
	return v != NULL;
}

int store_acm_usage_list(struct store *st, const char *cert_id, char ***out, size_t *n,
			 struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT used_by FROM acm_cert_usage WHERE cert_id = ? ORDER BY used_by", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, cert_id);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	bool ok = true;
	while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ok = store_string_append(stmt, out, n, &cap);
	if (ok && rc == SQLITE_DONE) {
		store_release(st, stmt);
		return 0;
	}
	store_strings_free(*out, *n);
	*out = NULL;
	*n = 0;
	if (!ok) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return store_fail(st, stmt, err);
}
