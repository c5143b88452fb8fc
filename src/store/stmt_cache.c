/* Prepared statements kept per connection. Preparing parses and plans the SQL
 * every time (a profile of IssueCertificate put it at a large share of the
 * store's CPU); a kept statement only needs a reset. Keyed by the SQL text,
 * not its address: the list and search queries are built per call, and a
 * freed buffer's address can come back holding other SQL. */
#include <stdlib.h>
#include <string.h>

#include "store/stmt_cache.h"

/* FNV-1a: cheap next to even a cached sqlite3_step. */
static uint64_t store_stmt_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct store_conn *store_conn_new(sqlite3 *db)
{
	struct store_conn *conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		sqlite3_close_v2(db);
		return NULL;
	}
	conn->db = db;
	return conn;
}

static void store_slot_clear(struct store_stmt_slot *s)
{
	sqlite3_finalize(s->stmt);
	free(s->sql);
	memset(s, 0, sizeof(*s));
}

void store_conn_free(struct store_conn *conn)
{
	if (conn == NULL)
		return;
	for (size_t i = 0; i < STORE_STMT_SLOTS; i++)
		store_slot_clear(&conn->slots[i]);
	sqlite3_close_v2(conn->db);
	free(conn);
}

static sqlite3_stmt *store_stmt_fresh(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	return stmt;
}

/* The slot to fill: the first empty one from the statement's home slot on
 * (so lookups find it at or just after home), else the least recently used
 * idle one; NULL when every slot is handed out. */
static struct store_stmt_slot *store_stmt_victim(struct store_conn *conn, uint64_t h)
{
	struct store_stmt_slot *victim = NULL;
	for (size_t i = 0; i < STORE_STMT_SLOTS; i++) {
		struct store_stmt_slot *s = &conn->slots[(h + i) % STORE_STMT_SLOTS];
		if (s->stmt == NULL)
			return s;
		if (!s->busy && (victim == NULL || s->last_use < victim->last_use))
			victim = s;
	}
	return victim;
}

/* Hands out a cached statement, or a fresh one while the cached one is still
 * open further up the stack (a callback querying the same table, say):
 * handing it out again would reset the caller's rows. */
static size_t store_stmt_memo_of(const void *p)
{
	return ((uintptr_t)p >> 4) % STORE_STMT_MEMO;
}

static sqlite3_stmt *store_stmt_hand_out(struct store_conn *conn, struct store_stmt_slot *s,
					 const char *sql)
{
	if (s->busy)
		return store_stmt_fresh(conn->db, sql);
	s->busy = true;
	s->last_use = ++conn->tick;
	conn->by_stmt[store_stmt_memo_of(s->stmt)] = s;
	return s->stmt;
}

/* The cached slot holding sql, or NULL. From the home slot on: a hit is
 * found there or a few slots later; only a statement not cached yet walks
 * the whole table. */
static struct store_stmt_slot *store_stmt_find(struct store_conn *conn, const char *sql,
					       uint64_t h)
{
	for (size_t i = 0; i < STORE_STMT_SLOTS; i++) {
		struct store_stmt_slot *s = &conn->slots[(h + i) % STORE_STMT_SLOTS];
		if (s->stmt != NULL && s->hash == h && strcmp(s->sql, sql) == 0)
			return s;
	}
	return NULL;
}

sqlite3_stmt *store_stmt_get(struct store_conn *conn, const char *sql)
{
	/* Most SQL is a string literal, met again at the same address: the memo
	 * finds its slot without hashing the text. strcmp still checks it, since
	 * a buffer's address can come back holding other SQL. */
	struct store_stmt_memo *m = &conn->memo[store_stmt_memo_of(sql)];
	if (m->sql == sql && m->slot->stmt != NULL && strcmp(m->slot->sql, sql) == 0)
		return store_stmt_hand_out(conn, m->slot, sql);
	uint64_t h = store_stmt_hash(sql);
	struct store_stmt_slot *s = store_stmt_find(conn, sql, h);
	if (s != NULL) {
		*m = (struct store_stmt_memo){sql, s};
		return store_stmt_hand_out(conn, s, sql);
	}
	s = store_stmt_victim(conn, h);
	if (s == NULL)
		return store_stmt_fresh(conn->db, sql);
	char *key = strdup(sql);
	if (key == NULL)
		return store_stmt_fresh(conn->db, sql);
	sqlite3_stmt *stmt = NULL;
	/* PERSISTENT: the statement lives long, so SQLite keeps it out of the
	 * lookaside memory meant for short-lived ones. */
	if (sqlite3_prepare_v3(conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		free(key);
		return NULL;
	}
	store_slot_clear(s);
	s->stmt = stmt;
	s->sql = key;
	s->hash = h;
	s->busy = true;
	s->last_use = ++conn->tick;
	conn->by_stmt[store_stmt_memo_of(stmt)] = s;
	*m = (struct store_stmt_memo){sql, s};
	return stmt;
}

void store_stmt_put(struct store_conn *conn, sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	struct store_stmt_slot *hint = conn != NULL ? conn->by_stmt[store_stmt_memo_of(stmt)] : NULL;
	for (size_t i = 0; conn != NULL && i <= STORE_STMT_SLOTS; i++) {
		/* The slot it was handed out from first; the scan when the memo lost it. */
		struct store_stmt_slot *s = i == 0 ? hint : &conn->slots[i - 1];
		if (s == NULL || s->stmt != stmt)
			continue;
		/* A statement left mid-rows would hold its read snapshot open. */
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		s->busy = false;
		return;
	}
	sqlite3_finalize(stmt);
}
