/* The OCSP responder (RFC 6960; spec pca.md §6.8). A request's CertIDs are
 * matched against an in-memory index of the CAs that answer OCSP (ACTIVE,
 * DISABLED or EXPIRED with OCSP enabled): (hash algorithm, issuerNameHash,
 * issuerKeyHash) → CA, rebuilt when a CA changes, every minute, and (at most
 * once a second) when a CertID matches nothing, so a new CA answers at once.
 * The index holds each CA's certificate and key, so answering costs no
 * store read of the CA and no unsealing. With serve --ocsp-delegated the key
 * is the CA's delegated responder's (pca_ocsp_signer), whose certificate goes
 * in every response; each rebuild gives it its chance to be renewed.
 *
 * A request for one certificate without a nonce gets a pre-signed response
 * from the cache (thisUpdate now, nextUpdate an hour on, re-signed after half
 * of that), so a lookup costs no signature; a revocation removes the serial's
 * responses before pca_revoke returns. With a nonce (RFC 9654) or several
 * CertIDs, the response is built on demand. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pca/revocation.h"
#include "revocation/internal.h"
#include "revocation/ocsp_cache.h"
#include "util/clock.h"
#include "util/log.h"
#include "x509/ocsp.h"

#define OCSP_VALIDITY	    3600   /* nextUpdate - thisUpdate of every response */
#define OCSP_CACHE_SLOTS    65536
#define OCSP_REBUILD_MS	    60000  /* the index is rebuilt at least this often */
#define OCSP_MISS_REBUILD_MS 1000  /* and at most this often on an unknown CertID */
#define OCSP_N_HASHES	    4      /* SHA-1, SHA-256, SHA-384, SHA-512 */
#define OCSP_SCAN_PAGE	    200

struct ocsp_ca {
	char id[40];
	char account[16];
	X509 *cert;
	EVP_PKEY *key;	 /* the CA's, or its delegated responder's */
	X509 *responder; /* NULL: the CA signs; else the delegated responder */
	enum x509_sig_alg sig_alg;
};

/* One index row: a CA's CertID hashes for one algorithm. */
struct ocsp_row {
	int hash;
	unsigned char name[EVP_MAX_MD_SIZE];
	unsigned char key[EVP_MAX_MD_SIZE];
	size_t len;
	size_t ca; /* index into cas */
};

/* An immutable snapshot, shared by reference. */
struct ocsp_index {
	atomic_int refs;
	struct ocsp_ca *cas;
	size_t n_cas, cap_cas;
	struct ocsp_row *rows; /* sorted by ocsp_row_cmp */
	size_t n_rows;
	int64_t built_ms;
};

static struct {
	pthread_mutex_t mu;	   /* guards index and dirty */
	pthread_mutex_t build_mu;  /* one rebuild at a time */
	struct ocsp_index *index;
	bool dirty;
	struct ocsp_cache *cache;
	struct revocation_cfg cfg;
} ocspr = {.mu = PTHREAD_MUTEX_INITIALIZER, .build_mu = PTHREAD_MUTEX_INITIALIZER};

static void ocsp_index_release(struct ocsp_index *ix)
{
	if (ix == NULL || atomic_fetch_sub(&ix->refs, 1) != 1)
		return;
	for (size_t i = 0; i < ix->n_cas; i++) {
		X509_free(ix->cas[i].cert);
		X509_free(ix->cas[i].responder);
		EVP_PKEY_free(ix->cas[i].key);
	}
	free(ix->cas);
	free(ix->rows);
	free(ix);
}

static int ocsp_row_cmp(const void *a, const void *b)
{
	const struct ocsp_row *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	int c = memcmp(x->name, y->name, x->len);
	return c != 0 ? c : memcmp(x->key, y->key, x->len);
}

/* The CA a CertID names, or NULL. */
static const struct ocsp_ca *ocsp_index_find(const struct ocsp_index *ix,
					     const struct x509_ocsp_certid *id)
{
	struct ocsp_row probe = {.hash = (int)id->hash, .len = id->name_hash_len};
	if (id->hash == X509_OCSP_HASH_OTHER || id->name_hash_len != id->key_hash_len ||
	    id->name_hash_len > EVP_MAX_MD_SIZE)
		return NULL;
	memcpy(probe.name, id->name_hash, id->name_hash_len);
	memcpy(probe.key, id->key_hash, id->key_hash_len);
	const struct ocsp_row *r =
		bsearch(&probe, ix->rows, ix->n_rows, sizeof(*ix->rows), ocsp_row_cmp);
	return r != NULL ? &ix->cas[r->ca] : NULL;
}

/* The key of a CA the old index already opened (keys never change); not a
 * delegated responder's. */
