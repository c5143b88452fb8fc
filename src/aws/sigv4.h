/* AWS Signature Version 4, header form, as a server checks it (spec acm.md §1):
 * who signed a request, and whether it was altered or replayed late. The pieces
 * of the algorithm (canonical request, string to sign, signing key) are exported
 * so tests pin each stage against the published AWS test suite.
 *
 * Not supported, on purpose: presigned URLs (query auth), chunked/streaming
 * payloads and UNSIGNED-PAYLOAD, session tokens (X-Amz-Security-Token is just a
 * header here: there is no STS to issue one). */
#ifndef CERTAIN_AWS_SIGV4_H
#define CERTAIN_AWS_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "http/server.h"
#include "util/err.h"

#define SIGV4_ALGORITHM	 "AWS4-HMAC-SHA256"
#define SIGV4_AKID_MAX	 128 /* AWS: access key ids are 16..128 characters */
#define SIGV4_SECRET_MAX 128
#define SIGV4_MAX_SKEW	 (15 * 60) /* seconds X-Amz-Date may differ from the clock */
#define SIGV4_DATE_LEN	 16	   /* "20150830T123600Z" */

/* The request as the server received it; borrowed for the call. */
struct sigv4_request {
	const char *method;
	const char *path;  /* as on the request line (still percent-encoded), no query */
	const char *query; /* raw query string without '?'; "" or NULL when none */
	const struct http_header *headers; /* as received: any case, possibly repeated */
	size_t n_headers;
	const unsigned char *body;
	size_t body_len;
};

struct sigv4_auth;

/* Resolves the access key of auth->access_key_id to the signing key of the
 * request's credential scope (sigv4_signing_key of its secret with auth->date,
 * ->region and ->service; the verifier wipes it after use) and its account
 * id. Handing out the derived key rather than the secret lets the resolver
 * keep it between requests (iam/signing_keys.c). 0 when found, -1 when unknown. */
typedef int (*sigv4_lookup_fn)(void *ctx, const struct sigv4_auth *auth,
			       unsigned char signing_key[32], char *account_out,
			       size_t account_size);

/* Who signed a verified request. */
struct sigv4_result {
	char access_key_id[SIGV4_AKID_MAX + 1];
	char account_id[16];
	const char *service; /* the entry of `services` the credential scope named */
};

/* Verifies req's Authorization header. `services` is a NULL-terminated list of
 * the signing names accepted here ("acm-pca", "acm"); `region` the server's;
 * `now` epoch seconds (clock_now()). Checks run cheapest first, and the key is
 * looked up only for a well-formed, fresh, correctly scoped request. Errors:
 *   CM_ERR_MISSING_AUTH          no Authorization header
 *   CM_ERR_INCOMPLETE_SIGNATURE  malformed header, other algorithm, bad scope
 *                                layout, host or the date header unsigned, no
 *                                X-Amz-Date/Date header
 *   CM_ERR_INVALID_SIGNATURE     scope region/service/date wrong, date more than
 *                                15 min from now, body hash header wrong, mismatch
 *   CM_ERR_UNRECOGNIZED_CLIENT   unknown access key id
 * 0 with *res filled, or -1 with *err. */
int sigv4_verify(const struct sigv4_request *req, const char *const *services, const char *region,
		 int64_t now, sigv4_lookup_fn lookup, void *lookup_ctx, struct sigv4_result *res,
		 struct cm_err *err);

/* ---- The Authorization header ---- */

struct sigv4_auth {
	char access_key_id[SIGV4_AKID_MAX + 1];
	char date[9]; /* scope date, YYYYMMDD */
	char region[64];
	char service[64];
	char signed_headers[2048]; /* as sent: "content-type;host;x-amz-date;x-amz-target" */
	unsigned char signature[32];
};

/* Parses "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
 * SignedHeaders=a;b, Signature=<64 hex>". CM_ERR_INCOMPLETE_SIGNATURE naming
 * what is wrong. 0 or -1. */
int sigv4_parse_authorization(const char *value, struct sigv4_auth *out, struct cm_err *err);

/* "YYYYMMDDTHHMMSSZ" to epoch seconds; 0, or -1 when not that exact shape or
 * not a real date and time. */
int sigv4_parse_amz_date(const char *text, int64_t *epoch);

/* An HTTP Date header value, either in the SigV4 form above or IMF-fixdate
 * ("Sun, 30 Aug 2015 12:36:00 GMT"), to epoch seconds; 0 or -1. */
int sigv4_parse_http_date(const char *text, int64_t *epoch);

/* Epoch seconds to "YYYYMMDDTHHMMSSZ" (UTC). */
void sigv4_format_amz_date(int64_t epoch, char out[SIGV4_DATE_LEN + 1]);

/* ---- The stages of the algorithm (owned strings: free(); NULL on no memory
 * or a request past the size limits) ---- */

/* URI-encoded, normalized path (non-S3 rules): "." and ".." segments resolved,
 * empty segments dropped, a trailing slash kept, every byte but the RFC 3986
 * unreserved set and '/' percent-encoded. The path as received is encoded again,
 * so "/a%20b" becomes "/a%2520b", as AWS signers do for every service but S3. */
char *sigv4_canonical_uri(const char *path);

/* Query parameters decoded, re-encoded with the unreserved set, sorted by name
 * then value (bytewise), joined "n=v&n=v"; a parameter without '=' gets "n=". */
char *sigv4_canonical_query(const char *query);

/* The canonical request: method, canonical URI, canonical query, the headers
 * named in signed_headers (in that order, values trimmed, inner runs of spaces
 * collapsed, repeats joined by ','), signed_headers, payload_hash. */
char *sigv4_canonical_request(const struct sigv4_request *req, const char *signed_headers,
			      const char *payload_hash);

/* "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical_request)>". */
char *sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request);

/* HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
 * The caller wipes key after use. 0 or -1. */
int sigv4_signing_key(const char *secret, const char *date, const char *region, const char *service,
		      unsigned char key[32]);

/* HMAC-SHA256(key, string_to_sign). 0 or -1. */
int sigv4_signature(const unsigned char key[32], const char *string_to_sign, unsigned char sig[32]);

/* Lowercase hex SHA-256 of body (the payload hash line). */
void sigv4_payload_hash(const unsigned char *body, size_t len, char hex[65]);

#endif
