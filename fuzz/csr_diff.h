/* The differential check shared by the CSR fuzz targets (fuzz_csr,
 * fuzz_csr_info): whatever x509_csr_parse accepts, OpenSSL's own reader
 * must accept too and see the same request (subject, key, SPKI bytes,
 * requested extensions), with a signature X509_REQ_verify accepts. Any
 * refusal must be a MalformedCSR. A difference aborts. */
#ifndef CERTAIN_FUZZ_CSR_DIFF_H
#define CERTAIN_FUZZ_CSR_DIFF_H

#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x509/csr.h"
#include "x509/pem_util.h"

/* The request as OpenSSL reads it (owned), PEM or DER as the input is. */
static X509_REQ *csr_diff_openssl(const uint8_t *data, size_t size)
{
	X509_REQ *req = NULL;
	if (x509_looks_pem(data, size)) {
		/* From the BEGIN line, as the server's reader always started
		 * (OpenSSL skips a line it does not recognise, BEGIN or not). */
		size_t skip = x509_skip_space(data, size, 0);
		BIO *bio = BIO_new_mem_buf(data + skip, (int)(size - skip));
		req = bio != NULL ? PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	} else {
		const unsigned char *p = data;
		req = d2i_X509_REQ(NULL, &p, (long)size);
	}
	return req;
}

/* Whether DER of the two extension lists is the same. */
static int csr_diff_same_exts(const STACK_OF(X509_EXTENSION) * a,
			      const STACK_OF(X509_EXTENSION) * b)
{
	unsigned char *da = NULL, *db = NULL;
	int na = i2d_X509_EXTENSIONS((const X509_EXTENSIONS *)a, &da);
	int nb = i2d_X509_EXTENSIONS((const X509_EXTENSIONS *)b, &db);
	int same = na > 0 && na == nb && memcmp(da, db, (size_t)na) == 0;
	OPENSSL_free(da);
	OPENSSL_free(db);
	return same;
}

/* Whether the SPKI OpenSSL encodes is the one kept as received. */
static int csr_diff_same_spki(X509_REQ *req, const struct x509_csr *csr)
{
	unsigned char *der = NULL;
	size_t len = 0;
	const unsigned char *ours = x509_csr_spki(csr, &len);
	int n = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), &der);
	int same = n > 0 && (size_t)n == len && memcmp(der, ours, len) == 0;
	OPENSSL_free(der);
	return same;
}

static void csr_diff_check(const uint8_t *data, size_t size)
{
	struct cm_err err = {0};
	struct x509_csr *csr = x509_csr_parse(data, size, &err);
	if (csr == NULL) {
		if (err.code != CM_ERR_MALFORMED_CSR)
			abort();
		return;
	}
	X509_REQ *req = csr_diff_openssl(data, size);
	if (req == NULL || X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1)
		abort();
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	if (X509_NAME_cmp(X509_REQ_get_subject_name(req), x509_csr_subject(csr)) != 0 ||
	    EVP_PKEY_eq(X509_REQ_get0_pubkey(req), x509_csr_pubkey(csr)) != 1 ||
	    !csr_diff_same_spki(req, csr) || exts == NULL ||
	    !csr_diff_same_exts(exts, x509_csr_extensions(csr)))
		abort();
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	x509_csr_free(csr);
	ERR_clear_error();
}

#endif
