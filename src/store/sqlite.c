/* SQLite connection management: one connection per thread (SQLite objects are
 * not shared between threads), WAL so readers never block the writer, and
 * synchronous=FULL so a committed issuance survives a power cut. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/checkpoint.h"
#include "store/group_commit.h"
#include "store/internal.h"
#include "store/stmt_cache.h"
#include "util/log.h"

struct store {
	char *path;
	pthread_key_t conn_key;	  /* each thread's struct store_conn */
	struct store_conn *main;  /* the opening thread's, freed by store_close */
	struct store_group group; /* writers sharing commits (group_commit.c) */
	struct store_checkpointer ckpt; /* checkpoints off the writers' path */
};

struct store_group *store_group_of(struct store *st)
{
	return &st->group;
}

struct store_checkpointer *store_checkpointer_of(struct store *st)
{
	return &st->ckpt;
}

/* Runs at thread exit: the thread's statements go with its connection. */
static void store_conn_destroy(void *p)
{
	store_conn_free(p);
}

/* Writers wait this long for the write lock, as busy_timeout(10000) did. */
#define STORE_BUSY_WAIT_US  100
#define STORE_BUSY_MAX_WAIT (10 * 1000 * 1000 / STORE_BUSY_WAIT_US)

/* Instead of SQLite's default busy handler, which sleeps 1, 2, 5, 10 ... 100
 * ms between tries: right between processes, wrong for our writers, threads
 * of one process whose write transactions last about one fsync. A waiter
 * slept many times longer than the lock was held, and concurrent issuance
 * showed it (p99 of 80-130 ms at concurrency 8, often no faster than at
 * concurrency 1). Trying again every 100 µs costs a few wake-ups per wait. */
static int store_busy_wait(void *arg, int tries)
{
	(void)arg;
	if (tries >= STORE_BUSY_MAX_WAIT)
		return 0;
	struct timespec ts = {0, STORE_BUSY_WAIT_US * 1000};
	nanosleep(&ts, NULL);
	return 1;
}

static sqlite3 *store_connect(const char *path, int flags, struct cm_err *err)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot open database %s: %s", path,
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close_v2(db);
		return NULL;
	}
	sqlite3_busy_handler(db, store_busy_wait, NULL);
	char *msg = NULL;
	if (sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
			 NULL, NULL, &msg) != SQLITE_OK) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot configure database: %s", msg);
		sqlite3_free(msg);
		sqlite3_close_v2(db);
		return NULL;
	}
	return db;
}

struct store *store_open(const char *path, bool create, struct cm_err *err)
{
	struct store *st = calloc(1, sizeof(*st));
	if (st == NULL || (st->path = strdup(path)) == NULL) {
		free(st);
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	sqlite3 *db = store_connect(path, flags, err);
	if (db == NULL || store_migrate(db, err) < 0) {
		sqlite3_close_v2(db);
		goto fail;
	}
	st->main = store_conn_new(db); /* closes db when out of memory */
	if (st->main == NULL || store_group_init(&st->group) < 0) {
		store_conn_free(st->main);
		cm_fail(err, CM_ERR_INTERNAL, "cannot set up the database connection");
		goto fail;
	}
	if (pthread_key_create(&st->conn_key, store_conn_destroy) != 0)
		goto fail_group;
	if (store_checkpointer_start(&st->ckpt, path) < 0) {
		pthread_key_delete(st->conn_key);
		goto fail_group;
	}
	store_checkpointer_attach(&st->ckpt, st->main->db);
	pthread_setspecific(st->conn_key, st->main);
	return st;
fail_group:
	store_group_destroy(&st->group);
	store_conn_free(st->main);
	cm_fail(err, CM_ERR_INTERNAL, "cannot set up the database connection");
fail:
	free(st->path);
	free(st);
	return NULL;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	/* Stopped first: the main connection's close, the last, checkpoints. */
	store_checkpointer_stop(&st->ckpt);
	pthread_setspecific(st->conn_key, NULL);
	pthread_key_delete(st->conn_key);
	store_conn_free(st->main);
	store_group_destroy(&st->group);
	free(st->path);
	free(st);
}

/* The calling thread's connection, opened on first use. */
static struct store_conn *store_conn(struct store *st, struct cm_err *err)
{
	struct store_conn *conn = pthread_getspecific(st->conn_key);
	if (conn != NULL)
		return conn;
	sqlite3 *db = store_connect(st->path, SQLITE_OPEN_READWRITE, err);
	if (db == NULL)
		return NULL;
	store_checkpointer_attach(&st->ckpt, db);
	conn = store_conn_new(db);
	if (conn == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_setspecific(st->conn_key, conn);
	return conn;
}

sqlite3 *store_db(struct store *st, struct cm_err *err)
{
	struct store_conn *conn = store_conn(st, err);
	return conn != NULL ? conn->db : NULL;
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct cm_err *err)
{
	struct store_conn *conn = store_conn(st, err);
	if (conn == NULL)
		return NULL;
	sqlite3_stmt *stmt = store_stmt_get(conn, sql);
	if (stmt == NULL) {
		log_event(LOG_ERROR, "sql prepare failed", "error", sqlite3_errmsg(conn->db),
			  LOG_END);
		cm_fail(err, CM_ERR_INTERNAL, "internal storage error");
	} else if (conn->read_scope && !sqlite3_stmt_readonly(stmt)) {
		/* A write ends the read scope: on its old snapshot it could fail
		 * with SQLITE_BUSY_SNAPSHOT, and it would commit only at its end. */
		store_read_end(st);
	}
	return stmt;
}

void store_release(struct store *st, sqlite3_stmt *stmt)
{
	store_stmt_put(pthread_getspecific(st->conn_key), stmt);
}

int store_fail(struct store *st, sqlite3_stmt *stmt, struct cm_err *err)
{
	struct store_conn *conn = pthread_getspecific(st->conn_key);
	/* The message first: the reset in store_release may replace it. */
	log_event(LOG_ERROR, "sql failed", "error",
		  conn != NULL ? sqlite3_errmsg(conn->db) : "no connection", LOG_END);
	store_release(st, stmt);
	return cm_fail(err, CM_ERR_INTERNAL, "internal storage error");
}

/* What a write's last step (rc) means; releases the statement. */
static int store_exec_end(struct store *st, sqlite3_stmt *stmt, int rc, struct cm_err *err)
{
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return 0;
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_CONFLICT, "record already exists");
	}
	return store_fail(st, stmt, err);
}

