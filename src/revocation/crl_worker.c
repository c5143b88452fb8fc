/* The CRL worker (spec pca.md §6.8): one thread keeps the CRL of every
 * CRL-enabled, ACTIVE or DISABLED CA current. A CRL is regenerated
 * crl_delay seconds after a revocation of its CA (so a burst of revocations
 * costs one signature), at half its validity (AWS starts there too, so a
 * failure leaves half the time to retry), and at start when there is none or
 * it is due. It is written atomically to DATA/crl/<S3BucketName>/<CustomPath
 * or crl>/<CA id>.crl, the folder standing in for the bucket, and kept in
 * memory for the public listener, which serves it at /<CustomPath or crl>/<CA
 * id>.crl. A PARTITIONED CA has one CRL per partition instead, <CA
 * id>-<partition>.crl in the same places, all made together. An EXPIRED or
 * DELETED CA stops publishing; its last CRL stays served until the server
 * restarts. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pca/revocation.h"
#include "revocation/internal.h"
#include "util/clock.h"
#include "util/log.h"

#define CRL_SCAN_PAGE 200

/* A published CRL, shared with readers by reference. */
struct crl_blob {
	atomic_int refs;
	size_t len;
	unsigned char der[];
};

struct crl_pub {
	char ca_id[40];
	char account[16];
	char path[4096];	/* where it is written, without ".crl"; "" until known */
	char url_dir[256];	/* the URL path it is served under: CustomPath or "crl" */
	/* The complete CRL in blobs[0], or one per partition; n_blobs 0 until one exists. */
	struct crl_blob *blobs[PCA_CRL_PARTITIONS];
	size_t n_blobs;
	bool partitioned;
	int64_t due_at;		/* clock_now() seconds; 0: never (not publishing) */
	unsigned revision;	/* bumped by every request for a new CRL */
	bool seen;		/* found by the current scan */
};

static struct {
	pthread_mutex_t mu; /* guards everything below */
	pthread_cond_t cv;  /* CLOCK_MONOTONIC */
	bool cv_ready, started, stopping, scan_requested;
	pthread_t thread;
	struct revocation_cfg cfg;
	struct crl_pub *pubs;
	size_t n_pubs, cap_pubs;
} crlw = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void crl_blob_release(struct crl_blob *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static struct crl_pub *crl_find(const char *ca_id)
{
	for (size_t i = 0; i < crlw.n_pubs; i++)
		if (strcmp(crlw.pubs[i].ca_id, ca_id) == 0)
			return &crlw.pubs[i];
	return NULL;
}

static struct crl_pub *crl_add(const char *ca_id, const char *account)
{
	if (crlw.n_pubs == crlw.cap_pubs) {
		size_t cap = crlw.cap_pubs != 0 ? crlw.cap_pubs * 2 : 16;
		struct crl_pub *p = realloc(crlw.pubs, cap * sizeof(*p));
		if (p == NULL)
			return NULL;
		crlw.pubs = p;
		crlw.cap_pubs = cap;
	}
	struct crl_pub *p = &crlw.pubs[crlw.n_pubs++];
	memset(p, 0, sizeof(*p));
	snprintf(p->ca_id, sizeof(p->ca_id), "%s", ca_id);
	snprintf(p->account, sizeof(p->account), "%s", account);
	return p;
}

int crl_worker_get(const char *ca_id, const char *url_dir, int part, unsigned char **der,
		   size_t *len)
{
	pthread_mutex_lock(&crlw.mu);
	struct crl_pub *p = crl_find(ca_id);
	struct crl_blob *b = NULL;
	if (p != NULL && strcmp(p->url_dir, url_dir) == 0 && p->partitioned == (part >= 0) &&
	    (size_t)(part >= 0 ? part : 0) < p->n_blobs)
		b = p->blobs[part >= 0 ? part : 0];
	if (b != NULL)
		atomic_fetch_add(&b->refs, 1);
	pthread_mutex_unlock(&crlw.mu);
	if (b == NULL)
		return -1;
	/* Copied outside the lock: a million-entry CRL is tens of megabytes. */
	*der = malloc(b->len);
	if (*der != NULL) {
		memcpy(*der, b->der, b->len);
		*len = b->len;
	}
	crl_blob_release(b);
	return *der != NULL ? 0 : -1;
}

static void crl_request(const char *ca_id, int64_t delay)
{
	pthread_mutex_lock(&crlw.mu);
	struct crl_pub *p = crl_find(ca_id);
	int64_t due = clock_now() + delay;
	if (p != NULL && p->due_at != 0) {
		if (due < p->due_at)
			p->due_at = due;
		p->revision++;
	} else {
		/* Not publishing yet: the scan decides whether it should. */
		crlw.scan_requested = true;
	}
	if (crlw.cv_ready)
		pthread_cond_broadcast(&crlw.cv);
	pthread_mutex_unlock(&crlw.mu);
}

void crl_worker_revoked(const char *ca_id)
{
	crl_request(ca_id, crlw.cfg.crl_delay);
}

void crl_worker_ca_changed(const char *ca_id)
{
	/* The configuration (days, bucket) or status may have changed: rescan,
	 * and publish afresh so the file follows the configuration. */
	pthread_mutex_lock(&crlw.mu);
	crlw.scan_requested = true;
	pthread_mutex_unlock(&crlw.mu);
	crl_request(ca_id, 0);
}

void crl_worker_clock_moved(void)
{
	/* The wait is on a monotonic deadline computed from the old clock_now(). */
	pthread_mutex_lock(&crlw.mu);
	if (crlw.cv_ready)
		pthread_cond_broadcast(&crlw.cv);
	pthread_mutex_unlock(&crlw.mu);
}

/* A bucket name may hold '/', so refuse any path part that climbs out. */
static bool crl_bucket_safe(const char *bucket)
{
	const char *p = bucket;
	if (*p == '\0' || *p == '/')
		return false;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* mkdir -p of the folder part of path (0700: the data folder is private). */
static int crl_mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* Atomic replace: write a temporary file beside it, fsync, rename, so a
 * reader of the folder never sees half a CRL. */
static int crl_write_file(const char *path, const unsigned char *der, size_t len)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (crl_mkdirs(path) < 0)
		return -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, der + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int rc = off == len && fsync(fd) == 0 ? 0 : -1;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == 0)
		return 0;
	unlink(tmp);
	return -1;
}

