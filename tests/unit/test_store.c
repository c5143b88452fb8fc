/* The SQLite store: migrations, account scoping, serial uniqueness, keyset
 * pagination, tags and idempotency windows, on a scratch database. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "store/store.h"

static struct store *scratch_store(char *dir)
{
	struct cm_err err = {0};
	char path[256];
	strcpy(dir, "/tmp/certain-unit-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/certain.db", dir);
	return store_open(path, true, &err);
}

static void scratch_done(struct store *st, const char *dir)
{
	char cmd[300];
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void fill_ca(struct store_ca *ca, const char *id, const char *account, int64_t created)
{
	static unsigned char key[4] = {1, 2, 3, 4};
	memset(ca, 0, sizeof(*ca));
	snprintf(ca->id, sizeof(ca->id), "%s", id);
	snprintf(ca->account_id, sizeof(ca->account_id), "%s", account);
	strcpy(ca->type, "ROOT");
	strcpy(ca->status, "PENDING_CERTIFICATE");
	strcpy(ca->usage_mode, "GENERAL_PURPOSE");
	strcpy(ca->key_storage, "FIPS_140_2_LEVEL_3_OR_HIGHER");
	strcpy(ca->key_alg, "EC_prime256v1");
	strcpy(ca->sig_alg, "SHA256WITHECDSA");
	ca->config_json = "{}";
	ca->revocation_json = "{}";
	ca->key_sealed = key;
	ca->key_sealed_len = sizeof(key);
	ca->csr_pem = "csr";
	ca->created_at = ca->last_state_change_at = created;
}

static int listed;
static void count_row(void *ctx, const struct store_ca *ca)
{
	(void)ca;
	(void)ctx;
	listed++;
}

TEST(store_ca_scoping_and_pagination)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_ca ca, got;
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_account_create(st, "111111111111", 1, &err) == 0);
	CHECK(store_account_create(st, "222222222222", 1, &err) == 0);
	CHECK(store_account_create(st, "111111111111", 1, &err) < 0 && err.code == CM_ERR_CONFLICT);
	for (int i = 0; i < 5; i++) {
		char id[40];
		snprintf(id, sizeof(id), "ca-%d", i);
		fill_ca(&ca, id, "111111111111", 100 + i / 2); /* ties on created_at */
		CHECK(store_ca_insert(st, &ca, &err) == 0);
	}
	fill_ca(&ca, "other", "222222222222", 100);
	CHECK(store_ca_insert(st, &ca, &err) == 0);
	/* Another account's CA is not found. */
	CHECK(store_ca_get(st, "111111111111", "other", &got, &err) < 0);
	CHECK(err.code == CM_ERR_NOT_FOUND);
	CHECK(store_ca_get(st, "222222222222", "other", &got, &err) == 0);
	store_ca_clear(&got);
	listed = 0;
	CHECK(store_ca_list(st, "111111111111", -1, "", 2, count_row, NULL, &err) == 2);
	CHECK(store_ca_list(st, "111111111111", 100, "ca-1", 10, count_row, NULL, &err) == 3);
	CHECK(store_ca_count(st, "111111111111", &err) == 5);
	CHECK(store_ca_delete(st, "222222222222", "ca-0", &err) < 0);
	CHECK(store_ca_delete(st, "111111111111", "ca-0", &err) == 0);
	scratch_done(st, dir);
}

