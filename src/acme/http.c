/* One HTTP exchange with the CA over libcurl: capped body, the headers ACME
 * needs (Replay-Nonce, Location, Retry-After, Link, Content-Type), no
 * redirects (ACME never redirects; following one could send a signed
 * request elsewhere), https only unless the directory itself is http. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/internal.h"
#include "util/clock.h"
#include "util/curl_init.h"

void acme_resp_clear(struct acme_resp *r)
{
	if (r == NULL)
		return;
	free(r->body);
	for (size_t i = 0; i < r->nalternates; i++)
		free(r->alternates[i]);
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

static size_t acme_body_cb(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct acme_resp *r = ctx;
	size_t n = size * nmemb;
	if (n > ACME_MAX_BODY - r->body_len)
		return 0; /* over the cap: curl aborts the transfer */
	char *b = realloc(r->body, r->body_len + n + 1);
	if (b == NULL)
		return 0;
	memcpy(b + r->body_len, ptr, n);
	r->body = b;
	r->body_len += n;
	b[r->body_len] = '\0';
	return n;
}

/* Copies a header value (trimmed) into out; false when it does not fit or
 * holds control characters, so a hostile header cannot be half-used. */
static bool acme_hdr_copy(const char *v, size_t len, char *out, size_t size)
{
	while (len > 0 && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ' ||
			   v[len - 1] == '\t'))
		len--;
	if (len >= size)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}

static bool acme_hdr_is(const char *line, size_t len, const char *name, size_t *vstart)
{
	size_t n = strlen(name);
	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return false;
	*vstart = n + 1;
	return true;
}

static size_t acme_header_cb(char *line, size_t size, size_t nmemb, void *ctx)
{
	struct acme_resp *r = ctx;
	size_t len = size * nmemb, v = 0;
	char value[ACME_MAX_URL + 64];
	/* A new status line (e.g. after "100 Continue") starts a new header set. */
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		for (size_t i = 0; i < r->nalternates; i++)
			free(r->alternates[i]);
		r->nalternates = 0;
		r->location[0] = r->content_type[0] = '\0';
		r->retry_after = -1;
		return len;
	}
	if (acme_hdr_is(line, len, "Replay-Nonce", &v)) {
		if (!acme_hdr_copy(line + v, len - v, r->nonce, sizeof(r->nonce)))
			r->nonce[0] = '\0';
	} else if (acme_hdr_is(line, len, "Location", &v)) {
		if (!acme_hdr_copy(line + v, len - v, r->location, sizeof(r->location)))
			r->header_error = true;
	} else if (acme_hdr_is(line, len, "Content-Type", &v)) {
		if (!acme_hdr_copy(line + v, len - v, r->content_type, sizeof(r->content_type)))
			r->content_type[0] = '\0';
	} else if (acme_hdr_is(line, len, "Retry-After", &v)) {
		/* An HTTP-date is on the CA's real clock, not our (test-movable) one. */
		if (acme_hdr_copy(line + v, len - v, value, sizeof(value)))
			r->retry_after = acme_retry_after_parse(value, (long long)clock_wall_now());
	} else if (acme_hdr_is(line, len, "Link", &v)) {
		/* Only alternates come from Link: a bad one means fewer choices, not a failure. */
		if (acme_hdr_copy(line + v, len - v, value, sizeof(value)))
			(void)acme_link_parse(value, "alternate", r->alternates, &r->nalternates,
					      ACME_MAX_ALTERNATES);
	}
	return len;
}

static struct curl_slist *acme_headers(const char *body, const char *accept)
{
	char acc[160];
	struct curl_slist *list = curl_slist_append(NULL, "Expect:");
	if (list != NULL && body != NULL)
		list = curl_slist_append(list, "Content-Type: application/jose+json");
	if (list != NULL && accept != NULL) {
		snprintf(acc, sizeof(acc), "Accept: %s", accept);
		list = curl_slist_append(list, acc);
	}
	return list; /* curl_slist_append returns NULL and keeps nothing on failure */
}

static void acme_setopts(CURL *h, const struct acme_client *c, const char *method, const char *url,
			 const char *body, struct curl_slist *hdrs, struct acme_resp *r)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->allow_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in a threaded server */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "certain-acme/1");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, acme_body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, acme_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ACME_MAX_BODY);
	if (c->ca_bundle != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
}

int acme_http(struct acme_client *c, const char *method, const char *url, const char *body,
	      const char *accept, struct acme_resp *r, struct cm_err *err)
{
	struct curl_slist *hdrs = NULL;
	int rc = -1;
	acme_resp_clear(r);
	curl_init_once();
	if (!acme_url_ok(url, c->allow_http))
		return acme_fail(c, err, CM_ERR_REQUEST_FAILED, "ACME CA %s: refusing URL",
				 c->name);
	CURL *h = curl_easy_init();
	if (h == NULL || (hdrs = acme_headers(body, accept)) == NULL) {
		acme_fail(c, err, CM_ERR_INTERNAL, "cannot start an HTTP client");
		goto out;
	}
	acme_setopts(h, c, method, url, body, hdrs, r);
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		/* An oversized answer is the CA misbehaving, not the network: not transient. */
		if (cc == CURLE_WRITE_ERROR || cc == CURLE_FILESIZE_EXCEEDED)
			acme_fail(c, err, CM_ERR_REQUEST_FAILED, "ACME CA %s: response too large",
				  c->name);
		else /* curl's generic text: the detailed one may quote the URL's query. */
			acme_fail(c, err, CM_ERR_UNAVAILABLE, "ACME CA %s: %s", c->name,
				  curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->nonce[0] != '\0')
		memcpy(c->nonce, r->nonce, sizeof(c->nonce));
	if (r->body == NULL && (r->body = calloc(1, 1)) == NULL) {
		acme_fail(c, err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc;
}
