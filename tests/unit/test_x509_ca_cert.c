/* x509_ca_cert_check: each error type of ImportCertificateAuthorityCertificate
 * (spec pca.md §5.8, §6.4), with certificates built by hand where the
 * issuance code would never produce them. */
#include <openssl/x509v3.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/ca_cert.h"

/* A certificate for key signed by signer (issuer NULL: self-issued), with
 * version v (0 = v1), extensions from OpenSSL config strings by NID (0 ends). */
static X509 *mk_cert(EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer, long v, int64_t nb, int64_t na,
		     const int *nids, const char *const *values)
{
	const char *cn = issuer != NULL ? "Manual Sub" : "Manual";
	X509 *c = X509_new();
	X509_set_version(c, v);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 4242);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_UTF8,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer)
					       : X509_get_subject_name(c));
	ASN1_TIME_set(X509_getm_notBefore(c), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(c), (time_t)na);
	X509_set_pubkey(c, key);
	for (int i = 0; nids != NULL && nids[i] != 0; i++) {
		X509V3_CTX ctx;
		X509V3_set_ctx(&ctx, issuer != NULL ? issuer : c, c, NULL, NULL, 0);
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nids[i], values[i]);
		X509_add_ext(c, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(c, signer, EVP_sha256());
	return c;
}

static bool check_is(X509 *cert, STACK_OF(X509) * chain, EVP_PKEY *key, bool root, int64_t now,
		     enum cm_code want)
{
	struct cm_err err = {0};
	int rc = x509_ca_cert_check(cert, chain, key, root, now, &err);
	bool ok = want == CM_OK ? rc == 0 : rc < 0 && err.code == want;
	if (!ok)
		fprintf(stderr, "  check: got %d (%s), want %d\n", err.code, err.msg, want);
	return ok;
}

static STACK_OF(X509) * chain_of(X509 *a, X509 *b)
{
	STACK_OF(X509) *s = sk_X509_new_null();
	if (a != NULL)
		sk_X509_push(s, a);
	if (b != NULL)
		sk_X509_push(s, b);
	return s;
}

TEST(x509_ca_cert_check_accepts_root_and_sub)
{
	EVP_PKEY *rk = fx_key(X509_KEY_EC_P256), *sk = fx_key(X509_KEY_RSA_2048);
	X509 *root = fx_root(rk, "Root");
	X509 *sub = fx_sub(sk, "Sub", FX_TMPL("SubordinateCACertificate_PathLen1"), rk, root);
	STACK_OF(X509) *chain = chain_of(root, NULL);
	CHECK(check_is(root, NULL, rk, true, FX_NOW, CM_OK));
	CHECK(check_is(sub, chain, sk, false, FX_NOW, CM_OK));
	/* Allowed critical extensions (KeyUsage, SAN, policies) pass. */
	int nids[] = {NID_basic_constraints, NID_key_usage, NID_subject_alt_name,
		      NID_certificate_policies, 0};
	const char *vals[] = {"critical,CA:TRUE", "critical,keyCertSign,cRLSign",
			      "critical,DNS:ca.example", "critical,1.2.3.4"};
	X509 *m = mk_cert(rk, rk, NULL, X509_VERSION_3, FX_NOW - 10, FX_NOW + FX_YEAR, nids, vals);
	CHECK(check_is(m, NULL, rk, true, FX_NOW, CM_OK));
	X509_free(m);
	sk_X509_free(chain);
	X509_free(sub);
	X509_free(root);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(rk);
}

