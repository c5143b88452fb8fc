/* The ACM part of the store: record round trip, scoping, cascade on delete,
 * keyset pages with every filter (and the index they run on), tags, InUseBy,
 * history and account configuration, on a scratch database. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "scratch.h"
#include "store/acm_internal.h"
#include "store/store.h"

#define ACCT  SCRATCH_ACCOUNT
#define OTHER SCRATCH_OTHER_ACCOUNT

/* A minimal ISSUED certificate; strings point at literals (never cleared). */
static void fill_acm(struct store_acm_cert *c, const char *id, const char *account, int64_t created)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->account_id, sizeof(c->account_id), "%s", account);
	strcpy(c->type, "PRIVATE");
	strcpy(c->status, "ISSUED");
	strcpy(c->domain_name, "example.com");
	strcpy(c->key_alg, "RSA_2048");
	strcpy(c->export_option, "DISABLED");
	c->created_at = created;
	c->not_after = 1000000;
}

/* Every field set to something distinct. */
static void fill_acm_full(struct store_acm_cert *c, const char *id)
{
	static unsigned char key[5] = {9, 8, 7, 6, 5};
	static unsigned char der[3] = {0x30, 0x01, 0x00};
	fill_acm(c, id, ACCT, 42);
	strcpy(c->type, "AMAZON_ISSUED");
	strcpy(c->status, "PENDING_VALIDATION");
	strcpy(c->failure_reason, "CAA_ERROR");
	strcpy(c->domain_name, "www.example.org");
	c->names_json = "[\"www.example.org\",\"example.org\"]";
	strcpy(c->key_alg, "EC_prime256v1");
	strcpy(c->ca_arn, "arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/x");
	strcpy(c->validation_method, "DNS");
	c->validation_json = "{\"www.example.org\":{}}";
	strcpy(c->ct_logging, "ENABLED");
	strcpy(c->export_option, "ENABLED");
	strcpy(c->managed_by, "CLOUDFRONT");
	c->key_sealed = key;
	c->key_sealed_len = sizeof(key);
	c->cert_der = der;
	c->cert_der_len = sizeof(der);
	c->chain_pem = "-----BEGIN CERTIFICATE-----";
	strcpy(c->serial, "0a:0b:0c");
	c->subject = "CN=www.example.org";
	c->issuer = "Example CA";
	strcpy(c->sig_alg, "SHA256WITHECDSA");
	c->key_usage = 0x5;
	c->eku_bits = 0x3;
	c->eku_json = "[{\"Name\":\"TLS_WEB_SERVER_AUTHENTICATION\"}]";
	c->not_before = 100;
	c->not_after = 200;
	c->issued_at = 101;
	c->imported_at = 102;
	c->revoked_at = 103;
	c->validation_deadline = 104;
	strcpy(c->revocation_reason, "SUPERSEDED");
	c->exported = true;
	c->renewal_json = "{\"RenewalStatus\":\"PENDING_AUTO_RENEWAL\"}";
	c->resent_at = 105;
}

/* Like CHECK_STR_EQ, but two NULLs (absent owned strings) are equal too. */
static void check_opt_str(int *harness_failures, const char *x, const char *y)
{
	if (x != NULL || y != NULL)
		CHECK_STR_EQ(x, y);
}

