/* store.h: the one interface to persistence. Everything that is kept goes
 * through here; only src/store/ writes SQL. Every resource query is scoped by
 * account. Connections are per thread (opened lazily), so callers just pass
 * the store handle. Records are plain structs; strings in them are owned by
 * the struct and released by its _clear function. */
#ifndef CERTAIN_STORE_STORE_H
#define CERTAIN_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct store;

/* Opens (creating when asked) the database at path and applies migrations. */
struct store *store_open(const char *path, bool create, struct cm_err *err);
/* Once every other thread using st has stopped: their connections' commits
 * wake the store's checkpoint thread, which this stops. */
void store_close(struct store *st);

/* Transactions on the calling thread's connection. begin takes the write lock
 * at once (BEGIN IMMEDIATE) so a transaction never fails half-way on a lock. */
int store_begin(struct store *st, struct cm_err *err);
int store_commit(struct store *st, struct cm_err *err);
void store_rollback(struct store *st);

/* A step inside the calling thread's write transaction (store_begin): kept
 * by store_step_keep, or undone alone by store_step_undo while the
 * transaction goes on. Lets a batch of independent changes share one commit
 * (one sync) without one failure undoing the others. Not nested. */
int store_step_begin(struct store *st, struct cm_err *err);
int store_step_keep(struct store *st, struct cm_err *err);
void store_step_undo(struct store *st);

/* A read scope on the calling thread's connection: the reads up to
 * store_read_end share one snapshot and one read transaction instead of
 * opening one each (SQLite's begin and end of a read transaction cost more
 * than a keyed lookup: a third of a DescribeCertificate's store time). For
 * requests that only read; a write inside it (store_begin, or any statement
 * that is not read-only) ends the scope first, so a write is never held back
 * or refused by it. Not nested. */
int store_read_begin(struct store *st, struct cm_err *err);
void store_read_end(struct store *st);

/* --- accounts and access keys ------------------------------------------- */

int store_account_create(struct store *st, const char *account_id, int64_t now,
			 struct cm_err *err);
bool store_account_exists(struct store *st, const char *account_id);

struct store_access_key {
	char access_key_id[32];
	char account_id[16];
	unsigned char *secret_sealed; /* sealed by keystore; owned */
	size_t secret_sealed_len;
	int64_t created_at;
};
void store_access_key_clear(struct store_access_key *k);

int store_access_key_create(struct store *st, const struct store_access_key *k,
			    struct cm_err *err);
/* CM_ERR_NOT_FOUND when unknown. */
int store_access_key_get(struct store *st, const char *access_key_id, struct store_access_key *out,
			 struct cm_err *err);
int store_access_key_delete(struct store *st, const char *access_key_id, struct cm_err *err);
/* Calls fn for every key (secret not loaded), oldest first. */
int store_access_key_list(struct store *st,
			  void (*fn)(void *ctx, const struct store_access_key *k), void *ctx,
			  struct cm_err *err);

/* --- certificate authorities -------------------------------------------- */

struct store_ca {
	char id[40];         /* uuid */
	char account_id[16];
	char type[16];       /* ROOT | SUBORDINATE */
	char status[24];     /* stored status; EXPIRED is derived by pca/ */
	char prior_status[24]; /* status to return to on restore ("" when none) */
	char usage_mode[32];
	char key_storage[48];
	char key_alg[24];
	char sig_alg[24];
	char *config_json;     /* CertificateAuthorityConfiguration as given */
	char *revocation_json; /* RevocationConfiguration, normalised */
	unsigned char *key_sealed;
	size_t key_sealed_len;
	char *csr_pem;
	unsigned char *cert_der; /* NULL until a CA certificate is imported */
	size_t cert_der_len;
	char *chain_pem;       /* parent first, root last; NULL for a root */
	char serial_dec[64];
	int64_t not_before, not_after;
	int64_t created_at, last_state_change_at;
	int64_t restorable_until; /* 0 unless DELETED */
};
void store_ca_clear(struct store_ca *ca);

int store_ca_insert(struct store *st, const struct store_ca *ca, struct cm_err *err);
/* CM_ERR_NOT_FOUND when absent or of another account. */
int store_ca_get(struct store *st, const char *account_id, const char *ca_id, struct store_ca *out,
		 struct cm_err *err);
/* Writes status, prior_status, last_state_change_at and restorable_until. */
int store_ca_update_state(struct store *st, const struct store_ca *ca, struct cm_err *err);
/* Writes the CA certificate, chain, serial and validity. */
int store_ca_update_cert(struct store *st, const struct store_ca *ca, struct cm_err *err);
int store_ca_update_revocation(struct store *st, const struct store_ca *ca, struct cm_err *err);
/* Removes the CA record (its issued-certificate history stays for audit). */
int store_ca_delete(struct store *st, const char *account_id, const char *ca_id,
		    struct cm_err *err);
/* Pages CAs of an account in (created_at, id) order after the cursor
 * (after_created_at, after_id; after_id "" = from the start). Returns the
 * number of rows passed to fn, -1 on error. */
int store_ca_list(struct store *st, const char *account_id, int64_t after_created_at,
		  const char *after_id, int limit,
		  void (*fn)(void *ctx, const struct store_ca *ca), void *ctx, struct cm_err *err);
int store_ca_count(struct store *st, const char *account_id, struct cm_err *err);

/* --- CA tags ------------------------------------------------------------- */