int store_exec_stmt(struct store *st, sqlite3_stmt *stmt, struct cm_err *err)
{
	return store_exec_end(st, stmt, sqlite3_step(stmt), err);
}

int store_exec_returning(struct store *st, sqlite3_stmt *stmt, int64_t *out, struct cm_err *err)
{
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		return store_exec_stmt(st, stmt, err);
	}
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return 1;
	}
	return store_exec_end(st, stmt, rc, err);
}

static int store_exec(struct store *st, const char *sql, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st, sql, err);
	return stmt == NULL ? -1 : store_exec_stmt(st, stmt, err);
}

int store_step_begin(struct store *st, struct cm_err *err)
{
	return store_exec(st, "SAVEPOINT step", err);
}

int store_step_keep(struct store *st, struct cm_err *err)
{
	return store_exec(st, "RELEASE step", err);
}

void store_step_undo(struct store *st)
{
	struct cm_err err = {0};
	/* ROLLBACK TO keeps the savepoint open; RELEASE then drops it. */
	if (store_exec(st, "ROLLBACK TO step", &err) < 0 || store_exec(st, "RELEASE step", &err) < 0)
		log_event(LOG_ERROR, "cannot undo a store step", "error", err.msg, LOG_END);
}

int store_read_begin(struct store *st, struct cm_err *err)
{
	struct store_conn *conn = store_conn(st, err);
	if (conn == NULL || store_exec(st, "BEGIN", err) < 0)
		return -1;
	conn->read_scope = true;
	return 0;
}

void store_read_end(struct store *st)
{
	struct store_conn *conn = pthread_getspecific(st->conn_key);
	if (conn == NULL || !conn->read_scope)
		return;
	conn->read_scope = false;
	struct cm_err err = {0};
	if (store_exec(st, "COMMIT", &err) < 0)
		store_rollback(st);
}

int store_begin(struct store *st, struct cm_err *err)
{
	struct store_conn *conn = pthread_getspecific(st->conn_key);
	if (conn != NULL && conn->read_scope)
		store_read_end(st);
	return store_exec(st, "BEGIN IMMEDIATE", err);
}

int store_commit(struct store *st, struct cm_err *err)
{
	return store_exec(st, "COMMIT", err);
}

void store_rollback(struct store *st)
{
	struct store_conn *conn = pthread_getspecific(st->conn_key);
	if (conn != NULL && !sqlite3_get_autocommit(conn->db))
		sqlite3_exec(conn->db, "ROLLBACK", NULL, NULL, NULL);
}

bool store_in_transaction(struct store *st)
{
	struct store_conn *conn = pthread_getspecific(st->conn_key);
	return conn != NULL && !conn->read_scope && !sqlite3_get_autocommit(conn->db);
}

char *store_col_strdup(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);
	return s != NULL ? strdup((const char *)s) : NULL;
}

unsigned char *store_col_blobdup(sqlite3_stmt *stmt, int i, size_t *len)
{
	const void *b = sqlite3_column_blob(stmt, i);
	int n = sqlite3_column_bytes(stmt, i);
	*len = 0;
	if (b == NULL || n <= 0)
		return NULL;
	unsigned char *out = malloc((size_t)n);
	if (out != NULL) {
		memcpy(out, b, (size_t)n);
		*len = (size_t)n;
	}
	return out;
}

void store_col_copy(sqlite3_stmt *stmt, int i, char *buf, size_t size)
{
	/* A copy, not snprintf: a row read copies dozens of columns this way. */
	const unsigned char *s = sqlite3_column_text(stmt, i);
	size_t n = s != NULL ? (size_t)sqlite3_column_bytes(stmt, i) : 0;
	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(buf, s, n);
	buf[n] = '\0';
}

void store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, i);
}
