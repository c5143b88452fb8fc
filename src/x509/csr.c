/* Reading a client's CSR for IssueCertificate (spec pca.md §5.10): decode it,
 * then refuse what AWS refuses with MalformedCSRException, saying why.
 *
 * The PKCS #10 structure is walked here as strict DER rather than through
 * d2i_X509_REQ: OpenSSL 3.0 decodes the SubjectPublicKeyInfo inside it
 * through an OSSL_DECODER context built afresh on every call, which made
 * the parse almost half of IssueCertificate's CPU. The walk keeps the bytes
 * as they were signed; the subject and the extensions still go through
 * OpenSSL's own (cheap) template decoders, the key is built from its
 * numbers (csr_key.c) and the signature checked over the raw request info
 * (csr_sig.c). */
#include "x509/csr.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "x509/csr_internal.h"
#include "x509/pem_util.h"

struct x509_csr {
	unsigned char *der;		 /* the request (owned); the slices point here */
	size_t der_len;			 /* its length, trailing whitespace excluded */
	struct csr_der info;		 /* CertificationRequestInfo, as signed */
	struct csr_der spki;		 /* SubjectPublicKeyInfo, header included */
	struct csr_der spki_alg;	 /* its AlgorithmIdentifier, header included */
	struct csr_der spki_key;	 /* its subjectPublicKey octets */
	X509_NAME *subject;		 /* owned */
	EVP_PKEY *key;			 /* owned */
	STACK_OF(X509_EXTENSION) * exts; /* owned; empty when none */
};

/* The slices the signature and the checks need, from the walk. */
struct csr_walk {
	struct csr_der subject;	 /* Name, header included */
	struct csr_der key_alg;	 /* the key's AlgorithmIdentifier content */
	struct csr_der key_bits; /* subjectPublicKey BIT STRING content */
	struct csr_der attrs;	 /* attributes [0] content; empty when absent */
	struct csr_der sig_alg;	 /* signatureAlgorithm content */
	struct csr_der sig;	 /* signature BIT STRING content */
};

static const char csr_bad[] = "The CSR is not a valid PEM or DER PKCS #10 request";

