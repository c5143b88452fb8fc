/* Access keys for SigV4: the signing key handed out is the one the secret
 * derives, the cache never outlives the key's row, and scopes stay apart. */
#include <string.h>

#include "aws/sigv4.h"
#include "harness.h"
#include "iam/accounts.h"
#include "keystore/keystore.h"
#include "scratch.h"

struct t_iam {
	char dir[128];
	struct store *st;
	struct keystore *ks;
	struct ref_cache *cache;
	char akid[21], secret[41];
};

static int t_iam_open(struct t_iam *t)
{
	struct cm_err err = {0};
	memset(t, 0, sizeof(*t));
	t->st = scratch_store(t->dir);
	t->ks = t->st != NULL ? keystore_open(t->dir, true, &err) : NULL;
	t->cache = iam_signing_key_cache_new();
	if (t->ks == NULL || t->cache == NULL)
		return -1;
	return iam_access_key_create(t->st, t->ks, SCRATCH_ACCOUNT, t->akid, t->secret, &err);
}

static void t_iam_close(struct t_iam *t)
{
	ref_cache_free(t->cache);
	keystore_close(t->ks);
	scratch_done(t->st, t->dir);
}

/* The key for scope, through the cache; 0 or -1 (err set). */
static int t_key(struct t_iam *t, const char *scope, unsigned char key[32], struct cm_err *err)
{
	char account[16] = "";
	int rc = iam_access_key_signing_key(t->st, t->ks, t->cache, t->akid, scope, key, account,
					    sizeof(account), err);
	return rc == 0 && strcmp(account, SCRATCH_ACCOUNT) != 0 ? -1 : rc;
}

TEST(iam_signing_key_matches_secret_and_is_kept)
{
	struct t_iam t;
	struct cm_err err = {0};
	unsigned char want[32], first[32], again[32], other[32];
	CHECK(t_iam_open(&t) == 0);
	CHECK(sigv4_signing_key(t.secret, "20261127", "us-east-1", "acm", want) == 0);
	CHECK(t_key(&t, "20261127/us-east-1/acm", first, &err) == 0);
	CHECK(t_key(&t, "20261127/us-east-1/acm", again, &err) == 0);
	CHECK(memcmp(first, want, 32) == 0 && memcmp(again, want, 32) == 0);
	/* Another service, region or day is another key. */
	CHECK(t_key(&t, "20261127/us-east-1/acm-pca", other, &err) == 0);
	CHECK(memcmp(other, want, 32) != 0);
	CHECK(t_key(&t, "20261128/us-east-1/acm", other, &err) == 0);
	CHECK(memcmp(other, want, 32) != 0);
	CHECK(sigv4_signing_key(t.secret, "20261128", "us-east-1", "acm", want) == 0);
	CHECK(memcmp(other, want, 32) == 0);
	t_iam_close(&t);
}

TEST(iam_signing_key_refused_once_deleted_even_when_cached)
{
	struct t_iam t;
	struct cm_err err = {0};
	unsigned char key[32];
	CHECK(t_iam_open(&t) == 0);
	CHECK(t_key(&t, "20261127/us-east-1/acm", key, &err) == 0);
	CHECK(store_access_key_delete(t.st, t.akid, &err) == 0);
	err = (struct cm_err){0};
	CHECK(t_key(&t, "20261127/us-east-1/acm", key, &err) < 0);
	CHECK(err.code == CM_ERR_NOT_FOUND);
	t_iam_close(&t);
}

TEST(iam_signing_key_unknown_and_uncached)
{
	struct t_iam t;
	struct cm_err err = {0};
	unsigned char key[32], want[32];
	char account[16];
	CHECK(t_iam_open(&t) == 0);
	CHECK(iam_access_key_signing_key(t.st, t.ks, NULL, "AKIANOSUCHKEY0000000", "20261127/r/s",
					 key, account, sizeof(account), &err) < 0);
	CHECK(err.code == CM_ERR_NOT_FOUND);
	CHECK(iam_access_key_signing_key(t.st, t.ks, NULL, t.akid, "20261127/r/s", key, account,
					 sizeof(account), &err) == 0);
	CHECK(sigv4_signing_key(t.secret, "20261127", "r", "s", want) == 0);
	CHECK(memcmp(key, want, 32) == 0);
	t_iam_close(&t);
}
