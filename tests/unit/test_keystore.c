/* Keystore: the master key file (created 0600, refused when others can read
 * it or it has the wrong size), sealed keys and secrets that open only with
 * the right binding and unaltered, derived subkeys, new access keys. */
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "keystore/keystore.h"

#define KS_BINDING "certain:ca-key:0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

struct ks_dir {
	char path[64];
	char key[96];
};

static void ks_dir_make(struct ks_dir *d)
{
	(void)snprintf(d->path, sizeof(d->path), "/tmp/certain-ks-XXXXXX");
	if (mkdtemp(d->path) == NULL)
		d->path[0] = '\0';
	(void)snprintf(d->key, sizeof(d->key), "%s/master.key", d->path);
}

static void ks_dir_remove(struct ks_dir *d)
{
	unlink(d->key);
	rmdir(d->path);
}

TEST(keystore_creates_private_master_key)
{
	struct ks_dir d = {0};
	struct cm_err err = {0};
	struct stat st;
	ks_dir_make(&d);
	/* Without create, a missing key is an error, not a silent new key. */
	CHECK(keystore_open(d.path, false, &err) == NULL && err.code == CM_ERR_INTERNAL);
	/* A permissive umask must not widen the file's mode. */
	mode_t old = umask(0);
	struct keystore *ks = keystore_open(d.path, true, &err);
	umask(old);
	CHECK(ks != NULL);
	CHECK(stat(d.key, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600 &&
	      st.st_size == 32);
	keystore_close(ks);
	/* Reopened, with or without create, it is the same key. */
	ks = keystore_open(d.path, false, &err);
	CHECK(ks != NULL);
	keystore_close(ks);
	keystore_close(NULL);
	ks_dir_remove(&d);
}

TEST(keystore_refuses_bad_master_key)
{
	struct ks_dir d = {0};
	struct cm_err err = {0};
	ks_dir_make(&d);
	struct keystore *ks = keystore_open(d.path, true, &err);
	keystore_close(ks);
	const mode_t modes[] = {0640, 0604, 0660, 0700 | 0002};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		CHECK(chmod(d.key, modes[i]) == 0);
		cm_err_clear(&err);
		CHECK(keystore_open(d.path, true, &err) == NULL);
		CHECK(err.code == CM_ERR_INTERNAL && strstr(err.msg, "chmod 600") != NULL);
	}
	CHECK(chmod(d.key, 0600) == 0);
	/* Wrong size: one byte short, one byte long. */
	CHECK(truncate(d.key, 31) == 0);
	CHECK(keystore_open(d.path, true, &err) == NULL && strstr(err.msg, "32 bytes") != NULL);
	CHECK(truncate(d.key, 33) == 0);
	CHECK(keystore_open(d.path, true, &err) == NULL && strstr(err.msg, "32 bytes") != NULL);
	/* A symlink in its place is not followed. */
	unlink(d.key);
	CHECK(symlink("/etc/hostname", d.key) == 0);
	CHECK(keystore_open(d.path, true, &err) == NULL);
	ks_dir_remove(&d);
}

static void ks_round_trip(int *harness_failures, EVP_PKEY *key)
{
	struct ks_dir d = {0};
	struct cm_err err = {0};
	unsigned char *blob = NULL, *blob2 = NULL;
	size_t len = 0, len2 = 0;
	ks_dir_make(&d);
	struct keystore *ks = keystore_open(d.path, true, &err);
	CHECK(ks != NULL && key != NULL);
	if (ks == NULL || key == NULL)
		goto out;
	CHECK(keystore_seal_key(ks, key, KS_BINDING, &blob, &len, &err) == 0);
	EVP_PKEY *back = keystore_open_key(ks, blob, len, KS_BINDING, &err);
	CHECK(back != NULL && EVP_PKEY_eq(back, key) == 1);
	EVP_PKEY_free(back);
	/* A fresh nonce per seal: the same key seals to different blobs. */
	CHECK(keystore_seal_key(ks, key, KS_BINDING, &blob2, &len2, &err) == 0);
	CHECK(len2 == len && memcmp(blob, blob2, len) != 0);
	/* Another process with the same master key opens it. */
	keystore_close(ks);
	ks = keystore_open(d.path, false, &err);
	back = ks != NULL ? keystore_open_key(ks, blob, len, KS_BINDING, &err) : NULL;
	CHECK(back != NULL && EVP_PKEY_eq(back, key) == 1);
	EVP_PKEY_free(back);
out:
	free(blob);
	free(blob2);
	keystore_close(ks);
	ks_dir_remove(&d);
}

