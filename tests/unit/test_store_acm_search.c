/* SearchCertificates in the store: the filter tree as SQL (every leaf kind,
 * nested And/Or/Not, LIKE escaping, account scoping), keyset pages for every
 * SortBy in both orders, the index the default sort runs on, the derived
 * search columns, and acm/'s limits on the tree. */
#include <stdlib.h>
#include <unistd.h>

#include "acm/acm.h"
#include "harness.h"
#include "scratch.h"
#include "store/acm_internal.h"
#include "store/store.h"
#include "x509/leaf.h"

#define ACCT  SCRATCH_ACCOUNT
#define OTHER SCRATCH_OTHER_ACCOUNT
#define NOW   5000

/* One row of the fixture; strings point at literals. */
struct row {
	const char *id, *cn, *names, *type, *status, *key_alg, *serial, *renewal;
	int64_t created, not_before, not_after;
	unsigned eku, ku;
	bool exported, used;
};

/* Six certificates that differ in every searchable field. NOW = 5000:
 * c2 is ISSUED but past not_after (reads EXPIRED). */
static const struct row rows[] = {
    {"c1", "www.example.com", "[\"www.example.com\",\"api.example.com\"]", "IMPORTED", "ISSUED",
     "RSA_2048", "01:aa", NULL, 10, 100, 9000, X509_EKU_TLS_WEB_SERVER_AUTHENTICATION, 0x1, false,
     false},
    {"c2", "Old.Example.COM", "[\"old.example.com\"]", "IMPORTED", "ISSUED", "EC_prime256v1",
     "02:bb", NULL, 20, 100, 4000, X509_EKU_NONE, 0, false, false},
    {"c3", "100%_sure", "[\"a.test\",\"b.test\"]", "PRIVATE", "ISSUED", "RSA_2048", "03:cc",
     "{\"RenewalStatus\":\"SUCCESS\",\"UpdatedAt\":4000}", 30, 200, 8000,
     X509_EKU_TLS_WEB_CLIENT_AUTHENTICATION, 0x5, true, true},
    {"c4", "", "[\"pending.example.net\"]", "PRIVATE", "PENDING_VALIDATION", "RSA_2048", "", NULL,
     30, 0, 0, 0, 0, false, false},
    {"c5", "100x-sure", "[\"x.test\"]", "AMAZON_ISSUED", "ISSUED", "EC_secp384r1", "05:ee",
     "{\"RenewalStatus\":\"PENDING_AUTO_RENEWAL\",\"UpdatedAt\":4000}", 50, 300, 7000,
     X509_EKU_TLS_WEB_SERVER_AUTHENTICATION | X509_EKU_CODE_SIGNING, 0x3, true, false},
    {"c6", "www.example.com", "[\"www.example.com\"]", "PRIVATE", "REVOKED", "RSA_4096", "06:ff",
     NULL, 60, 400, 9500, X509_EKU_TLS_WEB_SERVER_AUTHENTICATION, 0x1, false, true},
};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static bool search_fill(struct store *st)
{
	struct cm_err err = {0};
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &rows[i];
		struct store_acm_cert c;
		memset(&c, 0, sizeof(c));
		snprintf(c.id, sizeof(c.id), "%s", r->id);
		snprintf(c.account_id, sizeof(c.account_id), "%s", ACCT);
		snprintf(c.type, sizeof(c.type), "%s", r->type);
		snprintf(c.status, sizeof(c.status), "%s", r->status);
		snprintf(c.subject_cn, sizeof(c.subject_cn), "%s", r->cn);
		snprintf(c.key_alg, sizeof(c.key_alg), "%s", r->key_alg);
		snprintf(c.serial, sizeof(c.serial), "%s", r->serial);
		snprintf(c.export_option, sizeof(c.export_option), "%s",
			 i % 2 ? "ENABLED" : "DISABLED");
		c.names_json = (char *)r->names;
		c.renewal_json = (char *)r->renewal;
		c.created_at = r->created;
		c.not_before = r->not_before;
		c.not_after = r->not_after;
		c.eku_bits = r->eku;
		c.key_usage = r->ku;
		c.exported = r->exported;
		c.issued_at = r->not_before;
		if (store_acm_cert_insert(st, &c, &err) < 0)
			return false;
		if (r->used && store_acm_usage_add(st, r->id, "target-a", &err) < 0)
			return false;
	}
	/* Another account's twin of c1 must never show. */
	struct store_acm_cert o;
	memset(&o, 0, sizeof(o));
	strcpy(o.id, "o1");
	strcpy(o.account_id, OTHER);
	strcpy(o.type, "IMPORTED");
	strcpy(o.status, "ISSUED");
	strcpy(o.subject_cn, "www.example.com");
	o.names_json = "[\"www.example.com\"]";
	o.not_after = 9000;
	return store_acm_cert_insert(st, &o, &err) == 0;
}

