/* The public key of a CSR, built from its numbers rather than decoded: d2i
 * of a SubjectPublicKeyInfo in OpenSSL 3.0 builds an OSSL_DECODER context
 * per call (about 70 µs here). An RSA key comes from EVP_PKEY_fromdata (a few
 * µs); an EC key from a copy of a parameters-only key of its curve made once,
 * as setting up the curve is most of what fromdata would cost (about 20 µs
 * against 5 µs for P-256). Only what AWS signs is built: RSA of 2048 bits or
 * more (RFC 3279 §2.3.1) and EC on P-256/P-384/P-521 (RFC 5480 §2.1.1). */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <pthread.h>
#include <stdbool.h>

#include "x509/csr_internal.h"

/* AlgorithmIdentifier OIDs, DER with header: rsaEncryption,
 * id-ecPublicKey, and the three named curves. */
static const unsigned char oid_rsa[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					0xf7, 0x0d, 0x01, 0x01, 0x01};
static const unsigned char oid_ec[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const unsigned char der_null[] = {0x05, 0x00};

static const struct {
	unsigned char oid[10];
	size_t len;
	const char *group; /* OSSL_PKEY_PARAM_GROUP_NAME */
} csr_curves[] = {
    {{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}, 10, "prime256v1"},
    {{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22}, 7, "secp384r1"},
    {{0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23}, 7, "secp521r1"},
};

/* A parameters-only key per curve, made once and only read after (copied
 * per request with EVP_PKEY_dup, which is safe on a shared key). */
static pthread_once_t csr_key_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *csr_curve_keys[3];

static void csr_key_init(void)
{
	for (size_t i = 0; i < 3; i++) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		OSSL_PARAM params[] = {
		    OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)csr_curves[i].group, 0),
		    OSSL_PARAM_construct_end(),
		};
		if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, &csr_curve_keys[i], EVP_PKEY_KEY_PARAMETERS, params) !=
			1)
			csr_curve_keys[i] = NULL;
		EVP_PKEY_CTX_free(ctx);
	}
	ERR_clear_error();
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
static EVP_PKEY *csr_key_rsa(const struct csr_der *bits, struct cm_err *err)
{
	struct csr_der in = *bits, seq, n_int, e_int, n, e;
	if (!csr_der_take(&in, 0x30, &seq, NULL) || in.len != 0 ||
	    !csr_der_take(&seq, 0x02, &n_int, NULL) || !csr_der_take(&seq, 0x02, &e_int, NULL) ||
	    seq.len != 0 || !csr_der_uint(&n_int, &n) || !csr_der_uint(&e_int, &e)) {
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR public key cannot be read");
		return NULL;
	}
	EVP_PKEY *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *bn_n = BN_bin2bn(n.p, (int)n.len, NULL), *bn_e = BN_bin2bn(e.p, (int)e.len, NULL);
	if (bn_n == NULL || bn_e == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (BN_num_bits(bn_n) < 2048) {
		cm_fail(err, CM_ERR_MALFORMED_CSR,
			"The CSR RSA key has %d bits; at least 2048 are required",
			BN_num_bits(bn_n));
		goto out;
	}
	/* An even or unit exponent is no RSA key (RFC 8017 §3.1). */
	if (!BN_is_odd(bn_e) || BN_is_one(bn_e)) {
		cm_fail(err, CM_ERR_MALFORMED_CSR,
			"The CSR RSA key's public exponent is not an odd number above 1");
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(key);
		key = NULL;
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR public key cannot be read");
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_e);
	BN_free(bn_n);
	return key;
}

/* ECParameters as a namedCurve, then the point as encoded (RFC 5480 §2.2).
 * Setting the encoded public key decodes it with EC_POINT_oct2point, which
 * refuses a point off the curve (the unit tests hold it to that); the point
 * at infinity (a lone 0x00) and the hybrid forms are refused here first, as
 * no real key takes them. */
static EVP_PKEY *csr_key_ec(const struct csr_der *params_in, const struct csr_der *point,
			    struct cm_err *err)
{
	EVP_PKEY *curve = NULL;
	bool named = false;
	for (size_t i = 0; i < 3; i++) {
		if (csr_der_eq(params_in, csr_curves[i].oid, csr_curves[i].len)) {
			curve = csr_curve_keys[i];
			named = true;
		}
	}
	if (!named) {
		cm_fail(err, CM_ERR_MALFORMED_CSR,
			"The CSR EC key is not on curve P-256, P-384 or P-521");
		return NULL;
	}
	if (point->len < 2 || (point->p[0] != 0x02 && point->p[0] != 0x03 && point->p[0] != 0x04)) {
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR public key cannot be read");
		return NULL;
	}
	EVP_PKEY *key = curve != NULL ? EVP_PKEY_dup(curve) : NULL;
	if (key == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot set up the EC curve");
		return NULL;
	}
	if (EVP_PKEY_set1_encoded_public_key(key, point->p, point->len) != 1) {
		EVP_PKEY_free(key);
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR EC key is not a point on its curve");
		return NULL;
	}
	return key;
}

/* The refusal of any other key type, named as OpenSSL names it. */
static EVP_PKEY *csr_key_other(const struct csr_der *oid, struct cm_err *err)
{
	const unsigned char *p = oid->p;
	ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)oid->len);
	int nid = obj != NULL ? OBJ_obj2nid(obj) : NID_undef;
	ASN1_OBJECT_free(obj);
	if (nid == NID_undef || OBJ_nid2sn(nid) == NULL)
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR public key cannot be read");
	else
		cm_fail(err, CM_ERR_MALFORMED_CSR,
			"The CSR key type %s is not supported; use RSA or EC", OBJ_nid2sn(nid));
	return NULL;
}

EVP_PKEY *csr_key_read(const struct csr_der *alg, const struct csr_der *bits, struct cm_err *err)
{
	struct csr_der in = *alg, oid_content, oid, params_content, params = {NULL, 0}, key;
	unsigned char tag = 0;
	pthread_once(&csr_key_once, csr_key_init);
	if (!csr_der_take(&in, 0x06, &oid_content, &oid) ||
	    (in.len > 0 && !csr_der_take_any(&in, &tag, &params_content, &params)) || in.len != 0 ||
	    !csr_der_bits(bits, &key)) {
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR public key cannot be read");
		return NULL;
	}
	if (csr_der_eq(&oid, oid_rsa, sizeof(oid_rsa))) {
		/* parameters NULL (RFC 3279), or absent as OpenSSL also reads it */
		if (params.len != 0 && !csr_der_eq(&params, der_null, sizeof(der_null))) {
			cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR public key cannot be read");
			return NULL;
		}
		return csr_key_rsa(&key, err);
	}
	if (csr_der_eq(&oid, oid_ec, sizeof(oid_ec)))
		return csr_key_ec(&params, &key, err);
	return csr_key_other(&oid, err);
}