struct store_tag {
	char *key;
	char *value;
};

/* All tags of a CA ordered by key; *out is an owned array freed with store_tags_free. */
int store_ca_tags_get(struct store *st, const char *ca_id, struct store_tag **out, size_t *n,
		      struct cm_err *err);
void store_tags_free(struct store_tag *tags, size_t n);
int store_ca_tag_put(struct store *st, const char *ca_id, const char *key, const char *value,
		     struct cm_err *err);
/* value NULL removes the key whatever its value; otherwise only on match. */
int store_ca_tag_delete(struct store *st, const char *ca_id, const char *key, const char *value,
			struct cm_err *err);

/* --- issued certificates ------------------------------------------------- */

struct store_cert {
	char ca_id[40];
	char serial[48];        /* lowercase hex, no colons */
	char account_id[16];
	char template_arn[160];
	char requester[64];
	unsigned char *der;     /* NULL: a serial reserved by the two-commit issuing
				 * of earlier versions, never filled in (a crash) */
	size_t der_len;
	int64_t not_before, not_after, issued_at;
	int64_t revoked_at;     /* 0 = not revoked */
	char revocation_reason[40];
};
void store_cert_clear(struct store_cert *c);

/* An idempotency token and the result it names, stored with that result.
 * Two requests with one token may both find no token before they start; the
 * one that writes second must find the first's token in its own
 * transaction (where the write lock makes the look final), answer its
 * result and store nothing of its own. */
struct store_idempotency {
	const char *account_id;
	const char *scope;
	const char *token;
	const char *result;
	int64_t created_at;
	int64_t not_before; /* a token stored before this has expired */
	char *winner;	    /* out: the result of a live token found at the write */
	size_t winner_size;
};

/* Stores an issued certificate and, when idem is not NULL, the idempotency
 * record naming it: one durable commit (or part of the caller's transaction).
 * The (ca, serial) primary key makes a duplicate impossible: CM_ERR_CONFLICT
 * with idem->winner left "" tells the caller to discard what it signed and
 * draw another serial; CM_ERR_CONFLICT with idem->winner set, that a live
 * token was found and nothing was stored. */
int store_cert_insert(struct store *st, const struct store_cert *c,
		      const struct store_idempotency *idem, struct cm_err *err);
/* CM_ERR_NOT_FOUND when that CA never issued that serial. */
int store_cert_get(struct store *st, const char *ca_id, const char *serial, struct store_cert *out,
		   struct cm_err *err);
int store_cert_revoke(struct store *st, const char *ca_id, const char *serial, int64_t when,
		      const char *reason, struct cm_err *err);

/* --- idempotency tokens -------------------------------------------------- */

/* Finds a result recorded for (account, scope, token) at or after not_before.
 * Returns 1 and fills result when found, 0 when not, -1 on error. */
int store_idempotency_get(struct store *st, const char *account_id, const char *scope,
			  const char *token, int64_t not_before, char *result, size_t size,
			  struct cm_err *err);
/* Records (or refreshes an expired) token → result. */
int store_idempotency_put(struct store *st, const char *account_id, const char *scope,
			  const char *token, const char *result, int64_t now, struct cm_err *err);
/* Inside the caller's write transaction: 1 when a live token is there
 * already (its result copied into idem->winner; nothing written), else
 * records idem and returns 0; -1 on error. */
int store_idempotency_claim(struct store *st, const struct store_idempotency *idem,
			    struct cm_err *err);

/* --- ACM certificates ---------------------------------------------------- */

/* One ACM certificate (spec acm.md §4). Text fields hold the AWS enum
 * spellings; "" means absent. The stored status is what acm/ last decided;
 * two statuses are read, not stored (see store_acm_effective_status). */
struct store_acm_cert {
	char id[40];		  /* uuid: the ARN suffix */
	char account_id[16];
	char type[16];		  /* IMPORTED | AMAZON_ISSUED | PRIVATE */
	char status[24];	  /* PENDING_VALIDATION | ISSUED | FAILED | REVOKED, or EXPIRED
				     once the expiry scan has seen it */
	char failure_reason[40];
	char domain_name[256];
	char *names_json;	  /* JSON array of every name, DomainName first (owned) */
	char key_alg[24];	  /* KeyAlgorithm */
	char ca_arn[256];	  /* PRIVATE: the issuing CA's ARN */
	char validation_method[8];/* public: DNS | EMAIL */
	char *validation_json;	  /* public: JSON object name → ValidationDomain (owned, may be NULL) */
	char ct_logging[12];	  /* CertificateTransparencyLoggingPreference */
	char export_option[12];	  /* CertificateExport */
	char managed_by[16];
	unsigned char *key_sealed; /* keystore blob; NULL until there is a key */
	size_t key_sealed_len;
	unsigned char *cert_der;  /* NULL until issued or imported */
	size_t cert_der_len;
	char *chain_pem;	  /* issuer first … root; NULL when none */
	char serial[80];	  /* colon hex */
	char *subject;		  /* RFC 4514 (owned) */
	char *issuer;		  /* short issuer name (owned) */
	char sig_alg[24];
	unsigned key_usage;	  /* enum x509_ku bits */
	unsigned eku_bits;	  /* enum x509_eku_bit */
	char *eku_json;		  /* [{"Name":…,"OID":…}] as Describe shows it (owned) */
	int64_t not_before, not_after;
	int64_t created_at, issued_at, imported_at, revoked_at; /* 0 = absent */
	int64_t validation_deadline; /* PENDING_VALIDATION reads VALIDATION_TIMED_OUT from here; 0 = never */
	char revocation_reason[32];
	bool exported;		  /* exported since issue or last renewal */
	char *renewal_json;	  /* {"RenewalStatus","RenewalStatusReason","UpdatedAt"}; NULL = no renewal yet */
	int64_t resent_at;	  /* last ResendValidationEmail */
	bool in_use;		  /* read only: InUseBy is not empty */
	int64_t revision;	  /* read only: counts updates (see store_acm_cert_update) */
	char subject_cn[256];	  /* first subject CN (UTF-8, cut at 255 bytes); "" when none */
	char renewal_status[24];  /* read only: RenewalStatus of renewal_json ("" when none),
				     derived by the store on write so searches can match it */
	/* The lifecycle scan's bookkeeping (migration 4), written by acm/ and
	 * lifecycle/ like any other field. */
	int64_t scan_due_at;	  /* when the scan must next look at it (ISSUED only; 0 = now) */
	int64_t expiry_warned_day; /* UTC day (time / 86400) of the last Approaching Expiration
				      event; 0 = never */
	int action_required_days; /* the last of the 45/30/15/3/1 marks a Renewal Action Required
				     event was sent for; 0 = none since issue or last renewal */
	bool material_omitted;	  /* read only: read by store_acm_cert_get_summary, so
				     key_sealed, cert_der and chain_pem are NULL for want of
				     reading, and store_acm_cert_update leaves them as stored */
};
void store_acm_cert_clear(struct store_acm_cert *c);

