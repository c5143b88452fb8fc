/* SigV4 verification errors (spec acm.md §1): each envelope error type, the
 * clock-skew edge, and the small pieces (path, query, dates, header parsing).
 * Requests here are signed with the exported stages, which the AWS vectors
 * (test_sigv4_vectors.c) pin. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/sigv4.h"
#include "harness.h"

#define T_AKID	 "AKIAIOSFODNN7EXAMPLE"
#define T_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define T_DATE	 "20261127T013000Z"
#define T_BODY	 "{\"MaxResults\":10}"

static const char *const t_pca[] = {"acm-pca", NULL};
static const char *const t_both[] = {"acm-pca", "acm", NULL};

/* One signable request: headers[0..n) plus an Authorization header at the end. */
struct t_req {
	struct http_header headers[8];
	size_t n;
	char authz[512];
	const char *body;
	struct sigv4_request req;
	int lookups; /* how often the key lookup ran */
};

static int t_lookup(void *ctx, const struct sigv4_auth *auth, unsigned char key[32],
		    char *account, size_t account_size)
{
	struct t_req *t = ctx;
	t->lookups++;
	if (strcmp(auth->access_key_id, T_AKID) != 0 ||
	    sigv4_signing_key(T_SECRET, auth->date, auth->region, auth->service, key) < 0)
		return -1;
	(void)snprintf(account, account_size, "%s", "111122223333");
	return 0;
}

static void t_init(struct t_req *t, const char *date)
{
	memset(t, 0, sizeof(*t));
	t->headers[t->n++] = (struct http_header){"Content-Type", "application/x-amz-json-1.1"};
	t->headers[t->n++] = (struct http_header){"Host", "127.0.0.1:8443"};
	t->headers[t->n++] = (struct http_header){"X-Amz-Date", date};
	t->headers[t->n++] =
	    (struct http_header){"X-Amz-Target", "ACMPrivateCA.ListCertificateAuthorities"};
	t->body = T_BODY;
	t->req = (struct sigv4_request){.method = "POST",
					.path = "/",
					.query = "",
					.headers = t->headers,
					.body = (const unsigned char *)T_BODY,
					.body_len = strlen(T_BODY)};
}

/* Signs as a client would, with the given scope and signed headers, and adds
 * the Authorization header. */
static void t_sign(struct t_req *t, const char *date8, const char *region, const char *service,
		   const char *signed_headers)
{
	char scope[128], hash[65], hex[65], amz_date[SIGV4_DATE_LEN + 1] = "";
	unsigned char key[32], sig[32];
	for (size_t i = 0; i < t->n; i++)
		if (strcasecmp(t->headers[i].name, "X-Amz-Date") == 0)
			(void)snprintf(amz_date, sizeof(amz_date), "%s", t->headers[i].value);
	t->req.n_headers = t->n;
	(void)snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date8, region, service);
	sigv4_payload_hash(t->req.body, t->req.body_len, hash);
	char *creq = sigv4_canonical_request(&t->req, signed_headers, hash);
	char *sts = sigv4_string_to_sign(amz_date, scope, creq);
	sigv4_signing_key(T_SECRET, date8, region, service, key);
	sigv4_signature(key, sts, sig);
	for (int i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", sig[i]);
	(void)snprintf(t->authz, sizeof(t->authz),
		       "AWS4-HMAC-SHA256 Credential=" T_AKID "/%s, SignedHeaders=%s, Signature=%s",
		       scope, signed_headers, hex);
	free(creq);
	free(sts);
	t->headers[t->n] = (struct http_header){"Authorization", t->authz};
	t->req.n_headers = t->n + 1;
}

static void t_sign_default(struct t_req *t)
{
	t_sign(t, "20261127", "us-east-1", "acm-pca", "content-type;host;x-amz-date;x-amz-target");
}

static int64_t t_time(const char *amz_date)
{
	int64_t e = 0;
	sigv4_parse_amz_date(amz_date, &e);
	return e;
}

/* Runs the verifier at `now`; the error code, CM_OK on success. */
static enum cm_code t_verify(struct t_req *t, const char *const *services, int64_t now,
			     struct cm_err *err, struct sigv4_result *res)
{
	cm_err_clear(err);
	if (sigv4_verify(&t->req, services, "us-east-1", now, t_lookup, t, res, err) == 0)
		return CM_OK;
	return err->code;
}

TEST(sigv4_verify_ok)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	t_init(&t, T_DATE);
	t_sign_default(&t);
	CHECK(t_verify(&t, t_both, t_time(T_DATE), &err, &res) == CM_OK);
	CHECK_STR_EQ(res.account_id, "111122223333");
	CHECK_STR_EQ(res.access_key_id, T_AKID);
	CHECK(res.service == t_both[0]);
	CHECK(t.lookups == 1);
}

