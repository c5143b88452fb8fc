/* Checkpoints off the writers' path. Private to src/store/. */
#ifndef CERTAIN_STORE_CHECKPOINT_H
#define CERTAIN_STORE_CHECKPOINT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

/* WAL size (pages) at which a checkpoint is due: SQLite's default. */
#define STORE_CHECKPOINT_PAGES 1000
/* WAL size at which a writer checkpoints itself. Under writes without a
 * pause the thread's checkpoints never find the WAL wholly copied at the
 * moment a writer begins, so the WAL never starts over; the writer's own
 * checkpoint here copies only what the thread has not and lets the next
 * writer start it over. */
#define STORE_CHECKPOINT_BEHIND 4000

/* One per store: its thread, and what the connections' hooks tell it. */
struct store_checkpointer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	bool due, stop, started;
	int pages, behind; /* the thresholds above; tests lower them */
	unsigned long runs; /* checkpoints the thread has made */
	char *path;
};

/* Starts the thread, which opens its own connection to path. */
int store_checkpointer_start(struct store_checkpointer *c, const char *path);
/* Stops and joins the thread; safe on one never started. */
void store_checkpointer_stop(struct store_checkpointer *c);
/* Hooks a connection's commits to c instead of SQLite's own checkpoints. */
void store_checkpointer_attach(struct store_checkpointer *c, sqlite3 *db);

#endif
