/* The SigV4 canonical request (AWS "Create a canonical request"): the request
 * rewritten into the one form signer and verifier both hash. Matches botocore
 * for non-S3 services: dot segments and empty segments removed from the path,
 * which is then encoded again; query pairs decoded, re-encoded and sorted. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/sigv4.h"
#include "util/hex.h"
#include "util/strbuf.h"

/* Past this the request is not one any AWS client makes; refuse, do not grow. */
#define CANON_MAX	 (1u << 20)
#define CANON_MAX_PARAMS 1024

static bool canon_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 3986 encoding as SigV4 wants it: unreserved bytes as they are, every
 * other byte %XX with uppercase hex. */
static void canon_encode(struct strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (canon_unreserved(c)) {
			strbuf_put(b, (const char *)&c, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			strbuf_put(b, e, 3);
		}
	}
}

char *sigv4_canonical_uri(const char *path)
{
	struct strbuf b = {.max = CANON_MAX};
	size_t n = path != NULL ? strlen(path) : 0;
	/* Offsets and lengths of the kept segments: a stack, so ".." pops. */
	size_t *seg_off = calloc(n / 2 + 1, sizeof(size_t));
	size_t *seg_len = calloc(n / 2 + 1, sizeof(size_t));
	size_t nseg = 0;
	if (seg_off == NULL || seg_len == NULL) {
		free(seg_off);
		free(seg_len);
		return NULL;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && path[j] != '/')
			j++;
		size_t len = j - i;
		if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (nseg > 0)
				nseg--;
		} else if (len > 0 && !(len == 1 && path[i] == '.')) {
			seg_off[nseg] = i;
			seg_len[nseg++] = len;
		}
		i = j + 1;
	}
	strbuf_put(&b, "/", 1);
	for (size_t k = 0; k < nseg; k++) {
		if (k > 0)
			strbuf_put(&b, "/", 1);
		canon_encode(&b, path + seg_off[k], seg_len[k]);
	}
	/* botocore keeps a trailing slash only when a segment is left before it. */
	if (nseg > 0 && path[n - 1] == '/')
		strbuf_put(&b, "/", 1);
	free(seg_off);
	free(seg_len);
	return strbuf_take(&b, NULL);
}

/* Percent-decodes s[0..n) then encodes it canonically; a '%' not followed by
 * two hex digits stands for itself. '+' stays '+': SigV4 signers encode a
 * space as %20, never '+'. */
static char *canon_reencode(const char *s, size_t n)
{
	struct strbuf b = {.max = CANON_MAX};
	char *raw = malloc(n + 1);
	size_t r = 0;
	if (raw == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = hex_digit_value(s[i + 1])) >= 0 &&
		    (lo = hex_digit_value(s[i + 2])) >= 0) {
			raw[r++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			raw[r++] = s[i];
		}
	}
	canon_encode(&b, raw, r);
	free(raw);
	return strbuf_take(&b, NULL);
}

struct canon_param {
	char *name, *value;
};

static int canon_param_cmp(const void *a, const void *b)
{
	const struct canon_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c != 0 ? c : strcmp(x->value, y->value);
}

char *sigv4_canonical_query(const char *query)
{
	struct strbuf b = {.max = CANON_MAX};
	struct canon_param *params = NULL;
	size_t np = 0;
	char *out = NULL;
	if (query == NULL || query[0] == '\0')
		return strdup("");
	params = calloc(CANON_MAX_PARAMS, sizeof(*params));
	if (params == NULL)
		return NULL;
	for (const char *p = query; *p != '\0';) {
		size_t len = strcspn(p, "&");
		if (len > 0) {
			const char *eq = memchr(p, '=', len);
			size_t nlen = eq != NULL ? (size_t)(eq - p) : len;
			if (np == CANON_MAX_PARAMS)
				goto out;
			params[np].name = canon_reencode(p, nlen);
			params[np].value =
			    eq != NULL ? canon_reencode(eq + 1, len - nlen - 1) : strdup("");
			np++;
			if (params[np - 1].name == NULL || params[np - 1].value == NULL)
				goto out;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	qsort(params, np, sizeof(*params), canon_param_cmp);
	for (size_t i = 0; i < np; i++) {
		if (i > 0)
			strbuf_put(&b, "&", 1);
		strbuf_puts(&b, params[i].name);
		strbuf_put(&b, "=", 1);
		strbuf_puts(&b, params[i].value);
	}
	out = strbuf_take(&b, NULL);
out:
	for (size_t i = 0; i < np; i++) {
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
	if (out == NULL)
		free(b.p);
	return out;
}

/* Appends one header value trimmed, with runs of spaces and tabs collapsed to
 * one space (AWS: "Trimall"). */
static void canon_trimall(struct strbuf *b, const char *v)
{
	bool pending_space = false, any = false;
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			pending_space = any;
			continue;
		}
		if (pending_space)
			strbuf_put(b, " ", 1);
		strbuf_put(b, v, 1);
		pending_space = false;
		any = true;
	}
}

/* "name:v1,v2\n" for one signed header name: every received header of that
 * name (case-insensitive), in the order received, joined by ','. */
static void canon_header(struct strbuf *b, const struct sigv4_request *req, const char *name,
			 size_t nlen)
{
	bool first = true;
	for (size_t i = 0; i < nlen; i++) {
		char c = name[i];
		c = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		strbuf_put(b, &c, 1);
	}
	strbuf_put(b, ":", 1);
	for (size_t i = 0; i < req->n_headers; i++) {
		const char *h = req->headers[i].name;
		if (h == NULL || strlen(h) != nlen || strncasecmp(h, name, nlen) != 0)
			continue;
		if (!first)
			strbuf_put(b, ",", 1);
		canon_trimall(b, req->headers[i].value != NULL ? req->headers[i].value : "");
		first = false;
	}
	strbuf_put(b, "\n", 1);
}

char *sigv4_canonical_request(const struct sigv4_request *req, const char *signed_headers,
			      const char *payload_hash)
{
	struct strbuf b = {.max = CANON_MAX};
	char *uri = sigv4_canonical_uri(req->path);
	char *query = sigv4_canonical_query(req->query);
	if (uri == NULL || query == NULL) {
		b.failed = true;
		goto out;
	}
	strbuf_puts(&b, req->method != NULL ? req->method : "");
	strbuf_put(&b, "\n", 1);
	strbuf_puts(&b, uri);
	strbuf_put(&b, "\n", 1);
	strbuf_puts(&b, query);
	strbuf_put(&b, "\n", 1);
	for (const char *p = signed_headers; *p != '\0';) {
		size_t len = strcspn(p, ";");
		if (len > 0)
			canon_header(&b, req, p, len);
		p += len;
		if (*p == ';')
			p++;
	}
	strbuf_put(&b, "\n", 1);
	strbuf_puts(&b, signed_headers);
	strbuf_put(&b, "\n", 1);
	strbuf_puts(&b, payload_hash);
out:
	free(uri);
	free(query);
	return strbuf_take(&b, NULL);
}
