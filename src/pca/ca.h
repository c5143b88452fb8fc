/* The rules of AWS Private CA, independent of JSON: creating and managing
 * certificate authorities, their own certificates, issuing and revoking.
 * Callers (API handlers, later the CLI and the scheduler) pass typed requests;
 * every function is scoped to ctx->account and changes nothing on failure. */
#ifndef CERTAIN_PCA_CA_H
#define CERTAIN_PCA_CA_H

#include <stdbool.h>
#include <stdint.h>

#include "aws/arn.h"
#include "pca/state.h"
#include "store/store.h"
#include "x509/ca_csr.h"
#include "x509/issue.h"
#include "x509/keys.h"
#include "x509/name.h"

struct keystore;
struct ref_cache;

struct pca_ctx {
	struct store *store;
	struct keystore *keys;
	const char *account;
	const char *region;
	const char *partition;
	int64_t now;
	struct ref_cache *ca_certs; /* parsed CA certificates; NULL: parse every time */
};

/* A tag as given by a client (borrowed strings). */
struct pca_tag {
	const char *key;
	const char *value; /* NULL: absent (Untag by key only) */
};

/* Checks tags of a create or tag request (InvalidTagException): keys 1–128
 * and values 0–256 characters of the AWS tag pattern, no "aws:" prefix. ACM
 * tags follow the same rules. */
int pca_ca_tags_check(const struct pca_tag *tags, size_t n, struct cm_err *err);

/* How many distinct keys a tag set has once `tags` are merged into `have`. */
size_t pca_tags_merged_count(const struct store_tag *have, size_t n_have,
			     const struct pca_tag *tags, size_t n);

struct pca_create_req {
	bool subordinate;
	enum x509_key_alg key_alg;
	enum x509_sig_alg sig_alg;
	const struct x509_subject *subject;
	const struct x509_csr_extensions *csr_extensions; /* may be NULL */
	const char *config_json;     /* CertificateAuthorityConfiguration to echo */
	const char *revocation_json; /* normalised RevocationConfiguration */
	const char *usage_mode;      /* GENERAL_PURPOSE | SHORT_LIVED_CERTIFICATE */
	const char *key_storage;
	const char *idempotency_token; /* may be NULL */
	const struct pca_tag *tags;
	size_t n_tags;
};

/* Creates a CA (key generated and sealed, CSR built); arn_out gets its ARN. */
int pca_ca_create(const struct pca_ctx *ctx, const struct pca_create_req *req, char *arn_out,
		  size_t arn_size, struct cm_err *err);

/* Loads the caller's CA by ARN text (member names the field for messages).
 * Another account's or region's CA, or one past its restore window, is
 * CM_ERR_NOT_FOUND exactly as if it did not exist. */
int pca_ca_load(const struct pca_ctx *ctx, const char *arn, const char *member,
		struct store_ca *out, struct cm_err *err);

void pca_ca_arn(const struct pca_ctx *ctx, const struct store_ca *ca, char *buf, size_t size);

/* UpdateCertificateAuthority: status (NULL = unchanged) and/or revocation
 * configuration (NULL = unchanged; JSON of the parts given, already validated). */
int pca_ca_update(const struct pca_ctx *ctx, const char *arn, const char *status,
		  const char *revocation_json, struct cm_err *err);
int pca_ca_delete(const struct pca_ctx *ctx, const char *arn, int days, struct cm_err *err);
int pca_ca_restore(const struct pca_ctx *ctx, const char *arn, struct cm_err *err);

/* Pages the caller's CAs: fn gets each CA with its effective status. Fills
 * next_cursor ("" at the end) with an opaque keyset position. */
int pca_ca_list(const struct pca_ctx *ctx, const char *cursor, int limit,
		void (*fn)(void *fctx, const struct store_ca *ca, enum pca_status status),
		void *fctx, char *next_cursor, size_t next_size, struct cm_err *err);

/* Tags (spec §5.13). */
int pca_ca_tag(const struct pca_ctx *ctx, const char *arn, const struct pca_tag *tags, size_t n,
	       struct cm_err *err);
int pca_ca_untag(const struct pca_ctx *ctx, const char *arn, const struct pca_tag *tags,
		 size_t n, struct cm_err *err);