/* The status a reader sees: ISSUED past not_after reads EXPIRED, and
 * PENDING_VALIDATION past a non-zero validation_deadline reads
 * VALIDATION_TIMED_OUT; anything else as stored. The list filter applies the
 * same rule in SQL so a page and a Describe always agree. */
const char *store_acm_effective_status(const struct store_acm_cert *c, int64_t now);

int store_acm_cert_insert(struct store *st, const struct store_acm_cert *c, struct cm_err *err);
/* CM_ERR_NOT_FOUND when absent or of another account. */
int store_acm_cert_get(struct store *st, const char *account_id, const char *id,
		       struct store_acm_cert *out, struct cm_err *err);
/* The same without the material (key_sealed, cert_der and chain_pem, left
 * NULL): what a description or the expiry scan needs, without the part that
 * makes most of a certificate's bytes (kept in a table of its own, migration
 * 12). store_acm_cert_update of a record read this way leaves the material
 * as stored. */
int store_acm_cert_get_summary(struct store *st, const char *account_id, const char *id,
			       struct store_acm_cert *out, struct cm_err *err);
/* Rewrites every column but id, account_id and created_at (the material
 * too, unless c->material_omitted), if the row is still at c->revision
 * (as read): CM_ERR_CONFLICT when another update came
 * first, CM_ERR_NOT_FOUND when the row is gone (deleted meanwhile). */
int store_acm_cert_update(struct store *st, const struct store_acm_cert *c, struct cm_err *err);
/* The same, for the lifecycle scan's daily step: writes only scan_due_at,
 * expiry_warned_day and action_required_days. SQLite rewrites every index
 * whose columns an UPDATE names, so the whole-row update moved three index
 * entries per certificate that a warning never changes. */
int store_acm_cert_update_scan(struct store *st, const struct store_acm_cert *c,
			       struct cm_err *err);
/* Sets only the exported flag, so an export never writes back stale material. */
int store_acm_cert_mark_exported(struct store *st, const char *account_id, const char *id,
				 struct cm_err *err);
/* The lifecycle scan's work list: ISSUED certificates (every account) whose
 * scan_due_at <= now, in (scan_due_at, id) order strictly after the cursor
 * (after_id "" = from the start), through the index (status, scan_due_at, id),
 * so a pass reads only what is due. *out owned (free()). */
struct store_acm_due {
	char id[40];
	char account_id[16];
	int64_t scan_due_at;
};
int store_acm_due_list(struct store *st, int64_t now, int64_t after_due, const char *after_id,
		       int limit, struct store_acm_due **out, size_t *n, struct cm_err *err);
/* Makes an account's ISSUED certificates expiring at or before until due now
 * (a changed DaysBeforeExpiry applies at the next pass); counts as an update
 * of each row (revision). */
int store_acm_due_reset(struct store *st, const char *account_id, int64_t until,
			struct cm_err *err);
/* Removes the certificate, its tags, usages and history rows. */
int store_acm_cert_delete(struct store *st, const char *account_id, const char *id,
			  struct cm_err *err);

/* ListCertificates filters; every list is OR-ed inside, filters AND-ed.
 * Empty lists (n = 0) and zero masks do not filter. */
struct store_acm_filter {
	int64_t now;		     /* for the read statuses */
	const char *const *statuses; /* effective statuses */
	size_t n_statuses;
	const char *const *key_algs;
	size_t n_key_algs;
	unsigned eku_any; /* enum x509_eku_bit: certificate has any of these */
	unsigned ku_any;  /* enum x509_ku: certificate has any of these */
	const char *export_option; /* NULL = any */
	const char *managed_by;	   /* NULL = any */
	bool descending;	   /* by (created_at, id) */
	int max_examined;	   /* look at no more rows than this (0 = no limit) */
};

