/* The rules of AWS Certificate Manager, independent of JSON (spec acm.md §5,
 * §6): requesting private and public certificates, importing, exporting,
 * listing, tagging, renewing and deleting them, and the account settings.
 * Every function is scoped to ctx->account and changes nothing on failure. */
#ifndef CERTAIN_ACM_ACM_H
#define CERTAIN_ACM_ACM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/arn.h"
#include "pca/ca.h"
#include "store/store.h"
#include "util/err.h"

struct keystore;
struct ref_cache;

#define ACM_DEFAULT_DAYS_BEFORE_EXPIRY 45
#define ACM_MAX_DAYS_BEFORE_EXPIRY     45
#define ACM_MAX_NAMES		       10	       /* AWS's default quota (spec §6.4) */
#define ACM_MAX_TAGS		       50
#define ACM_PRIVATE_VALIDITY_DAYS      395
#define ACM_VALIDATION_TIMEOUT	       (72 * 3600) /* public requests (spec §6.3) */
#define ACM_IDEMPOTENCY_WINDOW	       3600	       /* one hour (spec §5.1) */
#define ACM_PRIVATE_RENEWAL_DAYS       60	       /* managed renewal window (spec §6.7) */
/* How long before NotAfter the lifecycle scan first looks at a certificate:
 * the wider of the renewal window and the largest DaysBeforeExpiry. */
#define ACM_SCAN_LEAD_DAYS	       60
/* How long a renewer holds a certificate it claimed (issue: lifecycle): past
 * it, a renewal that died half-way is taken up again. */
#define ACM_RENEWAL_LEASE	       600

/* Public certificates from ACME CAs (issue 8), when the server has an ACME
 * configuration: what the ACM rules need to know of it. */
struct acm_public_cfg {
	const char *zone;	     /* validation zone: CNAME targets "_<hex>.<zone>." */
	const char *const *ca_names; /* the configured ACME CAs */
	size_t n_cas;
	const char *default_ca;	     /* one of ca_names */
	void (*wake)(void);	     /* tells the ACME worker a job is due (may be NULL) */
};

/* The tag that picks a configured ACME CA other than the default. */
#define ACM_ACME_CA_TAG "certain:acme-ca"
/* Public renewal window: a third of the lifetime (two chances before expiry,
 * as OpenBSD's acme-client says), at most 45 days (spec §6.7 for 198-day
 * certificates). */
#define ACM_PUBLIC_RENEWAL_MAX_DAYS 45

struct acm_ctx {
	struct store *store;
	struct keystore *keys;
	const char *account;
	const char *region;
	const char *partition;
	int64_t now;
	struct ref_cache *ca_certs;  /* shared with the PCA path (may be NULL) */
	const char *validation_zone; /* suffix of DNS validation CNAME targets */
	const struct acm_public_cfg *public_cfg; /* NULL: no ACME CA configured */
};

struct acm_request {
	const char *domain_name;
	const char *const *sans; /* SubjectAlternativeNames as given (may repeat DomainName) */
	size_t n_sans;
	const char *validation_method; /* DNS | EMAIL | HTTP; NULL = EMAIL (public only) */
	const char *const *dvo_names;	/* DomainValidationOptions: DomainName … */
	const char *const *dvo_domains; /* … and its ValidationDomain */
	size_t n_dvo;
	const char *ct_logging;	   /* NULL = ENABLED */
	const char *export_option; /* NULL = DISABLED */
	const char *ca_arn;	   /* present: PRIVATE */
	const char *key_alg;	   /* NULL = RSA_2048 */
	const char *managed_by;	   /* NULL or CLOUDFRONT */
	const char *idempotency_token;
	const struct pca_tag *tags;
	size_t n_tags;
};

/* RequestCertificate: records the certificate and, for a private one, issues
 * it from the CA before returning; CA problems leave it FAILED with a
 * FailureReason instead of failing the call (spec §5.1). */
