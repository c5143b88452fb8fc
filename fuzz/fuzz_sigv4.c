/* libFuzzer target: SigV4 verification of hostile requests. Input, like the
 * AWS suite's .req files: "METHOD PATH[?QUERY]\n" then "Name:value\n" header
 * lines, an empty line, and the body. Any akid resolves to one secret, so
 * inputs reach every check. Oracle: a request re-signed here with its own
 * scope and signed headers must never fail as a signature mismatch. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/sigv4.h"

#define FZ_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define FZ_NOW	  1440938160 /* 20150830T123600Z, the date of the seed corpus */

static int fz_lookup(void *ctx, const struct sigv4_auth *auth, unsigned char key[32],
		     char *account, size_t account_size)
{
	(void)ctx;
	if (auth->access_key_id[0] == 'X' || /* some keys are unknown */
	    sigv4_signing_key(FZ_SECRET, auth->date, auth->region, auth->service, key) < 0)
		return -1;
	(void)snprintf(account, account_size, "%s", "123456789012");
	return 0;
}

/* Splits text (NUL-terminated, modified) into req; 0 or -1. */
static int fz_parse(char *text, size_t len, struct http_header *h, struct sigv4_request *req)
{
	char *nl = strchr(text, '\n');
	if (nl == NULL)
		return -1;
	*nl = '\0';
	char *sp = strchr(text, ' ');
	req->method = text;
	req->path = "/";
	req->query = "";
	if (sp != NULL) {
		*sp = '\0';
		req->path = sp + 1;
		char *q = strchr(sp + 1, '?');
		if (q != NULL) {
			*q = '\0';
			req->query = q + 1;
		}
	}
	char *p = nl + 1;
	req->headers = h;
	req->n_headers = 0;
	while (*p != '\0' && *p != '\n' && req->n_headers < HTTP_MAX_HEADERS - 1) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		char *colon = strchr(p, ':');
		if (colon != NULL) {
			*colon = '\0';
			h[req->n_headers].name = p;
			h[req->n_headers++].value = colon + 1;
		}
		if (nl == NULL) {
			p += strlen(p);
			break;
		}
		p = nl + 1;
	}
	if (*p == '\n')
		p++;
	req->body = (const unsigned char *)p;
	req->body_len = len - (size_t)(p - text);
	return 0;
}

/* The request's time as verify reads it; -1 when it has none usable. */
static int fz_time(const struct sigv4_request *req, char out[SIGV4_DATE_LEN + 1])
{
	int64_t when = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < req->n_headers; i++) {
			if (strcasecmp(req->headers[i].name, pass == 0 ? "x-amz-date" : "date") !=
			    0)
				continue;
			int rc = pass == 0 ? sigv4_parse_amz_date(req->headers[i].value, &when)
					   : sigv4_parse_http_date(req->headers[i].value, &when);
			if (rc < 0)
				return -1;
			sigv4_format_amz_date(when, out);
			return 0;
		}
	}
	return -1;
}

/* Re-signs req (its Authorization header at index ai) and verifies again. */
static void fz_resign(struct sigv4_request *req, struct http_header *h, size_t ai,
		      const struct sigv4_auth *auth, const char *const *services)
{
	char amz_date[SIGV4_DATE_LEN + 1], scope[256], hash[65], hex[65], authz[2600];
	unsigned char key[32], sig[32];
	struct sigv4_result res;
	struct cm_err err = {0};
	/* The Authorization header cannot sign itself. */
	if (strcasestr(auth->signed_headers, "authorization") != NULL || fz_time(req, amz_date) < 0)
		return;
	(void)snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", auth->date, auth->region,
		       auth->service);
	sigv4_payload_hash(req->body, req->body_len, hash);
	char *creq = sigv4_canonical_request(req, auth->signed_headers, hash);
	char *sts = creq != NULL ? sigv4_string_to_sign(amz_date, scope, creq) : NULL;
	if (sts != NULL &&
	    sigv4_signing_key(FZ_SECRET, auth->date, auth->region, auth->service, key) == 0 &&
	    sigv4_signature(key, sts, sig) == 0) {
		for (int i = 0; i < 32; i++)
			(void)snprintf(hex + 2 * i, 3, "%02x", sig[i]);
		(void)snprintf(authz, sizeof(authz),
			       "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
			       auth->access_key_id, scope, auth->signed_headers, hex);
		h[ai].value = authz;
		if (sigv4_verify(req, services, "us-east-1", FZ_NOW, fz_lookup, NULL, &res, &err) <
			0 &&
		    err.code == CM_ERR_INVALID_SIGNATURE &&
		    strstr(err.msg, "we calculated") != NULL)
			abort();
	}
	free(creq);
	free(sts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const services[] = {"service", "acm-pca", "acm", NULL};
	struct http_header h[HTTP_MAX_HEADERS];
	struct sigv4_request req = {0};
	struct sigv4_result res;
	struct sigv4_auth auth;
	struct cm_err err = {0};
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (fz_parse(text, size, h, &req) == 0) {
		int rc =
		    sigv4_verify(&req, services, "us-east-1", FZ_NOW, fz_lookup, NULL, &res, &err);
		/* Every refusal is one of the envelope's auth errors, never a crash
		 * or an internal fault. */
		if (rc < 0 && err.code != CM_ERR_MISSING_AUTH &&
		    err.code != CM_ERR_INCOMPLETE_SIGNATURE &&
		    err.code != CM_ERR_INVALID_SIGNATURE && err.code != CM_ERR_UNRECOGNIZED_CLIENT)
			abort();
		for (size_t i = 0; i < req.n_headers; i++) {
			if (strcasecmp(h[i].name, "authorization") == 0 &&
			    sigv4_parse_authorization(h[i].value, &auth, &err) == 0) {
				fz_resign(&req, h, i, &auth, services);
				break;
			}
		}
	}
	free(text);
	return 0;
}