/* GetCertificateAuthorityCsr: the stored CSR PEM (owned). */
int pca_ca_get_csr(const struct pca_ctx *ctx, const char *arn, char **csr_pem,
		   struct cm_err *err);
/* ImportCertificateAuthorityCertificate (spec §5.8, §6.4). */
int pca_ca_import_certificate(const struct pca_ctx *ctx, const char *arn,
			      const unsigned char *cert, size_t cert_len,
			      const unsigned char *chain, size_t chain_len, struct cm_err *err);
/* GetCertificateAuthorityCertificate: PEM certificate and chain (chain NULL for a root). */
int pca_ca_get_certificate(const struct pca_ctx *ctx, const char *arn, char **cert_pem,
			   char **chain_pem, struct cm_err *err);

enum pca_validity_type { PCA_VALIDITY_END_DATE, PCA_VALIDITY_ABSOLUTE, PCA_VALIDITY_DAYS,
			 PCA_VALIDITY_MONTHS, PCA_VALIDITY_YEARS };

struct pca_validity {
	enum pca_validity_type type;
	long long value;
};

struct pca_issue_req {
	const char *ca_arn;
	const unsigned char *csr;
	size_t csr_len;
	enum x509_sig_alg sig_alg;
	struct pca_validity validity;
	bool has_not_before;
	struct pca_validity not_before; /* only ABSOLUTE is accepted */
	const char *template_arn;        /* NULL = EndEntityCertificate/V1 */
	const struct x509_passthrough *api_passthrough; /* may be NULL */
	const char *idempotency_token;
	const char *requester;           /* account id, or acm.amazonaws.com */
};

/* IssueCertificate: reserves a serial, signs, stores; cert_arn_out gets the ARN. */
int pca_issue(const struct pca_ctx *ctx, const struct pca_issue_req *req, char *cert_arn_out,
	      size_t arn_size, struct cm_err *err);

/* A certificate signed for an in-process caller (ACM) and not yet stored:
 * the caller stores it in its own transaction (pca_issued_store), with its
 * own records, in one durable commit, and needs not read back and decode
 * what was just signed. */
struct pca_issued {
	struct store_cert rec; /* the CA's record of it, DER included */
	char cert_arn[ARN_MAX + 64];
	X509 *cert;	 /* as signed (x509_issue_unkeyed: its public key is not
			    decoded; the caller holds the key) */
	char *chain_pem; /* the issuing CA's certificate, then its chain; NULL for
			    a root's own certificate */
};

/* IssueCertificate's checks and signing, for ACM: *out filled
 * (pca_issued_clear), nothing stored. req has no idempotency token: ACM
 * keeps its own. Until pca_issued_store commits, the certificate must not
 * leave the process: a crash before then destroys its only copy, and
 * nobody holds it (pca_issue_store says why that keeps the rule). */
int pca_issue_signed(const struct pca_ctx *ctx, const struct pca_issue_req *req,
		     struct pca_issued *out, struct cm_err *err);
/* Stores what pca_issue_signed signed; call it inside the transaction that
 * stores the caller's records (store_begin ... commit);
 * CM_ERR_CONFLICT in the next-to-impossible case that its random serial is
 * taken (the caller's transaction then stores nothing of it). */
int pca_issued_store(const struct pca_ctx *ctx, const struct pca_issued *issued,
		     struct cm_err *err);
void pca_issued_clear(struct pca_issued *out);

/* GetCertificate: PEM certificate and chain (issuing CA first … root; NULL
 * for a root's own self-signed certificate). */
int pca_get_certificate(const struct pca_ctx *ctx, const char *ca_arn, const char *cert_arn,
			char **cert_pem, char **chain_pem, struct cm_err *err);

/* RevokeCertificate. serial: hex, colon-separated or not. reason: enum name. */
int pca_revoke(const struct pca_ctx *ctx, const char *ca_arn, const char *serial,
	       const char *reason, struct cm_err *err);

/* Computes notBefore/notAfter of a request (spec §6.5). */
int pca_validity_resolve(const struct pca_validity *v, int64_t now, int64_t *not_after,
			 struct cm_err *err);

#endif
