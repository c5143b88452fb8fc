/* Column lists and the row reader shared by acm_certs.c (single records) and
 * acm_list.c (pages). Private to src/store/. */
#ifndef CERTAIN_STORE_ACM_INTERNAL_H
#define CERTAIN_STORE_ACM_INTERNAL_H

#include "store/internal.h"

/* Never rewritten after insert, but for revision, which only ever counts up. */
#define ACM_KEY_COLUMNS "id, account_id, created_at, revision"
/* Everything else but the material, in store_acm_read order (35 columns).
 * subject_cn, renewal_status and dns_names are what SearchCertificates
 * matches on (migration 3); dns_names is written, never read back. The last
 * three are the lifecycle scan's (migration 4). */
#define ACM_DATA_COLUMNS                                                                           \
	"type, status, failure_reason, domain_name, names_json, key_alg, ca_arn, "                 \
	"validation_method, validation_json, ct_logging, export_option, managed_by, "              \
	"serial, subject, issuer, sig_alg, key_usage, eku_bits, eku_json, "                        \
	"not_before, not_after, issued_at, imported_at, revoked_at, validation_deadline, "         \
	"revocation_reason, exported, renewal_json, resent_at, subject_cn, renewal_status, "       \
	"dns_names, scan_due_at, expiry_warned_day, action_required_days"
/* Read-only: whether anything uses the certificate (InUse of a summary),
 * one primary-key probe per row. */
#define ACM_IN_USE_COLUMN                                                                          \
	"EXISTS (SELECT 1 FROM acm_cert_usage u WHERE u.cert_id = acm_certificates.id)"
/* The material: most of a certificate's bytes, in acm_cert_material
 * (migration 12) so that acm_certificates rows stay a few hundred bytes and
 * the scan's and lists' pages hold many. Selected last, through
 * ACM_MATERIAL_JOIN, so a read can leave them out and share the reader. */
#define ACM_MATERIAL_COLUMNS "chain_pem, key_sealed, cert_der"
#define ACM_MATERIAL_JOIN                                                                          \
	" LEFT JOIN acm_cert_material"                                                             \
	" ON acm_cert_material.material_id = acm_certificates.material_id"

/* The status a reader sees, as SQL; binds now twice. Must say exactly what
 * store_acm_effective_status says. */
#define ACM_EFFECTIVE_STATUS_SQL                                                                   \
	"CASE WHEN status = 'ISSUED' AND not_after <= ? THEN 'EXPIRED' "                           \
	"WHEN status = 'PENDING_VALIDATION' AND validation_deadline <> 0 "                         \
	"AND validation_deadline <= ? THEN 'VALIDATION_TIMED_OUT' ELSE status END"

/* Fills c from a row selected as KEY, DATA, IN_USE[, BLOB] columns. */
void store_acm_read(sqlite3_stmt *stmt, struct store_acm_cert *c, bool with_material);

/* The page query store_acm_cert_list runs for this filter and cursor (owned;
 * NULL when out of memory). Exposed so a test can EXPLAIN it. */
char *store_acm_list_sql(const struct store_acm_filter *f, const char *after_id, bool bounded);

/* The search columns derived from a record on every write (acm_search.c):
 * the RenewalStatus of renewal_json into renewal_status (size bytes), and the
 * DNS names of names_json as "\n<name>\n<name>\n", lowercase (owned; "" when
 * none; NULL when out of memory). */
char *store_acm_search_derive(const struct store_acm_cert *c, char *renewal_status, size_t size);

/* The page query store_acm_cert_search runs (owned; NULL when out of memory
 * or over the size cap). Exposed so a test can EXPLAIN it. */
char *store_acm_search_sql(const struct store_acm_search *q);

/* The lifecycle scan's work-list query (acm_due.c), exposed so a test can
 * EXPLAIN it. */
extern const char store_acm_due_sql[];

#endif