/* Where a page stopped looking when it reached max_examined rows. */
struct store_acm_window {
	bool capped; /* false: every row after the cursor was looked at */
	int64_t end_created_at;
	char end_id[40];
};

/* Pages an account's certificates in (created_at, id) order (or reverse)
 * strictly after the cursor (after_id "" = from the start), through the index
 * (account_id, created_at, id). fn gets each matching row (key and
 * certificate DER not loaded). A filter that matches few rows would walk the
 * whole account to fill a page; f->max_examined bounds that walk, and *window
 * (may be NULL) says where it stopped, so the next page starts there (AWS
 * pages may be short too). Returns the number of rows passed to fn, -1 on error. */
int store_acm_cert_list(struct store *st, const char *account_id,
			const struct store_acm_filter *f, int64_t after_created_at,
			const char *after_id, int limit,
			void (*fn)(void *ctx, const struct store_acm_cert *c), void *ctx,
			struct store_acm_window *window, struct cm_err *err);

/* Tags of an ACM certificate: same rules as the CA tag functions above. */
int store_acm_tags_get(struct store *st, const char *cert_id, struct store_tag **out, size_t *n,
		       struct cm_err *err);
int store_acm_tag_put(struct store *st, const char *cert_id, const char *key, const char *value,
		      struct cm_err *err);
int store_acm_tag_delete(struct store *st, const char *cert_id, const char *key,
			 const char *value, struct cm_err *err);

/* InUseBy: what uses a certificate (deployment targets). The list is an
 * owned array of owned strings, sorted; free with store_strings_free. */
int store_acm_usage_add(struct store *st, const char *cert_id, const char *user,
			struct cm_err *err);
int store_acm_usage_remove(struct store *st, const char *cert_id, const char *user,
			   struct cm_err *err);
int store_acm_usage_list(struct store *st, const char *cert_id, char ***out, size_t *n,
			 struct cm_err *err);
void store_strings_free(char **s, size_t n);

/* The certificates a renewal or reimport replaced, kept so that they can still
 * be revoked and audited. */
struct store_acm_history {
	char cert_id[40];
	char serial[80];  /* colon hex */
	char ca_arn[256]; /* "" for imported */
	int64_t not_before, not_after, replaced_at;
};
int store_acm_history_add(struct store *st, const struct store_acm_history *h,
			  struct cm_err *err);
/* Oldest first; *out owned (free()). */
int store_acm_history_list(struct store *st, const char *cert_id, struct store_acm_history **out,
			   size_t *n, struct cm_err *err);

/* SearchCertificates (spec acm.md §5.14): a filter tree turned into one
 * parameterised WHERE clause. AND/OR have children[0..n_children-1], NOT has
 * children[0]; every other kind is a leaf matching one field. Text is
 * borrowed; the tree is the caller's (acm/ bounds its depth and size). */
enum store_acm_search_kind {
	STORE_ACM_SEARCH_AND,
	STORE_ACM_SEARCH_OR,
	STORE_ACM_SEARCH_NOT,
	STORE_ACM_SEARCH_NOTHING,	   /* matches no certificate */
	STORE_ACM_SEARCH_ID,		   /* text: the certificate id */
	STORE_ACM_SEARCH_COMMON_NAME,	   /* text, contains; ASCII case-blind */
	STORE_ACM_SEARCH_DNS_NAME,	   /* text, contains; any DNS name, ASCII case-blind */
	STORE_ACM_SEARCH_EKU,		   /* bits: enum x509_eku_bit, any of them */
	STORE_ACM_SEARCH_KEY_USAGE,	   /* bits: enum x509_ku, any of them */
	STORE_ACM_SEARCH_KEY_ALG,	   /* text */
	STORE_ACM_SEARCH_SERIAL,	   /* text: colon hex */
	STORE_ACM_SEARCH_NOT_AFTER,	   /* start..end inclusive; only with material */
	STORE_ACM_SEARCH_NOT_BEFORE,	   /* start..end inclusive; only with material */
	STORE_ACM_SEARCH_STATUS,	   /* text: the effective status */
	STORE_ACM_SEARCH_RENEWAL_STATUS,   /* text */
	STORE_ACM_SEARCH_TYPE,		   /* text */
	STORE_ACM_SEARCH_IN_USE,	   /* flag */
	STORE_ACM_SEARCH_EXPORTED,	   /* flag */
	STORE_ACM_SEARCH_EXPORT_OPTION,	   /* text */
	STORE_ACM_SEARCH_MANAGED_BY,	   /* text */
	STORE_ACM_SEARCH_VALIDATION_METHOD, /* text */
};

struct store_acm_search_node {
	enum store_acm_search_kind kind;
	struct store_acm_search_node *children;
	size_t n_children;
	const char *text;
	bool contains;	     /* COMMON_NAME/DNS_NAME: substring, else whole value */
	bool flag;
	unsigned bits;
	int64_t start, end;  /* NOT_AFTER/NOT_BEFORE */
};