TEST(sigv4_missing_auth)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	t_init(&t, T_DATE);
	t.req.n_headers = t.n;
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_MISSING_AUTH);
	CHECK_STR_EQ(cm_code_type(err.code), "MissingAuthenticationTokenException");
	t.headers[t.n] = (struct http_header){"authorization", "  "};
	t.req.n_headers = t.n + 1;
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_MISSING_AUTH);
}

/* Replaces the Authorization header and expects IncompleteSignature. */
static int t_incomplete(struct t_req *t, const char *authz)
{
	struct cm_err err;
	struct sigv4_result res;
	t->headers[t->n] = (struct http_header){"Authorization", authz};
	t->req.n_headers = t->n + 1;
	enum cm_code c = t_verify(t, t_pca, t_time(T_DATE), &err, &res);
	if (c != CM_ERR_INCOMPLETE_SIGNATURE)
		(void)fprintf(stderr, "  '%s' gave %s: %s\n", authz, cm_code_type(c), err.msg);
	return c == CM_ERR_INCOMPLETE_SIGNATURE && t->lookups == 0;
}

TEST(sigv4_incomplete_signature)
{
	struct t_req t;
	t_init(&t, T_DATE);
	const char *sig = "Signature="
			  "0123456789abcdef0123456789abcdef"
			  "0123456789abcdef0123456789abcdef";
	char buf[512];
	CHECK(t_incomplete(&t, "AWS4-HMAC-SHA256"));
	CHECK(t_incomplete(&t, "Bearer abc"));
	(void)snprintf(
	    buf, sizeof(buf),
	    "AWS4-HMAC-SHA1 Credential=" T_AKID
	    "/20261127/us-east-1/acm-pca/aws4_request, SignedHeaders=host;x-amz-date, %s",
	    sig);
	CHECK(t_incomplete(&t, buf));
	/* Each of the three parameters missing. */
	(void)snprintf(buf, sizeof(buf), "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, %s", sig);
	CHECK(t_incomplete(&t, buf));
	(void)snprintf(buf, sizeof(buf),
		       "AWS4-HMAC-SHA256 Credential=" T_AKID
		       "/20261127/us-east-1/acm-pca/aws4_request, %s",
		       sig);
	CHECK(t_incomplete(&t, buf));
	CHECK(t_incomplete(&t, "AWS4-HMAC-SHA256 Credential=" T_AKID
			       "/20261127/us-east-1/acm-pca/aws4_request, SignedHeaders=host"));
	/* Bad scope layouts. */
	const char *scopes[] = {"/20261127/us-east-1/acm-pca",
				"/20261127/us-east-1/acm-pca/x",
				"/2026112/us-east-1/acm-pca/aws4_request",
				"/20261127/us-east-1/acm-pca/aws4_request/extra",
				"/20261127//acm-pca/aws4_request",
				NULL};
	for (int i = 0; scopes[i] != NULL; i++) {
		(void)snprintf(buf, sizeof(buf),
			       "AWS4-HMAC-SHA256 Credential=" T_AKID
			       "%s, SignedHeaders=host;x-amz-date, %s",
			       scopes[i], sig);
		CHECK(t_incomplete(&t, buf));
	}
	/* host, then x-amz-date, not signed. */
	(void)snprintf(buf, sizeof(buf),
		       "AWS4-HMAC-SHA256 Credential=" T_AKID
		       "/20261127/us-east-1/acm-pca/aws4_request, SignedHeaders=x-amz-date, %s",
		       sig);
	CHECK(t_incomplete(&t, buf));
	(void)snprintf(
	    buf, sizeof(buf),
	    "AWS4-HMAC-SHA256 Credential=" T_AKID
	    "/20261127/us-east-1/acm-pca/aws4_request, SignedHeaders=host;x-amz-target, %s",
	    sig);
	CHECK(t_incomplete(&t, buf));
	/* A short signature, a repeated parameter, a repeated signed header. */
	CHECK(t_incomplete(&t, "AWS4-HMAC-SHA256 Credential=" T_AKID
			       "/20261127/us-east-1/acm-pca/aws4_request, "
			       "SignedHeaders=host;x-amz-date, Signature=abcd"));
	(void)snprintf(
	    buf, sizeof(buf),
	    "AWS4-HMAC-SHA256 Credential=" T_AKID
	    "/20261127/us-east-1/acm-pca/aws4_request, SignedHeaders=host;x-amz-date, %s, %s",
	    sig, sig);
	CHECK(t_incomplete(&t, buf));
	(void)snprintf(
	    buf, sizeof(buf),
	    "AWS4-HMAC-SHA256 Credential=" T_AKID
	    "/20261127/us-east-1/acm-pca/aws4_request, SignedHeaders=host;host;x-amz-date, %s",
	    sig);
	CHECK(t_incomplete(&t, buf));
}

