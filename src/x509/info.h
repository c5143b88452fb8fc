/* What the rest of Certain reads from a certificate, without touching ASN.1. */
#ifndef CERTAIN_X509_INFO_H
#define CERTAIN_X509_INFO_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* RFC 5280 §4.1.2.2 caps serials at 20 octets; imported certificates from
 * sloppy CAs get some slack, up to 26 octets (63 decimal digits). */
#define X509_SERIAL_MAX_OCTETS 26
#define X509_SERIAL_HEX_MAX    (2 * X509_SERIAL_MAX_OCTETS + 1)
#define X509_SERIAL_COLON_MAX  (3 * X509_SERIAL_MAX_OCTETS)
#define X509_SERIAL_DEC_MAX    64

struct x509_cert_info {
	char serial_hex[X509_SERIAL_HEX_MAX];	  /* lowercase, no colons, no sign byte:
						     the certificate ARN suffix */
	char serial_colon[X509_SERIAL_COLON_MAX]; /* "e8:cb:...", as openssl x509 -text */
	char serial_dec[X509_SERIAL_DEC_MAX];	  /* decimal (Describe's Serial) */
	int64_t not_before, not_after;		  /* epoch seconds */
	char *subject;				  /* RFC 2253 text (owned) */
	char *issuer;				  /* RFC 2253 text (owned) */
	const char *key_alg;			  /* AWS KeyAlgorithm name, or "UNKNOWN" */
	bool is_ca;				  /* BasicConstraints CA:TRUE */
	long pathlen;				  /* -1: none */
};

/* Fills *info; free its strings with x509_cert_info_clear (also after a
 * failure: it is safe then). CM_ERR_MALFORMED_CERTIFICATE for a serial over
 * X509_SERIAL_MAX_OCTETS or a negative one; CM_ERR_INTERNAL when a field
 * cannot be read. */
int x509_cert_info_get(const X509 *cert, struct x509_cert_info *info, struct cm_err *err);
/* The same with the certificate's public key given (key_alg comes from it):
 * for a certificate from x509_issue_unkeyed, whose key is not decoded. */
int x509_cert_info_get_keyed(const X509 *cert, const EVP_PKEY *key, struct x509_cert_info *info,
			     struct cm_err *err);
void x509_cert_info_clear(struct x509_cert_info *info);

/* A serial in text ("E8:CB:..." or "e8cb...", any case) → lowercase hex, no
 * colons, leading "00" sign octets stripped. -1 on anything else (empty, odd
 * colon grouping, non-hex, too long for out). */
int x509_serial_hex_normalize(const char *in, char *out, size_t size);

#endif