TEST(keystore_round_trip_rsa)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	ks_round_trip(harness_failures, key);
	EVP_PKEY_free(key);
}

TEST(keystore_round_trip_ec)
{
	EVP_PKEY *p256 = EVP_EC_gen("P-256"), *p384 = EVP_EC_gen("P-384");
	ks_round_trip(harness_failures, p256);
	ks_round_trip(harness_failures, p384);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
}

TEST(keystore_tamper_and_binding)
{
	struct ks_dir d = {0}, d2 = {0};
	struct cm_err err = {0};
	unsigned char *blob = NULL;
	size_t len = 0;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	ks_dir_make(&d);
	ks_dir_make(&d2);
	struct keystore *ks = keystore_open(d.path, true, &err);
	struct keystore *other = keystore_open(d2.path, true, &err);
	CHECK(ks != NULL && other != NULL && key != NULL);
	if (ks == NULL || other == NULL || key == NULL)
		goto out;
	CHECK(keystore_seal_key(ks, key, KS_BINDING, &blob, &len, &err) == 0);
	/* Moved to another record. */
	cm_err_clear(&err);
	CHECK(keystore_open_key(ks, blob, len, KS_BINDING "x", &err) == NULL &&
	      err.code == CM_ERR_INTERNAL);
	CHECK(keystore_open_key(ks, blob, len, "", &err) == NULL);
	/* Under another master key. */
	CHECK(keystore_open_key(other, blob, len, KS_BINDING, &err) == NULL);
	/* Any flipped bit: version, nonce, ciphertext, tag. */
	for (size_t i = 0; i < len; i++) {
		blob[i] ^= 0x01;
		cm_err_clear(&err);
		EVP_PKEY *k = keystore_open_key(ks, blob, len, KS_BINDING, &err);
		CHECK(k == NULL && err.code == CM_ERR_INTERNAL);
		EVP_PKEY_free(k);
		blob[i] ^= 0x01;
	}
	/* Truncated, down to nothing. */
	for (size_t cut = 1; cut <= len; cut += 7)
		CHECK(keystore_open_key(ks, blob, len - cut, KS_BINDING, &err) == NULL);
	CHECK(keystore_open_key(ks, blob, 0, KS_BINDING, &err) == NULL);
	/* Still opens when left alone. */
	EVP_PKEY *k = keystore_open_key(ks, blob, len, KS_BINDING, &err);
	CHECK(k != NULL);
	EVP_PKEY_free(k);
out:
	free(blob);
	EVP_PKEY_free(key);
	keystore_close(ks);
	keystore_close(other);
	ks_dir_remove(&d);
	ks_dir_remove(&d2);
}

TEST(keystore_secrets)
{
	struct ks_dir d = {0};
	struct cm_err err = {0};
	unsigned char *blob = NULL, out[64];
	size_t len = 0, out_len = 0;
	const char *secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
	ks_dir_make(&d);
	struct keystore *ks = keystore_open(d.path, true, &err);
	CHECK(ks != NULL);
	if (ks == NULL)
		goto out;
	CHECK(keystore_seal_secret(ks, (const unsigned char *)secret, strlen(secret),
				   "AKIAIOSFODNN7EXAMPLE", &blob, &len, &err) == 0);
	CHECK(keystore_open_secret(ks, blob, len, "AKIAIOSFODNN7EXAMPLE", out, sizeof(out),
				   &out_len, &err) == 0);
	CHECK(out_len == strlen(secret) && memcmp(out, secret, out_len) == 0);
	/* Bound to its access key id. */
	CHECK(keystore_open_secret(ks, blob, len, "AKIAOTHERKEY00000000", out, sizeof(out),
				   &out_len, &err) < 0 &&
	      out_len == 0);
	/* Does not fit. */
	CHECK(keystore_open_secret(ks, blob, len, "AKIAIOSFODNN7EXAMPLE", out, 39, &out_len, &err) <
	      0);
	/* A sealed secret is not a sealed key, even with the same binding. */
	CHECK(keystore_open_key(ks, blob, len, "AKIAIOSFODNN7EXAMPLE", &err) == NULL);
out:
	free(blob);
	keystore_close(ks);
	ks_dir_remove(&d);
}

