/* Parsing OCSP requests (RFC 6960 §4.1) from untrusted clients: size first,
 * then OpenSSL's DER parser, then every field we use checked and copied
 * into plain structs, so nothing after this file touches client ASN.1. */
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "x509/ocsp.h"

void x509_ocsp_request_clear(struct x509_ocsp_request *r)
{
	if (r == NULL)
		return;
	free(r->ids);
	memset(r, 0, sizeof(*r));
}

/* Fails with CM_ERR_INVALID_REQUEST: the responder answers malformedRequest. */
#define ocsp_bad(err, ...) cm_fail((err), CM_ERR_INVALID_REQUEST, __VA_ARGS__)

/* TBSRequest.version is [0] EXPLICIT INTEGER DEFAULT v1 (§4.1.1): DER omits
 * it, some clients write v1 anyway, anything else is a version we do not
 * know. OpenSSL keeps no accessor for it, so read the first element. */
static int ocsp_check_version(const unsigned char *der, size_t len, struct cm_err *err)
{
	const unsigned char *p = der;
	long n = 0;
	int tag = 0, cls = 0;
	/* OCSPRequest, then TBSRequest: both already parsed by OpenSSL. */
	if (ASN1_get_object(&p, &n, &tag, &cls, (long)len) & 0x80 ||
	    ASN1_get_object(&p, &n, &tag, &cls, n) & 0x80)
		return ocsp_bad(err, "The OCSP request is not DER");
	const unsigned char *inner = p;
	long body = 0;
	if (ASN1_get_object(&inner, &body, &tag, &cls, n) & 0x80)
		return ocsp_bad(err, "The OCSP request is not DER");
	if (cls != V_ASN1_CONTEXT_SPECIFIC || tag != 0)
		return 0;
	ASN1_INTEGER *v = d2i_ASN1_INTEGER(NULL, &inner, body);
	long version = v != NULL ? ASN1_INTEGER_get(v) : -1;
	ASN1_INTEGER_free(v);
	return version == 0 ? 0 : ocsp_bad(err, "The OCSP request version is not v1");
}

static enum x509_ocsp_hash ocsp_hash_of(const ASN1_OBJECT *obj)
{
	switch (OBJ_obj2nid(obj)) {
	case NID_sha1:
		return X509_OCSP_HASH_SHA1;
	case NID_sha256:
		return X509_OCSP_HASH_SHA256;
	case NID_sha384:
		return X509_OCSP_HASH_SHA384;
	case NID_sha512:
		return X509_OCSP_HASH_SHA512;
	default:
		return X509_OCSP_HASH_OTHER;
	}
}

static const size_t ocsp_hash_len[] = {20, 32, 48, 64, 0};

/* The serial as the store keys it: magnitude hex, no leading zero octets,
 * zero as "00" (x509/info.c). Negative or over-long serials are no
 * certificate we could have issued, and could not be echoed: malformed. */
static int ocsp_serial_hex(const ASN1_INTEGER *serial, char *out, struct cm_err *err)
{
	if (ASN1_STRING_type(serial) != V_ASN1_INTEGER)
		return ocsp_bad(err, "The CertID serial number is negative");
	const unsigned char *d = ASN1_STRING_get0_data(serial);
	size_t n = (size_t)ASN1_STRING_length(serial);
	while (n > 0 && d[0] == 0) {
		d++;
		n--;
	}
	if (n > X509_SERIAL_MAX_OCTETS)
		return ocsp_bad(err, "The CertID serial number is longer than %d octets",
				X509_SERIAL_MAX_OCTETS);
	if (n == 0)
		memcpy(out, "00", 3);
	else
		hex_encode(d, n, out);
	return 0;
}

static int ocsp_copy_id(OCSP_CERTID *cid, struct x509_ocsp_certid *id, struct cm_err *err)
{
	ASN1_OCTET_STRING *name = NULL, *key = NULL;
	ASN1_OBJECT *md = NULL;
	ASN1_INTEGER *serial = NULL;
	if (!OCSP_id_get0_info(&name, &md, &key, &serial, cid) || name == NULL || key == NULL ||
	    md == NULL || serial == NULL)
		return ocsp_bad(err, "A CertID of the OCSP request is incomplete");
	id->hash = ocsp_hash_of(md);
	id->name_hash_len = (size_t)ASN1_STRING_length(name);
	id->key_hash_len = (size_t)ASN1_STRING_length(key);
	/* A known hash has one length; an unknown one at most the largest. */
	size_t want = ocsp_hash_len[id->hash];
	if (id->name_hash_len > EVP_MAX_MD_SIZE || id->key_hash_len > EVP_MAX_MD_SIZE ||
	    id->name_hash_len == 0 || id->key_hash_len == 0 ||
	    (want != 0 && (id->name_hash_len != want || id->key_hash_len != want)))
		return ocsp_bad(err, "A CertID hash has the wrong length");
	memcpy(id->name_hash, ASN1_STRING_get0_data(name), id->name_hash_len);
	memcpy(id->key_hash, ASN1_STRING_get0_data(key), id->key_hash_len);
	return ocsp_serial_hex(serial, id->serial_hex, err);
}

/* RFC 6960 §4.4: unrecognized extensions are ignored unless critical. */
static int ocsp_check_ext(X509_EXTENSION *ext, bool nonce_ok, struct cm_err *err)
{
	int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
	if (nid == NID_id_pkix_OCSP_Nonce && nonce_ok)
		return 0;
	if (X509_EXTENSION_get_critical(ext))
		return ocsp_bad(err, "The OCSP request has an unsupported critical extension");
	return 0;
}

