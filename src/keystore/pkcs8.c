/* A private key as PKCS #8 PrivateKeyInfo DER, the form keys are sealed in.
 * EVP_PKEY2PKCS8 goes through an OSSL_ENCODER context that OpenSSL 3.0 builds
 * afresh on every call: 9% of a private RequestCertificate with a P-256 key.
 * An EC key on a named curve is written here from its numbers instead,
 * byte for byte what OpenSSL writes (RFC 5208 around an RFC 5915
 * ECPrivateKey without parameters, with the public key; the unit test
 * compares the two); any other key goes through OpenSSL. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "keystore/internal.h"

/* The named curves Certain issues for: DER of their OIDs, scalar length. */
struct ks_curve {
	const char *name;
	const unsigned char *oid;
	size_t oid_len, scalar_len;
};

static const unsigned char ks_oid_p256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const unsigned char ks_oid_p384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
static const unsigned char ks_oid_p521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};
static const unsigned char ks_oid_ec[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};

static const struct ks_curve ks_curves[] = {
	{"prime256v1", ks_oid_p256, sizeof(ks_oid_p256), 32},
	{"secp384r1", ks_oid_p384, sizeof(ks_oid_p384), 48},
	{"secp521r1", ks_oid_p521, sizeof(ks_oid_p521), 66},
};

/* Writing backwards from the end of a fixed buffer: each element's length is
 * known once its content is written. Large enough for P-521 (241 bytes). */
struct ks_der {
	unsigned char buf[320];
	size_t at; /* content starts at buf + at */
	bool overflow;
};

static void ks_der_put(struct ks_der *d, const void *p, size_t n)
{
	if (d->overflow || n > d->at) {
		d->overflow = true;
		return;
	}
	d->at -= n;
	memcpy(d->buf + d->at, p, n);
}

/* The tag and length of an element whose content is the len bytes in front. */
static void ks_der_head(struct ks_der *d, unsigned char tag, size_t len)
{
	unsigned char h[3] = {tag};
	size_t n = 2;
	if (len < 0x80) {
		h[1] = (unsigned char)len;
	} else {
		h[1] = 0x81;
		h[2] = (unsigned char)len;
		n = 3;
	}
	d->overflow |= len > 0xff;
	ks_der_put(d, h, n);
}

static size_t ks_der_len(const struct ks_der *d)
{
	return sizeof(d->buf) - d->at;
}

static void ks_der_elem(struct ks_der *d, unsigned char tag, const void *p, size_t n)
{
	ks_der_put(d, p, n);
	ks_der_head(d, tag, n);
}

static const struct ks_curve *ks_curve_of(EVP_PKEY *key)
{
	char name[32];
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
					   NULL) != 1)
		return NULL;
	for (size_t i = 0; i < sizeof(ks_curves) / sizeof(ks_curves[0]); i++)
		if (strcmp(name, ks_curves[i].name) == 0)
			return &ks_curves[i];
	return NULL;
}

/* PrivateKeyInfo of an EC key on one of ks_curves into d; 0 or -1. */
static int ks_pkcs8_ec(EVP_PKEY *key, const struct ks_curve *curve, struct ks_der *d)
{
	unsigned char scalar[66], point[1 + 2 * 66 + 1];
	size_t point_len = 0;
	BIGNUM *priv = NULL;
	int rc = -1;
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1 ||
	    BN_bn2binpad(priv, scalar, (int)curve->scalar_len) < 0 ||
	    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point + 1,
					    sizeof(point) - 1, &point_len) != 1)
		goto out;
	point[0] = 0x00; /* BIT STRING: no unused bits */
	size_t end = ks_der_len(d);
	/* ECPrivateKey: version 1, the scalar, [1] the public key. */
	ks_der_elem(d, 0x03, point, point_len + 1);
	ks_der_head(d, 0xa1, ks_der_len(d) - end);
	ks_der_elem(d, 0x04, scalar, curve->scalar_len);
	ks_der_elem(d, 0x02, (const unsigned char[]){1}, 1);
	ks_der_head(d, 0x30, ks_der_len(d) - end);
	ks_der_head(d, 0x04, ks_der_len(d) - end);
	/* AlgorithmIdentifier: id-ecPublicKey with the curve. */
	size_t alg_end = ks_der_len(d);
	ks_der_elem(d, 0x06, curve->oid, curve->oid_len);
	ks_der_elem(d, 0x06, ks_oid_ec, sizeof(ks_oid_ec));
	ks_der_head(d, 0x30, ks_der_len(d) - alg_end);
	ks_der_elem(d, 0x02, (const unsigned char[]){0}, 1);
	ks_der_head(d, 0x30, ks_der_len(d) - end);
	rc = d->overflow ? -1 : 0;
out:
	OPENSSL_cleanse(scalar, sizeof(scalar));
	BN_clear_free(priv);
	return rc;
}

unsigned char *keystore_pkcs8_der(EVP_PKEY *key, size_t *len)
{
	const struct ks_curve *curve = key != NULL ? ks_curve_of(key) : NULL;
	unsigned char *out = NULL;
	*len = 0;
	if (curve != NULL) {
		struct ks_der d = {.at = sizeof(d.buf)};
		if (ks_pkcs8_ec(key, curve, &d) == 0 &&
		    (out = OPENSSL_malloc(ks_der_len(&d))) != NULL) {
			*len = ks_der_len(&d);
			memcpy(out, d.buf + d.at, *len);
		}
		OPENSSL_cleanse(d.buf, sizeof(d.buf));
		return out;
	}
	PKCS8_PRIV_KEY_INFO *p8 = key != NULL ? EVP_PKEY2PKCS8(key) : NULL;
	int der_len = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, &out) : -1;
	PKCS8_PRIV_KEY_INFO_free(p8); /* its free wipes the key octets */
	if (der_len <= 0) {
		OPENSSL_free(out);
		return NULL;
	}
	*len = (size_t)der_len;
	return out;
}