/* SearchCertificatesSortBy, in the model's order. */
enum store_acm_sort {
	STORE_ACM_SORT_CREATED_AT,
	STORE_ACM_SORT_NOT_AFTER,
	STORE_ACM_SORT_STATUS,
	STORE_ACM_SORT_RENEWAL_STATUS,
	STORE_ACM_SORT_EXPORTED,
	STORE_ACM_SORT_IN_USE,
	STORE_ACM_SORT_NOT_BEFORE,
	STORE_ACM_SORT_KEY_ALGORITHM,
	STORE_ACM_SORT_TYPE,
	STORE_ACM_SORT_CERTIFICATE_ARN,
	STORE_ACM_SORT_COMMON_NAME,
	STORE_ACM_SORT_REVOKED_AT,
	STORE_ACM_SORT_RENEWAL_ELIGIBILITY,
	STORE_ACM_SORT_ISSUED_AT,
	STORE_ACM_SORT_MANAGED_BY,
	STORE_ACM_SORT_EXPORT_OPTION,
	STORE_ACM_SORT_VALIDATION_METHOD,
	STORE_ACM_SORT_IMPORTED_AT,
	STORE_ACM_SORT__COUNT,
};

/* The value a row sorts by: text for text keys (store_acm_sort_is_text),
 * else num. A page's last key (with its id) is where the next page starts. */
struct store_acm_sort_key {
	int64_t num;
	char text[256];
};
bool store_acm_sort_is_text(enum store_acm_sort sort);

struct store_acm_search {
	int64_t now;				   /* for the read statuses */
	const struct store_acm_search_node *filter; /* NULL: every certificate */
	enum store_acm_sort sort;
	bool descending;
	const char *after_id;			   /* NULL or "": from the start */
	struct store_acm_sort_key after;	   /* with after_id: the last row's key */
};

/* One page of an account's certificates matching q->filter, in (sort key, id)
 * order (or reverse) strictly after (q->after, q->after_id). fn gets each row
 * with cert_der loaded (never the sealed key) and its sort key. Returns the
 * number of rows passed to fn, -1 on error. */
int store_acm_cert_search(struct store *st, const char *account_id,
			  const struct store_acm_search *q, int limit,
			  void (*fn)(void *ctx, const struct store_acm_cert *c,
				     const struct store_acm_sort_key *key),
			  void *ctx, struct cm_err *err);

/* --- account configuration ---------------------------------------------- */

/* ExpiryEvents.DaysBeforeExpiry of an account: 1 when set (*days filled), 0
 * when never set, -1 on error. */
int store_account_days_before_expiry(struct store *st, const char *account_id, int *days,
				     struct cm_err *err);
int store_account_set_days_before_expiry(struct store *st, const char *account_id, int days,
					 struct cm_err *err);

/* --- events: targets, the outbox and its deliveries ---------------------- */

/* Where an account's events go (issue: lifecycle). */
struct store_event_target {
	char id[40];		   /* uuid */
	char account_id[16];
	char kind[12];		   /* webhook | command */
	char *endpoint;		   /* URL, or absolute path of the command (owned) */
	unsigned char *secret_sealed; /* webhook HMAC secret, sealed by keystore (owned; NULL for commands) */
	size_t secret_sealed_len;
	int64_t created_at;
};
void store_event_target_clear(struct store_event_target *t);
int store_event_target_add(struct store *st, const struct store_event_target *t,
			   struct cm_err *err);
/* CM_ERR_NOT_FOUND when absent or of another account. */
int store_event_target_get(struct store *st, const char *account_id, const char *id,
			   struct store_event_target *out, struct cm_err *err);
int store_event_target_delete(struct store *st, const char *account_id, const char *id,
			      struct cm_err *err);
/* Oldest first; *out owned (each cleared, then free()). */
int store_event_target_list(struct store *st, const char *account_id,
			    struct store_event_target **out, size_t *n, struct cm_err *err);

/* One event, in the EventBridge shape of spec acm.md §7. */
struct store_event {
	char id[40];	       /* uuid: also the event's "id" */
	char account_id[16];
	char detail_type[64];  /* e.g. "ACM Certificate Available" */
	char resource[256];    /* the certificate ARN */
	char *body;	       /* the whole event JSON (owned) */
	int64_t created_at;
};
void store_event_clear(struct store_event *e);

/* The outbox: records the event and one PENDING delivery (due at created_at)
 * for every target the account has now. Call it inside the transaction of the
 * change that caused the event, so both commit or neither does. */
int store_event_add(struct store *st, const struct store_event *e, struct cm_err *err);

/* One event by id; CM_ERR_NOT_FOUND when absent or of another account. */
int store_event_get(struct store *st, const char *account_id, const char *id,
		    struct store_event *out, struct cm_err *err);

/* An account's events created at or after since, in (created_at, id) order
 * after the cursor (after_id "" = from the start). Returns rows passed to fn. */
int store_event_list(struct store *st, const char *account_id, int64_t since,
		     int64_t after_created_at, const char *after_id, int limit,
		     void (*fn)(void *ctx, const struct store_event *e), void *ctx,
		     struct cm_err *err);

/* The delivery of one event to one target. */
struct store_delivery {
	char event_id[40];
	char target_id[40];
	char account_id[16];
	char state[12];		/* PENDING | DELIVERED | DEAD */
	int attempts;
	int64_t next_attempt_at;
	int64_t delivered_at;	/* 0 until delivered */
	char last_error[256];
};

/* Claims up to limit PENDING deliveries due at now (next_attempt_at <= now),
 * oldest first, by moving their next_attempt_at to now + lease, so that a
 * second worker (or a second server) does not take them meanwhile. *out owned
 * (free()). */
int store_delivery_claim(struct store *st, int64_t now, int64_t lease, int limit,
			 struct store_delivery **out, size_t *n, struct cm_err *err);
/* Writes the outcome of an attempt (state, attempts, next_attempt_at,
 * delivered_at, last_error). */