struct collect {
	char ids[256];
	struct store_acm_sort_key last;
	char last_id[40];
};

static void collect_row(void *ctx, const struct store_acm_cert *c,
			const struct store_acm_sort_key *key)
{
	struct collect *col = ctx;
	size_t used = strlen(col->ids);
	snprintf(col->ids + used, sizeof(col->ids) - used, "%s%s", used ? "," : "", c->id);
	col->last = *key;
	snprintf(col->last_id, sizeof(col->last_id), "%s", c->id);
}

/* The ids a filter finds, in (id) order: sorted by CERTIFICATE_ARN. */
static const char *find(struct store *st, const struct store_acm_search_node *f)
{
	static struct collect col;
	struct cm_err err = {0};
	struct store_acm_search q = {
	    .now = NOW, .filter = f, .sort = STORE_ACM_SORT_CERTIFICATE_ARN};
	memset(&col, 0, sizeof(col));
	if (store_acm_cert_search(st, ACCT, &q, 100, collect_row, &col, &err) < 0)
		return "(error)";
	return col.ids;
}

static struct store_acm_search_node leaf(enum store_acm_search_kind kind, const char *text)
{
	return (struct store_acm_search_node){.kind = kind, .text = text};
}

TEST(store_acm_search_leaves)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(search_fill(st));
	struct store_acm_search_node n = leaf(STORE_ACM_SEARCH_COMMON_NAME, "WWW.example.com");
	CHECK_STR_EQ(find(st, &n), "c1,c6");
	n.text = "old.example.com"; /* EQUALS is ASCII case-blind */
	CHECK_STR_EQ(find(st, &n), "c2");
	n.text = "www.example";
	CHECK_STR_EQ(find(st, &n), "");
	n.contains = true;
	CHECK_STR_EQ(find(st, &n), "c1,c6");
	n.text = "%_s"; /* LIKE wildcards in the value are literals */
	CHECK_STR_EQ(find(st, &n), "c3");
	n.text = "100_";
	CHECK_STR_EQ(find(st, &n), "");
	n.text = "\\";
	CHECK_STR_EQ(find(st, &n), "");
	n = leaf(STORE_ACM_SEARCH_DNS_NAME, "api.example.com");
	CHECK_STR_EQ(find(st, &n), "c1");
	n.text = "example.com"; /* EQUALS is the whole name, never a part */
	CHECK_STR_EQ(find(st, &n), "");
	n.text = "test\nb.test"; /* cannot span two names */
	n.contains = true;
	CHECK_STR_EQ(find(st, &n), "");
	n.text = "A.TEST";
	CHECK_STR_EQ(find(st, &n), "c3");
	n.text = ".example.";
	CHECK_STR_EQ(find(st, &n), "c1,c2,c4,c6");
	n = leaf(STORE_ACM_SEARCH_KEY_ALG, "RSA_2048");
	CHECK_STR_EQ(find(st, &n), "c1,c3,c4");
	n = leaf(STORE_ACM_SEARCH_SERIAL, "05:ee");
	CHECK_STR_EQ(find(st, &n), "c5");
	n = leaf(STORE_ACM_SEARCH_STATUS, "EXPIRED");
	CHECK_STR_EQ(find(st, &n), "c2");
	n.text = "ISSUED";
	CHECK_STR_EQ(find(st, &n), "c1,c3,c5");
	n = leaf(STORE_ACM_SEARCH_RENEWAL_STATUS, "SUCCESS");
	CHECK_STR_EQ(find(st, &n), "c3");
	n = leaf(STORE_ACM_SEARCH_TYPE, "PRIVATE");
	CHECK_STR_EQ(find(st, &n), "c3,c4,c6");
	n = leaf(STORE_ACM_SEARCH_EXPORT_OPTION, "ENABLED");
	CHECK_STR_EQ(find(st, &n), "c2,c4,c6");
	n = leaf(STORE_ACM_SEARCH_ID, "c5");
	CHECK_STR_EQ(find(st, &n), "c5");
	n = leaf(STORE_ACM_SEARCH_NOTHING, NULL);
	CHECK_STR_EQ(find(st, &n), "");
	scratch_done(st, dir);
}

