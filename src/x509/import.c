/* The ImportCertificate content checks (spec acm.md §6.5, steps 2–9, in
 * order): PEM only, one certificate, an unencrypted key of an allowed type
 * that matches it, validity now, a chain in issuing order, a short OCSP URL,
 * and at least one name. Input is client data; every failure is a
 * ValidationException whose message never quotes the key. */
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "x509/leaf.h"
#include "x509/pem_util.h"

#define IMPORT_OCSP_URL_MAX 1000

/* One PEM block as PEM_read_bio returns it: type, headers, decoded body. */
struct pem_block {
	char *name;
	char *header;
	unsigned char *data;
	long len;
};

struct pem_blocks {
	struct pem_block **b;
	size_t n;
};

static void pem_block_free(struct pem_block *b)
{
	if (b == NULL)
		return;
	OPENSSL_free(b->name);
	OPENSSL_free(b->header);
	/* The body of a key block is key material. */
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, (size_t)b->len);
	OPENSSL_free(b->data);
	free(b);
}

static void pem_blocks_clear(struct pem_blocks *bl)
{
	for (size_t i = 0; i < bl->n; i++)
		pem_block_free(bl->b[i]);
	free(bl->b);
	bl->b = NULL;
	bl->n = 0;
}

/* A reader for x509_pem_read_one that keeps the block raw: PEM_read_bio never
 * decrypts, so an encrypted key can neither prompt for a passphrase nor be
 * mistaken for a plain one. */
static void *pem_block_reader(BIO *bio, void **x, pem_password_cb *cb, void *u)
{
	struct pem_block *b = calloc(1, sizeof(*b));
	(void)x;
	(void)cb;
	(void)u;
	if (b != NULL && PEM_read_bio(bio, &b->name, &b->header, &b->data, &b->len) == 1)
		return b;
	free(b);
	return NULL;
}

/* Every PEM block of p, in order. -1 when something other than whitespace
 * sits before, between or after them, or a block does not decode; -2 when
 * out of memory. */
static int pem_split(const unsigned char *p, size_t len, struct pem_blocks *out)
{
	size_t off = 0;
	while ((off = x509_skip_space(p, len, off)) < len) {
		struct pem_block *b = x509_pem_read_one(p, len, &off, pem_block_reader);
		struct pem_block **grown;
		if (b == NULL)
			return -1;
		grown = realloc(out->b, (out->n + 1) * sizeof(struct pem_block *));
		if (grown == NULL) {
			pem_block_free(b);
			return -2;
		}
		out->b = grown;
		out->b[out->n++] = b;
	}
	return 0;
}

/* Splits a field into blocks with the error ImportCertificate gives. */
static int import_split(const char *what, const unsigned char *p, size_t len,
			struct pem_blocks *out, struct cm_err *err)
{
	static const char begin[] = "-----BEGIN ";
	int rc;
	bool has_begin = p != NULL && memmem(p, len, begin, sizeof(begin) - 1) != NULL;
	if (!x509_looks_pem(p, len) && !has_begin)
		return cm_fail(
		    err, CM_ERR_VALIDATION,
		    "The %s must be PEM-encoded; DER and other encodings are not accepted.", what);
	rc = pem_split(p, len, out);
	if (rc == -2)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	if (rc < 0)
		return cm_fail(
		    err, CM_ERR_VALIDATION,
		    "The %s is not valid PEM: a block does not decode or is surrounded by "
		    "other text.",
		    what);
	return 0;
}

/* A CERTIFICATE block without headers, decoded with nothing left over. */
static X509 *import_cert_block(const struct pem_block *b)
{
	const unsigned char *q = b->data;
	X509 *cert = NULL;
	if (strcmp(b->name, "CERTIFICATE") != 0 || b->header[0] != '\0')
		return NULL;
	cert = d2i_X509(NULL, &q, b->len);
	if (cert != NULL && q != b->data + b->len) {
		X509_free(cert);
		cert = NULL;
	}
	return cert;
}

/* Step 2: PEM only, exactly one CERTIFICATE block. */
static int import_cert(const struct x509_import_input *in, struct x509_import *out,
		       struct cm_err *err)
{
	struct pem_blocks bl = {0};
	size_t n_certs = 0;
	int rc = -1;
	if (import_split("certificate", in->cert, in->cert_len, &bl, err) < 0)
		goto out;
	for (size_t i = 0; i < bl.n; i++)
		n_certs += strcmp(bl.b[i]->name, "CERTIFICATE") == 0;
	if (n_certs > 1) {
		cm_fail(err, CM_ERR_VALIDATION,
			"The certificate field contains more than one certificate.");
		goto out;
	}
	if (bl.n != 1 || (out->cert = import_cert_block(bl.b[0])) == NULL) {
		cm_fail(err, CM_ERR_VALIDATION,
			"The certificate field must hold one PEM CERTIFICATE block with a valid "
			"X.509 certificate.");
		goto out;
	}
	if (x509_leaf_details_get(out->cert, &out->details, err) < 0) {
		/* A certificate we cannot read is the client's fault, whatever the cause. */
		if (err != NULL)
			err->code = CM_ERR_VALIDATION;
		goto out;
	}
	rc = 0;
out:
	pem_blocks_clear(&bl);
	return rc;
}