int store_delivery_update(struct store *st, const struct store_delivery *d, struct cm_err *err);
/* The deliveries of one event (any target), for listings. *out owned (free()). */
int store_delivery_list_event(struct store *st, const char *account_id, const char *event_id,
			      struct store_delivery **out, size_t *n, struct cm_err *err);
/* An account's deliveries in state (e.g. DEAD: the dead-letter list), oldest
 * first, after the cursor (event_id, target_id; "" = from the start). */
int store_delivery_list_state(struct store *st, const char *account_id, const char *state,
			      const char *after_event_id, const char *after_target_id, int limit,
			      struct store_delivery **out, size_t *n, struct cm_err *err);
/* Replay: a DEAD delivery of the account back to PENDING, due at now, attempts
 * reset. CM_ERR_NOT_FOUND when there is no such DEAD delivery. */
int store_delivery_replay(struct store *st, const char *account_id, const char *event_id,
			  const char *target_id, int64_t now, struct cm_err *err);

/* --- revocation: CRL numbers, revoked lists, OCSP status (issue 7) -------- */

/* The CRL a CA last published: its number and times (0 until published). */
struct store_crl {
	char ca_id[40];
	uint64_t number;
	int64_t this_update, next_update;
};
/* Hands out the CA's next CRLNumber: above every number handed out before
 * and at least floor (AWS numbers CRLs by millisecond time). Recorded in the
 * same statement, so a crash or two writers never reuse a number. */
int store_crl_next_number(struct store *st, const char *ca_id, uint64_t floor, uint64_t *out,
			  struct cm_err *err);
/* Records that the CRL numbered number was published. */
int store_crl_set_published(struct store *st, const char *ca_id, uint64_t number,
			    int64_t this_update, int64_t next_update, struct cm_err *err);
/* CM_ERR_NOT_FOUND when the CA never had a number. */
int store_crl_get(struct store *st, const char *ca_id, struct store_crl *out, struct cm_err *err);

/* One revoked certificate (borrowed strings, valid during the callback). */
struct store_revoked {
	const char *serial;
	int64_t revoked_at;
	const char *reason;
	int64_t not_after;
};
/* Calls fn for every revoked certificate of the CA whose not_after is later
 * than not_after_min (INT64_MIN: all), through the index (ca_id, revoked_at).
 * Returns the number of rows, -1 on error. */
int store_cert_revoked_each(struct store *st, const char *ca_id, int64_t not_after_min,
			    void (*fn)(void *ctx, const struct store_revoked *r), void *ctx,
			    struct cm_err *err);
/* What OCSP needs of one serial, without its DER: revoked_at (0 = not
 * revoked) and reason. CM_ERR_NOT_FOUND when the CA never issued it (a serial
 * only reserved counts as never issued). */
int store_cert_status(struct store *st, const char *ca_id, const char *serial,
		      int64_t *revoked_at, char *reason, size_t reason_size, struct cm_err *err);

/* Every CA of every account (id, account and revocation configuration only),
 * in id order after after_id ("" = from the start), for the publishers that
 * serve all accounts. Returns rows passed to fn, -1 on error. */
struct store_ca_ref {
	char id[40];
	char account_id[16];
	const char *revocation_json; /* borrowed */
};
int store_ca_scan(struct store *st, const char *after_id, int limit,
		  void (*fn)(void *ctx, const struct store_ca_ref *ca), void *ctx,
		  struct cm_err *err);


/* --- deployment targets, associations, deployments, redeploy jobs -------- */

/* Where a certificate is served (issue 6). The specification (kind, paths,
 * modes, reload command, check address) is JSON that deploy/ validates and
 * reads; the store keeps it as given. */
struct store_deploy_target {
	char id[40];	      /* uuid */
	char account_id[16];
	char *spec_json;      /* owned */
	int64_t created_at, updated_at;
	char cert_id[40];     /* the associated certificate, "" when none (read only) */
};
void store_deploy_target_clear(struct store_deploy_target *t);
int store_deploy_target_add(struct store *st, const struct store_deploy_target *t,
			    struct cm_err *err);
/* CM_ERR_NOT_FOUND when absent or of another account. */
int store_deploy_target_get(struct store *st, const char *account_id, const char *id,
			    struct store_deploy_target *out, struct cm_err *err);
/* Writes spec_json and updated_at. */
int store_deploy_target_update(struct store *st, const struct store_deploy_target *t,
			       struct cm_err *err);
/* Removes the target, its jobs and its association (not its deployment
 * records: they stay for audit). CM_ERR_NOT_FOUND when absent. */
int store_deploy_target_delete(struct store *st, const char *account_id, const char *id,
			       struct cm_err *err);
/* Pages an account's targets in (created_at, id) order after the cursor
 * (after_id "" = from the start). Returns rows passed to fn, -1 on error. */
int store_deploy_target_list(struct store *st, const char *account_id, int64_t after_created_at,
			     const char *after_id, int limit,
			     void (*fn)(void *ctx, const struct store_deploy_target *t), void *ctx,
			     struct cm_err *err);
int store_deploy_target_count(struct store *st, const char *account_id, struct cm_err *err);

/* Associates cert_id with the target; CM_ERR_CONFLICT when the target already
 * has a certificate (one per target). Call in the transaction that also adds
 * the InUseBy entry (store_acm_usage_add). */
int store_deploy_assoc_add(struct store *st, const char *account_id, const char *target_id,
			   const char *cert_id, int64_t now, struct cm_err *err);