TEST(store_acm_search_flags_bits_ranges)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(search_fill(st));
	struct store_acm_search_node n = {.kind = STORE_ACM_SEARCH_IN_USE, .flag = true};
	CHECK_STR_EQ(find(st, &n), "c3,c6");
	n.flag = false;
	CHECK_STR_EQ(find(st, &n), "c1,c2,c4,c5");
	n = (struct store_acm_search_node){.kind = STORE_ACM_SEARCH_EXPORTED, .flag = true};
	CHECK_STR_EQ(find(st, &n), "c3,c5");
	n = (struct store_acm_search_node){.kind = STORE_ACM_SEARCH_EKU,
					   .bits = X509_EKU_TLS_WEB_SERVER_AUTHENTICATION};
	CHECK_STR_EQ(find(st, &n), "c1,c5,c6");
	n.bits = X509_EKU_NONE;
	CHECK_STR_EQ(find(st, &n), "c2");
	n.bits = 0;
	CHECK_STR_EQ(find(st, &n), "");
	n = (struct store_acm_search_node){.kind = STORE_ACM_SEARCH_KEY_USAGE, .bits = 0x4};
	CHECK_STR_EQ(find(st, &n), "c3");
	/* Inclusive at both ends; certificates without material never match. */
	n = (struct store_acm_search_node){
	    .kind = STORE_ACM_SEARCH_NOT_AFTER, .start = 7000, .end = 9000};
	CHECK_STR_EQ(find(st, &n), "c1,c3,c5");
	n.start = INT64_MIN;
	n.end = 4000;
	CHECK_STR_EQ(find(st, &n), "c2");
	n = (struct store_acm_search_node){
	    .kind = STORE_ACM_SEARCH_NOT_BEFORE, .start = 200, .end = INT64_MAX};
	CHECK_STR_EQ(find(st, &n), "c3,c5,c6");
	scratch_done(st, dir);
}

TEST(store_acm_search_nested)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(search_fill(st));
	/* (type = PRIVATE AND NOT status = REVOKED) OR key_alg = EC_secp384r1 */
	struct store_acm_search_node revoked[1] = {leaf(STORE_ACM_SEARCH_STATUS, "REVOKED")};
	struct store_acm_search_node and_kids[2] = {
	    leaf(STORE_ACM_SEARCH_TYPE, "PRIVATE"),
	    {.kind = STORE_ACM_SEARCH_NOT, .children = revoked, .n_children = 1}};
	struct store_acm_search_node or_kids[2] = {
	    {.kind = STORE_ACM_SEARCH_AND, .children = and_kids, .n_children = 2},
	    leaf(STORE_ACM_SEARCH_KEY_ALG, "EC_secp384r1")};
	struct store_acm_search_node root = {
	    .kind = STORE_ACM_SEARCH_OR, .children = or_kids, .n_children = 2};
	CHECK_STR_EQ(find(st, &root), "c3,c4,c5");
	struct store_acm_search_node not_root = {
	    .kind = STORE_ACM_SEARCH_NOT, .children = &root, .n_children = 1};
	CHECK_STR_EQ(find(st, &not_root), "c1,c2,c6");
	scratch_done(st, dir);
}

/* Pages of one row through every sort in both orders: each certificate once,
 * in key order, ties broken by id. */
