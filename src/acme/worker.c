/* The ACME worker thread (see worker.h). Jobs are claimed under a lease
 * longer than an attempt can take, so one a crash interrupted runs again once
 * the lease is out. An attempt first checks every name's CNAME: until they
 * are all in place the certificate waits (PENDING_VALIDATION, looked at again
 * every recheck_seconds) without asking the CA anything, so a user who has
 * not created the record yet costs the CA no failed authorizations. */
#include "acme/worker.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/worker_internal.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/periodic.h"

#define ACME_JOB_BATCH 4

/* Each name's status in the job's state, and the first problem seen. */
static char *acme_names_state(const struct acm_validation *v, size_t n, const bool *ok,
			      const char *detail)
{
	json_t *names = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(names, v[i].domain_name,
				    json_string(ok[i] ? "SUCCESS" : "PENDING_VALIDATION"));
	json_t *o = json_pack("{s:o}", "names", names);
	if (o != NULL && detail != NULL && detail[0] != '\0')
		json_object_set_new(o, "detail", json_string(detail));
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return s;
}

/* Whether CNAME record_name → record_value is in place, as the CA's
 * resolver will see it. A lookup that fails counts as not yet. */
static bool acme_cname_ok(const struct acme_config *conf, const struct acm_validation *v,
			  char *detail, size_t size)
{
	char name[300], target[300];
	struct cm_err err = {0};
	snprintf(name, sizeof(name), "%.*s", (int)strlen(v->record_name) - 1, v->record_name);
	int rc = dns_cname_lookup(conf->has_resolver ? &conf->resolver : NULL, name, target,
				  sizeof(target), &err);
	if (rc == 1 && strcasecmp(target, v->record_value) == 0)
		return true;
	if (detail[0] == '\0')
		snprintf(detail, size, "%s",
			 rc < 0	   ? err.msg
			 : rc == 0 ? "the CNAME record is not there yet"
				   : "the CNAME record points elsewhere");
	return false;
}

/* The CNAME check of every name; 1 when all are in place. j->state is
 * replaced with each name's status. */
static int acme_check_names(const struct acme_config *conf, struct store_acme_job *j,
			    const struct acm_validation *v, size_t n, struct cm_err *err)
{
	char detail[512] = "";
	bool *ok = calloc(n + 1, sizeof(*ok));
	size_t good = 0;
	if (ok == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		/* A wildcard and its base share one record: look it up once. */
		for (size_t k = 0; k < i && !ok[i]; k++)
			ok[i] = ok[k] && strcmp(v[k].record_name, v[i].record_name) == 0;
		if (!ok[i])
			ok[i] = acme_cname_ok(conf, &v[i], detail, sizeof(detail));
		good += ok[i] ? 1 : 0;
	}
	free(j->state);
	j->state = acme_names_state(v, n, ok, detail);
	free(ok);
	if (j->state == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return good == n ? 1 : 0;
}

/* One claimed job: its certificate's names, the CNAME check, then the order. */
static void acme_job_run(struct acme_worker *w, struct store_acme_job *j)
{
	struct acm_ctx ctx = acme_worker_ctx(w, j->account_id);
	struct store_acm_cert c;
	struct acm_validation *v = NULL;
	char **names = NULL;
	size_t n = 0;
	struct cm_err err = {0};
	int live = acm_public_job_live(&ctx, j, &c, &err), rc = -1;
	if (live == 0 && c.id[0] != '\0')
		rc = acm_public_job_retire(&ctx, j, &err); /* timed out, revoked, expired */
	if (live <= 0)
		goto out;
	if (strcmp(j->reason, ACM_ACME_ARI) == 0) {
		rc = acme_ari_check(w, &ctx, j, &c, &err);
		goto out;
	}
	if (acm_names(&c, &names, &n, &err) < 0 ||
	    acm_validations(&ctx, &c, "PENDING_VALIDATION", names, n, &v, &err) < 0)
		goto out;
	int ready = acme_check_names(w->cfg.conf, j, v, n, &err);
	if (ready == 0) {
		j->due_at = ctx.now + w->cfg.conf->recheck_seconds;
		rc = acm_public_not_issued(&ctx, j, ACM_PUBLIC_WAITING, NULL, &err);
	} else if (ready == 1) {
		rc = acme_issue(w, &ctx, j, &c, v, n, &err);
	}
out:
	if (rc < 0 && live != 0)
		log_event(LOG_WARN, "acme job left for its lease to end", "certificate", j->cert_id,
			  "error", err.msg, LOG_END);
	free(v);
	store_strings_free(names, n);
	store_acm_cert_clear(&c);
}

static int acme_pass(struct acme_worker *w, struct cm_err *err)
{
	int attempted = 0;
	for (;;) {
		struct store_acme_job *jobs = NULL;
		size_t n = 0;
		if (store_acme_job_claim(w->cfg.store, clock_now(), ACME_JOB_LEASE, ACME_JOB_BATCH,
					 &jobs, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			acme_job_run(w, &jobs[i]);
		store_acme_jobs_free(jobs, n);
		attempted += (int)n;
		if (n < ACME_JOB_BATCH)
			return attempted;
	}
}

/* --- the thread ----------------------------------------------------------- */

static struct periodic acme_thread = PERIODIC_INIT;
static struct acme_worker acme_thread_worker; /* its clients live with the thread */

static void acme_worker_tick(void *arg)
{
	struct cm_err err = {0};
	if (acme_pass(arg, &err) < 0)
		log_event(LOG_ERROR, "acme pass failed", "error", err.msg, LOG_END);
}

int acme_worker_start(const struct acme_worker_cfg *cfg, struct cm_err *err)
{
	acme_thread_worker = (struct acme_worker){.cfg = *cfg};
	/* Every second: cheap (one indexed query), and a CNAME check or a retry
	 * that came due is not left waiting for a wake-up. */
	return periodic_start(&acme_thread, 1000, acme_worker_tick, &acme_thread_worker, err);
}

void acme_worker_stop(void)
{
	periodic_stop(&acme_thread);
	acme_worker_clients_free(&acme_thread_worker);
}

void acme_worker_wake(void)
{
	periodic_wake(&acme_thread);
}

bool acme_worker_ca_index(const struct acme_worker *w, const char *name, size_t *idx)
{
	for (size_t i = 0; i < w->cfg.conf->n_cas; i++)
		if (strcmp(w->cfg.conf->cas[i].name, name) == 0) {
			*idx = i;
			return true;
		}
	return false;
}

struct acm_ctx acme_worker_ctx(const struct acme_worker *w, const char *account)
{
	return (struct acm_ctx){.store = w->cfg.store,
				.keys = w->cfg.keys,
				.account = account,
				.region = w->cfg.region,
				.partition = w->cfg.partition,
				.now = clock_now(),
				.validation_zone = w->cfg.conf->zone,
				.public_cfg = w->cfg.public_cfg};
}
