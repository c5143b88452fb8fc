/* SearchCertificates: a filter tree (store.h) becomes one parameterised
 * WHERE clause over acm_certificates, paged by keyset on (sort key, id).
 * Only compile-time SQL text and "?" go into the statement; every value from
 * the request is bound, and LIKE patterns escape their wildcards. Also the
 * columns migration 3 added, derived from the record on every write. */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/acm_internal.h"

/* Far above what acm/'s node cap can produce; a guard, not a rule. */
#define SEARCH_SQL_MAX	 (256 * 1024)
#define SEARCH_BINDS_MAX 4096
#define SEARCH_DEPTH_MAX 64

/* Must say exactly what acm_renewal_eligible says, with the effective status
 * ISSUED written out (stored ISSUED, not yet past not_after); binds now once. */
#define ACM_RENEWAL_ELIGIBILITY_SQL                                                                \
	"(CASE WHEN (type = 'PRIVATE' OR (type = 'AMAZON_ISSUED' AND export_option = 'ENABLED'))"  \
	" AND status = 'ISSUED' AND not_after > ? AND (exported <> 0 OR " ACM_IN_USE_COLUMN ")"    \
	" THEN 'ELIGIBLE' ELSE 'INELIGIBLE' END)"

/* What each SearchCertificatesSortBy sorts on; now_binds: how many times the
 * expression binds the clock. Every expression is NOT NULL, so the keyset
 * comparison never meets a NULL. */
static const struct {
	const char *expr;
	bool text;
	int now_binds;
} search_sorts[STORE_ACM_SORT__COUNT] = {
    [STORE_ACM_SORT_CREATED_AT] = {"created_at", false, 0},
    [STORE_ACM_SORT_NOT_AFTER] = {"not_after", false, 0},
    [STORE_ACM_SORT_STATUS] = {"(" ACM_EFFECTIVE_STATUS_SQL ")", true, 2},
    [STORE_ACM_SORT_RENEWAL_STATUS] = {"renewal_status", true, 0},
    [STORE_ACM_SORT_EXPORTED] = {"exported", false, 0},
    [STORE_ACM_SORT_IN_USE] = {"(CASE WHEN " ACM_IN_USE_COLUMN " THEN 1 ELSE 0 END)", false, 0},
    [STORE_ACM_SORT_NOT_BEFORE] = {"not_before", false, 0},
    [STORE_ACM_SORT_KEY_ALGORITHM] = {"key_alg", true, 0},
    [STORE_ACM_SORT_TYPE] = {"type", true, 0},
    /* One account, one region: the ARN orders as its id suffix. */
    [STORE_ACM_SORT_CERTIFICATE_ARN] = {"id", true, 0},
    [STORE_ACM_SORT_COMMON_NAME] = {"subject_cn", true, 0},
    [STORE_ACM_SORT_REVOKED_AT] = {"revoked_at", false, 0},
    [STORE_ACM_SORT_RENEWAL_ELIGIBILITY] = {ACM_RENEWAL_ELIGIBILITY_SQL, true, 1},
    [STORE_ACM_SORT_ISSUED_AT] = {"issued_at", false, 0},
    [STORE_ACM_SORT_MANAGED_BY] = {"managed_by", true, 0},
    [STORE_ACM_SORT_EXPORT_OPTION] = {"export_option", true, 0},
    [STORE_ACM_SORT_VALIDATION_METHOD] = {"validation_method", true, 0},
    [STORE_ACM_SORT_IMPORTED_AT] = {"imported_at", false, 0},
};

bool store_acm_sort_is_text(enum store_acm_sort sort)
{
	return (unsigned)sort < STORE_ACM_SORT__COUNT && search_sorts[sort].text;
}

/* --- derived columns ------------------------------------------------------ */

/* ASCII only, as SQLite's lower(): both sides of a match fold the same way. */
static void search_ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x80)
			*s = (char)tolower((unsigned char)*s);
}

static void search_renewal_status(const char *renewal_json, char *out, size_t size)
{
	json_t *o = renewal_json != NULL ? json_loads(renewal_json, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(o, "RenewalStatus"));
	snprintf(out, size, "%s", s != NULL ? s : "");
	json_decref(o);
}

