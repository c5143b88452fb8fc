/* A client's PKCS #10 request, read and checked for IssueCertificate (spec
 * pca.md §5.10). The one way a CSR enters the issuing path: csr.c walks the
 * DER itself rather than through d2i_X509_REQ, whose key decoding builds an
 * OSSL_DECODER context on every call in OpenSSL 3.0 (csr.c says more). */
#ifndef CERTAIN_X509_CSR_H
#define CERTAIN_X509_CSR_H

#include <openssl/x509.h>
#include <stddef.h>

#include "util/err.h"

struct x509_csr;

/* A CSR from PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER
 * (owned; x509_csr_free). CM_ERR_MALFORMED_CSR, with a message saying what is
 * wrong, when it does not decode as strict DER, has anything but whitespace
 * after it, its self-signature fails, its key is RSA below 2048 bits, an EC
 * curve other than P-256/P-384/P-521 or any other key type, its extension
 * request cannot be read, or it has neither a subject nor a SubjectAltName. */
struct x509_csr *x509_csr_parse(const unsigned char *data, size_t len, struct cm_err *err);

/* A request built here (the CA's own, a managed certificate's) through the
 * same parser, so it passes the same checks as a client's (owned). */
struct x509_csr *x509_csr_from_req(const X509_REQ *req, struct cm_err *err);

void x509_csr_free(struct x509_csr *csr);

/* Borrowed from csr: valid until x509_csr_free. */
const X509_NAME *x509_csr_subject(const struct x509_csr *csr);
/* The public key; non-const only because OpenSSL's setters want it so. */
EVP_PKEY *x509_csr_pubkey(const struct x509_csr *csr);
/* The requested extensions (extensionRequest); empty, never NULL, when none. */
const STACK_OF(X509_EXTENSION) * x509_csr_extensions(const struct x509_csr *csr);
/* The SubjectPublicKeyInfo exactly as encoded in the request. */
const unsigned char *x509_csr_spki(const struct x509_csr *csr, size_t *len);
/* Its two parts: the AlgorithmIdentifier (DER, header included) and the
 * subjectPublicKey bits (the BIT STRING's octets, no unused-bits octet). */
const unsigned char *x509_csr_spki_alg(const struct x509_csr *csr, size_t *len);
const unsigned char *x509_csr_spki_key(const struct x509_csr *csr, size_t *len);

#endif
