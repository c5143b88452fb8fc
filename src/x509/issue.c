/* Signing a certificate (spec pca.md §6.6–6.7): the fields here, the
 * extensions in issue_ext.c. Every input is checked before anything is
 * signed, so a failure never leaves a signature behind. */
#include "x509/issue.h"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "x509/ext.h"
#include "x509/pem.h"

void x509_serial_random(unsigned char out[16])
{
	/* RAND_bytes fails only without entropy, where nothing else would work
	 * either; the loop then still ends with a positive serial. */
	if (RAND_bytes(out, 16) != 1)
		memset(out, 0x5a, 16);
	/* First octet 0x01..0x7f: positive without a sign octet, and never a
	 * leading zero octet, so the serial is always 16 octets / 32 hex digits. */
	out[0] = (unsigned char)(1 + out[0] % 0x7f);
}

long x509_cert_pathlen(const X509 *cert)
{
	/* OpenSSL fills its extension cache on first use, hence the cast. */
	X509 *c = (X509 *)cert;
	if ((X509_get_extension_flags(c) & EXFLAG_CA) == 0)
		return -1;
	return X509_get_pathlen(c);
}

/* Checks what the caller controls before any work. */
static int x509_issue_check(const struct x509_issue_params *p, bool self_signed, struct cm_err *err)
{
	if (p->csr == NULL || p->tmpl == NULL || p->signing_key == NULL || p->serial == NULL ||
	    p->serial_len == 0 || p->serial_len > 20)
		return cm_fail(err, CM_ERR_INTERNAL, "x509_issue: incomplete parameters");
	if (x509_sig_alg_md(p->sig_alg) == NULL ||
	    !x509_sig_alg_fits_key(p->sig_alg, p->signing_key))
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "Signing algorithm %s does not fit the certificate authority's key",
			       x509_sig_alg_name(p->sig_alg));
	if (p->not_before >= p->not_after)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "The validity must end after it begins");
	/* A self-signed certificate verifies only with its own key: a root
	 * template signs the CA's own CSR, nothing else (spec §6.3). */
	if (self_signed && EVP_PKEY_eq(x509_csr_pubkey(p->csr), p->signing_key) != 1)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "Template %s signs only the certificate authority's own CSR",
			       p->tmpl->name);
	if (!self_signed && EVP_PKEY_eq(X509_get0_pubkey(p->issuer_cert), p->signing_key) != 1)
		return cm_fail(err, CM_ERR_INTERNAL,
			       "the signing key does not match the issuing certificate");
	return 0;
}

/* Subject: ApiPassthrough.Subject replaces the CSR's as a whole (API varieties). */
static int x509_issue_subject(X509 *cert, const struct x509_issue_params *p, struct cm_err *err)
{
	X509_NAME *name;
	if (p->tmpl->api_passthrough && p->api != NULL && p->api->has_subject)
		name = x509_name_build(&p->api->subject, true, err);
	else if ((name = X509_NAME_dup(x509_csr_subject(p->csr))) == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	if (name == NULL)
		return -1;
	int ok = X509_set_subject_name(cert, name);
	X509_NAME_free(name);
	return ok ? 0 : cm_fail(err, CM_ERR_INTERNAL, "out of memory");
}

/* Copies the CSR's SubjectPublicKeyInfo into cert as it was signed, without
 * the key object. X509_set_pubkey encodes a provider key through an
 * OSSL_ENCODER and decodes the DER back through an OSSL_DECODER, and OpenSSL
 * 3.0 builds both afresh on every call: a profile of IssueCertificate (P-256)
 * put that at about a fifth of request CPU. The AlgorithmIdentifier goes
 * through X509_ALGOR's template decoder, which involves no provider. The copy
 * leaves X509_get0_pubkey of cert NULL, so only x509_issue_unkeyed, whose
 * callers hold the key themselves, uses it. 0 when the copy fails. */
static int x509_issue_copy_spki(X509 *cert, const struct x509_csr *csr)
{
	size_t alg_len = 0, pklen = 0;
	const unsigned char *alg_der = x509_csr_spki_alg(csr, &alg_len);
	const unsigned char *pk = x509_csr_spki_key(csr, &pklen);
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &alg_der, (long)alg_len);
	const ASN1_OBJECT *aobj = NULL;
	const void *pval = NULL;
	ASN1_OBJECT *obj = NULL, *param = NULL;
	unsigned char *bits = NULL;
	int ptype = V_ASN1_UNDEF, ok = 0;
	if (alg == NULL || pklen == 0 || pklen > INT32_MAX)
		goto out;
	X509_ALGOR_get0(&aobj, &ptype, &pval, alg);
	if (ptype == V_ASN1_OBJECT) /* a named curve */
		param = OBJ_dup(pval);
	else if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF) /* RSA: NULL or none */
		goto out;
	obj = OBJ_dup(aobj);
	bits = OPENSSL_memdup(pk, pklen);
	/* A decoded NULL has a non-NULL pval (OpenSSL's marker), hence ptype. */
	ok =
	    obj != NULL && bits != NULL && (ptype != V_ASN1_OBJECT || param != NULL) &&
	    X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), obj, ptype, param, bits, (int)pklen);
	if (!ok) {
		ASN1_OBJECT_free(obj);
		OPENSSL_free(bits);
		ASN1_OBJECT_free(param);
	}
