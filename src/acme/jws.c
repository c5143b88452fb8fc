/* JWS (RFC 7515) as ACME uses it: flattened JSON serialization, ES256 with a
 * P-256 account key, HS256 for External Account Binding, the RFC 7638 JWK
 * thumbprint and the dns-01 key authorization digest. Keys are never logged. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/internal.h"
#include "util/hex.h"

char *acme_b64url(const unsigned char *in, size_t len)
{
	char *out = malloc(B64URL_ENCODED_LEN(len) + 1);
	if (out != NULL)
		b64url_encode(in, len, out);
	return out;
}

/* The public point as two 32-byte coordinates; -1 unless the key is P-256
 * (ES256 is defined for that curve only, RFC 7518 §3.4). */
static int acme_ec_xy(EVP_PKEY *key, unsigned char x[32], unsigned char y[32])
{
	char group[32] = "";
	BIGNUM *bx = NULL, *by = NULL;
	int rc = -1;
	if (key == NULL || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL) ||
	    (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0))
		goto out;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &bx) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &by) ||
	    BN_bn2binpad(bx, x, 32) != 32 || BN_bn2binpad(by, y, 32) != 32)
		goto out;
	rc = 0;
out:
	BN_free(bx);
	BN_free(by);
	return rc;
}

/* The JWK members in lexicographic order, which is also RFC 7638's
 * canonical form, so the same text serves the header and the thumbprint. */
static int acme_jwk_text(EVP_PKEY *key, char *out, size_t size)
{
	unsigned char x[32], y[32];
	char bx[B64URL_ENCODED_LEN(32) + 1], by[B64URL_ENCODED_LEN(32) + 1];
	if (acme_ec_xy(key, x, y) < 0)
		return -1;
	b64url_encode(x, 32, bx);
	b64url_encode(y, 32, by);
	int n = snprintf(out, size, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
			 bx, by);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

json_t *acme_jwk(EVP_PKEY *key)
{
	char text[256];
	if (acme_jwk_text(key, text, sizeof(text)) < 0)
		return NULL;
	return json_loads(text, 0, NULL);
}

static int acme_sha256_b64(const char *a, const char *b, char out[ACME_B64_SHA256_LEN])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	int rc = -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, a, strlen(a)) ||
	    (b != NULL &&
	     (!EVP_DigestUpdate(ctx, ".", 1) || !EVP_DigestUpdate(ctx, b, strlen(b)))) ||
	    !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
		goto out;
	b64url_encode(md, 32, out);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int acme_jwk_thumbprint(EVP_PKEY *key, char out[ACME_B64_SHA256_LEN])
{
	char text[256];
	if (acme_jwk_text(key, text, sizeof(text)) < 0)
		return -1;
	return acme_sha256_b64(text, NULL, out);
}

int acme_dns01_txt(EVP_PKEY *key, const char *token, char out[ACME_B64_SHA256_LEN])
{
	char thumb[ACME_B64_SHA256_LEN];
	if (token == NULL || acme_jwk_thumbprint(key, thumb) < 0)
		return -1;
	return acme_sha256_b64(token, thumb, out);
}

/* ES256 signatures are r||s, 32 bytes each (RFC 7518 §3.4), not the DER
 * SEQUENCE OpenSSL produces: convert. */
static int acme_es256_sign(EVP_PKEY *key, const char *input, unsigned char sig[64])
{
	unsigned char der[80];
	size_t derlen = sizeof(der);
	const unsigned char *p = der;
	ECDSA_SIG *es = NULL;
	int rc = -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || !EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) ||
	    !EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)input, strlen(input)))
		goto out;
	es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (es == NULL || BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) != 32 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) != 32)
		goto out;
	rc = 0;
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Signs "protected.payload" (the JWS signing input) and returns the three
 * members as a JSON object (new reference), NULL on failure. */
static json_t *acme_jws_build(json_t *protected_hdr, const char *payload_b64,
			      int (*sign)(const void *ctx, const char *input, unsigned char *sig,
					  size_t *siglen),
			      const void *ctx)
{
	char *hdr = json_dumps(protected_hdr, JSON_COMPACT);
	char *hdr_b64 = NULL, *input = NULL, *sig_b64 = NULL;
	unsigned char sig[64];
	size_t siglen = 0;
	json_t *obj = NULL;
	if (hdr == NULL || (hdr_b64 = acme_b64url((unsigned char *)hdr, strlen(hdr))) == NULL)
		goto out;
	size_t n = strlen(hdr_b64) + 1 + strlen(payload_b64) + 1;
	if ((input = malloc(n)) == NULL)
		goto out;
	snprintf(input, n, "%s.%s", hdr_b64, payload_b64);
	if (sign(ctx, input, sig, &siglen) < 0 || (sig_b64 = acme_b64url(sig, siglen)) == NULL)
		goto out;
	obj = json_pack("{s:s, s:s, s:s}", "protected", hdr_b64, "payload", payload_b64,
			"signature", sig_b64);
out:
	free(hdr);
	free(hdr_b64);
	free(input);
	free(sig_b64);
	return obj;
}

static int acme_sign_es256_cb(const void *ctx, const char *input, unsigned char *sig,
			      size_t *siglen)
{
	*siglen = 64;
	return acme_es256_sign((EVP_PKEY *)ctx, input, sig);
}

char *acme_jws_es256(EVP_PKEY *key, json_t *protected_hdr, const char *payload_b64)
{
	if (json_object_set_new(protected_hdr, "alg", json_string("ES256")) < 0)
		return NULL;
	json_t *obj = acme_jws_build(protected_hdr, payload_b64, acme_sign_es256_cb, key);
	char *text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	return text;
}

struct acme_hmac_key {
	const unsigned char *key;
	size_t len;
};

static int acme_sign_hs256_cb(const void *ctx, const char *input, unsigned char *sig,
			      size_t *siglen)
{
	const struct acme_hmac_key *k = ctx;
	unsigned int len = 0;
	if (HMAC(EVP_sha256(), k->key, (int)k->len, (const unsigned char *)input, strlen(input),
		 sig, &len) == NULL ||
	    len != 32)
		return -1;
	*siglen = len;
	return 0;
}

json_t *acme_jws_eab(EVP_PKEY *key, const char *kid, const unsigned char *hmac_key, size_t hmac_len,
		     const char *url)
{
	char jwk[256];
	char *payload_b64 = NULL;
	json_t *hdr = NULL, *obj = NULL;
	struct acme_hmac_key k = {hmac_key, hmac_len};
	/* The payload is the account JWK, binding the CA's account to our key. */
	if (acme_jwk_text(key, jwk, sizeof(jwk)) < 0 ||
	    (payload_b64 = acme_b64url((unsigned char *)jwk, strlen(jwk))) == NULL)
		goto out;
	hdr = json_pack("{s:s, s:s, s:s}", "alg", "HS256", "kid", kid, "url", url);
	if (hdr == NULL)
		goto out;
	obj = acme_jws_build(hdr, payload_b64, acme_sign_hs256_cb, &k);
out:
	free(payload_b64);
	json_decref(hdr);
	return obj;
}
