/* Certificate authority records (their tags are in tags.c). */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define CA_COLUMNS                                                                          \
	"id, account_id, type, status, prior_status, usage_mode, key_storage, key_alg, "   \
	"sig_alg, config_json, revocation_json, key_sealed, csr_pem, cert_der, chain_pem, " \
	"serial_dec, not_before, not_after, created_at, last_state_change_at, "             \
	"restorable_until"

void store_ca_clear(struct store_ca *ca)
{
	if (ca == NULL)
		return;
	free(ca->config_json);
	free(ca->revocation_json);
	free(ca->key_sealed);
	free(ca->csr_pem);
	free(ca->cert_der);
	free(ca->chain_pem);
	memset(ca, 0, sizeof(*ca));
}

static void store_ca_read(sqlite3_stmt *stmt, struct store_ca *ca)
{
	memset(ca, 0, sizeof(*ca));
	store_col_copy(stmt, 0, ca->id, sizeof(ca->id));
	store_col_copy(stmt, 1, ca->account_id, sizeof(ca->account_id));
	store_col_copy(stmt, 2, ca->type, sizeof(ca->type));
	store_col_copy(stmt, 3, ca->status, sizeof(ca->status));
	store_col_copy(stmt, 4, ca->prior_status, sizeof(ca->prior_status));
	store_col_copy(stmt, 5, ca->usage_mode, sizeof(ca->usage_mode));
	store_col_copy(stmt, 6, ca->key_storage, sizeof(ca->key_storage));
	store_col_copy(stmt, 7, ca->key_alg, sizeof(ca->key_alg));
	store_col_copy(stmt, 8, ca->sig_alg, sizeof(ca->sig_alg));
	ca->config_json = store_col_strdup(stmt, 9);
	ca->revocation_json = store_col_strdup(stmt, 10);
	ca->key_sealed = store_col_blobdup(stmt, 11, &ca->key_sealed_len);
	ca->csr_pem = store_col_strdup(stmt, 12);
	ca->cert_der = store_col_blobdup(stmt, 13, &ca->cert_der_len);
	ca->chain_pem = store_col_strdup(stmt, 14);
	store_col_copy(stmt, 15, ca->serial_dec, sizeof(ca->serial_dec));
	ca->not_before = sqlite3_column_int64(stmt, 16);
	ca->not_after = sqlite3_column_int64(stmt, 17);
	ca->created_at = sqlite3_column_int64(stmt, 18);
	ca->last_state_change_at = sqlite3_column_int64(stmt, 19);
	ca->restorable_until = sqlite3_column_int64(stmt, 20);
}

int store_ca_insert(struct store *st, const struct store_ca *ca, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
		st, "INSERT INTO cas (" CA_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca->id);
	store_bind_text(stmt, 2, ca->account_id);
	store_bind_text(stmt, 3, ca->type);
	store_bind_text(stmt, 4, ca->status);
	store_bind_text(stmt, 5, ca->prior_status);
	store_bind_text(stmt, 6, ca->usage_mode);
	store_bind_text(stmt, 7, ca->key_storage);
	store_bind_text(stmt, 8, ca->key_alg);
	store_bind_text(stmt, 9, ca->sig_alg);
	store_bind_text(stmt, 10, ca->config_json);
	store_bind_text(stmt, 11, ca->revocation_json);
	sqlite3_bind_blob(stmt, 12, ca->key_sealed, (int)ca->key_sealed_len, SQLITE_TRANSIENT);
	store_bind_text(stmt, 13, ca->csr_pem);
	if (ca->cert_der != NULL)
		sqlite3_bind_blob(stmt, 14, ca->cert_der, (int)ca->cert_der_len, SQLITE_TRANSIENT);
	store_bind_text(stmt, 15, ca->chain_pem);
	store_bind_text(stmt, 16, ca->serial_dec);
	sqlite3_bind_int64(stmt, 17, ca->not_before);
	sqlite3_bind_int64(stmt, 18, ca->not_after);
	sqlite3_bind_int64(stmt, 19, ca->created_at);
	sqlite3_bind_int64(stmt, 20, ca->last_state_change_at);
	sqlite3_bind_int64(stmt, 21, ca->restorable_until);
	return store_exec_stmt(st, stmt, err);
}

int store_ca_get(struct store *st, const char *account_id, const char *ca_id, struct store_ca *out,
		 struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
		st, "SELECT " CA_COLUMNS " FROM cas WHERE id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, ca_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, account_id, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "certificate authority not found");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	store_ca_read(stmt, out);
	store_release(st, stmt);
	return 0;
}

