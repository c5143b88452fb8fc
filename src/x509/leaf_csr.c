/* The CSR of a key Certain generated for RequestCertificate: what the PCA
 * (ours or a real one) signs, so it carries the names the request asked for. */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdlib.h>

#include "x509/ext.h"
#include "x509/leaf.h"

/* extensionRequest with one SubjectAltName of DNS names (PKCS#9). */
static int leaf_csr_add_san(X509_REQ *req, const char *const *names, size_t n, struct cm_err *err)
{
	struct x509_general_name *gns = calloc(n, sizeof(*gns));
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *san = NULL;
	int rc = -1;
	if (gns == NULL || exts == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		gns[i] = (struct x509_general_name){.kind = X509_GN_DNS, .value = names[i]};
	if ((san = x509_ext_san(gns, n, false, err)) == NULL)
		goto out;
	if (!sk_X509_EXTENSION_push(exts, san)) {
		X509_EXTENSION_free(san);
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (!X509_REQ_add_extensions(req, exts)) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot add the CSR's extension request");
		goto out;
	}
	rc = 0;
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	free(gns);
	return rc;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
 * (RFC 8017 A.1.1) of key, DER (owned) into *der; its length, or -1. */
static int leaf_rsa_public_der(EVP_PKEY *key, unsigned char **der)
{
	BIGNUM *bn[2] = {NULL, NULL};
	ASN1_SEQUENCE_ANY *seq = sk_ASN1_TYPE_new_null();
	int len = -1;
	*der = NULL;
	if (seq == NULL || !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &bn[0]) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &bn[1]))
		goto out;
	for (int i = 0; i < 2; i++) {
		ASN1_INTEGER *v = BN_to_ASN1_INTEGER(bn[i], NULL);
		ASN1_TYPE *t = v != NULL ? ASN1_TYPE_new() : NULL;
		if (t == NULL) {
			ASN1_INTEGER_free(v);
			goto out;
		}
		ASN1_TYPE_set(t, V_ASN1_INTEGER, v);
		if (!sk_ASN1_TYPE_push(seq, t)) {
			ASN1_TYPE_free(t);
			goto out;
		}
	}
	len = i2d_ASN1_SEQUENCE_ANY(seq, der);
out:
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	BN_free(bn[0]);
	BN_free(bn[1]);
	return len;
}

/* The CSR's SubjectPublicKeyInfo from the key's numbers. X509_REQ_set_pubkey
 * would encode the key through an OSSL_ENCODER and decode the result through
 * an OSSL_DECODER, both built afresh per call in OpenSSL 3.0: 13% of a
 * private RequestCertificate. rsaEncryption takes NULL parameters, EC keys
 * their named curve (RFC 3279 §2.3.1, RFC 5480 §2.1.1). */
static int leaf_csr_set_pubkey(X509_REQ *req, EVP_PKEY *key)
{
	X509_PUBKEY *pub = X509_REQ_get_X509_PUBKEY(req);
	unsigned char *bits = NULL;
	int len = -1, ok = 0;
	if (EVP_PKEY_is_a(key, "RSA")) {
		len = leaf_rsa_public_der(key, &bits);
		ok = len > 0 && X509_PUBKEY_set0_param(pub, OBJ_nid2obj(NID_rsaEncryption),
						       V_ASN1_NULL, NULL, bits, len);
	} else if (EVP_PKEY_is_a(key, "EC")) {
		char curve[64];
		size_t n = 0;
		int nid = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve,
							 sizeof(curve), NULL)
			      ? OBJ_sn2nid(curve)
			      : NID_undef;
		if (nid != NID_undef &&
		    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL,
						    0, &n) &&
		    n > 0 && n <= INT32_MAX && (bits = OPENSSL_malloc(n)) != NULL &&
		    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, bits,
						    n, &n))
			ok = X509_PUBKEY_set0_param(pub, OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
						    V_ASN1_OBJECT, OBJ_nid2obj(nid), bits, (int)n);
	}
	if (!ok)
		OPENSSL_free(bits); /* set0_param owns it only on success */
	return ok;
}

X509_REQ *x509_leaf_csr_build(EVP_PKEY *key, const char *cn, const char *const *names, size_t n,
			      struct cm_err *err)
{
	X509_REQ *req = X509_REQ_new();
	if (req == NULL || !X509_REQ_set_version(req, X509_REQ_VERSION_1))
		goto fail;
	if (cn != NULL && cn[0] != '\0' &&
	    !X509_NAME_add_entry_by_NID(X509_REQ_get_subject_name(req), NID_commonName,
					MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0))
		goto fail;
	if (n > 0 && leaf_csr_add_san(req, names, n, err) < 0)
		goto fail_err;
	/* X509_REQ_sign marks the request info modified, so it is encoded anew. */
	if (!leaf_csr_set_pubkey(req, key) || X509_REQ_sign(req, key, EVP_sha256()) <= 0)
		goto fail;
	ERR_clear_error();
	return req;
fail:
	cm_fail(err, CM_ERR_INTERNAL, "cannot build the certificate signing request");
fail_err:
	ERR_clear_error();
	X509_REQ_free(req);
	return NULL;
}