TEST(store_serial_unique_per_ca)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_cert c = {0}, got;
	if (st == NULL)
		return;
	strcpy(c.ca_id, "ca");
	strcpy(c.serial, "0a0b");
	strcpy(c.account_id, "111111111111");
	strcpy(c.template_arn, "t");
	strcpy(c.requester, "r");
	unsigned char der[3] = {1, 2, 3};
	c.der = der;
	c.der_len = 3;
	CHECK(store_cert_insert(st, &c, NULL, &err) == 0);
	CHECK(store_cert_insert(st, &c, NULL, &err) < 0 && err.code == CM_ERR_CONFLICT);
	strcpy(c.ca_id, "ca2");
	CHECK(store_cert_insert(st, &c, NULL, &err) == 0); /* same serial, another CA: fine */
	/* With a token: both or neither. A taken serial stores no token. */
	char result[32], winner[32] = "";
	struct store_idempotency idem = {.account_id = "111111111111",
					 .scope = "scope",
					 .token = "tok",
					 .result = "arn-1",
					 .created_at = 10,
					 .winner = winner,
					 .winner_size = sizeof(winner)};
	CHECK(store_cert_insert(st, &c, &idem, &err) < 0 && err.code == CM_ERR_CONFLICT);
	CHECK(winner[0] == '\0'); /* the serial, not the token */
	CHECK(store_idempotency_get(st, "111111111111", "scope", "tok", 0, result, sizeof(result),
				    &err) == 0);
	strcpy(c.serial, "0c0d");
	CHECK(store_cert_insert(st, &c, &idem, &err) == 0);
	CHECK(store_idempotency_get(st, "111111111111", "scope", "tok", 0, result, sizeof(result),
				    &err) == 1);
	CHECK_STR_EQ(result, "arn-1");
	CHECK(store_cert_get(st, "ca2", "0c0d", &got, &err) == 0 && got.der_len == 3);
	store_cert_clear(&got);
	/* The token is live now: another certificate with it is not stored, and
	 * the first one's answer comes back instead. */
	strcpy(c.serial, "0e0f");
	idem.result = "arn-2";
	CHECK(store_cert_insert(st, &c, &idem, &err) < 0 && err.code == CM_ERR_CONFLICT);
	CHECK_STR_EQ(winner, "arn-1");
	CHECK(store_cert_get(st, "ca2", "0e0f", &got, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	CHECK(store_cert_get(st, "ca", "0a0b", &got, &err) == 0);
	CHECK(got.der_len == 3 && got.revoked_at == 0);
	store_cert_clear(&got);
	CHECK(store_cert_revoke(st, "ca", "0a0b", 50, "KEY_COMPROMISE", &err) == 0);
	CHECK(store_cert_revoke(st, "ca", "0a0b", 51, "KEY_COMPROMISE", &err) < 0);
	CHECK(err.code == CM_ERR_ALREADY_PROCESSED);
	scratch_done(st, dir);
}

TEST(store_tags_and_idempotency)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_ca ca;
	struct store_tag *tags;
	size_t n;
	char result[64];
	if (st == NULL)
		return;
	CHECK(store_account_create(st, "111111111111", 1, &err) == 0);
	fill_ca(&ca, "ca", "111111111111", 1);
	CHECK(store_ca_insert(st, &ca, &err) == 0);
	CHECK(store_ca_tag_put(st, "ca", "b", "1", &err) == 0);
	CHECK(store_ca_tag_put(st, "ca", "a", "2", &err) == 0);
	CHECK(store_ca_tag_put(st, "ca", "b", "3", &err) == 0);
	CHECK(store_ca_tag_delete(st, "ca", "a", "nomatch", &err) == 0);
	CHECK(store_ca_tags_get(st, "ca", &tags, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(tags[0].key, "a");
		CHECK_STR_EQ(tags[1].value, "3");
	}
	store_tags_free(tags, n);
	CHECK(store_idempotency_put(st, "111111111111", "s", "tok", "arn1", 1000, &err) == 0);
	CHECK(store_idempotency_get(st, "111111111111", "s", "tok", 900, result, sizeof(result),
				    &err) == 1);
	CHECK_STR_EQ(result, "arn1");
	CHECK(store_idempotency_get(st, "111111111111", "s", "tok", 1001, result, sizeof(result),
				    &err) == 0);
	CHECK(store_idempotency_get(st, "222222222222", "s", "tok", 0, result, sizeof(result),
				    &err) == 0);
	CHECK(store_idempotency_put(st, "111111111111", "s", "tok", "arn2", 2000, &err) == 0);
	CHECK(store_idempotency_get(st, "111111111111", "s", "tok", 1500, result, sizeof(result),
				    &err) == 1);
	CHECK_STR_EQ(result, "arn2");
	/* A claim finds a live token and writes nothing; an expired one it
	 * replaces; a new one it records. */
	struct store_idempotency idem = {.account_id = "111111111111",
					 .scope = "s",
					 .token = "tok",
					 .result = "arn3",
					 .created_at = 2100,
					 .not_before = 1900,
					 .winner = result,
					 .winner_size = sizeof(result)};
	result[0] = '\0';
	CHECK(store_idempotency_claim(st, &idem, &err) == 1);
	CHECK_STR_EQ(result, "arn2");
	CHECK(store_idempotency_get(st, "111111111111", "s", "tok", 0, result, sizeof(result),
				    &err) == 1);
	CHECK_STR_EQ(result, "arn2");
	idem.not_before = 2001; /* arn2's token, stored at 2000, has expired */
	CHECK(store_idempotency_claim(st, &idem, &err) == 0);
	CHECK(store_idempotency_get(st, "111111111111", "s", "tok", 2100, result, sizeof(result),
				    &err) == 1);
	CHECK_STR_EQ(result, "arn3");
	idem.token = "fresh";
	CHECK(store_idempotency_claim(st, &idem, &err) == 0);
	CHECK(store_idempotency_get(st, "111111111111", "s", "fresh", 0, result, sizeof(result),
				    &err) == 1);
	scratch_done(st, dir);
}

struct t_writer {
	struct store *st;
	const char *account;
	int rc;
};

static void *t_write_account(void *p)
{
	struct t_writer *w = p;
	struct cm_err err = {0};
	w->rc = store_account_create(w->st, w->account, 1, &err);
	return NULL;
}

/* Writes an account from another thread (so another connection); its rc. */
static int t_write_elsewhere(struct store *st, const char *account)
{
	struct t_writer w = {st, account, -1};
	pthread_t t;
	if (pthread_create(&t, NULL, t_write_account, &w) != 0)
		return -1;
	pthread_join(t, NULL);
	return w.rc;
}

/* A read scope is one snapshot: another connection's commit is seen only
 * after it ends; a write inside it (a bare statement on an old snapshot, or a
 * store_begin transaction) ends it first and lands. */
TEST(store_read_scope_snapshot_and_write_inside)
{
	char dir[64];
	struct cm_err err = {0};
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_account_create(st, "100000000001", 1, &err) == 0);
	CHECK(store_read_begin(st, &err) == 0);
	CHECK(store_account_exists(st, "100000000001"));
	CHECK(t_write_elsewhere(st, "100000000002") == 0);
	CHECK(!store_account_exists(st, "100000000002")); /* still the scope's snapshot */
	store_read_end(st);
	CHECK(store_account_exists(st, "100000000002"));

	CHECK(store_read_begin(st, &err) == 0);
	CHECK(store_account_exists(st, "100000000001"));
	CHECK(t_write_elsewhere(st, "100000000006") == 0); /* the scope's snapshot is now old */
	CHECK(store_account_create(st, "100000000003", 1, &err) == 0); /* ends the scope */
	CHECK(store_account_exists(st, "100000000006"));
	CHECK(store_begin(st, &err) == 0);
	CHECK(store_account_create(st, "100000000004", 1, &err) == 0);
	CHECK(store_commit(st, &err) == 0);
	store_read_end(st); /* the scope already ended: nothing to do */
	CHECK(store_account_exists(st, "100000000003") && store_account_exists(st, "100000000004"));
	CHECK(t_write_elsewhere(st, "100000000005") == 0);
	CHECK(store_account_exists(st, "100000000005"));
	scratch_done(st, dir);
}

