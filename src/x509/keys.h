/* Key and signing algorithms of AWS Private CA, and key generation. */
#ifndef CERTAIN_X509_KEYS_H
#define CERTAIN_X509_KEYS_H

#include <openssl/evp.h>
#include <stdbool.h>

#include "util/err.h"

/* AWS KeyAlgorithm values; the last four are known but not supported here. */
enum x509_key_alg {
	X509_KEY_RSA_2048,
	X509_KEY_RSA_3072,
	X509_KEY_RSA_4096,
	X509_KEY_EC_P256,
	X509_KEY_EC_P384,
	X509_KEY_EC_P521,
	X509_KEY_ML_DSA_44,
	X509_KEY_ML_DSA_65,
	X509_KEY_ML_DSA_87,
	X509_KEY_SM2,
	X509_KEY__COUNT
};

/* AWS SigningAlgorithm values. */
enum x509_sig_alg {
	X509_SIG_SHA256WITHECDSA,
	X509_SIG_SHA384WITHECDSA,
	X509_SIG_SHA512WITHECDSA,
	X509_SIG_SHA256WITHRSA,
	X509_SIG_SHA384WITHRSA,
	X509_SIG_SHA512WITHRSA,
	X509_SIG_SM3WITHSM2,
	X509_SIG_ML_DSA_44,
	X509_SIG_ML_DSA_65,
	X509_SIG_ML_DSA_87,
	X509_SIG__COUNT
};

/* Name ↔ enum, exact AWS spellings; from_name returns -1 for an unknown name. */
int x509_key_alg_from_name(const char *name, enum x509_key_alg *out);
const char *x509_key_alg_name(enum x509_key_alg alg);
int x509_sig_alg_from_name(const char *name, enum x509_sig_alg *out);
const char *x509_sig_alg_name(enum x509_sig_alg alg);

/* The digest of a signing algorithm (static, not to be freed); NULL for
 * those OpenSSL 3.0 cannot do (SM3WITHSM2, ML_DSA_*). */
const EVP_MD *x509_sig_alg_md(enum x509_sig_alg alg);

/* RSA keys sign with *WITHRSA, EC keys with *WITHECDSA (any hash, any curve). */
bool x509_sig_alg_fits_key(enum x509_sig_alg alg, const EVP_PKEY *key);

/* The AWS key algorithm of a key into *out; -1 when it is none of the
 * supported ones (other RSA sizes, other curves, other types). */
int x509_key_alg_of(const EVP_PKEY *key, enum x509_key_alg *out);

/* A new key (owned); CM_ERR_INVALID_ARGS "Key algorithm ML_DSA_44 is not
 * supported by this server" for algorithms this server cannot do. */
EVP_PKEY *x509_key_generate(enum x509_key_alg alg, struct cm_err *err);

#endif
