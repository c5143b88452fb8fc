/* jv: JSON member validation with AWS error types and messages. */
#include "aws/jv.h"
#include "harness.h"

static json_t *parse(const char *text)
{
	return json_loads(text, 0, NULL);
}

TEST(jv_string_limits_and_types)
{
	json_t *j = parse("{\"a\":\"hello\",\"n\":5,\"u\":\"\\u00e9t\\u00e9\"}");
	const char *s = NULL;
	struct cm_err err = {0};
	CHECK(jv_string(j, NULL, "a", true, 1, 5, &s, &err) == 0);
	CHECK_STR_EQ(s, "hello");
	CHECK(jv_string(j, NULL, "a", true, 1, 4, &s, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(strstr(err.msg, "at 'a' failed to satisfy constraint") != NULL);
	CHECK(jv_string(j, NULL, "n", true, 0, 9, &s, &err) < 0);
	CHECK(err.code == CM_ERR_SERIALIZATION);
	CHECK(jv_string(j, "Outer", "missing", true, 0, 9, &s, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(strstr(err.msg, "Outer.missing") != NULL);
	/* Lengths count characters, not bytes: "été" is 3. */
	CHECK(jv_string(j, NULL, "u", true, 3, 3, &s, &err) == 0);
	s = NULL;
	CHECK(jv_string(j, NULL, "missing", false, 1, 2, &s, &err) == 0 && s == NULL);
	json_decref(j);
}

TEST(jv_int_enum_bool_array)
{
	json_t *j = parse("{\"n\":31,\"e\":\"B\",\"b\":true,\"l\":[1,2,3],\"f\":1.5}");
	long long n = 0;
	bool present = false, b = false;
	int e = -1;
	json_t *l = NULL;
	struct cm_err err = {0};
	static const char *const values[] = {"A", "B", NULL};
	CHECK(jv_int(j, NULL, "n", true, 7, 31, &n, &present, &err) == 0 && n == 31 && present);
	CHECK(jv_int(j, NULL, "n", true, 7, 30, &n, &present, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(jv_int(j, NULL, "f", true, 0, 9, &n, NULL, &err) < 0);
	CHECK(err.code == CM_ERR_SERIALIZATION);
	CHECK(jv_enum(j, NULL, "e", true, values, &e, NULL, &err) == 0 && e == 1);
	CHECK(jv_enum(j, NULL, "b", true, values, &e, NULL, &err) < 0);
	CHECK(jv_bool(j, NULL, "b", true, &b, NULL, &err) == 0 && b);
	CHECK(jv_array(j, NULL, "l", true, 1, 3, &l, &err) == 0 && json_array_size(l) == 3);
	CHECK(jv_array(j, NULL, "l", true, 1, 2, &l, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	json_decref(j);
}

TEST(jv_enum_rejects_unknown_value)
{
	json_t *j = parse("{\"e\":\"C\"}");
	static const char *const values[] = {"A", "B", NULL};
	int e = -1;
	struct cm_err err = {0};
	CHECK(jv_enum(j, NULL, "e", true, values, &e, NULL, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(strstr(err.msg, "[A, B]") != NULL);
	json_decref(j);
}

TEST(jv_blob_decodes_and_rejects)
{
	json_t *j = parse("{\"ok\":\"aGVsbG8=\",\"bad\":\"aGVsbG8\",\"junk\":\"****\"}");
	unsigned char *b = NULL;
	size_t len = 0;
	struct cm_err err = {0};
	CHECK(jv_blob(j, NULL, "ok", true, 1, 10, &b, &len, &err) == 0);
	CHECK(len == 5 && memcmp(b, "hello", 5) == 0 && b[5] == '\0');
	free(b);
	CHECK(jv_blob(j, NULL, "ok", true, 1, 4, &b, &len, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(jv_blob(j, NULL, "junk", true, 1, 10, &b, &len, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(jv_blob(j, NULL, "bad", true, 1, 10, &b, &len, &err) < 0);
	json_decref(j);
}

TEST(jv_oid_pattern)
{
	CHECK(jv_is_oid("1.3.6.1.5.5.7.3.1"));
	CHECK(jv_is_oid("2.5"));
	CHECK(jv_is_oid("0.39.1"));
	CHECK(!jv_is_oid("3.1"));
	CHECK(!jv_is_oid("1.40.1"));
	CHECK(!jv_is_oid("1.3."));
	CHECK(!jv_is_oid("1..3"));
	CHECK(!jv_is_oid("1.3.x"));
	CHECK(jv_is_printable_latin1("caf\xc3\xa9 ok"));
	CHECK(!jv_is_printable_latin1("bad\x01"));
	CHECK(!jv_is_printable_latin1("\xe2\x82\xac"));
}