/* Steps of one write transaction: an undone step takes only its own writes
 * with it; the kept ones commit together. */
TEST(store_steps_undo_one_keep_others)
{
	char dir[64];
	struct cm_err err = {0};
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	CHECK(store_begin(st, &err) == 0);
	CHECK(store_step_begin(st, &err) == 0);
	CHECK(store_account_create(st, "100000000011", 1, &err) == 0);
	CHECK(store_step_keep(st, &err) == 0);
	CHECK(store_step_begin(st, &err) == 0);
	CHECK(store_account_create(st, "100000000012", 1, &err) == 0);
	store_step_undo(st);
	CHECK(store_step_begin(st, &err) == 0);
	CHECK(store_account_create(st, "100000000013", 1, &err) == 0);
	CHECK(store_account_create(st, "100000000013", 1, &err) < 0); /* a conflict... */
	store_step_undo(st);					      /* ...undoes its step */
	CHECK(store_step_begin(st, &err) == 0);
	CHECK(store_account_create(st, "100000000014", 1, &err) == 0);
	CHECK(store_step_keep(st, &err) == 0);
	CHECK(store_commit(st, &err) == 0);
	CHECK(store_account_exists(st, "100000000011"));
	CHECK(!store_account_exists(st, "100000000012"));
	CHECK(!store_account_exists(st, "100000000013"));
	CHECK(store_account_exists(st, "100000000014"));
	scratch_done(st, dir);
}