char *store_acm_search_derive(const struct store_acm_cert *c, char *renewal_status, size_t size)
{
	json_t *names = c->names_json != NULL ? json_loads(c->names_json, 0, NULL) : NULL;
	size_t len = 1, n = json_array_size(names);
	search_renewal_status(c->renewal_json, renewal_status, size);
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(names, i));
		len += s != NULL ? strlen(s) + 1 : 0;
	}
	char *out = malloc(len + 1), *p = out;
	if (out == NULL)
		goto out;
	/* A name with a newline could fake a frame; DNS names never hold one. */
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(names, i));
		if (s == NULL || strchr(s, '\n') != NULL)
			continue;
		if (p == out)
			*p++ = '\n';
		size_t l = strlen(s);
		memcpy(p, s, l);
		p += l;
		*p++ = '\n';
	}
	*p = '\0';
	search_ascii_lower(out);
out:
	json_decref(names);
	return out;
}

/* --- the statement being built -------------------------------------------- */

struct search_bind {
	char *text; /* owned; NULL: num */
	int64_t num;
};

struct search_sql {
	char *s;
	size_t len, cap;
	struct search_bind *b;
	size_t nb;
	bool failed;
};

static void sql_add(struct search_sql *q, const char *text)
{
	size_t n = strlen(text);
	if (q->failed)
		return;
	if (q->len + n + 1 > q->cap) {
		size_t cap = q->cap * 2 > q->len + n + 1 ? q->cap * 2 : q->len + n + 1;
		char *grown = cap <= SEARCH_SQL_MAX ? realloc(q->s, cap) : NULL;
		if (grown == NULL) {
			q->failed = true;
			return;
		}
		q->s = grown;
		q->cap = cap;
	}
	memcpy(q->s + q->len, text, n + 1);
	q->len += n;
}

/* Takes ownership of text (NULL: a number, or out of memory if want_text). */
static void sql_bind(struct search_sql *q, char *text, bool want_text, int64_t num)
{
	struct search_bind *grown = NULL;
	if (!q->failed && !(want_text && text == NULL) && q->nb < SEARCH_BINDS_MAX)
		grown = realloc(q->b, (q->nb + 1) * sizeof(*q->b));
	if (grown == NULL) {
		free(text);
		q->failed = true;
		return;
	}
	q->b = grown;
	q->b[q->nb++] = (struct search_bind){text, num};
}

static void sql_bind_text(struct search_sql *q, const char *s)
{
	sql_bind(q, strdup(s != NULL ? s : ""), true, 0);
}

static void sql_bind_num(struct search_sql *q, int64_t v)
{
	sql_bind(q, NULL, false, v);
}

static void sql_free(struct search_sql *q)
{
	for (size_t i = 0; i < q->nb; i++)
		free(q->b[i].text);
	free(q->b);
	free(q->s);
	memset(q, 0, sizeof(*q));
}

/* prefix + v with LIKE's wildcards and the escape character escaped +
 * suffix, ASCII-lowercased (owned; NULL when out of memory). */
static char *search_like(const char *prefix, const char *v, const char *suffix)
{
	char *out = malloc(strlen(prefix) + 2 * strlen(v) + strlen(suffix) + 1), *p = out;
	if (out == NULL)
		return NULL;
	p = stpcpy(p, prefix);
	for (; *v != '\0'; v++) {
		if (*v == '%' || *v == '_' || *v == '\\')
			*p++ = '\\';
		*p++ = *v;
	}
	strcpy(p, suffix);
	search_ascii_lower(out);
	return out;
}

static char *search_lower(const char *v)
{
	char *s = strdup(v != NULL ? v : "");
	if (s != NULL)
		search_ascii_lower(s);
	return s;
}

/* --- the WHERE clause ------------------------------------------------------ */

static void search_name(struct search_sql *q, const struct store_acm_search_node *n, bool dns)
{
	const char *v = n->text != NULL ? n->text : "";
	if (dns && strchr(v, '\n') != NULL) {
		sql_add(q, "1 = 0"); /* no DNS name holds a newline */
		return;
	}
	if (dns) {
		sql_add(q, "dns_names LIKE ? ESCAPE '\\'");
		sql_bind(q, n->contains ? search_like("%", v, "%") : search_like("%\n", v, "\n%"),
			 true, 0);
	} else if (n->contains) {
		sql_add(q, "lower(subject_cn) LIKE ? ESCAPE '\\'");
		sql_bind(q, search_like("%", v, "%"), true, 0);
	} else {
		sql_add(q, "lower(subject_cn) = ?");
		sql_bind(q, search_lower(v), true, 0);
	}
}

