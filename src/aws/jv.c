/* jv: typed, validated access to JSON request members (see jv.h for the rules).
 * botocore validates only required/min/types on the client; max, patterns and
 * enums are ours to enforce, so every limit in the model goes through here. */
#include "aws/jv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"

const char *jv_path(char *buf, size_t size, const char *prefix, const char *name)
{
	if (prefix != NULL && prefix[0] != '\0')
		snprintf(buf, size, "%s.%s", prefix, name);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

int jv_fail_constraint(struct cm_err *err, const char *path, const char *value,
		       const char *constraint)
{
	/* Values are shown truncated: a message must never echo a whole blob. */
	return cm_fail(err, CM_ERR_VALIDATION,
		       "1 validation error detected: Value '%.64s' at '%s' failed to satisfy "
		       "constraint: %s",
		       value != NULL ? value : "null", path, constraint);
}

/* Looks up a member; NULL (absent) is an error only when required. */
static int jv_member(json_t *parent, const char *prefix, const char *name, bool required,
		     json_t **out, struct cm_err *err)
{
	char path[256];
	json_t *v = json_object_get(parent, name);
	if (v != NULL && json_is_null(v))
		v = NULL;
	if (v == NULL && required)
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), NULL,
					  "Member must not be null");
	*out = v;
	return 0;
}

static int jv_wrong_type(struct cm_err *err, const char *prefix, const char *name,
			 const char *want)
{
	char path[256];
	return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON %s",
		       jv_path(path, sizeof(path), prefix, name), want);
}

int jv_object(json_t *parent, const char *prefix, const char *name, bool required,
	      json_t **out, struct cm_err *err)
{
	json_t *v = parent;
	if (name != NULL && jv_member(parent, prefix, name, required, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_is_object(v))
		return jv_wrong_type(err, prefix, name != NULL ? name : "(body)", "object");
	*out = v;
	return 0;
}

/* Counts UTF-8 code points: model lengths are in characters, not bytes. */
static size_t jv_utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

int jv_string(json_t *parent, const char *prefix, const char *name, bool required,
	      size_t min, size_t max, const char **out, struct cm_err *err)
{
	json_t *v = NULL;
	char path[256], msg[96];
	if (jv_member(parent, prefix, name, required, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return jv_wrong_type(err, prefix, name, "string");
	const char *s = json_string_value(v);
	size_t len = jv_utf8_len(s);
	if (strlen(s) != json_string_length(v))
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), "",
					  "Member must not contain NUL characters");
	if (len < min) {
		snprintf(msg, sizeof(msg), "Member must have length greater than or equal to %zu",
			 min);
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), s, msg);
	}
	if (len > max) {
		snprintf(msg, sizeof(msg), "Member must have length less than or equal to %zu",
			 max);
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), s, msg);
	}
	*out = s;
	return 0;
}

int jv_int(json_t *parent, const char *prefix, const char *name, bool required,
	   long long min, long long max, long long *out, bool *present, struct cm_err *err)
{
	json_t *v = NULL;
	char path[256], msg[96], val[32];
	if (present != NULL)
		*present = false;
	if (jv_member(parent, prefix, name, required, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return jv_wrong_type(err, prefix, name, "integer");
	long long n = json_integer_value(v);
	snprintf(val, sizeof(val), "%lld", n);
	if (n < min) {
		snprintf(msg, sizeof(msg), "Member must have value greater than or equal to %lld",
			 min);
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), val, msg);
	}
	if (n > max) {
		snprintf(msg, sizeof(msg), "Member must have value less than or equal to %lld",
			 max);
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), val, msg);
	}
	*out = n;
	if (present != NULL)
		*present = true;
	return 0;
}

