/* OCSP CertID matching and response building (RFC 6960 §4.1.1, §4.2). The
 * BasicOCSPResponse is written as DER by hand (crl_der.h), like the CRL:
 * OpenSSL's OCSP_basic_sign stamps producedAt from the host clock, and
 * Certain's time comes from its clock module (DESIGN.md). */
#include "x509/ocsp.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "util/hex.h"
#include "x509/crl_der.h"
#include "x509/ext.h"

/* Content octets of the OIDs written here. */
static const unsigned char oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
static const unsigned char oid_sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
static const unsigned char oid_sha384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
static const unsigned char oid_sha512[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
/* id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1 and id-pkix-ocsp-nonce .48.1.2 */
static const unsigned char oid_ocsp_basic[] = {0x2b, 0x06, 0x01, 0x05, 0x05,
					       0x07, 0x30, 0x01, 0x01};
static const unsigned char oid_ocsp_nonce[] = {0x2b, 0x06, 0x01, 0x05, 0x05,
					       0x07, 0x30, 0x01, 0x02};

static const struct {
	const unsigned char *oid;
	size_t oid_len;
	const EVP_MD *(*md)(void);
} ocsp_hashes[] = {
    [X509_OCSP_HASH_SHA1] = {oid_sha1, sizeof(oid_sha1), EVP_sha1},
    [X509_OCSP_HASH_SHA256] = {oid_sha256, sizeof(oid_sha256), EVP_sha256},
    [X509_OCSP_HASH_SHA384] = {oid_sha384, sizeof(oid_sha384), EVP_sha384},
    [X509_OCSP_HASH_SHA512] = {oid_sha512, sizeof(oid_sha512), EVP_sha512},
};

int x509_ocsp_ca_hashes(X509 *ca, enum x509_ocsp_hash hash, unsigned char name[EVP_MAX_MD_SIZE],
			unsigned char key[EVP_MAX_MD_SIZE], size_t *len)
{
	const unsigned char *name_der = NULL;
	size_t name_len = 0;
	unsigned int n1 = 0, n2 = 0;
	if ((unsigned)hash >= X509_OCSP_HASH_OTHER)
		return -1;
	const EVP_MD *md = ocsp_hashes[hash].md();
	/* issuerKeyHash covers the BIT STRING's value, without tag, length
	 * and unused-bits octet (§4.1.1), as OpenSSL's OCSP_cert_id_new. */
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(ca);
	if (bits == NULL || !X509_NAME_get0_der(X509_get_subject_name(ca), &name_der, &name_len) ||
	    !EVP_Digest(name_der, name_len, name, &n1, md, NULL) ||
	    !EVP_Digest(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), key, &n2, md,
			NULL)) {
		ERR_clear_error();
		return -1;
	}
	*len = n1;
	return 0;
}

bool x509_ocsp_certid_matches(const struct x509_ocsp_certid *id, X509 *ca)
{
	unsigned char name[EVP_MAX_MD_SIZE], key[EVP_MAX_MD_SIZE];
	size_t len = 0;
	if (x509_ocsp_ca_hashes(ca, id->hash, name, key, &len) < 0)
		return false;
	return id->name_hash_len == len && id->key_hash_len == len &&
	       CRYPTO_memcmp(id->name_hash, name, len) == 0 &&
	       CRYPTO_memcmp(id->key_hash, key, len) == 0;
}

int x509_ocsp_certid_for(X509 *ca, enum x509_ocsp_hash hash, const char *serial_hex,
			 struct x509_ocsp_certid *out, struct cm_err *err)
{
	unsigned char serial[X509_SERIAL_MAX_OCTETS];
	size_t len = 0;
	memset(out, 0, sizeof(*out));
	long n = x509_der_hex_serial(serial_hex, serial, sizeof(serial));
	if (n <= 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "'%.60s' is not a hex serial",
			       serial_hex != NULL ? serial_hex : "");
	if (x509_ocsp_ca_hashes(ca, hash, out->name_hash, out->key_hash, &len) < 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "unsupported CertID hash algorithm");
	out->hash = hash;
	out->name_hash_len = out->key_hash_len = len;
	/* The store's form: zero is "00", no leading zero octets. */
	hex_encode(serial, (size_t)n, out->serial_hex);
	return 0;
}

