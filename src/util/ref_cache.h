/* A small, bounded, thread-safe cache of reference-counted objects (OpenSSL
 * keys and certificates) found by a 32-byte id. The id is a digest of
 * everything the object was made from (ref_cache_id), so a changed source
 * never finds a stale object. When half full it is emptied and refilled:
 * simple and bounded, and the working set (a few CAs) fits many times over. */
#ifndef CERTAIN_UTIL_REF_CACHE_H
#define CERTAIN_UTIL_REF_CACHE_H

#include <stddef.h>

#define REF_CACHE_ID_LEN 32

struct ref_cache;

/* up_ref returns 1 on success (as OpenSSL's *_up_ref); release drops one. */
struct ref_cache *ref_cache_new(int (*up_ref)(void *), void (*release)(void *));
void ref_cache_free(struct ref_cache *c); /* NULL-safe; releases every object */

/* SHA-256(a NUL b) into id; 0, or -1 when hashing failed (then do not cache). */
int ref_cache_id(const char *a, const unsigned char *b, size_t b_len,
		 unsigned char id[REF_CACHE_ID_LEN]);

/* A new reference to the object cached under id (release it), or NULL.
 * c may be NULL (no caching). */
void *ref_cache_get(struct ref_cache *c, const unsigned char id[REF_CACHE_ID_LEN]);

/* Remembers obj under id, taking a reference of its own. c may be NULL. */
void ref_cache_put(struct ref_cache *c, const unsigned char id[REF_CACHE_ID_LEN], void *obj);

#endif