TEST(x509_ca_cert_check_malformed)
{
	EVP_PKEY *k = fx_key(X509_KEY_EC_P256);
	int64_t nb = FX_NOW - 10, na = FX_NOW + FX_YEAR;
	int bc[] = {NID_basic_constraints, 0};
	const char *ca_true[] = {"critical,CA:TRUE"}, *noncrit[] = {"CA:TRUE"};
	const char *ca_false[] = {"critical,CA:FALSE"};
	int bc_cdp[] = {NID_basic_constraints, NID_crl_distribution_points, 0};
	const char *cdp_crit[] = {"critical,CA:TRUE", "critical,URI:http://crl.example/x.crl"};
	int bc_aia[] = {NID_basic_constraints, NID_info_access, 0};
	const char *aia_crit[] = {"critical,CA:TRUE", "critical,OCSP;URI:http://ocsp.example"};
	X509 *certs[] = {
	    mk_cert(k, k, NULL, X509_VERSION_1, nb, na, NULL, NULL), /* v1 */
	    mk_cert(k, k, NULL, X509_VERSION_3, nb, na, NULL, NULL), /* no BC */
	    mk_cert(k, k, NULL, X509_VERSION_3, nb, na, bc, noncrit),
	    mk_cert(k, k, NULL, X509_VERSION_3, nb, na, bc, ca_false),
	    mk_cert(k, k, NULL, X509_VERSION_3, nb, na, bc_cdp, cdp_crit),
	    mk_cert(k, k, NULL, X509_VERSION_3, nb, na, bc_aia, aia_crit),
	    mk_cert(k, k, NULL, X509_VERSION_3, FX_NOW + 60, na, bc, ca_true), /* not yet */
	    mk_cert(k, k, NULL, X509_VERSION_3, nb - FX_YEAR, FX_NOW - 1, bc, ca_true),
	};
	const char *what[] = {"v1",	      "no BC",	      "BC not critical", "CA:FALSE",
			      "critical CDP", "critical AIA", "not yet valid",	 "expired"};
	for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		if (!check_is(certs[i], NULL, k, true, FX_NOW, CM_ERR_MALFORMED_CERTIFICATE))
			fprintf(stderr, "  case: %s\n", what[i]);
		CHECK(check_is(certs[i], NULL, k, true, FX_NOW, CM_ERR_MALFORMED_CERTIFICATE));
		X509_free(certs[i]);
	}
	/* An end-entity certificate (CA:FALSE) from our own issuance. */
	X509_REQ *csr = fx_ca_csr(k, "EE");
	X509 *issuer = fx_root(k, "Root");
	struct cm_err err = {0};
	X509 *ee = fx_issue(csr, PCA_TEMPLATE_DEFAULT_ARN, k, issuer, NULL, na, &err);
	STACK_OF(X509) *chain = chain_of(issuer, NULL);
	CHECK(check_is(ee, chain, k, false, FX_NOW, CM_ERR_MALFORMED_CERTIFICATE));
	sk_X509_free(chain);
	X509_free(ee);
	X509_free(issuer);
	X509_REQ_free(csr);
	EVP_PKEY_free(k);
}

TEST(x509_ca_cert_check_mismatch)
{
	EVP_PKEY *r1 = fx_key(X509_KEY_EC_P256), *r2 = fx_key(X509_KEY_EC_P256);
	EVP_PKEY *s1 = fx_key(X509_KEY_EC_P256), *s2 = fx_key(X509_KEY_EC_P256);
	X509 *root1 = fx_root(r1, "Root"), *root2 = fx_root(r2, "Root");
	X509 *sub = fx_sub(s1, "Sub", FX_TMPL("SubordinateCACertificate_PathLen0"), r1, root1);
	X509 *sub1 = fx_sub(s1, "Sub1", FX_TMPL("SubordinateCACertificate_PathLen1"), r1, root1);
	X509 *deep = fx_sub(s2, "Deep", FX_TMPL("SubordinateCACertificate_PathLen0"), s1, sub);
	X509 *deep_ok = fx_sub(s2, "Deep", FX_TMPL("SubordinateCACertificate_PathLen0"), s1, sub1);
	STACK_OF(X509) *c_root2 = chain_of(root2, NULL);
	STACK_OF(X509) *c_path = chain_of(sub, root1);
	STACK_OF(X509) *c_path_ok = chain_of(sub1, root1);
	STACK_OF(X509) *c_disorder = chain_of(root1, sub1);
	/* Public key is not the CA's. */
	CHECK(check_is(root1, NULL, r2, true, FX_NOW, CM_ERR_CERTIFICATE_MISMATCH));
	STACK_OF(X509) *c_root1 = chain_of(root1, NULL);
	CHECK(check_is(sub, c_root1, s2, false, FX_NOW, CM_ERR_CERTIFICATE_MISMATCH));
	CHECK(check_is(sub, c_root1, s1, false, FX_NOW, CM_OK));
	sk_X509_free(c_root1);
	/* Chain of another root (same subject name, other key). */
	CHECK(check_is(sub, c_root2, s1, false, FX_NOW, CM_ERR_CERTIFICATE_MISMATCH));
	/* Path length: a CA certificate under a PathLen0 CA would exceed it. */
	CHECK(check_is(deep, c_path, s2, false, FX_NOW, CM_ERR_CERTIFICATE_MISMATCH));
	CHECK(check_is(deep_ok, c_path_ok, s2, false, FX_NOW, CM_OK));
	/* Chain in the wrong order. */
	CHECK(check_is(deep_ok, c_disorder, s2, false, FX_NOW, CM_ERR_CERTIFICATE_MISMATCH));
	/* The certificate itself expired by then: malformed, before any chain check. */
	CHECK(check_is(deep_ok, c_path_ok, s2, false, FX_NOW + 6 * FX_YEAR,
		       CM_ERR_MALFORMED_CERTIFICATE));
	sk_X509_free(c_disorder);
	sk_X509_free(c_path_ok);
	sk_X509_free(c_path);
	sk_X509_free(c_root2);
	X509_free(deep_ok);
	X509_free(deep);
	X509_free(sub1);
	X509_free(sub);
	X509_free(root2);
	X509_free(root1);
	EVP_PKEY_free(s2);
	EVP_PKEY_free(s1);
	EVP_PKEY_free(r2);
	EVP_PKEY_free(r1);
}

