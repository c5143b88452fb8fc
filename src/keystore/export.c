/* Handing a private key out, encrypted under a passphrase the caller chose
 * (ExportCertificate). The plaintext key lives only inside this function. */
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/internal.h"

/* OpenSSL 3's PKCS#8 encryption with a cipher picks PBES2 with PBKDF2 over
 * HMAC-SHA256 and a random salt and IV: what `openssl pkey -passin` opens. */
static char *ks_encrypt_pkcs8(EVP_PKEY *key, const unsigned char *pass, size_t pass_len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL, *data = NULL;
	if (bio == NULL || pass_len > INT_MAX)
		goto out;
	if (PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), (const char *)pass,
					  (int)pass_len, NULL, NULL) != 1)
		goto out;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || (pem = malloc((size_t)len + 1)) == NULL)
		goto out;
	memcpy(pem, data, (size_t)len);
	pem[len] = '\0';
out:
	BIO_free(bio);
	return pem;
}

int keystore_export_key(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			const char *binding, const unsigned char *passphrase, size_t pass_len,
			char **pem, struct cm_err *err)
{
	*pem = NULL;
	EVP_PKEY *key = keystore_open_key_uncached(ks, blob, blob_len, binding, err);
	if (key == NULL)
		return -1;
	*pem = ks_encrypt_pkcs8(key, passphrase, pass_len);
	EVP_PKEY_free(key);
	if (*pem == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encrypt the private key for export");
	return 0;
}
