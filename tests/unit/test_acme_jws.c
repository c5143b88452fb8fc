/* ACME JWS: ES256 signatures verify with OpenSSL over "protected.payload" and
 * are raw r||s; the JWK thumbprint and dns-01 digest match values computed
 * independently (Python cryptography, RFC 7638 canonical JSON); EAB is HS256
 * over the account JWK. */
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include "acme/internal.h"
#include "harness.h"
#include "util/hex.h"

static const char acme_test_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgykjKPK9uXvPzSgS5\n"
    "0CX8DxxdzDKdioMVfIIdvwNbZSWhRANCAARShp1z+Ti00OIC2OVTuYqmRWwnPjX+\n"
    "PlcBUEef45l3HzjvoTh55CJk9UKzUGopONVd30rzk6bNunqY8JVBMD9J\n"
    "-----END PRIVATE KEY-----\n";

static EVP_PKEY *acme_key(void)
{
	BIO *b = BIO_new_mem_buf(acme_test_key, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	return k;
}

static long b64u_dec(const char *s, unsigned char *out, size_t size)
{
	return b64url_decode(s, strlen(s), out, size);
}

TEST(acme_jwk_thumbprint_and_dns01)
{
	EVP_PKEY *k = acme_key();
	char thumb[ACME_B64_SHA256_LEN], txt[ACME_B64_SHA256_LEN];
	CHECK(k != NULL);
	CHECK(acme_jwk_thumbprint(k, thumb) == 0);
	CHECK_STR_EQ(thumb, "UV5ixwU4tC8ac8LlgFtUxfYMl8ESKiGt3B4NWb9oOwA");
	CHECK(acme_dns01_txt(k, "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", txt) == 0);
	CHECK_STR_EQ(txt, "p39YNQAb6M6t8KxjC73HOSK1UI1mBsrCJlb3UBAIaTM");
	EVP_PKEY_free(k);
}

TEST(acme_jwk_refuses_other_keys)
{
	char thumb[ACME_B64_SHA256_LEN];
	EVP_PKEY *p384 = EVP_EC_gen("P-384");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	CHECK(acme_jwk_thumbprint(p384, thumb) < 0);
	CHECK(acme_jwk_thumbprint(ed, thumb) < 0);
	CHECK(acme_jwk_thumbprint(NULL, thumb) < 0);
	CHECK(acme_jwk(p384) == NULL);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(ed);
}

/* Verifies a flattened JWS made by acme_jws_es256 with plain OpenSSL. */
static int verify_es256(EVP_PKEY *k, const char *jws, json_t **hdr_out)
{
	unsigned char sig[128], der[128], hdr[512];
	json_t *o = json_loads(jws, 0, NULL);
	const char *p = json_string_value(json_object_get(o, "protected"));
	const char *pl = json_string_value(json_object_get(o, "payload"));
	const char *s = json_string_value(json_object_get(o, "signature"));
	int ok = -1;
	if (p == NULL || pl == NULL || s == NULL || b64u_dec(s, sig, sizeof(sig)) != 64)
		goto out;
	ECDSA_SIG *es = ECDSA_SIG_new();
	ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
	unsigned char *dp = der;
	int dlen = i2d_ECDSA_SIG(es, &dp);
	ECDSA_SIG_free(es);
	char input[2048];
	snprintf(input, sizeof(input), "%s.%s", p, pl);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestVerify(ctx, der, (size_t)dlen, (unsigned char *)input, strlen(input)) == 1)
		ok = 0;
	EVP_MD_CTX_free(ctx);
	long n = b64u_dec(p, hdr, sizeof(hdr) - 1);
	if (ok == 0 && n > 0) {
		hdr[n] = '\0';
		*hdr_out = json_loads((char *)hdr, 0, NULL);
	}
out:
	json_decref(o);
	return ok;
}

