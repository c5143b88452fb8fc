/* SigV4 against outside answers: every stage of the published AWS test-suite
 * cases (tests/unit/sigv4-vectors, see its README), and whole requests that
 * botocore and the aws CLI (v1 and Debian's v2) really sent, verified end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "harness.h"

#define VEC_DIR	   "tests/unit/sigv4-vectors"
#define VEC_AKID   "AKIDEXAMPLE"
#define VEC_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define VEC_SCOPE  "20150830/us-east-1/service/aws4_request"
#define VEC_DATE   "20150830T123600Z"

static const char *const vec_names[] = {
    "get-vanilla",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-empty-query-key",
    "get-vanilla-with-session-token",
    "get-header-key-duplicate",
    "get-header-value-order",
    "get-header-value-trim",
    "get-unreserved",
    "get-utf8",
    "get-space",
    "get-slash",
    "get-slashes",
    "get-slash-dot-slash",
    "get-slash-pointless-dot",
    "get-relative",
    "get-relative-relative",
    "post-vanilla",
    "post-vanilla-query",
    "post-header-key-sort",
    "post-header-value-case",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
    NULL,
};

/* A .req file taken apart in place. */
struct vec_req {
	char *text; /* the file; the fields below point into it */
	size_t text_len;
	struct http_header headers[HTTP_MAX_HEADERS + 1];
	struct sigv4_request req;
};

static char *vec_read(const char *name, const char *ext, size_t *len)
{
	char path[512];
	(void)snprintf(path, sizeof(path), VEC_DIR "/%s/%s%s", name, name, ext);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		(void)fprintf(stderr, "  cannot open %s\n", path);
		return NULL;
	}
	char *buf = malloc(1 << 16);
	size_t n = buf != NULL ? fread(buf, 1, (1 << 16) - 1, f) : 0;
	(void)fclose(f);
	if (buf != NULL)
		buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

/* "METHOD TARGET HTTP/1.1\nName:value\n...\n\nbody": the suite's .req layout. */
static int vec_parse(struct vec_req *v)
{
	char *p = v->text, *nl = strchr(p, '\n');
	if (nl == NULL)
		return -1;
	*nl = '\0';
	char *sp1 = strchr(p, ' '), *sp2 = sp1 != NULL ? strrchr(sp1 + 1, ' ') : NULL;
	if (sp1 == NULL || sp2 == NULL)
		return -1;
	*sp1 = *sp2 = '\0';
	v->req.method = p;
	v->req.path = sp1 + 1;
	char *q = strchr(sp1 + 1, '?');
	v->req.query = "";
	if (q != NULL) {
		*q = '\0';
		v->req.query = q + 1;
	}
	v->req.headers = v->headers;
	for (p = nl + 1; *p != '\n' && *p != '\0';) {
		nl = strchr(p, '\n');
		char *colon = strchr(p, ':');
		if (nl == NULL || colon == NULL || colon > nl ||
		    v->req.n_headers == HTTP_MAX_HEADERS)
			return -1;
		*nl = *colon = '\0';
		v->headers[v->req.n_headers].name = p;
		v->headers[v->req.n_headers++].value = colon + 1;
		p = nl + 1;
	}
	if (*p == '\n')
		p++;
	v->req.body = (const unsigned char *)p;
	v->req.body_len = v->text_len - (size_t)(p - v->text);
	return 0;
}

static int vec_lookup(void *ctx, const struct sigv4_auth *auth, unsigned char key[32],
		      char *account, size_t account_size)
{
	const char *const *cred = ctx; /* {akid, secret} */
	if (strcmp(auth->access_key_id, cred[0]) != 0 ||
	    sigv4_signing_key(cred[1], auth->date, auth->region, auth->service, key) < 0)
		return -1;
	(void)snprintf(account, account_size, "%s", "123456789012");
	return 0;
}