/* RFC 9654 §2.1: extnValue is an OCTET STRING holding a 1..128-octet nonce.
 * Clients written to RFC 2560 put the raw bytes there; both are echoed as
 * sent, and both must be 1..128 octets. */
static int ocsp_copy_nonce(X509_EXTENSION *ext, struct x509_ocsp_request *out, struct cm_err *err)
{
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
	const unsigned char *d = ASN1_STRING_get0_data(v), *p = d;
	size_t n = (size_t)ASN1_STRING_length(v), inner = n;
	if (out->nonce_len != 0)
		return ocsp_bad(err, "The OCSP request has two nonces");
	ASN1_OCTET_STRING *os = n > 0 ? d2i_ASN1_OCTET_STRING(NULL, &p, (long)n) : NULL;
	if (os != NULL && p == d + n)
		inner = (size_t)ASN1_STRING_length(os);
	ASN1_OCTET_STRING_free(os);
	ERR_clear_error();
	if (inner == 0 || inner > 128 || n > sizeof(out->nonce))
		return ocsp_bad(err, "The OCSP nonce must be 1 to 128 octets");
	memcpy(out->nonce, d, n);
	out->nonce_len = n;
	return 0;
}

static int ocsp_request_exts(OCSP_REQUEST *req, struct x509_ocsp_request *out, struct cm_err *err)
{
	for (int i = 0; i < OCSP_REQUEST_get_ext_count(req); i++) {
		X509_EXTENSION *ext = OCSP_REQUEST_get_ext(req, i);
		if (ocsp_check_ext(ext, true, err) < 0)
			return -1;
		if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_id_pkix_OCSP_Nonce &&
		    ocsp_copy_nonce(ext, out, err) < 0)
			return -1;
	}
	return 0;
}

static int ocsp_request_ids(OCSP_REQUEST *req, struct x509_ocsp_request *out, struct cm_err *err)
{
	int n = OCSP_request_onereq_count(req);
	if (n <= 0)
		return ocsp_bad(err, "The OCSP request names no certificate");
	if (n > X509_OCSP_MAX_IDS)
		return ocsp_bad(err, "The OCSP request names more than %d certificates",
				X509_OCSP_MAX_IDS);
	out->ids = calloc((size_t)n, sizeof(*out->ids));
	if (out->ids == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++) {
		OCSP_ONEREQ *one = OCSP_request_onereq_get0(req, i);
		for (int k = 0; k < OCSP_ONEREQ_get_ext_count(one); k++)
			if (ocsp_check_ext(OCSP_ONEREQ_get_ext(one, k), false, err) < 0)
				return -1;
		if (ocsp_copy_id(OCSP_onereq_get0_id(one), &out->ids[i], err) < 0)
			return -1;
		out->n_ids++;
	}
	return 0;
}

int x509_ocsp_request_parse(const unsigned char *der, size_t len, struct x509_ocsp_request *out,
			    struct cm_err *err)
{
	OCSP_REQUEST *req = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (len == 0 || der == NULL) {
		ocsp_bad(err, "The OCSP request is empty");
		goto out;
	}
	if (len > X509_OCSP_REQUEST_MAX) {
		ocsp_bad(err, "The OCSP request is larger than %d bytes", X509_OCSP_REQUEST_MAX);
		goto out;
	}
	const unsigned char *p = der;
	req = d2i_OCSP_REQUEST(NULL, &p, (long)len);
	if (req == NULL) {
		ocsp_bad(err, "The OCSP request is not a DER OCSPRequest");
		goto out;
	}
	if (p != der + len) {
		ocsp_bad(err, "The OCSP request has bytes after its end");
		goto out;
	}
	if (ocsp_check_version(der, len, err) < 0 || ocsp_request_exts(req, out, err) < 0 ||
	    ocsp_request_ids(req, out, err) < 0)
		goto out;
	rc = 0;
out:
	OCSP_REQUEST_free(req);
	ERR_clear_error();
	if (rc < 0)
		x509_ocsp_request_clear(out);
	return rc;
}

/* Percent-decoding, then either base64 alphabet to the standard one with
 * padding restored, into out (size >= len + 3). Returns the text length or -1. */
static long ocsp_get_text(const char *text, size_t len, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '%') {
			int hi = i + 2 < len ? hex_digit_value(text[i + 1]) : -1;
			int lo = i + 2 < len ? hex_digit_value(text[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		out[n++] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	while (n > 0 && out[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	while (n % 4 != 0)
		out[n++] = '=';
	return (long)n;
}

int x509_ocsp_request_parse_get(const char *text, size_t len, struct x509_ocsp_request *out,
				struct cm_err *err)
{
	/* Base64 of the largest request, every character possibly %XX. */
	const size_t max_text = 3 * (size_t)B64_ENCODED_LEN(X509_OCSP_REQUEST_MAX);
	unsigned char *der = NULL;
	char *b64 = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (text == NULL || len == 0)
		return ocsp_bad(err, "The OCSP request is empty");
	if (len > max_text)
		return ocsp_bad(err, "The OCSP request is larger than %d bytes",
				X509_OCSP_REQUEST_MAX);
	b64 = malloc(len + 4);
	der = malloc(len);
	if (b64 == NULL || der == NULL) {
		rc = cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	long n = ocsp_get_text(text, len, b64);
	long d = n > 0 ? b64_decode_strict(b64, (size_t)n, der, len) : -1;
	if (d <= 0) {
		ocsp_bad(err, "The OCSP GET request is not base64");
		goto out;
	}
	rc = x509_ocsp_request_parse(der, (size_t)d, out, err);
out:
	free(b64);
	free(der);
	return rc;
}
