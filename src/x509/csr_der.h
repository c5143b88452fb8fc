/* A strict DER reader for the PKCS #10 walk (private to the csr_*.c files).
 * Only what a CSR needs: one-octet tags, definite minimal lengths, and every
 * element inside the bytes that hold it. Anything else is refused, so a
 * slice read here is exactly the bytes that were signed. */
#ifndef CERTAIN_X509_CSR_DER_H
#define CERTAIN_X509_CSR_DER_H

#include <stdbool.h>
#include <stddef.h>

/* A run of DER bytes: the bytes left to read, or one element's content. */
struct csr_der {
	const unsigned char *p;
	size_t len;
};

/* Takes the next element of *in when its tag is tag: its content into
 * *content and, when whole is not NULL, the element with its header into
 * *whole; advances *in past it. false (nothing taken) on any other tag, a
 * long-form tag, an indefinite or non-minimal length, or a length past the end. */
bool csr_der_take(struct csr_der *in, unsigned char tag, struct csr_der *content,
		  struct csr_der *whole);

/* Like csr_der_take for whatever tag comes next; *tag receives it. */
bool csr_der_take_any(struct csr_der *in, unsigned char *tag, struct csr_der *content,
		      struct csr_der *whole);

/* Whether the next element has tag tag (false at the end). */
bool csr_der_peek(const struct csr_der *in, unsigned char tag);

/* The content of a DER INTEGER that must be positive and minimally encoded,
 * without a leading zero octet; false for zero, a negative value or padding. */
bool csr_der_uint(const struct csr_der *integer, struct csr_der *magnitude);

/* The content of a BIT STRING with no unused bits, its first octet dropped. */
bool csr_der_bits(const struct csr_der *bit_string, struct csr_der *octets);

/* Whether a run equals the len bytes at p. */
bool csr_der_eq(const struct csr_der *d, const unsigned char *p, size_t len);

#endif
