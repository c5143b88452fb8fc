/* Reading what a SigV4 request claims: the Authorization header's algorithm,
 * credential scope, signed header list and signature, and the request time.
 * Everything malformed is IncompleteSignatureException with AWS's wording
 * where AWS has one, so a CLI user sees the message they would search for. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "aws/sigv4.h"
#include "util/hex.h"

static bool auth_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool auth_in(char c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr(extra, c) != NULL);
}

/* Copies s[0..n) into dst (size bytes) when it fits and every byte is a letter,
 * a digit or in `extra`; -1 otherwise. */
static int auth_copy(char *dst, size_t size, const char *s, size_t n, const char *extra)
{
	if (n == 0 || n >= size)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!auth_in(s[i], extra))
			return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* AKID/YYYYMMDD/region/service/aws4_request. */
static int auth_credential(const char *v, size_t n, struct sigv4_auth *out, struct cm_err *err)
{
	const char *part[5];
	size_t len[5], k = 0;
	for (size_t i = 0, start = 0; i <= n; i++) {
		if (i < n && v[i] != '/')
			continue;
		if (k == 5)
			goto bad;
		part[k] = v + start;
		len[k++] = i - start;
		start = i + 1;
	}
	if (k != 5)
		goto bad;
	if (len[4] != 12 || memcmp(part[4], "aws4_request", 12) != 0)
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "Credential should be scoped with a valid terminator: "
			       "'aws4_request', not '%.*s'.",
			       (int)(len[4] > 64 ? 64 : len[4]), part[4]);
	if (auth_copy(out->access_key_id, sizeof(out->access_key_id), part[0], len[0], "_") < 0 ||
	    len[1] != 8 || auth_copy(out->date, sizeof(out->date), part[1], len[1], "") < 0 ||
	    strspn(out->date, "0123456789") != 8 ||
	    auth_copy(out->region, sizeof(out->region), part[2], len[2], "-") < 0 ||
	    auth_copy(out->service, sizeof(out->service), part[3], len[3], "-") < 0)
		goto bad;
	return 0;
bad:
	return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
		       "Credential must have the form "
		       "<AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request, not '%.*s'.",
		       (int)(n > 200 ? 200 : n), v);
}

/* Lowercase or mixed-case header names (RFC 9110 tchar) separated by ';',
 * none empty, none repeated. */
static int auth_signed_headers(const char *v, size_t n, struct sigv4_auth *out, struct cm_err *err)
{
	if (auth_copy(out->signed_headers, sizeof(out->signed_headers), v, n, "!#$%&'*+-.^_`|~;") <
	    0)
		goto bad;
	for (const char *p = out->signed_headers;;) {
		size_t len = strcspn(p, ";");
		if (len == 0)
			goto bad;
		for (const char *q = out->signed_headers; q < p;) {
			size_t qlen = strcspn(q, ";");
			if (qlen == len && strncasecmp(q, p, len) == 0)
				goto bad;
			q += qlen + 1;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return 0;
bad:
	return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
		       "SignedHeaders must be header names separated by ';', not '%.*s'.",
		       (int)(n > 200 ? 200 : n), v);
}

static int auth_signature(const char *v, size_t n, struct sigv4_auth *out, struct cm_err *err)
{
	if (n != 64 || hex_decode(v, n, out->signature, sizeof(out->signature)) != 32)
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "Signature must be 64 hexadecimal characters.");
	return 0;
}