static void check_same(int *harness_failures, const struct store_acm_cert *a,
		       const struct store_acm_cert *b, bool blobs)
{
	CHECK_STR_EQ(a->id, b->id);
	CHECK_STR_EQ(a->account_id, b->account_id);
	CHECK_STR_EQ(a->type, b->type);
	CHECK_STR_EQ(a->status, b->status);
	CHECK_STR_EQ(a->failure_reason, b->failure_reason);
	CHECK_STR_EQ(a->domain_name, b->domain_name);
	check_opt_str(harness_failures, a->names_json, b->names_json);
	CHECK_STR_EQ(a->key_alg, b->key_alg);
	CHECK_STR_EQ(a->ca_arn, b->ca_arn);
	CHECK_STR_EQ(a->validation_method, b->validation_method);
	check_opt_str(harness_failures, a->validation_json, b->validation_json);
	CHECK_STR_EQ(a->ct_logging, b->ct_logging);
	CHECK_STR_EQ(a->export_option, b->export_option);
	CHECK_STR_EQ(a->managed_by, b->managed_by);
	if (blobs) {
		CHECK(a->key_sealed_len == b->key_sealed_len && b->key_sealed != NULL &&
		      memcmp(a->key_sealed, b->key_sealed, a->key_sealed_len) == 0);
		CHECK(a->cert_der_len == b->cert_der_len && b->cert_der != NULL &&
		      memcmp(a->cert_der, b->cert_der, a->cert_der_len) == 0);
		check_opt_str(harness_failures, a->chain_pem, b->chain_pem);
	} else {
		CHECK(b->key_sealed == NULL && b->cert_der == NULL && b->chain_pem == NULL);
	}
	CHECK_STR_EQ(a->serial, b->serial);
	check_opt_str(harness_failures, a->subject, b->subject);
	check_opt_str(harness_failures, a->issuer, b->issuer);
	CHECK_STR_EQ(a->sig_alg, b->sig_alg);
	CHECK(a->key_usage == b->key_usage && a->eku_bits == b->eku_bits);
	check_opt_str(harness_failures, a->eku_json, b->eku_json);
	CHECK(a->not_before == b->not_before && a->not_after == b->not_after);
	CHECK(a->created_at == b->created_at && a->issued_at == b->issued_at);
	CHECK(a->imported_at == b->imported_at && a->revoked_at == b->revoked_at);
	CHECK(a->validation_deadline == b->validation_deadline);
	CHECK_STR_EQ(a->revocation_reason, b->revocation_reason);
	CHECK(a->exported == b->exported);
	check_opt_str(harness_failures, a->renewal_json, b->renewal_json);
	CHECK(a->resent_at == b->resent_at);
}