static struct crl_blob *crl_blob_new(const unsigned char *der, size_t len)
{
	struct crl_blob *b = malloc(sizeof(*b) + len);
	if (b == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	b->len = len;
	memcpy(b->der, der, len);
	return b;
}

/* The file of one CRL: <stem>.crl, or <stem>-<partition>.crl; -1 when it
 * does not fit. */
static int crl_file(const char *stem, int part, char *buf, size_t size)
{
	int n = part >= 0 ? snprintf(buf, size, "%s-%x.crl", stem, (unsigned)part)
			  : snprintf(buf, size, "%s.crl", stem);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* The file of an earlier run, when the store says it is still fresh. */
static struct crl_blob *crl_blob_from_file(const char *path)
{
	struct stat sb;
	FILE *f = fopen(path, "rb");
	struct crl_blob *b = NULL;
	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &sb) == 0 && sb.st_size > 0 && sb.st_size < (1LL << 31)) {
		b = malloc(sizeof(*b) + (size_t)sb.st_size);
		if (b != NULL && fread(b->der, 1, (size_t)sb.st_size, f) == (size_t)sb.st_size) {
			atomic_init(&b->refs, 1);
			b->len = (size_t)sb.st_size;
		} else {
			free(b);
			b = NULL;
		}
	}
	fclose(f);
	return b;
}

/* Installs blobs[0..n) (owned) as the CA's CRLs; due again at half their
 * validity unless a revocation asked for new ones meanwhile. */
static void crl_install(const char *ca_id, unsigned revision, struct crl_blob **blobs, size_t n,
			bool partitioned, int64_t this_update, int64_t next_update)
{
	struct crl_blob *old[PCA_CRL_PARTITIONS] = {0};
	size_t n_old = n;
	pthread_mutex_lock(&crlw.mu);
	struct crl_pub *p = crl_find(ca_id);
	if (p == NULL) {
		for (size_t i = 0; i < n; i++)
			old[i] = blobs[i];
	} else {
		n_old = p->n_blobs;
		for (size_t i = 0; i < PCA_CRL_PARTITIONS; i++) {
			old[i] = i < n_old ? p->blobs[i] : NULL;
			p->blobs[i] = i < n ? blobs[i] : NULL;
		}
		p->n_blobs = n;
		p->partitioned = partitioned;
		if (p->revision == revision)
			p->due_at = this_update + (next_update - this_update) / 2;
	}
	pthread_mutex_unlock(&crlw.mu);
	for (size_t i = 0; i < n_old; i++)
		crl_blob_release(old[i]);
}

