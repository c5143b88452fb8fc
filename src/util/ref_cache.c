/* The reference cache: a fixed open-addressing table under one mutex. */
#include "util/ref_cache.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/algs.h"

#define REF_CACHE_SLOTS 1024 /* power of two */

struct ref_cache_entry {
	unsigned char id[REF_CACHE_ID_LEN];
	void *obj;
};

struct ref_cache {
	pthread_mutex_t lock;
	int (*up_ref)(void *);
	void (*release)(void *);
	size_t used;
	struct ref_cache_entry slots[REF_CACHE_SLOTS];
};

struct ref_cache *ref_cache_new(int (*up_ref)(void *), void (*release)(void *))
{
	struct ref_cache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->up_ref = up_ref;
	c->release = release;
	return c;
}

static void ref_cache_clear(struct ref_cache *c)
{
	for (size_t i = 0; i < REF_CACHE_SLOTS; i++) {
		if (c->slots[i].obj != NULL)
			c->release(c->slots[i].obj);
		c->slots[i].obj = NULL;
	}
	c->used = 0;
}

void ref_cache_free(struct ref_cache *c)
{
	if (c == NULL)
		return;
	ref_cache_clear(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int ref_cache_id(const char *a, const unsigned char *b, size_t b_len,
		 unsigned char id[REF_CACHE_ID_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, algs_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, a, strlen(a) + 1) == 1 &&
		 EVP_DigestUpdate(ctx, b, b_len) == 1 && EVP_DigestFinal_ex(ctx, id, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* The slot holding id, or the empty slot where it would go. The table is at
 * most half full, so the probe always ends. */
static struct ref_cache_entry *ref_cache_slot(struct ref_cache *c,
					      const unsigned char id[REF_CACHE_ID_LEN])
{
	size_t i;
	memcpy(&i, id, sizeof(i));
	for (;; i++) {
		struct ref_cache_entry *e = &c->slots[i & (REF_CACHE_SLOTS - 1)];
		if (e->obj == NULL || memcmp(e->id, id, REF_CACHE_ID_LEN) == 0)
			return e;
	}
}

void *ref_cache_get(struct ref_cache *c, const unsigned char id[REF_CACHE_ID_LEN])
{
	void *obj = NULL;
	if (c == NULL)
		return NULL;
	pthread_mutex_lock(&c->lock);
	struct ref_cache_entry *e = ref_cache_slot(c, id);
	if (e->obj != NULL && c->up_ref(e->obj) == 1)
		obj = e->obj;
	pthread_mutex_unlock(&c->lock);
	return obj;
}

void ref_cache_put(struct ref_cache *c, const unsigned char id[REF_CACHE_ID_LEN], void *obj)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->used >= REF_CACHE_SLOTS / 2)
		ref_cache_clear(c);
	struct ref_cache_entry *e = ref_cache_slot(c, id);
	if (e->obj == NULL && c->up_ref(obj) == 1) {
		memcpy(e->id, id, REF_CACHE_ID_LEN);
		e->obj = obj;
		c->used++;
	}
	pthread_mutex_unlock(&c->lock);
}
