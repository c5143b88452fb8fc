/* Revocation publishing while the server runs (issue 7; spec pca.md §6.8):
 * a worker that keeps every CRL-enabled CA's CRL current (within crl_delay
 * seconds of a revocation, before nextUpdate, at start) and writes it to
 * DATA/crl/<S3BucketName>/crl/<CA id>.crl, an OCSP responder with a cache of
 * pre-signed responses, and the handler of the public, unauthenticated
 * listener that serves both over plain HTTP (they are signed). */
#ifndef CERTAIN_REVOCATION_REVOCATION_H
#define CERTAIN_REVOCATION_REVOCATION_H

#include <stdbool.h>
#include <stdint.h>

#include "http/server.h"
#include "util/err.h"

struct store;
struct keystore;
struct ref_cache;

struct revocation_cfg {
	struct store *store;
	struct keystore *keys;
	const char *region;
	const char *partition;
	struct ref_cache *ca_certs;
	const char *data_dir;	/* CRLs go under DATA/crl/ */
	int64_t crl_delay;	/* seconds from a revocation to the new CRL (default 5) */
	int64_t scan_interval;	/* seconds between checks of every CA (default 60) */
	bool ocsp_delegated;	/* OCSP signed by each CA's delegated responder (pca_ocsp_signer) */
};

/* Starts the CRL worker (its first pass publishes what is missing or due)
 * and the OCSP responder, and registers with pca/ for revocations and CA
 * changes. cfg is copied; its pointers must outlive revocation_stop. */
int revocation_start(const struct revocation_cfg *cfg, struct cm_err *err);

/* Stops the worker (a CRL being written is finished) and frees the caches.
 * Call after the public listener has stopped. Safe when not started. */
void revocation_stop(void);

/* Tells the publishers that clock_now() jumped (`certain clock advance`):
 * CRLs that became due meanwhile are published now, not when the worker's
 * sleep, measured on the old clock, ends. Safe when not started. */
void revocation_clock_moved(void);

/* The public listener's handler (ctx unused): GET /crl/<CA id>.crl,
 * POST /ocsp (and POST / for OcspCustomCname hosts), GET /ocsp/<base64>;
 * anything else 404. */
void revocation_public_handle(void *ctx, const struct http_request *req,
			      struct http_response *resp);

/* The public listener's body limit: an OCSP request is ~100 bytes. */
#define REVOCATION_PUBLIC_MAX_BODY 16384

#endif
