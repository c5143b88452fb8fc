/* A background thread that runs one pass at start, then every interval, or
 * at once when woken (after work was committed for it). The deploy worker
 * and the ACME worker are such threads; one implementation of the waiting,
 * waking and stopping keeps their shutdown behaviour the same. */
#ifndef CERTAIN_UTIL_PERIODIC_H
#define CERTAIN_UTIL_PERIODIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct periodic {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC, made by periodic_start */
	pthread_t thread;
	bool cv_ready, running, stopping, woken;
	int64_t interval_ms;
	void (*pass)(void *arg);
	void *arg;
};

/* Static initializer: a periodic may be woken or stopped before it starts. */
#define PERIODIC_INIT                                                                              \
	{                                                                                          \
		.mu = PTHREAD_MUTEX_INITIALIZER                                                    \
	}

/* Starts the thread (no-op when running): pass(arg) at once, then every
 * interval_ms or when woken. */
int periodic_start(struct periodic *p, int64_t interval_ms, void (*pass)(void *arg), void *arg,
		   struct cm_err *err);
/* Stops it; a pass in progress finishes first. Safe when not started. */
void periodic_stop(struct periodic *p);
/* Asks for a pass now; a no-op when not running. */
void periodic_wake(struct periodic *p);

#endif
