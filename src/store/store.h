/* store.h: the one interface to persistence. Everything that is kept goes
 * through here; only src/store/ writes SQL. Every resource query is scoped by
 * account. Connections are per thread (opened lazily), so callers just pass
 * the store handle. Records are plain structs; strings in them are owned by
 * the struct and released by its _clear function. */
#ifndef CERTAIN_STORE_STORE_H
#define CERTAIN_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct store;

/* Opens (creating when asked) the database at path and applies migrations. */
struct store *store_open(const char *path, bool create, struct cm_err *err);
void store_close(struct store *st);

/* Transactions on the calling thread's connection. begin takes the write lock
 * at once (BEGIN IMMEDIATE) so a transaction never fails half-way on a lock. */
int store_begin(struct store *st, struct cm_err *err);
int store_commit(struct store *st, struct cm_err *err);
void store_rollback(struct store *st);

/* --- accounts and access keys ------------------------------------------- */

int store_account_create(struct store *st, const char *account_id, int64_t now,
			 struct cm_err *err);
bool store_account_exists(struct store *st, const char *account_id);

struct store_access_key {
	char access_key_id[32];
	char account_id[16];
	unsigned char *secret_sealed; /* sealed by keystore; owned */
	size_t secret_sealed_len;
	int64_t created_at;
};
void store_access_key_clear(struct store_access_key *k);

int store_access_key_create(struct store *st, const struct store_access_key *k,
			    struct cm_err *err);
/* CM_ERR_NOT_FOUND when unknown. */
int store_access_key_get(struct store *st, const char *access_key_id, struct store_access_key *out,
			 struct cm_err *err);
int store_access_key_delete(struct store *st, const char *access_key_id, struct cm_err *err);
/* Calls fn for every key (secret not loaded), oldest first. */
int store_access_key_list(struct store *st,
			  void (*fn)(void *ctx, const struct store_access_key *k), void *ctx,
			  struct cm_err *err);

/* --- certificate authorities -------------------------------------------- */

struct store_ca {
	char id[40];         /* uuid */
	char account_id[16];
	char type[16];       /* ROOT | SUBORDINATE */
	char status[24];     /* stored status; EXPIRED is derived by pca/ */
	char prior_status[24]; /* status to return to on restore ("" when none) */
	char usage_mode[32];
	char key_storage[48];
	char key_alg[24];
	char sig_alg[24];
	char *config_json;     /* CertificateAuthorityConfiguration as given */
	char *revocation_json; /* RevocationConfiguration, normalised */
	unsigned char *key_sealed;
	size_t key_sealed_len;
	char *csr_pem;
	unsigned char *cert_der; /* NULL until a CA certificate is imported */
	size_t cert_der_len;
	char *chain_pem;       /* parent first, root last; NULL for a root */
	char serial_dec[64];
	int64_t not_before, not_after;
	int64_t created_at, last_state_change_at;
	int64_t restorable_until; /* 0 unless DELETED */
};
void store_ca_clear(struct store_ca *ca);

int store_ca_insert(struct store *st, const struct store_ca *ca, struct cm_err *err);
/* CM_ERR_NOT_FOUND when absent or of another account. */
int store_ca_get(struct store *st, const char *account_id, const char *ca_id, struct store_ca *out,
		 struct cm_err *err);
/* Writes status, prior_status, last_state_change_at and restorable_until. */
int store_ca_update_state(struct store *st, const struct store_ca *ca, struct cm_err *err);
/* Writes the CA certificate, chain, serial and validity. */
int store_ca_update_cert(struct store *st, const struct store_ca *ca, struct cm_err *err);
int store_ca_update_revocation(struct store *st, const struct store_ca *ca, struct cm_err *err);
/* Removes the CA record (its issued-certificate history stays for audit). */
int store_ca_delete(struct store *st, const char *account_id, const char *ca_id,
		    struct cm_err *err);
/* Pages CAs of an account in (created_at, id) order after the cursor
 * (after_created_at, after_id; after_id "" = from the start). Returns the
 * number of rows passed to fn, -1 on error. */
int store_ca_list(struct store *st, const char *account_id, int64_t after_created_at,
		  const char *after_id, int limit,
		  void (*fn)(void *ctx, const struct store_ca *ca), void *ctx, struct cm_err *err);
int store_ca_count(struct store *st, const char *account_id, struct cm_err *err);

/* --- CA tags ------------------------------------------------------------- */

struct store_tag {
	char *key;
	char *value;
};

/* All tags of a CA ordered by key; *out is an owned array freed with store_tags_free. */
int store_ca_tags_get(struct store *st, const char *ca_id, struct store_tag **out, size_t *n,
		      struct cm_err *err);
void store_tags_free(struct store_tag *tags, size_t n);
int store_ca_tag_put(struct store *st, const char *ca_id, const char *key, const char *value,
		     struct cm_err *err);
/* value NULL removes the key whatever its value; otherwise only on match. */
int store_ca_tag_delete(struct store *st, const char *ca_id, const char *key, const char *value,
			struct cm_err *err);

/* --- issued certificates ------------------------------------------------- */

struct store_cert {
	char ca_id[40];
	char serial[48];        /* lowercase hex, no colons */
	char account_id[16];
	char template_arn[160];
	char requester[64];
	unsigned char *der;     /* NULL while only reserved */
	size_t der_len;
	int64_t not_before, not_after, issued_at;
	int64_t revoked_at;     /* 0 = not revoked */
	char revocation_reason[40];
};
void store_cert_clear(struct store_cert *c);

/* Reserves the serial before anything is signed. The (ca, serial) primary key
 * makes a duplicate impossible: CM_ERR_CONFLICT tells the caller to draw again. */
int store_cert_reserve(struct store *st, const struct store_cert *c, struct cm_err *err);
/* Releases a reservation whose signing failed (only while nothing is stored). */
int store_cert_unreserve(struct store *st, const char *ca_id, const char *serial,
			 struct cm_err *err);
/* Stores the signed certificate for a reserved serial. */
int store_cert_set_issued(struct store *st, const struct store_cert *c, struct cm_err *err);
/* CM_ERR_NOT_FOUND when that CA never issued that serial. */
int store_cert_get(struct store *st, const char *ca_id, const char *serial, struct store_cert *out,
		   struct cm_err *err);
int store_cert_revoke(struct store *st, const char *ca_id, const char *serial, int64_t when,
		      const char *reason, struct cm_err *err);

/* --- idempotency tokens -------------------------------------------------- */

/* Finds a result recorded for (account, scope, token) at or after not_before.
 * Returns 1 and fills result when found, 0 when not, -1 on error. */
int store_idempotency_get(struct store *st, const char *account_id, const char *scope,
			  const char *token, int64_t not_before, char *result, size_t size,
			  struct cm_err *err);
/* Records (or refreshes an expired) token → result. */
int store_idempotency_put(struct store *st, const char *account_id, const char *scope,
			  const char *token, const char *result, int64_t now, struct cm_err *err);

#endif
