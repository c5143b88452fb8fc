/* The ACME worker (issue 8): the thread that issues and renews public
 * certificates. It takes the due jobs of the store (acme_jobs), checks each
 * name's CNAME into the validation zone, and when all are in place runs an
 * ACME order at the job's CA: publishes the dns-01 TXT values, answers the
 * challenges, finalizes with a new key's CSR, downloads the chain, removes
 * the TXT values, and hands the outcome to acm/public.c. */
#ifndef CERTAIN_ACME_WORKER_H
#define CERTAIN_ACME_WORKER_H

#include <stdint.h>

#include "acm/acm.h"
#include "acme/config.h"
#include "util/err.h"

struct acme_worker_cfg {
	struct store *store;
	struct keystore *keys;
	const char *region;
	const char *partition;
	const struct acme_config *conf;		 /* outlives the worker */
	const struct acm_public_cfg *public_cfg; /* the same CAs, as ACM sees them */
};

/* Starts the thread: a pass at once, then every second or when woken. */
int acme_worker_start(const struct acme_worker_cfg *cfg, struct cm_err *err);
/* Stops it; an attempt in progress finishes first. Safe when not started. */
void acme_worker_stop(void);
/* A job was committed: look now (acm_public_cfg.wake). */
void acme_worker_wake(void);

#endif