/* CM_ERR_NOT_FOUND when the target has no certificate. */
int store_deploy_assoc_remove(struct store *st, const char *account_id, const char *target_id,
			      struct cm_err *err);

/* One deployment of a certificate to a target, as it ended. */
struct store_deployment {
	char id[40];
	char account_id[16];
	char target_id[40];
	char cert_id[40];
	char serial[80];	/* colon hex, as DescribeCertificate shows it */
	char trigger[16];	/* ASSOCIATE | RENEWAL | REIMPORT | UPDATE | ... */
	int64_t started_at, finished_at;
	char result[16];	/* SUCCEEDED | FAILED | ROLLED_BACK */
	char error[512];	/* "" on success */
};
int store_deployment_add(struct store *st, const struct store_deployment *d, struct cm_err *err);
/* A target's deployments newest first, through (target_id, started_at, id),
 * strictly before the cursor (after_id "" = from the newest). */
int store_deployment_list(struct store *st, const char *account_id, const char *target_id,
			  int64_t before_started_at, const char *before_id, int limit,
			  void (*fn)(void *ctx, const struct store_deployment *d), void *ctx,
			  struct cm_err *err);

/* A redeploy waiting for the deploy worker: one per target at most (a newer
 * reason replaces an older one, which would deploy the same certificate). */
struct store_deploy_job {
	char target_id[40];
	char cert_id[40];
	char account_id[16];
	char reason[16];
	int attempts;
	int64_t next_attempt_at;
	char last_error[256];
};
/* Enqueues a job, due at now, for every target cert_id is associated with.
 * Call inside the transaction of the renewal or reimport, so that a crash
 * after it commits still deploys. */
int store_deploy_jobs_enqueue_cert(struct store *st, const char *cert_id, const char *reason,
				   int64_t now, struct cm_err *err);
/* Enqueues a job for one target, if it has a certificate. */
int store_deploy_job_enqueue_target(struct store *st, const char *target_id, const char *reason,
				    int64_t now, struct cm_err *err);
/* Claims up to limit due jobs (next_attempt_at <= now) by moving their
 * next_attempt_at to now + lease. *out owned (free()). */
int store_deploy_job_claim(struct store *st, int64_t now, int64_t lease, int limit,
			   struct store_deploy_job **out, size_t *n, struct cm_err *err);
/* Removes a finished job, only if it still is for cert_id and was not
 * enqueued again meanwhile (attempts and next_attempt_at as claimed). */
int store_deploy_job_done(struct store *st, const struct store_deploy_job *j, struct cm_err *err);
/* Writes attempts, next_attempt_at and last_error of a job to retry. */
int store_deploy_job_retry(struct store *st, const struct store_deploy_job *j, struct cm_err *err);

/* --- audit reports, permissions, resource policies (issue 7) ------------ */

struct store_audit_report {
	char id[40];	      /* uuid: AuditReportId */
	char ca_id[40];
	char account_id[16];  /* the CA's (and the requester's) account */
	char bucket[64];      /* S3BucketName: a folder under the data folder */
	char s3_key[160];     /* audit-report/<ca id>/<id>.<json|csv> */
	char format[8];	      /* JSON | CSV */
	char status[16];      /* CREATING | SUCCESS | FAILED */
	int64_t created_at;
};
int store_audit_insert(struct store *st, const struct store_audit_report *r, struct cm_err *err);
int store_audit_set_status(struct store *st, const char *id, const char *status,
			   struct cm_err *err);
/* CM_ERR_NOT_FOUND unless that report belongs to that CA. */
int store_audit_get(struct store *st, const char *ca_id, const char *id,
		    struct store_audit_report *out, struct cm_err *err);
/* created_at of the CA's newest report (0 when none), through (ca_id, created_at). */
int store_audit_last(struct store *st, const char *ca_id, int64_t *created_at,
		     struct cm_err *err);

/* One issued certificate as an audit report lists it (borrowed fields, valid
 * during the callback; der may be NULL for a serial only reserved). */
struct store_cert_row {
	const char *serial; /* lowercase hex */
	const char *account_id;
	const char *template_arn;
	const char *requester;
	const unsigned char *der;
	size_t der_len;
	int64_t not_before, not_after, issued_at, revoked_at;
	const char *revocation_reason;
};
/* Streams every certificate the CA issued in serial order through the
 * (ca_id, serial) key, one row in memory at a time; fn returns non-zero to
 * stop (that value is returned). Returns 0, or -1 on error. */
int store_cert_each(struct store *st, const char *ca_id,
		    int (*fn)(void *ctx, const struct store_cert_row *row), void *ctx,
		    struct cm_err *err);

/* A permission for a service principal on a CA (CreatePermission). */
struct store_permission {
	char ca_id[40];
	char principal[132];
	char source_account[16];
	char actions[64]; /* comma-separated ActionType names */
	int64_t created_at;
};
/* CM_ERR_CONFLICT when (ca, principal, source account) already has one. */
int store_permission_insert(struct store *st, const struct store_permission *p,
			    struct cm_err *err);
/* CM_ERR_NOT_FOUND when there is none. */
int store_permission_delete(struct store *st, const char *ca_id, const char *principal,
			    const char *source_account, struct cm_err *err);
/* The permission of (ca, principal, source account) into *out, or
 * CM_ERR_NOT_FOUND when there is none (a primary-key lookup). */