int acm_request(const struct acm_ctx *ctx, const struct acm_request *req, char *arn_out,
		size_t arn_size, struct cm_err *err);

struct acm_import_req {
	const char *arn; /* NULL: a new certificate; else reimport */
	const unsigned char *cert, *key, *chain;
	size_t cert_len, key_len, chain_len;
	const struct pca_tag *tags;
	size_t n_tags;
	bool has_tags; /* Tags present at all (refused on reimport) */
};

/* ImportCertificate (spec §5.5, §6.5). */
int acm_import(const struct acm_ctx *ctx, const struct acm_import_req *req, char *arn_out,
	       size_t arn_size, struct cm_err *err);

/* The caller's certificate by ARN (member names the field in messages);
 * another account's or region's is CM_ERR_NOT_FOUND. */
int acm_load(const struct acm_ctx *ctx, const char *arn, struct store_acm_cert *out,
	     struct cm_err *err);
/* The same without the key, the certificate and the chain
 * (store_acm_cert_get_summary): for reading only. */
int acm_load_summary(const struct acm_ctx *ctx, const char *arn, struct store_acm_cert *out,
		     struct cm_err *err);
void acm_arn(const struct acm_ctx *ctx, const char *id, char *buf, size_t size);

/* What DescribeCertificate shows beyond the stored record. */
struct acm_view {
	const char *status;	       /* effective status */
	bool renewal_eligible;
	char **in_use_by;	       /* owned (store_strings_free) */
	size_t n_in_use_by;
};
int acm_view_get(const struct acm_ctx *ctx, const struct store_acm_cert *c, struct acm_view *v,
		 struct cm_err *err);
void acm_view_clear(struct acm_view *v);

/* One DomainValidation entry (spec §4, §6.2, §6.3). */
struct acm_validation {
	const char *domain_name; /* borrowed from the record's names */
	char validation_domain[256];
	const char *status;	   /* DomainStatus */
	const char *method;	   /* NULL for PRIVATE */
	char record_name[300];	   /* DNS: "_<hex>.<base>." ("" otherwise) */
	char record_value[300];	   /* DNS: "_<hex>.<letters>.<zone>." */
};

/* The DomainValidationOptions of a certificate, one per name; *out owned
 * (free()); names is the parsed names list the entries point into. */
int acm_validations(const struct acm_ctx *ctx, const struct store_acm_cert *c,
		    const char *status, char **names, size_t n_names,
		    struct acm_validation **out, struct cm_err *err);

/* The record's names (owned array of owned strings; store_strings_free). */
int acm_names(const struct store_acm_cert *c, char ***names, size_t *n, struct cm_err *err);

/* GetCertificate: PEM certificate and chain (chain NULL when none). */
int acm_get_certificate(const struct acm_ctx *ctx, const char *arn, char **cert_pem,
			char **chain_pem, struct cm_err *err);

/* ExportCertificate: certificate, chain and the key encrypted under passphrase. */
int acm_export(const struct acm_ctx *ctx, const char *arn, const unsigned char *passphrase,
	       size_t pass_len, char **cert_pem, char **chain_pem, char **key_pem,
	       struct cm_err *err);

/* Deployment (issue 6): the certificate's private key as plain PKCS#8 PEM
 * written to fd (through the keystore: never returned, never logged). */
int acm_key_write_pem(const struct acm_ctx *ctx, const struct store_acm_cert *c, int fd,
		      struct cm_err *err);

int acm_delete(const struct acm_ctx *ctx, const char *arn, struct cm_err *err);

/* RenewCertificate (spec §5.8): renews an eligible private certificate now. */
int acm_renew(const struct acm_ctx *ctx, const char *arn, struct cm_err *err);