static bool import_block_encrypted(const struct pem_block *b)
{
	/* RFC 1421 headers: "Proc-Type: 4,ENCRYPTED" and its DEK-Info. */
	return strcmp(b->name, "ENCRYPTED PRIVATE KEY") == 0 ||
	       strstr(b->header, "ENCRYPTED") != NULL || strstr(b->header, "DEK-Info") != NULL;
}

/* Belt and braces: the decoders below never see encrypted data, but should
 * one ask for a passphrase, it gets none rather than a terminal prompt. */
static int import_no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The DER body of a key block in exactly the structure its label names. */
static EVP_PKEY *import_key_decode(const struct pem_block *b)
{
	const char *structure = "type-specific", *type = NULL;
	const unsigned char *p = b->data;
	size_t left = (size_t)b->len;
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *key = NULL;
	if (strcmp(b->name, "PRIVATE KEY") == 0)
		structure = "PrivateKeyInfo";
	else if (strcmp(b->name, "RSA PRIVATE KEY") == 0)
		type = "RSA";
	else if (strcmp(b->name, "EC PRIVATE KEY") == 0)
		type = "EC";
	else
		return NULL;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&key, "DER", structure, type, EVP_PKEY_KEYPAIR, NULL,
					     NULL);
	if (dctx == NULL || !OSSL_DECODER_CTX_set_pem_password_cb(dctx, import_no_password, NULL) ||
	    !OSSL_DECODER_from_data(dctx, &p, &left) || left != 0) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return key;
}

static bool import_key_label_ok(const char *name)
{
	return strcmp(name, "PRIVATE KEY") == 0 || strcmp(name, "RSA PRIVATE KEY") == 0 ||
	       strcmp(name, "EC PRIVATE KEY") == 0;
}

/* Step 3: one unencrypted PKCS#8, PKCS#1 or SEC1 key; an EC PARAMETERS block
 * before a SEC1 key (openssl ecparam -genkey writes one) is ignored. */
static int import_key(const struct x509_import_input *in, struct x509_import *out,
		      struct cm_err *err)
{
	struct pem_blocks bl = {0};
	const struct pem_block *k;
	int rc = -1;
	if (import_split("private key", in->key, in->key_len, &bl, err) < 0)
		goto out;
	for (size_t i = 0; i < bl.n; i++) {
		if (import_block_encrypted(bl.b[i])) {
			cm_fail(err, CM_ERR_VALIDATION,
				"The private key is encrypted; provide an unencrypted key.");
			goto out;
		}
	}
	k = bl.n > 0 ? bl.b[bl.n - 1] : NULL;
	if (k == NULL || bl.n > 2 ||
	    (bl.n == 2 && (strcmp(bl.b[0]->name, "EC PARAMETERS") != 0 ||
			   strcmp(k->name, "EC PRIVATE KEY") != 0))) {
		cm_fail(err, CM_ERR_VALIDATION, "The private key field must hold one private key.");
		goto out;
	}
	if (!import_key_label_ok(k->name) || k->header[0] != '\0') {
		cm_fail(err, CM_ERR_VALIDATION,
			"The private key must be a PEM PRIVATE KEY (PKCS#8), RSA PRIVATE KEY or "
			"EC PRIVATE KEY block.");
		goto out;
	}
	if ((out->key = import_key_decode(k)) == NULL) {
		cm_fail(err, CM_ERR_VALIDATION, "The private key cannot be decoded.");
		goto out;
	}
	rc = 0;
out:
	pem_blocks_clear(&bl);
	return rc;
}

/* Step 4: v3, a non-empty issuer, and a key ACM knows (spec acm.md §3). */
static int import_cert_shape(const struct x509_import *im, struct cm_err *err)
{
	if (X509_get_version(im->cert) != X509_VERSION_3)
		return cm_fail(err, CM_ERR_VALIDATION, "The certificate must be X.509 version 3.");
	if (X509_NAME_entry_count(X509_get_issuer_name(im->cert)) == 0)
		return cm_fail(err, CM_ERR_VALIDATION, "The certificate must have an issuer.");
	if (im->details.key_alg[0] == '\0')
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The certificate's public key is not supported: use RSA with "
			       "1024, 2048, 3072 or 4096 bits, or EC P-256, P-384 or P-521.");
	return 0;
}

