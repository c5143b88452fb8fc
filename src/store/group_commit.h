/* Group commit: concurrent writers of independent records share one durable
 * commit (one WAL fsync) instead of queueing for one each. Private to
 * src/store/. */
#ifndef CERTAIN_STORE_GROUP_COMMIT_H
#define CERTAIN_STORE_GROUP_COMMIT_H

#include <pthread.h>
#include <stdbool.h>

#include "store/internal.h"

/* Writes one record's rows on the calling thread's connection, inside the
 * group's transaction. A CM_ERR_CONFLICT fails only this record (SQLite
 * undoes just the failed statement); any other error fails the group. */
typedef int (*store_group_write_fn)(struct store *st, const void *record, struct cm_err *err);

struct store_group_item;

/* One per store: the queue and whether a leader is committing it. */
struct store_group {
	pthread_mutex_t mu;
	pthread_cond_t done;
	struct store_group_item *head, **tail;
	bool leading;
};

int store_group_init(struct store_group *g);
void store_group_destroy(struct store_group *g);

/* Writes record with fn in a transaction shared with whatever other threads
 * queue meanwhile, and returns once that transaction is durable (or failed):
 * the first waiting thread leads, taking every queued record into one
 * BEGIN IMMEDIATE ... COMMIT, the others wait for it. Inside the caller's own
 * transaction, simply writes. */
int store_group_write(struct store *st, store_group_write_fn fn, const void *record,
		      struct cm_err *err);

/* The store's group (sqlite.c). */
struct store_group *store_group_of(struct store *st);

#endif
