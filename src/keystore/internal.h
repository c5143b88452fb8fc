/* What the keystore's files share and nothing else sees: the key material
 * itself and the HKDF step every key in the keystore comes from. */
#ifndef CERTAIN_KEYSTORE_INTERNAL_H
#define CERTAIN_KEYSTORE_INTERNAL_H

#include <stddef.h>

#include "util/ref_cache.h"
#include "keystore/keystore.h"

struct keystore {
	unsigned char master[KEYSTORE_MASTER_LEN]; /* DATA/master.key: only HKDF input */
	unsigned char seal[32]; /* AES-256-GCM key for sealed blobs, derived at open */
	struct ref_cache *keys; /* opened EVP_PKEYs by SHA-256(binding, blob); NULL: none */
};

/* HKDF-SHA256(master, info) into out[32]; 0 or -1. Callers choose `info` so
 * no two uses share a key (see keystore.c). */
int keystore_hkdf(const unsigned char master[KEYSTORE_MASTER_LEN], const char *info,
		  size_t info_len, unsigned char out[32]);

/* keystore_open_key without the cache: for keys used once (an export), which
 * should not stay in memory afterwards. */
EVP_PKEY *keystore_open_key_uncached(struct keystore *ks, const unsigned char *blob,
				     size_t blob_len, const char *binding, struct cm_err *err);

#endif
