/* Accounts and access keys: creating them (first start, `certain keys`) and
 * resolving an access key to its account and secret for SigV4. */
#ifndef CERTAIN_IAM_ACCOUNTS_H
#define CERTAIN_IAM_ACCOUNTS_H

#include <stddef.h>

#include "keystore/keystore.h"
#include "store/store.h"

#define IAM_ACCOUNT_LEN 12

/* Creates an account with a random 12-digit id written to id_out (13 bytes). */
int iam_account_create(struct store *st, char id_out[IAM_ACCOUNT_LEN + 1], struct cm_err *err);

/* Creates an access key for account; the secret is sealed in the store and
 * returned once in secret_out (the caller shows it to the operator, then wipes it). */
int iam_access_key_create(struct store *st, struct keystore *ks, const char *account,
			  char akid_out[21], char secret_out[41], struct cm_err *err);

/* Resolves an access key: secret (wiped by the caller after use) and account.
 * CM_ERR_NOT_FOUND when unknown. */
int iam_access_key_resolve(struct store *st, struct keystore *ks, const char *akid,
			   char *secret_out, size_t secret_size, char *account_out,
			   size_t account_size, struct cm_err *err);

#endif
