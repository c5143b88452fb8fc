/* The strict DER reader of csr_der.h. BER's freedoms (indefinite lengths,
 * padded lengths, constructed strings) are what let two parsers disagree
 * about the bytes a signature covers; none of them is accepted here. */
#include "x509/csr_der.h"

#include <string.h>

/* The length at in->p + 1 into *len and the header size into *hdr. */
static bool csr_der_length(const struct csr_der *in, size_t *len, size_t *hdr)
{
	if (in->len < 2)
		return false;
	unsigned char first = in->p[1];
	if (first < 0x80) {
		*len = first;
		*hdr = 2;
		return true;
	}
	/* 0x80 is the indefinite form; more than four octets is more than a
	 * CSR can hold. */
	size_t n = first & 0x7fu;
	if (n == 0 || n > 4 || in->len < 2 + n || in->p[2] == 0)
		return false;
	size_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | in->p[2 + i];
	/* Minimal: the long form only from 128, with no leading zero octet. */
	if (v < 0x80)
		return false;
	*len = v;
	*hdr = 2 + n;
	return true;
}

bool csr_der_take_any(struct csr_der *in, unsigned char *tag, struct csr_der *content,
		      struct csr_der *whole)
{
	size_t len = 0, hdr = 0;
	/* Tag number 31 announces a multi-octet tag, which no CSR field uses. */
	if (in->len < 2 || (in->p[0] & 0x1fu) == 0x1fu || !csr_der_length(in, &len, &hdr) ||
	    len > in->len - hdr)
		return false;
	*tag = in->p[0];
	content->p = in->p + hdr;
	content->len = len;
	if (whole != NULL) {
		whole->p = in->p;
		whole->len = hdr + len;
	}
	in->p += hdr + len;
	in->len -= hdr + len;
	return true;
}

bool csr_der_take(struct csr_der *in, unsigned char tag, struct csr_der *content,
		  struct csr_der *whole)
{
	struct csr_der rest = *in;
	unsigned char got = 0;
	if (!csr_der_peek(in, tag) || !csr_der_take_any(&rest, &got, content, whole))
		return false;
	*in = rest;
	return true;
}

bool csr_der_peek(const struct csr_der *in, unsigned char tag)
{
	return in->len > 0 && in->p[0] == tag;
}

bool csr_der_uint(const struct csr_der *integer, struct csr_der *magnitude)
{
	const unsigned char *p = integer->p;
	size_t len = integer->len;
	if (len == 0 || (p[0] & 0x80u) != 0)
		return false;
	if (p[0] == 0) {
		/* A leading zero only to clear the sign bit of the next octet. */
		if (len == 1 || (p[1] & 0x80u) == 0)
			return false;
		p++;
		len--;
	}
	magnitude->p = p;
	magnitude->len = len;
	return true;
}

bool csr_der_bits(const struct csr_der *bit_string, struct csr_der *octets)
{
	if (bit_string->len < 1 || bit_string->p[0] != 0)
		return false;
	octets->p = bit_string->p + 1;
	octets->len = bit_string->len - 1;
	return true;
}

bool csr_der_eq(const struct csr_der *d, const unsigned char *p, size_t len)
{
	return d->len == len && memcmp(d->p, p, len) == 0;
}
