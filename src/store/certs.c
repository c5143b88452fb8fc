/* Issued certificates, stored whole once signed (pca/issue.c says why that is
 * safe). The (ca_id, serial) key is what makes a serial unique per CA. */
#include <stdlib.h>
#include <string.h>

#include "store/group_commit.h"
#include "store/internal.h"

void store_cert_clear(struct store_cert *c)
{
	if (c == NULL)
		return;
	free(c->der);
	memset(c, 0, sizeof(*c));
}

static int store_cert_insert_row(struct store *st, const struct store_cert *c, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "INSERT INTO certificates (ca_id, serial, account_id, "
					   "template_arn, requester, der, not_before, not_after, "
					   "issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, c->ca_id);
	store_bind_text(stmt, 2, c->serial);
	store_bind_text(stmt, 3, c->account_id);
	store_bind_text(stmt, 4, c->template_arn);
	store_bind_text(stmt, 5, c->requester);
	if (c->der != NULL)
		sqlite3_bind_blob(stmt, 6, c->der, (int)c->der_len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, 6);
	sqlite3_bind_int64(stmt, 7, c->not_before);
	sqlite3_bind_int64(stmt, 8, c->not_after);
	sqlite3_bind_int64(stmt, 9, c->issued_at);
	return store_exec_stmt(st, stmt, err);
}

/* What store_cert_write writes: the certificate and perhaps its token. */
struct store_cert_write {
	const struct store_cert *cert;
	const struct store_idempotency *idem;
};

/* One record's rows, inside a (group's) transaction. Only a live token or a
 * taken serial is a CONFLICT, and both are found before anything of the
 * record is written, so the group drops this record alone; a failure after
 * the row is in fails the group, so no certificate is stored without its
 * token. */
static int store_cert_write(struct store *st, const void *record, struct cm_err *err)
{
	const struct store_cert_write *w = record;
	const struct store_idempotency *idem = w->idem;
	if (idem != NULL) {
		int found = store_idempotency_get(st, idem->account_id, idem->scope, idem->token,
						  idem->not_before, idem->winner,
						  idem->winner_size, err);
		if (found != 0)
			return found < 0 ? -1
					 : cm_fail(err, CM_ERR_CONFLICT,
						   "the idempotency token was used meanwhile");
	}
	if (store_cert_insert_row(st, w->cert, err) < 0)
		return -1;
	if (w->idem != NULL &&
	    store_idempotency_put(st, w->idem->account_id, w->idem->scope, w->idem->token,
				  w->idem->result, w->idem->created_at, err) < 0) {
		if (err->code == CM_ERR_CONFLICT)
			err->code = CM_ERR_INTERNAL;
		return -1;
	}
	return 0;
}

int store_cert_insert(struct store *st, const struct store_cert *c,
		      const struct store_idempotency *idem, struct cm_err *err)
{
	struct store_cert_write w = {c, idem};
	return store_group_write(st, store_cert_write, &w, err);
}

int store_cert_get(struct store *st, const char *ca_id, const char *serial, struct store_cert *out,
		   struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT ca_id, serial, account_id, template_arn, requester, "
					   "der, not_before, not_after, issued_at, revoked_at, "
					   "revocation_reason FROM certificates "
					   "WHERE ca_id = ? AND serial = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	store_bind_text(stmt, 2, serial);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "certificate not found");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	memset(out, 0, sizeof(*out));
	store_col_copy(stmt, 0, out->ca_id, sizeof(out->ca_id));
	store_col_copy(stmt, 1, out->serial, sizeof(out->serial));
	store_col_copy(stmt, 2, out->account_id, sizeof(out->account_id));
	store_col_copy(stmt, 3, out->template_arn, sizeof(out->template_arn));
	store_col_copy(stmt, 4, out->requester, sizeof(out->requester));
	out->der = store_col_blobdup(stmt, 5, &out->der_len);
	out->not_before = sqlite3_column_int64(stmt, 6);
	out->not_after = sqlite3_column_int64(stmt, 7);
	out->issued_at = sqlite3_column_int64(stmt, 8);
	out->revoked_at = sqlite3_column_int64(stmt, 9);
	store_col_copy(stmt, 10, out->revocation_reason, sizeof(out->revocation_reason));
	store_release(st, stmt);
	return 0;
}

int store_cert_revoke(struct store *st, const char *ca_id, const char *serial, int64_t when,
		      const char *reason, struct cm_err *err)
{
	sqlite3_stmt *stmt = store_prepare(st,
					   "UPDATE certificates SET revoked_at = ?, "
					   "revocation_reason = ? WHERE ca_id = ? AND serial = ? "
					   "AND revoked_at = 0",
					   err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, when);
	store_bind_text(stmt, 2, reason);
	store_bind_text(stmt, 3, ca_id);
	store_bind_text(stmt, 4, serial);
	if (store_exec_stmt(st, stmt, err) < 0)
		return -1;
	if (sqlite3_changes(store_db(st, err)) != 1)
		return cm_fail(err, CM_ERR_ALREADY_PROCESSED, "certificate already revoked");
	return 0;
}
