/* The RFC 8555 ACME client: one struct acme_client per CA, driven one protocol
 * step at a time by a worker (no sleeping for minutes, no global state).
 * A client is not thread-safe: the caller serialises its use.
 *
 * Errors: every step returns 0 or -1 and fills the caller's struct cm_err
 * (CM_ERR_UNAVAILABLE for network trouble and transient CA problems,
 * CM_ERR_REQUEST_FAILED when the CA refused or answered nonsense,
 * CM_ERR_INVALID_ARGS / CM_ERR_INVALID_STATE for bad input). After a
 * failure acme_client_problem() describes it in ACME terms (RFC 7807) so the
 * worker can choose between "retry later" and "fail the certificate".
 *
 * Ownership: structs filled by a step own their strings; free them with the
 * matching *_clear(). The account key stays the caller's. */
#ifndef CERTAIN_ACME_ACME_H
#define CERTAIN_ACME_ACME_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* A CA as configured. Strings are borrowed for acme_client_new() only (copied). */
struct acme_ca_cfg {
	const char *name;	     /* for messages only */
	const char *directory_url;   /* https (http only for local test CAs) */
	const char *contact;	     /* e-mail address without "mailto:"; NULL/"" = none */
	const char *eab_kid;	     /* External Account Binding key id; NULL/"" = no EAB */
	const char *eab_hmac_key;    /* base64url as the CA prints it (secret, never logged) */
	const char *ca_bundle;	     /* PEM roots for the CA's TLS; NULL/"" = system store */
	const char *preferred_chain; /* issuer CN of the root to prefer; NULL/"" = default */
	long timeout_ms;	     /* per HTTP request; <= 0 = 30 s */
};

#define ACME_MAX_SUBPROBLEMS 8

struct acme_subproblem {
	char type[128];	      /* full URN as sent */
	char detail[256];     /* as sent, truncated */
	char identifier[256]; /* the identifier's value, "" when absent */
};

/* An RFC 7807 problem document, or a synthesised one for network errors. */
struct acme_problem {
	char type[128];	  /* full URN as sent; "" when the CA sent no problem document */
	char detail[512]; /* as sent (truncated), or our description */
	int status;	  /* HTTP status; 0 = no HTTP answer (network); -1 = refused by us */
	long retry_after; /* seconds from Retry-After; -1 = none given */
	size_t nsub;
	struct acme_subproblem sub[ACME_MAX_SUBPROBLEMS];
};

/* ACM FailureReason for a problem type (full URN or the short name after
 * "urn:ietf:params:acme:error:"): "CAA_ERROR", "DOMAIN_NOT_ALLOWED",
 * "INVALID_PUBLIC_DOMAIN", "DOMAIN_VALIDATION_DENIED" or "OTHER". Static. */
const char *acme_problem_failure_reason(const char *type);

/* The same for a whole problem: a compound problem takes the reason of its
 * first subproblem that is not "OTHER". */
const char *acme_problem_reason(const struct acme_problem *p);

/* Whether trying again later may succeed: network errors, HTTP 429 and 5xx,
 * rateLimited, serverInternal, badNonce (after our own retries). When true,
 * p->retry_after (if >= 0) is how long the CA asked us to wait. */
bool acme_problem_is_transient(const struct acme_problem *p);

/* Parses a problem document body (application/problem+json) into *p (type,
 * detail, status, subproblems; retry_after untouched). -1 when it is not one. */
int acme_problem_parse(const char *body, size_t len, struct acme_problem *p);

enum acme_status {
	ACME_STATUS_UNKNOWN = 0,
	ACME_STATUS_PENDING,
	ACME_STATUS_READY,
	ACME_STATUS_PROCESSING,
	ACME_STATUS_VALID,
	ACME_STATUS_INVALID,
	ACME_STATUS_EXPIRED,
	ACME_STATUS_DEACTIVATED,
	ACME_STATUS_REVOKED,
};

const char *acme_status_name(enum acme_status s);

/* The directory (RFC 8555 §7.1.1); strings owned. */
struct acme_directory {
	char *new_nonce;
	char *new_account;
	char *new_order;
	char *revoke_cert;
	char *key_change;
	char *renewal_info; /* RFC 9773, NULL when the CA has none */
	char *terms_of_service;
	bool eab_required;
};

/* An order (§7.1.3); strings owned, free with acme_order_clear(). */
struct acme_order {
	char *url; /* the order URL (Location of newOrder) */
	enum acme_status status;
	char **identifiers; /* DNS names as the CA lists them */
	size_t nidentifiers;
	char **authorizations; /* authorization URLs */
	size_t nauthorizations;
	char *finalize;
	char *certificate; /* NULL until valid */
	bool has_error;
	struct acme_problem error; /* when has_error */
	long retry_after;	   /* seconds from the last fetch's Retry-After; -1 = none */
};

/* An authorization (§7.1.4) with its dns-01 challenge; strings owned. */
struct acme_authz {
	char *url;
	char *identifier; /* without "*." (the CA strips it; wildcard says so) */
	bool wildcard;
	enum acme_status status;
	char *challenge_url; /* the dns-01 challenge; NULL when the CA offers none */
	char *token;
	enum acme_status challenge_status;
	bool has_error;		   /* the challenge's error */
	struct acme_problem error; /* when has_error */
	long retry_after;
};

void acme_directory_clear(struct acme_directory *d);
void acme_order_clear(struct acme_order *o);
void acme_authz_clear(struct acme_authz *a);

