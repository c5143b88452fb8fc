/* ListCertificates: one page of an account's ACM certificates, filtered in
 * SQL and paged by keyset on the (account_id, created_at, id) index, so a
 * page costs the same whatever the account holds. */
#include <stdlib.h>
#include <string.h>

#include "store/acm_internal.h"

/* A statement being built: only compile-time SQL text and "?" placeholders
 * ever go in; every value is bound afterwards. */
struct acm_sql {
	char *s;
	size_t len, cap;
	bool overflow;
};

static void acm_sql_add(struct acm_sql *q, const char *text)
{
	size_t n = strlen(text);
	if (q->len + n >= q->cap) {
		q->overflow = true; /* cap is computed up front to fit: a bug if seen */
		return;
	}
	memcpy(q->s + q->len, text, n + 1);
	q->len += n;
}

/* " AND <expr> IN (?,?,…)" with n placeholders (n > 0). */
static void acm_sql_add_in(struct acm_sql *q, const char *expr, size_t n)
{
	acm_sql_add(q, " AND ");
	acm_sql_add(q, expr);
	acm_sql_add(q, " IN (");
	for (size_t i = 0; i < n; i++)
		acm_sql_add(q, i == 0 ? "?" : ",?");
	acm_sql_add(q, ")");
}

static bool acm_has_cursor(const char *after_id)
{
	return after_id != NULL && after_id[0] != '\0';
}

char *store_acm_list_sql(const struct store_acm_filter *f, const char *after_id, bool bounded)
{
	struct acm_sql q = {0};
	q.cap = 2048 + 2 * (f->n_statuses + f->n_key_algs);
	if ((q.s = malloc(q.cap)) == NULL)
		return NULL;
	q.s[0] = '\0';
	acm_sql_add(&q, "SELECT " ACM_KEY_COLUMNS ", " ACM_DATA_COLUMNS ", " ACM_IN_USE_COLUMN
			" FROM acm_certificates WHERE account_id = ?");
	/* Row values keep the keyset a single index range (SQLite ≥ 3.15, PostgreSQL). */
	if (acm_has_cursor(after_id))
		acm_sql_add(&q, f->descending ? " AND (created_at, id) < (?, ?)"
					      : " AND (created_at, id) > (?, ?)");
	if (bounded)
		acm_sql_add(&q, f->descending ? " AND (created_at, id) >= (?, ?)"
					      : " AND (created_at, id) <= (?, ?)");
	if (f->n_statuses > 0)
		acm_sql_add_in(&q, ACM_EFFECTIVE_STATUS_SQL, f->n_statuses);
	if (f->n_key_algs > 0)
		acm_sql_add_in(&q, "key_alg", f->n_key_algs);
	if (f->eku_any != 0)
		acm_sql_add(&q, " AND (eku_bits & ?) <> 0");
	if (f->ku_any != 0)
		acm_sql_add(&q, " AND (key_usage & ?) <> 0");
	if (f->export_option != NULL)
		acm_sql_add(&q, " AND export_option = ?");
	if (f->managed_by != NULL)
		acm_sql_add(&q, " AND managed_by = ?");
	acm_sql_add(&q, f->descending ? " ORDER BY created_at DESC, id DESC LIMIT ?"
				      : " ORDER BY created_at, id LIMIT ?");
	if (q.overflow) {
		free(q.s);
		return NULL;
	}
	return q.s;
}

