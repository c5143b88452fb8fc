/* Accounts and access keys: creating them (first start, `certain keys`) and
 * resolving an access key to its account and signing key for SigV4. */
#ifndef CERTAIN_IAM_ACCOUNTS_H
#define CERTAIN_IAM_ACCOUNTS_H

#include <stddef.h>

#include "keystore/keystore.h"
#include "store/store.h"
#include "util/ref_cache.h"

#define IAM_ACCOUNT_LEN 12

/* Creates an account with a random 12-digit id written to id_out (13 bytes). */
int iam_account_create(struct store *st, char id_out[IAM_ACCOUNT_LEN + 1], struct cm_err *err);

/* Creates an access key for account; the secret is sealed in the store and
 * returned once in secret_out (the caller shows it to the operator, then wipes it). */
int iam_access_key_create(struct store *st, struct keystore *ks, const char *account,
			  char akid_out[21], char secret_out[41], struct cm_err *err);

/* A cache of derived SigV4 signing keys (ref_cache_free frees it, wiping them). */
struct ref_cache *iam_signing_key_cache_new(void);

/* Resolves an access key for SigV4: its account and the signing key of the
 * scope "YYYYMMDD/region/service" (sigv4_signing_key of the secret; wiped by
 * the caller after use). The key's row is read on every call, so a deleted key
 * is refused at once; the signing key is derived once per row and scope and
 * kept in cache (NULL: no caching), which spares the secret's decryption and
 * the HMAC chain on later requests. CM_ERR_NOT_FOUND when unknown. */
int iam_access_key_signing_key(struct store *st, struct keystore *ks, struct ref_cache *cache,
			       const char *akid, const char *scope, unsigned char key_out[32],
			       char *account_out, size_t account_size, struct cm_err *err);

#endif