TEST(sigv4_incomplete_date)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	/* No X-Amz-Date and no Date. */
	t_init(&t, T_DATE);
	t.headers[2] = (struct http_header){"X-Other", "1"};
	t_sign(&t, "20261127", "us-east-1", "acm-pca", "host;x-other");
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INCOMPLETE_SIGNATURE);
	CHECK(strstr(err.msg, "'X-Amz-Date' or a 'Date'") != NULL);
	/* Not the basic ISO-8601 form. */
	t_init(&t, "2026-11-27T01:30:00Z");
	t_sign(&t, "20261127", "us-east-1", "acm-pca", "host;x-amz-date");
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INCOMPLETE_SIGNATURE);
	/* Two authorization headers. */
	t_init(&t, T_DATE);
	t_sign_default(&t);
	t.headers[t.n + 1] = t.headers[t.n];
	t.req.n_headers = t.n + 2;
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INCOMPLETE_SIGNATURE);
}

TEST(sigv4_date_header_instead_of_amz_date)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	t_init(&t, T_DATE);
	t.headers[2] = (struct http_header){"Date", "Fri, 27 Nov 2026 01:30:00 GMT"};
	t.req.n_headers = t.n;
	/* t_sign looks for X-Amz-Date; sign by hand with the ISO form. */
	char hash[65], hex[65];
	unsigned char key[32], sig[32];
	sigv4_payload_hash(t.req.body, t.req.body_len, hash);
	char *creq = sigv4_canonical_request(&t.req, "content-type;date;host", hash);
	char *sts = sigv4_string_to_sign(T_DATE, "20261127/us-east-1/acm-pca/aws4_request", creq);
	sigv4_signing_key(T_SECRET, "20261127", "us-east-1", "acm-pca", key);
	sigv4_signature(key, sts, sig);
	for (int i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", sig[i]);
	(void)snprintf(t.authz, sizeof(t.authz),
		       "AWS4-HMAC-SHA256 Credential=" T_AKID
		       "/20261127/us-east-1/acm-pca/aws4_request, "
		       "SignedHeaders=content-type;date;host, Signature=%s",
		       hex);
	free(creq);
	free(sts);
	t.headers[t.n] = (struct http_header){"Authorization", t.authz};
	t.req.n_headers = t.n + 1;
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_OK);
	/* The Date header present but not signed. */
	(void)snprintf(t.authz, sizeof(t.authz),
		       "AWS4-HMAC-SHA256 Credential=" T_AKID
		       "/20261127/us-east-1/acm-pca/aws4_request, "
		       "SignedHeaders=content-type;host, Signature=%s",
		       hex);
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INCOMPLETE_SIGNATURE);
}

TEST(sigv4_unrecognized_client)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	t_init(&t, T_DATE);
	t_sign_default(&t);
	char *p = strstr(t.authz, T_AKID);
	p[4] = 'Z'; /* another, unknown, access key id */
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_UNRECOGNIZED_CLIENT);
	CHECK_STR_EQ(err.msg, "The security token included in the request is invalid.");
	CHECK_STR_EQ(cm_code_type(err.code), "UnrecognizedClientException");
}

TEST(sigv4_invalid_signature_scope)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	const char *sh = "content-type;host;x-amz-date;x-amz-target";
	/* Wrong region, wrong service: refused before the key is even looked up. */
	t_init(&t, T_DATE);
	t_sign(&t, "20261127", "eu-west-1", "acm-pca", sh);
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK(strstr(err.msg, "valid region") != NULL);
	t_init(&t, T_DATE);
	t_sign(&t, "20261127", "us-east-1", "acm", sh);
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK(strstr(err.msg, "correct service: 'acm-pca'") != NULL);
	CHECK(t.lookups == 0);
	/* The same request is fine where "acm" is accepted, and says so. */
	CHECK(t_verify(&t, t_both, t_time(T_DATE), &err, &res) == CM_OK);
	CHECK(res.service != NULL && strcmp(res.service, "acm") == 0);
	/* Scope date not the X-Amz-Date's date. */
	t_init(&t, T_DATE);
	t_sign(&t, "20261126", "us-east-1", "acm-pca", sh);
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK(strstr(err.msg, "'20261126' != '20261127'") != NULL);
}

