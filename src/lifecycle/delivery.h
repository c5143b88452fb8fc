/* Delivering the outbox (issue: lifecycle): each PENDING delivery is sent to
 * its target (a webhook POST signed with HMAC-SHA256, or a command reading the
 * event on stdin), retried with exponential backoff and jitter, and moved to
 * DEAD after the configured number of attempts. At least once: a crash between
 * sending and recording sends again. */
#ifndef CERTAIN_LIFECYCLE_DELIVERY_H
#define CERTAIN_LIFECYCLE_DELIVERY_H

#include <stdint.h>

#include "lifecycle/lifecycle.h"

/* Starts the delivery thread (a pass every cfg->delivery_interval seconds, and
 * at once when woken). */
int delivery_start(const struct lifecycle_cfg *cfg, struct cm_err *err);
void delivery_stop(void);

/* Wakes the thread for a pass now (after new events were committed). */
void delivery_wake(void);

/* Retry schedule: after the n-th failed attempt the next one is due in
 * min(CAP, BASE * 2^(n-1)) seconds, moved by up to JITTER of itself either way
 * (jitter in [-1, 1]), at least 1 s. Eight attempts span about an hour. */
#define DELIVERY_BACKOFF_BASE 30
#define DELIVERY_BACKOFF_CAP  3600
#define DELIVERY_JITTER	      0.2
int64_t delivery_backoff(int attempts, double jitter);

/* One pass on the calling thread: claims due deliveries and attempts each.
 * Returns how many were attempted, -1 on a store error. */
int delivery_run_pass(const struct lifecycle_cfg *cfg, struct cm_err *err);

#endif
