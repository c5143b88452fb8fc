/* aws_json_compact writes the bytes json_dumps(JSON_COMPACT) writes: on fixed
 * cases (escapes, UTF-8, reals, integer limits, empty containers) and on
 * thousands of random trees; and fails where json_dumps fails. */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/json_out.h"
#include "harness.h"

static int same_as_jansson(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t len = 0;
	char *got = aws_json_compact(v, &len);
	int same = (want == NULL && got == NULL) ||
		   (want != NULL && got != NULL && strcmp(want, got) == 0 && len == strlen(want));
	if (!same)
		fprintf(stderr, "  want %s\n  got  %s\n", want ? want : "(null)", got ? got : "(null)");
	free(want);
	free(got);
	return same;
}

TEST(json_out_fixed_cases)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:I, s:I, s:b, s:n, s:[], s:{}}", "plain",
			      "a/b", "escapes", "q\"b\\s\b\f\n\r\t\x01\x1f\x7f", "utf8",
			      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", "zero", 0, "min",
			      (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX, "t", 1, "n",
			      "empty_a", "empty_o");
	CHECK(o != NULL && same_as_jansson(o));
	json_object_set_new(o, "k\"ey\n", json_string("v"));
	json_object_set_new(o, "", json_integer(-1));
	CHECK(same_as_jansson(o));
	json_decref(o);
	const double reals[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e300, -1e-300, 1e21, 123456789.0,
				DBL_MAX, DBL_MIN, 5e-324, 1.7976931348623157e308, 1e-5, 3e16};
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		json_t *r = json_real(reals[i]);
		CHECK(same_as_jansson(r));
		json_decref(r);
	}
	json_t *s = json_stringn("nul\0inside", 10);
	CHECK(same_as_jansson(s));
	json_decref(s);
}

TEST(json_out_refuses_what_jansson_refuses)
{
	/* Not UTF-8 (only _nocheck can build these): both fail. */
	const char *bad[] = {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
			     "ok\xc3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *s = json_string_nocheck(bad[i]);
		CHECK(aws_json_compact(s, NULL) == NULL);
		CHECK(same_as_jansson(s));
		json_decref(s);
	}
	CHECK(aws_json_compact(NULL, NULL) == NULL);
	/* Deeper than 64: refused rather than followed. */
	json_t *deep = json_array();
	for (int i = 0; i < 70; i++) {
		json_t *outer = json_array();
		json_array_append_new(outer, deep);
		deep = outer;
	}
	CHECK(aws_json_compact(deep, NULL) == NULL);
	json_decref(deep);
}

static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static json_t *rnd_string(void)
{
	static const char *const pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\x01",
					     "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\x92",
					     "\t", "arn:aws:acm:us-east-1:1:certificate/x"};
	char buf[256] = "";
	size_t n = rnd() % 12;
	for (size_t i = 0; i < n; i++)
		strcat(buf, pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))]);
	return json_string(buf);
}

static json_t *rnd_value(int depth)
{
	switch (rnd() % (depth > 4 ? 5 : 7)) {
	case 0: return rnd_string();
	case 1: return json_integer((json_int_t)rnd());
	case 2: {
		double d = (double)(int64_t)rnd() / (double)(1ULL << (rnd() % 63));
		return json_real(rnd() % 4 == 0 ? d * 1e250 : d);
	}
	case 3: return json_boolean(rnd() % 2);
	case 4: return json_null();
	case 5: {
		json_t *a = json_array();
		for (size_t i = rnd() % 5; i > 0; i--)
			json_array_append_new(a, rnd_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (size_t i = rnd() % 6; i > 0; i--) {
			json_t *k = rnd_string();
			json_object_set_new(o, json_string_value(k), rnd_value(depth + 1));
			json_decref(k);
		}
		return o;
	}
	}
}

TEST(json_out_random_trees)
{
	int differ = 0;
	for (int i = 0; i < 5000; i++) {
		json_t *v = rnd_value(0);
		differ += !same_as_jansson(v);
		json_decref(v);
	}
	CHECK(differ == 0);
}