out:
	X509_ALGOR_free(alg);
	return ok;
}

/* Version, serial, names, validity and key. */
static int x509_issue_fields(X509 *cert, const struct x509_issue_params *p, bool self_signed,
			     bool copy_spki, struct cm_err *err)
{
	BIGNUM *bn = BN_bin2bn(p->serial, (int)p->serial_len, NULL);
	int ok = bn != NULL && X509_set_version(cert, X509_VERSION_3) &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	/* ASN1_TIME_set writes UTCTime through 2049 and GeneralizedTime from
	 * 2050, exactly RFC 5280 §4.1.2.5. */
	ok = ok && ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)p->not_before) != NULL &&
	     ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)p->not_after) != NULL &&
	     ((copy_spki && x509_issue_copy_spki(cert, p->csr)) ||
	      X509_set_pubkey(cert, x509_csr_pubkey(p->csr)));
	if (!ok)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot set the certificate fields");
	if (x509_issue_subject(cert, p, err) < 0)
		return -1;
	/* X509_set_issuer_name copies the CA subject with its cached DER, so
	 * the issuer is byte-identical to the CA certificate's subject (§6.7). */
	const X509_NAME *issuer =
	    self_signed ? X509_get_subject_name(cert) : X509_get_subject_name(p->issuer_cert);
	if (!X509_set_issuer_name(cert, issuer))
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return 0;
}

/* The issuer's key identifier: its SKI, or the hash of its key when it has none. */
static int x509_issuer_key_id(X509 *issuer, unsigned char *buf, size_t size, size_t *len)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(issuer);
	if (skid != NULL && (size_t)ASN1_STRING_length(skid) <= size) {
		*len = (size_t)ASN1_STRING_length(skid);
		memcpy(buf, ASN1_STRING_get0_data(skid), *len);
		return 0;
	}
	*len = 20;
	return size >= 20 ? x509_key_id(X509_get_X509_PUBKEY(issuer), buf) : -1;
}

static X509 *x509_issue_build(const struct x509_issue_params *p, bool copy_spki, struct cm_err *err)
{
	if (p->tmpl == NULL || p->csr == NULL || p->signing_key == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "incomplete issuance parameters");
		return NULL;
	}
	bool self_signed = p->issuer_cert == NULL || p->tmpl->is_root;
	unsigned char aki[64];
	size_t aki_len = 0;
	X509 *cert = NULL;
	if (x509_issue_check(p, self_signed, err) < 0)
		return NULL;
	if (!self_signed && x509_issuer_key_id(p->issuer_cert, aki, sizeof(aki), &aki_len) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot read the issuer's key identifier");
		goto fail;
	}
	if ((cert = X509_new()) == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto fail;
	}
	if (x509_issue_fields(cert, p, self_signed, copy_spki, err) < 0 ||
	    x509_issue_add_extensions(cert, p, self_signed, aki, aki_len, err) < 0)
		goto fail;
	if (X509_sign(cert, p->signing_key, x509_sig_alg_md(p->sig_alg)) <= 0) {
		cm_fail(err, CM_ERR_INTERNAL, "signing the certificate failed");
		goto fail;
	}
	ERR_clear_error();
	return cert;
fail:
	ERR_clear_error();
	X509_free(cert);
	return NULL;
}

X509 *x509_issue(const struct x509_issue_params *p, struct cm_err *err)
{
	return x509_issue_build(p, false, err);
}

X509 *x509_issue_unkeyed(const struct x509_issue_params *p, struct cm_err *err)
{
	return x509_issue_build(p, true, err);
}

unsigned char *x509_issue_der(const struct x509_issue_params *p, size_t *len, struct cm_err *err)
{
	*len = 0;
	X509 *cert = x509_issue_unkeyed(p, err);
	if (cert == NULL)
		return NULL;
	unsigned char *der = x509_cert_to_der(cert, len);
	X509_free(cert);
	if (der == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the certificate");
	return der;
}