static EVP_PKEY *ocsp_reuse_key(const struct ocsp_index *old, const char *ca_id)
{
	for (size_t i = 0; old != NULL && i < old->n_cas; i++) {
		if (strcmp(old->cas[i].id, ca_id) == 0 && old->cas[i].responder == NULL &&
		    EVP_PKEY_up_ref(old->cas[i].key) == 1)
			return old->cas[i].key;
	}
	return NULL;
}

struct ocsp_build {
	struct ocsp_index *ix;
	const struct ocsp_index *old;
	char after[40];
	bool failed;
	/* The page's OCSP-enabled CAs, added once the scan statement is done:
	 * adding one may write (a delegated responder), and a write from inside
	 * a read of an older WAL snapshot fails at once with SQLITE_BUSY. */
	struct {
		char id[40];
		char account[16];
	} page[OCSP_SCAN_PAGE];
	size_t n_page;
};

/* Adds one CA (certificate, key, CertID hashes) to the index being built. */
static int ocsp_build_add(struct ocsp_build *b, const struct store_ca *ca)
{
	struct pca_ctx ctx = revocation_pca_ctx(&ocspr.cfg, ca->account_id);
	struct cm_err err = {0};
	struct ocsp_ca c = {0};
	struct ocsp_index *ix = b->ix;
	snprintf(c.id, sizeof(c.id), "%s", ca->id);
	snprintf(c.account, sizeof(c.account), "%s", ca->account_id);
	if (pca_ca_sig_alg(ca, &c.sig_alg, &err) < 0 ||
	    (c.cert = pca_ca_signing_cert(&ctx, ca, &err)) == NULL)
		goto fail;
	/* Delegated: every rebuild (a minute) is the responder's chance to renew. */
	if (ocspr.cfg.ocsp_delegated && pca_ocsp_signer(&ctx, ca, &c.responder, &c.key, &err) < 0 &&
	    err.code != CM_ERR_INVALID_STATE)
		goto fail;
	if (c.key == NULL) { /* the CA signs (not delegated, or expiring) */
		c.key = ocsp_reuse_key(b->old, ca->id);
		if (c.key == NULL && (c.key = pca_ca_signing_key(&ctx, ca, &err)) == NULL)
			goto fail;
	}
	if (ix->n_cas == ix->cap_cas) {
		size_t cap = ix->cap_cas != 0 ? ix->cap_cas * 2 : 8;
		struct ocsp_ca *cas = realloc(ix->cas, cap * sizeof(*cas));
		struct ocsp_row *rows =
			cas != NULL ? realloc(ix->rows, cap * OCSP_N_HASHES * sizeof(*rows)) : NULL;
		if (cas != NULL)
			ix->cas = cas;
		if (rows == NULL)
			goto fail;
		ix->rows = rows;
		ix->cap_cas = cap;
	}
	for (int h = 0; h < OCSP_N_HASHES; h++) {
		struct ocsp_row *r = &ix->rows[ix->n_rows];
		r->hash = h;
		r->ca = ix->n_cas;
		if (x509_ocsp_ca_hashes(c.cert, (enum x509_ocsp_hash)h, r->name, r->key, &r->len) ==
		    0)
			ix->n_rows++;
	}
	ix->cas[ix->n_cas++] = c;
	return 0;
fail:
	log_event(LOG_WARN, "OCSP: CA left out", "ca", ca->id, "error", err.msg, LOG_END);
	X509_free(c.cert);
	X509_free(c.responder);
	EVP_PKEY_free(c.key);
	return -1;
}

static void ocsp_build_one(void *fctx, const struct store_ca_ref *ref)
{
	struct ocsp_build *b = fctx;
	struct pca_revocation_cfg cfg;
	snprintf(b->after, sizeof(b->after), "%s", ref->id);
	pca_revocation_cfg_parse(ref->revocation_json, &cfg);
	if (!cfg.ocsp_enabled || b->n_page == OCSP_SCAN_PAGE)
		return;
	snprintf(b->page[b->n_page].id, sizeof(b->page[0].id), "%s", ref->id);
	snprintf(b->page[b->n_page].account, sizeof(b->page[0].account), "%s", ref->account_id);
	b->n_page++;
}

/* The CAs of the page just read that answer OCSP now. */
static void ocsp_build_page(struct ocsp_build *b)
{
	for (size_t i = 0; i < b->n_page; i++) {
		struct pca_revocation_cfg cfg;
		struct store_ca ca = {0};
		struct cm_err err = {0};
		if (store_ca_get(ocspr.cfg.store, b->page[i].account, b->page[i].id, &ca, &err) < 0)
			continue;
		pca_revocation_cfg_parse(ca.revocation_json, &cfg);
		if (pca_ocsp_answers(&ca, &cfg, clock_now()))
			ocsp_build_add(b, &ca);
		store_ca_clear(&ca);
	}
	b->n_page = 0;
}

