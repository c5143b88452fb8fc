/* Per-connection cache of prepared statements, so a hot query is compiled
 * once per connection instead of once per call. Private to src/store/. */
#ifndef CERTAIN_STORE_STMT_CACHE_H
#define CERTAIN_STORE_STMT_CACHE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* More than the store's distinct static statements (about 90), so the list
 * and search queries built per filter only ever evict one another. */
#define STORE_STMT_SLOTS 128

struct store_stmt_slot {
	sqlite3_stmt *stmt; /* NULL: the slot is empty */
	char *sql;	    /* owned copy of the key: dynamic SQL is freed by its caller */
	uint64_t hash;	    /* of sql, to skip most string compares */
	uint64_t last_use;  /* conn->tick at the last hand-out, for LRU eviction */
	bool busy;	    /* handed out and not yet released */
};

/* The slot a SQL text was last found in, by the text's address. */
#define STORE_STMT_MEMO 64
struct store_stmt_memo {
	const char *sql;
	struct store_stmt_slot *slot;
};

/* One thread's connection and its statements. */
struct store_conn {
	sqlite3 *db;
	bool read_scope; /* inside store_read_begin's transaction */
	uint64_t tick;
	struct store_stmt_slot slots[STORE_STMT_SLOTS];
	struct store_stmt_memo memo[STORE_STMT_MEMO];
	struct store_stmt_slot *by_stmt[STORE_STMT_MEMO]; /* where a statement was handed out from */
};

/* Takes ownership of db; NULL (db closed) when out of memory. */
struct store_conn *store_conn_new(sqlite3 *db);
/* Finalizes every cached statement and closes the connection; NULL-safe. */
void store_conn_free(struct store_conn *conn);

/* A statement for sql, reset and unbound: the cached one, prepared on first
 * use; a fresh one (finalized on put) when the cached one is still handed out
 * (nested use of the same SQL) or every slot is busy. NULL on a prepare
 * error, with the message in sqlite3_errmsg(conn->db). */
sqlite3_stmt *store_stmt_get(struct store_conn *conn, const char *sql);
/* Gives a statement back: resets it and clears its bindings when cached,
 * finalizes it otherwise. NULL-safe. */
void store_stmt_put(struct store_conn *conn, sqlite3_stmt *stmt);

#endif
