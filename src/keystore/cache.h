/* Opened private keys kept in memory, so a CA's key is decrypted and decoded
 * once, not on every signature (OpenSSL 3.0's key decoding costs more than an
 * ECDSA signature). Private to src/keystore/: keys still leave only as
 * EVP_PKEY handles. An entry is found by the binding and the SHA-256 of the
 * sealed blob, so a changed blob never returns a stale key. */
#ifndef CERTAIN_KEYSTORE_CACHE_H
#define CERTAIN_KEYSTORE_CACHE_H

#include <openssl/evp.h>
#include <stddef.h>

struct ks_cache;

struct ks_cache *ks_cache_new(void);
void ks_cache_free(struct ks_cache *c); /* NULL-safe; frees every key */

/* A new reference to the cached key (EVP_PKEY_free it), or NULL. */
EVP_PKEY *ks_cache_get(struct ks_cache *c, const char *binding, const unsigned char *blob,
		       size_t blob_len);

/* Remembers key (takes a reference of its own). */
void ks_cache_put(struct ks_cache *c, const char *binding, const unsigned char *blob,
		  size_t blob_len, EVP_PKEY *key);

#endif