TEST(store_acm_round_trip_and_update)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acm_cert c, got;
	CHECK(st != NULL);
	if (st == NULL)
		return;
	fill_acm_full(&c, "full");
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	CHECK(store_acm_cert_insert(st, &c, &err) < 0 && err.code == CM_ERR_CONFLICT);
	CHECK(store_acm_cert_get(st, ACCT, "full", &got, &err) == 0);
	check_same(harness_failures, &c, &got, true);
	store_acm_cert_clear(&got);
	/* The summary is the same row without the material. */
	CHECK(!got.material_omitted);
	CHECK(store_acm_cert_get_summary(st, ACCT, "full", &got, &err) == 0);
	check_same(harness_failures, &c, &got, false);
	CHECK(got.material_omitted && got.revision == 1);
	store_acm_cert_clear(&got);
	CHECK(store_acm_cert_get_summary(st, OTHER, "full", &got, &err) < 0 &&
	      err.code == CM_ERR_NOT_FOUND);
	CHECK(store_acm_cert_get(st, OTHER, "full", &got, &err) < 0);
	CHECK(err.code == CM_ERR_NOT_FOUND);
	CHECK(store_acm_cert_get(st, ACCT, "nope", &got, &err) < 0 && err.code == CM_ERR_NOT_FOUND);

	/* Update rewrites everything but the key columns, NULLs included. */
	struct store_acm_cert u;
	fill_acm(&u, "full", ACCT, 42);
	strcpy(u.serial, "ff");
	u.not_after = 999;
	u.revision = 1; /* as inserted */
	CHECK(store_acm_cert_update(st, &u, &err) == 0);
	/* A writer that read revision 1 too has lost the race. */
	CHECK(store_acm_cert_update(st, &u, &err) < 0 && err.code == CM_ERR_CONFLICT);
	CHECK(store_acm_cert_get(st, ACCT, "full", &got, &err) == 0);
	CHECK(got.key_sealed == NULL && got.cert_der == NULL && got.names_json == NULL);
	check_same(harness_failures, &u, &got, false);
	store_acm_cert_clear(&got);
	fill_acm_full(&u, "full");
	u.created_at = 7; /* not rewritten */
	u.revision = 2;
	CHECK(store_acm_cert_update(st, &u, &err) == 0);
	CHECK(store_acm_cert_get(st, ACCT, "full", &got, &err) == 0);
	CHECK(got.created_at == 42 && got.revision == 3);
	u.created_at = 42;
	check_same(harness_failures, &u, &got, true);
	store_acm_cert_clear(&got);

	/* Marking exported touches only that flag, and counts as a change. */
	CHECK(store_acm_cert_mark_exported(st, ACCT, "full", &err) == 0);
	CHECK(store_acm_cert_get(st, ACCT, "full", &got, &err) == 0);
	CHECK(got.exported && got.revision == 4 && strcmp(got.serial, u.serial) == 0);
	store_acm_cert_clear(&got);
	CHECK(store_acm_cert_mark_exported(st, OTHER, "full", &err) < 0 &&
	      err.code == CM_ERR_NOT_FOUND);

	/* Another account's or a deleted row is not found. */
	snprintf(u.account_id, sizeof(u.account_id), "%s", OTHER);
	CHECK(store_acm_cert_update(st, &u, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	fill_acm(&u, "gone", ACCT, 1);
	CHECK(store_acm_cert_update(st, &u, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	scratch_done(st, dir);
}

/* The scan's update writes its three columns and the revision, nothing
 * else, under the same revision check as the whole-row update. */
TEST(store_acm_update_scan_columns)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acm_cert c, got;
	CHECK(st != NULL);
	if (st == NULL)
		return;
	fill_acm_full(&c, "scan");
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	struct store_acm_cert u = c;
	u.revision = 1; /* as inserted */
	u.scan_due_at = 86400 * 3;
	u.expiry_warned_day = 2;
	u.action_required_days = 15;
	strcpy(u.serial, "changed in memory only");
	u.not_after = 1;
	CHECK(store_acm_cert_update_scan(st, &u, &err) == 0);
	CHECK(store_acm_cert_update_scan(st, &u, &err) < 0 && err.code == CM_ERR_CONFLICT);
	CHECK(store_acm_cert_get(st, ACCT, "scan", &got, &err) == 0);
	CHECK(got.revision == 2 && got.scan_due_at == 86400 * 3);
	CHECK(got.expiry_warned_day == 2 && got.action_required_days == 15);
	/* Everything else is as inserted. */
	c.scan_due_at = got.scan_due_at;
	c.expiry_warned_day = got.expiry_warned_day;
	c.action_required_days = got.action_required_days;
	check_same(harness_failures, &c, &got, true);
	store_acm_cert_clear(&got);
	u.revision = 2;
	snprintf(u.account_id, sizeof(u.account_id), "%s", OTHER);
	CHECK(store_acm_cert_update_scan(st, &u, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	scratch_done(st, dir);
}

/* The material lives in its own table (migration 12): a record read without
 * it updates the row and leaves the material as stored; a full update
 * writes the material only when it changed; a delete takes it along. */
TEST(store_acm_material_kept_apart)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acm_cert c, sum, got;
	CHECK(st != NULL);
	if (st == NULL)
		return;
	fill_acm_full(&c, "mat");
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	CHECK(store_acm_cert_get_summary(st, ACCT, "mat", &sum, &err) == 0);
	strcpy(sum.status, "REVOKED");
	CHECK(store_acm_cert_update(st, &sum, &err) == 0);
	CHECK(store_acm_cert_get(st, ACCT, "mat", &got, &err) == 0);
	CHECK_STR_EQ(got.status, "REVOKED");
	strcpy(c.status, "REVOKED");
	check_same(harness_failures, &c, &got, true);
	/* Unchanged material: the row alone is written. */
	sqlite3 *db = store_db(st, &err);
	sqlite3_int64 before = sqlite3_total_changes64(db);
	strcpy(got.status, "ISSUED");
	CHECK(store_acm_cert_update(st, &got, &err) == 0);
	CHECK(sqlite3_total_changes64(db) - before == 1);
	/* Changed material: both rows. */
	static unsigned char other_der[4] = {0x30, 0x02, 0x05, 0x00};
	free(got.cert_der);
	got.cert_der = malloc(sizeof(other_der));
	CHECK(got.cert_der != NULL);
	if (got.cert_der != NULL)
		memcpy(got.cert_der, other_der, sizeof(other_der));
	got.cert_der_len = sizeof(other_der);
	got.revision++;
	before = sqlite3_total_changes64(db);
	CHECK(store_acm_cert_update(st, &got, &err) == 0);
	CHECK(sqlite3_total_changes64(db) - before == 2);
	store_acm_cert_clear(&got);
	CHECK(store_acm_cert_get(st, ACCT, "mat", &got, &err) == 0);
	CHECK(got.cert_der_len == sizeof(other_der) &&
	      memcmp(got.cert_der, other_der, sizeof(other_der)) == 0);
	store_acm_cert_clear(&got);
	/* A failed update (stale revision) leaves the material too. */
	CHECK(store_acm_cert_update(st, &sum, &err) < 0 && err.code == CM_ERR_CONFLICT);
	CHECK(scratch_sql_int(st, "SELECT count(*) FROM acm_cert_material") == 1);
	CHECK(store_acm_cert_delete(st, ACCT, "mat", &err) == 0);
	CHECK(scratch_sql_int(st, "SELECT count(*) FROM acm_cert_material") == 0);
	store_acm_cert_clear(&sum);
	scratch_done(st, dir);
}

/* A data folder of schema 11 (material inline) upgrades to 12 with every
 * certificate's material moved, its tags kept, and foreign keys on. */
TEST(store_acm_material_migration)
{
	char dir[64], path[128];
	struct cm_err err = {0};
	sqlite3 *db = NULL;
	CHECK(scratch_dir(dir));
	snprintf(path, sizeof(path), "%s/certain.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(store_migrate_to(db, 11, &err) == 0);
	CHECK(sqlite3_exec(db,
			   "INSERT INTO accounts VALUES ('111111111111', 1);"
			   "INSERT INTO acm_certificates (id, account_id, created_at, revision, type,"
			   " status, chain_pem, key_sealed, cert_der, not_after) VALUES"
			   " ('old', '111111111111', 5, 3, 'PRIVATE', 'ISSUED', 'CHAIN',"
			   " x'0102', x'300100', 900),"
			   " ('bare', '111111111111', 6, 1, 'AMAZON_ISSUED', 'PENDING_VALIDATION',"
			   " NULL, NULL, NULL, 0);"
			   "INSERT INTO acm_cert_tags VALUES ('old', 'k', 'v');",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	struct store *st = store_open(path, false, &err);
	CHECK(st != NULL);
	if (st != NULL) {
		struct store_acm_cert got;
		CHECK(store_acm_cert_get(st, "111111111111", "old", &got, &err) == 0);
		CHECK(got.revision == 3 && got.not_after == 900 && got.chain_pem != NULL &&
		      strcmp(got.chain_pem, "CHAIN") == 0);
		CHECK(got.key_sealed_len == 2 && got.key_sealed[1] == 0x02);
		CHECK(got.cert_der_len == 3 && got.cert_der[0] == 0x30);
		store_acm_cert_clear(&got);
		CHECK(store_acm_cert_get(st, "111111111111", "bare", &got, &err) == 0);
		CHECK(got.chain_pem == NULL && got.key_sealed == NULL && got.cert_der == NULL);
		store_acm_cert_clear(&got);
		CHECK(scratch_sql_int(st, "SELECT count(*) FROM acm_cert_tags") == 1);
		CHECK(scratch_sql_int(st, "SELECT count(*) FROM acm_cert_material") == 2);
		CHECK(scratch_sql_int(st, "SELECT max(version) FROM schema_version") == 12);
		CHECK(scratch_sql_int(st, "PRAGMA foreign_keys") == 1);
		CHECK(scratch_sql_int(st, "SELECT count(*) FROM pragma_table_info('acm_certificates')"
					  " WHERE name IN ('chain_pem', 'key_sealed', 'cert_der')") == 0);
		CHECK(scratch_sql_int(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
					  " AND tbl_name = 'acm_certificates'") == 5);
		/* The references into the rebuilt table still hold: a delete
		 * takes the certificate's tag and material with it. */
		CHECK(store_acm_cert_delete(st, "111111111111", "old", &err) == 0);
		CHECK(scratch_sql_int(st, "SELECT count(*) FROM acm_cert_tags") == 0);
		CHECK(scratch_sql_int(st, "SELECT count(*) FROM acm_cert_material") == 1);
	}
	scratch_done(st, dir);
}

TEST(store_acm_effective_status)
{
	struct store_acm_cert c;
	fill_acm(&c, "x", ACCT, 1);
	c.not_after = 100;
	CHECK_STR_EQ(store_acm_effective_status(&c, 99), "ISSUED");
	CHECK_STR_EQ(store_acm_effective_status(&c, 100), "EXPIRED");
	strcpy(c.status, "PENDING_VALIDATION");
	CHECK_STR_EQ(store_acm_effective_status(&c, 1000), "PENDING_VALIDATION");
	c.validation_deadline = 50;
	CHECK_STR_EQ(store_acm_effective_status(&c, 49), "PENDING_VALIDATION");
	CHECK_STR_EQ(store_acm_effective_status(&c, 50), "VALIDATION_TIMED_OUT");
	strcpy(c.status, "REVOKED");
	CHECK_STR_EQ(store_acm_effective_status(&c, 1000), "REVOKED");
}

TEST(store_acm_delete_cascades)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acm_cert c;
	struct store_tag *tags = NULL;
	struct store_acm_history h = {0}, *hist = NULL;
	char **users = NULL;
	size_t n = 0;
	if (st == NULL)
		return;
	fill_acm(&c, "a", ACCT, 1);
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	fill_acm(&c, "b", ACCT, 2);
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	strcpy(h.serial, "01");
	for (int i = 0; i < 2; i++) {
		const char *id = i == 0 ? "a" : "b";
		CHECK(store_acm_tag_put(st, id, "k", "v", &err) == 0);
		CHECK(store_acm_usage_add(st, id, "target-1", &err) == 0);
		strcpy(h.cert_id, id);
		CHECK(store_acm_history_add(st, &h, &err) == 0);
	}
	CHECK(store_acm_cert_delete(st, OTHER, "a", &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	CHECK(store_acm_cert_delete(st, ACCT, "a", &err) == 0);
	CHECK(store_acm_cert_delete(st, ACCT, "a", &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	CHECK(store_acm_tags_get(st, "a", &tags, &n, &err) == 0 && n == 0);
	store_tags_free(tags, n);
	CHECK(store_acm_usage_list(st, "a", &users, &n, &err) == 0 && n == 0);
	store_strings_free(users, n);
	CHECK(store_acm_history_list(st, "a", &hist, &n, &err) == 0 && n == 0);
	free(hist);
	/* The neighbour keeps its rows. */
	CHECK(store_acm_tags_get(st, "b", &tags, &n, &err) == 0 && n == 1);
	store_tags_free(tags, n);
	CHECK(store_acm_usage_list(st, "b", &users, &n, &err) == 0 && n == 1);
	store_strings_free(users, n);
	CHECK(store_acm_history_list(st, "b", &hist, &n, &err) == 0 && n == 1);
	free(hist);
	scratch_done(st, dir);
}

/* Collects a page: ids in order, and whether the blobs stayed unloaded. */
struct page {
	char ids[32][40];
	int64_t created[32];
	int n;
	bool blobs_loaded, fields_missing;
};

static void collect(void *ctx, const struct store_acm_cert *c)
{
	struct page *p = ctx;
	if (c->key_sealed != NULL || c->cert_der != NULL)
		p->blobs_loaded = true;
	if (c->names_json == NULL || c->domain_name[0] == '\0')
		p->fields_missing = true;
	if (p->n < 32) {
		snprintf(p->ids[p->n], sizeof(p->ids[0]), "%s", c->id);
		p->created[p->n] = c->created_at;
		p->n++;
	}
}

/* Lists a page after the last row of *prev (or from the start). */
static int page_after(struct store *st, const struct store_acm_filter *f, const struct page *prev,
		      int limit, struct page *out)
{
	struct cm_err err = {0};
	memset(out, 0, sizeof(*out));
	if (prev == NULL || prev->n == 0)
		return store_acm_cert_list(st, ACCT, f, 0, "", limit, collect, out, NULL, &err);
	return store_acm_cert_list(st, ACCT, f, prev->created[prev->n - 1], prev->ids[prev->n - 1],
				   limit, collect, out, NULL, &err);
}

/* Concatenated ids of a page, e.g. "c0 c1 c2". */
static const char *page_ids(const struct page *p, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < p->n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", p->ids[i]);
	return buf;
}

static void insert_simple(struct store *st, const char *id, const char *account, int64_t created)
{
	struct cm_err err = {0};
	struct store_acm_cert c;
	static unsigned char key[2] = {1, 2};
	fill_acm(&c, id, account, created);
	c.names_json = "[\"example.com\"]";
	c.key_sealed = key;
	c.key_sealed_len = sizeof(key);
	c.cert_der = key;
	c.cert_der_len = sizeof(key);
	if (store_acm_cert_insert(st, &c, &err) < 0)
		fprintf(stderr, "insert %s: %s\n", id, err.msg);
}

TEST(store_acm_list_pages)
{
	char dir[64], buf[256];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acm_filter f = {.now = 10};
	struct page p1, p2, p3;
	if (st == NULL)
		return;
	/* c0..c6, ties on created_at broken by id; one row of another account. */
	for (int i = 0; i < 7; i++) {
		char id[16];
		snprintf(id, sizeof(id), "c%d", i);
		insert_simple(st, id, ACCT, 100 + i / 2);
	}
	insert_simple(st, "o", OTHER, 100);
	CHECK(page_after(st, &f, NULL, 3, &p1) == 3);
	CHECK_STR_EQ(page_ids(&p1, buf, sizeof(buf)), "c0 c1 c2");
	CHECK(!p1.blobs_loaded && !p1.fields_missing);
	/* Between pages: a row already passed is deleted, a later one appears,
	 * one not yet reached is deleted, one lands before the cursor. */
	CHECK(store_acm_cert_delete(st, ACCT, "c1", &err) == 0);
	CHECK(store_acm_cert_delete(st, ACCT, "c4", &err) == 0);
	insert_simple(st, "c7", ACCT, 200);
	insert_simple(st, "b9", ACCT, 101); /* (101,"b9") < (101,"c2"): not seen */
	CHECK(page_after(st, &f, &p1, 3, &p2) == 3);
	CHECK_STR_EQ(page_ids(&p2, buf, sizeof(buf)), "c3 c5 c6");
	CHECK(page_after(st, &f, &p2, 3, &p3) == 1);
	CHECK_STR_EQ(page_ids(&p3, buf, sizeof(buf)), "c7");
	CHECK(page_after(st, &f, &p3, 3, &p1) == 0);

	f.descending = true;
	CHECK(page_after(st, &f, NULL, 4, &p1) == 4);
	CHECK_STR_EQ(page_ids(&p1, buf, sizeof(buf)), "c7 c6 c5 c3");
	CHECK(page_after(st, &f, &p1, 4, &p2) == 3);
	CHECK_STR_EQ(page_ids(&p2, buf, sizeof(buf)), "c2 b9 c0");
	CHECK(page_after(st, &f, &p2, 4, &p3) == 0);
	scratch_done(st, dir);
}

/* Inserts one certificate differing from the default in the given way. */
static void insert_variant(struct store *st, const char *id, int64_t created, const char *status,
			   int64_t not_after, int64_t deadline, const char *key_alg, unsigned eku,
			   unsigned ku)
{
	struct cm_err err = {0};
	struct store_acm_cert c;
	fill_acm(&c, id, ACCT, created);
	c.names_json = "[]";
	snprintf(c.status, sizeof(c.status), "%s", status);
	c.not_after = not_after;
	c.validation_deadline = deadline;
	snprintf(c.key_alg, sizeof(c.key_alg), "%s", key_alg);
	c.eku_bits = eku;
	c.key_usage = ku;
	if (strcmp(id, "exp") == 0)
		strcpy(c.export_option, "ENABLED");
	if (strcmp(id, "man") == 0)
		strcpy(c.managed_by, "CLOUDFRONT");
	if (store_acm_cert_insert(st, &c, &err) < 0)
		fprintf(stderr, "insert %s: %s\n", id, err.msg);
}

static const char *list_ids(struct store *st, const struct store_acm_filter *f, char *buf,
			    size_t size)
{
	struct page p;
	if (page_after(st, f, NULL, 32, &p) < 0)
		return "(error)";
	return page_ids(&p, buf, size);
}

TEST(store_acm_list_filters)
{
	char dir[64], buf[256];
	struct store *st = scratch_store(dir);
	if (st == NULL)
		return;
	/* now = 500 throughout. */
	insert_variant(st, "iss", 1, "ISSUED", 1000, 0, "RSA_2048", 1, 0x1);
	insert_variant(st, "expd", 2, "ISSUED", 500, 0, "RSA_2048", 2, 0x2);
	insert_variant(st, "pend", 3, "PENDING_VALIDATION", 0, 0, "EC_prime256v1", 0, 0);
	insert_variant(st, "tout", 4, "PENDING_VALIDATION", 0, 400, "EC_prime256v1", 0, 0);
	insert_variant(st, "late", 5, "PENDING_VALIDATION", 0, 600, "RSA_4096", 0, 0);
	insert_variant(st, "rev", 6, "REVOKED", 100, 0, "RSA_4096", 4, 0x4);
	insert_variant(st, "exp", 7, "ISSUED", 1000, 0, "RSA_2048", 0, 0);
	insert_variant(st, "man", 8, "ISSUED", 1000, 0, "RSA_2048", 0, 0);

	struct store_acm_filter f = {.now = 500};
	const char *issued[] = {"ISSUED"};
	f.statuses = issued;
	f.n_statuses = 1;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "iss exp man");
	const char *derived[] = {"EXPIRED", "VALIDATION_TIMED_OUT"};
	f.statuses = derived;
	f.n_statuses = 2;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "expd tout");
	const char *pending[] = {"PENDING_VALIDATION", "REVOKED"};
	f.statuses = pending;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "pend late rev");
	f.n_statuses = 0;

	const char *algs[] = {"EC_prime256v1", "RSA_4096"};
	f.key_algs = algs;
	f.n_key_algs = 2;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "pend tout late rev");
	f.statuses = issued; /* filters AND */
	f.n_statuses = 1;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "");
	f.n_statuses = 0;
	f.n_key_algs = 0;

	f.eku_any = 2 | 4;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "expd rev");
	f.eku_any = 0;
	f.ku_any = 0x1 | 0x2;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "iss expd");
	f.ku_any = 0;
	f.export_option = "ENABLED";
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "exp");
	f.export_option = NULL;
	f.managed_by = "CLOUDFRONT";
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "man");
	f.managed_by = NULL;
	CHECK_STR_EQ(list_ids(st, &f, buf, sizeof(buf)), "iss expd pend tout late rev exp man");
	CHECK_STR_EQ(list_ids(st, NULL, buf, sizeof(buf)), "iss expd pend tout late rev exp man");
	scratch_done(st, dir);
}

