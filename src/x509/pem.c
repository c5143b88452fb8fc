/* Certificates and chains between PEM, DER and X509 objects. Input is client
 * data: anything left over after the object(s) is refused, not ignored, so a
 * truncated or concatenated upload never passes as something else. */
#include "x509/pem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/ref_cache.h"
#include "x509/pem_util.h"

/* Skips whitespace; returns the new offset. A trailing NUL (jv_blob adds one
 * past the length, some clients send one inside it) counts as whitespace. */
size_t x509_skip_space(const unsigned char *p, size_t len, size_t off)
{
	while (off < len && (p[off] == ' ' || p[off] == '\t' || p[off] == '\r' || p[off] == '\n' ||
			     p[off] == '\0'))
		off++;
	return off;
}

bool x509_looks_pem(const unsigned char *p, size_t len)
{
	static const char begin[] = "-----BEGIN ";
	size_t off = x509_skip_space(p, len, 0);
	return len - off >= sizeof(begin) - 1 && memcmp(p + off, begin, sizeof(begin) - 1) == 0;
}

/* OpenSSL's default callback would prompt on the terminal for an encrypted
 * PEM block: a server must refuse it instead. */
static int x509_no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

void *x509_pem_read_one(const unsigned char *p, size_t len, size_t *off,
			void *(*reader)(BIO *, void **, pem_password_cb *, void *))
{
	size_t start = x509_skip_space(p, len, *off);
	if (len - start > INT32_MAX)
		return NULL;
	BIO *bio = BIO_new_mem_buf(p + start, (int)(len - start));
	void *obj = NULL;
	if (bio == NULL)
		return NULL;
	/* PEM_read_bio skips text before a BEGIN line; refuse that text here. */
	if (x509_looks_pem(p + start, len - start))
		obj = reader(bio, NULL, x509_no_password, NULL);
	if (obj != NULL)
		*off = len - (size_t)BIO_pending(bio);
	BIO_free(bio);
	ERR_clear_error();
	return obj;
}

static void *x509_cert_reader(BIO *bio, void **x, pem_password_cb *cb, void *u)
{
	return PEM_read_bio_X509(bio, (X509 **)x, cb, u);
}

/* One DER certificate starting at *off; advances *off. */
static X509 *x509_der_read_one(const unsigned char *p, size_t len, size_t *off)
{
	const unsigned char *q = p + *off;
	if (len - *off > INT32_MAX)
		return NULL;
	X509 *cert = d2i_X509(NULL, &q, (long)(len - *off));
	ERR_clear_error();
	if (cert != NULL)
		*off = (size_t)(q - p);
	return cert;
}

X509 *x509_cert_parse(const unsigned char *data, size_t len, struct cm_err *err)
{
	size_t off = 0;
	bool pem = x509_looks_pem(data, len);
	X509 *cert = pem ? x509_pem_read_one(data, len, &off, x509_cert_reader)
			 : x509_der_read_one(data, len, &off);
	if (cert == NULL) {
		cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			"The certificate is not a valid PEM or DER X.509 certificate");
		return NULL;
	}
	if (x509_skip_space(data, len, off) != len) {
		X509_free(cert);
		cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			"The certificate is followed by unexpected data");
		return NULL;
	}
	return cert;
}

STACK_OF(X509) * x509_chain_parse(const unsigned char *data, size_t len, struct cm_err *err)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	bool pem = x509_looks_pem(data, len);
	size_t off = 0;
	if (chain == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	while ((off = x509_skip_space(data, len, off)) < len) {
		X509 *cert = pem ? x509_pem_read_one(data, len, &off, x509_cert_reader)
				 : x509_der_read_one(data, len, &off);
		if (cert == NULL) {
			cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
				"Certificate %d of the chain is not a valid %s X.509 certificate",
				sk_X509_num(chain) + 1, pem ? "PEM" : "DER");
			goto fail;
		}
		if (!sk_X509_push(chain, cert)) {
			X509_free(cert);
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto fail;
		}
	}
	if (sk_X509_num(chain) == 0) {
		cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE, "The certificate chain is empty");
		goto fail;
	}
	return chain;
fail:
	sk_X509_pop_free(chain, X509_free);
	return NULL;
}

char *x509_bio_to_string(BIO *bio)
{
	char *data = NULL, *out = NULL;
	long n = BIO_get_mem_data(bio, &data);
	if (n >= 0 && (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	return out;
}

char *x509_cert_to_pem(const X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (bio != NULL && PEM_write_bio_X509(bio, cert) == 1)
		out = x509_bio_to_string(bio);
	BIO_free(bio);
	return out;
}

char *x509_der_to_pem(const char *label, const unsigned char *der, size_t len)
{
	BIO *bio = len <= INT32_MAX ? BIO_new(BIO_s_mem()) : NULL;
	char *out = NULL;
	if (bio != NULL && PEM_write_bio(bio, label, "", der, (long)len) > 0)
		out = x509_bio_to_string(bio);
	BIO_free(bio);
	return out;
}

char *x509_req_to_pem(const X509_REQ *req)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (bio != NULL && PEM_write_bio_X509_REQ(bio, req) == 1)
		out = x509_bio_to_string(bio);
	BIO_free(bio);
	return out;
}

char *x509_chain_to_pem(const STACK_OF(X509) * chain)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (bio == NULL)
		return NULL;
	for (int i = 0; i < sk_X509_num(chain); i++)
		if (PEM_write_bio_X509(bio, sk_X509_value(chain, i)) != 1)
			goto out;
	out = x509_bio_to_string(bio);
out:
	BIO_free(bio);
	return out;
}

unsigned char *x509_cert_to_der(const X509 *cert, size_t *len)
{
	unsigned char *der = NULL, *p;
	int n = i2d_X509(cert, NULL);
	if (n <= 0 || (der = malloc((size_t)n)) == NULL)
		return NULL;
	p = der;
	i2d_X509(cert, &p);
	*len = (size_t)n;
	return der;
}

X509 *x509_cert_from_der(const unsigned char *der, size_t len, struct cm_err *err)
{
	size_t off = 0;
	X509 *cert = der != NULL ? x509_der_read_one(der, len, &off) : NULL;
	if (cert == NULL || off != len) {
		X509_free(cert);
		cm_fail(err, CM_ERR_INTERNAL, "a stored certificate does not decode");
		return NULL;
	}
	return cert;
}

static int x509_cache_up_ref(void *cert)
{
	return X509_up_ref(cert);
}

static void x509_cache_release(void *cert)
{
	X509_free(cert);
}

struct ref_cache *x509_cert_cache_new(void)
{
	return ref_cache_new(x509_cache_up_ref, x509_cache_release);
}
