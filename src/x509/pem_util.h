/* Helpers shared by the PEM/DER readers and writers (private to src/x509/). */
#ifndef CERTAIN_X509_PEM_UTIL_H
#define CERTAIN_X509_PEM_UTIL_H

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stddef.h>

/* The offset of the first byte at or after off that is not whitespace/NUL. */
size_t x509_skip_space(const unsigned char *p, size_t len, size_t off);

/* Whether the data starts (after whitespace) with a PEM BEGIN line. */
bool x509_looks_pem(const unsigned char *p, size_t len);

/* One PEM object at *off with reader (a PEM_read_bio_* adaptor); advances
 * *off past it. NULL when there is no PEM block right there or it does not decode. */
void *x509_pem_read_one(const unsigned char *p, size_t len, size_t *off,
			void *(*reader)(BIO *, void **, pem_password_cb *, void *));

/* A memory BIO's content as a NUL-terminated string (owned). */
char *x509_bio_to_string(BIO *bio);

#endif
