/* Tags of CAs and of ACM certificates: the same rules over two tables, so one
 * set of helpers driven by a table of compile-time SQL (never user input). */
#include <stdlib.h>

#include "store/internal.h"

struct store_tag_sql {
	const char *select;    /* (owner) → key, value ordered by key */
	const char *upsert;    /* (owner, key, value) */
	const char *del_any;   /* (owner, key) */
	const char *del_value; /* (owner, key, value) */
};

#define STORE_TAG_SQL(table, owner)                                                                \
	{                                                                                          \
		.select = "SELECT key, value FROM " table " WHERE " owner " = ? ORDER BY key",     \
		.upsert = "INSERT INTO " table " (" owner ", key, value) VALUES (?, ?, ?) "        \
			  "ON CONFLICT (" owner ", key) DO UPDATE SET value = excluded.value",     \
		.del_any = "DELETE FROM " table " WHERE " owner " = ? AND key = ?",                \
		.del_value =                                                                       \
		    "DELETE FROM " table " WHERE " owner " = ? AND key = ? AND value = ?",         \
	}

static const struct store_tag_sql ca_tag_sql = STORE_TAG_SQL("ca_tags", "ca_id");
static const struct store_tag_sql acm_tag_sql = STORE_TAG_SQL("acm_cert_tags", "cert_id");

void store_tags_free(struct store_tag *tags, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(tags[i].key);
		free(tags[i].value);
	}
	free(tags);
}

/* Appends the current row; false when out of memory. */
static bool store_tag_append(sqlite3_stmt *stmt, struct store_tag **out, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct store_tag *t = realloc(*out, ncap * sizeof(**out));
		if (t == NULL)
			return false;
		*out = t;
		*cap = ncap;
	}
	struct store_tag *t = &(*out)[*n];
	t->key = store_col_strdup(stmt, 0);
	t->value = store_col_strdup(stmt, 1);
	(*n)++;
	return t->key != NULL && t->value != NULL;
}

static int store_tags_select(struct store *st, const struct store_tag_sql *q, const char *owner,
			     struct store_tag **out, size_t *n, struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *stmt = store_prepare(st, q->select, err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, owner);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	bool ok = true;
	while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ok = store_tag_append(stmt, out, n, &cap);
	if (ok && rc == SQLITE_DONE) {
		store_release(st, stmt);
		return 0;
	}
	store_tags_free(*out, *n);
	*out = NULL;
	*n = 0;
	if (!ok) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return store_fail(st, stmt, err);
}

static int store_tag_upsert(struct store *st, const struct store_tag_sql *q, const char *owner,
			    const char *key, const char *value, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st, q->upsert, err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, owner);
	store_bind_text(stmt, 2, key);
	store_bind_text(stmt, 3, value);
	return store_exec_stmt(st, stmt, err);
}

static int store_tag_remove(struct store *st, const struct store_tag_sql *q, const char *owner,
			    const char *key, const char *value, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st, value != NULL ? q->del_value : q->del_any, err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, owner);
	store_bind_text(stmt, 2, key);
	if (value != NULL)
		store_bind_text(stmt, 3, value);
	return store_exec_stmt(st, stmt, err);
}

int store_ca_tags_get(struct store *st, const char *ca_id, struct store_tag **out, size_t *n,
		      struct cm_err *err)
{
	return store_tags_select(st, &ca_tag_sql, ca_id, out, n, err);
}

int store_ca_tag_put(struct store *st, const char *ca_id, const char *key, const char *value,
		     struct cm_err *err)
{
	return store_tag_upsert(st, &ca_tag_sql, ca_id, key, value, err);
}

int store_ca_tag_delete(struct store *st, const char *ca_id, const char *key, const char *value,
			struct cm_err *err)
{
	return store_tag_remove(st, &ca_tag_sql, ca_id, key, value, err);
}

int store_acm_tags_get(struct store *st, const char *cert_id, struct store_tag **out, size_t *n,
		       struct cm_err *err)
{
	return store_tags_select(st, &acm_tag_sql, cert_id, out, n, err);
}

int store_acm_tag_put(struct store *st, const char *cert_id, const char *key, const char *value,
		      struct cm_err *err)
{
	return store_tag_upsert(st, &acm_tag_sql, cert_id, key, value, err);
}

int store_acm_tag_delete(struct store *st, const char *cert_id, const char *key, const char *value,
			 struct cm_err *err)
{
	return store_tag_remove(st, &acm_tag_sql, cert_id, key, value, err);
}
