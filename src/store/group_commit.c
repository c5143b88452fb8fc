/* Group commit (leader/follower). With synchronous=FULL every commit waits
 * for a WAL fsync, and SQLite lets one writer commit at a time, so N
 * concurrent issuances paid N fsyncs in a row. Here a writer queues its
 * record; if no commit is under way it becomes the leader, takes every queued
 * record and writes them all in one transaction, one fsync; writers that
 * arrive meanwhile queue for the next leader. Each waits until its own record
 * is durable, so the durability a caller sees is unchanged. */
#include "store/group_commit.h"

#include <string.h>

struct store_group_item {
	store_group_write_fn fn;
	const void *record;
	struct cm_err err; /* this record's outcome, filled by the leader */
	int rc;
	bool done;
	struct store_group_item *next;
};

int store_group_init(struct store_group *g)
{
	memset(g, 0, sizeof(*g));
	g->tail = &g->head;
	if (pthread_mutex_init(&g->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&g->done, NULL) != 0) {
		pthread_mutex_destroy(&g->mu);
		return -1;
	}
	return 0;
}

void store_group_destroy(struct store_group *g)
{
	pthread_cond_destroy(&g->done);
	pthread_mutex_destroy(&g->mu);
}

/* Fails every record of the batch that has no outcome of its own yet. */
static void store_group_fail_all(struct store_group_item *batch, const struct cm_err *why)
{
	for (struct store_group_item *it = batch; it != NULL; it = it->next)
		if (it->rc == 0) {
			it->rc = -1;
			it->err = *why;
		}
}

/* The leader's work, without the lock: one transaction for the batch. */
static void store_group_run(struct store *st, struct store_group_item *batch)
{
	struct cm_err err = {0};
	if (store_begin(st, &err) < 0) {
		store_group_fail_all(batch, &err);
		return;
	}
	for (struct store_group_item *it = batch; it != NULL; it = it->next) {
		it->rc = it->fn(st, it->record, &it->err);
		if (it->rc < 0 && it->err.code != CM_ERR_CONFLICT) {
			/* Not this record's fault alone: nothing of the batch stays. */
			err = it->err;
			store_rollback(st);
			store_group_fail_all(batch, &err);
			return;
		}
	}
	if (store_commit(st, &err) < 0) {
		store_rollback(st);
		store_group_fail_all(batch, &err);
	}
}

int store_group_write(struct store *st, store_group_write_fn fn, const void *record,
		      struct cm_err *err)
{
	if (store_in_transaction(st))
		return fn(st, record, err);
	struct store_group *g = store_group_of(st);
	struct store_group_item item = {.fn = fn, .record = record};
	pthread_mutex_lock(&g->mu);
	*g->tail = &item;
	g->tail = &item.next;
	while (!item.done) {
		if (g->leading) {
			pthread_cond_wait(&g->done, &g->mu);
			continue;
		}
		/* Lead: take the whole queue (this record is in it). */
		struct store_group_item *batch = g->head;
		g->head = NULL;
		g->tail = &g->head;
		g->leading = true;
		pthread_mutex_unlock(&g->mu);
		store_group_run(st, batch);
		pthread_mutex_lock(&g->mu);
		for (struct store_group_item *it = batch, *next; it != NULL; it = next) {
			next = it->next; /* it may be gone once done is seen */
			it->done = true;
		}
		g->leading = false;
		pthread_cond_broadcast(&g->done);
	}
	pthread_mutex_unlock(&g->mu);
	if (item.rc < 0)
		*err = item.err;
	return item.rc;
}
