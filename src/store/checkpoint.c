/* Checkpoints off the writers' path. SQLite's default runs a checkpoint
 * inside whichever commit finds the WAL past 1,000 pages: that request, or
 * that step of the lifecycle pass, copies the WAL's pages into the database
 * and syncs it before it returns. It was 16% of the midnight pass at a
 * million certificates, and one API write in a few hundred paid for it.
 * Here a connection's commit only tells the store's checkpoint thread that
 * one is due (sqlite3_wal_hook replaces the default hook), and the thread
 * runs a PASSIVE checkpoint, which never waits for readers or writers, on
 * its own connection. Durability does not change: a commit is synced in the
 * WAL before it returns, as before. Should the thread fall far behind, the
 * writer that finds the WAL past STORE_CHECKPOINT_BEHIND checkpoints itself,
 * as SQLite would have, so the WAL stays bounded. */
#include "store/checkpoint.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static int store_checkpoint_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_checkpointer *c = arg;
	if (pages >= c->behind) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	if (pages >= c->pages) {
		pthread_mutex_lock(&c->mu);
		if (!c->due) {
			c->due = true;
			pthread_cond_signal(&c->wake);
		}
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

void store_checkpointer_attach(struct store_checkpointer *c, sqlite3 *db)
{
	sqlite3_wal_hook(db, store_checkpoint_hook, c);
}

static void *store_checkpointer_main(void *arg)
{
	struct store_checkpointer *c = arg;
	sqlite3 *db = NULL;
	/* A connection reaches the WAL only once it has read the database:
	 * before that, SQLite 3.40's checkpoint does nothing and says SQLITE_OK. */
	if (sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		SQLITE_OK ||
	    sqlite3_exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL) != SQLITE_OK) {
		log_event(LOG_ERROR, "checkpoint thread cannot open the database", "error",
			  db != NULL ? sqlite3_errmsg(db) : "out of memory", LOG_END);
		sqlite3_close_v2(db);
		db = NULL; /* writers then checkpoint themselves past behind */
	}
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->due && !c->stop)
			pthread_cond_wait(&c->wake, &c->mu);
		if (c->stop)
			break;
		c->due = false;
		pthread_mutex_unlock(&c->mu);
		int rc = db != NULL ? sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
							       NULL, NULL)
				    : SQLITE_CANTOPEN;
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_event(LOG_WARN, "checkpoint failed", "error", sqlite3_errstr(rc),
				  LOG_END);
		pthread_mutex_lock(&c->mu);
		c->runs++;
	}
	pthread_mutex_unlock(&c->mu);
	sqlite3_close_v2(db);
	return NULL;
}

int store_checkpointer_start(struct store_checkpointer *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->pages = STORE_CHECKPOINT_PAGES;
	c->behind = STORE_CHECKPOINT_BEHIND;
	if ((c->path = strdup(path)) == NULL)
		return -1;
	if (pthread_mutex_init(&c->mu, NULL) != 0)
		goto fail_path;
	if (pthread_cond_init(&c->wake, NULL) != 0)
		goto fail_mu;
	if (pthread_create(&c->thread, NULL, store_checkpointer_main, c) != 0)
		goto fail_cond;
	c->started = true;
	return 0;
fail_cond:
	pthread_cond_destroy(&c->wake);
fail_mu:
	pthread_mutex_destroy(&c->mu);
fail_path:
	free(c->path);
	c->path = NULL;
	return -1;
}

void store_checkpointer_stop(struct store_checkpointer *c)
{
	if (!c->started)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->mu);
	free(c->path);
	c->path = NULL;
	c->started = false;
}
