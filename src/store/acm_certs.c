/* ACM certificate records: insert, get, update, delete, and the effective
 * (read) status. The paged, filtered list lives in acm_list.c. */
#include <stdlib.h>
#include <string.h>

#include "store/acm_internal.h"

void store_acm_cert_clear(struct store_acm_cert *c)
{
	if (c == NULL)
		return;
	free(c->names_json);
	free(c->validation_json);
	free(c->key_sealed); /* sealed: no plaintext to wipe */
	free(c->cert_der);
	free(c->chain_pem);
	free(c->subject);
	free(c->issuer);
	free(c->eku_json);
	free(c->renewal_json);
	memset(c, 0, sizeof(*c));
}

const char *store_acm_effective_status(const struct store_acm_cert *c, int64_t now)
{
	/* Keep in step with ACM_EFFECTIVE_STATUS_SQL (acm_internal.h). */
	if (strcmp(c->status, "ISSUED") == 0 && c->not_after <= now)
		return "EXPIRED";
	if (strcmp(c->status, "PENDING_VALIDATION") == 0 && c->validation_deadline != 0 &&
	    c->validation_deadline <= now)
		return "VALIDATION_TIMED_OUT";
	return c->status;
}

void store_acm_read(sqlite3_stmt *stmt, struct store_acm_cert *c, bool with_material)
{
	int i = 0;
	memset(c, 0, sizeof(*c));
	store_col_copy(stmt, i++, c->id, sizeof(c->id));
	store_col_copy(stmt, i++, c->account_id, sizeof(c->account_id));
	c->created_at = sqlite3_column_int64(stmt, i++);
	c->revision = sqlite3_column_int64(stmt, i++);
	store_col_copy(stmt, i++, c->type, sizeof(c->type));
	store_col_copy(stmt, i++, c->status, sizeof(c->status));
	store_col_copy(stmt, i++, c->failure_reason, sizeof(c->failure_reason));
	store_col_copy(stmt, i++, c->domain_name, sizeof(c->domain_name));
	c->names_json = store_col_strdup(stmt, i++);
	store_col_copy(stmt, i++, c->key_alg, sizeof(c->key_alg));
	store_col_copy(stmt, i++, c->ca_arn, sizeof(c->ca_arn));
	store_col_copy(stmt, i++, c->validation_method, sizeof(c->validation_method));
	c->validation_json = store_col_strdup(stmt, i++);
	store_col_copy(stmt, i++, c->ct_logging, sizeof(c->ct_logging));
	store_col_copy(stmt, i++, c->export_option, sizeof(c->export_option));
	store_col_copy(stmt, i++, c->managed_by, sizeof(c->managed_by));
	store_col_copy(stmt, i++, c->serial, sizeof(c->serial));
	c->subject = store_col_strdup(stmt, i++);
	c->issuer = store_col_strdup(stmt, i++);
	store_col_copy(stmt, i++, c->sig_alg, sizeof(c->sig_alg));
	c->key_usage = (unsigned)sqlite3_column_int64(stmt, i++);
	c->eku_bits = (unsigned)sqlite3_column_int64(stmt, i++);
	c->eku_json = store_col_strdup(stmt, i++);
	c->not_before = sqlite3_column_int64(stmt, i++);
	c->not_after = sqlite3_column_int64(stmt, i++);
	c->issued_at = sqlite3_column_int64(stmt, i++);
	c->imported_at = sqlite3_column_int64(stmt, i++);
	c->revoked_at = sqlite3_column_int64(stmt, i++);
	c->validation_deadline = sqlite3_column_int64(stmt, i++);
	store_col_copy(stmt, i++, c->revocation_reason, sizeof(c->revocation_reason));
	c->exported = sqlite3_column_int(stmt, i++) != 0;
	c->renewal_json = store_col_strdup(stmt, i++);
	c->resent_at = sqlite3_column_int64(stmt, i++);
	store_col_copy(stmt, i++, c->subject_cn, sizeof(c->subject_cn));
	store_col_copy(stmt, i++, c->renewal_status, sizeof(c->renewal_status));
	i++; /* dns_names: only ever matched in SQL */
	c->scan_due_at = sqlite3_column_int64(stmt, i++);
	c->expiry_warned_day = sqlite3_column_int64(stmt, i++);
	c->action_required_days = sqlite3_column_int(stmt, i++);
	c->in_use = sqlite3_column_int(stmt, i++) != 0;
	c->material_omitted = !with_material;
	if (!with_material)
		return;
	c->chain_pem = store_col_strdup(stmt, i++);
	c->key_sealed = store_col_blobdup(stmt, i++, &c->key_sealed_len);
	c->cert_der = store_col_blobdup(stmt, i, &c->cert_der_len);
}