/* Binds in the order acm_list_sql placed the placeholders. */
static void acm_list_bind(sqlite3_stmt *stmt, const char *account_id,
			  const struct store_acm_filter *f, int64_t after_created_at,
			  const char *after_id, const struct store_acm_window *w, int limit)
{
	int i = 1;
	store_bind_text(stmt, i++, account_id);
	if (acm_has_cursor(after_id)) {
		sqlite3_bind_int64(stmt, i++, after_created_at);
		store_bind_text(stmt, i++, after_id);
	}
	if (w->capped) {
		sqlite3_bind_int64(stmt, i++, w->end_created_at);
		store_bind_text(stmt, i++, w->end_id);
	}
	if (f->n_statuses > 0) {
		sqlite3_bind_int64(stmt, i++, f->now);
		sqlite3_bind_int64(stmt, i++, f->now);
		for (size_t k = 0; k < f->n_statuses; k++)
			store_bind_text(stmt, i++, f->statuses[k]);
	}
	for (size_t k = 0; k < f->n_key_algs; k++)
		store_bind_text(stmt, i++, f->key_algs[k]);
	if (f->eku_any != 0)
		sqlite3_bind_int64(stmt, i++, f->eku_any);
	if (f->ku_any != 0)
		sqlite3_bind_int64(stmt, i++, f->ku_any);
	if (f->export_option != NULL)
		store_bind_text(stmt, i++, f->export_option);
	if (f->managed_by != NULL)
		store_bind_text(stmt, i++, f->managed_by);
	sqlite3_bind_int(stmt, i, limit);
}

/* The key of the max_examined-th row after the cursor, read from the index
 * alone: the far end of the rows this page may look at. */
static int acm_list_window(struct store *st, const char *account_id,
			   const struct store_acm_filter *f, int64_t after_created_at,
			   const char *after_id, struct store_acm_window *w, struct cm_err *err)
{
	memset(w, 0, sizeof(*w));
	if (f->max_examined <= 0)
		return 0;
	bool cursor = acm_has_cursor(after_id);
	const char *sql =
	    f->descending
		? (cursor ? "SELECT created_at, id FROM acm_certificates WHERE account_id = ? AND "
			    "(created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC "
			    "LIMIT 1 OFFSET ?"
			  : "SELECT created_at, id FROM acm_certificates WHERE account_id = ? "
			    "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?")
		: (cursor ? "SELECT created_at, id FROM acm_certificates WHERE account_id = ? AND "
			    "(created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 1 OFFSET ?"
			  : "SELECT created_at, id FROM acm_certificates WHERE account_id = ? "
			    "ORDER BY created_at, id LIMIT 1 OFFSET ?");
	sqlite3_stmt *stmt = store_prepare(st, sql, err);
	if (stmt == NULL)
		return -1;
	int i = 1;
	store_bind_text(stmt, i++, account_id);
	if (cursor) {
		sqlite3_bind_int64(stmt, i++, after_created_at);
		store_bind_text(stmt, i++, after_id);
	}
	sqlite3_bind_int(stmt, i, f->max_examined - 1);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		w->capped = true;
		w->end_created_at = sqlite3_column_int64(stmt, 0);
		store_col_copy(stmt, 1, w->end_id, sizeof(w->end_id));
	} else if (rc != SQLITE_DONE) {
		return store_fail(st, stmt, err);
	}
	store_release(st, stmt);
	return 0;
}

int store_acm_cert_list(struct store *st, const char *account_id, const struct store_acm_filter *f,
			int64_t after_created_at, const char *after_id, int limit,
			void (*fn)(void *ctx, const struct store_acm_cert *c), void *ctx,
			struct store_acm_window *window, struct cm_err *err)
{
	static const struct store_acm_filter none = {0};
	struct store_acm_window w;
	if (f == NULL)
		f = &none;
	if (acm_list_window(st, account_id, f, after_created_at, after_id, &w, err) < 0)
		return -1;
	if (window != NULL)
		*window = w;
	char *sql = store_acm_list_sql(f, after_id, w.capped);
	if (sql == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot build the list query");
	sqlite3_stmt *stmt = store_prepare(st, sql, err);
	free(sql);
	if (stmt == NULL)
		return -1;
	acm_list_bind(stmt, account_id, f, after_created_at, after_id, &w, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_acm_cert c;
		store_acm_read(stmt, &c, false);
		fn(ctx, &c);
		store_acm_cert_clear(&c);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}