/* A fresh index from the store; NULL when the store cannot be read. */
static struct ocsp_index *ocsp_index_build(const struct ocsp_index *old)
{
	struct ocsp_build *b = calloc(1, sizeof(*b));
	struct ocsp_index *ix = NULL;
	struct cm_err err = {0};
	if (b == NULL || (b->ix = calloc(1, sizeof(*b->ix))) == NULL)
		goto out;
	b->old = old;
	atomic_init(&b->ix->refs, 1);
	int n;
	do {
		n = store_ca_scan(ocspr.cfg.store, b->after, OCSP_SCAN_PAGE, ocsp_build_one, b,
				  &err);
		ocsp_build_page(b);
	} while (n == OCSP_SCAN_PAGE);
	if (n < 0) {
		log_event(LOG_ERROR, "OCSP: cannot read the CAs", "error", err.msg, LOG_END);
		ocsp_index_release(b->ix);
		goto out;
	}
	qsort(b->ix->rows, b->ix->n_rows, sizeof(*b->ix->rows), ocsp_row_cmp);
	b->ix->built_ms = clock_monotonic_ms();
	ix = b->ix;
out:
	free(b);
	return ix;
}

/* The current index (a reference: ocsp_index_release), rebuilt first when
 * it is dirty, older than a minute, or (miss) older than a second. */
static struct ocsp_index *ocsp_index_get(bool miss)
{
	pthread_mutex_lock(&ocspr.mu);
	struct ocsp_index *ix = ocspr.index;
	int64_t age = ix != NULL ? clock_monotonic_ms() - ix->built_ms : 0;
	bool rebuild = ix == NULL || ocspr.dirty || age >= OCSP_REBUILD_MS ||
		       (miss && age >= OCSP_MISS_REBUILD_MS);
	if (ix != NULL)
		atomic_fetch_add(&ix->refs, 1);
	pthread_mutex_unlock(&ocspr.mu);
	if (!rebuild)
		return ix;
	/* One thread rebuilds; the others keep answering from the old index
	 * (or, before there is one, wait for it). */
	if (ix == NULL)
		pthread_mutex_lock(&ocspr.build_mu);
	else if (pthread_mutex_trylock(&ocspr.build_mu) != 0)
		return ix;
	pthread_mutex_lock(&ocspr.mu);
	if (ix == NULL && ocspr.index != NULL && !ocspr.dirty) { /* built while we waited */
		ix = ocspr.index;
		atomic_fetch_add(&ix->refs, 1);
		pthread_mutex_unlock(&ocspr.mu);
		pthread_mutex_unlock(&ocspr.build_mu);
		return ix;
	}
	ocspr.dirty = false;
	pthread_mutex_unlock(&ocspr.mu);
	struct ocsp_index *fresh = ocsp_index_build(ix);
	if (fresh != NULL) {
		pthread_mutex_lock(&ocspr.mu);
		struct ocsp_index *old = ocspr.index;
		ocspr.index = fresh;
		atomic_fetch_add(&fresh->refs, 1);
		pthread_mutex_unlock(&ocspr.mu);
		ocsp_index_release(old);
		ocsp_index_release(ix);
		ix = fresh;
	}
	pthread_mutex_unlock(&ocspr.build_mu);
	return ix;
}

static unsigned char *ocsp_error(enum x509_ocsp_error status, size_t *len)
{
	const unsigned char *der = x509_ocsp_error_response(status, len);
	unsigned char *copy = malloc(*len);
	if (copy != NULL)
		memcpy(copy, der, *len);
	return copy;
}

/* Signs the singles of one CA's request. */
static unsigned char *ocsp_sign(const struct ocsp_ca *ca, const struct x509_ocsp_single *s,
				size_t n, const unsigned char *nonce, size_t nonce_len,
				int64_t now, size_t *len)
{
	struct x509_ocsp_signer signer = {.ca_cert = ca->cert, .key = ca->key,
					  .responder_cert = ca->responder, .sig_alg = ca->sig_alg};
	struct cm_err err = {0};
	unsigned char *der = x509_ocsp_response_build(&signer, s, n, nonce, nonce_len, now, len,
						      &err);
	if (der == NULL)
		log_event(LOG_ERROR, "OCSP: cannot sign", "ca", ca->id, "error", err.msg, LOG_END);
	return der;
}