static void search_range(struct search_sql *q, const struct store_acm_search_node *n,
			 const char *column)
{
	/* Without material the times are 0: never "in range". */
	sql_add(q, "(serial <> '' AND ");
	sql_add(q, column);
	sql_add(q, " BETWEEN ? AND ?)");
	sql_bind_num(q, n->start);
	sql_bind_num(q, n->end);
}

/* A leaf comparing one column with the node's text. */
static void search_eq(struct search_sql *q, const char *column, const char *text)
{
	sql_add(q, column);
	sql_add(q, " = ?");
	sql_bind_text(q, text);
}

static void search_bits(struct search_sql *q, const char *column, unsigned bits)
{
	if (bits == 0) {
		sql_add(q, "1 = 0");
		return;
	}
	sql_add(q, "(");
	sql_add(q, column);
	sql_add(q, " & ?) <> 0");
	sql_bind_num(q, bits);
}

static void search_leaf(struct search_sql *q, const struct store_acm_search_node *n, int64_t now)
{
	switch (n->kind) {
	case STORE_ACM_SEARCH_ID:
		search_eq(q, "id", n->text);
		break;
	case STORE_ACM_SEARCH_COMMON_NAME:
		search_name(q, n, false);
		break;
	case STORE_ACM_SEARCH_DNS_NAME:
		search_name(q, n, true);
		break;
	case STORE_ACM_SEARCH_EKU:
		search_bits(q, "eku_bits", n->bits);
		break;
	case STORE_ACM_SEARCH_KEY_USAGE:
		search_bits(q, "key_usage", n->bits);
		break;
	case STORE_ACM_SEARCH_KEY_ALG:
		search_eq(q, "key_alg", n->text);
		break;
	case STORE_ACM_SEARCH_SERIAL:
		search_eq(q, "serial", n->text);
		break;
	case STORE_ACM_SEARCH_NOT_AFTER:
		search_range(q, n, "not_after");
		break;
	case STORE_ACM_SEARCH_NOT_BEFORE:
		search_range(q, n, "not_before");
		break;
	case STORE_ACM_SEARCH_STATUS:
		sql_bind_num(q, now);
		sql_bind_num(q, now);
		search_eq(q, "(" ACM_EFFECTIVE_STATUS_SQL ")", n->text);
		break;
	case STORE_ACM_SEARCH_RENEWAL_STATUS:
		search_eq(q, "renewal_status", n->text);
		break;
	case STORE_ACM_SEARCH_TYPE:
		search_eq(q, "type", n->text);
		break;
	case STORE_ACM_SEARCH_IN_USE:
		sql_add(q, n->flag ? ACM_IN_USE_COLUMN : "NOT " ACM_IN_USE_COLUMN);
		break;
	case STORE_ACM_SEARCH_EXPORTED:
		sql_add(q, "exported = ?");
		sql_bind_num(q, n->flag ? 1 : 0);
		break;
	case STORE_ACM_SEARCH_EXPORT_OPTION:
		search_eq(q, "export_option", n->text);
		break;
	case STORE_ACM_SEARCH_MANAGED_BY:
		search_eq(q, "managed_by", n->text);
		break;
	case STORE_ACM_SEARCH_VALIDATION_METHOD:
		search_eq(q, "validation_method", n->text);
		break;
	default:
		sql_add(q, "1 = 0");
		break; /* NOTHING, or a kind this file does not know */
	}
}

static void search_node(struct search_sql *q, const struct store_acm_search_node *n, int64_t now,
			int depth)
{
	if (depth > SEARCH_DEPTH_MAX) {
		q->failed = true;
		return;
	}
	if (n->kind == STORE_ACM_SEARCH_NOT) {
		sql_add(q, "NOT (");
		if (n->n_children > 0)
			search_node(q, &n->children[0], now, depth + 1);
		else
			sql_add(q, "1 = 0");
		sql_add(q, ")");
		return;
	}
	if (n->kind != STORE_ACM_SEARCH_AND && n->kind != STORE_ACM_SEARCH_OR) {
		search_leaf(q, n, now);
		return;
	}
	bool is_and = n->kind == STORE_ACM_SEARCH_AND;
	/* The empty AND holds for all, the empty OR for none (acm/ sends neither). */
	sql_add(q, n->n_children == 0 ? (is_and ? "(1 = 1" : "(1 = 0") : "(");
	for (size_t i = 0; i < n->n_children && !q->failed; i++) {
		if (i > 0)
			sql_add(q, is_and ? " AND " : " OR ");
		search_node(q, &n->children[i], now, depth + 1);
	}
	sql_add(q, ")");
}

