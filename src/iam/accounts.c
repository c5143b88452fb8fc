/* Account and access-key creation and lookup. Account ids are random 12-digit
 * numbers like AWS's; the secret is sealed under the master key, bound to its
 * access key id so a sealed secret copied onto another key does not open. */
#include "iam/accounts.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

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

int iam_access_key_resolve(struct store *st, struct keystore *ks, const char *akid,
			   char *secret_out, size_t secret_size, char *account_out,
			   size_t account_size, struct cm_err *err)
{
	struct store_access_key k = {0};
	size_t len = 0;
	int rc = -1;
	if (store_access_key_get(st, akid, &k, err) < 0)
		return -1;
	if (keystore_open_secret(ks, k.secret_sealed, k.secret_sealed_len, akid,
				 (unsigned char *)secret_out, secret_size - 1, &len, err) < 0)
		goto out;
	secret_out[len] = '\0';
	snprintf(account_out, account_size, "%s", k.account_id);
	rc = 0;
out:
	store_access_key_clear(&k);
	return rc;
}
