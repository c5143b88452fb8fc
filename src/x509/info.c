/* Reading a certificate's serial, times, names and key for the store, the
 * API and audit reports; and normalising serials clients type. */
#include "x509/info.h"

#include <ctype.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "x509/issue.h"
#include "x509/keys.h"
#include "x509/name.h"

/* Seconds since the epoch of an ASN1_TIME (both encodings, any year). */
static int x509_time_epoch(const ASN1_TIME *t, int64_t *out)
{
	ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
	int days = 0, secs = 0;
	int ok = epoch != NULL && ASN1_TIME_diff(&days, &secs, epoch, t);
	ASN1_TIME_free(epoch);
	if (!ok)
		return -1;
	*out = (int64_t)days * 86400 + secs;
	return 0;
}

/* The three text forms of a non-negative serial. BN_bn2hex writes whole
 * octets without a sign octet, uppercase ("0A1B"); zero is "0". */
static int x509_serial_texts(const X509 *cert, struct x509_cert_info *info)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	char *dec = bn != NULL ? BN_bn2dec(bn) : NULL;
	size_t n = hex != NULL ? strlen(hex) : 0, pad = n % 2, o = 0, c = 0;
	int rc = -1;
	if (hex == NULL || dec == NULL || hex[0] == '-' ||
	    strlen(dec) >= sizeof(info->serial_dec) || n + pad >= sizeof(info->serial_hex))
		goto out;
	if (pad)
		info->serial_hex[o++] = '0';
	for (size_t i = 0; i < n; i++)
		info->serial_hex[o++] = (char)tolower((unsigned char)hex[i]);
	info->serial_hex[o] = '\0';
	for (size_t i = 0; i < o; i += 2) {
		if (i > 0)
			info->serial_colon[c++] = ':';
		info->serial_colon[c++] = info->serial_hex[i];
		info->serial_colon[c++] = info->serial_hex[i + 1];
	}
	info->serial_colon[c] = '\0';
	memcpy(info->serial_dec, dec, strlen(dec) + 1);
	rc = 0;
out:
	OPENSSL_free(hex);
	OPENSSL_free(dec);
	BN_free(bn);
	return rc;
}

int x509_cert_info_get(const X509 *cert, struct x509_cert_info *info, struct cm_err *err)
{
	return x509_cert_info_get_keyed(cert, X509_get0_pubkey(cert), info, err);
}

int x509_cert_info_get_keyed(const X509 *cert, const EVP_PKEY *key, struct x509_cert_info *info,
			     struct cm_err *err)
{
	const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
	enum x509_key_alg alg;
	memset(info, 0, sizeof(*info));
	if (serial == NULL || ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ||
	    ASN1_STRING_length(serial) > X509_SERIAL_MAX_OCTETS)
		return cm_fail(
		    err, CM_ERR_MALFORMED_CERTIFICATE,
		    "The certificate's serial number is negative or longer than %d octets",
		    X509_SERIAL_MAX_OCTETS);
	if (x509_serial_texts(cert, info) < 0 ||
	    x509_time_epoch(X509_get0_notBefore(cert), &info->not_before) < 0 ||
	    x509_time_epoch(X509_get0_notAfter(cert), &info->not_after) < 0)
		goto fail;
	info->subject = x509_name_to_string(X509_get_subject_name(cert));
	info->issuer = x509_name_to_string(X509_get_issuer_name(cert));
	if (info->subject == NULL || info->issuer == NULL)
		goto fail;
	info->key_alg =
	    x509_key_alg_of(key, &alg) == 0 ? x509_key_alg_name(alg) : "UNKNOWN";
	info->pathlen = x509_cert_pathlen(cert);
	info->is_ca = (X509_get_extension_flags((X509 *)cert) & EXFLAG_CA) != 0;
	ERR_clear_error();
	return 0;
fail:
	ERR_clear_error();
	x509_cert_info_clear(info);
	return cm_fail(err, CM_ERR_INTERNAL,
		       "cannot read the certificate's serial, times or names");
}

void x509_cert_info_clear(struct x509_cert_info *info)
{
	if (info == NULL)
		return;
	free(info->subject);
	free(info->issuer);
	info->subject = NULL;
	info->issuer = NULL;
}

static bool x509_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int x509_serial_hex_normalize(const char *in, char *out, size_t size)
{
	size_t o = 0, len = in != NULL ? strlen(in) : 0;
	bool colons = len > 0 && strchr(in, ':') != NULL;
	if (len == 0 || size < 3)
		return -1;
	/* Colon form: pairs of digits ("e8:cb:..."), as openssl x509 -text prints. */
	for (size_t i = 0; i < len; i++) {
		if (colons && i % 3 == 2) {
			if (in[i] != ':' || i + 1 == len)
				return -1;
			continue;
		}
		if (!x509_is_hex(in[i]) || o + 2 >= size)
			return -1;
		out[o++] = (char)tolower((unsigned char)in[i]);
	}
	if (colons && len % 3 != 2)
		return -1;
	out[o] = '\0';
	if (o % 2 != 0) { /* "abc" means 0x0abc: whole octets, as the ARN has them */
		memmove(out + 1, out, o + 1);
		out[0] = '0';
		o++;
	}
	/* Strip sign octets: 00 before an octet with the high bit set, or any
	 * leading zero octet, so "00e8..." and "e8..." name one serial. */
	size_t skip = 0;
	while (o - skip > 2 && out[skip] == '0' && out[skip + 1] == '0')
		skip += 2;
	memmove(out, out + skip, o - skip + 1);
	return 0;
}
