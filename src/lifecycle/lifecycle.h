/* The lifecycle of certificates while the server runs (issue: lifecycle):
 * a scheduler that warns about expiry, marks expired certificates and renews
 * eligible private ones, and a delivery worker that sends the events of the
 * outbox to each account's targets. */
#ifndef CERTAIN_LIFECYCLE_LIFECYCLE_H
#define CERTAIN_LIFECYCLE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct store;
struct keystore;
struct ref_cache;
struct acm_public_cfg;

struct lifecycle_cfg {
	struct store *store;
	struct keystore *keys;
	const char *region;
	const char *partition;
	struct ref_cache *ca_certs;
	const char *validation_zone;
	const struct acm_public_cfg *public_cfg; /* ACME CAs (issue 8); NULL = none */
	int64_t scan_interval;	   /* seconds between scheduler passes (default 86400) */
	int delivery_max_attempts; /* then DEAD (default 8) */
	int64_t delivery_interval; /* seconds between delivery passes when idle (default 5) */
};

/* Starts the scheduler (a pass at once, then every scan_interval) and the
 * delivery worker. cfg is copied; its pointers must outlive lifecycle_stop. */
int lifecycle_start(const struct lifecycle_cfg *cfg, struct cm_err *err);

/* Stops both threads (a pass in progress finishes first). Safe when not started. */
void lifecycle_stop(void);

/* Runs one scheduler pass now and then one delivery pass, and returns when
 * both are done (the test clock's advance calls this). */
int lifecycle_run_pass(struct cm_err *err);

#endif
