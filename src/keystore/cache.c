/* The opened-key cache: a fixed open-addressing table under one mutex. When
 * it fills, it is emptied and refilled: simple, bounded, and the working set
 * (a few CAs per server) fits many times over. */
#include "keystore/cache.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KS_CACHE_SLOTS 1024 /* power of two */

struct ks_cache_entry {
	unsigned char id[SHA256_DIGEST_LENGTH]; /* SHA-256(binding NUL blob) */
	EVP_PKEY *key;
};

struct ks_cache {
	pthread_mutex_t lock;
	size_t used;
	struct ks_cache_entry slots[KS_CACHE_SLOTS];
};

struct ks_cache *ks_cache_new(void)
{
	struct ks_cache *c = calloc(1, sizeof(*c));
	if (c != NULL && pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void ks_cache_clear(struct ks_cache *c)
{
	for (size_t i = 0; i < KS_CACHE_SLOTS; i++) {
		EVP_PKEY_free(c->slots[i].key);
		c->slots[i].key = NULL;
	}
	c->used = 0;
}

void ks_cache_free(struct ks_cache *c)
{
	if (c == NULL)
		return;
	ks_cache_clear(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* 0, or -1 when hashing failed (then the cache is simply not used). */
static int ks_cache_id(const char *binding, const unsigned char *blob, size_t len,
		       unsigned char id[SHA256_DIGEST_LENGTH])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, binding, strlen(binding) + 1) == 1 &&
		 EVP_DigestUpdate(ctx, blob, len) == 1 && EVP_DigestFinal_ex(ctx, id, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* The slot holding id, or the empty slot where it would go. */
static struct ks_cache_entry *ks_cache_slot(struct ks_cache *c,
					    const unsigned char id[SHA256_DIGEST_LENGTH])
{
	size_t i;
	memcpy(&i, id, sizeof(i));
	for (;; i++) {
		struct ks_cache_entry *e = &c->slots[i & (KS_CACHE_SLOTS - 1)];
		if (e->key == NULL || memcmp(e->id, id, SHA256_DIGEST_LENGTH) == 0)
			return e;
	}
}

EVP_PKEY *ks_cache_get(struct ks_cache *c, const char *binding, const unsigned char *blob,
		       size_t blob_len)
{
	unsigned char id[SHA256_DIGEST_LENGTH];
	EVP_PKEY *key = NULL;
	if (c == NULL || ks_cache_id(binding, blob, blob_len, id) < 0)
		return NULL;
	pthread_mutex_lock(&c->lock);
	struct ks_cache_entry *e = ks_cache_slot(c, id);
	if (e->key != NULL && EVP_PKEY_up_ref(e->key) == 1)
		key = e->key;
	pthread_mutex_unlock(&c->lock);
	return key;
}

void ks_cache_put(struct ks_cache *c, const char *binding, const unsigned char *blob,
		  size_t blob_len, EVP_PKEY *key)
{
	unsigned char id[SHA256_DIGEST_LENGTH];
	if (c == NULL || ks_cache_id(binding, blob, blob_len, id) < 0)
		return;
	pthread_mutex_lock(&c->lock);
	/* Half full at most, so probing stays short and always ends. */
	if (c->used >= KS_CACHE_SLOTS / 2)
		ks_cache_clear(c);
	struct ks_cache_entry *e = ks_cache_slot(c, id);
	if (e->key == NULL && EVP_PKEY_up_ref(key) == 1) {
		memcpy(e->id, id, sizeof(e->id));
		e->key = key;
		c->used++;
	}
	pthread_mutex_unlock(&c->lock);
}
