/* Handing a private key out: encrypted under a passphrase the caller chose
 * (ExportCertificate), or as plain PEM straight into a file descriptor
 * (deployment to a TLS server). The plaintext key lives only inside these
 * functions. */
#include <errno.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Writes all of buf to fd (a regular file: short writes only on error). */
static int ks_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int keystore_write_key_pem(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			   const char *binding, int fd, struct cm_err *err)
{
	EVP_PKEY *key = keystore_open_key_uncached(ks, blob, blob_len, binding, err);
	BIO *bio = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long len = 0;
	int rc = -1;
	if (key == NULL)
		goto out;
	/* Unencrypted PKCS#8 ("PRIVATE KEY"): what nginx and HAProxy read. The
	 * PEM stays in OpenSSL's secure heap and is wiped by BIO_free. */
	if (bio == NULL || PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the private key");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || ks_write_all(fd, data, (size_t)len) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot write the private key: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (data != NULL && len > 0)
		OPENSSL_cleanse(data, (size_t)len);
	BIO_free(bio);
	EVP_PKEY_free(key);
	return rc;
}