static bool page_all(struct store *st, enum store_acm_sort sort, bool desc, char *seen, size_t size)
{
	struct cm_err err = {0};
	struct store_acm_search q = {.now = NOW, .sort = sort, .descending = desc};
	struct collect col;
	char after_id[40] = "";
	seen[0] = '\0';
	for (size_t page = 0; page <= N_ROWS; page++) {
		memset(&col, 0, sizeof(col));
		q.after_id = after_id;
		int n = store_acm_cert_search(st, ACCT, &q, 1, collect_row, &col, &err);
		if (n < 0)
			return false;
		if (n == 0)
			return true;
		size_t used = strlen(seen);
		snprintf(seen + used, size - used, "%s%s", used ? "," : "", col.ids);
		q.after = col.last;
		snprintf(after_id, sizeof(after_id), "%s", col.last_id);
	}
	return false; /* never ended */
}

static size_t count_ids(const char *list)
{
	size_t n = list[0] != '\0';
	for (; *list != '\0'; list++)
		n += *list == ',';
	return n;
}

TEST(store_acm_search_pages_every_sort)
{
	char dir[64], seen[256];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(search_fill(st));
	for (int sort = 0; sort < STORE_ACM_SORT__COUNT; sort++) {
		for (int desc = 0; desc < 2; desc++) {
			bool ok = page_all(st, (enum store_acm_sort)sort, desc, seen, sizeof(seen));
			CHECK(ok);
			CHECK(count_ids(seen) == N_ROWS);
			for (size_t i = 0; i < N_ROWS; i++)
				CHECK(strstr(seen, rows[i].id) != NULL);
			if (!ok || count_ids(seen) != N_ROWS)
				fprintf(stderr, "  sort %d desc %d: %s\n", sort, desc, seen);
		}
	}
	CHECK(page_all(st, STORE_ACM_SORT_CREATED_AT, false, seen, sizeof(seen)));
	CHECK_STR_EQ(seen, "c1,c2,c3,c4,c5,c6"); /* c3, c4 tie on created_at: by id */
	CHECK(page_all(st, STORE_ACM_SORT_NOT_AFTER, true, seen, sizeof(seen)));
	CHECK_STR_EQ(seen, "c6,c1,c3,c5,c2,c4");
	CHECK(page_all(st, STORE_ACM_SORT_STATUS, false, seen, sizeof(seen)));
	CHECK_STR_EQ(seen, "c2,c1,c3,c5,c4,c6"); /* EXPIRED < ISSUED < PENDING… < REVOKED */
	CHECK(page_all(st, STORE_ACM_SORT_COMMON_NAME, false, seen, sizeof(seen)));
	CHECK_STR_EQ(seen, "c4,c3,c5,c2,c1,c6");
	CHECK(page_all(st, STORE_ACM_SORT_RENEWAL_ELIGIBILITY, false, seen, sizeof(seen)));
	CHECK_STR_EQ(seen, "c3,c1,c2,c4,c5,c6"); /* only c3: PRIVATE, ISSUED, exported */
	CHECK(page_all(st, STORE_ACM_SORT_IN_USE, true, seen, sizeof(seen)));
	CHECK_STR_EQ(seen, "c6,c3,c5,c4,c2,c1");
	scratch_done(st, dir);
}

/* What EXPLAIN QUERY PLAN says of a query: the account index in use, no
 * full scan, and (when sorted) no temporary sort. */
static bool plan_uses(struct store *st, const char *sql, const char *index, bool sorted)
{
	struct cm_err err = {0};
	char *q = malloc(strlen(sql) + 32);
	bool found = false, bad = false;
	if (q == NULL)
		return false;
	sprintf(q, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *stmt = store_prepare(st, q, &err);
	free(q);
	if (stmt == NULL)
		return false;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(stmt, 3);
		if (d == NULL)
			continue;
		if (strstr(d, index) != NULL && strstr(d, "(account_id=?") != NULL)
			found = true;
		if (strncmp(d, "SCAN acm_certificates", 21) == 0 ||
		    (sorted && strstr(d, "TEMP B-TREE") != NULL))
			bad = true;
	}
	store_release(st, stmt);
	return found && !bad;
}

