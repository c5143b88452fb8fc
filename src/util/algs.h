/* OpenSSL algorithms fetched once per process, for hot paths. OpenSSL 3.0
 * resolves a legacy getter (EVP_sha256()) or a one-shot HMAC() by fetching
 * from the provider on every call: a lock and several hash lookups each, and
 * an HMAC fetches twice (the MAC, then its digest by name). */
#ifndef CERTAIN_UTIL_ALGS_H
#define CERTAIN_UTIL_ALGS_H

#include <openssl/evp.h>
#include <stddef.h>

/* Fetched on first use and kept for the life of the process (like the
 * provider they come from); NULL only if the default provider lacks them. */
const EVP_MD *algs_sha256(void);
/* The digest of nid among SHA-1, SHA-2 and SHA-3; NULL for any other. */
const EVP_MD *algs_md(int nid);
const EVP_MD *algs_sha1(void);

/* HMAC-SHA256 of data under key into out; 0, or -1 on failure. Starts from
 * a context whose digest was set once, so no call fetches anything. */
int algs_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		     unsigned char out[32]);

#endif
