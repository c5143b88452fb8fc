/* The deploy worker: runs the redeploy jobs that renewals, reimports and
 * target updates enqueued in their own transactions. Jobs are claimed under
 * a lease longer than a deployment can take (reload timeout plus the TLS
 * check), so one that a crash interrupted runs again once the lease is out;
 * a failed one is retried with backoff, then dropped (each attempt is in the
 * deployment records, and each failure sent an event). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/deploy.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/periodic.h"

#define DEPLOY_JOB_BATCH    4
#define DEPLOY_JOB_LEASE    (DEPLOY_JOB_BATCH * (DEPLOY_RELOAD_TIMEOUT_MAX * 2 + 30))
#define DEPLOY_BACKOFF_BASE 30
#define DEPLOY_BACKOFF_CAP  3600

static int64_t deploy_backoff(int attempts)
{
	int64_t d = DEPLOY_BACKOFF_BASE;
	for (int i = 1; i < attempts && d < DEPLOY_BACKOFF_CAP; i++)
		d *= 2;
	return d > DEPLOY_BACKOFF_CAP ? DEPLOY_BACKOFF_CAP : d;
}

/* One job: the target's current certificate, if it still is the job's. */
static void deploy_job_run(const struct deploy_worker_cfg *cfg, struct store_deploy_job *j)
{
	struct acm_ctx ctx = {.store = cfg->store,
			      .keys = cfg->keys,
			      .account = j->account_id,
			      .region = cfg->region,
			      .partition = cfg->partition,
			      .now = clock_now()};
	struct store_deploy_target t;
	struct store_deployment d;
	struct cm_err err = {0};
	bool done = true;
	if (store_deploy_target_get(cfg->store, j->account_id, j->target_id, &t, &err) < 0) {
		done = err.code == CM_ERR_NOT_FOUND; /* removed: nothing to deploy to */
	} else if (strcmp(t.cert_id, j->cert_id) == 0) {
		if (deploy_run(&ctx, &t, j->reason, &d, &err) < 0)
			done = false;
		else
			done = strcmp(d.result, "SUCCEEDED") == 0 ||
			       j->attempts + 1 >= cfg->max_attempts;
		if (!done)
			snprintf(j->last_error, sizeof(j->last_error), "%.200s",
				 err.msg[0] ? err.msg : d.error);
	}
	store_deploy_target_clear(&t);
	if (done) {
		if (store_deploy_job_done(cfg->store, j, &err) < 0)
			log_event(LOG_ERROR, "cannot remove a deploy job", "target", j->target_id,
				  "error", err.msg, LOG_END);
		return;
	}
	j->attempts++;
	j->next_attempt_at = clock_now() + deploy_backoff(j->attempts);
	if (store_deploy_job_retry(cfg->store, j, &err) < 0)
		log_event(LOG_ERROR, "cannot reschedule a deploy job", "target", j->target_id,
			  "error", err.msg, LOG_END);
}

int deploy_worker_pass(const struct deploy_worker_cfg *cfg, struct cm_err *err)
{
	int attempted = 0;
	for (;;) {
		struct store_deploy_job *jobs = NULL;
		size_t n = 0;
		if (store_deploy_job_claim(cfg->store, clock_now(), DEPLOY_JOB_LEASE,
					   DEPLOY_JOB_BATCH, &jobs, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			deploy_job_run(cfg, &jobs[i]);
		free(jobs);
		attempted += (int)n;
		if (n < DEPLOY_JOB_BATCH)
			return attempted;
	}
}

/* --- the thread ----------------------------------------------------------- */

static struct periodic deploy_thread = PERIODIC_INIT;
static struct deploy_worker_cfg deploy_thread_cfg;

static void deploy_worker_tick(void *arg)
{
	struct cm_err err = {0};
	if (deploy_worker_pass(arg, &err) < 0)
		log_event(LOG_ERROR, "deploy pass failed", "error", err.msg, LOG_END);
}

int deploy_worker_start(const struct deploy_worker_cfg *cfg, struct cm_err *err)
{
	deploy_thread_cfg = *cfg;
	if (deploy_thread_cfg.interval <= 0)
		deploy_thread_cfg.interval = 5;
	if (deploy_thread_cfg.max_attempts <= 0)
		deploy_thread_cfg.max_attempts = 8;
	return periodic_start(&deploy_thread, deploy_thread_cfg.interval * 1000,
			      deploy_worker_tick, &deploy_thread_cfg, err);
}

void deploy_worker_stop(void)
{
	periodic_stop(&deploy_thread);
}

void deploy_worker_wake(void)
{
	periodic_wake(&deploy_thread);
}
