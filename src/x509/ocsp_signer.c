/* The certificate of a delegated OCSP responder (RFC 6960 §4.2.2.2): issued
 * by the CA whose statuses it signs, for id-kp-OCSPSigning only, with
 * id-pkix-ocsp-nocheck (§4.2.2.2.1) so clients do not ask about the
 * responder itself, and short-lived because nocheck makes it unrevocable in
 * practice. */
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "x509/ocsp.h"

/* One extension from its OpenSSL configuration text (the CA and the
 * certificate in ctx give AKI and SKI their values). */
static int x509_signer_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext != NULL && X509_add_ext(cert, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int x509_signer_name(X509 *cert, X509 *ca)
{
	/* The CA's subject plus a CN of its own would need the CA's RDNs
	 * rewritten; a plain CN names it clearly and matches nothing else. */
	X509_NAME *name = X509_NAME_new();
	int ok =
	    name != NULL &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
				       (const unsigned char *)"OCSP Responder", -1, -1, 0) == 1 &&
	    X509_set_subject_name(cert, name) == 1 &&
	    X509_set_issuer_name(cert, X509_get_subject_name(ca)) == 1;
	X509_NAME_free(name);
	return ok ? 0 : -1;
}

X509 *x509_ocsp_signer_issue(const struct x509_ocsp_signer_params *p, struct cm_err *err)
{
	X509 *cert = X509_new();
	BIGNUM *bn = BN_bin2bn(p->serial, (int)p->serial_len, NULL);
	X509V3_CTX ctx;
	int ok = cert != NULL && bn != NULL && X509_set_version(cert, X509_VERSION_3) == 1 &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL &&
		 ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)p->not_before) != NULL &&
		 ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)p->not_after) != NULL &&
		 X509_set_pubkey(cert, p->signer_key) == 1 &&
		 x509_signer_name(cert, p->ca_cert) == 0;
	BN_free(bn);
	if (ok) {
		X509V3_set_ctx(&ctx, p->ca_cert, cert, NULL, NULL, 0);
		ok = x509_signer_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
		     x509_signer_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature") == 0 &&
		     x509_signer_ext(cert, &ctx, NID_ext_key_usage, "OCSPSigning") == 0 &&
		     x509_signer_ext(cert, &ctx, NID_id_pkix_OCSP_noCheck, "ignored") == 0 &&
		     x509_signer_ext(cert, &ctx, NID_subject_key_identifier, "hash") == 0 &&
		     x509_signer_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always") == 0;
	}
	if (ok)
		ok = X509_sign(cert, p->ca_key, x509_sig_alg_md(p->sig_alg)) > 0;
	ERR_clear_error();
	if (!ok) {
		X509_free(cert);
		cm_fail(err, CM_ERR_INTERNAL, "cannot issue the OCSP responder certificate");
		return NULL;
	}
	return cert;
}
