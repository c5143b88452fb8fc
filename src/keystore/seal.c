/* Sealing: AES-256-GCM under the keystore's sealing key, a fresh random 96-bit
 * nonce per blob. Blob = version | nonce | ciphertext | tag. The AAD is
 * version | purpose | NUL | binding, so a blob opens only as what it was sealed
 * as ("key" or "secret") and only for the record it was sealed for: copying a
 * CA's sealed key onto another CA row fails instead of signing with it. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/internal.h"

#define KS_BLOB_V1	 0x01
#define KS_NONCE_LEN	 12
#define KS_TAG_LEN	 16
#define KS_OVERHEAD	 (1 + KS_NONCE_LEN + KS_TAG_LEN)
#define KS_PLAINTEXT_MAX (1 << 20) /* far above any key; bounds int casts */

static const char ks_purpose_key[] = "key";
static const char ks_purpose_secret[] = "secret";

static int ks_aad(EVP_CIPHER_CTX *c, unsigned char version, const char *purpose,
		  const char *binding)
{
	int outl;
	return EVP_CipherUpdate(c, NULL, &outl, &version, 1) == 1 &&
	       EVP_CipherUpdate(c, NULL, &outl, (const unsigned char *)purpose,
				(int)strlen(purpose) + 1) == 1 &&
	       EVP_CipherUpdate(c, NULL, &outl, (const unsigned char *)binding,
				(int)strlen(binding)) == 1;
}

static int ks_seal(const struct keystore *ks, const char *purpose, const unsigned char *pt,
		   size_t len, const char *binding, unsigned char **blob, size_t *blob_len,
		   struct cm_err *err)
{
	unsigned char *b = NULL;
	EVP_CIPHER_CTX *c = NULL;
	int outl = 0, rc = -1;
	*blob = NULL;
	*blob_len = 0;
	if (ks == NULL || len > KS_PLAINTEXT_MAX || strlen(binding) > KS_PLAINTEXT_MAX)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot seal: bad arguments");
	b = malloc(len + KS_OVERHEAD);
	c = EVP_CIPHER_CTX_new();
	if (b == NULL || c == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	b[0] = KS_BLOB_V1;
	if (RAND_bytes(b + 1, KS_NONCE_LEN) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, ks->seal, b + 1) != 1 ||
	    !ks_aad(c, KS_BLOB_V1, purpose, binding) ||
	    EVP_EncryptUpdate(c, b + 1 + KS_NONCE_LEN, &outl, pt, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, b + 1 + KS_NONCE_LEN + outl, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, KS_TAG_LEN, b + 1 + KS_NONCE_LEN + len) !=
		1) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot seal %s", purpose);
		goto out;
	}
	*blob = b;
	*blob_len = len + KS_OVERHEAD;
	b = NULL;
	rc = 0;
out:
	free(b);
	EVP_CIPHER_CTX_free(c);
	return rc;
}

/* Decrypts into out (room for blob_len - KS_OVERHEAD bytes); out is wiped
 * unless the tag verifies. */
static int ks_open(const struct keystore *ks, const char *purpose, const unsigned char *blob,
		   size_t blob_len, const char *binding, unsigned char *out, struct cm_err *err)
{
	unsigned char tag[KS_TAG_LEN];
	EVP_CIPHER_CTX *c = NULL;
	int outl = 0, rc = -1;
	size_t len = blob_len - KS_OVERHEAD;
	if (ks == NULL || blob_len < KS_OVERHEAD || blob_len - KS_OVERHEAD > KS_PLAINTEXT_MAX ||
	    blob[0] != KS_BLOB_V1)
		return cm_fail(err, CM_ERR_INTERNAL, "sealed %s has an unknown format", purpose);
	/* The ctrl takes a non-const pointer; give it a copy of the tag. */
	memcpy(tag, blob + 1 + KS_NONCE_LEN + len, KS_TAG_LEN);
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, ks->seal, blob + 1) != 1 ||
	    !ks_aad(c, KS_BLOB_V1, purpose, binding) ||
	    EVP_DecryptUpdate(c, out, &outl, blob + 1 + KS_NONCE_LEN, (int)len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, KS_TAG_LEN, tag) != 1 ||
	    EVP_DecryptFinal_ex(c, out + outl, &outl) != 1) {
		OPENSSL_cleanse(out, len);
		cm_fail(err, CM_ERR_INTERNAL,
			"sealed %s does not open: altered, or bound to another record", purpose);
		goto out;
	}
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int keystore_seal_key(struct keystore *ks, EVP_PKEY *key, const char *binding, unsigned char **blob,
		      size_t *blob_len, struct cm_err *err)
{
	unsigned char *der = NULL;
	int der_len = -1, rc = -1;
	/* PKCS#8 keeps the algorithm with the key, so any key type round-trips. */
	PKCS8_PRIV_KEY_INFO *p8 = key != NULL ? EVP_PKEY2PKCS8(key) : NULL;
	if (p8 != NULL)
		der_len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8); /* its free wipes the key octets */
	if (der_len <= 0) {
		*blob = NULL;
		*blob_len = 0;
		cm_fail(err, CM_ERR_INTERNAL, "cannot serialize the private key");
		goto out;
	}
	rc = ks_seal(ks, ks_purpose_key, der, (size_t)der_len, binding, blob, blob_len, err);
out:
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)der_len);
	return rc;
}

EVP_PKEY *keystore_open_key_uncached(struct keystore *ks, const unsigned char *blob,
				     size_t blob_len, const char *binding, struct cm_err *err)
{
	EVP_PKEY *key = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	size_t len = blob_len >= KS_OVERHEAD ? blob_len - KS_OVERHEAD : 0;
	unsigned char *der = malloc(len + 1);
	const unsigned char *p = der;
	if (der == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (ks_open(ks, ks_purpose_key, blob, blob_len, binding, der, err) < 0)
		goto out;
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (p8 != NULL && p == der + len)
		key = EVP_PKCS82PKEY(p8);
	if (key == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "sealed key opened but is not a private key");
out:
	PKCS8_PRIV_KEY_INFO_free(p8);
	OPENSSL_clear_free(der, len + 1);
	return key;
}

EVP_PKEY *keystore_open_key(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			    const char *binding, struct cm_err *err)
{
	unsigned char id[REF_CACHE_ID_LEN];
	bool cacheable = ref_cache_id(binding, blob, blob_len, id) == 0;
	EVP_PKEY *key = cacheable ? ref_cache_get(ks->keys, id) : NULL;
	if (key != NULL)
		return key;
	key = keystore_open_key_uncached(ks, blob, blob_len, binding, err);
	if (key != NULL && cacheable)
		ref_cache_put(ks->keys, id, key);
	return key;
}

int keystore_seal_secret(struct keystore *ks, const unsigned char *secret, size_t len,
			 const char *binding, unsigned char **blob, size_t *blob_len,
			 struct cm_err *err)
{
	return ks_seal(ks, ks_purpose_secret, secret, len, binding, blob, blob_len, err);
}

int keystore_open_secret(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			 const char *binding, unsigned char *out, size_t out_size, size_t *out_len,
			 struct cm_err *err)
{
	*out_len = 0;
	if (blob_len < KS_OVERHEAD || blob_len - KS_OVERHEAD > out_size) {
		OPENSSL_cleanse(out, out_size);
		return cm_fail(err, CM_ERR_INTERNAL, "sealed secret does not fit");
	}
	if (ks_open(ks, ks_purpose_secret, blob, blob_len, binding, out, err) < 0)
		return -1;
	*out_len = blob_len - KS_OVERHEAD;
	return 0;
}