TEST(x509_ca_cert_check_expired_chain)
{
	EVP_PKEY *rk = fx_key(X509_KEY_EC_P256), *sk = fx_key(X509_KEY_EC_P256);
	int bc[] = {NID_basic_constraints, NID_subject_key_identifier, 0};
	const char *vals[] = {"critical,CA:TRUE", "hash"};
	/* A root that expires before its subordinate does. */
	X509 *root = mk_cert(rk, rk, NULL, X509_VERSION_3, FX_NOW - 10, FX_NOW + 100, bc, vals);
	X509 *sub = mk_cert(sk, rk, root, X509_VERSION_3, FX_NOW - 10, FX_NOW + FX_YEAR, bc, vals);
	STACK_OF(X509) *chain = chain_of(root, NULL);
	CHECK(check_is(sub, chain, sk, false, FX_NOW, CM_OK));
	CHECK(check_is(sub, chain, sk, false, FX_NOW + 200, CM_ERR_CERTIFICATE_MISMATCH));
	sk_X509_free(chain);
	X509_free(sub);
	X509_free(root);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(rk);
}

TEST(x509_ca_cert_check_invalid_request)
{
	EVP_PKEY *rk = fx_key(X509_KEY_EC_P256), *sk = fx_key(X509_KEY_EC_P256);
	X509 *root = fx_root(rk, "Root");
	X509 *sub = fx_sub(sk, "Sub", FX_TMPL("SubordinateCACertificate_PathLen0"), rk, root);
	STACK_OF(X509) *c_root = chain_of(root, NULL), *empty = chain_of(NULL, NULL);
	STACK_OF(X509) *c_self = chain_of(sub, root);
	/* ROOT: not self-signed; chain given. */
	CHECK(check_is(sub, NULL, sk, true, FX_NOW, CM_ERR_INVALID_REQUEST));
	CHECK(check_is(root, c_root, rk, true, FX_NOW, CM_ERR_INVALID_REQUEST));
	/* SUBORDINATE: self-signed; chain missing or empty; chain holding itself. */
	CHECK(check_is(root, c_root, rk, false, FX_NOW, CM_ERR_INVALID_REQUEST));
	CHECK(check_is(sub, NULL, sk, false, FX_NOW, CM_ERR_INVALID_REQUEST));
	CHECK(check_is(sub, empty, sk, false, FX_NOW, CM_ERR_INVALID_REQUEST));
	CHECK(check_is(sub, c_self, sk, false, FX_NOW, CM_ERR_INVALID_REQUEST));
	sk_X509_free(c_self);
	sk_X509_free(empty);
	sk_X509_free(c_root);
	X509_free(sub);
	X509_free(root);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(rk);
}
