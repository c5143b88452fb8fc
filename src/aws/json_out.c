/* The compact JSON writer: one growing buffer, no per-container bookkeeping.
 * Responses are trees built by the handlers, so a depth limit is enough to
 * stop a (never built) loop. A value that cannot be written sets the
 * buffer's failed flag, so the result is NULL, as for a failed append. */
#include "aws/json_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

#define JSON_OUT_MAX_DEPTH 64

/* Length of the well-formed UTF-8 sequence at s (lead byte >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	if (n == 0 || n > left || s[0] > 0xF4)
		return 0;
	unsigned cp = s[0] & (0xFF >> (n + 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* A JSON string with jansson's escapes: the two mandatory ones, the short
 * forms of \b \f \n \r \t, \u00XX (upper-case hex) for other controls; '/'
 * and non-ASCII as they are. */
static void out_string(struct strbuf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	strbuf_put(o, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t step = c < 0x80 ? 1 : utf8_seq(p + i, n - i);
		if (step == 0) {
			o->failed = true;
			return;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			i += step;
			continue;
		}
		strbuf_put(o, s + run, i - run);
		const char *short_form = c == '"'    ? "\\\""
					 : c == '\\' ? "\\\\"
					 : c == '\b' ? "\\b"
					 : c == '\f' ? "\\f"
					 : c == '\n' ? "\\n"
					 : c == '\r' ? "\\r"
					 : c == '\t' ? "\\t"
						     : NULL;
		if (short_form != NULL) {
			strbuf_put(o, short_form, 2);
		} else {
			const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0x0F]};
			strbuf_put(o, u, sizeof(u));
		}
		run = ++i;
	}
	strbuf_put(o, s + run, n - run);
	strbuf_put(o, "\"", 1);
}

static void out_integer(struct strbuf *o, json_int_t v)
{
	char digits[24];
	int i = (int)sizeof(digits);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		digits[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		digits[--i] = '-';
	strbuf_put(o, digits + i, sizeof(digits) - (size_t)i);
}

/* jansson's jsonp_dtostr: %.17g, ".0" when it would read back as an integer,
 * no '+' or leading zeros in the exponent. */
static void out_real(struct strbuf *o, double v)
{
	char b[40];
	int n = snprintf(b, sizeof(b) - 3, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof(b) - 3 || strspn(b, "-0123456789.e+") != (size_t)n) {
		o->failed = true; /* inf or nan: not JSON */
		return;
	}
	if (strchr(b, '.') == NULL && strchr(b, 'e') == NULL) {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	char *e = strchr(b, 'e');
	if (e != NULL) {
		char *start = e + 1 + (e[1] == '-');
		char *end = e + 2;
		while (*end == '0')
			end++;
		memmove(start, end, strlen(end) + 1);
		n = (int)strlen(b);
	}
	strbuf_put(o, b, (size_t)n);
}

static void out_value(struct strbuf *o, const json_t *v, int depth);

static void out_object(struct strbuf *o, const json_t *v, int depth)
{
	bool first = true;
	strbuf_put(o, "{", 1);
	/* Cast: jansson's iterator takes a non-const object but does not change it. */
	for (void *it = json_object_iter((json_t *)v); it != NULL && !o->failed;
	     it = json_object_iter_next((json_t *)v, it)) {
		if (!first)
			strbuf_put(o, ",", 1);
		first = false;
		out_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
		strbuf_put(o, ":", 1);
		out_value(o, json_object_iter_value(it), depth + 1);
	}
	strbuf_put(o, "}", 1);
}

static void out_array(struct strbuf *o, const json_t *v, int depth)
{
	strbuf_put(o, "[", 1);
	for (size_t i = 0; i < json_array_size(v) && !o->failed; i++) {
		if (i > 0)
			strbuf_put(o, ",", 1);
		out_value(o, json_array_get(v, i), depth + 1);
	}
	strbuf_put(o, "]", 1);
}

static void out_value(struct strbuf *o, const json_t *v, int depth)
{
	if (v == NULL || depth > JSON_OUT_MAX_DEPTH) {
		o->failed = true;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: out_object(o, v, depth); break;
	case JSON_ARRAY: out_array(o, v, depth); break;
	case JSON_STRING: out_string(o, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: out_integer(o, json_integer_value(v)); break;
	case JSON_REAL: out_real(o, json_real_value(v)); break;
	case JSON_TRUE: strbuf_put(o, "true", 4); break;
	case JSON_FALSE: strbuf_put(o, "false", 5); break;
	case JSON_NULL: strbuf_put(o, "null", 4); break;
	}
}

char *aws_json_compact(const json_t *v, size_t *len)
{
	struct strbuf o = {0};
	out_value(&o, v, 0);
	return strbuf_take(&o, len);
}
