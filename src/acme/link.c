/* Header values a CA sends that need real parsing: Link (RFC 8288), for
 * alternate certificate chains (RFC 8555 §7.4.2), and Retry-After. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme/internal.h"

static const char *acme_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Whether the rel parameter value (quoted or token, already unquoted into
 * [v, v+len)) lists rel among its space-separated relation types. */
static bool acme_rel_has(const char *v, size_t len, const char *rel)
{
	size_t rl = strlen(rel), i = 0;
	while (i < len) {
		while (i < len && v[i] == ' ')
			i++;
		size_t start = i;
		while (i < len && v[i] != ' ')
			i++;
		if (i - start == rl && strncasecmp(v + start, rel, rl) == 0)
			return true;
	}
	return false;
}

/* Parses one ";name=value" parameter at *pp; sets *match when it is rel=<rel>; -1 if malformed. */
static int acme_link_param(const char **pp, const char *rel, bool *match)
{
	const char *p = acme_skip_ws(*pp + 1), *name = p;
	while (*p != '\0' && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
		p++;
	size_t nlen = (size_t)(p - name);
	p = acme_skip_ws(p);
	const char *v = p;
	size_t vlen = 0;
	if (*p == '=') {
		p = acme_skip_ws(p + 1);
		if (*p == '"') {
			v = ++p;
			while (*p != '\0' && *p != '"')
				p++;
			if (*p != '"')
				return -1;
			vlen = (size_t)(p - v);
			p++;
		} else {
			v = p;
			while (*p != '\0' && *p != ';' && *p != ',' && *p != ' ')
				p++;
			vlen = (size_t)(p - v);
		}
	}
	if (nlen == 3 && strncasecmp(name, "rel", 3) == 0 && acme_rel_has(v, vlen, rel))
		*match = true;
	*pp = acme_skip_ws(p);
	return 0;
}

int acme_link_parse(const char *value, const char *rel, char **urls, size_t *n, size_t max)
{
	const char *p = acme_skip_ws(value);
	while (*p != '\0') {
		if (*p != '<')
			return -1;
		const char *u = ++p;
		while (*p != '\0' && *p != '>')
			p++;
		if (*p != '>')
			return -1;
		size_t ulen = (size_t)(p - u);
		bool match = false;
		p = acme_skip_ws(p + 1);
		while (*p == ';')
			if (acme_link_param(&p, rel, &match) < 0)
				return -1;
		if (*p != ',' && *p != '\0')
			return -1;
		if (*p == ',')
			p = acme_skip_ws(p + 1);
		if (!match || *n >= max || ulen == 0 || ulen >= ACME_MAX_URL)
			continue;
		char *s = strndup(u, ulen);
		if (s == NULL)
			return -1;
		urls[(*n)++] = s;
	}
	return 0;
}

/* A day is longer than any worker should be told to sleep by one answer. */
#define ACME_RETRY_AFTER_MAX 86400L

long acme_retry_after_parse(const char *value, long long now)
{
	const char *p = acme_skip_ws(value);
	if (*p >= '0' && *p <= '9') {
		long v = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			v = v >= ACME_RETRY_AFTER_MAX ? ACME_RETRY_AFTER_MAX : v * 10 + (*p - '0');
		p = acme_skip_ws(p);
		if (*p != '\0')
			return -1;
		return v > ACME_RETRY_AFTER_MAX ? ACME_RETRY_AFTER_MAX : v;
	}
	/* An HTTP-date; curl_getdate parses the three formats RFC 9110 allows. */
	time_t t = curl_getdate(p, NULL);
	if (t < 0)
		return -1;
	long long d = (long long)t - now;
	if (d < 0)
		return 0;
	return d > ACME_RETRY_AFTER_MAX ? ACME_RETRY_AFTER_MAX : (long)d;
}
