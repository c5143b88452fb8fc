/* Text encodings of bytes: lowercase hex, strict standard base64 (AWS JSON
 * blobs) and unpadded base64url (opaque tokens). Decoders refuse anything that
 * is not exactly the encoding: no whitespace, no stray characters. */
#ifndef CERTAIN_UTIL_HEX_H
#define CERTAIN_UTIL_HEX_H

#include <stddef.h>

/* Characters b64_encode writes for n bytes (padding included, NUL excluded). */
#define B64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)
/* Characters b64url_encode writes for n bytes (no padding, NUL excluded). */
#define B64URL_ENCODED_LEN(n) (((n) / 3) * 4 + ((n) % 3 == 0 ? 0 : (n) % 3 + 1))

/* Writes 2*len lowercase hex digits and a NUL to out (2*len + 1 bytes). */
void hex_encode(const unsigned char *in, size_t len, char *out);

/* The value of one hex digit (either case), or -1. */
int hex_digit_value(char c);

/* Decodes in_len hex digits (either case) into out; returns the number of
 * bytes written, or -1 on an odd length, a non-hex character or too small out. */
long hex_decode(const char *in, size_t in_len, unsigned char *out, size_t out_size);

/* Standard alphabet with '=' padding; out holds B64_ENCODED_LEN(len) + 1.
 * Returns the number of characters written (a NUL follows them). */
size_t b64_encode(const unsigned char *in, size_t len, char *out);

/* Decodes standard base64: length a multiple of 4, padding required, no
 * whitespace or other characters. Returns the decoded length, or -1 when the
 * text is not base64 or out (out_size bytes) is too small. */
long b64_decode_strict(const char *in, size_t in_len, unsigned char *out, size_t out_size);

/* URL-safe alphabet ('-', '_'), no padding; out holds B64URL_ENCODED_LEN(len) + 1.
 * Returns the number of characters written (a NUL follows them). */
size_t b64url_encode(const unsigned char *in, size_t len, char *out);

/* Decodes unpadded base64url. Refuses '=', characters outside the alphabet, a
 * length of 1 mod 4, and unused trailing bits that are not zero, so each byte
 * string has exactly one accepted text. Returns the length, or -1. */
long b64url_decode(const char *in, size_t in_len, unsigned char *out, size_t out_size);

#endif
