/* Schema migrations: numbered, applied in order, each in its own transaction,
 * never edited once released (add a new one instead). Only portable SQL: the
 * same statements must later run on PostgreSQL. */
#include <stdbool.h>
#include <stdio.h>

#include "store/internal.h"
#include "util/log.h"

/* acm_certificates' columns as of migration 12, in its table's order, but
 * material_id (the last). */
#define ACM_COLUMNS_V12                                                                            \
	"id, account_id, created_at, revision, type, status, failure_reason, domain_name, "        \
	"names_json, key_alg, ca_arn, validation_method, validation_json, ct_logging, "            \
	"export_option, managed_by, serial, subject, issuer, sig_alg, key_usage, eku_bits, "       \
	"eku_json, not_before, not_after, issued_at, imported_at, revoked_at, "                    \
	"validation_deadline, revocation_reason, exported, renewal_json, resent_at, subject_cn, "  \
	"renewal_status, dns_names, scan_due_at, expiry_warned_day, action_required_days"

static const char *const store_migrations[] = {
	/* 1: accounts, keys, CAs, tags, issued certificates, idempotency. */
	"CREATE TABLE accounts ("
	"  id TEXT PRIMARY KEY,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE access_keys ("
	"  access_key_id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id),"
	"  secret_sealed BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX access_keys_account ON access_keys(account_id, access_key_id);"
	"CREATE TABLE cas ("
	"  id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id),"
	"  type TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  prior_status TEXT NOT NULL DEFAULT '',"
	"  usage_mode TEXT NOT NULL,"
	"  key_storage TEXT NOT NULL,"
	"  key_alg TEXT NOT NULL,"
	"  sig_alg TEXT NOT NULL,"
	"  config_json TEXT NOT NULL,"
	"  revocation_json TEXT NOT NULL,"
	"  key_sealed BLOB NOT NULL,"
	"  csr_pem TEXT NOT NULL,"
	"  cert_der BLOB,"
	"  chain_pem TEXT,"
	"  serial_dec TEXT NOT NULL DEFAULT '',"
	"  not_before INTEGER NOT NULL DEFAULT 0,"
	"  not_after INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  last_state_change_at INTEGER NOT NULL,"
	"  restorable_until INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX cas_account_created ON cas(account_id, created_at, id);"
	"CREATE TABLE ca_tags ("
	"  ca_id TEXT NOT NULL REFERENCES cas(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (ca_id, key));"
	/* No foreign key to cas: the serial history outlives a purged CA (audit). */
	"CREATE TABLE certificates ("
	"  ca_id TEXT NOT NULL,"
	"  serial TEXT NOT NULL,"
	"  account_id TEXT NOT NULL,"
	"  template_arn TEXT NOT NULL,"
	"  requester TEXT NOT NULL,"
	"  der BLOB,"
	"  not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  issued_at INTEGER NOT NULL,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0,"
	"  revocation_reason TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (ca_id, serial));"
	"CREATE INDEX certificates_expiry ON certificates(not_after);"
	"CREATE TABLE idempotency ("
	"  account_id TEXT NOT NULL,"
	"  scope TEXT NOT NULL,"
	"  token TEXT NOT NULL,"
	"  result TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (account_id, scope, token));",
	/* 2: ACM certificates, their tags, users (InUseBy) and replaced
	 * certificates, and per-account ACM configuration. Owned strings that
	 * may be absent are nullable; fixed fields use '' for absent. */
	"CREATE TABLE acm_certificates ("
	"  id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id),"
	"  created_at INTEGER NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  failure_reason TEXT NOT NULL DEFAULT '',"
	"  domain_name TEXT NOT NULL DEFAULT '',"
	"  names_json TEXT,"
	"  key_alg TEXT NOT NULL DEFAULT '',"
	"  ca_arn TEXT NOT NULL DEFAULT '',"
	"  validation_method TEXT NOT NULL DEFAULT '',"
	"  validation_json TEXT,"
	"  ct_logging TEXT NOT NULL DEFAULT '',"
	"  export_option TEXT NOT NULL DEFAULT '',"
	"  managed_by TEXT NOT NULL DEFAULT '',"
	"  chain_pem TEXT,"
	"  serial TEXT NOT NULL DEFAULT '',"
	"  subject TEXT,"
	"  issuer TEXT,"
	"  sig_alg TEXT NOT NULL DEFAULT '',"
	"  key_usage INTEGER NOT NULL DEFAULT 0,"
	"  eku_bits INTEGER NOT NULL DEFAULT 0,"
	"  eku_json TEXT,"
	"  not_before INTEGER NOT NULL DEFAULT 0,"
	"  not_after INTEGER NOT NULL DEFAULT 0,"
	"  issued_at INTEGER NOT NULL DEFAULT 0,"
	"  imported_at INTEGER NOT NULL DEFAULT 0,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0,"
	"  validation_deadline INTEGER NOT NULL DEFAULT 0,"
	"  revocation_reason TEXT NOT NULL DEFAULT '',"
	"  exported INTEGER NOT NULL DEFAULT 0,"
	"  renewal_json TEXT,"
	"  resent_at INTEGER NOT NULL DEFAULT 0,"
	"  key_sealed BLOB,"
	"  cert_der BLOB);"
	/* ListCertificates pages through this one; the expiry scan through the next. */
	"CREATE INDEX acm_certificates_account ON acm_certificates(account_id, created_at, id);"
	"CREATE INDEX acm_certificates_expiry ON acm_certificates(status, not_after);"
	"CREATE TABLE acm_cert_tags ("
	"  cert_id TEXT NOT NULL REFERENCES acm_certificates(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (cert_id, key));"
	/* used_by, not user: USER is reserved in PostgreSQL. */
	"CREATE TABLE acm_cert_usage ("
	"  cert_id TEXT NOT NULL REFERENCES acm_certificates(id) ON DELETE CASCADE,"
	"  used_by TEXT NOT NULL,"
	"  PRIMARY KEY (cert_id, used_by));"
	"CREATE TABLE acm_cert_history ("
	"  cert_id TEXT NOT NULL REFERENCES acm_certificates(id) ON DELETE CASCADE,"
	"  serial TEXT NOT NULL,"
	"  ca_arn TEXT NOT NULL DEFAULT '',"
	"  not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  replaced_at INTEGER NOT NULL);"
	"CREATE INDEX acm_cert_history_cert ON acm_cert_history(cert_id, replaced_at);"
	"CREATE TABLE account_config ("
	"  account_id TEXT PRIMARY KEY REFERENCES accounts(id),"
	"  days_before_expiry INTEGER);",
	/* 3: what SearchCertificates matches and sorts on that migration 2 kept
	 * only inside JSON or DER: the subject CN, the RenewalStatus and the DNS
	 * names as "\n"-framed lowercase text (so a LIKE cannot match across two
	 * names). Rows written before get the two derivable ones here; their CN
	 * fills in at the next material change (reimport, renewal). */
	"ALTER TABLE acm_certificates ADD COLUMN subject_cn TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE acm_certificates ADD COLUMN renewal_status TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE acm_certificates ADD COLUMN dns_names TEXT NOT NULL DEFAULT '';"
	"UPDATE acm_certificates SET renewal_status = CASE"
	"  WHEN renewal_json LIKE '%\"RenewalStatus\":\"PENDING\\_AUTO\\_RENEWAL\"%' ESCAPE '\\'"
	"  THEN 'PENDING_AUTO_RENEWAL'"
	"  WHEN renewal_json LIKE '%\"RenewalStatus\":\"PENDING\\_VALIDATION\"%' ESCAPE '\\'"
	"  THEN 'PENDING_VALIDATION'"
	"  WHEN renewal_json LIKE '%\"RenewalStatus\":\"SUCCESS\"%' THEN 'SUCCESS'"
	"  WHEN renewal_json LIKE '%\"RenewalStatus\":\"FAILED\"%' THEN 'FAILED'"
	"  ELSE '' END,"
	"  dns_names = CASE WHEN names_json IS NULL OR names_json = '[]' THEN '' ELSE"
	"  lower(replace(replace(replace(names_json, '[\"', '\n'), '\",\"', '\n'), '\"]', '\n'))"
	"  END;"
	/* NOT_AFTER is the sort an expiry search uses; the rest sort in memory
	 * over the account's rows, which the account index already bounds. */
	"CREATE INDEX acm_certificates_not_after ON acm_certificates(account_id, not_after, id);",
	/* 4: the lifecycle (issue 5). Event targets per account; the outbox
	 * (events) and one delivery row per (event, target), claimed by the
	 * delivery workers through (state, next_attempt_at); the dead-letter
	 * list pages through (account_id, state, event_created_at, ...). On
	 * acm_certificates, the scan's due-work columns: scan_due_at is when
	 * the scheduler must next look at an ISSUED certificate, read through
	 * (status, scan_due_at, id); rows written before get 60 days (the scan
	 * lead, acm.h ACM_SCAN_LEAD_DAYS) before their expiry, so the first
	 * pass after the upgrade reads only what is due. expiry_warned_day is
	 * the UTC day of the last Approaching Expiration event;
	 * action_required_days the last of the 45/30/15/3/1 day marks a Renewal
	 * Action Required event was sent for. */
	"CREATE TABLE event_targets ("
	"  id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id),"
	"  kind TEXT NOT NULL,"
	"  endpoint TEXT NOT NULL,"
	"  secret_sealed BLOB,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX event_targets_account ON event_targets(account_id, created_at, id);"
	"CREATE TABLE events ("
	"  id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id),"
	"  detail_type TEXT NOT NULL,"
	"  resource TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX events_account ON events(account_id, created_at, id);"
	/* Removing a target removes its deliveries: nothing is left to send to. */
	"CREATE TABLE event_deliveries ("
	"  event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
	"  target_id TEXT NOT NULL REFERENCES event_targets(id) ON DELETE CASCADE,"
	"  account_id TEXT NOT NULL,"
	"  event_created_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  delivered_at INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (event_id, target_id));"
	"CREATE INDEX event_deliveries_due ON event_deliveries(state, next_attempt_at,"
	"  event_id, target_id);"
	"CREATE INDEX event_deliveries_account ON event_deliveries(account_id, state,"
	"  event_created_at, event_id, target_id);"
	"CREATE INDEX event_deliveries_target ON event_deliveries(target_id);"
	"ALTER TABLE acm_certificates ADD COLUMN scan_due_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE acm_certificates ADD COLUMN expiry_warned_day INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE acm_certificates ADD COLUMN action_required_days INTEGER NOT NULL DEFAULT 0;"
	"UPDATE acm_certificates SET scan_due_at = not_after - 5184000;"
	"CREATE INDEX acm_certificates_due ON acm_certificates(status, scan_due_at, id);",
	/* 5: revocation (issue 7). The last CRLNumber handed out per CA and the
	 * times of the CRL published with it (RFC 5280 §5.2.3: numbers only grow,
	 * so they are kept, never derived); the index lists a CA's revoked
	 * certificates for its CRL without reading the ones that are not. */
	"CREATE TABLE crls ("
	"  ca_id TEXT PRIMARY KEY,"
	"  number INTEGER NOT NULL,"
	"  this_update INTEGER NOT NULL DEFAULT 0,"
	"  next_update INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX certificates_revoked ON certificates(ca_id, revoked_at);",
	/* 6: deployment (issue 6). Targets per account (their specification as
	 * JSON, validated by deploy/); at most one certificate per target (the
	 * files hold one); every deployment's record, paged per target newest
	 * first; and the redeploy jobs renewals and reimports enqueue in their
	 * own transaction, one per target, claimed through (next_attempt_at). */
	"CREATE TABLE deploy_targets ("
	"  id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id),"
	"  spec_json TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX deploy_targets_account ON deploy_targets(account_id, created_at, id);"
	"CREATE TABLE deploy_associations ("
	"  target_id TEXT PRIMARY KEY REFERENCES deploy_targets(id) ON DELETE CASCADE,"
	"  cert_id TEXT NOT NULL REFERENCES acm_certificates(id) ON DELETE CASCADE,"
	"  account_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX deploy_associations_cert ON deploy_associations(cert_id, target_id);"
	"CREATE TABLE deployments ("
	"  id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL,"
	"  target_id TEXT NOT NULL,"
	"  cert_id TEXT NOT NULL,"
	"  serial TEXT NOT NULL,"
	"  trigger_kind TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL,"
	"  result TEXT NOT NULL,"
	"  error TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX deployments_target ON deployments(target_id, started_at, id);"
	"CREATE TABLE deploy_jobs ("
	"  target_id TEXT PRIMARY KEY REFERENCES deploy_targets(id) ON DELETE CASCADE,"
	"  cert_id TEXT NOT NULL,"
	"  account_id TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  last_error TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX deploy_jobs_due ON deploy_jobs(next_attempt_at, target_id);",
	/* 7: audit reports, permissions and resource policies of the private CAs
	 * (issue 7). A report row outlives its CA like the serial history does;
	 * the 30-minute pace reads a CA's newest report through (ca_id,
	 * created_at). Permissions and the policy go with their CA. */
	"CREATE TABLE audit_reports ("
	"  id TEXT PRIMARY KEY,"
	"  ca_id TEXT NOT NULL,"
	"  account_id TEXT NOT NULL,"
	"  bucket TEXT NOT NULL,"
	"  s3_key TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX audit_reports_ca ON audit_reports(ca_id, created_at);"
	"CREATE TABLE ca_permissions ("
	"  ca_id TEXT NOT NULL REFERENCES cas(id) ON DELETE CASCADE,"
	"  principal TEXT NOT NULL,"
	"  source_account TEXT NOT NULL,"
	"  actions TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (ca_id, principal, source_account));"
	"CREATE TABLE ca_policies ("
	"  ca_id TEXT PRIMARY KEY REFERENCES cas(id) ON DELETE CASCADE,"
	"  policy TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL);",
	/* 8: public certificates from ACME CAs (issue 8). A job is the work a
	 * public certificate still needs (first issuance or a renewal), found by
	 * its due time; it goes with its certificate. The per-name validation
	 * state Describe shows lives in the job while it runs. ACME accounts
	 * are per configured CA, their keys sealed like every other key. */
	"CREATE TABLE acme_jobs ("
	"  cert_id TEXT PRIMARY KEY REFERENCES acm_certificates(id) ON DELETE CASCADE,"
	"  account_id TEXT NOT NULL,"
	"  ca_name TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT '{}');"
	"CREATE INDEX acme_jobs_due ON acme_jobs(due_at, cert_id);"
	"CREATE TABLE acme_accounts ("
	"  ca_name TEXT PRIMARY KEY,"
	"  directory TEXT NOT NULL,"
	"  account_url TEXT NOT NULL DEFAULT '',"
	"  key_sealed BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL);",
	/* 9: the accounts a CA's policy allows something ('*' for all), so
	 * ListCertificateAuthorities(OTHER_ACCOUNTS) reads the CAs shared with
	 * the caller through the key instead of every policy. The policy still
	 * decides; this only finds the candidates. */
	"CREATE TABLE ca_policy_grantees ("
	"  grantee TEXT NOT NULL,"
	"  ca_id TEXT NOT NULL REFERENCES cas(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (grantee, ca_id));"
	"CREATE INDEX ca_policy_grantees_ca ON ca_policy_grantees(ca_id);",
	/* 10: each CA's delegated OCSP responder (serve --ocsp-delegated): its
	 * certificate and its key sealed by the keystore, replaced before expiry. */
	"CREATE TABLE ocsp_signers ("
	"  ca_id TEXT PRIMARY KEY REFERENCES cas(id) ON DELETE CASCADE,"
	"  cert_der BLOB NOT NULL,"
	"  key_sealed BLOB NOT NULL,"
	"  not_after INTEGER NOT NULL);",
	/* 11: leaner issuance (issue 3). Every IssueCertificate inserts into
	 * certificates; each index is one more B-tree page written and synced
	 * per certificate. certificates_expiry served no query (every query on
	 * the table names its CA), and certificates_revoked only ever looks at
	 * revoked rows, so it holds just those: an unrevoked certificate now
	 * writes its row and its primary key, nothing else. */
	"DROP INDEX certificates_expiry;"
	"DROP INDEX certificates_revoked;"
	"CREATE INDEX certificates_revoked ON certificates(ca_id, revoked_at) "
	"WHERE revoked_at > 0;",
	/* 12: a certificate's material (chain, sealed key, DER: about 2.3 KB
	 * of its 2.6) moves to a table of its own (issue 3). With it inline,
	 * a row filled most of a page, so the expiry scan's daily update, a
	 * status change or a list page wrote or read one page per
	 * certificate; now a page holds about six rows, and the material is
	 * read where it is used (export, renewal, deployment) and written
	 * only when it changes. Every certificate has its material row,
	 * named by material_id. The material's key is an integer the store
	 * hands out in order, so a new certificate appends its material
	 * instead of inserting into a second index of random UUIDs; having no
	 * foreign key (which would need an index on material_id to check a
	 * delete), it is deleted by the store with its certificate.
	 *
	 * acm_certificates is rebuilt without the three columns (SQLite's
	 * table rebuild: https://sqlite.org/lang_altertable.html#otheralter),
	 * foreign keys off meanwhile (store_migrate_to), so dropping the old
	 * table takes nothing with it. ALTER TABLE DROP COLUMN would say the
	 * same in fewer words, but SQLite rewrites the whole table for each
	 * column dropped, and within the migration's transaction it keeps the
	 * original of every page it rewrites in the statement journal, in
	 * memory here (temp_store=MEMORY). The rebuild writes each row once.
	 * The old table's pages become free pages of the file, reused by
	 * later writes (VACUUM returns them to the file system). */
	"CREATE TABLE acm_cert_material ("
	"  material_id INTEGER PRIMARY KEY,"
	"  chain_pem TEXT,"
	"  key_sealed BLOB,"
	"  cert_der BLOB);"
	"INSERT INTO acm_cert_material (material_id, chain_pem, key_sealed, cert_der) "
	"SELECT rowid, chain_pem, key_sealed, cert_der FROM acm_certificates;"
	"CREATE TABLE acm_certificates_v12 ("
	"  id TEXT PRIMARY KEY,"
	"  account_id TEXT NOT NULL REFERENCES accounts(id),"
	"  created_at INTEGER NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  failure_reason TEXT NOT NULL DEFAULT '',"
	"  domain_name TEXT NOT NULL DEFAULT '',"
	"  names_json TEXT,"
	"  key_alg TEXT NOT NULL DEFAULT '',"
	"  ca_arn TEXT NOT NULL DEFAULT '',"
	"  validation_method TEXT NOT NULL DEFAULT '',"
	"  validation_json TEXT,"
	"  ct_logging TEXT NOT NULL DEFAULT '',"
	"  export_option TEXT NOT NULL DEFAULT '',"
	"  managed_by TEXT NOT NULL DEFAULT '',"
	"  serial TEXT NOT NULL DEFAULT '',"
	"  subject TEXT,"
	"  issuer TEXT,"
	"  sig_alg TEXT NOT NULL DEFAULT '',"
	"  key_usage INTEGER NOT NULL DEFAULT 0,"
	"  eku_bits INTEGER NOT NULL DEFAULT 0,"
	"  eku_json TEXT,"
	"  not_before INTEGER NOT NULL DEFAULT 0,"
	"  not_after INTEGER NOT NULL DEFAULT 0,"
	"  issued_at INTEGER NOT NULL DEFAULT 0,"
	"  imported_at INTEGER NOT NULL DEFAULT 0,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0,"
	"  validation_deadline INTEGER NOT NULL DEFAULT 0,"
	"  revocation_reason TEXT NOT NULL DEFAULT '',"
	"  exported INTEGER NOT NULL DEFAULT 0,"
	"  renewal_json TEXT,"
	"  resent_at INTEGER NOT NULL DEFAULT 0,"
	"  subject_cn TEXT NOT NULL DEFAULT '',"
	"  renewal_status TEXT NOT NULL DEFAULT '',"
	"  dns_names TEXT NOT NULL DEFAULT '',"
	"  scan_due_at INTEGER NOT NULL DEFAULT 0,"
	"  expiry_warned_day INTEGER NOT NULL DEFAULT 0,"
	"  action_required_days INTEGER NOT NULL DEFAULT 0,"
	"  material_id INTEGER NOT NULL);"
	"INSERT INTO acm_certificates_v12 SELECT " ACM_COLUMNS_V12 ", rowid FROM acm_certificates;"
	"DROP TABLE acm_certificates;"
	"ALTER TABLE acm_certificates_v12 RENAME TO acm_certificates;"
	"CREATE INDEX acm_certificates_account ON acm_certificates(account_id, created_at, id);"
	"CREATE INDEX acm_certificates_expiry ON acm_certificates(status, not_after);"
	"CREATE INDEX acm_certificates_not_after ON acm_certificates(account_id, not_after, id);"
	"CREATE INDEX acm_certificates_due ON acm_certificates(status, scan_due_at, id);",
};

