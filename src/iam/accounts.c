/* Account and access-key creation and lookup. Account ids are random 12-digit
 * numbers like AWS's; the secret is sealed under the master key, bound to its
 * access key id so a sealed secret copied onto another key does not open. */
#include "iam/accounts.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "util/clock.h"

int iam_account_create(struct store *st, char id_out[IAM_ACCOUNT_LEN + 1], struct cm_err *err)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		unsigned char r[IAM_ACCOUNT_LEN];
		if (RAND_bytes(r, sizeof(r)) != 1)
			return cm_fail(err, CM_ERR_INTERNAL, "random generator failed");
		/* First digit non-zero so the id always has 12 digits. */
		id_out[0] = (char)('1' + r[0] % 9);
		for (int i = 1; i < IAM_ACCOUNT_LEN; i++)
			id_out[i] = (char)('0' + r[i] % 10);
		id_out[IAM_ACCOUNT_LEN] = '\0';
		if (store_account_create(st, id_out, clock_now(), err) == 0)
			return 0;
		if (err->code != CM_ERR_CONFLICT)
			return -1;
	}
	return cm_fail(err, CM_ERR_INTERNAL, "could not draw a free account id");
}

int iam_access_key_create(struct store *st, struct keystore *ks, const char *account,
			  char akid_out[21], char secret_out[41], struct cm_err *err)
{
	struct store_access_key k = {0};
	int rc = -1;
	if (!store_account_exists(st, account))
		return cm_fail(err, CM_ERR_NOT_FOUND, "no account %s", account);
	if (keystore_new_access_key(akid_out, secret_out) < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "random generator failed");
	if (keystore_seal_secret(ks, (const unsigned char *)secret_out, strlen(secret_out),
				 akid_out, &k.secret_sealed, &k.secret_sealed_len, err) < 0)
		goto out;
	snprintf(k.access_key_id, sizeof(k.access_key_id), "%s", akid_out);
	snprintf(k.account_id, sizeof(k.account_id), "%s", account);
	k.created_at = clock_now();
	rc = store_access_key_create(st, &k, err);
out:
	store_access_key_clear(&k);
	if (rc < 0)
		OPENSSL_cleanse(secret_out, 41);
	return rc;
}

/* A derived signing key shared through the cache; the last release wipes it. */
struct iam_signing_key {
	atomic_int refs;
	unsigned char key[32];
};

static int iam_signing_key_up_ref(void *p)
{
	atomic_fetch_add(&((struct iam_signing_key *)p)->refs, 1);
	return 1;
}

static void iam_signing_key_release(void *p)
{
	struct iam_signing_key *k = p;
	if (k != NULL && atomic_fetch_sub(&k->refs, 1) == 1) {
		OPENSSL_cleanse(k->key, sizeof(k->key));
		free(k);
	}
}

struct ref_cache *iam_signing_key_cache_new(void)
{
	return ref_cache_new(iam_signing_key_up_ref, iam_signing_key_release);
}

/* Opens the sealed secret and derives the scope's key (one reference, owned). */
static struct iam_signing_key *iam_signing_key_derive(struct keystore *ks,
						      const struct store_access_key *k,
						      const char *scope, struct cm_err *err)
{
	char secret[SIGV4_SECRET_MAX + 1], date[9], region[64], service[64];
	size_t len = 0;
	struct iam_signing_key *out = NULL;
	if (sscanf(scope, "%8[0-9]/%63[^/]/%63[^/]", date, region, service) != 3) {
		cm_fail(err, CM_ERR_INTERNAL, "bad credential scope");
		return NULL;
	}
	if (keystore_open_secret(ks, k->secret_sealed, k->secret_sealed_len, k->access_key_id,
				 (unsigned char *)secret, sizeof(secret) - 1, &len, err) < 0)
		return NULL;
	secret[len] = '\0';
	out = calloc(1, sizeof(*out));
	if (out == NULL || sigv4_signing_key(secret, date, region, service, out->key) < 0) {
		free(out);
		out = NULL;
		cm_fail(err, CM_ERR_INTERNAL, "cannot derive the signing key");
	} else {
		atomic_init(&out->refs, 1);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	return out;
}

int iam_access_key_signing_key(struct store *st, struct keystore *ks, struct ref_cache *cache,
			       const char *akid, const char *scope, unsigned char key_out[32],
			       char *account_out, size_t account_size, struct cm_err *err)
{
	struct store_access_key k = {0};
	unsigned char id[REF_CACHE_ID_LEN];
	char name[256];
	int rc = -1;
	if (store_access_key_get(st, akid, &k, err) < 0)
		return -1;
	/* The id binds the scope to this very row: the sealed secret carries a
	 * random nonce, so a key deleted and created again never hits. */
	(void)snprintf(name, sizeof(name), "%s/%s", akid, scope);
	bool cacheable = ref_cache_id(name, k.secret_sealed, k.secret_sealed_len, id) == 0;
	struct iam_signing_key *sk = cacheable ? ref_cache_get(cache, id) : NULL;
	if (sk == NULL) {
		sk = iam_signing_key_derive(ks, &k, scope, err);
		if (sk == NULL)
			goto out;
		if (cacheable)
			ref_cache_put(cache, id, sk);
	}
	memcpy(key_out, sk->key, 32);
	iam_signing_key_release(sk);
	snprintf(account_out, account_size, "%s", k.account_id);
	rc = 0;
out:
	store_access_key_clear(&k);
	return rc;
}