TEST(keystore_derive_labels)
{
	struct ks_dir d = {0}, d2 = {0};
	struct cm_err err = {0};
	unsigned char a[32], b[32], c[32], e[32];
	ks_dir_make(&d);
	ks_dir_make(&d2);
	struct keystore *ks = keystore_open(d.path, true, &err);
	struct keystore *other = keystore_open(d2.path, true, &err);
	CHECK(ks != NULL && other != NULL);
	if (ks != NULL && other != NULL) {
		CHECK(keystore_derive(ks, "certain/next-token/v1", a) == 0);
		CHECK(keystore_derive(ks, "certain/next-token/v1", b) == 0);
		CHECK(memcmp(a, b, 32) == 0);
		CHECK(keystore_derive(ks, "certain/next-token/v2", c) == 0);
		CHECK(memcmp(a, c, 32) != 0);
		CHECK(keystore_derive(other, "certain/next-token/v1", e) == 0);
		CHECK(memcmp(a, e, 32) != 0);
	}
	OPENSSL_cleanse(a, 32);
	keystore_close(ks);
	keystore_close(other);
	ks_dir_remove(&d);
	ks_dir_remove(&d2);
}

TEST(keystore_new_access_keys)
{
	char akid[21], secret[41], akid2[21], secret2[41];
	CHECK(keystore_new_access_key(akid, secret) == 0);
	CHECK(keystore_new_access_key(akid2, secret2) == 0);
	CHECK(strlen(akid) == 20 && strncmp(akid, "AKIA", 4) == 0);
	CHECK(strspn(akid + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == 16);
	CHECK(strlen(secret) == 40);
	CHECK(strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") ==
	      40);
	CHECK(strcmp(akid, akid2) != 0 && strcmp(secret, secret2) != 0);
	char buf[9];
	CHECK(keystore_random_chars(buf, 8, "abc") < 0); /* 3 symbols: biased, refused */
	CHECK(keystore_random_chars(buf, 8, "01") == 0 && strspn(buf, "01") == 8);
}

/* The opened-key cache returns the same key for the same sealed blob and
 * never lets a cached key answer for an altered blob or another binding. */
TEST(keystore_key_cache)
{
	struct ks_dir d = {0};
	struct cm_err err = {0};
	unsigned char *blob = NULL;
	size_t len = 0;
	EVP_PKEY *key = EVP_EC_gen("P-256"), *a = NULL, *b = NULL, *c = NULL, *e = NULL;
	ks_dir_make(&d);
	struct keystore *ks = keystore_open(d.path, true, &err);
	CHECK(ks != NULL && key != NULL);
	if (ks == NULL || key == NULL)
		goto out;
	CHECK(keystore_seal_key(ks, key, KS_BINDING, &blob, &len, &err) == 0);
	a = keystore_open_key(ks, blob, len, KS_BINDING, &err);
	b = keystore_open_key(ks, blob, len, KS_BINDING, &err);
	CHECK(a != NULL && a == b); /* second open served from the cache */
	CHECK(a != NULL && EVP_PKEY_eq(a, key) == 1);
	blob[len - 1] ^= 1;
	c = keystore_open_key(ks, blob, len, KS_BINDING, &err);
	CHECK(c == NULL && err.code == CM_ERR_INTERNAL);
	blob[len - 1] ^= 1;
	e = keystore_open_key(ks, blob, len, KS_BINDING "x", &err);
	CHECK(e == NULL);
out:
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	EVP_PKEY_free(c);
	EVP_PKEY_free(e);
	EVP_PKEY_free(key);
	free(blob);
	keystore_close(ks);
	ks_dir_remove(&d);
}
