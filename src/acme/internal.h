/* Private to src/acme/: the client struct, HTTP exchanges and JWS building. */
#ifndef CERTAIN_ACME_INTERNAL_H
#define CERTAIN_ACME_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "acme/acme.h"

/* Caps on what a CA may send: a body larger than this is refused, never
 * buffered, and so are more alternates than a CA has reason to offer. */
#define ACME_MAX_BODY	    (1024 * 1024)
#define ACME_MAX_URL	    2048
#define ACME_MAX_NONCE	    256
#define ACME_MAX_ALTERNATES 8
/* badNonce is answered by retrying with the nonce that came with it (§6.5);
 * bounded, since a CA that rejects every nonce would loop us forever. 16, not
 * fewer: a CA rejecting half of all nonces (pebble's NONCEREJECT=50 test, a
 * load-balanced CA with poorly shared nonces) must still let a whole issuance
 * of ~20 requests through (0.5^17 per request); 10 failed ~1% of such runs. */
#define ACME_BADNONCE_RETRIES 16

struct acme_client {
	char *name;
	char *directory_url;
	char *contact;
	char *eab_kid;
	unsigned char *eab_key; /* decoded HMAC key (secret: cleansed on free) */
	size_t eab_key_len;
	char *ca_bundle;
	char *preferred_chain;
	long timeout_ms;
	bool allow_http; /* the directory itself is http: a local test CA */
	bool have_dir;
	struct acme_directory dir;
	EVP_PKEY *key; /* borrowed */
	char *kid;
	char nonce[ACME_MAX_NONCE];
	struct acme_problem problem;
};

/* One HTTP response, headers as the ACME client needs them. */
struct acme_resp {
	long status;
	char *body; /* NUL-terminated (owned), at most ACME_MAX_BODY */
	size_t body_len;
	char content_type[128];
	char nonce[ACME_MAX_NONCE];
	char location[ACME_MAX_URL];
	long retry_after;
	char *alternates[ACME_MAX_ALTERNATES]; /* Link rel="alternate" (owned) */
	size_t nalternates;
	bool header_error; /* an oversized or malformed header we needed */
};

void acme_resp_clear(struct acme_resp *r);

/* One exchange: method "GET", "HEAD" or "POST" (body with application/jose+json;
 * accept may be NULL). Keeps the Replay-Nonce in c. Network errors fill
 * c->problem (status 0) and err with CM_ERR_UNAVAILABLE. */
int acme_http(struct acme_client *c, const char *method, const char *url, const char *body,
	      const char *accept, struct acme_resp *r, struct cm_err *err);

/* A signed POST (§6.2) with the account kid, or the jwk when use_jwk; payload
 * NULL = POST-as-GET. Gets a nonce first when none is kept, retries on
 * badNonce. A 4xx/5xx answer fills c->problem and fails. */
int acme_post(struct acme_client *c, const char *url, const json_t *payload, bool use_jwk,
	      const char *accept, struct acme_resp *r, struct cm_err *err);

/* Fills c->problem from a failed response and err (CM_ERR_REQUEST_FAILED,
 * CM_ERR_UNAVAILABLE when transient), returns -1. */
int acme_fail_resp(struct acme_client *c, const struct acme_resp *r, const char *what,
		   struct cm_err *err);

/* Sets c->problem to a local failure (not the CA's words) and err; returns -1. */
int acme_fail(struct acme_client *c, struct cm_err *err, enum cm_code code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* base64url of bytes (owned), NULL when out of memory. */
char *acme_b64url(const unsigned char *in, size_t len);

/* The account key's JWK as a JSON object (new reference), members in RFC 7638
 * order; NULL when the key is not P-256. */
json_t *acme_jwk(EVP_PKEY *key);

/* Flattened JWS JSON serialization (owned text): ES256 with key over protected
 * and payload (payload_b64 "" for POST-as-GET). */
char *acme_jws_es256(EVP_PKEY *key, json_t *protected_hdr, const char *payload_b64);

/* The EAB inner JWS (§7.3.4) as a JSON object (new reference). */
json_t *acme_jws_eab(EVP_PKEY *key, const char *kid, const unsigned char *hmac_key, size_t hmac_len,
		     const char *url);

/* Whether a URL the CA gave us is acceptable: https (http only when
 * allow_http), no control characters or spaces, bounded length. */
bool acme_url_ok(const char *url, bool allow_http);

/* Parses JSON text with duplicate keys refused; NULL on error. */
json_t *acme_json_load(const char *body, size_t len);

enum acme_status acme_status_parse(const char *s);

#endif
