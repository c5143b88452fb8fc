/* Checkpoints run on the store's own thread when a commit finds the WAL past
 * its threshold, and a writer checkpoints itself when the WAL grows past
 * the second one; with neither, the WAL only grows (the control that shows
 * these tests can fail). */
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"
#include "scratch.h"
#include "store/checkpoint.h"
#include "store/internal.h"

/* n commits of one row each (a page or two of WAL each). */
static int commit_rows(struct store *st, int n)
{
	struct cm_err err = {0};
	sqlite3 *db = store_db(st, &err);
	if (db == NULL ||
	    sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS t(x BLOB)", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < n; i++)
		if (sqlite3_exec(db, "INSERT INTO t VALUES (zeroblob(3000))", NULL, NULL, NULL) !=
		    SQLITE_OK)
			return -1;
	return 0;
}

static long long wal_bytes(const char *dir)
{
	char path[300];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/certain.db-wal", dir);
	return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

static unsigned long checkpoint_runs(struct store *st)
{
	struct store_checkpointer *c = store_checkpointer_of(st);
	pthread_mutex_lock(&c->mu);
	unsigned long n = c->runs;
	pthread_mutex_unlock(&c->mu);
	return n;
}

/* Whether the thread has nothing left to do: not due, and no run for 60 ms. */
static bool checkpoint_idle(struct store *st)
{
	unsigned long runs = checkpoint_runs(st);
	for (int quiet = 0; quiet < 3; quiet++) {
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
		struct store_checkpointer *c = store_checkpointer_of(st);
		pthread_mutex_lock(&c->mu);
		bool moved = c->due || c->runs != runs;
		runs = c->runs;
		pthread_mutex_unlock(&c->mu);
		if (moved)
			quiet = -1;
	}
	return true;
}

TEST(store_checkpoint_thread_runs_when_due)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	store_checkpointer_of(st)->pages = 8;
	unsigned long before = checkpoint_runs(st);
	CHECK(commit_rows(st, 20) == 0);
	for (int i = 0; i < 500 && checkpoint_runs(st) == before; i++)
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	CHECK(checkpoint_runs(st) > before);
	/* Everything checkpointed, the next writer starts the WAL over. */
	CHECK(checkpoint_idle(st));
	long long size = wal_bytes(dir);
	CHECK(size > 0 && commit_rows(st, 3) == 0 && wal_bytes(dir) == size);
	scratch_done(st, dir);
}

TEST(store_checkpoint_writer_when_far_behind)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	struct store_checkpointer *c = store_checkpointer_of(st);
	c->pages = 1 << 30; /* the thread is never asked */
	c->behind = 8;
	unsigned long before = checkpoint_runs(st);
	CHECK(commit_rows(st, 300) == 0);
	CHECK(wal_bytes(dir) < 100 * 4096);
	CHECK(checkpoint_runs(st) == before);
	scratch_done(st, dir);
}

TEST(store_checkpoint_control_wal_grows_without)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	struct store_checkpointer *c = store_checkpointer_of(st);
	c->pages = 1 << 30;
	c->behind = 1 << 30;
	CHECK(commit_rows(st, 300) == 0);
	CHECK(wal_bytes(dir) > 300 * 4096);
	scratch_done(st, dir);
}