TEST(acme_jws_es256_verifies)
{
	EVP_PKEY *k = acme_key();
	json_t *hdr = json_pack("{s:s, s:s, s:s}", "nonce", "abc", "url", "https://ca/x", "kid",
				"https://ca/acct/1");
	char *jws = acme_jws_es256(k, hdr, "eyJhIjoxfQ");
	json_t *back = NULL;
	CHECK(jws != NULL);
	CHECK(jws != NULL && verify_es256(k, jws, &back) == 0);
	CHECK_STR_EQ(json_string_value(json_object_get(back, "alg")), "ES256");
	CHECK_STR_EQ(json_string_value(json_object_get(back, "nonce")), "abc");
	CHECK_STR_EQ(json_string_value(json_object_get(back, "url")), "https://ca/x");
	/* Another key does not verify it. */
	EVP_PKEY *other = EVP_EC_gen("P-256");
	json_t *dummy = NULL;
	CHECK(jws != NULL && verify_es256(other, jws, &dummy) < 0);
	EVP_PKEY_free(other);
	free(jws);
	/* POST-as-GET: an empty payload. */
	jws = acme_jws_es256(k, hdr, "");
	json_decref(back);
	back = NULL;
	CHECK(jws != NULL && verify_es256(k, jws, &back) == 0);
	json_decref(back);
	free(jws);
	json_decref(hdr);
	EVP_PKEY_free(k);
}

TEST(acme_jws_eab_hs256)
{
	EVP_PKEY *k = acme_key();
	const unsigned char mac_key[] = "0123456789abcdef0123456789abcdef";
	json_t *eab = acme_jws_eab(k, "kid-1", mac_key, 32, "https://ca/new-acct");
	CHECK(eab != NULL);
	const char *p = json_string_value(json_object_get(eab, "protected"));
	const char *pl = json_string_value(json_object_get(eab, "payload"));
	const char *s = json_string_value(json_object_get(eab, "signature"));
	CHECK(p != NULL && pl != NULL && s != NULL);
	if (p != NULL && pl != NULL && s != NULL) {
		char input[1024], hdr[256] = "", payload[256] = "";
		unsigned char mac[32], sig[64];
		unsigned int len = 0;
		snprintf(input, sizeof(input), "%s.%s", p, pl);
		HMAC(EVP_sha256(), mac_key, 32, (unsigned char *)input, strlen(input), mac, &len);
		CHECK(b64u_dec(s, sig, sizeof(sig)) == 32 && memcmp(sig, mac, 32) == 0);
		long n = b64u_dec(p, (unsigned char *)hdr, sizeof(hdr) - 1);
		CHECK(n > 0);
		json_t *h = json_loads(hdr, 0, NULL);
		CHECK_STR_EQ(json_string_value(json_object_get(h, "alg")), "HS256");
		CHECK_STR_EQ(json_string_value(json_object_get(h, "kid")), "kid-1");
		CHECK_STR_EQ(json_string_value(json_object_get(h, "url")), "https://ca/new-acct");
		CHECK(json_object_get(h, "nonce") == NULL); /* §7.3.4: no nonce */
		json_decref(h);
		n = b64u_dec(pl, (unsigned char *)payload, sizeof(payload) - 1);
		CHECK(n > 0);
		json_t *jwk = json_loads(payload, 0, NULL);
		CHECK_STR_EQ(json_string_value(json_object_get(jwk, "kty")), "EC");
		CHECK_STR_EQ(json_string_value(json_object_get(jwk, "crv")), "P-256");
		json_decref(jwk);
	}
	json_decref(eab);
	EVP_PKEY_free(k);
}

TEST(acme_client_config_checks)
{
	struct cm_err err;
	struct acme_ca_cfg cfg = {.name = "t", .directory_url = "ftp://x/dir"};
	CHECK(acme_client_new(&cfg, &err) == NULL && err.code == CM_ERR_INVALID_ARGS);
	cfg.directory_url = "https://ca.example/dir";
	cfg.eab_kid = "kid";
	CHECK(acme_client_new(&cfg, &err) == NULL); /* kid without key */
	cfg.eab_hmac_key = "not base64!";
	CHECK(acme_client_new(&cfg, &err) == NULL);
	cfg.eab_hmac_key = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
	struct acme_client *c = acme_client_new(&cfg, &err);
	CHECK(c != NULL);
	EVP_PKEY *p384 = EVP_EC_gen("P-384");
	CHECK(c != NULL && acme_client_set_account(c, p384, NULL, &err) < 0);
	EVP_PKEY_free(p384);
	/* A signed request without an account is refused locally, not sent. */
	struct acme_order o = {0};
	CHECK(c != NULL && acme_order_fetch(c, "https://ca.example/o/1", &o, &err) < 0 &&
	      err.code == CM_ERR_INVALID_STATE);
	CHECK(c != NULL && !acme_problem_is_transient(acme_client_problem(c)));
	/* Polling an order that was never created is refused, not a crash. */
	o.status = ACME_STATUS_PENDING;
	CHECK(c != NULL && acme_order_poll(c, &o, 5000, &err) < 0);
	acme_client_free(c);
}
