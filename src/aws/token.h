/* Pagination tokens: the NextToken a List operation returns is the keyset
 * cursor plus a MAC, so a client can neither forge a position nor replay a
 * token of another account or another operation (design: "authenticated so
 * clients cannot forge it"). Text: base64url(0x01 | cursor | MAC[16]). */
#ifndef CERTAIN_AWS_TOKEN_H
#define CERTAIN_AWS_TOKEN_H

#include <stddef.h>

#include "util/err.h"

/* Longest cursor a token carries; a longer one is refused on both sides. */
#define TOKEN_CURSOR_MAX 512

/* A new token for `cursor` (e.g. "1732670000|<uuid>") in `scope` (the operation,
 * e.g. "ListCertificateAuthorities") of `account`, MACed under key (derived from
 * the keystore). Owned string (free()); NULL when cursor is empty, longer than
 * TOKEN_CURSOR_MAX, or memory runs out. */
char *token_encode(const unsigned char key[32], const char *account, const char *scope,
		   const char *cursor);

/* Checks `token` and writes its cursor (NUL-terminated) to cursor_out. Any fault
 * (bad base64, wrong MAC, other account, other scope, cursor longer than
 * size - 1) is CM_ERR_INVALID_NEXT_TOKEN "Invalid NextToken". Returns 0 or -1. */
int token_decode(const unsigned char key[32], const char *account, const char *scope,
		 const char *token, char *cursor_out, size_t size, struct cm_err *err);

#endif
