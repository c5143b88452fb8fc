/* The master key file and the keys derived from it. The file is created once,
 * atomically and private (O_EXCL, 0600), and refused when anyone else could
 * read it: a readable master key is every CA key in the clear. The master key
 * itself only feeds HKDF; the sealing key and each derive() label get
 * separate "info" strings, so no label a caller picks yields the sealing key. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/internal.h"

#define KS_SEAL_INFO	 "certain/keystore/seal/v1"
#define KS_DERIVE_PREFIX "certain/derive/"

int keystore_hkdf(const unsigned char master[KEYSTORE_MASTER_LEN], const char *info,
		  size_t info_len, unsigned char out[32])
{
	int rc = -1;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)master,
					      KEYSTORE_MASTER_LEN),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
	    OSSL_PARAM_construct_end()};
	if (ctx != NULL && EVP_KDF_derive(ctx, out, 32, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

int keystore_derive(struct keystore *ks, const char *label, unsigned char out[32])
{
	char info[256];
	int n = snprintf(info, sizeof(info), "%s%s", KS_DERIVE_PREFIX, label);
	if (ks == NULL || n < 0 || (size_t)n >= sizeof(info))
		return -1;
	return keystore_hkdf(ks->master, info, (size_t)n, out);
}

/* Makes the master key file; -1 with errno-style message in err. A partial
 * file is removed, so the next start does not find a short key. */
static int ks_create_master(const char *path, const char *dir, struct cm_err *err)
{
	unsigned char key[KEYSTORE_MASTER_LEN];
	int fd = -1, rc = -1;
	size_t done = 0;
	if (RAND_priv_bytes(key, sizeof(key)) != 1) {
		cm_fail(err, CM_ERR_INTERNAL, "random generator failed creating %s", path);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = 0; /* created meanwhile by another process: read that one */
		else
			cm_fail(err, CM_ERR_INTERNAL, "cannot create %s: %s", path,
				strerror(errno));
		goto out;
	}
	while (done < sizeof(key)) {
		ssize_t w = write(fd, key + done, sizeof(key) - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	/* Durable before anything is sealed under it. */
	if (done != sizeof(key) || fsync(fd) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		goto out;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/* Reads and checks the master key file into out. */
static int ks_read_master(const char *path, unsigned char out[KEYSTORE_MASTER_LEN],
			  struct cm_err *err)
{
	struct stat st;
	size_t done = 0;
	int rc = -1;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot open master key %s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cm_fail(err, CM_ERR_INTERNAL, "master key %s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		cm_fail(err, CM_ERR_INTERNAL,
			"master key %s is accessible by group or others (mode %03o); refusing "
			"to use it: run chmod 600 %s",
			path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	if (st.st_size != KEYSTORE_MASTER_LEN) {
		cm_fail(err, CM_ERR_INTERNAL, "master key %s must be exactly %d bytes, not %lld",
			path, KEYSTORE_MASTER_LEN, (long long)st.st_size);
		goto out;
	}
	while (done < KEYSTORE_MASTER_LEN) {
		ssize_t r = read(fd, out + done, KEYSTORE_MASTER_LEN - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	if (done != KEYSTORE_MASTER_LEN) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot read master key %s", path);
		OPENSSL_cleanse(out, KEYSTORE_MASTER_LEN);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int ks_key_up_ref(void *key)
{
	return EVP_PKEY_up_ref(key);
}

static void ks_key_release(void *key)
{
	EVP_PKEY_free(key);
}

struct keystore *keystore_open(const char *data_dir, bool create, struct cm_err *err)
{
	char path[4096];
	struct stat st;
	struct keystore *ks = NULL;
	int n = snprintf(path, sizeof(path), "%s/%s", data_dir, KEYSTORE_MASTER_FILE);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		cm_fail(err, CM_ERR_INTERNAL, "data folder path too long");
		return NULL;
	}
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT || !create) {
			cm_fail(err, CM_ERR_INTERNAL, "no master key at %s: %s", path,
				strerror(errno));
			return NULL;
		}
		if (ks_create_master(path, data_dir, err) < 0)
			return NULL;
	}
	ks = calloc(1, sizeof(*ks));
	if (ks == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (ks_read_master(path, ks->master, err) < 0)
		goto fail;
	if (keystore_hkdf(ks->master, KS_SEAL_INFO, strlen(KS_SEAL_INFO), ks->seal) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot derive the sealing key");
		goto fail;
	}
	/* OpenSSL 3.0 decodes a private key more slowly than ECDSA signs: open
	 * each sealed key once. Only blobs that opened go in. */
	ks->keys = ref_cache_new(ks_key_up_ref, ks_key_release);
	return ks;
fail:
	keystore_close(ks);
	return NULL;
}

void keystore_close(struct keystore *ks)
{
	if (ks == NULL)
		return;
	ref_cache_free(ks->keys);
	OPENSSL_cleanse(ks, sizeof(*ks));
	free(ks);
}