/* The one renewal path of a PRIVATE certificate, shared by RenewCertificate
 * and the managed renewal of the scheduler (spec §6.7). *c is the record as
 * read (its revision matters). First it claims the renewal: RenewalStatus
 * PENDING_AUTO_RENEWAL and scan_due_at = now + ACM_RENEWAL_LEASE, written only
 * if the row is still at c->revision, so of two renewers one gets
 * CM_ERR_CONFLICT before anything is signed. Then a new key and certificate
 * from the same CA; the old serial to the history, the record with RenewalStatus
 * SUCCESS and its Available/RENEWAL event in one transaction.
 * Returns 0 renewed (*c is the stored record), 1 when the CA could not issue
 * (*c holds RenewalStatus PENDING_AUTO_RENEWAL with the reason in *reason,
 * not stored yet: the caller writes it with whatever it adds), -1 on error.
 * A public (AMAZON_ISSUED) certificate renews asynchronously through its ACME
 * job: 2 when that renewal is claimed now or already running (*c as stored). */
int acm_renew_now(const struct acm_ctx *ctx, struct store_acm_cert *c, const char **reason,
		  struct cm_err *err);

/* Sets c's RenewalSummary (reason may be NULL) as of now. 0, or -1 when out of memory. */
int acm_set_renewal(struct store_acm_cert *c, const char *status, const char *reason,
		    int64_t now, struct cm_err *err);

/* UpdateCertificateOptions (spec §5.11); NULL members are unchanged. */
int acm_update_options(const struct acm_ctx *ctx, const char *arn, const char *ct_logging,
		       const char *export_option, struct cm_err *err);

/* ResendValidationEmail (spec §5.12). */
int acm_resend_validation(const struct acm_ctx *ctx, const char *arn, const char *domain,
			  const char *validation_domain, struct cm_err *err);

/* RevokeCertificate (spec §5.13). */
int acm_revoke(const struct acm_ctx *ctx, const char *arn, const char *reason,
	       struct cm_err *err);

/* Tags (spec §5.9); the rules are the PCA's (pca_tags_check). */
int acm_tag(const struct acm_ctx *ctx, const char *arn, const struct pca_tag *tags, size_t n,
	    struct cm_err *err);
int acm_untag(const struct acm_ctx *ctx, const char *arn, const struct pca_tag *tags, size_t n,
	      struct cm_err *err);

/* ListCertificates: pages through the store with an opaque cursor ("" = the
 * start); next_cursor is "" when this is the last page. */
int acm_list(const struct acm_ctx *ctx, const struct store_acm_filter *f, const char *cursor,
	     int limit, void (*fn)(void *fctx, const struct store_acm_cert *c), void *fctx,
	     char *next_cursor, size_t next_size, struct cm_err *err);

/* SearchCertificates (spec §5.14). The model bounds And/Or lists (1–15) but
 * not their nesting; Certain bounds both the depth and the node count so no
 * request can build a deep or huge query. */
#define ACM_SEARCH_MAX_DEPTH	   8   /* FilterStatement levels, the root is 1 */
#define ACM_SEARCH_MAX_NODES	   100 /* statements and filters in one request */
#define ACM_SEARCH_MAX_LIST	   15  /* And / Or members */
#define ACM_SEARCH_DEFAULT_RESULTS 100
#define ACM_SEARCH_MAX_RESULTS	   500

struct x509_attrs;

/* The nodes of one filter tree; nodes[0] is the root once used > 0. */
struct acm_search_tree {
	struct store_acm_search_node nodes[ACM_SEARCH_MAX_NODES];
	size_t used;
	char ids[ACM_SEARCH_MAX_NODES][40]; /* certificate ids resolved from ARNs */
};

/* n contiguous fresh nodes for a statement at depth (root = 1);
 * CM_ERR_VALIDATION past ACM_SEARCH_MAX_DEPTH or ACM_SEARCH_MAX_NODES. */
int acm_search_nodes(struct acm_search_tree *t, size_t n, int depth,
		     struct store_acm_search_node **out, struct cm_err *err);

/* What a search shows of one certificate besides its record. */
struct acm_search_hit {
	const struct store_acm_cert *cert;
	const char *status;		/* effective status */
	bool renewal_eligible;
	const struct x509_attrs *x509; /* NULL: no certificate material */
};