static int store_schema_version(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	int version = -1;
	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1,
			       &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return version;
}

/* Whether every foreign key holds: migrations run with the checks off. */
static bool store_foreign_keys_hold(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &stmt, NULL) != SQLITE_OK)
		return false;
	bool hold = sqlite3_step(stmt) == SQLITE_DONE;
	sqlite3_finalize(stmt);
	return hold;
}

static int store_migrate_locked(sqlite3 *db, int target, int total, struct cm_err *err)
{
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot lock database: %s", sqlite3_errmsg(db));
	int version = store_schema_version(db);
	if (version < 0)
		goto fail;
	if (version > total) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return cm_fail(err, CM_ERR_INTERNAL,
			       "database schema %d is newer than this binary (%d): upgrade Certain",
			       version, total);
	}
	if (version > 0 && version < target) {
		char from[16], to[16];
		snprintf(from, sizeof(from), "%d", version);
		snprintf(to, sizeof(to), "%d", target);
		log_event(LOG_INFO, "upgrading the database schema (minutes for a million certificates)",
			  "from", from, "to", to, LOG_END);
	}
	for (int v = version; v < target; v++) {
		char sql[64];
		if (sqlite3_exec(db, store_migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d)", v + 1);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	if (!store_foreign_keys_hold(db)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return cm_fail(err, CM_ERR_INTERNAL, "database migration broke a foreign key");
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	cm_fail(err, CM_ERR_INTERNAL, "database migration failed: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The connection's settings while migrations run, and after.
 *
 * Foreign keys are off, as SQLite's table rebuild needs (with them on,
 * dropping a table deletes what references it); the pragma does nothing
 * inside a transaction, hence here, and the check before COMMIT stands in
 * for the enforcement.
 *
 * secure_delete is FAST: Debian builds SQLite with it ON, which zeroes
 * every page a statement frees; inside the migration's transaction the
 * original of each such page is kept in the statement journal, which
 * temp_store=MEMORY holds in memory. Dropping the old acm_certificates of
 * a million certificates (migration 12) took 4.4 GB of memory that way.
 * FAST frees them unwritten: what they held (sealed keys, as ciphertext,
 * and public certificates) was copied into acm_cert_material, and later
 * writes reuse the pages. */
static const char store_migrating_sql[] = "PRAGMA foreign_keys=OFF; PRAGMA secure_delete=FAST";
static const char store_migrated_sql[] = "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON";

int store_migrate_to(sqlite3 *db, int target, struct cm_err *err)
{
	int total = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
	if (target < 0 || target > total)
		return cm_fail(err, CM_ERR_INTERNAL, "no schema version %d", target);
	if (sqlite3_exec(db, store_migrating_sql, NULL, NULL, NULL) != SQLITE_OK)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot configure database: %s",
			       sqlite3_errmsg(db));
	int rc = store_migrate_locked(db, target, total, err);
	if (sqlite3_exec(db, store_migrated_sql, NULL, NULL, NULL) != SQLITE_OK && rc == 0)
		rc = cm_fail(err, CM_ERR_INTERNAL, "cannot configure database: %s",
			     sqlite3_errmsg(db));
	return rc;
}

int store_migrate(sqlite3 *db, struct cm_err *err)
{
	return store_migrate_to(db, (int)(sizeof(store_migrations) / sizeof(store_migrations[0])),
				err);
}