/* Every stage of one suite case; returns the number of failed checks. */
static int vec_check(const char *name)
{
	int failures = 0, *harness_failures = &failures;
	struct vec_req v = {0};
	struct sigv4_auth auth;
	struct sigv4_result res;
	struct cm_err err = {0};
	char hash[65];
	unsigned char key[32], sig[32];
	static const char *const services[] = {"service", NULL};
	static const char *const cred[] = {VEC_AKID, VEC_SECRET};
	char *creq_want = vec_read(name, ".creq", NULL);
	char *sts_want = vec_read(name, ".sts", NULL);
	char *authz = vec_read(name, ".authz", NULL);
	char *creq = NULL, *sts = NULL;
	int64_t now = 0;
	v.text = vec_read(name, ".req", &v.text_len);
	CHECK(v.text != NULL && creq_want != NULL && sts_want != NULL && authz != NULL);
	if (v.text == NULL || creq_want == NULL || sts_want == NULL || authz == NULL)
		goto out;
	CHECK(vec_parse(&v) == 0);
	CHECK(sigv4_parse_authorization(authz, &auth, &err) == 0);
	sigv4_payload_hash(v.req.body, v.req.body_len, hash);
	creq = sigv4_canonical_request(&v.req, auth.signed_headers, hash);
	CHECK_STR_EQ(creq, creq_want);
	sts = creq != NULL ? sigv4_string_to_sign(VEC_DATE, VEC_SCOPE, creq) : NULL;
	CHECK_STR_EQ(sts, sts_want);
	CHECK(sigv4_signing_key(VEC_SECRET, "20150830", "us-east-1", "service", key) == 0);
	CHECK(sts != NULL && sigv4_signature(key, sts, sig) == 0 &&
	      memcmp(sig, auth.signature, 32) == 0);

	/* The whole request, as the server sees it, with the Authorization header. */
	v.headers[v.req.n_headers].name = "Authorization";
	v.headers[v.req.n_headers++].value = authz;
	CHECK(sigv4_parse_amz_date(VEC_DATE, &now) == 0);
	CHECK(sigv4_verify(&v.req, services, "us-east-1", now, vec_lookup, (void *)cred, &res,
			   &err) == 0);
	CHECK_STR_EQ(res.account_id, "123456789012");
	CHECK_STR_EQ(res.access_key_id, VEC_AKID);
	/* Any other method is another request. */
	const char *method = v.req.method;
	v.req.method = strcmp(method, "GET") == 0 ? "PUT" : "GET";
	CHECK(sigv4_verify(&v.req, services, "us-east-1", now, vec_lookup, (void *)cred, &res,
			   &err) < 0 &&
	      err.code == CM_ERR_INVALID_SIGNATURE);
	v.req.method = method;
out:
	if (failures != 0)
		(void)fprintf(stderr, "  vector %s failed\n", name);
	free(creq);
	free(sts);
	free(creq_want);
	free(sts_want);
	free(authz);
	free(v.text);
	return failures;
}

TEST(sigv4_vectors_aws_suite)
{
	int passed = 0, total = 0;
	for (size_t i = 0; vec_names[i] != NULL; i++) {
		int f = vec_check(vec_names[i]);
		*harness_failures += f;
		passed += f == 0;
		total++;
	}
	if (passed != total)
		(void)fprintf(stderr, "  %d of %d AWS suite vectors pass\n", passed, total);
	CHECK(total == 25);
}

/* A request a real client sent: verified as is, refused when late or altered. */
static int vec_client(const char *name, const char *want_service)
{
	int failures = 0, *harness_failures = &failures;
	struct vec_req v = {0};
	struct sigv4_result res;
	struct cm_err err = {0};
	static const char *const services[] = {"acm-pca", "acm", NULL};
	char *meta = vec_read(name, ".meta", NULL);
	const char *cred[2] = {NULL, NULL};
	int64_t now = 0;
	v.text = vec_read(name, ".req", &v.text_len);
	CHECK(v.text != NULL && meta != NULL);
	if (v.text == NULL || meta == NULL)
		goto out;
	CHECK(vec_parse(&v) == 0);
	cred[0] = strtok(meta, "\n");
	cred[1] = strtok(NULL, "\n");
	const char *date = NULL;
	for (size_t i = 0; i < v.req.n_headers; i++)
		if (strcmp(v.headers[i].name, "X-Amz-Date") == 0)
			date = v.headers[i].value;
	CHECK(date != NULL && sigv4_parse_amz_date(date, &now) == 0);
	CHECK(sigv4_verify(&v.req, services, "us-east-1", now + 60, vec_lookup, (void *)cred, &res,
			   &err) == 0);
	CHECK(res.service != NULL && strcmp(res.service, want_service) == 0);
	CHECK_STR_EQ(res.account_id, "123456789012");
	CHECK(sigv4_verify(&v.req, services, "us-east-1", now + 16 * 60, vec_lookup, (void *)cred,
			   &res, &err) < 0 &&
	      err.code == CM_ERR_INVALID_SIGNATURE && strstr(err.msg, "Signature expired") != NULL);
	/* One body byte changed: the hash line changes, so does the signature. */
	CHECK(v.req.body_len > 2);
	((char *)v.req.body)[1] ^= 1;
	CHECK(sigv4_verify(&v.req, services, "us-east-1", now, vec_lookup, (void *)cred, &res,
			   &err) < 0 &&
	      err.code == CM_ERR_INVALID_SIGNATURE);
out:
	free(meta);
	free(v.text);
	return failures;
}

TEST(sigv4_vectors_real_clients)
{
	*harness_failures += vec_client("botocore-acm-pca-list", "acm-pca");
	*harness_failures += vec_client("botocore-acm-list", "acm");
	*harness_failures += vec_client("awscli2-acm-describe", "acm");
	*harness_failures += vec_client("awscli-acm-pca-describe", "acm-pca");
}