/* Checks the tree (shape, limits) and runs one page. STORE_ACM_SEARCH_ID
 * leaves carry the certificate ARN in text; another account's or region's
 * ARN matches nothing. cursor "" = the start; next_cursor is "" on the last
 * page. A cursor of another sort or order is CM_ERR_VALIDATION. */
int acm_search(const struct acm_ctx *ctx, struct acm_search_tree *t, enum store_acm_sort sort,
	       bool descending, const char *cursor, int limit,
	       void (*fn)(void *fctx, const struct acm_search_hit *h), void *fctx,
	       char *next_cursor, size_t next_size, struct cm_err *err);

/* Account configuration (spec §5.10). */
int acm_days_before_expiry(const struct acm_ctx *ctx, int *days, struct cm_err *err);
int acm_put_days_before_expiry(const struct acm_ctx *ctx, const char *token, bool has_days,
			       int days, struct cm_err *err);

/* Whether a certificate may renew now: PRIVATE or public (AMAZON_ISSUED),
 * ISSUED, and exported or in use (spec §6.2, §6.7). */
bool acm_renewal_eligible(const struct store_acm_cert *c, const char *status, bool in_use);

/* --- public certificates from ACME CAs (issue 8): the ACME worker's side */

/* The reason of a job with nothing to do: it stays to name the CA. */
#define ACM_ACME_IDLE "IDLE"
/* An issued certificate whose CA offers renewal information (RFC 9773): the
 * job is due when the CA should be asked again. */
#define ACM_ACME_ARI "ARI"

/* Whether job j still has work: its certificate (read into *c, owned) is
 * PENDING_VALIDATION for an ISSUANCE, ISSUED with a renewal pending for a
 * RENEWAL, ISSUED for an ARI check. 1 yes, 0 no (deleted, timed out, revoked...), -1 on error. */
int acm_public_job_live(const struct acm_ctx *ctx, const struct store_acme_job *j,
			struct store_acm_cert *c, struct cm_err *err);

/* A job whose certificate no longer needs it goes idle (it keeps naming
 * the CA for a later renewal). */
int acm_public_job_retire(const struct acm_ctx *ctx, const struct store_acme_job *j,
			  struct cm_err *err);

/* The CA issued cert (chain: PEM of the intermediates, may be NULL) for the
 * key the worker generated (acm_csr): ISSUED with its Available
 * ISSUANCE event, or the renewal with its RENEWAL event and redeploys; the
 * job goes idle. 1 written, 0 when the job had no work left, -1. */
int acm_public_issued(const struct acm_ctx *ctx, struct store_acme_job *j, EVP_PKEY *key,
		      X509 *cert, const char *chain, struct cm_err *err);

enum acm_public_outcome {
	ACM_PUBLIC_WAITING, /* a name's CNAME is not in place yet: PENDING_VALIDATION */
	ACM_PUBLIC_RETRY,   /* a passing problem (network, rate limit): try again */
	ACM_PUBLIC_FAILED,  /* the CA refused: FailureReason / RenewalStatusReason */
};
/* An attempt that did not issue. j holds what the worker wants stored
 * (attempts, due_at, state with each name's status); reason (ACM's
 * FailureReason) matters for ACM_PUBLIC_FAILED. A first issuance that
 * FAILED is final (the job goes idle); a renewal keeps trying at j->due_at.
 * 1 written, 0 when the job had no work left, -1. */
int acm_public_not_issued(const struct acm_ctx *ctx, struct store_acme_job *j,
			  enum acm_public_outcome o, const char *reason, struct cm_err *err);

/* CSR DER (OPENSSL_free) for the record's names and KeyAlgorithm, with a new
 * key (*key owned): what the PCA path signs, and the ACME finalize sends.
 * NULL and *err on failure. */
unsigned char *acm_csr(const struct store_acm_cert *c, EVP_PKEY **key, size_t *len,
		       struct cm_err *err);

#endif
