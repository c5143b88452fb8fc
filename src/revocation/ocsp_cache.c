/* Pre-signed OCSP responses, bounded (see ocsp_cache.h). The set of a key
 * depends on (CA, serial) only, so the responses of one serial for every
 * hash algorithm share a set and one lock: invalidating a serial is one set. */
#include "revocation/ocsp_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OCSP_CACHE_WAYS	 4
#define OCSP_CACHE_LOCKS 64

struct ocsp_cache_entry {
	char ca_id[40];
	char serial[48];
	int hash;
	unsigned char *der; /* NULL: empty slot */
	size_t len;
	int64_t refresh_at;
};

struct ocsp_cache {
	size_t n_sets;
	struct ocsp_cache_entry *slots; /* n_sets * OCSP_CACHE_WAYS */
	pthread_mutex_t locks[OCSP_CACHE_LOCKS];
	atomic_uint_fast64_t generation; /* counts invalidations */
	atomic_size_t count;
};

struct ocsp_cache *ocsp_cache_new(size_t capacity)
{
	struct ocsp_cache *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->n_sets = capacity / OCSP_CACHE_WAYS + (capacity % OCSP_CACHE_WAYS != 0);
	if (c->n_sets == 0)
		c->n_sets = 1;
	c->slots = calloc(c->n_sets * OCSP_CACHE_WAYS, sizeof(*c->slots));
	if (c->slots == NULL) {
		free(c);
		return NULL;
	}
	for (int i = 0; i < OCSP_CACHE_LOCKS; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	atomic_init(&c->generation, 0);
	atomic_init(&c->count, 0);
	return c;
}

void ocsp_cache_free(struct ocsp_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_sets * OCSP_CACHE_WAYS; i++)
		free(c->slots[i].der);
	for (int i = 0; i < OCSP_CACHE_LOCKS; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->slots);
	free(c);
}

uint64_t ocsp_cache_generation(struct ocsp_cache *c)
{
	return atomic_load(&c->generation);
}

/* FNV-1a over the CA id and the serial. */
static size_t ocsp_cache_set(const struct ocsp_cache *c, const char *ca_id, const char *serial)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = ca_id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (const char *p = serial; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (size_t)(h % c->n_sets);
}

static pthread_mutex_t *ocsp_cache_lock(struct ocsp_cache *c, size_t set)
{
	return &c->locks[set % OCSP_CACHE_LOCKS];
}

static bool ocsp_cache_match(const struct ocsp_cache_entry *e, const char *ca_id,
			     const char *serial, int hash)
{
	return e->der != NULL && e->hash == hash && strcmp(e->serial, serial) == 0 &&
	       strcmp(e->ca_id, ca_id) == 0;
}

static void ocsp_cache_drop(struct ocsp_cache *c, struct ocsp_cache_entry *e)
{
	if (e->der == NULL)
		return;
	free(e->der);
	e->der = NULL;
	atomic_fetch_sub(&c->count, 1);
}

int ocsp_cache_get(struct ocsp_cache *c, const char *ca_id, const char *serial, int hash,
		   int64_t now, unsigned char **der, size_t *len)
{
	size_t set = ocsp_cache_set(c, ca_id, serial);
	struct ocsp_cache_entry *e = &c->slots[set * OCSP_CACHE_WAYS];
	int found = 0;
	pthread_mutex_lock(ocsp_cache_lock(c, set));
	for (int i = 0; i < OCSP_CACHE_WAYS; i++) {
		if (!ocsp_cache_match(&e[i], ca_id, serial, hash))
			continue;
		if (now >= e[i].refresh_at) {
			ocsp_cache_drop(c, &e[i]);
			break;
		}
		*der = malloc(e[i].len);
		if (*der != NULL) {
			memcpy(*der, e[i].der, e[i].len);
			*len = e[i].len;
			found = 1;
		}
		break;
	}
	pthread_mutex_unlock(ocsp_cache_lock(c, set));
	return found;
}

/* The slot a new entry takes: its own key's, else an empty one, else the
 * one due for refresh first (it would be re-signed soonest anyway). */
static struct ocsp_cache_entry *ocsp_cache_victim(struct ocsp_cache_entry *e, const char *ca_id,
						  const char *serial, int hash)
{
	struct ocsp_cache_entry *victim = NULL;
	for (int i = 0; i < OCSP_CACHE_WAYS; i++)
		if (ocsp_cache_match(&e[i], ca_id, serial, hash))
			return &e[i];
	for (int i = 0; i < OCSP_CACHE_WAYS; i++) {
		if (e[i].der == NULL)
			return &e[i];
		if (victim == NULL || e[i].refresh_at < victim->refresh_at)
			victim = &e[i];
	}
	return victim;
}

int ocsp_cache_put(struct ocsp_cache *c, const char *ca_id, const char *serial, int hash,
		   const unsigned char *der, size_t len, int64_t refresh_at, uint64_t generation)
{
	if (strlen(ca_id) >= sizeof(c->slots[0].ca_id) ||
	    strlen(serial) >= sizeof(c->slots[0].serial) || len == 0)
		return -1;
	unsigned char *copy = malloc(len);
	if (copy == NULL)
		return -1;
	memcpy(copy, der, len);
	size_t set = ocsp_cache_set(c, ca_id, serial);
	int rc = -1;
	pthread_mutex_lock(ocsp_cache_lock(c, set));
	/* Checked under the set's lock: an invalidation bumps the generation
	 * before it takes the lock, so either it sees this entry and drops it,
	 * or this check sees its bump and refuses. */
	if (atomic_load(&c->generation) == generation) {
		struct ocsp_cache_entry *e =
			ocsp_cache_victim(&c->slots[set * OCSP_CACHE_WAYS], ca_id, serial, hash);
		ocsp_cache_drop(c, e);
		snprintf(e->ca_id, sizeof(e->ca_id), "%s", ca_id);
		snprintf(e->serial, sizeof(e->serial), "%s", serial);
		e->hash = hash;
		e->der = copy;
		e->len = len;
		e->refresh_at = refresh_at;
		atomic_fetch_add(&c->count, 1);
		copy = NULL;
		rc = 0;
	}
	pthread_mutex_unlock(ocsp_cache_lock(c, set));
	free(copy);
	return rc;
}

void ocsp_cache_invalidate(struct ocsp_cache *c, const char *ca_id, const char *serial)
{
	size_t set = ocsp_cache_set(c, ca_id, serial);
	struct ocsp_cache_entry *e = &c->slots[set * OCSP_CACHE_WAYS];
	atomic_fetch_add(&c->generation, 1);
	pthread_mutex_lock(ocsp_cache_lock(c, set));
	for (int i = 0; i < OCSP_CACHE_WAYS; i++)
		if (e[i].der != NULL && strcmp(e[i].serial, serial) == 0 &&
		    strcmp(e[i].ca_id, ca_id) == 0)
			ocsp_cache_drop(c, &e[i]);
	pthread_mutex_unlock(ocsp_cache_lock(c, set));
}

void ocsp_cache_clear(struct ocsp_cache *c)
{
	atomic_fetch_add(&c->generation, 1);
	for (size_t set = 0; set < c->n_sets; set++) {
		pthread_mutex_lock(ocsp_cache_lock(c, set));
		for (int i = 0; i < OCSP_CACHE_WAYS; i++)
			ocsp_cache_drop(c, &c->slots[set * OCSP_CACHE_WAYS + i]);
		pthread_mutex_unlock(ocsp_cache_lock(c, set));
	}
}

size_t ocsp_cache_count(struct ocsp_cache *c)
{
	return atomic_load(&c->count);
}
