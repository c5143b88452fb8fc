/* The cache of pre-signed OCSP responses (RFC 6960 §2.4, RFC 5019 §4): a
 * response without a nonce depends only on (CA, serial, CertID hash
 * algorithm) and time, so it is signed once and served as stored bytes until
 * it is due for a refresh. Bounded: a fixed number of slots in 4-way sets;
 * a full set gives up the entry nearest its refresh. Thread-safe (striped
 * locks). Invalidation is exact: a revocation removes every entry of that
 * serial, and a response built from a status read before the revocation can
 * no longer be put (the generation check below). */
#ifndef CERTAIN_REVOCATION_OCSP_CACHE_H
#define CERTAIN_REVOCATION_OCSP_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct ocsp_cache;

/* capacity: slots (rounded up to a multiple of 4, at least 4). NULL when out of memory. */
struct ocsp_cache *ocsp_cache_new(size_t capacity);
void ocsp_cache_free(struct ocsp_cache *c); /* NULL-safe */

/* Read before reading the status a response will be built from; hand it to
 * ocsp_cache_put, which refuses the response if an invalidation came since. */
uint64_t ocsp_cache_generation(struct ocsp_cache *c);

/* 1 and a copy of the response (owned, free()) when one is stored for the
 * key and now < its refresh time; 0 when not (a stale entry is dropped). */
int ocsp_cache_get(struct ocsp_cache *c, const char *ca_id, const char *serial, int hash,
		   int64_t now, unsigned char **der, size_t *len);

/* Stores a copy of der for the key, to be served until refresh_at, unless
 * an invalidation happened after generation was read. 0 stored, -1 not. */
int ocsp_cache_put(struct ocsp_cache *c, const char *ca_id, const char *serial, int hash,
		   const unsigned char *der, size_t len, int64_t refresh_at, uint64_t generation);

/* Drops the serial's responses (every hash algorithm). */
void ocsp_cache_invalidate(struct ocsp_cache *c, const char *ca_id, const char *serial);
/* Drops everything (a CA changed: key, certificate or configuration). */
void ocsp_cache_clear(struct ocsp_cache *c);

/* Entries stored now (for tests and logs). */
size_t ocsp_cache_count(struct ocsp_cache *c);

#endif