int store_permission_get(struct store *st, const char *ca_id, const char *principal,
			 const char *source_account, struct store_permission *out,
			 struct cm_err *err);
/* Pages a CA's permissions in (principal, source_account) order strictly after
 * the cursor (after_principal NULL = from the start). Returns rows passed to
 * fn, -1 on error. */
int store_permission_list(struct store *st, const char *ca_id, const char *after_principal,
			  const char *after_source, int limit,
			  void (*fn)(void *ctx, const struct store_permission *p), void *ctx,
			  struct cm_err *err);

/* A CA's delegated OCSP responder (issue 7). */
struct store_ocsp_signer {
	char ca_id[40];
	unsigned char *cert_der; /* owned */
	size_t cert_der_len;
	unsigned char *key_sealed; /* owned: keystore_seal_key blob */
	size_t key_sealed_len;
	int64_t not_after;
};
void store_ocsp_signer_clear(struct store_ocsp_signer *s);
/* CM_ERR_NOT_FOUND when the CA has none. */
int store_ocsp_signer_get(struct store *st, const char *ca_id, struct store_ocsp_signer *out,
			  struct cm_err *err);
/* Inserts or replaces the CA's. */
int store_ocsp_signer_put(struct store *st, const struct store_ocsp_signer *s, struct cm_err *err);

/* The CA's resource policy text (owned) or CM_ERR_NOT_FOUND. */
int store_policy_get(struct store *st, const char *ca_id, char **policy, struct cm_err *err);
/* Inserts or replaces the CA's policy. */
int store_policy_put(struct store *st, const char *ca_id, const char *policy, int64_t now,
		     struct cm_err *err);
/* Replaces the accounts the CA's policy names in its Allow statements (12
 * digits, or "*"; n 0: none). Call in the transaction of the policy change. */
int store_policy_grantees_set(struct store *st, const char *ca_id, const char (*grantees)[13],
			      size_t n, struct cm_err *err);
/* Up to limit policies that have no grantee rows (put before migration 9, or
 * naming no one) with ca_id after after_ca_id, in ca_id order: fn gets each
 * (borrowed strings). Returns rows passed to fn, -1 on error. */
int store_policy_unindexed(struct store *st, const char *after_ca_id, int limit,
			   void (*fn)(void *ctx, const char *ca_id, const char *policy), void *ctx,
			   struct cm_err *err);
/* Pages the CAs of other accounts than `account` whose policy names it (or
 * "*"), in id order after after_id ("" = from the start), through the
 * grantee key. Returns rows passed to fn, -1 on error. */
int store_ca_shared_list(struct store *st, const char *account, const char *after_id, int limit,
			 void (*fn)(void *ctx, const struct store_ca *ca), void *ctx,
			 struct cm_err *err);
/* Removes it; no policy is not an error. */
int store_policy_delete(struct store *st, const char *ca_id, struct cm_err *err);

/* --- public certificates from ACME CAs (issue 8) ------------------------ */

/* The work a public certificate still needs: its first issuance or a
 * renewal. One per certificate; claimed with a lease like deploy jobs. */
struct store_acme_job {
	char cert_id[40];
	char account_id[16];
	char ca_name[64];	/* the configured ACME CA that issues it */
	char reason[16];	/* ISSUANCE | RENEWAL */
	int attempts;		/* failed attempts so far */
	int64_t due_at;		/* next attempt (or the end of a claim's lease) */
	char *state;		/* JSON: per-name validation status, last problem (owned) */
};
void store_acme_job_clear(struct store_acme_job *j);
/* Inserts the job; when the certificate has one already, replace says
 * whether this one takes its place (false: the running one is kept). */
int store_acme_job_put(struct store *st, const struct store_acme_job *j, bool replace,
		       struct cm_err *err);
/* The job of a certificate; CM_ERR_NOT_FOUND when it has none. */
int store_acme_job_get(struct store *st, const char *cert_id, struct store_acme_job *out,
		       struct cm_err *err);
/* Claims up to limit due jobs (due_at <= now) by moving due_at to now +
 * lease, in one transaction. *out owned (store_acme_jobs_free). */
int store_acme_job_claim(struct store *st, int64_t now, int64_t lease, int limit,
			 struct store_acme_job **out, size_t *n, struct cm_err *err);
void store_acme_jobs_free(struct store_acme_job *jobs, size_t n);
/* Writes attempts, due_at and state of a claimed job, only if it is still
 * the one claimed (due_at as claimed): CM_ERR_CONFLICT when replaced. */
int store_acme_job_update(struct store *st, const struct store_acme_job *j, int64_t claimed_due,
			  struct cm_err *err);

/* The ACME account Certain holds at one configured CA. */
struct store_acme_account {
	char ca_name[64];
	char directory[512];	 /* the directory URL it was created at */
	char account_url[512];	 /* the CA's account URL (JWS kid); "" until registered */
	unsigned char *key_sealed; /* keystore blob of the account key */
	size_t key_sealed_len;
	int64_t created_at;
};
void store_acme_account_clear(struct store_acme_account *a);
/* CM_ERR_NOT_FOUND when there is none for ca_name. */
int store_acme_account_get(struct store *st, const char *ca_name, struct store_acme_account *out,
			   struct cm_err *err);
/* Inserts or replaces the account of a->ca_name. */
int store_acme_account_put(struct store *st, const struct store_acme_account *a,
			   struct cm_err *err);

#endif
