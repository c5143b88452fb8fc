/* Revocation publishing pieces: the CRL numbers and revoked lists the store
 * keeps (strictly increasing numbers, per CA, through the index), a serial's
 * OCSP status, the CA scan, and the cache of pre-signed OCSP responses
 * (hits, refresh, exact invalidation, the generation check, the bound). */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "pca/revocation.h"
#include "revocation/ocsp_cache.h"
#include "store/internal.h"
#include "store/store.h"

static struct store *rev_scratch(char *dir)
{
	struct cm_err err = {0};
	char path[256];
	strcpy(dir, "/tmp/certain-unit-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/certain.db", dir);
	return store_open(path, true, &err);
}

static void rev_scratch_done(struct store *st, const char *dir)
{
	char cmd[300];
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

TEST(store_crl_numbers_strictly_increase)
{
	char dir[64];
	struct store *st = rev_scratch(dir);
	struct cm_err err = {0};
	struct store_crl rec;
	uint64_t a = 0, b = 0, c = 0, d = 0, o = 0;
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_crl_get(st, "ca", &rec, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	CHECK(store_crl_next_number(st, "ca", 1000, &a, &err) == 0 && a == 1000);
	/* The same millisecond twice, then a clock that stepped back: still up. */
	CHECK(store_crl_next_number(st, "ca", 1000, &b, &err) == 0 && b == 1001);
	CHECK(store_crl_next_number(st, "ca", 500, &c, &err) == 0 && c == 1002);
	CHECK(store_crl_next_number(st, "ca", 5000, &d, &err) == 0 && d == 5000);
	CHECK(store_crl_next_number(st, "other", 7, &o, &err) == 0 && o == 7); /* per CA */
	/* Times are recorded only for the latest number handed out. */
	CHECK(store_crl_set_published(st, "ca", 5000, 10, 20, &err) == 0);
	CHECK(store_crl_get(st, "ca", &rec, &err) == 0);
	CHECK(rec.number == 5000 && rec.this_update == 10 && rec.next_update == 20);
	CHECK(store_crl_set_published(st, "ca", 1002, 30, 40, &err) == 0);
	CHECK(store_crl_get(st, "ca", &rec, &err) == 0 && rec.this_update == 10);
	rev_scratch_done(st, dir);
}

static int n_revoked;
static void count_revoked(void *ctx, const struct store_revoked *r)
{
	(void)ctx;
	if (strcmp(r->serial, "0b") == 0 && r->revoked_at == 50 &&
	    strcmp(r->reason, "KEY_COMPROMISE") == 0)
		n_revoked++;
	else
		n_revoked += 100; /* anything else is wrong */
}

static void add_cert(struct store *st, const char *ca, const char *serial, bool issued)
{
	struct store_cert c = {0};
	struct cm_err err = {0};
	unsigned char der[3] = {1, 2, 3};
	snprintf(c.ca_id, sizeof(c.ca_id), "%s", ca);
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	strcpy(c.account_id, "111111111111");
	strcpy(c.template_arn, "t");
	strcpy(c.requester, "r");
	c.not_after = 1000;
	/* Not issued: a serial reserved by an earlier version's two-commit
	 * issuing and never filled in, as a crash could leave it. */
	if (issued) {
		c.der = der;
		c.der_len = sizeof(der);
	}
	store_cert_insert(st, &c, NULL, &err);
}

/* The CRL's query reads the partial index of revoked rows (migration 11),
 * and issuance writes no index but the primary key's. */
TEST(store_revoked_query_plan_and_indexes)
{
	char dir[64];
	struct store *st = rev_scratch(dir);
	struct cm_err err = {0};
	char q[512];
	bool uses = false, scans = false;
	if (st == NULL)
		return;
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", store_crl_revoked_sql);
	sqlite3_stmt *stmt = store_prepare(st, q, &err);
	while (stmt != NULL && sqlite3_step(stmt) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(stmt, 3);
		uses |= d != NULL && strstr(d, "USING INDEX certificates_revoked (ca_id=?") != NULL;
		scans |= d != NULL && strncmp(d, "SCAN", 4) == 0;
	}
	store_release(st, stmt);
	CHECK(uses && !scans);
	int indexes = -1;
	stmt = store_prepare(st,
			     "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
			     "tbl_name = 'certificates' AND sql IS NOT NULL",
			     &err);
	if (stmt != NULL && sqlite3_step(stmt) == SQLITE_ROW)
		indexes = sqlite3_column_int(stmt, 0);
	store_release(st, stmt);
	CHECK(indexes == 1); /* certificates_revoked; the primary key's is implicit */
	rev_scratch_done(st, dir);
}

TEST(store_revoked_list_and_status)
{
	char dir[64];
	struct store *st = rev_scratch(dir);
	struct cm_err err = {0};
	char reason[40];
	int64_t at = -1;
	if (st == NULL)
		return;
	add_cert(st, "ca", "0a", true);
	add_cert(st, "ca", "0b", true);
	add_cert(st, "ca", "0c", false); /* reserved only */
	add_cert(st, "ca2", "0b", true);
	CHECK(store_cert_revoke(st, "ca", "0b", 50, "KEY_COMPROMISE", &err) == 0);
	n_revoked = 0;
	CHECK(store_cert_revoked_each(st, "ca", INT64_MIN, count_revoked, NULL, &err) == 1);
	CHECK(n_revoked == 1);
	CHECK(store_cert_revoked_each(st, "ca2", INT64_MIN, count_revoked, NULL, &err) == 0);
	/* Past its notAfter (1000) a revoked certificate is left out when asked. */
	CHECK(store_cert_revoked_each(st, "ca", 999, count_revoked, NULL, &err) == 1);
	CHECK(store_cert_revoked_each(st, "ca", 1000, count_revoked, NULL, &err) == 0);
	CHECK(n_revoked == 2);
	CHECK(store_cert_status(st, "ca", "0a", &at, reason, sizeof(reason), &err) == 0 &&
	      at == 0);
	CHECK(store_cert_status(st, "ca", "0b", &at, reason, sizeof(reason), &err) == 0 &&
	      at == 50);
	CHECK_STR_EQ(reason, "KEY_COMPROMISE");
	CHECK(store_cert_status(st, "ca", "0c", &at, reason, sizeof(reason), &err) < 0 &&
	      err.code == CM_ERR_NOT_FOUND);
	CHECK(store_cert_status(st, "ca", "0d", &at, reason, sizeof(reason), &err) < 0 &&
	      err.code == CM_ERR_NOT_FOUND);
	rev_scratch_done(st, dir);
}

#define SERIAL "3dc4a9e1f0b2c3d4e5f60718293a4b5c"

TEST(revocation_cfg_and_urls)
{
	struct pca_revocation_cfg cfg;
	struct store_ca ca = {0};
	char crl[PCA_CRL_URL_MAX], ocsp[300];
	strcpy(ca.id, "11111111-2222-4333-8444-555555555555");
	pca_revocation_cfg_parse("{\"CrlConfiguration\":{\"Enabled\":true,\"ExpirationInDays\":3,"
				 "\"S3BucketName\":\"b\"},\"OcspConfiguration\":{\"Enabled\":true}}",
				 &cfg);
	CHECK(cfg.crl_enabled && cfg.crl_days == 3 && cfg.ocsp_enabled);
	CHECK_STR_EQ(cfg.crl_bucket, "b");
	pca_revocation_cfg_parse(NULL, &cfg);
	CHECK(!cfg.crl_enabled && !cfg.ocsp_enabled && cfg.crl_days == PCA_CRL_DEFAULT_DAYS);
	ca.revocation_json = "{\"CrlConfiguration\":{\"Enabled\":true,\"S3BucketName\":\"b\"},"
			     "\"OcspConfiguration\":{\"Enabled\":true}}";
	pca_set_public_url(NULL);
	pca_revocation_urls(&ca, SERIAL, crl, sizeof(crl), ocsp, sizeof(ocsp));
	CHECK(crl[0] == '\0' && ocsp[0] == '\0'); /* no public listener, no cname */
	pca_set_public_url("http://127.0.0.1:9/");
	pca_revocation_urls(&ca, SERIAL, crl, sizeof(crl), ocsp, sizeof(ocsp));
	CHECK_STR_EQ(crl, "http://127.0.0.1:9/crl/11111111-2222-4333-8444-555555555555.crl");
	CHECK_STR_EQ(ocsp, "http://127.0.0.1:9/ocsp");
	ca.revocation_json = "{\"CrlConfiguration\":{\"Enabled\":true,\"S3BucketName\":\"b\","
			     "\"CustomCname\":\"crl.example\"},\"OcspConfiguration\":{\"Enabled\":"
			     "true,\"OcspCustomCname\":\"ocsp.example\"}}";
	pca_revocation_urls(&ca, SERIAL, crl, sizeof(crl), ocsp, sizeof(ocsp));
	CHECK_STR_EQ(crl, "http://crl.example/crl/11111111-2222-4333-8444-555555555555.crl");
	CHECK_STR_EQ(ocsp, "http://ocsp.example");
	/* CustomPath replaces the "crl" part (spec §6.8), with or without a cname. */
	ca.revocation_json = "{\"CrlConfiguration\":{\"Enabled\":true,\"S3BucketName\":\"b\","
			     "\"CustomCname\":\"crl.example\",\"CustomPath\":\"pki/v1\"}}";
	pca_revocation_urls(&ca, SERIAL, crl, sizeof(crl), ocsp, sizeof(ocsp));
	CHECK_STR_EQ(crl, "http://crl.example/pki/v1/11111111-2222-4333-8444-555555555555.crl");
	ca.revocation_json = "{\"CrlConfiguration\":{\"Enabled\":true,\"S3BucketName\":\"b\","
			     "\"CustomPath\":\"pki\"}}";
	pca_revocation_urls(&ca, SERIAL, crl, sizeof(crl), ocsp, sizeof(ocsp));
	CHECK_STR_EQ(crl, "http://127.0.0.1:9/pki/11111111-2222-4333-8444-555555555555.crl");
	/* PARTITIONED: the serial's partition (its third hex digit) names the file. */
	ca.revocation_json = "{\"CrlConfiguration\":{\"Enabled\":true,\"S3BucketName\":\"b\","
			     "\"CrlType\":\"PARTITIONED\"}}";
	pca_revocation_urls(&ca, SERIAL, crl, sizeof(crl), ocsp, sizeof(ocsp));
	CHECK_STR_EQ(crl, "http://127.0.0.1:9/crl/11111111-2222-4333-8444-555555555555-c.crl");
	CHECK(pca_crl_partition(SERIAL) == 12 && pca_crl_partition("7f0e") == 0);
	CHECK(pca_crl_partition("01F0") == 15 && pca_crl_partition("") == 0);
	ca.revocation_json = "{\"CrlConfiguration\":{\"Enabled\":true,\"S3BucketName\":\"b\","
			     "\"CrlDistributionPointExtensionConfiguration\":{\"OmitExtension\":"
			     "true}}}";
	pca_revocation_urls(&ca, SERIAL, crl, sizeof(crl), ocsp, sizeof(ocsp));
	CHECK(crl[0] == '\0' && ocsp[0] == '\0');
	pca_set_public_url(NULL);
}

static bool cache_has(struct ocsp_cache *c, const char *ca, const char *serial, int hash,
		      int64_t now, const char *want)
{
	unsigned char *der = NULL;
	size_t len = 0;
	bool ok = ocsp_cache_get(c, ca, serial, hash, now, &der, &len) == 1 &&
		  len == strlen(want) && memcmp(der, want, len) == 0;
	free(der);
	return ok;
}

TEST(ocsp_cache_hits_refresh_and_invalidation)
{
	struct ocsp_cache *c = ocsp_cache_new(64);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	uint64_t gen = ocsp_cache_generation(c);
	CHECK(ocsp_cache_put(c, "ca", "0a", 0, (const unsigned char *)"sha1", 4, 100, gen) == 0);
	CHECK(ocsp_cache_put(c, "ca", "0a", 1, (const unsigned char *)"sha256", 6, 100, gen) == 0);
	CHECK(ocsp_cache_put(c, "ca", "0b", 0, (const unsigned char *)"other", 5, 100, gen) == 0);
	CHECK(cache_has(c, "ca", "0a", 0, 50, "sha1"));
	CHECK(cache_has(c, "ca", "0a", 1, 50, "sha256"));
	CHECK(!cache_has(c, "ca", "0a", 2, 50, "sha1"));   /* another algorithm */
	CHECK(!cache_has(c, "ca2", "0a", 0, 50, "sha1"));  /* another CA */
	/* Due for refresh: a miss, and dropped. */
	CHECK(!cache_has(c, "ca", "0b", 0, 100, "other"));
	CHECK(ocsp_cache_count(c) == 2);
	/* A revocation drops every algorithm of that serial, nothing else. */
	CHECK(ocsp_cache_put(c, "ca", "0b", 0, (const unsigned char *)"other", 5, 100,
			     ocsp_cache_generation(c)) == 0);
	ocsp_cache_invalidate(c, "ca", "0a");
	CHECK(!cache_has(c, "ca", "0a", 0, 50, "sha1"));
	CHECK(!cache_has(c, "ca", "0a", 1, 50, "sha256"));
	CHECK(cache_has(c, "ca", "0b", 0, 50, "other"));
	/* A response built from a status read before the revocation is refused. */
	CHECK(ocsp_cache_put(c, "ca", "0a", 0, (const unsigned char *)"good", 4, 100, gen) < 0);
	CHECK(!cache_has(c, "ca", "0a", 0, 50, "good"));
	ocsp_cache_clear(c);
	CHECK(ocsp_cache_count(c) == 0 && !cache_has(c, "ca", "0b", 0, 50, "other"));
	ocsp_cache_free(c);
}

TEST(ocsp_cache_is_bounded)
{
	struct ocsp_cache *c = ocsp_cache_new(16);
	char serial[16];
	if (c == NULL)
		return;
	for (int i = 0; i < 1000; i++) {
		snprintf(serial, sizeof(serial), "%04x", i);
		CHECK(ocsp_cache_put(c, "ca", serial, 0, (const unsigned char *)"x", 1, 100 + i,
				     ocsp_cache_generation(c)) == 0);
	}
	CHECK(ocsp_cache_count(c) <= 16);
	/* The latest put is always there: it replaced the one due first. */
	CHECK(cache_has(c, "ca", "03e7", 0, 50, "x"));
	ocsp_cache_free(c);
}
