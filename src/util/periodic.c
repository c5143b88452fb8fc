/* The periodic worker thread (see periodic.h). Waits on a monotonic clock so
 * that the test clock or a changed wall clock never stalls or races a pass. */
#include "util/periodic.h"

#include <time.h>

#include "util/clock.h"

static void *periodic_main(void *arg)
{
	struct periodic *p = arg;
	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		if (!p->woken) {
			int64_t at = clock_monotonic_ms() + p->interval_ms;
			struct timespec ts = {.tv_sec = at / 1000,
					      .tv_nsec = (at % 1000) * 1000000};
			pthread_cond_timedwait(&p->cv, &p->mu, &ts);
			if (p->stopping)
				break;
		}
		p->woken = false;
		pthread_mutex_unlock(&p->mu);
		p->pass(p->arg);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int periodic_start(struct periodic *p, int64_t interval_ms, void (*pass)(void *arg), void *arg,
		   struct cm_err *err)
{
	int rc = 0;
	pthread_mutex_lock(&p->mu);
	if (!p->cv_ready) {
		pthread_condattr_t a;
		pthread_condattr_init(&a);
		pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
		pthread_cond_init(&p->cv, &a);
		pthread_condattr_destroy(&a);
		p->cv_ready = true;
	}
	if (!p->running) {
		p->interval_ms = interval_ms > 0 ? interval_ms : 1000;
		p->pass = pass;
		p->arg = arg;
		p->stopping = false;
		p->woken = true; /* at once: resume what a restart left */
		if (pthread_create(&p->thread, NULL, periodic_main, p) != 0)
			rc = cm_fail(err, CM_ERR_INTERNAL, "cannot start a worker thread");
		else
			p->running = true;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void periodic_stop(struct periodic *p)
{
	pthread_mutex_lock(&p->mu);
	if (!p->running) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	p->stopping = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_mutex_lock(&p->mu);
	p->running = false;
	p->stopping = false;
	pthread_mutex_unlock(&p->mu);
}

void periodic_wake(struct periodic *p)
{
	pthread_mutex_lock(&p->mu);
	if (p->running) {
		p->woken = true;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}
