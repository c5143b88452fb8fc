/* The compact JSON writer: one growing buffer, no per-container bookkeeping.
 * Responses are trees built by the handlers, so a depth limit is enough to
 * stop a (never built) loop. */
#include "aws/json_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_OUT_MAX_DEPTH 64

struct json_out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void out_bytes(struct json_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap != 0 ? o->cap : 1024;
		while (o->len + n + 1 > cap)
			cap *= 2;
		char *grown = realloc(o->buf, cap);
		if (grown == NULL) {
			o->failed = true;
			return;
		}
		o->buf = grown;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

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
static void out_string(struct json_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	out_bytes(o, "\"", 1);
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
		out_bytes(o, s + run, i - run);
		const char *short_form = c == '"'    ? "\\\""
					 : c == '\\' ? "\\\\"
					 : c == '\b' ? "\\b"
					 : c == '\f' ? "\\f"
					 : c == '\n' ? "\\n"
					 : c == '\r' ? "\\r"
					 : c == '\t' ? "\\t"
						     : NULL;
		if (short_form != NULL) {
			out_bytes(o, short_form, 2);
		} else {
			const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0x0F]};
			out_bytes(o, u, sizeof(u));
		}
		run = ++i;
	}
	out_bytes(o, s + run, n - run);
	out_bytes(o, "\"", 1);
}

static void out_integer(struct json_out *o, json_int_t v)
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
	out_bytes(o, digits + i, sizeof(digits) - (size_t)i);
}

/* jansson's jsonp_dtostr: %.17g, ".0" when it would read back as an integer,
 * no '+' or leading zeros in the exponent. */
static void out_real(struct json_out *o, double v)
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
	out_bytes(o, b, (size_t)n);
}

static void out_value(struct json_out *o, const json_t *v, int depth);

static void out_object(struct json_out *o, const json_t *v, int depth)
{
	bool first = true;
	out_bytes(o, "{", 1);
	/* Cast: jansson's iterator takes a non-const object but does not change it. */
	for (void *it = json_object_iter((json_t *)v); it != NULL && !o->failed;
	     it = json_object_iter_next((json_t *)v, it)) {
		if (!first)
			out_bytes(o, ",", 1);
		first = false;
		out_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
		out_bytes(o, ":", 1);
		out_value(o, json_object_iter_value(it), depth + 1);
	}
	out_bytes(o, "}", 1);
}

static void out_array(struct json_out *o, const json_t *v, int depth)
{
	out_bytes(o, "[", 1);
	for (size_t i = 0; i < json_array_size(v) && !o->failed; i++) {
		if (i > 0)
			out_bytes(o, ",", 1);
		out_value(o, json_array_get(v, i), depth + 1);
	}
	out_bytes(o, "]", 1);
}

static void out_value(struct json_out *o, const json_t *v, int depth)
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
	case JSON_TRUE: out_bytes(o, "true", 4); break;
	case JSON_FALSE: out_bytes(o, "false", 5); break;
	case JSON_NULL: out_bytes(o, "null", 4); break;
	}
}

char *aws_json_compact(const json_t *v, size_t *len)
{
	struct json_out o = {0};
	out_value(&o, v, 0);
	out_bytes(&o, "", 0);
	if (o.failed || o.buf == NULL) {
		free(o.buf);
		return NULL;
	}
	o.buf[o.len] = '\0';
	if (len != NULL)
		*len = o.len;
	return o.buf;
}