/* CertID, with the hash AlgorithmIdentifier's parameters NULL as OpenSSL
 * writes them; clients compare the OID, the hashes and the serial. */
static void ocsp_write_certid(struct x509_der *d, const struct x509_ocsp_certid *id)
{
	static const unsigned char null[] = {0x05, 0x00};
	unsigned char serial[X509_SERIAL_MAX_OCTETS];
	long n = x509_der_hex_serial(id->serial_hex, serial, sizeof(serial));
	if (n <= 0) {
		d->failed = true;
		return;
	}
	size_t cid = x509_der_open(d, X509_DER_SEQUENCE);
	size_t alg = x509_der_open(d, X509_DER_SEQUENCE);
	x509_der_tlv(d, X509_DER_OID, ocsp_hashes[id->hash].oid, ocsp_hashes[id->hash].oid_len);
	x509_der_raw(d, null, sizeof(null));
	x509_der_close(d, alg);
	x509_der_tlv(d, X509_DER_OCTETS, id->name_hash, id->name_hash_len);
	x509_der_tlv(d, X509_DER_OCTETS, id->key_hash, id->key_hash_len);
	x509_der_uint(d, serial, (size_t)n);
	x509_der_close(d, cid);
}

/* SingleResponse (§4.2.1). All OCSP times are GeneralizedTime. */
static void ocsp_write_single(struct x509_der *d, const struct x509_ocsp_single *s)
{
	static const unsigned char good[] = {X509_DER_CTX_PRIM(0), 0};
	static const unsigned char unknown[] = {X509_DER_CTX_PRIM(2), 0};
	size_t one = x509_der_open(d, X509_DER_SEQUENCE);
	ocsp_write_certid(d, s->id);
	if (s->status == X509_OCSP_GOOD) {
		x509_der_raw(d, good, sizeof(good)); /* good [0] IMPLICIT NULL */
	} else if (s->status == X509_OCSP_UNKNOWN) {
		x509_der_raw(d, unknown, sizeof(unknown)); /* unknown [2] IMPLICIT NULL */
	} else {
		/* revoked [1] IMPLICIT RevokedInfo { revocationTime,
		 * revocationReason [0] EXPLICIT CRLReason OPTIONAL } */
		size_t rev = x509_der_open(d, X509_DER_CTX(1));
		x509_der_time(d, s->revoked_at, true);
		if (s->reason != X509_CRL_UNSPECIFIED) {
			unsigned char code = (unsigned char)s->reason;
			size_t r = x509_der_open(d, X509_DER_CTX(0));
			x509_der_tlv(d, X509_DER_ENUMERATED, &code, 1);
			x509_der_close(d, r);
		}
		x509_der_close(d, rev);
	}
	x509_der_time(d, s->this_update, true);
	if (s->next_update != 0) {
		size_t nu = x509_der_open(d, X509_DER_CTX(0));
		x509_der_time(d, s->next_update, true);
		x509_der_close(d, nu);
	}
	x509_der_close(d, one);
}

/* ResponseData (§4.2.1): version v1 left out (DEFAULT), responderID byKey
 * [2] EXPLICIT KeyHash, producedAt, responses, responseExtensions [1]. */
static void ocsp_write_tbs(struct x509_der *d, const unsigned char keyhash[20],
			   const struct x509_ocsp_single *singles, size_t n,
			   const unsigned char *nonce, size_t nonce_len, int64_t produced_at)
{
	size_t tbs = x509_der_open(d, X509_DER_SEQUENCE);
	size_t rid = x509_der_open(d, X509_DER_CTX(2));
	x509_der_tlv(d, X509_DER_OCTETS, keyhash, 20);
	x509_der_close(d, rid);
	x509_der_time(d, produced_at, true);
	size_t list = x509_der_open(d, X509_DER_SEQUENCE);
	for (size_t i = 0; i < n; i++)
		ocsp_write_single(d, &singles[i]);
	x509_der_close(d, list);
	if (nonce_len > 0) {
		size_t exts = x509_der_open(d, X509_DER_CTX(1)), ext[2];
		size_t seq = x509_der_open(d, X509_DER_SEQUENCE);
		x509_der_ext_open(d, oid_ocsp_nonce, sizeof(oid_ocsp_nonce), false, ext);
		x509_der_raw(d, nonce, nonce_len); /* the request's extnValue, as sent */
		x509_der_ext_close(d, ext);
		x509_der_close(d, seq);
		x509_der_close(d, exts);
	}
	x509_der_close(d, tbs);
}

