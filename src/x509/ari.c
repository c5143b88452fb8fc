/* RFC 9773 certificate identifiers: the AKI keyIdentifier and the serial as
 * DER content octets (with the leading zero a positive INTEGER needs), so a
 * CA finds the certificate without us sending the whole of it. */
#include "x509/ari.h"

#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "x509/pem.h"

char *x509_ari_cert_id(const unsigned char *cert, size_t len, struct cm_err *err)
{
	unsigned char *der = NULL;
	char *out = NULL;
	X509 *x = x509_cert_parse(cert, len, err);
	if (x == NULL)
		return NULL;
	const ASN1_OCTET_STRING *kid = X509_get0_authority_key_id(x);
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	int dlen = serial != NULL ? i2d_ASN1_INTEGER(serial, &der) : -1;
	if (kid == NULL || ASN1_STRING_length(kid) <= 0 || dlen < 3) {
		cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			"certificate has no authority key identifier or serial");
		goto out;
	}
	/* Skip the INTEGER tag and its length (short or long form). */
	size_t hdr = (der[1] & 0x80) ? 2 + (size_t)(der[1] & 0x7f) : 2;
	if (hdr >= (size_t)dlen) {
		cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE, "certificate serial does not encode");
		goto out;
	}
	size_t klen = (size_t)ASN1_STRING_length(kid), slen = (size_t)dlen - hdr;
	out = malloc(B64URL_ENCODED_LEN(klen) + 1 + B64URL_ENCODED_LEN(slen) + 1);
	if (out == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	size_t n = b64url_encode(ASN1_STRING_get0_data(kid), klen, out);
	out[n++] = '.';
	b64url_encode(der + hdr, slen, out + n);
out:
	OPENSSL_free(der);
	X509_free(x);
	return out;
}
