/* The per-connection statement cache: a statement is reused once released,
 * never handed out twice at once, keyed by text (not address), and bounded. */
#include <stdlib.h>

#include "harness.h"
#include "scratch.h"
#include "store/internal.h"
#include "store/stmt_cache.h"

static int count_rows(sqlite3_stmt *stmt)
{
	int n = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW)
		n++;
	return n;
}

TEST(store_stmt_cache_reuse_and_nesting)
{
	char dir[64];
	struct cm_err err = {0};
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	const char *sql = "SELECT value FROM json_each('[1,2,3]') WHERE value >= ?";
	sqlite3_stmt *a = store_prepare(st, sql, &err);
	CHECK(a != NULL);
	sqlite3_bind_int(a, 1, 2);
	CHECK(sqlite3_step(a) == SQLITE_ROW); /* left mid-rows */

	/* Nested use of the same SQL: a separate statement, a's rows untouched. */
	sqlite3_stmt *b = store_prepare(st, sql, &err);
	CHECK(b != NULL && b != a);
	sqlite3_bind_int(b, 1, 1);
	CHECK(count_rows(b) == 3);
	store_release(st, b);
	CHECK(sqlite3_column_int(a, 0) == 2);
	CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 3);
	store_release(st, a);

	/* Released: the same statement comes back, reset and unbound (NULL >= x
	 * is never true, so no rows). */
	sqlite3_stmt *c = store_prepare(st, sql, &err);
	CHECK(c == a);
	CHECK(count_rows(c) == 0);
	store_release(st, c);
	store_release(st, NULL);
	scratch_done(st, dir);
}

TEST(store_stmt_cache_keyed_by_text)
{
	char dir[64];
	struct cm_err err = {0};
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	/* One buffer, two texts: the second must not get the first's statement. */
	char buf[64];
	snprintf(buf, sizeof(buf), "SELECT 1");
	sqlite3_stmt *a = store_prepare(st, buf, &err);
	CHECK(a != NULL && sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 1);
	store_release(st, a);
	snprintf(buf, sizeof(buf), "SELECT 2");
	sqlite3_stmt *b = store_prepare(st, buf, &err);
	CHECK(b != NULL && b != a);
	CHECK(b != NULL && sqlite3_step(b) == SQLITE_ROW && sqlite3_column_int(b, 0) == 2);
	store_release(st, b);

	/* More distinct texts than slots: old ones are evicted, all still work. */
	for (int i = 0; i < STORE_STMT_SLOTS * 2; i++) {
		snprintf(buf, sizeof(buf), "SELECT %d", i);
		sqlite3_stmt *s = store_prepare(st, buf, &err);
		CHECK(s != NULL && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == i);
		store_release(st, s);
	}
	/* A prepare error stays an error, and leaves nothing held. */
	CHECK(store_prepare(st, "SELECT FROM nowhere", &err) == NULL &&
	      err.code == CM_ERR_INTERNAL);
	scratch_done(st, dir);
}