/* Binds ACM_DATA_COLUMNS from parameter i on; returns the next free
 * parameter index, or -1 when out of memory. Insert and update share it so
 * their column orders cannot drift apart. */
static int store_acm_bind_data(sqlite3_stmt *stmt, int i, const struct store_acm_cert *c)
{
	char renewal_status[sizeof(c->renewal_status)];
	char *dns_names = store_acm_search_derive(c, renewal_status, sizeof(renewal_status));
	if (dns_names == NULL)
		return -1;
	store_bind_text(stmt, i++, c->type);
	store_bind_text(stmt, i++, c->status);
	store_bind_text(stmt, i++, c->failure_reason);
	store_bind_text(stmt, i++, c->domain_name);
	store_bind_text(stmt, i++, c->names_json);
	store_bind_text(stmt, i++, c->key_alg);
	store_bind_text(stmt, i++, c->ca_arn);
	store_bind_text(stmt, i++, c->validation_method);
	store_bind_text(stmt, i++, c->validation_json);
	store_bind_text(stmt, i++, c->ct_logging);
	store_bind_text(stmt, i++, c->export_option);
	store_bind_text(stmt, i++, c->managed_by);
	store_bind_text(stmt, i++, c->serial);
	store_bind_text(stmt, i++, c->subject);
	store_bind_text(stmt, i++, c->issuer);
	store_bind_text(stmt, i++, c->sig_alg);
	sqlite3_bind_int64(stmt, i++, c->key_usage);
	sqlite3_bind_int64(stmt, i++, c->eku_bits);
	store_bind_text(stmt, i++, c->eku_json);
	sqlite3_bind_int64(stmt, i++, c->not_before);
	sqlite3_bind_int64(stmt, i++, c->not_after);
	sqlite3_bind_int64(stmt, i++, c->issued_at);
	sqlite3_bind_int64(stmt, i++, c->imported_at);
	sqlite3_bind_int64(stmt, i++, c->revoked_at);
	sqlite3_bind_int64(stmt, i++, c->validation_deadline);
	store_bind_text(stmt, i++, c->revocation_reason);
	sqlite3_bind_int(stmt, i++, c->exported ? 1 : 0);
	store_bind_text(stmt, i++, c->renewal_json);
	sqlite3_bind_int64(stmt, i++, c->resent_at);
	store_bind_text(stmt, i++, c->subject_cn);
	store_bind_text(stmt, i++, renewal_status);
	sqlite3_bind_text(stmt, i++, dns_names, -1, free);
	sqlite3_bind_int64(stmt, i++, c->scan_due_at);
	sqlite3_bind_int64(stmt, i++, c->expiry_warned_day);
	sqlite3_bind_int(stmt, i++, c->action_required_days);
	return i;
}

/* Binds ACM_MATERIAL_COLUMNS from parameter i on (a NULL pointer binds SQL
 * NULL: no chain, no key or no certificate yet); returns the next index. */