static bool ocsp_time_ok(int64_t t)
{
	return t >= 0 && t <= X509_DER_TIME_MAX;
}

static int ocsp_check_singles(const struct x509_ocsp_single *s, size_t n, struct cm_err *err)
{
	if (s == NULL || n == 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "An OCSP response needs a status");
	for (size_t i = 0; i < n; i++) {
		const struct x509_ocsp_single *o = &s[i];
		if (o->id == NULL || (unsigned)o->id->hash >= X509_OCSP_HASH_OTHER)
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "Status %zu: no CertID of a supported hash", i);
		if (!ocsp_time_ok(o->this_update) ||
		    (o->next_update != 0 &&
		     (!ocsp_time_ok(o->next_update) || o->next_update < o->this_update)))
			return cm_fail(err, CM_ERR_INVALID_ARGS, "Status %zu: bad update times", i);
		if (o->status == X509_OCSP_REVOKED &&
		    (!ocsp_time_ok(o->revoked_at) || x509_crl_reason_name(o->reason) == NULL))
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "Status %zu: bad revocation time or reason", i);
		if ((unsigned)o->status > X509_OCSP_UNKNOWN)
			return cm_fail(err, CM_ERR_INVALID_ARGS, "Status %zu: bad status", i);
	}
	return 0;
}

/* §4.2.2.2: a delegated responder's certificate is issued directly by the
 * CA and carries id-kp-OCSPSigning; clients refuse anything else. */
static int ocsp_check_signer(const struct x509_ocsp_signer *s, struct cm_err *err)
{
	if (s->ca_cert == NULL || s->key == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "incomplete OCSP signer");
	X509 *signer = s->responder_cert != NULL ? s->responder_cert : s->ca_cert;
	int rc = 0;
	if (EVP_PKEY_eq(X509_get0_pubkey(signer), s->key) != 1)
		rc = cm_fail(err, CM_ERR_INVALID_ARGS,
			     "The OCSP signing key does not match its certificate");
	else if (s->responder_cert != NULL &&
		 X509_check_issued(s->ca_cert, s->responder_cert) != X509_V_OK)
		rc = cm_fail(err, CM_ERR_INVALID_ARGS,
			     "The OCSP responder certificate is not issued by the CA");
	else if (s->responder_cert != NULL &&
		 ((X509_get_extension_flags(s->responder_cert) & EXFLAG_XKUSAGE) == 0 ||
		  (X509_get_extended_key_usage(s->responder_cert) & XKU_OCSP_SIGN) == 0))
		rc = cm_fail(err, CM_ERR_INVALID_ARGS,
			     "The OCSP responder certificate lacks id-kp-OCSPSigning");
	ERR_clear_error();
	return rc;
}

/* certs [0] EXPLICIT SEQUENCE OF Certificate: the delegated responder's. */
static int ocsp_write_certs(struct x509_der *d, X509 *cert, struct cm_err *err)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);
	if (n <= 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encode the responder certificate");
	size_t tag = x509_der_open(d, X509_DER_CTX(0));
	size_t seq = x509_der_open(d, X509_DER_SEQUENCE);
	x509_der_raw(d, der, (size_t)n);
	x509_der_close(d, seq);
	x509_der_close(d, tag);
	OPENSSL_free(der);
	return 0;
}