/* Step 5: the public halves are equal, and the private half belongs to its
 * public half (a key file with a tampered private part would fail in TLS). */
static int import_key_match(const struct x509_import *im, struct cm_err *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	int ok = EVP_PKEY_eq(X509_get0_pubkey(im->cert), im->key) == 1;
	if (!ok)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The private key does not match the certificate.");
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, im->key, NULL);
	ok = ctx != NULL && EVP_PKEY_pairwise_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return cm_fail(err, CM_ERR_VALIDATION, "The private key is not a valid key.");
	return 0;
}

/* Step 6: now within [NotBefore, NotAfter]. */
static int import_validity(const struct x509_import *im, int64_t now, struct cm_err *err)
{
	if (now < im->details.info.not_before)
		return cm_fail(err, CM_ERR_VALIDATION, "The certificate is not yet valid.");
	if (now > im->details.info.not_after)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The certificate has expired, is not valid.");
	return 0;
}

/* Whether issuer issued subject: names, key identifiers, key usage
 * (X509_check_issued) and the signature itself. */
static bool import_issued(X509 *issuer, X509 *subject)
{
	EVP_PKEY *key = X509_get0_pubkey(issuer);
	return X509_check_issued(issuer, subject) == X509_V_OK && key != NULL &&
	       X509_verify(subject, key) == 1;
}

/* Step 7, first half: every block a PEM certificate. */
static int import_chain_parse(const struct x509_import_input *in, struct x509_import *out,
			      struct cm_err *err)
{
	struct pem_blocks bl = {0};
	int rc = -1;
	if (import_split("certificate chain", in->chain, in->chain_len, &bl, err) < 0)
		goto out;
	if ((out->chain = sk_X509_new_null()) == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < bl.n; i++) {
		X509 *c = import_cert_block(bl.b[i]);
		if (c == NULL) {
			cm_fail(err, CM_ERR_VALIDATION,
				"Certificate %zu of the chain is not a valid PEM certificate.",
				i + 1);
			goto out;
		}
		if (!sk_X509_push(out->chain, c)) {
			X509_free(c);
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	pem_blocks_clear(&bl);
	return rc;
}

/* Step 7, second half: the first issues the leaf, each next the previous;
 * the leaf itself is not part of its chain. A root at the end is fine. */
static int import_chain(const struct x509_import_input *in, struct x509_import *out,
			struct cm_err *err)
{
	X509 *prev = out->cert;
	if (in->chain == NULL)
		return 0;
	if (import_chain_parse(in, out, err) < 0)
		return -1;
	for (int i = 0; i < sk_X509_num(out->chain); i++) {
		X509 *c = sk_X509_value(out->chain, i);
		if (X509_cmp(c, out->cert) == 0)
			return cm_fail(err, CM_ERR_VALIDATION,
				       "The certificate chain must not contain the certificate "
				       "itself.");
		if (!import_issued(c, prev))
			return i == 0 ? cm_fail(err, CM_ERR_VALIDATION,
						"The first certificate of the chain did not issue "
						"the certificate.")
				      : cm_fail(err, CM_ERR_VALIDATION,
						"Certificate %d of the chain did not issue "
						"certificate %d of the chain.",
						i + 1, i);
		prev = c;
	}
	return 0;
}

/* Steps 8 and 9. */
static int import_extensions(const struct x509_import *im, struct cm_err *err)
{
	if (im->details.ocsp_url_len > IMPORT_OCSP_URL_MAX)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The certificate's OCSP URL is longer than %d characters.",
			       IMPORT_OCSP_URL_MAX);
	if (im->details.n_names == 0 && !im->details.has_ip_san)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The certificate must name at least one domain name or IP address.");
	return 0;
}

int x509_import_check(const struct x509_import_input *in, int64_t now, struct x509_import *out,
		      struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	if (import_cert(in, out, err) < 0 || import_key(in, out, err) < 0 ||
	    import_cert_shape(out, err) < 0 || import_key_match(out, err) < 0 ||
	    import_validity(out, now, err) < 0 || import_chain(in, out, err) < 0 ||
	    import_extensions(out, err) < 0) {
		x509_import_clear(out);
		ERR_clear_error();
		return -1;
	}
	ERR_clear_error();
	return 0;
}

void x509_import_clear(struct x509_import *im)
{
	if (im == NULL)
		return;
	X509_free(im->cert);
	EVP_PKEY_free(im->key);
	sk_X509_pop_free(im->chain, X509_free);
	x509_leaf_details_clear(&im->details);
	memset(im, 0, sizeof(*im));
}