static int store_acm_bind_material(sqlite3_stmt *stmt, int i, const struct store_acm_cert *c)
{
	store_bind_text(stmt, i++, c->chain_pem);
	sqlite3_bind_blob(stmt, i++, c->key_sealed, (int)c->key_sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_blob(stmt, i++, c->cert_der, (int)c->cert_der_len, SQLITE_TRANSIENT);
	return i;
}

#define Q8 "?,?,?,?,?,?,?,?,"
/* 35 placeholders: ACM_DATA_COLUMNS. */
#define ACM_DATA_PLACEHOLDERS Q8 Q8 Q8 Q8 "?,?,?"

/* A certificate's two rows change together: each write runs in a store
 * step, kept when every part succeeded (ok) and undone whole otherwise, so
 * it is one change inside the caller's transaction or a transaction of its
 * own outside one. */
static int store_acm_step_end(struct store *st, bool ok, struct cm_err *err)
{
	if (ok && store_step_keep(st, err) == 0)
		return 0;
	store_step_undo(st);
	return -1;
}

/* Appends the material row; its material_id into *material_id. */
static int store_acm_insert_material(struct store *st, const struct store_acm_cert *c,
				     int64_t *material_id, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO acm_cert_material (" ACM_MATERIAL_COLUMNS
					   ") VALUES (?,?,?) RETURNING material_id",
					   err);
	if (stmt == NULL)
		return -1;
	store_acm_bind_material(stmt, 1, c);
	int rc = store_exec_returning(st, stmt, material_id, err);
	return rc == 1 ? cm_fail(err, CM_ERR_INTERNAL, "no material id came back") : rc;
}

static int store_acm_insert_row(struct store *st, const struct store_acm_cert *c,
				int64_t material_id, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO acm_certificates (" ACM_KEY_COLUMNS ", material_id, "
			  ACM_DATA_COLUMNS ") VALUES (?,?,?,1,?," ACM_DATA_PLACEHOLDERS ")",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, c->id);
	store_bind_text(stmt, 2, c->account_id);
	sqlite3_bind_int64(stmt, 3, c->created_at);
	sqlite3_bind_int64(stmt, 4, material_id);
	if (store_acm_bind_data(stmt, 5, c) < 0) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return store_exec_stmt(st, stmt, err);
}

int store_acm_cert_insert(struct store *st, const struct store_acm_cert *c, struct cm_err *err)
{
	int64_t material_id = 0;
	if (store_step_begin(st, err) < 0)
		return -1;
	return store_acm_step_end(st,
				  store_acm_insert_material(st, c, &material_id, err) == 0 &&
				      store_acm_insert_row(st, c, material_id, err) == 0,
				  err);
}

/* The row, with its material or without (it is most of the bytes). */
static int store_acm_cert_read(struct store *st, const char *account_id, const char *id,
			       bool with_material, struct store_acm_cert *out, struct cm_err *err)
{
	static const char with_sql[] = "SELECT " ACM_KEY_COLUMNS ", " ACM_DATA_COLUMNS
				       ", " ACM_IN_USE_COLUMN ", " ACM_MATERIAL_COLUMNS
				       " FROM acm_certificates" ACM_MATERIAL_JOIN
				       " WHERE id = ? AND account_id = ?";
	static const char without_sql[] = "SELECT " ACM_KEY_COLUMNS ", " ACM_DATA_COLUMNS
					  ", " ACM_IN_USE_COLUMN " FROM acm_certificates "
					  "WHERE id = ? AND account_id = ?";
	sqlite3_stmt *stmt = store_prepare(st, with_material ? with_sql : without_sql, err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "certificate not found");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	store_acm_read(stmt, out, with_material);
	store_release(st, stmt);
	return 0;
}

int store_acm_cert_get(struct store *st, const char *account_id, const char *id,
		       struct store_acm_cert *out, struct cm_err *err)
{
	return store_acm_cert_read(st, account_id, id, true, out, err);
}

int store_acm_cert_get_summary(struct store *st, const char *account_id, const char *id,
			       struct store_acm_cert *out, struct cm_err *err)
{
	return store_acm_cert_read(st, account_id, id, false, out, err);
}

/* Runs an UPDATE/DELETE that must touch exactly the certificate's row. */
static int store_acm_exec_one(struct store *st, sqlite3_stmt *stmt, struct cm_err *err)
{
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_NOT_FOUND, "certificate not found");
	return 0;
}

/* After an update that changed nothing: was the row deleted, or changed? */
static int store_acm_update_missed(struct store *st, const struct store_acm_cert *c,
				   struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT 1 FROM acm_certificates WHERE id = ? AND account_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, c->id);
	store_bind_text(stmt, 2, c->account_id);
	int rc = sqlite3_step(stmt);
	store_release(st, stmt);
	if (rc == SQLITE_ROW)
		return cm_fail(err, CM_ERR_CONFLICT,
			       "The certificate was changed by another request; try again");
	return cm_fail(err, CM_ERR_NOT_FOUND, "certificate not found");
}

/* Binds "WHERE id = ? AND account_id = ? AND revision = ?" from parameter i
 * on and runs an update of c's row: CM_ERR_CONFLICT when another update came
 * first, CM_ERR_NOT_FOUND when the row is gone. */