TEST(sigv4_invalid_signature_mismatch)
{
	static const char msg[] =
	    "The request signature we calculated does not match the signature you provided. "
	    "Check your AWS Secret Access Key and signing method. Consult the service "
	    "documentation for details.";
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	t_init(&t, T_DATE);
	t_sign_default(&t);
	size_t len = strlen(t.authz);
	t.authz[len - 1] = t.authz[len - 1] == '0' ? '1' : '0';
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK_STR_EQ(err.msg, msg);
	CHECK_STR_EQ(cm_code_type(err.code), "InvalidSignatureException");
	/* An altered body, target or path. */
	t_init(&t, T_DATE);
	t_sign_default(&t);
	t.req.body = (const unsigned char *)"{\"MaxResults\":11}";
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
	t_init(&t, T_DATE);
	t_sign_default(&t);
	t.headers[3].value = "ACMPrivateCA.DeleteCertificateAuthority";
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
	t_init(&t, T_DATE);
	t_sign_default(&t);
	t.req.path = "/x";
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
	/* An unsigned header may change freely. */
	t_init(&t, T_DATE);
	t.headers[t.n++] = (struct http_header){"User-Agent", "a"};
	t_sign_default(&t);
	t.headers[t.n - 1].value = "b";
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_OK);
}

TEST(sigv4_content_sha256_header)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	char hash[65];
	sigv4_payload_hash((const unsigned char *)T_BODY, strlen(T_BODY), hash);
	t_init(&t, T_DATE);
	t.headers[t.n++] = (struct http_header){"X-Amz-Content-Sha256", hash};
	t_sign_default(&t);
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_OK);
	t_init(&t, T_DATE);
	t.headers[t.n++] = (struct http_header){"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"};
	t_sign_default(&t);
	CHECK(t_verify(&t, t_pca, t_time(T_DATE), &err, &res) == CM_ERR_INVALID_SIGNATURE);
}

