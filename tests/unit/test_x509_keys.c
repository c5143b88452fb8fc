/* Algorithm tables, key generation and the key/signing family rules (spec
 * pca.md §3). */
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "harness.h"
#include "x509/keys.h"

TEST(x509_keys_names_round_trip)
{
	static const char *const keys[] = {
	    "RSA_2048",	    "RSA_3072",	 "RSA_4096",  "EC_prime256v1", "EC_secp384r1",
	    "EC_secp521r1", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87",     "SM2"};
	static const char *const sigs[] = {"SHA256WITHECDSA", "SHA384WITHECDSA", "SHA512WITHECDSA",
					   "SHA256WITHRSA",   "SHA384WITHRSA",	 "SHA512WITHRSA",
					   "SM3WITHSM2",      "ML_DSA_44",	 "ML_DSA_65",
					   "ML_DSA_87"};
	enum x509_key_alg k;
	enum x509_sig_alg s;
	for (int i = 0; i < 10; i++) {
		CHECK(x509_key_alg_from_name(keys[i], &k) == 0 && (int)k == i);
		CHECK_STR_EQ(x509_key_alg_name(k), keys[i]);
		CHECK(x509_sig_alg_from_name(sigs[i], &s) == 0 && (int)s == i);
		CHECK_STR_EQ(x509_sig_alg_name(s), sigs[i]);
	}
	CHECK(x509_key_alg_from_name("rsa_2048", &k) < 0);
	CHECK(x509_key_alg_from_name("EC_secp256k1", &k) < 0);
	CHECK(x509_key_alg_from_name(NULL, &k) < 0);
	CHECK(x509_sig_alg_from_name("SHA1WITHRSA", &s) < 0);
	CHECK(x509_sig_alg_md(X509_SIG_SHA384WITHECDSA) == EVP_sha384());
	CHECK(x509_sig_alg_md(X509_SIG_SHA512WITHRSA) == EVP_sha512());
	CHECK(x509_sig_alg_md(X509_SIG_SM3WITHSM2) == NULL);
	CHECK(x509_sig_alg_md(X509_SIG_ML_DSA_65) == NULL);
}

TEST(x509_keys_generate_and_families)
{
	static const enum x509_key_alg algs[] = {X509_KEY_RSA_2048, X509_KEY_EC_P256,
						 X509_KEY_EC_P384, X509_KEY_EC_P521};
	struct cm_err err = {0};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		enum x509_key_alg back;
		EVP_PKEY *key = x509_key_generate(algs[i], &err);
		CHECK(key != NULL);
		if (key == NULL)
			continue;
		CHECK(x509_key_alg_of(key, &back) == 0 && back == algs[i]);
		bool rsa = algs[i] == X509_KEY_RSA_2048;
		CHECK(x509_sig_alg_fits_key(X509_SIG_SHA256WITHRSA, key) == rsa);
		CHECK(x509_sig_alg_fits_key(X509_SIG_SHA512WITHRSA, key) == rsa);
		CHECK(x509_sig_alg_fits_key(X509_SIG_SHA256WITHECDSA, key) == !rsa);
		CHECK(x509_sig_alg_fits_key(X509_SIG_SHA512WITHECDSA, key) == !rsa);
		CHECK(!x509_sig_alg_fits_key(X509_SIG_SM3WITHSM2, key));
		CHECK(!x509_sig_alg_fits_key(X509_SIG_ML_DSA_44, key));
		EVP_PKEY_free(key);
	}
	EVP_PKEY *k256 = EVP_EC_gen("secp256k1"), *rsa1024 = EVP_RSA_gen(1024);
	enum x509_key_alg back;
	CHECK(x509_key_alg_of(k256, &back) < 0);
	CHECK(x509_key_alg_of(rsa1024, &back) < 0);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(k256);
}

TEST(x509_keys_unsupported)
{
	static const enum x509_key_alg algs[] = {X509_KEY_ML_DSA_44, X509_KEY_ML_DSA_65,
						 X509_KEY_ML_DSA_87, X509_KEY_SM2};
	char want[96];
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct cm_err err = {0};
		CHECK(x509_key_generate(algs[i], &err) == NULL);
		CHECK(err.code == CM_ERR_INVALID_ARGS);
		snprintf(want, sizeof(want), "Key algorithm %s is not supported by this server",
			 x509_key_alg_name(algs[i]));
		CHECK_STR_EQ(err.msg, want);
	}
}
