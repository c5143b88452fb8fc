/* Whether a certificate may become a CA's own (spec pca.md §5.8, §6.4).
 * Checks run from the certificate alone, to how it relates to the CA, to the
 * chain, so each failure gets the error type AWS gives it. */
#include "x509/ca_cert.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* Extensions §6.4 lets an imported CA certificate mark critical. */
static const int x509_allowed_critical[] = {
    NID_authority_key_identifier,
    NID_basic_constraints,
    NID_certificate_policies,
    NID_ext_key_usage,
    NID_inhibit_any_policy,
    NID_issuer_alt_name,
    NID_key_usage,
    NID_name_constraints,
    NID_policy_mappings,
    NID_subject_alt_name,
    NID_subject_directory_attributes,
    NID_subject_key_identifier,
    NID_sinfo_access,
};

static int x509_check_critical(X509 *cert, struct cm_err *err)
{
	for (int i = 0; i < X509_get_ext_count(cert); i++) {
		X509_EXTENSION *ext = X509_get_ext(cert, i);
		if (!X509_EXTENSION_get_critical(ext))
			continue;
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
		bool ok = false;
		for (size_t k = 0; k < sizeof(x509_allowed_critical) / sizeof(int); k++)
			ok = ok || nid == x509_allowed_critical[k];
		if (!ok) {
			char oid[80];
			OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 1);
			return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
				       "The certificate marks extension %s critical, which a CA "
				       "certificate may not",
				       oid);
		}
	}
	return 0;
}

/* v3, a critical CA:TRUE, only allowed critical extensions, valid at now. */
static int x509_check_shape(X509 *cert, int64_t now, struct cm_err *err)
{
	int crit = 0;
	time_t t = (time_t)now;
	if (X509_get_version(cert) != X509_VERSION_3)
		return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			       "The certificate is not an X.509 version 3 certificate");
	if ((X509_get_extension_flags(cert) & EXFLAG_INVALID) != 0)
		return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			       "The certificate has an invalid or repeated extension");
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(cert, NID_basic_constraints, &crit, NULL);
	bool ca = bc != NULL && bc->ca;
	BASIC_CONSTRAINTS_free(bc);
	if (crit < 0 || !ca)
		return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			       "The certificate lacks BasicConstraints CA:TRUE");
	if (!crit)
		return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			       "The certificate's BasicConstraints extension is not critical");
	if (x509_check_critical(cert, err) < 0)
		return -1;
	if (X509_cmp_time(X509_get0_notBefore(cert), &t) > 0 ||
	    X509_cmp_time(X509_get0_notAfter(cert), &t) < 0)
		return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			       "The certificate is not valid at the current time");
	return 0;
}

/* Issued by itself and signed by its own key. */
static bool x509_is_self_signed(X509 *cert)
{
	bool ss = X509_self_signed(cert, 1) == 1;
	ERR_clear_error();
	return ss;
}

/* Root or subordinate, chain present or not, the certificate not in it. */
static int x509_check_kind(X509 *cert, STACK_OF(X509) * chain, bool is_root, struct cm_err *err)
{
	int n = chain != NULL ? sk_X509_num(chain) : 0;
	bool self = x509_is_self_signed(cert);
	if (is_root && !self)
		return cm_fail(err, CM_ERR_INVALID_REQUEST,
			       "A ROOT certificate authority needs a self-signed certificate");
	if (is_root && n > 0)
		return cm_fail(err, CM_ERR_INVALID_REQUEST,
			       "A ROOT certificate authority's certificate takes no chain");
	if (!is_root && self)
		return cm_fail(err, CM_ERR_INVALID_REQUEST,
			       "A SUBORDINATE certificate authority cannot use a self-signed "
			       "certificate");
	if (!is_root && n == 0)
		return cm_fail(err, CM_ERR_INVALID_REQUEST,
			       "A SUBORDINATE certificate authority needs a certificate chain");
	for (int i = 0; i < n; i++)
		if (X509_cmp(cert, sk_X509_value(chain, i)) == 0)
			return cm_fail(err, CM_ERR_INVALID_REQUEST,
				       "The certificate chain contains the certificate itself");
	return 0;
}

