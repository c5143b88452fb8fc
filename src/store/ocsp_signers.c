/* Each CA's delegated OCSP responder: its certificate and its sealed key
 * (the keystore sealed it; only pca/ asks for it to be opened). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

void store_ocsp_signer_clear(struct store_ocsp_signer *s)
{
	if (s == NULL)
		return;
	free(s->cert_der);
	free(s->key_sealed);
	memset(s, 0, sizeof(*s));
}

int store_ocsp_signer_get(struct store *st, const char *ca_id, struct store_ocsp_signer *out,
			  struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt = store_prepare(st,
					   "SELECT cert_der, key_sealed, not_after FROM "
					   "ocsp_signers WHERE ca_id = ?",
					   err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, ca_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		store_release(st, stmt);
		return cm_fail(err, CM_ERR_NOT_FOUND, "no OCSP signer");
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, stmt, err);
	snprintf(out->ca_id, sizeof(out->ca_id), "%s", ca_id);
	out->cert_der = store_col_blobdup(stmt, 0, &out->cert_der_len);
	out->key_sealed = store_col_blobdup(stmt, 1, &out->key_sealed_len);
	out->not_after = sqlite3_column_int64(stmt, 2);
	store_release(st, stmt);
	if (out->cert_der == NULL || out->key_sealed == NULL) {
		store_ocsp_signer_clear(out);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

int store_ocsp_signer_put(struct store *st, const struct store_ocsp_signer *s, struct cm_err *err)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
			  "INSERT INTO ocsp_signers (ca_id, cert_der, key_sealed, not_after) "
			  "VALUES (?, ?, ?, ?) ON CONFLICT (ca_id) DO UPDATE SET cert_der = "
			  "excluded.cert_der, key_sealed = excluded.key_sealed, "
			  "not_after = excluded.not_after",
			  err);
	if (stmt == NULL)
		return -1;
	store_bind_text(stmt, 1, s->ca_id);
	sqlite3_bind_blob(stmt, 2, s->cert_der, (int)s->cert_der_len, SQLITE_TRANSIENT);
	sqlite3_bind_blob(stmt, 3, s->key_sealed, (int)s->key_sealed_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, s->not_after);
	return store_exec_stmt(st, stmt, err);
}
