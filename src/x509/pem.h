/* Certificates, chains and CSRs in and out of PEM and DER. Every string
 * returned is owned (free()); PEM has 64-character lines ending in "\n". */
#ifndef CERTAIN_X509_PEM_H
#define CERTAIN_X509_PEM_H

#include <openssl/x509.h>
#include <stddef.h>

#include "util/err.h"

struct ref_cache;

/* One certificate from PEM or DER (owned); CM_ERR_MALFORMED_CERTIFICATE when
 * it does not decode or has anything but whitespace after it. */
X509 *x509_cert_parse(const unsigned char *data, size_t len, struct cm_err *err);

/* One or more PEM certificates, in order (owned; free with
 * sk_X509_pop_free(chain, X509_free)); CM_ERR_MALFORMED_CERTIFICATE when
 * none decodes or anything but whitespace sits between or after them. */
STACK_OF(X509) * x509_chain_parse(const unsigned char *data, size_t len, struct cm_err *err);

/* PEM text (owned); NULL only when out of memory. */
char *x509_cert_to_pem(const X509 *cert);
/* PEM of DER already encoded ("CERTIFICATE" for a certificate), without
 * decoding it: the same text x509_cert_to_pem writes for that certificate.
 * For DER this process made; decoding it would only cost time. */
char *x509_der_to_pem(const char *label, const unsigned char *der, size_t len);
char *x509_req_to_pem(const X509_REQ *req);
/* The certificates one after another, in stack order. */
char *x509_chain_to_pem(const STACK_OF(X509) * chain);

/* DER, the form the store keeps. to_der returns an owned buffer (free()) and
 * its length in *len; from_der fails with CM_ERR_INTERNAL (stored data is
 * ours, so a bad one is our fault) when the bytes are not one certificate. */
unsigned char *x509_cert_to_der(const X509 *cert, size_t *len);
X509 *x509_cert_from_der(const unsigned char *der, size_t len, struct cm_err *err);

/* A cache of parsed certificates (util/ref_cache.h), for certificates read
 * on every request, such as a CA's own. */
struct ref_cache *x509_cert_cache_new(void);

#endif
