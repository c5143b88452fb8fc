/* Deployment records (kept for audit, paged newest first per target) and the
 * redeploy jobs of the deploy worker: the outbox of deployment. A renewal or
 * reimport enqueues its jobs in its own transaction; the worker claims due
 * jobs under a lease, so a crash at any point leaves a job that runs again. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

#define DEPLOYMENT_COLUMNS                                                                         \
	"id, account_id, target_id, cert_id, serial, trigger_kind, started_at, finished_at, "      \
	"result, error"
#define JOB_COLUMNS "target_id, cert_id, account_id, reason, attempts, next_attempt_at, last_error"

int store_deployment_add(struct store *st, const struct store_deployment *d, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO deployments (" DEPLOYMENT_COLUMNS ") "
					   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, d->id);
	store_bind_text(stmt, 2, d->account_id);
	store_bind_text(stmt, 3, d->target_id);
	store_bind_text(stmt, 4, d->cert_id);
	store_bind_text(stmt, 5, d->serial);
	store_bind_text(stmt, 6, d->trigger);
	sqlite3_bind_int64(stmt, 7, d->started_at);
	sqlite3_bind_int64(stmt, 8, d->finished_at);
	store_bind_text(stmt, 9, d->result);
	store_bind_text(stmt, 10, d->error);
	return store_exec_stmt(st, stmt, err);
}

static void store_deployment_read(sqlite3_stmt *stmt, struct store_deployment *d)
{
	memset(d, 0, sizeof(*d));
	store_col_copy(stmt, 0, d->id, sizeof(d->id));
	store_col_copy(stmt, 1, d->account_id, sizeof(d->account_id));
	store_col_copy(stmt, 2, d->target_id, sizeof(d->target_id));
	store_col_copy(stmt, 3, d->cert_id, sizeof(d->cert_id));
	store_col_copy(stmt, 4, d->serial, sizeof(d->serial));
	store_col_copy(stmt, 5, d->trigger, sizeof(d->trigger));
	d->started_at = sqlite3_column_int64(stmt, 6);
	d->finished_at = sqlite3_column_int64(stmt, 7);
	store_col_copy(stmt, 8, d->result, sizeof(d->result));
	store_col_copy(stmt, 9, d->error, sizeof(d->error));
}

int store_deployment_list(struct store *st, const char *account_id, const char *target_id,
			  int64_t before_started_at, const char *before_id, int limit,
			  void (*fn)(void *ctx, const struct store_deployment *d), void *ctx,
			  struct cm_err *err)
{
	bool from_newest = before_id == NULL || before_id[0] == '\0';
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "SELECT " DEPLOYMENT_COLUMNS " FROM deployments WHERE target_id = ? AND account_id = ? "
	    "AND (? OR (started_at, id) < (?, ?)) ORDER BY started_at DESC, id DESC LIMIT ?",
	    err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, target_id);
	store_bind_text(stmt, 2, account_id);
	sqlite3_bind_int(stmt, 3, from_newest);
	sqlite3_bind_int64(stmt, 4, before_started_at);
	store_bind_text(stmt, 5, from_newest ? "" : before_id);
	sqlite3_bind_int(stmt, 6, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_deployment d;
		store_deployment_read(stmt, &d);
		fn(ctx, &d);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return n;
}

/* A newer job for a target replaces the older one: both would deploy the
 * target's one certificate, and the count of attempts starts over. */
#define JOB_UPSERT                                                                                 \
	" ON CONFLICT (target_id) DO UPDATE SET cert_id = excluded.cert_id, "                      \
	"reason = excluded.reason, attempts = 0, next_attempt_at = excluded.next_attempt_at, "     \
	"last_error = ''"

int store_deploy_jobs_enqueue_cert(struct store *st, const char *cert_id, const char *reason,
				   int64_t now, struct cm_err *err)
{
	/* The WHERE also settles SQLite's INSERT ... SELECT ... ON CONFLICT
	 * parsing ambiguity. */
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO deploy_jobs (" JOB_COLUMNS ") "
					   "SELECT target_id, cert_id, account_id, ?, 0, ?, '' "
					   "FROM deploy_associations WHERE cert_id = ?" JOB_UPSERT,
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, reason);
	sqlite3_bind_int64(stmt, 2, now);
	store_bind_text(stmt, 3, cert_id);
	return store_exec_stmt(st, stmt, err);
}