static void crl_log_failure(const char *ca_id, const char *what, const char *why)
{
	log_event(LOG_ERROR, "CRL not published", "ca", ca_id, "step", what, "error", why,
		  LOG_END);
}

/* Writes each CRL to its file and makes its blob; false on the first failure. */
static bool crl_write_all(const char *ca_id, const char *stem, const struct pca_crl *crls,
			  size_t n, struct crl_blob **blobs)
{
	char file[4096];
	for (size_t i = 0; i < n; i++) {
		if (crl_file(stem, crls[i].partition, file, sizeof(file)) < 0 ||
		    crl_write_file(file, crls[i].der, crls[i].der_len) < 0) {
			crl_log_failure(ca_id, "write", strerror(errno));
			return false;
		}
		if ((blobs[i] = crl_blob_new(crls[i].der, crls[i].der_len)) == NULL) {
			crl_log_failure(ca_id, "record", "out of memory");
			return false;
		}
	}
	return true;
}

/* Builds, writes and installs new CRLs for the CA. On failure they are due
 * again after a minute (AWS retries every 15 minutes; seconds matter here). */
static void crl_publish(const char *ca_id, const char *account, const char *stem,
			unsigned revision)
{
	struct pca_ctx ctx = revocation_pca_ctx(&crlw.cfg, account);
	struct store_ca ca = {0};
	struct pca_crl crls[PCA_CRL_PARTITIONS];
	struct crl_blob *blobs[PCA_CRL_PARTITIONS] = {0};
	size_t n = 0, entries = 0;
	struct cm_err err = {0};
	int64_t started = clock_monotonic_ms();
	memset(crls, 0, sizeof(crls));
	if (store_ca_get(ctx.store, account, ca_id, &ca, &err) < 0 ||
	    pca_crl_generate(&ctx, &ca, crls, &n, &err) < 0) {
		crl_log_failure(ca_id, "build", err.msg);
		goto retry;
	}
	if (!crl_write_all(ca_id, stem, crls, n, blobs))
		goto retry;
	/* Their times are one; the numbers were drawn in order, the last is the latest. */
	const struct pca_crl *last = &crls[n - 1];
	if (store_crl_set_published(ctx.store, ca_id, last->number, last->this_update,
				    last->next_update, &err) < 0) {
		crl_log_failure(ca_id, "record", err.msg);
		goto retry;
	}
	crl_install(ca_id, revision, blobs, n, crls[0].partition >= 0, last->this_update,
		    last->next_update);
	memset(blobs, 0, sizeof(blobs)); /* installed: owned by the publication now */
	for (size_t i = 0; i < n; i++)
		entries += crls[i].n_entries;
	char num[24], nent[24], ms[24];
	snprintf(num, sizeof(num), "%llu", (unsigned long long)last->number);
	snprintf(nent, sizeof(nent), "%zu", entries);
	snprintf(ms, sizeof(ms), "%lld", (long long)(clock_monotonic_ms() - started));
	log_event(LOG_INFO, "CRL published", "ca", ca_id, "number", num, "entries", nent, "ms", ms,
		  LOG_END);
	goto out;
retry:
	pthread_mutex_lock(&crlw.mu);
	struct crl_pub *p = crl_find(ca_id);
	if (p != NULL && p->revision == revision)
		p->due_at = clock_now() + 60;
	pthread_mutex_unlock(&crlw.mu);
out:
	for (size_t i = 0; i < PCA_CRL_PARTITIONS; i++) {
		crl_blob_release(blobs[i]);
		pca_crl_clear(&crls[i]);
	}
	store_ca_clear(&ca);
}