int sigv4_parse_authorization(const char *value, struct sigv4_auth *out, struct cm_err *err)
{
	static const char *const keys[] = {"Credential", "SignedHeaders", "Signature"};
	bool seen[3] = {false, false, false};
	const char *p = value;
	memset(out, 0, sizeof(*out));
	while (auth_space(*p))
		p++;
	size_t alen = strcspn(p, " \t");
	if (alen != strlen(SIGV4_ALGORITHM) || memcmp(p, SIGV4_ALGORITHM, alen) != 0)
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "Unsupported AWS 'algorithm': '%.*s'; only " SIGV4_ALGORITHM
			       " is accepted.",
			       (int)(alen > 64 ? 64 : alen), p);
	p += alen;
	while (*p != '\0') {
		while (auth_space(*p) || *p == ',')
			p++;
		size_t len = strcspn(p, ",");
		size_t end = len;
		while (end > 0 && auth_space(p[end - 1]))
			end--;
		if (end == 0)
			break;
		const char *eq = memchr(p, '=', end);
		if (eq == NULL)
			return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
				       "Authorization component '%.*s' is not key=value.",
				       (int)(end > 64 ? 64 : end), p);
		size_t klen = (size_t)(eq - p), vlen = end - klen - 1;
		int k = -1;
		for (int i = 0; i < 3; i++)
			if (strlen(keys[i]) == klen && memcmp(keys[i], p, klen) == 0)
				k = i;
		if (k >= 0 && seen[k])
			return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
				       "Authorization header has '%s' twice.", keys[k]);
		if ((k == 0 && auth_credential(eq + 1, vlen, out, err) < 0) ||
		    (k == 1 && auth_signed_headers(eq + 1, vlen, out, err) < 0) ||
		    (k == 2 && auth_signature(eq + 1, vlen, out, err) < 0))
			return -1;
		if (k >= 0)
			seen[k] = true;
		p += len;
	}
	if (!seen[0] || !seen[1] || !seen[2])
		return cm_fail(
		    err, CM_ERR_INCOMPLETE_SIGNATURE, "%s%s%sAuthorization=%.100s",
		    seen[0] ? "" : "Authorization header requires 'Credential' parameter. ",
		    seen[2] ? "" : "Authorization header requires 'Signature' parameter. ",
		    seen[1] ? "" : "Authorization header requires 'SignedHeaders' parameter. ",
		    value);
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm):
 * no timegm(), no TZ environment, no locale. */
static int64_t auth_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool auth_valid_civil(int y, int m, int d, int hh, int mm, int ss)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || m < 1 || m > 12 || d < 1 || hh > 23 || mm > 59 || ss > 59)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* n decimal digits at s, or -1. */
static int auth_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int auth_epoch(int y, int m, int d, int hh, int mm, int ss, int64_t *epoch)
{
	if (!auth_valid_civil(y, m, d, hh, mm, ss))
		return -1;
	*epoch = auth_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

int sigv4_parse_amz_date(const char *t, int64_t *epoch)
{
	if (strlen(t) != SIGV4_DATE_LEN || t[8] != 'T' || t[15] != 'Z')
		return -1;
	int y = auth_digits(t, 4), m = auth_digits(t + 4, 2), d = auth_digits(t + 6, 2);
	int hh = auth_digits(t + 9, 2), mm = auth_digits(t + 11, 2), ss = auth_digits(t + 13, 2);
	if (y < 0 || m < 0 || d < 0 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	return auth_epoch(y, m, d, hh, mm, ss, epoch);
}

int sigv4_parse_http_date(const char *t, int64_t *epoch)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (sigv4_parse_amz_date(t, epoch) == 0)
		return 0;
	/* IMF-fixdate, RFC 9110 §5.6.7: "Sun, 30 Aug 2015 12:36:00 GMT". */
	if (strlen(t) != 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' ||
	    t[16] != ' ' || t[19] != ':' || t[22] != ':' || strcmp(t + 25, " GMT") != 0)
		return -1;
	int m = 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(t + 8, months + 3 * i, 3) == 0)
			m = i + 1;
	int y = auth_digits(t + 12, 4), d = auth_digits(t + 5, 2);
	int hh = auth_digits(t + 17, 2), mm = auth_digits(t + 20, 2), ss = auth_digits(t + 23, 2);
	if (m == 0 || y < 0 || d < 0 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	return auth_epoch(y, m, d, hh, mm, ss, epoch);
}

/* Writes v as exactly `width` decimal digits. */
static void auth_put_digits(char *out, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

void sigv4_format_amz_date(int64_t epoch, char out[SIGV4_DATE_LEN + 1])
{
	/* Clamped to years 1970..9999, the only ones the format can show. */
	if (epoch < 0)
		epoch = 0;
	if (epoch > INT64_C(253402300799))
		epoch = INT64_C(253402300799);
	/* Inverse of auth_days_from_civil (same source). */
	int64_t days = epoch / 86400, secs = epoch % 86400;
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	auth_put_digits(out, y, 4);
	auth_put_digits(out + 4, m, 2);
	auth_put_digits(out + 6, d, 2);
	out[8] = 'T';
	auth_put_digits(out + 9, secs / 3600, 2);
	auth_put_digits(out + 11, secs / 60 % 60, 2);
	auth_put_digits(out + 13, secs % 60, 2);
	out[15] = 'Z';
	out[16] = '\0';
}
