/* The scheduler thread: an expiry scan at start and then every
 * scan_interval seconds (daily by default), sleeping on a condition variable
 * so that lifecycle_stop ends the wait at once. lifecycle_run_pass (the test
 * clock's advance) runs a pass on the caller's thread; one mutex keeps two
 * passes of this process from overlapping, and the store's revisions keep
 * passes of two processes from acting twice (scan.c). The delivery worker
 * is started and stopped with it and reached only through delivery.h; so is
 * the deploy worker (deploy.h), which runs redeploys after renewals. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "deploy/deploy.h"
#include "lifecycle/delivery.h"
#include "lifecycle/lifecycle.h"
#include "lifecycle/scan.h"
#include "util/clock.h"
#include "util/log.h"

#define LIFECYCLE_DEFAULT_INTERVAL 86400

static struct {
	pthread_mutex_t mu; /* guards the fields below */
	pthread_cond_t cv;  /* on CLOCK_MONOTONIC: waits are durations */
	bool cv_ready, started, stopping;
	pthread_t thread;
	struct lifecycle_cfg cfg;
	pthread_mutex_t pass_mu; /* one pass at a time in this process */
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER, .pass_mu = PTHREAD_MUTEX_INITIALIZER};

static void sched_cv_init(void)
{
	pthread_condattr_t a;
	if (sched.cv_ready)
		return;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&sched.cv, &a);
	pthread_condattr_destroy(&a);
	sched.cv_ready = true;
}

/* One scan under pass_mu, logged; -1 when the work list cannot be read. */
static int sched_scan(const struct lifecycle_cfg *cfg, struct cm_err *err)
{
	struct lifecycle_scan_stats s;
	int64_t started = clock_monotonic_ms();
	pthread_mutex_lock(&sched.pass_mu);
	int rc = lifecycle_scan(cfg, clock_now(), &s, err);
	pthread_mutex_unlock(&sched.pass_mu);
	if (rc < 0) {
		log_event(LOG_ERROR, "lifecycle scan failed", "error", err->msg, LOG_END);
		return -1;
	}
	char n[8][24];
	snprintf(n[0], sizeof(n[0]), "%d", s.examined);
	snprintf(n[1], sizeof(n[1]), "%d", s.warned);
	snprintf(n[2], sizeof(n[2]), "%d", s.expired);
	snprintf(n[3], sizeof(n[3]), "%d", s.renewed);
	snprintf(n[4], sizeof(n[4]), "%d", s.renewal_failed);
	snprintf(n[5], sizeof(n[5]), "%d", s.action_required);
	snprintf(n[6], sizeof(n[6]), "%lld", (long long)(clock_monotonic_ms() - started));
	snprintf(n[7], sizeof(n[7]), "%d", s.renewal_started);
	log_event(s.examined > 0 ? LOG_INFO : LOG_DEBUG, "lifecycle scan", "examined", n[0],
		  "warned", n[1], "expired", n[2], "renewed", n[3], "renewal_failed", n[4],
		  "renewal_started", n[7], "action_required", n[5], "ms", n[6], LOG_END);
	return 0;
}

/* Sleeps until the next pass is due or stop is asked; true when stopping. */
static bool sched_wait(int64_t interval)
{
	int64_t until_ms = clock_monotonic_ms() + interval * 1000;
	struct timespec ts = {.tv_sec = (time_t)(until_ms / 1000),
			      .tv_nsec = (long)(until_ms % 1000) * 1000000};
	pthread_mutex_lock(&sched.mu);
	while (!sched.stopping && clock_monotonic_ms() < until_ms)
		pthread_cond_timedwait(&sched.cv, &sched.mu, &ts);
	bool stopping = sched.stopping;
	pthread_mutex_unlock(&sched.mu);
	return stopping;
}

static void *sched_main(void *arg)
{
	const struct lifecycle_cfg *cfg = arg;
	do {
		struct cm_err err = {0};
		if (sched_scan(cfg, &err) == 0)
			delivery_wake(); /* what the pass committed goes out now */
	} while (!sched_wait(cfg->scan_interval));
	return NULL;
}

int lifecycle_start(const struct lifecycle_cfg *cfg, struct cm_err *err)
{
	pthread_mutex_lock(&sched.mu);
	sched_cv_init();
	if (sched.started) {
		pthread_mutex_unlock(&sched.mu);
		return cm_fail(err, CM_ERR_INTERNAL, "the lifecycle scheduler is already running");
	}
	sched.cfg = *cfg;
	if (sched.cfg.scan_interval <= 0)
		sched.cfg.scan_interval = LIFECYCLE_DEFAULT_INTERVAL;
	sched.stopping = false;
	pthread_mutex_unlock(&sched.mu);
	/* Delivery first: the first pass's events have somewhere to go. The
	 * deploy worker (issue 6) too: a renewal's redeploy jobs run at once. */
	struct deploy_worker_cfg dcfg = {.store = cfg->store, .keys = cfg->keys,
					 .region = cfg->region, .partition = cfg->partition,
					 .max_attempts = cfg->delivery_max_attempts,
					 .interval = cfg->delivery_interval};
	if (delivery_start(&sched.cfg, err) < 0)
		return -1;
	if (deploy_worker_start(&dcfg, err) < 0) {
		delivery_stop();
		return -1;
	}
	if (pthread_create(&sched.thread, NULL, sched_main, &sched.cfg) != 0) {
		deploy_worker_stop();
		delivery_stop();
		return cm_fail(err, CM_ERR_INTERNAL, "cannot start the lifecycle scheduler");
	}
	pthread_mutex_lock(&sched.mu);
	sched.started = true;
	pthread_mutex_unlock(&sched.mu);
	char interval[24];
	snprintf(interval, sizeof(interval), "%lld", (long long)sched.cfg.scan_interval);
	log_event(LOG_INFO, "lifecycle scheduler started", "scan_interval", interval, LOG_END);
	return 0;
}

void lifecycle_stop(void)
{
	pthread_mutex_lock(&sched.mu);
	bool started = sched.started;
	sched.stopping = true;
	if (sched.cv_ready)
		pthread_cond_broadcast(&sched.cv);
	pthread_mutex_unlock(&sched.mu);
	if (!started)
		return;
	pthread_join(sched.thread, NULL);
	deploy_worker_stop();
	delivery_stop();
	pthread_mutex_lock(&sched.mu);
	sched.started = false;
	pthread_mutex_unlock(&sched.mu);
}

int lifecycle_run_pass(struct cm_err *err)
{
	pthread_mutex_lock(&sched.mu);
	bool started = sched.started;
	pthread_mutex_unlock(&sched.mu);
	if (!started)
		return cm_fail(err, CM_ERR_UNAVAILABLE, "the lifecycle scheduler is not running");
	if (sched_scan(&sched.cfg, err) < 0)
		return -1;
	return delivery_run_pass(&sched.cfg, err) < 0 ? -1 : 0;
}