/* At start: the CRLs of the last run, when all are there. */
static void crl_load_files(const char *ca_id, const char *stem, bool partitioned,
			   const struct store_crl *rec)
{
	struct crl_blob *blobs[PCA_CRL_PARTITIONS] = {0};
	size_t n = partitioned ? PCA_CRL_PARTITIONS : 1;
	char file[4096];
	for (size_t i = 0; i < n; i++) {
		if (crl_file(stem, partitioned ? (int)i : -1, file, sizeof(file)) < 0 ||
		    (blobs[i] = crl_blob_from_file(file)) == NULL) {
			for (size_t k = 0; k < i; k++)
				crl_blob_release(blobs[k]);
			return; /* published afresh instead */
		}
	}
	pthread_mutex_lock(&crlw.mu);
	struct crl_pub *p = crl_find(ca_id);
	unsigned revision = p != NULL ? p->revision : 0;
	pthread_mutex_unlock(&crlw.mu);
	crl_install(ca_id, revision, blobs, n, partitioned, rec->this_update, rec->next_update);
}

/* What the scan learnt about one CA that should publish. */
static void crl_scan_publishing(const struct store_ca *ca, const char *path, const char *url_dir,
				bool partitioned)
{
	struct store_crl rec;
	struct cm_err err = {0};
	int64_t now = clock_now();
	pthread_mutex_lock(&crlw.mu);
	struct crl_pub *p = crl_find(ca->id);
	bool fresh = p == NULL || p->due_at == 0 || strcmp(p->path, path) != 0;
	if (p == NULL)
		p = crl_add(ca->id, ca->account_id);
	if (p != NULL) {
		p->seen = true;
		if (fresh) {
			snprintf(p->path, sizeof(p->path), "%s", path);
			snprintf(p->url_dir, sizeof(p->url_dir), "%s", url_dir);
			p->due_at = now;
			p->revision++;
		}
	}
	bool load = p != NULL && fresh && p->n_blobs == 0;
	pthread_mutex_unlock(&crlw.mu);
	/* At start: the CRLs of the last run, if the store says they are not yet due. */
	if (!load || store_crl_get(crlw.cfg.store, ca->id, &rec, &err) < 0 ||
	    now >= rec.this_update + (rec.next_update - rec.this_update) / 2)
		return;
	crl_load_files(ca->id, path, partitioned, &rec);
}

static void crl_scan_one(void *fctx, const struct store_ca_ref *ref)
{
	struct pca_revocation_cfg cfg;
	struct store_ca ca = {0};
	struct cm_err err = {0};
	char path[4096];
	snprintf((char *)fctx, 40, "%s", ref->id);
	pca_revocation_cfg_parse(ref->revocation_json, &cfg);
	if (!cfg.crl_enabled || store_ca_get(crlw.cfg.store, ref->account_id, ref->id, &ca, &err) < 0)
		return;
	if (!pca_crl_publishes(&ca, &cfg, clock_now())) {
		store_ca_clear(&ca);
		return;
	}
	if (!crl_bucket_safe(cfg.crl_bucket) || !crl_bucket_safe(cfg.crl_path)) {
		crl_log_failure(ca.id, "path",
				"S3BucketName or CustomPath has an empty, '.' or '..' part");
	} else {
		snprintf(path, sizeof(path), "%s/crl/%s/%s/%s", crlw.cfg.data_dir, cfg.crl_bucket,
			 cfg.crl_path, ca.id);
		crl_scan_publishing(&ca, path, cfg.crl_path, cfg.crl_partitioned);
	}
	store_ca_clear(&ca);
}

/* Every CA: who publishes now; who stopped (kept served, never regenerated). */
static void crl_scan(void)
{
	char after[40] = "";
	struct cm_err err = {0};
	pthread_mutex_lock(&crlw.mu);
	crlw.scan_requested = false;
	for (size_t i = 0; i < crlw.n_pubs; i++)
		crlw.pubs[i].seen = false;
	pthread_mutex_unlock(&crlw.mu);
	int n;
	do {
		n = store_ca_scan(crlw.cfg.store, after, CRL_SCAN_PAGE, crl_scan_one, after, &err);
	} while (n == CRL_SCAN_PAGE);
	if (n < 0) {
		log_event(LOG_ERROR, "CRL scan failed", "error", err.msg, LOG_END);
		return;
	}
	pthread_mutex_lock(&crlw.mu);
	for (size_t i = 0; i < crlw.n_pubs; i++)
		if (!crlw.pubs[i].seen)
			crlw.pubs[i].due_at = 0;
	pthread_mutex_unlock(&crlw.mu);
}

