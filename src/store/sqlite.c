/* SQLite connection management: one connection per thread (SQLite objects are
 * not shared between threads), WAL so readers never block the writer, and
 * synchronous=FULL so a committed issuance survives a power cut. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "util/log.h"

struct store {
	char *path;
	pthread_key_t conn_key;
	sqlite3 *main_db; /* the opening thread's connection, closed by store_close */
};

static void store_conn_destroy(void *p)
{
	sqlite3_close_v2(p);
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
	sqlite3_busy_timeout(db, 10000);
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
	st->main_db = store_connect(path, flags, err);
	if (st->main_db == NULL || store_migrate(st->main_db, err) < 0 ||
	    pthread_key_create(&st->conn_key, store_conn_destroy) != 0) {
		sqlite3_close_v2(st->main_db);
		free(st->path);
		free(st);
		return NULL;
	}
	pthread_setspecific(st->conn_key, st->main_db);
	return st;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	pthread_setspecific(st->conn_key, NULL);
	pthread_key_delete(st->conn_key);
	sqlite3_close_v2(st->main_db);
	free(st->path);
	free(st);
}

sqlite3 *store_db(struct store *st, struct cm_err *err)
{
	sqlite3 *db = pthread_getspecific(st->conn_key);
	if (db != NULL)
		return db;
	db = store_connect(st->path, SQLITE_OPEN_READWRITE, err);
	if (db != NULL)
		pthread_setspecific(st->conn_key, db);
	return db;
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct cm_err *err)
{
	sqlite3 *db = store_db(st, err);
	if (db == NULL)
		return NULL;
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_event(LOG_ERROR, "sql prepare failed", "error", sqlite3_errmsg(db), LOG_END);
		cm_fail(err, CM_ERR_INTERNAL, "internal storage error");
		return NULL;
	}
	return stmt;
}

int store_fail(struct store *st, sqlite3_stmt *stmt, struct cm_err *err)
{
	sqlite3 *db = pthread_getspecific(st->conn_key);
	log_event(LOG_ERROR, "sql failed", "error", db ? sqlite3_errmsg(db) : "no connection",
		  LOG_END);
	sqlite3_finalize(stmt);
	return cm_fail(err, CM_ERR_INTERNAL, "internal storage error");
}

int store_exec_stmt(struct store *st, sqlite3_stmt *stmt, struct cm_err *err)
{
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(stmt);
		return 0;
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		sqlite3_finalize(stmt);
		return cm_fail(err, CM_ERR_CONFLICT, "record already exists");
	}
	return store_fail(st, stmt, err);
}

static int store_exec(struct store *st, const char *sql, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st, sql, err);
	return stmt == NULL ? -1 : store_exec_stmt(st, stmt, err);
}

int store_begin(struct store *st, struct cm_err *err)
{
	return store_exec(st, "BEGIN IMMEDIATE", err);
}

int store_commit(struct store *st, struct cm_err *err)
{
	return store_exec(st, "COMMIT", err);
}

void store_rollback(struct store *st)
{
	sqlite3 *db = pthread_getspecific(st->conn_key);
	if (db != NULL && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

bool store_in_transaction(struct store *st)
{
	sqlite3 *db = pthread_getspecific(st->conn_key);
	return db != NULL && !sqlite3_get_autocommit(db);
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
	const unsigned char *s = sqlite3_column_text(stmt, i);
	snprintf(buf, size, "%s", s != NULL ? (const char *)s : "");
}

void store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, i);
}