/* The request bytes into csr->der: decoded from PEM, or copied from DER. */
static int csr_bytes(struct x509_csr *csr, const unsigned char *data, size_t len,
		     struct cm_err *err)
{
	if (x509_looks_pem(data, len)) {
		enum csr_pem_rc rc = csr_pem_decode(data, len, &csr->der, &csr->der_len);
		if (rc == CSR_PEM_TRAILING)
			return cm_fail(err, CM_ERR_MALFORMED_CSR,
				       "The CSR is followed by unexpected data");
		return rc == CSR_PEM_OK ? 0 : cm_fail(err, CM_ERR_MALFORMED_CSR, csr_bad);
	}
	/* DER: the request's own length says where it ends; whitespace may
	 * follow it (a JSON blob's NUL, a file's newline), nothing else. */
	struct csr_der in = {data, len}, content, whole;
	if (!csr_der_take(&in, 0x30, &content, &whole))
		return cm_fail(err, CM_ERR_MALFORMED_CSR, csr_bad);
	if (x509_skip_space(data, len, whole.len) != len)
		return cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR is followed by unexpected data");
	if ((csr->der = malloc(whole.len)) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	memcpy(csr->der, data, whole.len);
	csr->der_len = whole.len;
	return 0;
}

/* SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 * subjectPublicKey BIT STRING } */
static bool csr_walk_spki(struct x509_csr *csr, struct csr_walk *w, struct csr_der *info)
{
	struct csr_der spki;
	return csr_der_take(info, 0x30, &spki, &csr->spki) &&
	       csr_der_take(&spki, 0x30, &w->key_alg, &csr->spki_alg) &&
	       csr_der_take(&spki, 0x03, &w->key_bits, NULL) && spki.len == 0 &&
	       csr_der_bits(&w->key_bits, &csr->spki_key);
}

/* CertificationRequest ::= SEQUENCE { certificationRequestInfo
 *   SEQUENCE { version INTEGER (v1 = 0), subject Name, subjectPKInfo,
 *              attributes [0] IMPLICIT SET OF Attribute },
 *   signatureAlgorithm AlgorithmIdentifier, signature BIT STRING }
 * (RFC 2986 §4). Every SEQUENCE must end where its last field does. The
 * attributes are optional here as in OpenSSL, which reads requests from
 * encoders that drop an empty set. */
static int csr_walk(struct x509_csr *csr, struct csr_walk *w, struct cm_err *err)
{
	static const unsigned char v1[] = {0x02, 0x01, 0x00};
	struct csr_der all = {csr->der, csr->der_len}, req, info, version, version_whole, name;
	if (!csr_der_take(&all, 0x30, &req, NULL) || all.len != 0 ||
	    !csr_der_take(&req, 0x30, &info, &csr->info) ||
	    !csr_der_take(&req, 0x30, &w->sig_alg, NULL) ||
	    !csr_der_take(&req, 0x03, &w->sig, NULL) || req.len != 0 ||
	    !csr_der_take(&info, 0x02, &version, &version_whole))
		return cm_fail(err, CM_ERR_MALFORMED_CSR, csr_bad);
	if (!csr_der_eq(&version_whole, v1, sizeof(v1)))
		return cm_fail(err, CM_ERR_MALFORMED_CSR,
			       "The CSR version is not 1 (the only PKCS #10 version)");
	if (!csr_der_take(&info, 0x30, &name, &w->subject) || !csr_walk_spki(csr, w, &info))
		return cm_fail(err, CM_ERR_MALFORMED_CSR, csr_bad);
	w->attrs = (struct csr_der){NULL, 0};
	if (csr_der_peek(&info, 0xa0) && !csr_der_take(&info, 0xa0, &w->attrs, NULL))
		return cm_fail(err, CM_ERR_MALFORMED_CSR, csr_bad);
	return info.len == 0 ? 0 : cm_fail(err, CM_ERR_MALFORMED_CSR, csr_bad);
}

/* The subject through OpenSSL's Name decoder, which must use all its bytes. */
static int csr_subject(struct x509_csr *csr, const struct csr_der *name, struct cm_err *err)
{
	const unsigned char *p = name->p;
	csr->subject = d2i_X509_NAME(NULL, &p, (long)name->len);
	if (csr->subject == NULL || (size_t)(p - name->p) != name->len)
		return cm_fail(err, CM_ERR_MALFORMED_CSR, csr_bad);
	return 0;
}

/* Whether the CSR requests a non-empty SubjectAltName. */
static bool csr_has_san(const STACK_OF(X509_EXTENSION) * exts)
{
	GENERAL_NAMES *san = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	bool has = san != NULL && sk_GENERAL_NAME_num(san) > 0;
	GENERAL_NAMES_free(san);
	return has;
}

/* The checks after the walk, in the order of the messages a client most
 * needs: what the request is, its key, its signature, its names. The key is
 * checked before the signature: verifying with a huge or odd key is the
 * expensive part, and its rejection is the more useful message. */
static int csr_check(struct x509_csr *csr, const struct csr_walk *w, struct cm_err *err)
{
	if (csr_subject(csr, &w->subject, err) < 0 || csr_ext_read(&w->attrs, &csr->exts, err) < 0)
		return -1;
	if ((csr->key = csr_key_read(&w->key_alg, &w->key_bits, err)) == NULL)
		return -1;
	if (csr_sig_verify(csr->key, &w->sig_alg, &w->sig, &csr->info, err) < 0)
		return -1;
	if (X509_NAME_entry_count(csr->subject) == 0 && !csr_has_san(csr->exts))
		return cm_fail(err, CM_ERR_MALFORMED_CSR,
			       "The CSR has neither a subject nor a subject alternative name");
	return 0;
}

struct x509_csr *x509_csr_parse(const unsigned char *data, size_t len, struct cm_err *err)
{
	struct x509_csr *csr = calloc(1, sizeof(*csr));
	struct csr_walk w = {0};
	if (csr == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (csr_bytes(csr, data, len, err) < 0 || csr_walk(csr, &w, err) < 0 ||
	    csr_check(csr, &w, err) < 0) {
		x509_csr_free(csr);
		csr = NULL;
	}
	ERR_clear_error();
	return csr;
}

struct x509_csr *x509_csr_from_req(const X509_REQ *req, struct cm_err *err)
{
	unsigned char *der = NULL;
	int len = req != NULL ? i2d_X509_REQ(req, &der) : -1;
	struct x509_csr *csr = NULL;
	if (len > 0)
		csr = x509_csr_parse(der, (size_t)len, err);
	else
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the certificate signing request");
	OPENSSL_free(der);
	ERR_clear_error();
	return csr;
}

void x509_csr_free(struct x509_csr *csr)
{
	if (csr == NULL)
		return;
	sk_X509_EXTENSION_pop_free(csr->exts, X509_EXTENSION_free);
	EVP_PKEY_free(csr->key);
	X509_NAME_free(csr->subject);
	free(csr->der);
	free(csr);
}

const X509_NAME *x509_csr_subject(const struct x509_csr *csr)
{
	return csr->subject;
}

EVP_PKEY *x509_csr_pubkey(const struct x509_csr *csr)
{
	return csr->key;
}

const STACK_OF(X509_EXTENSION) * x509_csr_extensions(const struct x509_csr *csr)
{
	return csr->exts;
}

const unsigned char *x509_csr_spki(const struct x509_csr *csr, size_t *len)
{
	*len = csr->spki.len;
	return csr->spki.p;
}

const unsigned char *x509_csr_spki_alg(const struct x509_csr *csr, size_t *len)
{
	*len = csr->spki_alg.len;
	return csr->spki_alg.p;
}

const unsigned char *x509_csr_spki_key(const struct x509_csr *csr, size_t *len)
{
	*len = csr->spki_key.len;
	return csr->spki_key.p;
}
