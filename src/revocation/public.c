/* The public listener's handler: unauthenticated, plain HTTP (CRLs and OCSP
 * responses carry their own signatures). GET /<CustomPath or crl>/<CA
 * id>.crl (<CA id>-<partition>.crl when PARTITIONED) serves the current CRL
 * (RFC 5280 §4.2.1.13, DER as application/pkix-crl per RFC 2585); POST /ocsp
 * and GET /ocsp/<base64> answer OCSP (RFC 6960 Appendix A). POST / and GET
 * /<base64> are OCSP too, for an OcspCustomCname host proxied here (AWS
 * names the bare host). Anything else is 404. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "revocation/internal.h"
#include "util/log.h"

#define PUBLIC_OCSP_PREFIX "/ocsp/"

static void public_text(struct http_response *resp, int status, const char *text)
{
	size_t n = strlen(text);
	resp->status = status;
	resp->content_type = "text/plain";
	resp->body = malloc(n);
	if (resp->body != NULL) {
		memcpy(resp->body, text, n);
		resp->body_len = n;
	}
}

/* A CA id as pca/ makes them: a lowercase UUID (36 of [0-9a-f-]). Checked
 * before it goes anywhere, so no path or query trick reaches the lookup. */
static bool public_is_ca_id(const char *s, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : strchr("0123456789abcdef", s[i]) == NULL || s[i] == '\0')
			return false;
	}
	return true;
}

/* Whether path is a CRL's: "/<dir>/<name>.crl" with a non-empty dir. A
 * '.' never occurs in base64, so no OCSP GET ends like this. */
static bool public_is_crl_path(const char *path)
{
	size_t n = strlen(path);
	const char *slash = strrchr(path, '/');
	return n > 4 && strcmp(path + n - 4, ".crl") == 0 && slash != NULL && slash > path + 1;
}

static void public_crl(const char *path, struct http_response *resp)
{
	const char *slash = strrchr(path, '/'), *name = slash + 1;
	size_t n = strlen(name), dir_len = (size_t)(slash - path - 1);
	char id[40], dir[256];
	unsigned char *der = NULL;
	size_t len = 0;
	int part = -1;
	/* "<id>-<one hex digit>.crl": a partition's CRL (pca_crl_url). */
	if (n == 36 + 2 + 4 && name[36] == '-' && strchr("0123456789abcdef", name[37]) != NULL) {
		part = name[37] <= '9' ? name[37] - '0' : name[37] - 'a' + 10;
		n -= 2;
	}
	/* The directory is only compared with the CA's, never used as a path. */
	if (!public_is_ca_id(name, n - 4) || dir_len >= sizeof(dir)) {
		public_text(resp, 404, "not found\n");
		return;
	}
	memcpy(id, name, 36);
	id[36] = '\0';
	memcpy(dir, path + 1, dir_len);
	dir[dir_len] = '\0';
	if (crl_worker_get(id, dir, part, &der, &len) < 0) {
		public_text(resp, 404, "no CRL is published for this certificate authority\n");
		return;
	}
	resp->status = 200;
	resp->content_type = "application/pkix-crl";
	resp->body = (char *)der;
	resp->body_len = len;
}

/* at_root: GET /<text> is OCSP only if the text parses; else it is 404. */
static void public_ocsp(const struct http_request *req, const char *get_text, bool at_root,
			struct http_response *resp)
{
	size_t len = 0;
	bool malformed = false;
	unsigned char *der =
		ocsp_responder_answer(req->body, req->body_len, get_text, &len, &malformed);
	if (at_root && malformed) {
		free(der);
		public_text(resp, 404, "not found\n");
		return;
	}
	if (der == NULL) {
		public_text(resp, 500, "out of memory\n");
		return;
	}
	/* RFC 6960 A.1: errors are OCSP responses too, sent with 200. */
	resp->status = 200;
	resp->content_type = "application/ocsp-response";
	resp->body = (char *)der;
	resp->body_len = len;
}

void revocation_public_handle(void *ctx, const struct http_request *req,
			      struct http_response *resp)
{
	(void)ctx;
	bool get = strcmp(req->method, "GET") == 0;
	bool post = strcmp(req->method, "POST") == 0;
	const char *path = req->path;
	if (req->body_too_large) {
		public_text(resp, 413, "request too large\n");
		return;
	}
	if (get && public_is_crl_path(path))
		public_crl(path, resp);
	else if (post && (strcmp(path, "/ocsp") == 0 || strcmp(path, "/") == 0))
		public_ocsp(req, NULL, false, resp);
	else if (get && strncmp(path, PUBLIC_OCSP_PREFIX, strlen(PUBLIC_OCSP_PREFIX)) == 0 &&
		 path[strlen(PUBLIC_OCSP_PREFIX)] != '\0')
		public_ocsp(req, path + strlen(PUBLIC_OCSP_PREFIX), false, resp);
	else if (get && path[0] == '/' && path[1] != '\0')
		public_ocsp(req, path + 1, true, resp);
	else
		public_text(resp, 404, "not found\n");
}