int jv_bool(json_t *parent, const char *prefix, const char *name, bool required, bool *out,
	    bool *present, struct cm_err *err)
{
	json_t *v = NULL;
	if (present != NULL)
		*present = false;
	if (jv_member(parent, prefix, name, required, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return jv_wrong_type(err, prefix, name, "boolean");
	*out = json_is_true(v);
	if (present != NULL)
		*present = true;
	return 0;
}

int jv_array(json_t *parent, const char *prefix, const char *name, bool required, size_t min,
	     size_t max, json_t **out, struct cm_err *err)
{
	json_t *v = NULL;
	char path[256], msg[96], val[32];
	if (jv_member(parent, prefix, name, required, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return jv_wrong_type(err, prefix, name, "list");
	size_t n = json_array_size(v);
	snprintf(val, sizeof(val), "list of %zu", n);
	if (n < min || n > max) {
		snprintf(msg, sizeof(msg), "Member must have length between %zu and %zu", min,
			 max);
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), val, msg);
	}
	*out = v;
	return 0;
}

int jv_enum(json_t *parent, const char *prefix, const char *name, bool required,
	    const char *const *values, int *out, bool *present, struct cm_err *err)
{
	const char *s = NULL;
	char path[256], msg[512];
	if (present != NULL)
		*present = false;
	if (jv_string(parent, prefix, name, required, 0, 1024, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	for (int i = 0; values[i] != NULL; i++) {
		if (strcmp(values[i], s) == 0) {
			*out = i;
			if (present != NULL)
				*present = true;
			return 0;
		}
	}
	size_t used = (size_t)snprintf(msg, sizeof(msg), "Member must satisfy enum value set: [");
	for (int i = 0; values[i] != NULL && used < sizeof(msg); i++)
		used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", i ? ", " : "",
					 values[i]);
	if (used < sizeof(msg))
		snprintf(msg + used, sizeof(msg) - used, "]");
	return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), s, msg);
}

int jv_blob(json_t *parent, const char *prefix, const char *name, bool required, size_t min,
	    size_t max, unsigned char **out, size_t *len, struct cm_err *err)
{
	json_t *v = NULL;
	char path[256], msg[96];
	if (jv_member(parent, prefix, name, required, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return jv_wrong_type(err, prefix, name, "base64 string");
	size_t text_len = json_string_length(v);
	/* Refuse before decoding: the decoded size is at most 3/4 of the text. */
	if (text_len / 4 * 3 > max + 2) {
		snprintf(msg, sizeof(msg), "Member must have length less than or equal to %zu",
			 max);
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name),
					  "(blob)", msg);
	}
	unsigned char *buf = malloc(text_len / 4 * 3 + 4);
	if (buf == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	long n = b64_decode_strict(json_string_value(v), text_len, buf, text_len / 4 * 3 + 3);
	if (n < 0) {
		free(buf);
		/* The right JSON type with a bad value: a validation error (spec
		 * acm.md §1), not a serialization one. */
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name), "(blob)",
					  "Member must be valid base64");
	}
	if ((size_t)n < min || (size_t)n > max) {
		free(buf);
		snprintf(msg, sizeof(msg), "Member must have length between %zu and %zu", min,
			 max);
		return jv_fail_constraint(err, jv_path(path, sizeof(path), prefix, name),
					  "(blob)", msg);
	}
	buf[n] = '\0';
	*out = buf;
	*len = (size_t)n;
	return 0;
}

bool jv_is_oid(const char *s)
{
	/* ([0-2])\.([0-9]|([0-3][0-9]))((\.([0-9]+)){0,126}) */
	if (s[0] < '0' || s[0] > '2' || s[1] != '.')
		return false;
	s += 2;
	if (s[0] < '0' || s[0] > '9')
		return false;
	if (s[1] >= '0' && s[1] <= '9') {
		if (s[0] > '3')
			return false;
		s += 2;
	} else {
		s += 1;
	}
	int arcs = 0;
	while (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
		if (++arcs > 126)
			return false;
	}
	return *s == '\0';
}

bool jv_is_printable_latin1(const char *s)
{
	/* JSON text is UTF-8: Latin-1 above 0x7F arrives as C2/C3 lead bytes. */
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r' || (*p >= 0x20 && *p < 0x7F))
			continue;
		if ((*p == 0xC2 || *p == 0xC3) && (p[1] & 0xC0) == 0x80) {
			p++;
			continue;
		}
		return false;
	}
	return true;
}

bool jv_is_in_charset(const char *s, const char *allowed)
{
	return strspn(s, allowed) == strlen(s);
}