/* --- the page query -------------------------------------------------------- */

static bool search_has_cursor(const struct store_acm_search *q)
{
	return q->after_id != NULL && q->after_id[0] != '\0';
}

static void search_sort_expr(struct search_sql *q, const struct store_acm_search *s)
{
	for (int i = 0; i < search_sorts[s->sort].now_binds; i++)
		sql_bind_num(q, s->now);
	sql_add(q, search_sorts[s->sort].expr);
}

/* Fills q with the statement and its binds in placeholder order. */
static void search_build(struct search_sql *q, const struct store_acm_search *s,
			 const char *account_id)
{
	/* NULL for the sealed key and the chain: a search never needs them. */
	sql_add(q, "SELECT " ACM_KEY_COLUMNS ", " ACM_DATA_COLUMNS ", " ACM_IN_USE_COLUMN
		   ", NULL, NULL, cert_der, ");
	search_sort_expr(q, s);
	sql_add(q, " AS search_key FROM acm_certificates" ACM_MATERIAL_JOIN
		   " WHERE account_id = ?");
	sql_bind_text(q, account_id);
	if (search_has_cursor(s)) {
		/* Row values keep the keyset one comparison (SQLite ≥ 3.15, PostgreSQL). */
		sql_add(q, " AND (");
		search_sort_expr(q, s);
		sql_add(q, s->descending ? ", id) < (?, ?)" : ", id) > (?, ?)");
		if (search_sorts[s->sort].text)
			sql_bind_text(q, s->after.text);
		else
			sql_bind_num(q, s->after.num);
		sql_bind_text(q, s->after_id);
	}
	if (s->filter != NULL) {
		sql_add(q, " AND ");
		search_node(q, s->filter, s->now, 0);
	}
	sql_add(q, s->descending ? " ORDER BY search_key DESC, id DESC LIMIT ?"
				 : " ORDER BY search_key, id LIMIT ?");
}

static bool search_valid(const struct store_acm_search *s)
{
	return (unsigned)s->sort < STORE_ACM_SORT__COUNT;
}

char *store_acm_search_sql(const struct store_acm_search *s)
{
	struct search_sql q = {0};
	if (!search_valid(s))
		return NULL;
	search_build(&q, s, "");
	char *sql = q.failed ? NULL : q.s;
	if (sql != NULL)
		q.s = NULL;
	sql_free(&q);
	return sql;
}

static void search_row(sqlite3_stmt *stmt, bool text, struct store_acm_cert *c,
		       struct store_acm_sort_key *key)
{
	/* The sort key follows the 4 + 35 + 1 + 3 columns store_acm_read takes. */
	int col = sqlite3_column_count(stmt) - 1;
	store_acm_read(stmt, c, true);
	c->material_omitted = true; /* the key and the chain were not read */
	memset(key, 0, sizeof(*key));
	if (text)
		store_col_copy(stmt, col, key->text, sizeof(key->text));
	else
		key->num = sqlite3_column_int64(stmt, col);
}

int store_acm_cert_search(struct store *st, const char *account_id,
			  const struct store_acm_search *s, int limit,
			  void (*fn)(void *ctx, const struct store_acm_cert *c,
				     const struct store_acm_sort_key *key),
			  void *ctx, struct cm_err *err)
{
	struct search_sql q = {0};
	sqlite3_stmt *stmt = NULL;
	int rc, n = -1;
	if (!search_valid(s))
		return cm_fail(err, CM_ERR_INTERNAL, "unknown search sort");
	search_build(&q, s, account_id);
	sql_bind_num(&q, limit);
	if (q.failed) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot build the search query");
		goto out;
	}
	if ((stmt = store_prepare(st, q.s, err)) == NULL)
		goto out;
	for (size_t i = 0; i < q.nb; i++) {
		if (q.b[i].text != NULL)
			sqlite3_bind_text(stmt, (int)i + 1, q.b[i].text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(stmt, (int)i + 1, q.b[i].num);
	}
	n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_acm_cert c;
		struct store_acm_sort_key key;
		search_row(stmt, search_sorts[s->sort].text, &c, &key);
		fn(ctx, &c, &key);
		store_acm_cert_clear(&c);
		n++;
	}
	if (rc != SQLITE_DONE) {
		n = store_fail(st, stmt, err);
		stmt = NULL; /* store_fail releases it */
	}
out:
	store_release(st, stmt);
	sql_free(&q);
	return n;
}