/* Runs an UPDATE that must touch exactly the CA's row. */
static int store_ca_exec_update(struct store *st, sqlite3_stmt *stmt, struct cm_err *err)
{
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_NOT_FOUND, "certificate authority not found");
	return 0;
}

int store_ca_update_state(struct store *st, const struct store_ca *ca, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE cas SET status = ?, prior_status = ?, "
					   "last_state_change_at = ?, restorable_until = ? "
					   "WHERE id = ? AND account_id = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca->status);
	store_bind_text(stmt, 2, ca->prior_status);
	sqlite3_bind_int64(stmt, 3, ca->last_state_change_at);
	sqlite3_bind_int64(stmt, 4, ca->restorable_until);
	store_bind_text(stmt, 5, ca->id);
	store_bind_text(stmt, 6, ca->account_id);
	return store_ca_exec_update(st, stmt, err);
}

int store_ca_update_cert(struct store *st, const struct store_ca *ca, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE cas SET cert_der = ?, chain_pem = ?, serial_dec = ?, "
					   "not_before = ?, not_after = ? "
					   "WHERE id = ? AND account_id = ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_blob(stmt, 1, ca->cert_der, (int)ca->cert_der_len, SQLITE_TRANSIENT);
	store_bind_text(stmt, 2, ca->chain_pem);
	store_bind_text(stmt, 3, ca->serial_dec);
	sqlite3_bind_int64(stmt, 4, ca->not_before);
	sqlite3_bind_int64(stmt, 5, ca->not_after);
	store_bind_text(stmt, 6, ca->id);
	store_bind_text(stmt, 7, ca->account_id);
	return store_ca_exec_update(st, stmt, err);
}

int store_ca_update_revocation(struct store *st, const struct store_ca *ca, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
		st, "UPDATE cas SET revocation_json = ? WHERE id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca->revocation_json);
	store_bind_text(stmt, 2, ca->id);
	store_bind_text(stmt, 3, ca->account_id);
	return store_ca_exec_update(st, stmt, err);
}

int store_ca_delete(struct store *st, const char *account_id, const char *ca_id,
		    struct cm_err *err)
{
	sqlite3_stmt *stmt =
		store_prepare(st, "DELETE FROM cas WHERE id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	store_bind_text(stmt, 2, account_id);
	return store_ca_exec_update(st, stmt, err);
}

/* Hands every row of a CA_COLUMNS query to fn; returns how many, or -1. */
static int store_ca_each_row(struct store *st, sqlite3_stmt *stmt,
			     void (*fn)(void *ctx, const struct store_ca *ca), void *ctx,
			     struct cm_err *err)
{
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_ca ca;
		store_ca_read(stmt, &ca);
		fn(ctx, &ca);
		store_ca_clear(&ca);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}

int store_ca_list(struct store *st, const char *account_id, int64_t after_created_at,
		  const char *after_id, int limit,
		  void (*fn)(void *ctx, const struct store_ca *ca), void *ctx, struct cm_err *err)
{
	/* Keyset pagination on the (account_id, created_at, id) index. */
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT " CA_COLUMNS " FROM cas WHERE account_id = ? "
					   "AND (created_at > ? OR (created_at = ? AND id > ?)) "
					   "ORDER BY created_at, id LIMIT ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	sqlite3_bind_int64(stmt, 2, after_created_at);
	sqlite3_bind_int64(stmt, 3, after_created_at);
	store_bind_text(stmt, 4, after_id);
	sqlite3_bind_int(stmt, 5, limit);
	return store_ca_each_row(st, stmt, fn, ctx, err);
}

int store_ca_count(struct store *st, const char *account_id, struct cm_err *err)
{
	sqlite3_stmt *stmt =
		store_prepare(st, "SELECT COUNT(*) FROM cas WHERE account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account_id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return store_fail(st, stmt, err);
	int n = sqlite3_column_int(stmt, 0);
	store_release(st, stmt);
	return n;
}

int store_ca_shared_list(struct store *st, const char *account, const char *after_id, int limit,
			 void (*fn)(void *ctx, const struct store_ca *ca), void *ctx,
			 struct cm_err *err)
{
	/* Two ranges of the grantee key, then each CA by its primary key. */
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "SELECT " CA_COLUMNS " FROM cas WHERE id IN (SELECT "
			  "ca_id FROM ca_policy_grantees WHERE grantee IN (?, '*') "
			  "AND ca_id > ?) AND account_id <> ? ORDER BY id LIMIT ?",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, account);
	store_bind_text(stmt, 2, after_id);
	store_bind_text(stmt, 3, account);
	sqlite3_bind_int(stmt, 4, limit);
	return store_ca_each_row(st, stmt, fn, ctx, err);
}
