/* jv: reading members of a JSON request under the AWS model's constraints.
 * Each getter checks JSON type (SerializationException) and the model's
 * required/min/max rules (ValidationException, AWS message style), naming the
 * member by its dotted path. Absent optional members leave *out untouched and
 * set *present (when given) to false. Unknown members are never an error:
 * newer clients send fields older servers do not know. */
#ifndef CERTAIN_AWS_JV_H
#define CERTAIN_AWS_JV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* The dotted path of a member, for messages: jv_path(buf, "Subject", "CommonName"). */
const char *jv_path(char *buf, size_t size, const char *prefix, const char *name);

/* A JSON object member (or the whole body when name is NULL). */
int jv_object(json_t *parent, const char *prefix, const char *name, bool required,
	      json_t **out, struct cm_err *err);

/* A string member with length limits in characters (UTF-8 code points). */
int jv_string(json_t *parent, const char *prefix, const char *name, bool required,
	      size_t min, size_t max, const char **out, struct cm_err *err);

/* An integer member in [min, max]. */
int jv_int(json_t *parent, const char *prefix, const char *name, bool required,
	   long long min, long long max, long long *out, bool *present, struct cm_err *err);

/* A boolean member. */
int jv_bool(json_t *parent, const char *prefix, const char *name, bool required,
	    bool *out, bool *present, struct cm_err *err);

/* An array member with min..max elements. */
int jv_array(json_t *parent, const char *prefix, const char *name, bool required,
	     size_t min, size_t max, json_t **out, struct cm_err *err);

/* A string member that must be one of values[] (NULL-terminated); *out is the index. */
int jv_enum(json_t *parent, const char *prefix, const char *name, bool required,
	    const char *const *values, int *out, bool *present, struct cm_err *err);

/* A blob member: base64 text decoded into a new buffer (caller frees with free()).
 * min/max apply to the decoded length. A NUL is appended (not counted in *len). */
int jv_blob(json_t *parent, const char *prefix, const char *name, bool required,
	    size_t min, size_t max, unsigned char **out, size_t *len, struct cm_err *err);

/* The characters of the pattern class \w. */
#define JV_WORD "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* Character-class checks for model patterns. */
bool jv_is_oid(const char *s);            /* ([0-2])\.([0-9]|([0-3][0-9]))((\.([0-9]+)){0,126}) */
bool jv_is_printable_latin1(const char *s); /* [\u0009\u000A\u000D\u0020-\u00FF]* */
bool jv_is_in_charset(const char *s, const char *allowed); /* every byte in allowed */

/* Fills a ValidationException in the AWS style:
 * "1 validation error detected: Value 'v' at 'path' failed to satisfy constraint: Member must ..." */
int jv_fail_constraint(struct cm_err *err, const char *path, const char *value,
		       const char *constraint);

#endif