static int ocsp_check(const struct x509_ocsp_signer *s, const struct x509_ocsp_single *singles,
		      size_t n, size_t nonce_len, int64_t produced_at, struct cm_err *err)
{
	if (ocsp_check_signer(s, err) < 0 || ocsp_check_singles(singles, n, err) < 0)
		return -1;
	if (nonce_len > X509_OCSP_NONCE_MAX || !ocsp_time_ok(produced_at))
		return cm_fail(err, CM_ERR_INVALID_ARGS, "bad OCSP nonce or producedAt");
	return 0;
}

unsigned char *x509_ocsp_response_build(const struct x509_ocsp_signer *s,
					const struct x509_ocsp_single *singles, size_t n,
					const unsigned char *nonce, size_t nonce_len,
					int64_t produced_at, size_t *len, struct cm_err *err)
{
	static const unsigned char successful[] = {X509_DER_ENUMERATED, 1, 0};
	struct x509_der d = {0};
	unsigned char algid[128], keyhash[20];
	size_t algid_len = 0;
	unsigned char *out = NULL;
	*len = 0;
	if (ocsp_check(s, singles, n, nonce_len, produced_at, err) < 0)
		return NULL;
	X509 *signer = s->responder_cert != NULL ? s->responder_cert : s->ca_cert;
	if (x509_key_id(X509_get_X509_PUBKEY(signer), keyhash) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot hash the responder key");
		return NULL;
	}
	if (x509_der_sig_algid(s->key, s->sig_alg, algid, sizeof(algid), &algid_len, err) < 0)
		return NULL;
	/* OCSPResponse { responseStatus, responseBytes [0] EXPLICIT
	 * ResponseBytes { responseType, response OCTET STRING { Basic } } } */
	size_t resp = x509_der_open(&d, X509_DER_SEQUENCE);
	x509_der_raw(&d, successful, sizeof(successful));
	size_t bytes_tag = x509_der_open(&d, X509_DER_CTX(0));
	size_t bytes = x509_der_open(&d, X509_DER_SEQUENCE);
	x509_der_tlv(&d, X509_DER_OID, oid_ocsp_basic, sizeof(oid_ocsp_basic));
	size_t octets = x509_der_open(&d, X509_DER_OCTETS);
	size_t basic = x509_der_open(&d, X509_DER_SEQUENCE);
	size_t tbs_off = d.len;
	ocsp_write_tbs(&d, keyhash, singles, n, nonce, nonce_len, produced_at);
	if (d.failed) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (x509_der_sign(&d, tbs_off, s->key, s->sig_alg, algid, algid_len, err) < 0 ||
	    (s->responder_cert != NULL && ocsp_write_certs(&d, s->responder_cert, err) < 0))
		goto out;
	x509_der_close(&d, basic);
	x509_der_close(&d, octets);
	x509_der_close(&d, bytes);
	x509_der_close(&d, bytes_tag);
	x509_der_close(&d, resp);
	out = x509_der_take(&d, len);
	if (out == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
out:
	x509_der_free(&d);
	return out;
}

const unsigned char *x509_ocsp_error_response(enum x509_ocsp_error status, size_t *len)
{
	/* OCSPResponse { responseStatus ENUMERATED } with no responseBytes:
	 * error responses are unsigned (§2.3). Indexed by the status; 4 is
	 * unused by RFC 6960. */
	static const unsigned char resp[7][5] = {
	    [X509_OCSP_MALFORMED_REQUEST] = {0x30, 0x03, 0x0a, 0x01, 0x01},
	    [X509_OCSP_INTERNAL_ERROR] = {0x30, 0x03, 0x0a, 0x01, 0x02},
	    [X509_OCSP_TRY_LATER] = {0x30, 0x03, 0x0a, 0x01, 0x03},
	    [X509_OCSP_SIG_REQUIRED] = {0x30, 0x03, 0x0a, 0x01, 0x05},
	    [X509_OCSP_UNAUTHORIZED] = {0x30, 0x03, 0x0a, 0x01, 0x06},
	};
	unsigned i = (unsigned)status;
	if (i >= 7 || resp[i][0] == 0)
		i = X509_OCSP_INTERNAL_ERROR;
	*len = sizeof(resp[i]);
	return resp[i];
}