TEST(store_acm_search_plan)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	struct store_acm_search_node kids[3] = {
	    {.kind = STORE_ACM_SEARCH_COMMON_NAME, .text = "x", .contains = true},
	    {.kind = STORE_ACM_SEARCH_STATUS, .text = "ISSUED"},
	    {.kind = STORE_ACM_SEARCH_IN_USE, .flag = true}};
	struct store_acm_search_node any = {
	    .kind = STORE_ACM_SEARCH_OR, .children = kids, .n_children = 3};
	struct store_acm_search q = {.now = NOW, .filter = &any};
	for (int cursor = 0; cursor < 2; cursor++) {
		for (int desc = 0; desc < 2; desc++) {
			q.after_id = cursor ? "c1" : NULL;
			q.descending = desc;
			q.sort = STORE_ACM_SORT_CREATED_AT;
			char *sql = store_acm_search_sql(&q);
			CHECK(sql != NULL);
			if (sql != NULL)
				CHECK(plan_uses(st, sql, "acm_certificates_account", true));
			free(sql);
			q.sort = STORE_ACM_SORT_NOT_AFTER;
			sql = store_acm_search_sql(&q);
			CHECK(sql != NULL);
			if (sql != NULL)
				CHECK(plan_uses(st, sql, "acm_certificates_not_after", true));
			free(sql);
		}
	}
	/* Other sorts sort in memory, but only the account's rows. */
	q.sort = STORE_ACM_SORT_COMMON_NAME;
	char *sql = store_acm_search_sql(&q);
	CHECK(sql != NULL && strstr(sql, "'x'") == NULL); /* values are bound, never inlined */
	if (sql != NULL)
		CHECK(plan_uses(st, sql, "acm_certificates_", false));
	free(sql);
	scratch_done(st, dir);
}

TEST(store_acm_search_derived_columns)
{
	char dir[64];
	struct cm_err err = {0};
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	struct store_acm_cert c, got;
	memset(&c, 0, sizeof(c));
	char status[24];
	c.names_json = "[\"A.Example.com\",\"b.example.com\"]";
	c.renewal_json = "{\"RenewalStatus\":\"FAILED\",\"UpdatedAt\":1}";
	char *names = store_acm_search_derive(&c, status, sizeof(status));
	CHECK_STR_EQ(names, "\na.example.com\nb.example.com\n");
	CHECK_STR_EQ(status, "FAILED");
	free(names);
	c.names_json = NULL;
	c.renewal_json = NULL;
	names = store_acm_search_derive(&c, status, sizeof(status));
	CHECK_STR_EQ(names, "");
	CHECK_STR_EQ(status, "");
	free(names);
	/* Written on insert and update, read back with the record. */
	strcpy(c.id, "d1");
	strcpy(c.account_id, ACCT);
	strcpy(c.type, "PRIVATE");
	strcpy(c.status, "ISSUED");
	strcpy(c.subject_cn, "cn.example");
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	CHECK(store_acm_cert_get(st, ACCT, "d1", &got, &err) == 0);
	CHECK_STR_EQ(got.subject_cn, "cn.example");
	CHECK_STR_EQ(got.renewal_status, "");
	free(got.renewal_json);
	got.renewal_json = strdup("{\"RenewalStatus\":\"PENDING_AUTO_RENEWAL\",\"UpdatedAt\":2}");
	CHECK(store_acm_cert_update(st, &got, &err) == 0);
	store_acm_cert_clear(&got);
	CHECK(store_acm_cert_get(st, ACCT, "d1", &got, &err) == 0);
	CHECK_STR_EQ(got.renewal_status, "PENDING_AUTO_RENEWAL");
	store_acm_cert_clear(&got);
	scratch_done(st, dir);
}

TEST(acm_search_tree_limits)
{
	struct acm_search_tree *t = calloc(1, sizeof(*t));
	struct store_acm_search_node *n = NULL;
	struct cm_err err = {0};
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(acm_search_nodes(t, 1, ACM_SEARCH_MAX_DEPTH, &n, &err) == 0);
	CHECK(acm_search_nodes(t, 1, ACM_SEARCH_MAX_DEPTH + 1, &n, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(acm_search_nodes(t, ACM_SEARCH_MAX_NODES - 1, 2, &n, &err) == 0);
	CHECK(t->used == ACM_SEARCH_MAX_NODES);
	err.code = CM_OK;
	CHECK(acm_search_nodes(t, 1, 2, &n, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	free(t);
}
