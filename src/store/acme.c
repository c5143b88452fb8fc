/* Public certificates from ACME CAs (issue 8): the job queue of certificates
 * that still need an issuance or a renewal, read through (due_at, cert_id),
 * and the ACME accounts Certain holds at each configured CA. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define ACME_JOB_COLUMNS "cert_id, account_id, ca_name, reason, attempts, due_at, state"

void store_acme_job_clear(struct store_acme_job *j)
{
	if (j == NULL)
		return;
	free(j->state);
	memset(j, 0, sizeof(*j));
}

void store_acme_jobs_free(struct store_acme_job *jobs, size_t n)
{
	for (size_t i = 0; jobs != NULL && i < n; i++)
		store_acme_job_clear(&jobs[i]);
	free(jobs);
}

int store_acme_job_put(struct store *st, const struct store_acme_job *j, bool replace,
		       struct cm_err *err)
{
	/* Replacing restarts the count: a new reason is a new piece of work. */
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    replace ? "INSERT INTO acme_jobs (" ACME_JOB_COLUMNS ") VALUES (?,?,?,?,?,?,?) "
		      "ON CONFLICT (cert_id) DO UPDATE SET ca_name = excluded.ca_name, "
		      "reason = excluded.reason, attempts = excluded.attempts, "
		      "due_at = excluded.due_at, state = excluded.state"
		    : "INSERT INTO acme_jobs (" ACME_JOB_COLUMNS ") VALUES (?,?,?,?,?,?,?) "
		      "ON CONFLICT (cert_id) DO NOTHING",
	    err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, j->cert_id);
	store_bind_text(stmt, 2, j->account_id);
	store_bind_text(stmt, 3, j->ca_name);
	store_bind_text(stmt, 4, j->reason);
	sqlite3_bind_int(stmt, 5, j->attempts);
	sqlite3_bind_int64(stmt, 6, j->due_at);
	store_bind_text(stmt, 7, j->state != NULL ? j->state : "{}");
	return store_exec_stmt(st, stmt, err);
}

static void store_acme_job_read(sqlite3_stmt *stmt, struct store_acme_job *j)
{
	memset(j, 0, sizeof(*j));
	store_col_copy(stmt, 0, j->cert_id, sizeof(j->cert_id));
	store_col_copy(stmt, 1, j->account_id, sizeof(j->account_id));
	store_col_copy(stmt, 2, j->ca_name, sizeof(j->ca_name));
	store_col_copy(stmt, 3, j->reason, sizeof(j->reason));
	j->attempts = sqlite3_column_int(stmt, 4);
	j->due_at = sqlite3_column_int64(stmt, 5);
	j->state = store_col_strdup(stmt, 6);
}

int store_acme_job_get(struct store *st, const char *cert_id, struct store_acme_job *out,
		       struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt =
	    store_prepare(st, "SELECT " ACME_JOB_COLUMNS " FROM acme_jobs WHERE cert_id = ?", err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, cert_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_acme_job_read(stmt, out);
		store_release(st, stmt);
		return out->state != NULL ? 0 : cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return cm_fail(err, CM_ERR_NOT_FOUND, "no ACME job for certificate %s", cert_id);
}

static int store_acme_collect(struct store *st, int64_t now, int limit, struct store_acme_job *out,
			      size_t *n, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT " ACME_JOB_COLUMNS " FROM acme_jobs "
					   "WHERE due_at <= ? ORDER BY due_at, cert_id LIMIT ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int(stmt, 2, limit);
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		store_acme_job_read(stmt, &out[(*n)++]);
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return 0;
}

static int store_acme_lease(struct store *st, struct store_acme_job *j, int64_t until,
			    struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "UPDATE acme_jobs SET due_at = ? WHERE cert_id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, until);
	store_bind_text(stmt, 2, j->cert_id);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	j->due_at = until;
	return 0;
}

int store_acme_job_claim(struct store *st, int64_t now, int64_t lease, int limit,
			 struct store_acme_job **out, size_t *n, struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	if (limit < 1)
		return 0;
	*out = calloc((size_t)limit, sizeof(**out));
	if (*out == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	/* Under the write lock: the select and the leases are one step. */
	if (store_begin(st, err) < 0)
		goto fail;
	if (store_acme_collect(st, now, limit, *out, n, err) < 0)
		goto rollback;
	for (size_t i = 0; i < *n; i++)
		if (store_acme_lease(st, &(*out)[i], now + lease, err) < 0)
			goto rollback;
	if (store_commit(st, err) < 0)
		goto rollback;
	return 0;
rollback:
	store_rollback(st);
fail:
	store_acme_jobs_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

int store_acme_job_update(struct store *st, const struct store_acme_job *j, int64_t claimed_due,
			  struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "UPDATE acme_jobs SET attempts = ?, due_at = ?, state = ? "
			  "WHERE cert_id = ? AND due_at = ?",
			  err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int(stmt, 1, j->attempts);
	sqlite3_bind_int64(stmt, 2, j->due_at);
	store_bind_text(stmt, 3, j->state != NULL ? j->state : "{}");
	store_bind_text(stmt, 4, j->cert_id);
	sqlite3_bind_int64(stmt, 5, claimed_due);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_CONFLICT, "the ACME job of %s changed meanwhile",
			       j->cert_id);
	return 0;
}

void store_acme_account_clear(struct store_acme_account *a)
{
	if (a == NULL)
		return;
	free(a->key_sealed); /* sealed: no plaintext to wipe */
	memset(a, 0, sizeof(*a));
}

int store_acme_account_get(struct store *st, const char *ca_name, struct store_acme_account *out,
			   struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT ca_name, directory, account_url, created_at, "
					   "key_sealed FROM acme_accounts WHERE ca_name = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_name);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_col_copy(stmt, 0, out->ca_name, sizeof(out->ca_name));
		store_col_copy(stmt, 1, out->directory, sizeof(out->directory));
		store_col_copy(stmt, 2, out->account_url, sizeof(out->account_url));
		out->created_at = sqlite3_column_int64(stmt, 3);
		out->key_sealed = store_col_blobdup(stmt, 4, &out->key_sealed_len);
		store_release(st, stmt);
		return out->key_sealed != NULL ? 0 : cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return cm_fail(err, CM_ERR_NOT_FOUND, "no ACME account for %s", ca_name);
}

int store_acme_account_put(struct store *st, const struct store_acme_account *a, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO acme_accounts (ca_name, directory, account_url, key_sealed, "
			  "created_at) VALUES (?,?,?,?,?) ON CONFLICT (ca_name) DO UPDATE SET "
			  "directory = excluded.directory, account_url = excluded.account_url, "
			  "key_sealed = excluded.key_sealed, created_at = excluded.created_at",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, a->ca_name);
	store_bind_text(stmt, 2, a->directory);
	store_bind_text(stmt, 3, a->account_url);
	sqlite3_bind_blob(stmt, 4, a->key_sealed, (int)a->key_sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 5, a->created_at);
	return store_exec_stmt(st, stmt, err);
}