/* Parsers of what a CA sends (exposed for tests and the fuzzer). They check
 * every JSON type; allow_http lets http:// URLs through (local test CAs only).
 * On -1 the struct is cleared. */
int acme_directory_parse(const char *body, size_t len, bool allow_http, struct acme_directory *d,
			 struct cm_err *err);
int acme_order_parse(const char *body, size_t len, bool allow_http, struct acme_order *o,
		     struct cm_err *err);
int acme_authz_parse(const char *body, size_t len, bool allow_http, struct acme_authz *a,
		     struct cm_err *err);

/* The URLs of one Link header value whose rel list contains rel (e.g.
 * "alternate"); appended to urls[*n] (owned) up to max. -1 on a malformed
 * value (what was appended before stays). */
int acme_link_parse(const char *value, const char *rel, char **urls, size_t *n, size_t max);

/* Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date relative to
 * now (Unix seconds). Seconds >= 0 (capped at one day), or -1 when invalid. */
long acme_retry_after_parse(const char *value, long long now);

/* A new client (owned; free with acme_client_free). Nothing is fetched yet. */
struct acme_client *acme_client_new(const struct acme_ca_cfg *cfg, struct cm_err *err);
void acme_client_free(struct acme_client *c);

/* The problem behind the last failed step (never NULL; detail always set;
 * type "" with status 0 for network errors, -1 for our own refusals). */
const struct acme_problem *acme_client_problem(const struct acme_client *c);

/* The account key (P-256, borrowed: it must outlive its use by c) and, when
 * known from an earlier registration, the account URL (copied). */
int acme_client_set_account(struct acme_client *c, EVP_PKEY *key, const char *kid,
			    struct cm_err *err);

/* The account URL (kid) once registered or set; NULL before. */
const char *acme_client_kid(const struct acme_client *c);

/* The directory, fetched on first use and cached. */
const struct acme_directory *acme_client_directory(struct acme_client *c, struct cm_err *err);

/* newAccount (§7.3) with termsOfServiceAgreed, the contact and, when the
 * configuration has one, External Account Binding (§7.3.4). Idempotent: the
 * same key gets the same account back. Sets the kid. */
int acme_account_register(struct acme_client *c, struct cm_err *err);

/* newOrder (§7.4) for DNS names (wildcards as "*.example.com"). */
int acme_order_new(struct acme_client *c, const char *const *names, size_t nnames,
		   struct acme_order *o, struct cm_err *err);

/* POST-as-GET an order again into *o (cleared first; url kept). */
int acme_order_fetch(struct acme_client *c, const char *url, struct acme_order *o,
		     struct cm_err *err);

/* POST-as-GET an authorization. */
int acme_authz_fetch(struct acme_client *c, const char *url, struct acme_authz *a,
		     struct cm_err *err);

/* Tells the CA the dns-01 record is published (POST "{}" to the challenge). */
int acme_challenge_respond(struct acme_client *c, const char *challenge_url, struct cm_err *err);

/* finalize (§7.4) with a CSR in DER; *o is updated from the answer. */
int acme_order_finalize(struct acme_client *c, struct acme_order *o, const unsigned char *csr_der,
			size_t csr_len, struct cm_err *err);

/* Polls an order until it leaves pending/processing or max_wait_ms has passed,
 * sleeping what Retry-After asks (1 s when none) while that fits the budget.
 * 0 with o->status final, or 0 with o->status still pending/processing and
 * o->retry_after saying when to come back (the worker reschedules). */
int acme_order_poll(struct acme_client *c, struct acme_order *o, long max_wait_ms,
		    struct cm_err *err);

/* Downloads the certificate of a valid order (§7.4.2): the leaf and the chain
 * (intermediates) as PEM, owned. With preferred_chain set, alternates (Link
 * rel="alternate") are fetched and the first chain whose topmost certificate's
 * issuer CN matches wins; otherwise the default chain. */
int acme_cert_download(struct acme_client *c, const char *cert_url, char **leaf_pem,
		       char **chain_pem, struct cm_err *err);

/* ACME Renewal Information (RFC 9773): the window in which the CA suggests
 * renewing. explanation_url owned (NULL when none). */
struct acme_renewal_info {
	long long start; /* Unix seconds */
	long long end;	 /* Unix seconds, > start */
	char *explanation_url;
	long retry_after; /* seconds until asking again; -1 = not given */
};

void acme_renewal_info_clear(struct acme_renewal_info *ri);

/* Parses a renewalInfo body (suggestedWindow with RFC 3339 start/end). */
int acme_renewal_info_parse(const char *body, size_t len, struct acme_renewal_info *ri,
			    struct cm_err *err);

/* RFC 3339 date-time to Unix seconds (fractions dropped); -1 when invalid. */
int acme_rfc3339_parse(const char *s, long long *out);

/* GET <renewalInfo>/<cert_id> (cert_id from x509_ari_cert_id()). Fails with
 * CM_ERR_NOT_FOUND when the CA's directory has no renewalInfo. */
int acme_renewal_info_fetch(struct acme_client *c, const char *cert_id,
			    struct acme_renewal_info *ri, struct cm_err *err);

/* RFC 7638 thumbprint of the P-256 key's JWK, base64url (43 chars + NUL). */
#define ACME_B64_SHA256_LEN 44
int acme_jwk_thumbprint(EVP_PKEY *key, char out[ACME_B64_SHA256_LEN]);

/* dns-01 TXT value (§8.4): base64url(SHA-256(token "." thumbprint)). */
int acme_dns01_txt(EVP_PKEY *key, const char *token, char out[ACME_B64_SHA256_LEN]);

#endif
