/* Shared pieces of the SQLite store: the per-thread connection and small
 * statement helpers. Private to src/store/. */
#ifndef CERTAIN_STORE_INTERNAL_H
#define CERTAIN_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* The calling thread's connection (opened on first use), or NULL + *err. */
sqlite3 *store_db(struct store *st, struct cm_err *err);

/* A statement for sql on the thread's connection, reset and unbound; NULL +
 * *err on failure. Statements are cached per connection (stmt_cache.c), so
 * every statement this returns MUST go back through store_release, or through
 * store_exec_stmt or store_fail, which release it; never sqlite3_finalize it
 * (the cache would hand out a freed statement). Release it on every path,
 * error paths included, and before the store function returns: a statement
 * stepped but not released keeps its read snapshot open. Nested use of the
 * same SQL while it is still held gets a separate statement. */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct cm_err *err);

/* Gives back a statement from store_prepare: reset (rows read or not) and
 * its bindings cleared, ready for the next store_prepare. NULL-safe. Its
 * column values are gone after this: copy them first. */
void store_release(struct store *st, sqlite3_stmt *stmt);

/* Turns the connection's last error into CM_ERR_INTERNAL (logged, not shown);
 * releases stmt. */
int store_fail(struct store *st, sqlite3_stmt *stmt, struct cm_err *err);

/* Steps a statement expected to finish (INSERT/UPDATE/DELETE); releases it.
 * A constraint violation becomes CM_ERR_CONFLICT. */
int store_exec_stmt(struct store *st, sqlite3_stmt *stmt, struct cm_err *err);
/* Runs a write with "RETURNING <one integer>" to its end (RETURNING rows are
 * produced before the change is final) and releases it: 0 with the value in
 * *out, 1 when it touched no row, -1 on error (as store_exec_stmt). */
int store_exec_returning(struct store *st, sqlite3_stmt *stmt, int64_t *out, struct cm_err *err);

/* Copies column i as an owned string (NULL for SQL NULL) / owned blob. */
char *store_col_strdup(sqlite3_stmt *stmt, int i);
unsigned char *store_col_blobdup(sqlite3_stmt *stmt, int i, size_t *len);
/* Copies column i into a fixed buffer (truncating; "" for NULL). */
void store_col_copy(sqlite3_stmt *stmt, int i, char *buf, size_t size);

/* Binds text that may be NULL. */
void store_bind_text(sqlite3_stmt *stmt, int i, const char *s);

/* Whether the calling thread's connection is inside a write transaction
 * (a read scope does not count: store_begin ends it). */
bool store_in_transaction(struct store *st);

/* The CRL's query of a CA's revoked certificates (crls.c; its plan is tested). */
extern const char store_crl_revoked_sql[];

/* The store's checkpoint thread (checkpoint.c), for its tests. */
struct store_checkpointer *store_checkpointer_of(struct store *st);

/* Applies numbered migrations in a transaction: all of them, or (for the
 * upgrade tests) those up to schema version target. */
int store_migrate(sqlite3 *db, struct cm_err *err);
int store_migrate_to(sqlite3 *db, int target, struct cm_err *err);

#endif