TEST(sigv4_clock_skew)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	int64_t at = t_time(T_DATE);
	t_init(&t, T_DATE);
	t_sign_default(&t);
	CHECK(t_verify(&t, t_pca, at + 14 * 60, &err, &res) == CM_OK);
	CHECK(t_verify(&t, t_pca, at - 14 * 60, &err, &res) == CM_OK);
	CHECK(t_verify(&t, t_pca, at + 15 * 60, &err, &res) == CM_OK);
	CHECK(t_verify(&t, t_pca, at + 16 * 60, &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK_STR_EQ(err.msg, "Signature expired: 20261127T013000Z is now earlier than "
			      "20261127T013100Z (20261127T014600Z - 15 min.)");
	CHECK(t_verify(&t, t_pca, at - 16 * 60, &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK_STR_EQ(err.msg, "Signature not yet current: 20261127T013000Z is still later than "
			      "20261127T012900Z (20261127T011400Z + 15 min.)");
	CHECK(t.lookups == 3);
	/* The brief's example: signed at 01:00, arriving at 01:30. */
	t_init(&t, "20261127T010000Z");
	t_sign_default(&t);
	CHECK(t_verify(&t, t_pca, at, &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK_STR_EQ(err.msg, "Signature expired: 20261127T010000Z is now earlier than "
			      "20261127T011500Z (20261127T013000Z - 15 min.)");
}

TEST(sigv4_canonical_uri_rules)
{
	struct {
		const char *in, *want;
	} cases[] = {
	    {"", "/"},
	    {"/", "/"},
	    {"/a%20b", "/a%2520b"}, /* encoded once more, as non-S3 signers do */
	    {"/foo/.", "/foo"},
	    {"/a/b/../c/", "/a/c/"},
	    {"/../..", "/"},
	    {"/a//b///", "/a/b/"},
	    {"/~a-b_c.d", "/~a-b_c.d"},
	    {"/a+b=c", "/a%2Bb%3Dc"},
	    {"/\xff", "/%FF"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sigv4_canonical_uri(cases[i].in);
		CHECK_STR_EQ(got, cases[i].want);
		free(got);
	}
	char *root = sigv4_canonical_uri(NULL);
	CHECK_STR_EQ(root, "/");
	free(root);
}

TEST(sigv4_canonical_query_rules)
{
	struct {
		const char *in, *want;
	} cases[] = {
	    {"", ""},
	    {"b=2&a=1&a=0", "a=0&a=1&b=2"},
	    {"a", "a="},
	    {"a=", "a="},
	    {"&&a=1&", "a=1"},
	    {"x=%7e&%41=1", "A=1&x=~"},
	    {"a=%zz&b=%4", "a=%25zz&b=%254"},
	    {"a=b+c", "a=b%2Bc"},
	    {"a=x=y", "a=x%3Dy"},
	    {"Param-3=3&Param=2", "Param=2&Param-3=3"}, /* name first, then value */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sigv4_canonical_query(cases[i].in);
		CHECK_STR_EQ(got, cases[i].want);
		free(got);
	}
	char *none = sigv4_canonical_query(NULL);
	CHECK_STR_EQ(none, "");
	free(none);
}

TEST(sigv4_dates)
{
	int64_t e = 0;
	char out[SIGV4_DATE_LEN + 1];
	CHECK(sigv4_parse_amz_date("20150830T123600Z", &e) == 0 && e == 1440938160);
	sigv4_format_amz_date(e, out);
	CHECK_STR_EQ(out, "20150830T123600Z");
	CHECK(sigv4_parse_amz_date("20240229T235959Z", &e) == 0);
	sigv4_format_amz_date(e, out);
	CHECK_STR_EQ(out, "20240229T235959Z");
	sigv4_format_amz_date(0, out);
	CHECK_STR_EQ(out, "19700101T000000Z");
	const char *bad[] = {"20150230T000000Z",
			     "20230229T000000Z",
			     "20150830T240000Z",
			     "20150830T126000Z",
			     "20151330T000000Z",
			     "20150830 123600Z",
			     "20150830T123600",
			     "20150830T123600ZZ",
			     "2015083OT123600Z",
			     "19691231T235959Z",
			     "",
			     NULL};
	for (int i = 0; bad[i] != NULL; i++)
		CHECK(sigv4_parse_amz_date(bad[i], &e) < 0);
	CHECK(sigv4_parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT", &e) == 0 && e == 1440938160);
	CHECK(sigv4_parse_http_date("20150830T123600Z", &e) == 0 && e == 1440938160);
	CHECK(sigv4_parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT", &e) < 0);
	CHECK(sigv4_parse_http_date("Sun, 30 Aug 2015 12:36:00 UTC", &e) < 0);
}

TEST(sigv4_parse_authorization_fields)
{
	struct sigv4_auth a;
	struct cm_err err;
	CHECK(sigv4_parse_authorization(
		  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
		  "aws4_request,SignedHeaders=host;x-amz-date,Signature="
		  "5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31",
		  &a, &err) == 0);
	CHECK_STR_EQ(a.access_key_id, "AKIDEXAMPLE");
	CHECK_STR_EQ(a.date, "20150830");
	CHECK_STR_EQ(a.region, "us-east-1");
	CHECK_STR_EQ(a.service, "service");
	CHECK_STR_EQ(a.signed_headers, "host;x-amz-date");
	CHECK(a.signature[0] == 0x5f && a.signature[31] == 0x31);
	/* Order of parameters does not matter; an access key id with '/' cannot parse. */
	CHECK(sigv4_parse_authorization(
		  "AWS4-HMAC-SHA256 Signature="
		  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31, "
		  "SignedHeaders=host, Credential=A/20150830/r/s/aws4_request",
		  &a, &err) == 0);
	CHECK(
	    sigv4_parse_authorization("AWS4-HMAC-SHA256 Credential=A B/20150830/r/s/aws4_request, "
				      "SignedHeaders=host, Signature=00",
				      &a, &err) < 0);
	CHECK(err.code == CM_ERR_INCOMPLETE_SIGNATURE);
}

TEST(sigv4_signing_key_secret_limits)
{
	unsigned char key[32];
	char long_secret[SIGV4_SECRET_MAX + 2];
	memset(long_secret, 'a', sizeof(long_secret) - 1);
	long_secret[sizeof(long_secret) - 1] = '\0';
	CHECK(sigv4_signing_key(long_secret, "20150830", "r", "s", key) < 0);
	long_secret[SIGV4_SECRET_MAX] = '\0';
	CHECK(sigv4_signing_key(long_secret, "20150830", "r", "s", key) == 0);
	OPENSSL_cleanse(key, sizeof(key));
}

TEST(sigv4_result_cleared_on_failure)
{
	struct t_req t;
	struct cm_err err;
	struct sigv4_result res;
	t_init(&t, T_DATE);
	t_sign_default(&t);
	/* Scope fine, clock not: nothing of the result may look like a caller. */
	CHECK(t_verify(&t, t_pca, t_time(T_DATE) + 3600, &err, &res) == CM_ERR_INVALID_SIGNATURE);
	CHECK(res.service == NULL && res.account_id[0] == '\0' && res.access_key_id[0] == '\0');
}
