/* The keystore: the only code that sees plaintext private keys and secrets.
 * A 32-byte master key in DATA/master.key (mode 0600) seals every stored key
 * with AES-256-GCM, bound to the record it belongs to, and derives subkeys for
 * other uses (the NextToken MAC). The shape (open a key by its sealed blob and
 * binding, hand back an EVP_PKEY) lets it move into a separate process later.
 *
 * Thread safety: a struct keystore is read-only after keystore_open; every call
 * makes its own OpenSSL contexts, so request threads share one freely. */
#ifndef CERTAIN_KEYSTORE_KEYSTORE_H
#define CERTAIN_KEYSTORE_KEYSTORE_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "keystore/credentials.h"
#include "util/err.h"

#define KEYSTORE_MASTER_FILE "master.key"
#define KEYSTORE_MASTER_LEN  32

struct keystore;

/* Reads DIR/master.key. When it is missing and create is set, makes one from
 * 32 random bytes (O_CREAT|O_EXCL, mode 0600). Refuses a file that is not a
 * regular file, is readable or writable by group or others, or is not exactly
 * 32 bytes, saying which. Owned; free with keystore_close. NULL and *err. */
struct keystore *keystore_open(const char *data_dir, bool create, struct cm_err *err);

/* Wipes the key material and frees. NULL-safe. */
void keystore_close(struct keystore *ks);

/* Seals key (PKCS#8 DER) bound to `binding` (e.g. "certain:ca-key:<id>"): a blob
 * moved to another record, or opened as a secret, does not open. *blob is
 * malloc'd (free()); layout: version byte | 12-byte nonce | ciphertext | 16-byte tag.
 * The plaintext DER is wiped. 0, or -1 with CM_ERR_INTERNAL. */
int keystore_seal_key(struct keystore *ks, EVP_PKEY *key, const char *binding, unsigned char **blob,
		      size_t *blob_len, struct cm_err *err);

/* Opens a blob from keystore_seal_key with the same binding. Owned EVP_PKEY
 * (EVP_PKEY_free), or NULL with CM_ERR_INTERNAL when the blob was altered, is
 * bound elsewhere, or is not a key. The plaintext DER is wiped. */
EVP_PKEY *keystore_open_key(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			    const char *binding, struct cm_err *err);

/* ExportCertificate (spec acm.md §6.6): the sealed key as PEM "ENCRYPTED
 * PRIVATE KEY" (PKCS#8 PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC) under the
 * caller's passphrase. *pem is owned (free()). The plaintext exists only in
 * memory here and is not cached. CM_ERR_INTERNAL on failure. */
int keystore_export_key(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			const char *binding, const unsigned char *passphrase, size_t pass_len,
			char **pem, struct cm_err *err);

/* Deployment (issue 6): writes the sealed key as unencrypted PKCS#8 PEM
 * ("PRIVATE KEY") to fd, the file a TLS server reads. The plaintext is never
 * returned, logged or cached, and is wiped once written. CM_ERR_INTERNAL on
 * failure (fd may then hold part of the key: the caller removes the file). */
int keystore_write_key_pem(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			   const char *binding, int fd, struct cm_err *err);

/* Seals a short secret (e.g. an access key's secret, bound to its access key id);
 * same blob layout and rules as keystore_seal_key. */
int keystore_seal_secret(struct keystore *ks, const unsigned char *secret, size_t len,
			 const char *binding, unsigned char **blob, size_t *blob_len,
			 struct cm_err *err);

/* Opens a sealed secret into out (out_size bytes, not NUL-terminated: *out_len
 * says how many). CM_ERR_INTERNAL when it does not open or does not fit; out is
 * wiped on failure. */
int keystore_open_secret(struct keystore *ks, const unsigned char *blob, size_t blob_len,
			 const char *binding, unsigned char *out, size_t out_size, size_t *out_len,
			 struct cm_err *err);

/* HKDF-SHA256 subkey of the master key for `label` (e.g. "certain/next-token/v1").
 * Different labels give independent keys; no label reaches the sealing key.
 * The caller wipes out with OPENSSL_cleanse when done. 0 or -1. */
int keystore_derive(struct keystore *ks, const char *label, unsigned char out[32]);

#endif