/* The status of every CertID (all of ca), then one signed response. */
static unsigned char *ocsp_answer_ca(const struct ocsp_ca *ca, const struct x509_ocsp_request *r,
				     size_t *len)
{
	struct x509_ocsp_single singles[X509_OCSP_MAX_IDS];
	struct pca_ctx ctx = revocation_pca_ctx(&ocspr.cfg, ca->account);
	struct cm_err err = {0};
	bool presign = r->n_ids == 1 && r->nonce_len == 0;
	int hash = (int)r->ids[0].hash;
	unsigned char *der = NULL;
	if (presign && ocsp_cache_get(ocspr.cache, ca->id, r->ids[0].serial_hex, hash, ctx.now,
				      &der, len) == 1)
		return der;
	/* Read before the status: a revocation after this makes the put fail. */
	uint64_t gen = ocsp_cache_generation(ocspr.cache);
	for (size_t i = 0; i < r->n_ids; i++) {
		singles[i].id = &r->ids[i];
		singles[i].this_update = ctx.now;
		singles[i].next_update = ctx.now + OCSP_VALIDITY;
		if (pca_ocsp_status(&ctx, ca->id, r->ids[i].serial_hex, &singles[i], &err) < 0) {
			log_event(LOG_ERROR, "OCSP: status lookup failed", "ca", ca->id, "error",
				  err.msg, LOG_END);
			return ocsp_error(X509_OCSP_TRY_LATER, len);
		}
	}
	der = ocsp_sign(ca, singles, r->n_ids, r->nonce, r->nonce_len, ctx.now, len);
	if (der == NULL)
		return ocsp_error(X509_OCSP_INTERNAL_ERROR, len);
	if (presign)
		ocsp_cache_put(ocspr.cache, ca->id, r->ids[0].serial_hex, hash, der, *len,
			       ctx.now + OCSP_VALIDITY / 2, gen);
	return der;
}

/* The one CA all CertIDs name, or NULL (§2.3 unauthorized: a CertID of a CA
 * this responder does not serve, or of two CAs, which no one key signs). */
static const struct ocsp_ca *ocsp_match(const struct ocsp_index *ix,
					const struct x509_ocsp_request *r)
{
	const struct ocsp_ca *ca = NULL;
	for (size_t i = 0; ix != NULL && i < r->n_ids; i++) {
		const struct ocsp_ca *c = ocsp_index_find(ix, &r->ids[i]);
		if (c == NULL || (ca != NULL && c != ca))
			return NULL;
		ca = c;
	}
	return ca;
}

unsigned char *ocsp_responder_answer(const unsigned char *der, size_t der_len,
				     const char *get_text, size_t *out_len, bool *malformed)
{
	struct x509_ocsp_request r = {0};
	struct cm_err err = {0};
	unsigned char *out = NULL;
	int rc = get_text != NULL
			 ? x509_ocsp_request_parse_get(get_text, strlen(get_text), &r, &err)
			 : x509_ocsp_request_parse(der, der_len, &r, &err);
	*malformed = rc < 0 && err.code == CM_ERR_INVALID_REQUEST;
	if (rc < 0) {
		out = ocsp_error(err.code == CM_ERR_INVALID_REQUEST ? X509_OCSP_MALFORMED_REQUEST
								   : X509_OCSP_INTERNAL_ERROR,
				 out_len);
		goto out;
	}
	struct ocsp_index *ix = ocsp_index_get(false);
	const struct ocsp_ca *ca = ocsp_match(ix, &r);
	if (ca == NULL) {
		ocsp_index_release(ix);
		ix = ocsp_index_get(true);
		ca = ocsp_match(ix, &r);
	}
	out = ca != NULL ? ocsp_answer_ca(ca, &r, out_len)
			 : ocsp_error(X509_OCSP_UNAUTHORIZED, out_len);
	ocsp_index_release(ix);
out:
	x509_ocsp_request_clear(&r);
	return out;
}

void ocsp_responder_revoked(const char *ca_id, const char *serial_hex)
{
	if (ocspr.cache != NULL)
		ocsp_cache_invalidate(ocspr.cache, ca_id, serial_hex);
}

void ocsp_responder_ca_changed(const char *ca_id)
{
	(void)ca_id;
	pthread_mutex_lock(&ocspr.mu);
	ocspr.dirty = true;
	pthread_mutex_unlock(&ocspr.mu);
	/* A CA's status or configuration changed: its responses may too. */
	if (ocspr.cache != NULL)
		ocsp_cache_clear(ocspr.cache);
}

int ocsp_responder_start(const struct revocation_cfg *cfg, struct cm_err *err)
{
	ocspr.cfg = *cfg;
	ocspr.cache = ocsp_cache_new(OCSP_CACHE_SLOTS);
	if (ocspr.cache == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	ocspr.dirty = true;
	return 0;
}

void ocsp_responder_stop(void)
{
	pthread_mutex_lock(&ocspr.mu);
	struct ocsp_index *ix = ocspr.index;
	ocspr.index = NULL;
	pthread_mutex_unlock(&ocspr.mu);
	ocsp_index_release(ix);
	ocsp_cache_free(ocspr.cache);
	ocspr.cache = NULL;
}
