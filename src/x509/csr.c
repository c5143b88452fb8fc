/* Reading a client's CSR for IssueCertificate (spec pca.md §5.10): decode it,
 * then refuse what AWS refuses with MalformedCSRException, saying why. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdint.h>

#include "x509/keys.h"
#include "x509/pem.h"
#include "x509/pem_util.h"

static void *x509_req_reader(BIO *bio, void **x, pem_password_cb *cb, void *u)
{
	/* Accepts both "CERTIFICATE REQUEST" and "NEW CERTIFICATE REQUEST". */
	return PEM_read_bio_X509_REQ(bio, (X509_REQ **)x, cb, u);
}

static X509_REQ *x509_csr_decode(const unsigned char *data, size_t len, struct cm_err *err)
{
	X509_REQ *req = NULL;
	size_t off = 0;
	if (x509_looks_pem(data, len)) {
		req = x509_pem_read_one(data, len, &off, x509_req_reader);
	} else if (len <= INT32_MAX) {
		const unsigned char *p = data;
		req = d2i_X509_REQ(NULL, &p, (long)len);
		off = req != NULL ? (size_t)(p - data) : 0;
		ERR_clear_error();
	}
	if (req == NULL) {
		cm_fail(err, CM_ERR_MALFORMED_CSR,
			"The CSR is not a valid PEM or DER PKCS #10 request");
		return NULL;
	}
	if (x509_skip_space(data, len, off) != len) {
		X509_REQ_free(req);
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR is followed by unexpected data");
		return NULL;
	}
	return req;
}

/* RSA of at least 2048 bits, or EC on P-256/P-384/P-521 (what AWS signs). */
static int x509_csr_key_check(EVP_PKEY *key, struct cm_err *err)
{
	enum x509_key_alg alg;
	if (key == NULL)
		return cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR public key cannot be read");
	int type = EVP_PKEY_get_base_id(key);
	if (type == EVP_PKEY_RSA) {
		if (EVP_PKEY_get_bits(key) < 2048)
			return cm_fail(err, CM_ERR_MALFORMED_CSR,
				       "The CSR RSA key has %d bits; at least 2048 are required",
				       EVP_PKEY_get_bits(key));
		return 0;
	}
	if (type == EVP_PKEY_EC) {
		if (x509_key_alg_of(key, &alg) < 0)
			return cm_fail(err, CM_ERR_MALFORMED_CSR,
				       "The CSR EC key is not on curve P-256, P-384 or P-521");
		return 0;
	}
	return cm_fail(err, CM_ERR_MALFORMED_CSR,
		       "The CSR key type %s is not supported; use RSA or EC",
		       OBJ_nid2sn(type) != NULL ? OBJ_nid2sn(type) : "unknown");
}

/* Whether the CSR requests a non-empty SubjectAltName. */
static bool x509_csr_has_san(X509_REQ *req)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES *san = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	bool has = san != NULL && sk_GENERAL_NAME_num(san) > 0;
	GENERAL_NAMES_free(san);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	ERR_clear_error();
	return has;
}

X509_REQ *x509_csr_parse(const unsigned char *data, size_t len, struct cm_err *err)
{
	X509_REQ *req = x509_csr_decode(data, len, err);
	if (req == NULL)
		return NULL;
	EVP_PKEY *key = X509_REQ_get0_pubkey(req);
	/* The key is checked first: verifying with a huge or odd key is the
	 * expensive part, and its rejection is the more useful message. */
	if (x509_csr_key_check(key, err) < 0)
		goto fail;
	if (X509_REQ_verify(req, key) != 1) {
		cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR signature does not verify");
		goto fail;
	}
	if (X509_NAME_entry_count(X509_REQ_get_subject_name(req)) == 0 && !x509_csr_has_san(req)) {
		cm_fail(err, CM_ERR_MALFORMED_CSR,
			"The CSR has neither a subject nor a subject alternative name");
		goto fail;
	}
	ERR_clear_error();
	return req;
fail:
	ERR_clear_error();
	X509_REQ_free(req);
	return NULL;
}