int store_deploy_job_enqueue_target(struct store *st, const char *target_id, const char *reason,
				    int64_t now, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO deploy_jobs (" JOB_COLUMNS ") "
			  "SELECT target_id, cert_id, account_id, ?, 0, ?, '' "
			  "FROM deploy_associations WHERE target_id = ?" JOB_UPSERT,
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, reason);
	sqlite3_bind_int64(stmt, 2, now);
	store_bind_text(stmt, 3, target_id);
	return store_exec_stmt(st, stmt, err);
}

static void store_job_read(sqlite3_stmt *stmt, struct store_deploy_job *j)
{
	memset(j, 0, sizeof(*j));
	store_col_copy(stmt, 0, j->target_id, sizeof(j->target_id));
	store_col_copy(stmt, 1, j->cert_id, sizeof(j->cert_id));
	store_col_copy(stmt, 2, j->account_id, sizeof(j->account_id));
	store_col_copy(stmt, 3, j->reason, sizeof(j->reason));
	j->attempts = sqlite3_column_int(stmt, 4);
	j->next_attempt_at = sqlite3_column_int64(stmt, 5);
	store_col_copy(stmt, 6, j->last_error, sizeof(j->last_error));
}

static int store_job_collect(struct store *st, int64_t now, int limit,
			     struct store_deploy_job **out, size_t *n, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT " JOB_COLUMNS " FROM deploy_jobs "
					   "WHERE next_attempt_at <= ? "
					   "ORDER BY next_attempt_at, target_id LIMIT ?",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int(stmt, 2, limit);
	*out = calloc((size_t)limit, sizeof(**out));
	if (*out == NULL) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		store_job_read(stmt, &(*out)[(*n)++]);
	if (rc != SQLITE_DONE)
		return store_fail(st, stmt, err);
	store_release(st, stmt);
	return 0;
}

static int store_job_lease(struct store *st, struct store_deploy_job *j, int64_t until,
			   struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "UPDATE deploy_jobs SET next_attempt_at = ? WHERE target_id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, until);
	store_bind_text(stmt, 2, j->target_id);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	j->next_attempt_at = until;
	return 0;
}

int store_deploy_job_claim(struct store *st, int64_t now, int64_t lease, int limit,
			   struct store_deploy_job **out, size_t *n, struct cm_err *err)
{
	*out = NULL;
	*n = 0;
	if (limit < 1)
		return 0;
	/* Under the write lock: the select and the leases are one step. */
	if (store_begin(st, err) < 0)
		return -1;
	if (store_job_collect(st, now, limit, out, n, err) < 0)
		goto fail;
	for (size_t i = 0; i < *n; i++)
		if (store_job_lease(st, &(*out)[i], now + lease, err) < 0)
			goto fail;
	if (store_commit(st, err) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

int store_deploy_job_done(struct store *st, const struct store_deploy_job *j, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "DELETE FROM deploy_jobs WHERE target_id = ? AND "
					   "cert_id = ? AND attempts = ? AND next_attempt_at = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, j->target_id);
	store_bind_text(stmt, 2, j->cert_id);
	sqlite3_bind_int(stmt, 3, j->attempts);
	sqlite3_bind_int64(stmt, 4, j->next_attempt_at);
	return store_exec_stmt(st, stmt, err);
}

int store_deploy_job_retry(struct store *st, const struct store_deploy_job *j, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "UPDATE deploy_jobs SET attempts = ?, next_attempt_at = ?, "
			  "last_error = ? WHERE target_id = ? AND cert_id = ?",
			  err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int(stmt, 1, j->attempts);
	sqlite3_bind_int64(stmt, 2, j->next_attempt_at);
	store_bind_text(stmt, 3, j->last_error);
	store_bind_text(stmt, 4, j->target_id);
	store_bind_text(stmt, 5, j->cert_id);
	return store_exec_stmt(st, stmt, err);
}