/* True when the plan of sql reads the listing index in order: a search on
 * acm_certificates_account, no full scan, no sort. */
static bool plan_uses_index(struct store *st, const char *sql)
{
	struct cm_err err = {0};
	char q[4096];
	bool index = false, bad = false;
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *stmt = store_prepare(st, q, &err);
	if (stmt == NULL)
		return false;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(stmt, 3);
		if (d == NULL)
			continue;
		if (strstr(d, "USING INDEX acm_certificates_account (account_id=?") != NULL)
			index = true;
		if (strncmp(d, "SCAN", 4) == 0 || strstr(d, "TEMP B-TREE") != NULL)
			bad = true;
	}
	store_release(st, stmt);
	return index && !bad;
}

TEST(store_acm_list_uses_index)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	const char *statuses[] = {"ISSUED", "EXPIRED"};
	const char *algs[] = {"RSA_2048"};
	if (st == NULL)
		return;
	for (int mask = 0; mask < 8; mask++) {
		struct store_acm_filter f = {.now = 1, .descending = (mask & 1) != 0};
		if (mask & 2) {
			f.statuses = statuses;
			f.n_statuses = 2;
			f.key_algs = algs;
			f.n_key_algs = 1;
			f.eku_any = 1;
			f.ku_any = 1;
			f.export_option = "ENABLED";
			f.managed_by = "CLOUDFRONT";
		}
		char *sql = store_acm_list_sql(&f, (mask & 4) ? "cursor" : "", (mask & 4) != 0);
		CHECK(sql != NULL);
		if (sql == NULL)
			continue;
		if (!plan_uses_index(st, sql))
			fprintf(stderr, "  plan not indexed: %s\n", sql);
		CHECK(plan_uses_index(st, sql));
		free(sql);
	}
	scratch_done(st, dir);
}

