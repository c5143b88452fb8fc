/* Response bodies: compact JSON text of a jansson value, the same bytes as
 * json_dumps(v, JSON_COMPACT) (tests/unit/test_json_out.c compares them on
 * thousands of values), several times faster. jansson's dumper guards against
 * reference loops by printing each object's and array's address with
 * snprintf into a hash table; a ListCertificates page of 100 spent 29% of its
 * server time in json_dumps. */
#ifndef CERTAIN_AWS_JSON_OUT_H
#define CERTAIN_AWS_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>

/* Owned NUL-terminated text (free()), its length in *len when len is not
 * NULL; NULL when v is NULL, nests deeper than 64, holds a string that is not
 * UTF-8 or a real that is not finite (where json_dumps fails too), or memory
 * runs out. */
char *aws_json_compact(const json_t *v, size_t *len);

#endif