/* Each certificate is signed by the next one: the chain is in order. */
static int x509_check_order(X509 *cert, STACK_OF(X509) * chain, struct cm_err *err)
{
	X509 *child = cert;
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *parent = sk_X509_value(chain, i);
		EVP_PKEY *pk = X509_get0_pubkey(parent);
		if (X509_check_issued(parent, child) != X509_V_OK || pk == NULL ||
		    X509_verify(child, pk) != 1) {
			ERR_clear_error();
			return cm_fail(err, CM_ERR_CERTIFICATE_MISMATCH,
				       i == 0
					   ? "The certificate is not signed by the first "
					     "certificate of the chain"
					   : "Chain certificate %d is not signed by the next one",
				       i);
		}
		child = parent;
	}
	return 0;
}

/* Path validation with the chain's last certificate as trust anchor: path
 * length, name constraints and CA flags of every signer, at time now. */
static int x509_check_path(X509 *cert, STACK_OF(X509) * chain, int64_t now, struct cm_err *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	int n = sk_X509_num(chain), rc = -1;
	if (store == NULL || ctx == NULL || untrusted == NULL ||
	    !X509_STORE_add_cert(store, sk_X509_value(chain, n - 1))) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (int i = 0; i < n - 1; i++)
		if (!sk_X509_push(untrusted, sk_X509_value(chain, i))) {
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto out;
		}
	if (!X509_STORE_CTX_init(ctx, store, cert, untrusted)) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	/* PARTIAL_CHAIN: the anchor need not be self-signed (a chain may end
	 * below an external root); CHECK_SS_SIGNATURE: if it is, check it too. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_CHECK_SS_SIGNATURE);
	X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		cm_fail(err, CM_ERR_CERTIFICATE_MISMATCH,
			"The certificate does not verify against the chain: %s (depth %d)",
			X509_verify_cert_error_string(e), X509_STORE_CTX_get_error_depth(ctx));
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

/* X509_verify_cert treats cert as the end of the path, where a signer's
 * pathLenConstraint does not count it. But cert will sign certificates:
 * below chain[i] sit i chain certificates plus cert itself, all of them
 * intermediates then, so chain[i] must allow at least i + 1 (RFC 5280 §4.2.1.9). */
static int x509_check_pathlen(STACK_OF(X509) * chain, struct cm_err *err)
{
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *signer = sk_X509_value(chain, i);
		long max = X509_get_pathlen(signer);
		if (max >= 0 && max < i + 1)
			return cm_fail(err, CM_ERR_CERTIFICATE_MISMATCH,
				       "Chain certificate %d allows a path length of %ld; this CA "
				       "certificate would exceed it",
				       i + 1, max);
	}
	return 0;
}

int x509_ca_cert_check(X509 *cert, STACK_OF(X509) * chain, EVP_PKEY *ca_key, bool is_root,
		       int64_t now, struct cm_err *err)
{
	int rc = -1;
	if (x509_check_shape(cert, now, err) < 0 || x509_check_kind(cert, chain, is_root, err) < 0)
		goto out;
	if (EVP_PKEY_eq(X509_get0_pubkey(cert), ca_key) != 1) {
		cm_fail(err, CM_ERR_CERTIFICATE_MISMATCH,
			"The certificate's public key is not the certificate authority's key");
		goto out;
	}
	if (!is_root &&
	    (x509_check_order(cert, chain, err) < 0 || x509_check_path(cert, chain, now, err) < 0 ||
	     x509_check_pathlen(chain, err) < 0))
		goto out;
	rc = 0;
out:
	ERR_clear_error();
	return rc;
}