TEST(store_acm_tags_usage_history)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_tag *tags = NULL;
	char **users = NULL;
	size_t n = 0;
	if (st == NULL)
		return;
	insert_simple(st, "c", ACCT, 1);
	CHECK(store_acm_tag_put(st, "c", "b", "1", &err) == 0);
	CHECK(store_acm_tag_put(st, "c", "a", "2", &err) == 0);
	CHECK(store_acm_tag_put(st, "c", "b", "3", &err) == 0); /* overwrite */
	CHECK(store_acm_tag_put(st, "c", "e", "", &err) == 0);
	CHECK(store_acm_tag_delete(st, "c", "a", "nomatch", &err) == 0); /* kept */
	CHECK(store_acm_tag_delete(st, "c", "e", NULL, &err) == 0);	 /* any value */
	CHECK(store_acm_tags_get(st, "c", &tags, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(tags[0].key, "a");
		CHECK_STR_EQ(tags[0].value, "2");
		CHECK_STR_EQ(tags[1].key, "b");
		CHECK_STR_EQ(tags[1].value, "3");
	}
	store_tags_free(tags, n);
	CHECK(store_acm_tag_delete(st, "c", "b", "3", &err) == 0); /* matching value */
	CHECK(store_acm_tags_get(st, "c", &tags, &n, &err) == 0 && n == 1);
	store_tags_free(tags, n);
	CHECK(store_acm_tag_put(st, "missing", "k", "v", &err) < 0); /* no such certificate */

	CHECK(store_acm_usage_add(st, "c", "target-b", &err) == 0);
	CHECK(store_acm_usage_add(st, "c", "target-a", &err) == 0);
	CHECK(store_acm_usage_add(st, "c", "target-b", &err) == 0); /* twice: once */
	struct store_acm_cert used;
	CHECK(store_acm_cert_get(st, ACCT, "c", &used, &err) == 0 && used.in_use);
	store_acm_cert_clear(&used);
	CHECK(store_acm_usage_list(st, "c", &users, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(users[0], "target-a");
		CHECK_STR_EQ(users[1], "target-b");
	}
	store_strings_free(users, n);
	CHECK(store_acm_usage_remove(st, "c", "target-a", &err) == 0);
	CHECK(store_acm_usage_remove(st, "c", "target-a", &err) == 0); /* absent: fine */
	CHECK(store_acm_usage_remove(st, "c", "target-b", &err) == 0);
	CHECK(store_acm_cert_get(st, ACCT, "c", &used, &err) == 0 && !used.in_use);
	store_acm_cert_clear(&used);
	CHECK(store_acm_usage_add(st, "c", "target-b", &err) == 0);
	CHECK(store_acm_usage_list(st, "c", &users, &n, &err) == 0 && n == 1);
	if (n == 1)
		CHECK_STR_EQ(users[0], "target-b");
	store_strings_free(users, n);

	struct store_acm_history h = {0}, *hist = NULL;
	strcpy(h.cert_id, "c");
	strcpy(h.serial, "02");
	h.not_before = 10;
	h.not_after = 20;
	h.replaced_at = 30;
	CHECK(store_acm_history_add(st, &h, &err) == 0);
	strcpy(h.serial, "01");
	strcpy(h.ca_arn, "arn:ca");
	h.replaced_at = 25;
	CHECK(store_acm_history_add(st, &h, &err) == 0);
	CHECK(store_acm_history_list(st, "c", &hist, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(hist[0].serial, "01");
		CHECK_STR_EQ(hist[0].ca_arn, "arn:ca");
		CHECK(hist[0].replaced_at == 25);
		CHECK_STR_EQ(hist[1].serial, "02");
		CHECK_STR_EQ(hist[1].ca_arn, "");
		CHECK(hist[1].not_before == 10 && hist[1].not_after == 20);
		CHECK_STR_EQ(hist[1].cert_id, "c");
	}
	free(hist);
	scratch_done(st, dir);
}

TEST(store_account_config)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	int days = -1;
	if (st == NULL)
		return;
	CHECK(store_account_days_before_expiry(st, ACCT, &days, &err) == 0);
	CHECK(days == -1);
	CHECK(store_account_set_days_before_expiry(st, ACCT, 45, &err) == 0);
	CHECK(store_account_days_before_expiry(st, ACCT, &days, &err) == 1 && days == 45);
	CHECK(store_account_set_days_before_expiry(st, ACCT, 7, &err) == 0);
	CHECK(store_account_days_before_expiry(st, ACCT, &days, &err) == 1 && days == 7);
	CHECK(store_account_days_before_expiry(st, OTHER, &days, &err) == 0);
	scratch_done(st, dir);
}

static void count_row(void *ctx, const struct store_acm_cert *c)
{
	(void)c;
	(*(int *)ctx)++;
}

TEST(store_acm_list_examines_a_bounded_window)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acm_window w;
	static const char *const ec[] = {"EC_prime256v1"};
	if (st == NULL)
		return;
	/* Ten certificates; only the eighth matches the filter. */
	for (int i = 0; i < 10; i++) {
		struct store_acm_cert c;
		char id[8];
		snprintf(id, sizeof(id), "w%d", i);
		fill_acm(&c, id, ACCT, 100 + i);
		strcpy(c.key_alg, i == 7 ? "EC_prime256v1" : "RSA_2048");
		CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	}
	struct store_acm_filter f = {.key_algs = ec, .n_key_algs = 1, .max_examined = 3};
	int found = 0, pages = 0;
	int64_t at = 0;
	char after[40] = "";
	/* Pages of at most three rows looked at: short (even empty) pages, each
	 * ending where the walk stopped, until the walk reaches the end. */
	do {
		int n = store_acm_cert_list(st, ACCT, &f, at, after, 5, count_row, &found, &w, &err);
		CHECK(n >= 0);
		pages++;
		if (w.capped) {
			at = w.end_created_at;
			snprintf(after, sizeof(after), "%s", w.end_id);
		}
	} while (w.capped && pages < 10);
	CHECK(found == 1);
	CHECK(pages == 4); /* rows 0-2, 3-5, 6-8 (the match), then 9 and the end */
	/* Without a bound the one page finds it and says it looked at everything. */
	f.max_examined = 0;
	found = 0;
	CHECK(store_acm_cert_list(st, ACCT, &f, 0, "", 5, count_row, &found, &w, &err) == 1);
	CHECK(found == 1 && !w.capped);
	scratch_done(st, dir);
}
