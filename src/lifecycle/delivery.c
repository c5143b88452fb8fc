/* The delivery worker: claims due deliveries of the outbox in small batches
 * under a lease, sends each to its target, and records the outcome. The lease
 * (longer than a batch can take) keeps a second worker off the same rows; a
 * crash leaves them claimed until it runs out, and then they are sent again:
 * at least once, never lost. */
#include "lifecycle/delivery.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keystore/keystore.h"
#include "lifecycle/command.h"
#include "lifecycle/webhook.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

/* A batch of DELIVERY_BATCH attempts takes at most ~11 s each (the webhook
 * and command timeouts): the lease must outlast the batch it covers. */
#define DELIVERY_BATCH 4
#define DELIVERY_LEASE 60
/* Bounds one pass, so stop (and the test clock's advance) is never held
 * hostage by a backlog; the rest waits for the next pass. */
#define DELIVERY_PASS_MAX   256
#define DELIVERY_SECRET_MAX 256

int64_t delivery_backoff(int attempts, double jitter)
{
	int64_t d = DELIVERY_BACKOFF_BASE;
	for (int i = 1; i < attempts && d < DELIVERY_BACKOFF_CAP; i++)
		d *= 2;
	if (d > DELIVERY_BACKOFF_CAP)
		d = DELIVERY_BACKOFF_CAP;
	if (jitter < -1.0)
		jitter = -1.0;
	if (jitter > 1.0)
		jitter = 1.0;
	d += (int64_t)((double)d * DELIVERY_JITTER * jitter);
	return d < 1 ? 1 : d;
}

/* Uniform in [-1, 1]: spreads the retries of many deliveries that failed
 * together (a receiver that was down) so they do not come back as one wave. */
static double delivery_jitter(void)
{
	uint32_t r = 0;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0.0;
	return (double)r / (double)UINT32_MAX * 2.0 - 1.0;
}

/* Sends one event to one target; 0 when the target took it. */
static int delivery_send(const struct lifecycle_cfg *cfg, const struct store_event_target *t,
			 const struct store_event *ev, char *errbuf, size_t errsize)
{
	if (strcmp(t->kind, "command") == 0)
		return command_run(t->endpoint, ev->body, strlen(ev->body), ev->id, ev->detail_type,
				   COMMAND_TIMEOUT_MS, errbuf, errsize);
	unsigned char secret[DELIVERY_SECRET_MAX];
	size_t secret_len = 0;
	char binding[96];
	struct cm_err err = {0};
	snprintf(binding, sizeof(binding), "certain:event-target:%s", t->id);
	if (t->secret_sealed == NULL ||
	    keystore_open_secret(cfg->keys, t->secret_sealed, t->secret_sealed_len, binding, secret,
				 sizeof(secret), &secret_len, &err) < 0) {
		snprintf(errbuf, errsize, "cannot open the target's secret");
		return -1;
	}
	int rc = webhook_post(t->endpoint, ev->id, secret, secret_len, clock_now(), ev->body,
			      errbuf, errsize);
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}

/* Records the outcome of one attempt (sent or not) on d. */
static void delivery_record(const struct lifecycle_cfg *cfg, struct store_delivery *d, bool ok,
			    bool final, const char *why)
{
	struct cm_err err = {0};
	int64_t now = clock_now();
	char attempts[16];
	d->attempts++;
	snprintf(attempts, sizeof(attempts), "%d", d->attempts);
	if (ok) {
		snprintf(d->state, sizeof(d->state), "DELIVERED");
		d->delivered_at = now;
		d->last_error[0] = '\0';
	} else if (final || d->attempts >= cfg->delivery_max_attempts) {
		snprintf(d->state, sizeof(d->state), "DEAD");
		snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	} else {
		snprintf(d->state, sizeof(d->state), "PENDING");
		d->next_attempt_at = now + delivery_backoff(d->attempts, delivery_jitter());
		snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	}
	log_event(ok				  ? LOG_INFO
		  : strcmp(d->state, "DEAD") == 0 ? LOG_ERROR
						  : LOG_WARN,
		  ok ? "event delivered" : "event delivery failed", "event_id", d->event_id,
		  "target_id", d->target_id, "account", d->account_id, "attempts", attempts,
		  "state", d->state, "error", ok ? "" : why, LOG_END);
	/* A failed write leaves the claim to expire: the attempt is then repeated,
	 * which at-least-once allows. */
	if (store_delivery_update(cfg->store, d, &err) < 0)
		log_event(LOG_ERROR, "cannot record a delivery", "event_id", d->event_id, "error",
			  err.msg, LOG_END);
}