static int store_acm_exec_revised(struct store *st, sqlite3_stmt *stmt, int i,
				  const struct store_acm_cert *c, struct cm_err *err)
{
	store_bind_text(stmt, i++, c->id);
	store_bind_text(stmt, i++, c->account_id);
	sqlite3_bind_int64(stmt, i, c->revision);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return store_acm_update_missed(st, c, err);
	return 0;
}

static int store_acm_update_row(struct store *st, const struct store_acm_cert *c,
				struct cm_err *err)
{
	/* Row-value SET: one column list shared with insert and read. The
	 * revision makes a read-modify-write that raced another one fail
	 * instead of writing back stale material. */
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "UPDATE acm_certificates SET (" ACM_DATA_COLUMNS ") = (" ACM_DATA_PLACEHOLDERS
			  "), revision = revision + 1 WHERE id = ? AND account_id = ? AND revision = ?",
			  err);
	if (stmt == NULL)
		return -1;
	int i = store_acm_bind_data(stmt, 1, c);
	if (i < 0) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return store_acm_exec_revised(st, stmt, i, c, err);
}

/* Most updates (a status, a renewal summary, the scan's marks) leave the
 * material as it was: comparing first spares writing its page for nothing. */
static int store_acm_update_material(struct store *st, const struct store_acm_cert *c,
				     struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "UPDATE acm_cert_material SET (" ACM_MATERIAL_COLUMNS ") = (?1, ?2, ?3) "
			  "WHERE material_id = (SELECT material_id FROM acm_certificates WHERE id = ?4) "
			  "AND (chain_pem IS NOT ?1 OR key_sealed IS NOT ?2 OR cert_der IS NOT ?3)",
			  err);
	if (stmt == NULL)
		return -1;
	int i = store_acm_bind_material(stmt, 1, c);
	store_bind_text(stmt, i, c->id);
	return store_exec_stmt(st, stmt, err);
}

int store_acm_cert_update(struct store *st, const struct store_acm_cert *c, struct cm_err *err)
{
	if (c->material_omitted)
		return store_acm_update_row(st, c, err);
	if (store_step_begin(st, err) < 0)
		return -1;
	return store_acm_step_end(st,
				  store_acm_update_row(st, c, err) == 0 &&
				      store_acm_update_material(st, c, err) == 0,
				  err);
}

int store_acm_cert_update_scan(struct store *st, const struct store_acm_cert *c,
			       struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE acm_certificates SET scan_due_at = ?, "
					   "expiry_warned_day = ?, action_required_days = ?, "
					   "revision = revision + 1"
					   " WHERE id = ? AND account_id = ? AND revision = ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, c->scan_due_at);
	sqlite3_bind_int64(stmt, 2, c->expiry_warned_day);
	sqlite3_bind_int(stmt, 3, c->action_required_days);
	return store_acm_exec_revised(st, stmt, 4, c, err);
}

int store_acm_cert_mark_exported(struct store *st, const char *account_id, const char *id,
				 struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE acm_certificates SET exported = 1, "
					   "revision = revision + 1 WHERE id = ? AND account_id = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	return store_acm_exec_one(st, stmt, err);
}

/* Deletes the certificate's row; its material_id into *material_id.
 * Tags, usages and history go with it through ON DELETE CASCADE. */
static int store_acm_delete_row(struct store *st, const char *account_id, const char *id,
				int64_t *material_id, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "DELETE FROM acm_certificates WHERE id = ? AND account_id = ? "
					   "RETURNING material_id",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, account_id);
	int rc = store_exec_returning(st, stmt, material_id, err);
	return rc == 1 ? cm_fail(err, CM_ERR_NOT_FOUND, "certificate not found") : rc;
}

static int store_acm_delete_material(struct store *st, int64_t material_id, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "DELETE FROM acm_cert_material WHERE material_id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, material_id);
	return store_exec_stmt(st, stmt, err);
}

int store_acm_cert_delete(struct store *st, const char *account_id, const char *id,
			  struct cm_err *err)
{
	int64_t material_id = 0;
	if (store_step_begin(st, err) < 0)
		return -1;
	return store_acm_step_end(st,
				  store_acm_delete_row(st, account_id, id, &material_id, err) == 0 &&
				      store_acm_delete_material(st, material_id, err) == 0,
				  err);
}