/* The first CA due now (copied out, lock held by the caller); false: none. */
static bool crl_next_due(int64_t now, char *ca_id, char *account, char *path, unsigned *rev,
			 int64_t *earliest)
{
	*earliest = 0;
	for (size_t i = 0; i < crlw.n_pubs; i++) {
		struct crl_pub *p = &crlw.pubs[i];
		if (p->due_at == 0)
			continue;
		if (p->due_at <= now) {
			memcpy(ca_id, p->ca_id, sizeof(p->ca_id));
			memcpy(account, p->account, sizeof(p->account));
			memcpy(path, p->path, sizeof(p->path));
			*rev = p->revision;
			return true;
		}
		if (*earliest == 0 || p->due_at < *earliest)
			*earliest = p->due_at;
	}
	return false;
}

/* Sleeps until earliest (clock_now seconds; 0: none) or the next scan,
 * or until woken. */
static void crl_wait(int64_t earliest, int64_t next_scan_ms)
{
	int64_t until = next_scan_ms;
	if (earliest != 0) {
		int64_t ms = clock_monotonic_ms() + (earliest - clock_now()) * 1000;
		if (ms < until)
			until = ms;
	}
	struct timespec ts = {.tv_sec = (time_t)(until / 1000),
			      .tv_nsec = (long)(until % 1000) * 1000000};
	if (!crlw.stopping && !crlw.scan_requested && clock_monotonic_ms() < until)
		pthread_cond_timedwait(&crlw.cv, &crlw.mu, &ts);
}

static void *crl_main(void *arg)
{
	(void)arg;
	int64_t next_scan_ms = 0;
	char ca_id[40], account[16], path[4096];
	unsigned rev;
	int64_t earliest;
	pthread_mutex_lock(&crlw.mu);
	while (!crlw.stopping) {
		if (crlw.scan_requested || clock_monotonic_ms() >= next_scan_ms) {
			pthread_mutex_unlock(&crlw.mu);
			crl_scan();
			next_scan_ms = clock_monotonic_ms() + crlw.cfg.scan_interval * 1000;
			pthread_mutex_lock(&crlw.mu);
			continue;
		}
		if (crl_next_due(clock_now(), ca_id, account, path, &rev, &earliest)) {
			pthread_mutex_unlock(&crlw.mu);
			crl_publish(ca_id, account, path, rev);
			pthread_mutex_lock(&crlw.mu);
			continue;
		}
		crl_wait(earliest, next_scan_ms);
	}
	pthread_mutex_unlock(&crlw.mu);
	return NULL;
}

int crl_worker_start(const struct revocation_cfg *cfg, struct cm_err *err)
{
	pthread_mutex_lock(&crlw.mu);
	if (!crlw.cv_ready) {
		pthread_condattr_t a;
		pthread_condattr_init(&a);
		pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
		pthread_cond_init(&crlw.cv, &a);
		pthread_condattr_destroy(&a);
		crlw.cv_ready = true;
	}
	crlw.cfg = *cfg;
	crlw.stopping = false;
	crlw.scan_requested = true;
	pthread_mutex_unlock(&crlw.mu);
	if (pthread_create(&crlw.thread, NULL, crl_main, NULL) != 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot start the CRL worker");
	crlw.started = true;
	return 0;
}

void crl_worker_stop(void)
{
	if (!crlw.started)
		return;
	pthread_mutex_lock(&crlw.mu);
	crlw.stopping = true;
	pthread_cond_broadcast(&crlw.cv);
	pthread_mutex_unlock(&crlw.mu);
	pthread_join(crlw.thread, NULL);
	for (size_t i = 0; i < crlw.n_pubs; i++)
		for (size_t k = 0; k < crlw.pubs[i].n_blobs; k++)
			crl_blob_release(crlw.pubs[i].blobs[k]);
	free(crlw.pubs);
	crlw.pubs = NULL;
	crlw.n_pubs = crlw.cap_pubs = 0;
	crlw.started = false;
}
