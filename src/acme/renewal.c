/* ACME Renewal Information (RFC 9773): an unauthenticated GET of the CA's
 * suggested renewal window for one certificate, so the worker can renew when
 * the CA asks (e.g. ahead of a mass revocation) rather than on our schedule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/internal.h"

void acme_renewal_info_clear(struct acme_renewal_info *ri)
{
	if (ri == NULL)
		return;
	free(ri->explanation_url);
	memset(ri, 0, sizeof(*ri));
	ri->retry_after = -1;
}

static int acme_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int acme_rfc3339_parse(const char *s, long long *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	if (s == NULL || strlen(s) < 20 || acme_digits(s, 4, &y) < 0 || s[4] != '-' ||
	    acme_digits(s + 5, 2, &mo) < 0 || s[7] != '-' || acme_digits(s + 8, 2, &d) < 0 ||
	    (s[10] != 'T' && s[10] != 't') || acme_digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    acme_digits(s + 14, 2, &mi) < 0 || s[16] != ':' || acme_digits(s + 17, 2, &sec) < 0)
		return -1;
	const char *p = s + 19;
	if (*p == '.') { /* fractions of a second: dropped */
		size_t n = strspn(p + 1, "0123456789");
		if (n == 0 || n > 9)
			return -1;
		p += 1 + n;
	}
	int sign = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (acme_digits(p + 1, 2, &oh) < 0 || p[3] != ':' ||
		    acme_digits(p + 4, 2, &om) < 0 || oh > 23 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = sec};
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (long long)t - sign * (oh * 3600LL + om * 60LL);
	return 0;
}

int acme_renewal_info_parse(const char *body, size_t len, struct acme_renewal_info *ri,
			    struct cm_err *err)
{
	memset(ri, 0, sizeof(*ri));
	ri->retry_after = -1;
	json_t *root = acme_json_load(body, len);
	int rc = -1;
	json_t *w = json_object_get(root, "suggestedWindow");
	json_t *ex = json_object_get(root, "explanationURL");
	if (!json_is_object(root) || !json_is_object(w) ||
	    acme_rfc3339_parse(json_string_value(json_object_get(w, "start")), &ri->start) < 0 ||
	    acme_rfc3339_parse(json_string_value(json_object_get(w, "end")), &ri->end) < 0 ||
	    ri->end <= ri->start || (ex != NULL && !json_is_string(ex))) {
		cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: malformed renewalInfo");
		goto out;
	}
	/* Only a URL a human may follow; anything else is dropped, not fatal. */
	if (ex != NULL && acme_url_ok(json_string_value(ex), false) &&
	    (ri->explanation_url = strdup(json_string_value(ex))) == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int acme_renewal_info_fetch(struct acme_client *c, const char *cert_id,
			    struct acme_renewal_info *ri, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	char url[ACME_MAX_URL];
	int rc = -1;
	const struct acme_directory *d = acme_client_directory(c, err);
	if (d == NULL)
		goto out;
	if (d->renewal_info == NULL) {
		acme_fail(c, err, CM_ERR_NOT_FOUND, "ACME CA %s has no renewalInfo", c->name);
		goto out;
	}
	/* The ID is base64url "." base64url: nothing that could change the path. */
	if (cert_id == NULL || cert_id[0] == '\0' ||
	    strspn(cert_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
		strlen(cert_id)) {
		acme_fail(c, err, CM_ERR_INVALID_ARGS, "ACME: bad renewalInfo certificate ID");
		goto out;
	}
	size_t base = strlen(d->renewal_info);
	int n = snprintf(url, sizeof(url), "%s%s%s", d->renewal_info,
			 base > 0 && d->renewal_info[base - 1] == '/' ? "" : "/", cert_id);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		acme_fail(c, err, CM_ERR_INVALID_ARGS, "ACME: renewalInfo URL too long");
		goto out;
	}
	if (acme_http(c, "GET", url, NULL, "application/json", &r, err) < 0)
		goto out;
	if (r.status != 200) {
		acme_fail_resp(c, &r, "renewalInfo", err);
		goto out;
	}
	acme_renewal_info_clear(ri);
	if (acme_renewal_info_parse(r.body, r.body_len, ri, err) < 0) {
		acme_fail(c, err, CM_ERR_REQUEST_FAILED, "ACME CA %s: malformed renewalInfo",
			  c->name);
		goto out;
	}
	ri->retry_after = r.retry_after;
	rc = 0;
out:
	acme_resp_clear(&r);
	return rc;
}