static void delivery_attempt(const struct lifecycle_cfg *cfg, struct store_delivery *d)
{
	struct store_event_target t = {0};
	struct store_event ev = {0};
	struct cm_err err = {0};
	char why[256] = "";
	if (store_event_target_get(cfg->store, d->account_id, d->target_id, &t, &err) < 0) {
		/* A removed target can never take the event: no point retrying. */
		if (err.code == CM_ERR_NOT_FOUND)
			delivery_record(cfg, d, false, true, "the target was removed");
		goto out;
	}
	if (store_event_get(cfg->store, d->account_id, d->event_id, &ev, &err) < 0) {
		log_event(LOG_ERROR, "cannot load an event", "event_id", d->event_id, "error",
			  err.msg, LOG_END);
		goto out;
	}
	bool ok = delivery_send(cfg, &t, &ev, why, sizeof(why)) == 0;
	delivery_record(cfg, d, ok, false, why);
out:
	store_event_clear(&ev);
	store_event_target_clear(&t);
}

int delivery_run_pass(const struct lifecycle_cfg *cfg, struct cm_err *err)
{
	int attempted = 0;
	while (attempted < DELIVERY_PASS_MAX) {
		struct store_delivery *batch = NULL;
		size_t n = 0;
		if (store_delivery_claim(cfg->store, clock_now(), DELIVERY_LEASE, DELIVERY_BATCH,
					 &batch, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			delivery_attempt(cfg, &batch[i]);
		free(batch);
		attempted += (int)n;
		if (n < DELIVERY_BATCH)
			break;
	}
	return attempted;
}

/* --- the thread ----------------------------------------------------------- */

static pthread_mutex_t delivery_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t delivery_cv;
static pthread_once_t delivery_cv_once = PTHREAD_ONCE_INIT;
static pthread_t delivery_thread;
static bool delivery_running, delivery_stopping, delivery_woken;
static struct lifecycle_cfg delivery_cfg;

/* Timed waits on the monotonic clock, so a moved wall (or test) clock
 * neither stalls nor races the worker. */
static void delivery_cv_init(void)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&delivery_cv, &a);
	pthread_condattr_destroy(&a);
}

static void *delivery_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&delivery_mu);
	while (!delivery_stopping) {
		if (!delivery_woken) {
			int64_t at = clock_monotonic_ms() + delivery_cfg.delivery_interval * 1000;
			struct timespec ts = {.tv_sec = at / 1000,
					      .tv_nsec = (at % 1000) * 1000000};
			pthread_cond_timedwait(&delivery_cv, &delivery_mu, &ts);
			if (delivery_stopping)
				break;
		}
		delivery_woken = false;
		pthread_mutex_unlock(&delivery_mu);
		struct cm_err err = {0};
		if (delivery_run_pass(&delivery_cfg, &err) < 0)
			log_event(LOG_ERROR, "delivery pass failed", "error", err.msg, LOG_END);
		pthread_mutex_lock(&delivery_mu);
	}
	pthread_mutex_unlock(&delivery_mu);
	return NULL;
}

int delivery_start(const struct lifecycle_cfg *cfg, struct cm_err *err)
{
	pthread_once(&delivery_cv_once, delivery_cv_init);
	pthread_mutex_lock(&delivery_mu);
	int rc = 0;
	if (delivery_running)
		goto out;
	delivery_cfg = *cfg;
	if (delivery_cfg.delivery_interval <= 0)
		delivery_cfg.delivery_interval = 5;
	if (delivery_cfg.delivery_max_attempts <= 0)
		delivery_cfg.delivery_max_attempts = 8;
	delivery_stopping = false;
	delivery_woken = true; /* a first pass at once: resume what a restart left */
	if (pthread_create(&delivery_thread, NULL, delivery_main, NULL) != 0) {
		rc = cm_fail(err, CM_ERR_INTERNAL, "cannot start the delivery thread");
		goto out;
	}
	delivery_running = true;
out:
	pthread_mutex_unlock(&delivery_mu);
	return rc;
}

void delivery_stop(void)
{
	pthread_mutex_lock(&delivery_mu);
	if (!delivery_running) {
		pthread_mutex_unlock(&delivery_mu);
		return;
	}
	delivery_stopping = true;
	pthread_cond_signal(&delivery_cv);
	pthread_mutex_unlock(&delivery_mu);
	pthread_join(delivery_thread, NULL);
	pthread_mutex_lock(&delivery_mu);
	delivery_running = false;
	delivery_stopping = false;
	pthread_mutex_unlock(&delivery_mu);
}

void delivery_wake(void)
{
	pthread_once(&delivery_cv_once, delivery_cv_init);
	pthread_mutex_lock(&delivery_mu);
	delivery_woken = true;
	pthread_cond_signal(&delivery_cv);
	pthread_mutex_unlock(&delivery_mu);
}
