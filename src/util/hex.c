/* Hex, standard base64 and base64url, written out so the decoders can be as
 * strict as the callers need (OpenSSL's EVP_DecodeBlock skips whitespace and
 * mis-reports padding). Table lookups, no locale, no allocation. */
#include "util/hex.h"

#include <stdbool.h>
#include <stdint.h>

static const char hex_digits[] = "0123456789abcdef";
static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void hex_encode(const unsigned char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long hex_decode(const char *in, size_t in_len, unsigned char *out, size_t out_size)
{
	if (in_len % 2 != 0 || in_len / 2 > out_size)
		return -1;
	for (size_t i = 0; i < in_len / 2; i++) {
		int hi = hex_digit_value(in[2 * i]), lo = hex_digit_value(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (long)(in_len / 2);
}

/* Whole 3-byte groups, then the 1 or 2 trailing bytes, padded or not. */
static size_t b64_encode_with(const char *alphabet, bool pad, const unsigned char *in, size_t len,
			      char *out)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

size_t b64_encode(const unsigned char *in, size_t len, char *out)
{
	return b64_encode_with(b64_std, true, in, len, out);
}

size_t b64url_encode(const unsigned char *in, size_t len, char *out)
{
	return b64_encode_with(b64_url, false, in, len, out);
}

static int b64_value(bool url, char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* Decodes `n` characters that are all in the alphabet (no padding among them).
 * A final partial group of 2 or 3 characters gives 1 or 2 bytes; its unused low
 * bits must be zero when `canonical` is set. */
static long b64_decode_with(bool url, bool canonical, const char *in, size_t n, unsigned char *out,
			    size_t out_size)
{
	size_t need = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
	if (n % 4 == 1 || need > out_size)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		size_t k = n - i < 4 ? n - i : 4;
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++) {
			int d = j < k ? b64_value(url, in[i + j]) : 0;
			if (d < 0)
				return -1;
			v = v << 6 | (uint32_t)d;
		}
		out[o++] = (unsigned char)(v >> 16);
		if (k > 2)
			out[o++] = (unsigned char)(v >> 8);
		if (k > 3)
			out[o++] = (unsigned char)v;
		if (canonical && ((k == 2 && (v & 0xffff) != 0) || (k == 3 && (v & 0xff) != 0)))
			return -1;
	}
	return (long)o;
}

/* Non-zero unused bits after the last byte are accepted here: the JSON edge
 * decodes what any client sends, and RFC 4648 §3.5 leaves rejecting them optional. */
long b64_decode_strict(const char *in, size_t in_len, unsigned char *out, size_t out_size)
{
	if (in_len % 4 != 0)
		return -1;
	size_t n = in_len;
	if (n > 0 && in[n - 1] == '=')
		n--;
	if (n > 0 && in[n - 1] == '=')
		n--;
	/* "xx=" alone, or padding that leaves a 1-character group, is not base64. */
	if (n % 4 == 1 || (n % 4 == 0 && n != in_len))
		return -1;
	return b64_decode_with(false, false, in, n, out, out_size);
}

long b64url_decode(const char *in, size_t in_len, unsigned char *out, size_t out_size)
{
	return b64_decode_with(true, true, in, in_len, out, out_size);
}
