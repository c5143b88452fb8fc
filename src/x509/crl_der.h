/* A small DER writer and signer shared by the CRL and OCSP builders (private
 * to src/x509/). A CRL of a million entries built through OpenSSL's object
 * API costs several allocations per entry; writing the few fixed shapes
 * straight into one growing buffer costs none, and the signature is the same
 * EVP_DigestSign over the same bytes. */
#ifndef CERTAIN_X509_CRL_DER_H
#define CERTAIN_X509_CRL_DER_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "x509/keys.h"

/* The largest time a GeneralizedTime can hold: 9999-12-31T23:59:59Z. */
#define X509_DER_TIME_MAX ((int64_t)253402300799)

/* DER tags used by the builders. */
#define X509_DER_BOOLEAN     0x01
#define X509_DER_INTEGER     0x02
#define X509_DER_BIT_STRING  0x03
#define X509_DER_OCTETS	     0x04
#define X509_DER_OID	     0x06
#define X509_DER_ENUMERATED  0x0a
#define X509_DER_SEQUENCE    0x30
#define X509_DER_CTX(n)	     (0xa0 | (n)) /* [n] constructed (EXPLICIT or IMPLICIT SEQUENCE) */
#define X509_DER_CTX_PRIM(n) (0x80 | (n)) /* [n] IMPLICIT primitive */

/* A growing buffer. After any allocation failure `failed` is set and every
 * later write does nothing, so builders check once at the end. */
struct x509_der {
	unsigned char *buf;
	size_t len, cap;
	bool failed;
};

/* Room for at least more further bytes; false (and failed set) when out of memory. */
bool x509_der_reserve(struct x509_der *d, size_t more);
/* Frees the buffer (NULL-safe on an empty one). */
void x509_der_free(struct x509_der *d);
/* The bytes (owned by the caller, free()) and their length; NULL after a failure. */
unsigned char *x509_der_take(struct x509_der *d, size_t *len);

void x509_der_raw(struct x509_der *d, const void *p, size_t n);
/* A whole TLV with primitive contents. */
void x509_der_tlv(struct x509_der *d, unsigned char tag, const void *p, size_t n);
/* An INTEGER from an unsigned big-endian magnitude: leading zero octets
 * dropped, a 0x00 sign octet added when the top bit is set (X.690 §8.3.2). */
void x509_der_uint(struct x509_der *d, const unsigned char *be, size_t n);
/* RFC 5280 §4.1.2.5 / §5.1.2.4 time: UTCTime for 1950..2049 unless
 * generalized, else GeneralizedTime; seconds, "Z", no fraction. t must be in
 * 0..X509_DER_TIME_MAX (callers check; anything else sets failed). */
void x509_der_time(struct x509_der *d, int64_t t, bool generalized);

/* Starts a constructed value; returns the mark x509_der_close needs. One
 * length octet is reserved, so short values never move. */
size_t x509_der_open(struct x509_der *d, unsigned char tag);
/* Ends the value opened at mark, writing its definite length. */
void x509_der_close(struct x509_der *d, size_t mark);

/* Extension ::= SEQUENCE { extnID, critical (only when true, DER), extnValue
 * OCTET STRING { ... } } (RFC 5280 §4.1): open writes up to the start of the
 * value's contents (oid is the OID's content octets), close ends both. */
void x509_der_ext_open(struct x509_der *d, const unsigned char *oid, size_t oid_len, bool critical,
		       size_t mark[2]);
void x509_der_ext_close(struct x509_der *d, const size_t mark[2]);

/* The DER AlgorithmIdentifier OpenSSL's provider uses for key with alg (the
 * same bytes X509_sign would write), into out (size bytes). */
int x509_der_sig_algid(EVP_PKEY *key, enum x509_sig_alg alg, unsigned char *out, size_t size,
		       size_t *len, struct cm_err *err);

/* Signs d->buf[tbs_off..len) with key and alg, then appends algid and the
 * signature BIT STRING: the tail of a Certificate, CertificateList or
 * BasicOCSPResponse. */
int x509_der_sign(struct x509_der *d, size_t tbs_off, EVP_PKEY *key, enum x509_sig_alg alg,
		  const unsigned char *algid, size_t algid_len, struct cm_err *err);

/* Parses lowercase or uppercase hex (no colons, odd length allowed) into a
 * big-endian magnitude without leading zero octets; returns the octet count
 * (a zero serial is one 0x00 octet) or -1 for empty, non-hex or over size. */
long x509_der_hex_serial(const char *hex, unsigned char *out, size_t size);

#endif
