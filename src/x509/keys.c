/* Key generation and the algorithm tables. ML-DSA and SM2 are AWS names that
 * Debian's OpenSSL 3.0 cannot serve, so they are refused with a clear error. */
#include "x509/keys.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <string.h>

static const struct {
	const char *name;
	int rsa_bits;	   /* 0 for EC and unsupported */
	const char *curve; /* OpenSSL group name; NULL for RSA and unsupported */
	int curve_nid;
} x509_key_table[X509_KEY__COUNT] = {
    [X509_KEY_RSA_2048] = {"RSA_2048", 2048, NULL, NID_undef},
    [X509_KEY_RSA_3072] = {"RSA_3072", 3072, NULL, NID_undef},
    [X509_KEY_RSA_4096] = {"RSA_4096", 4096, NULL, NID_undef},
    [X509_KEY_EC_P256] = {"EC_prime256v1", 0, "P-256", NID_X9_62_prime256v1},
    [X509_KEY_EC_P384] = {"EC_secp384r1", 0, "P-384", NID_secp384r1},
    [X509_KEY_EC_P521] = {"EC_secp521r1", 0, "P-521", NID_secp521r1},
    [X509_KEY_ML_DSA_44] = {"ML_DSA_44", 0, NULL, NID_undef},
    [X509_KEY_ML_DSA_65] = {"ML_DSA_65", 0, NULL, NID_undef},
    [X509_KEY_ML_DSA_87] = {"ML_DSA_87", 0, NULL, NID_undef},
    [X509_KEY_SM2] = {"SM2", 0, NULL, NID_undef},
};

static const struct {
	const char *name;
	int key_type; /* EVP_PKEY_RSA / EVP_PKEY_EC; 0 = not available in OpenSSL 3.0 */
} x509_sig_table[X509_SIG__COUNT] = {
    [X509_SIG_SHA256WITHECDSA] = {"SHA256WITHECDSA", EVP_PKEY_EC},
    [X509_SIG_SHA384WITHECDSA] = {"SHA384WITHECDSA", EVP_PKEY_EC},
    [X509_SIG_SHA512WITHECDSA] = {"SHA512WITHECDSA", EVP_PKEY_EC},
    [X509_SIG_SHA256WITHRSA] = {"SHA256WITHRSA", EVP_PKEY_RSA},
    [X509_SIG_SHA384WITHRSA] = {"SHA384WITHRSA", EVP_PKEY_RSA},
    [X509_SIG_SHA512WITHRSA] = {"SHA512WITHRSA", EVP_PKEY_RSA},
    [X509_SIG_SM3WITHSM2] = {"SM3WITHSM2", 0},
    [X509_SIG_ML_DSA_44] = {"ML_DSA_44", 0},
    [X509_SIG_ML_DSA_65] = {"ML_DSA_65", 0},
    [X509_SIG_ML_DSA_87] = {"ML_DSA_87", 0},
};

int x509_key_alg_from_name(const char *name, enum x509_key_alg *out)
{
	for (int i = 0; name != NULL && i < X509_KEY__COUNT; i++) {
		if (strcmp(x509_key_table[i].name, name) == 0) {
			*out = (enum x509_key_alg)i;
			return 0;
		}
	}
	return -1;
}

const char *x509_key_alg_name(enum x509_key_alg alg)
{
	return (unsigned)alg < X509_KEY__COUNT ? x509_key_table[alg].name : "UNKNOWN";
}

int x509_sig_alg_from_name(const char *name, enum x509_sig_alg *out)
{
	for (int i = 0; name != NULL && i < X509_SIG__COUNT; i++) {
		if (strcmp(x509_sig_table[i].name, name) == 0) {
			*out = (enum x509_sig_alg)i;
			return 0;
		}
	}
	return -1;
}

const char *x509_sig_alg_name(enum x509_sig_alg alg)
{
	return (unsigned)alg < X509_SIG__COUNT ? x509_sig_table[alg].name : "UNKNOWN";
}

const EVP_MD *x509_sig_alg_md(enum x509_sig_alg alg)
{
	/* The legacy getters return static objects: no fetch, nothing to free. */
	switch (alg) {
	case X509_SIG_SHA256WITHECDSA:
	case X509_SIG_SHA256WITHRSA:
		return EVP_sha256();
	case X509_SIG_SHA384WITHECDSA:
	case X509_SIG_SHA384WITHRSA:
		return EVP_sha384();
	case X509_SIG_SHA512WITHECDSA:
	case X509_SIG_SHA512WITHRSA:
		return EVP_sha512();
	default:
		return NULL;
	}
}

bool x509_sig_alg_fits_key(enum x509_sig_alg alg, const EVP_PKEY *key)
{
	if (key == NULL || (unsigned)alg >= X509_SIG__COUNT || x509_sig_table[alg].key_type == 0)
		return false;
	return EVP_PKEY_get_base_id(key) == x509_sig_table[alg].key_type;
}

/* The NID of an EC key's named curve; NID_undef for explicit parameters. */
static int x509_ec_curve_nid(const EVP_PKEY *key)
{
	char group[64];
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    NULL))
		return NID_undef;
	int nid = OBJ_txt2nid(group);
	return nid != NID_undef ? nid : EC_curve_nist2nid(group);
}

int x509_key_alg_of(const EVP_PKEY *key, enum x509_key_alg *out)
{
	int type = key != NULL ? EVP_PKEY_get_base_id(key) : EVP_PKEY_NONE;
	int bits = type == EVP_PKEY_RSA ? EVP_PKEY_get_bits(key) : 0;
	int nid = type == EVP_PKEY_EC ? x509_ec_curve_nid(key) : NID_undef;
	for (int i = 0; i < X509_KEY__COUNT; i++) {
		if ((bits != 0 && x509_key_table[i].rsa_bits == bits) ||
		    (nid != NID_undef && x509_key_table[i].curve_nid == nid)) {
			*out = (enum x509_key_alg)i;
			return 0;
		}
	}
	return -1;
}

EVP_PKEY *x509_key_generate(enum x509_key_alg alg, struct cm_err *err)
{
	if ((unsigned)alg >= X509_KEY__COUNT ||
	    (x509_key_table[alg].rsa_bits == 0 && x509_key_table[alg].curve == NULL)) {
		cm_fail(err, CM_ERR_INVALID_ARGS,
			"Key algorithm %s is not supported by this server", x509_key_alg_name(alg));
		return NULL;
	}
	EVP_PKEY *key = x509_key_table[alg].rsa_bits != 0
			    ? EVP_RSA_gen((unsigned)x509_key_table[alg].rsa_bits)
			    : EVP_EC_gen(x509_key_table[alg].curve);
	if (key == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "key generation failed");
	return key;
}
