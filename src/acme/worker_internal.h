/* Shared inside src/acme/: the worker's state and the order it runs. */
#ifndef CERTAIN_ACME_WORKER_INTERNAL_H
#define CERTAIN_ACME_WORKER_INTERNAL_H

#include <openssl/evp.h>

#include "acme/worker.h"

/* How long a claimed job is the claimer's: longer than an attempt can take
 * (every ACME wait is bounded well below it). */
#define ACME_JOB_LEASE 900

struct acme_client;

/* The worker's state: its configuration and one ACME client per configured
 * CA, made on first use and kept (directory and nonces) between jobs. Used
 * by one thread only. */
struct acme_worker {
	struct acme_worker_cfg cfg;
	struct acme_client *clients[ACME_CONFIG_MAX_CAS];
	EVP_PKEY *account_keys[ACME_CONFIG_MAX_CAS]; /* each client's, opened once */
};
void acme_worker_clients_free(struct acme_worker *w);

/* The client of configured CA idx with its account registered (made, and
 * the account key made or opened, on first use). NULL and *err when that
 * failed; w->clients[idx], if set, then holds the CA's problem. */
struct acme_client *acme_worker_client(struct acme_worker *w, size_t idx, struct cm_err *err);

/* The index of the configured CA named name; false when there is none. */
bool acme_worker_ca_index(const struct acme_worker *w, const char *name, size_t *idx);

/* ARI (ari.c): after an issuance by CA idx, the job j becomes a renewal
 * information check when the CA offers it (else stays idle). */
int acme_ari_follow(struct acme_worker *w, const struct acm_ctx *ctx, size_t idx,
		    const struct store_acme_job *j, struct cm_err *err);
/* An ARI job is due: ask the CA, schedule the next check or start the
 * renewal. 0, or -1 on an error of our own. */
int acme_ari_check(struct acme_worker *w, const struct acm_ctx *ctx, struct store_acme_job *j,
		   struct store_acm_cert *c, struct cm_err *err);

/* The ACM context of a job's account at the current time. */
struct acm_ctx acme_worker_ctx(const struct acme_worker *w, const char *account);

/* Runs one ACME order for c's names (their records in v) at j's CA and
 * hands the outcome to acm_public_issued / acm_public_not_issued. 0 when an
 * outcome was written, -1 on an error of Certain's own (the job's lease
 * runs out and it is tried again). */
int acme_issue(struct acme_worker *w, const struct acm_ctx *ctx, struct store_acme_job *j,
	       const struct store_acm_cert *c, const struct acm_validation *v, size_t n,
	       struct cm_err *err);

#endif
