/* x509_issue: the exact extension sets of the templates, key identifier
 * linkage, path validation of a real hierarchy, time encodings, serials,
 * passthrough precedence and the errors of spec pca.md §6.6–6.7. */
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/info.h"
#include "x509/leaf.h"
#include "x509/pem.h"

#define KU_EE (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT)
#define KU_CA (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN)

/* SKI of cert equals SHA-1 of its subjectPublicKey bits; AKI keyid equals want. */
static bool key_ids_ok(X509 *cert, const ASN1_OCTET_STRING *want_aki)
{
	const unsigned char *pk = NULL;
	unsigned char sha[20];
	int pklen = 0;
	X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, X509_get_X509_PUBKEY(cert));
	EVP_Digest(pk, (size_t)pklen, sha, NULL, EVP_sha1(), NULL);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cert);
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(cert);
	return ski != NULL && aki != NULL && ASN1_STRING_length(ski) == 20 &&
	       memcmp(ASN1_STRING_get0_data(ski), sha, 20) == 0 &&
	       ASN1_OCTET_STRING_cmp(aki, want_aki) == 0;
}

TEST(x509_issue_root_rsa)
{
	EVP_PKEY *key = fx_key(X509_KEY_RSA_2048);
	X509 *root = fx_root(key, "Root RSA");
	CHECK(root != NULL);
	if (root == NULL)
		goto out;
	CHECK(X509_get_version(root) == X509_VERSION_3);
	CHECK(X509_self_signed(root, 1) == 1);
	CHECK(fx_name_der_eq(X509_get_issuer_name(root), X509_get_subject_name(root)));
	CHECK(X509_get_signature_nid(root) == NID_sha256WithRSAEncryption);
	/* Exactly BasicConstraints, KeyUsage, SKI, AKI: no CDP/AIA on a root. */
	CHECK(fx_ext_count(root) == 4);
	CHECK(fx_ext_crit(root, NID_basic_constraints) == 1);
	CHECK((X509_get_extension_flags(root) & EXFLAG_CA) != 0);
	CHECK(x509_cert_pathlen(root) == -1);
	CHECK(fx_ext_crit(root, NID_key_usage) == 1);
	CHECK(fx_ku(root) == KU_CA);
	CHECK(fx_ext_crit(root, NID_ext_key_usage) == -1);
	CHECK(fx_ext_crit(root, NID_subject_key_identifier) == 0);
	CHECK(fx_ext_crit(root, NID_authority_key_identifier) == 0);
	CHECK(key_ids_ok(root, X509_get0_subject_key_id(root)));
	CHECK(fx_verify(root, root, NULL, NULL, FX_NOW) == X509_V_OK);
out:
	X509_free(root);
	EVP_PKEY_free(key);
}

TEST(x509_issue_root_ec_sha384)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P384);
	X509_REQ *csr = fx_ca_csr(key, "Root EC");
	struct x509_csr *parsed = fx_parsed(csr);
	unsigned char serial[16];
	struct cm_err err = {0};
	x509_serial_random(serial);
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(FX_TMPL("RootCACertificate_APIPassthrough")),
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA384WITHECDSA,
	    .serial = serial,
	    .serial_len = 16,
	    .not_before = FX_NOW,
	    .not_after = FX_NOW + FX_YEAR,
	    .crl_url = "http://crl.example/x.crl", /* a root never carries it */
	    .ocsp_url = "http://ocsp.example",
	};
	X509 *root = x509_issue(&p, &err);
	CHECK(root != NULL);
	if (root != NULL) {
		CHECK(X509_get_signature_nid(root) == NID_ecdsa_with_SHA384);
		CHECK(fx_ext_count(root) == 4);
		CHECK(fx_ext_crit(root, NID_crl_distribution_points) == -1);
		CHECK(fx_ext_crit(root, NID_info_access) == -1);
		CHECK(X509_self_signed(root, 1) == 1);
	}
	X509_free(root);
	x509_csr_free(parsed);
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
}

TEST(x509_issue_root_requires_own_key)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256), *other = fx_key(X509_KEY_EC_P256);
	X509_REQ *csr = fx_ca_csr(other, "Not mine");
	struct cm_err err = {0};
	X509 *cert =
	    fx_issue(csr, FX_TMPL("RootCACertificate"), key, NULL, NULL, FX_NOW + FX_YEAR, &err);
	CHECK(cert == NULL);
	CHECK(err.code == CM_ERR_INVALID_ARGS);
	X509_free(cert);
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

TEST(x509_issue_sig_alg_must_fit_key)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *csr = fx_ca_csr(key, "Root");
	struct x509_csr *parsed = fx_parsed(csr);
	unsigned char serial[16] = {1};
	struct cm_err err = {0};
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(FX_TMPL("RootCACertificate")),
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA256WITHRSA,
	    .serial = serial,
	    .serial_len = 16,
	    .not_before = FX_NOW,
	    .not_after = FX_NOW + FX_YEAR,
	};
	X509 *cert = x509_issue(&p, &err);
	CHECK(cert == NULL && err.code == CM_ERR_INVALID_ARGS);
	p.sig_alg = X509_SIG_ML_DSA_44;
	cm_err_clear(&err);
	CHECK(x509_issue(&p, &err) == NULL && err.code == CM_ERR_INVALID_ARGS);
	p.sig_alg = X509_SIG_SHA512WITHECDSA;
	p.not_before = p.not_after;
	cm_err_clear(&err);
	CHECK(x509_issue(&p, &err) == NULL && err.code == CM_ERR_INVALID_ARGS);
	X509_free(cert);
	x509_csr_free(parsed);
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
}

/* Root (EC) → subordinate PathLen0 (RSA) → end-entity certificates of each
 * end-entity template, all verified as a chain. */
TEST(x509_issue_hierarchy_templates)
{
	static const struct {
		const char *arn;
		unsigned ku;
		const char *eku;
		int eku_crit;
	} cases[] = {
	    {FX_TMPL("EndEntityCertificate"), KU_EE, "1.3.6.1.5.5.7.3.1,1.3.6.1.5.5.7.3.2", 0},
	    {FX_TMPL("EndEntityServerAuthCertificate"), KU_EE, "1.3.6.1.5.5.7.3.1", 0},
	    {FX_TMPL("EndEntityClientAuthCertificate"), KU_EE, "1.3.6.1.5.5.7.3.2", 0},
	    {FX_TMPL("CodeSigningCertificate"), X509_KU_DIGITAL_SIGNATURE, "1.3.6.1.5.5.7.3.3", 1},
	    {FX_TMPL("OCSPSigningCertificate"), X509_KU_DIGITAL_SIGNATURE, "1.3.6.1.5.5.7.3.9", 1},
	};
	EVP_PKEY *root_key = fx_key(X509_KEY_EC_P256), *sub_key = fx_key(X509_KEY_RSA_2048);
	EVP_PKEY *leaf_key = fx_key(X509_KEY_EC_P256);
	X509 *root = fx_root(root_key, "Root");
	X509 *sub = root != NULL
			? fx_sub(sub_key, "Sub", FX_TMPL("SubordinateCACertificate_PathLen0"),
				 root_key, root)
			: NULL;
	X509_REQ *csr = fx_csr(leaf_key, "leaf.example.com", "leaf.example.com", NULL);
	char eku[256];
	CHECK(sub != NULL);
	if (sub == NULL)
		goto out;
	/* The subordinate: critical CA:TRUE pathlen 0, CA key usage, no EKU. */
	CHECK(fx_ext_count(sub) == 4);
	CHECK(fx_ext_crit(sub, NID_basic_constraints) == 1);
	CHECK(x509_cert_pathlen(sub) == 0);
	CHECK(fx_ku(sub) == KU_CA && fx_ext_crit(sub, NID_key_usage) == 1);
	CHECK(fx_name_der_eq(X509_get_issuer_name(sub), X509_get_subject_name(root)));
	CHECK(key_ids_ok(sub, X509_get0_subject_key_id(root)));
	CHECK(X509_get_signature_nid(sub) == NID_ecdsa_with_SHA256);
	CHECK(fx_verify(sub, root, NULL, NULL, FX_NOW) == X509_V_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cm_err err = {0};
		X509 *leaf =
		    fx_issue(csr, cases[i].arn, sub_key, sub, NULL, FX_NOW + FX_YEAR, &err);
		CHECK(leaf != NULL);
		if (leaf == NULL)
			continue;
		/* BC, KU, EKU, SKI, AKI, SAN (from the CSR, non-critical). */
		CHECK(fx_ext_count(leaf) == 6);
		CHECK(fx_ext_crit(leaf, NID_basic_constraints) == 0);
		CHECK((X509_get_extension_flags(leaf) & EXFLAG_CA) == 0);
		CHECK(fx_ext_crit(leaf, NID_key_usage) == 1);
		CHECK(fx_ku(leaf) == cases[i].ku);
		CHECK_STR_EQ(fx_eku(leaf, eku, sizeof(eku)), cases[i].eku);
		CHECK(fx_ext_crit(leaf, NID_ext_key_usage) == cases[i].eku_crit);
		CHECK(fx_ext_crit(leaf, NID_subject_alt_name) == 0);
		CHECK(key_ids_ok(leaf, X509_get0_subject_key_id(sub)));
		CHECK(fx_name_der_eq(X509_get_issuer_name(leaf), X509_get_subject_name(sub)));
		CHECK(X509_get_signature_nid(leaf) == NID_sha256WithRSAEncryption);
		CHECK(fx_verify(leaf, root, sub, NULL, FX_NOW) == X509_V_OK);
		X509_free(leaf);
	}
out:
	X509_REQ_free(csr);
	X509_free(sub);
	X509_free(root);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(sub_key);
	EVP_PKEY_free(root_key);
}

/* CDP and AIA come from the CA's revocation configuration, not the template. */
TEST(x509_issue_crl_and_ocsp_urls)
{
	EVP_PKEY *ca_key = fx_key(X509_KEY_EC_P256), *leaf_key = fx_key(X509_KEY_EC_P256);
	X509 *root = fx_root(ca_key, "Root");
	X509_REQ *csr = fx_csr(leaf_key, "leaf", "leaf.example", NULL);
	struct x509_csr *parsed = fx_parsed(csr);
	unsigned char serial[16];
	struct cm_err err = {0};
	x509_serial_random(serial);
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(PCA_TEMPLATE_DEFAULT_ARN),
	    .signing_key = ca_key,
	    .issuer_cert = root,
	    .sig_alg = X509_SIG_SHA256WITHECDSA,
	    .serial = serial,
	    .serial_len = 16,
	    .not_before = FX_NOW,
	    .not_after = FX_NOW + FX_YEAR,
	    .crl_url = "http://pki.example/crl/abc.crl",
	    .ocsp_url = "http://pki.example/ocsp",
	};
	X509 *leaf = x509_issue(&p, &err);
	CHECK(leaf != NULL);
	if (leaf != NULL) {
		CHECK(fx_ext_count(leaf) == 8);
		CHECK(fx_ext_crit(leaf, NID_crl_distribution_points) == 0);
		CHECK(fx_ext_crit(leaf, NID_info_access) == 0);
		STACK_OF(OPENSSL_STRING) *ocsp = X509_get1_ocsp(leaf);
		CHECK(ocsp != NULL && sk_OPENSSL_STRING_num(ocsp) == 1 &&
		      strcmp(sk_OPENSSL_STRING_value(ocsp, 0), "http://pki.example/ocsp") == 0);
		X509_email_free(ocsp);
		CRL_DIST_POINTS *dps =
		    X509_get_ext_d2i(leaf, NID_crl_distribution_points, NULL, NULL);
		DIST_POINT *dp = dps != NULL ? sk_DIST_POINT_value(dps, 0) : NULL;
		GENERAL_NAME *gn = dp != NULL && dp->distpoint != NULL
				       ? sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0)
				       : NULL;
		CHECK(gn != NULL && gn->type == GEN_URI &&
		      strcmp((const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
			     "http://pki.example/crl/abc.crl") == 0);
		CRL_DIST_POINTS_free(dps);
	}
	X509_free(leaf);
	x509_csr_free(parsed);
	X509_REQ_free(csr);
	X509_free(root);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key);
}

/* Below a PathLen0 subordinate a CA certificate still verifies (it ends the
 * path), but nothing it signs does. */
TEST(x509_issue_pathlen_enforced_by_verify)
{
	EVP_PKEY *k1 = fx_key(X509_KEY_EC_P256), *k2 = fx_key(X509_KEY_EC_P256);
	EVP_PKEY *k3 = fx_key(X509_KEY_EC_P256), *k4 = fx_key(X509_KEY_EC_P256);
	X509 *root = fx_root(k1, "Root");
	X509 *sub = fx_sub(k2, "Sub0", FX_TMPL("SubordinateCACertificate_PathLen0"), k1, root);
	X509 *sub2 = fx_sub(k3, "Sub1", FX_TMPL("SubordinateCACertificate_PathLen1"), k1, root);
	X509 *deep = fx_sub(k4, "Deep", FX_TMPL("SubordinateCACertificate_PathLen0"), k2, sub);
	X509 *ok = fx_sub(k4, "Deep", FX_TMPL("SubordinateCACertificate_PathLen0"), k3, sub2);
	X509_REQ *csr = fx_csr(k1, "leaf", NULL, NULL);
	struct cm_err err = {0};
	X509 *leaf_deep =
	    fx_issue(csr, PCA_TEMPLATE_DEFAULT_ARN, k4, deep, NULL, FX_NOW + 100, &err);
	X509 *leaf_ok = fx_issue(csr, PCA_TEMPLATE_DEFAULT_ARN, k4, ok, NULL, FX_NOW + 100, &err);
	CHECK(deep != NULL && ok != NULL && leaf_deep != NULL && leaf_ok != NULL);
	CHECK(x509_cert_pathlen(sub2) == 1);
	CHECK(fx_verify(deep, root, sub, NULL, FX_NOW) == X509_V_OK);
	CHECK(fx_verify(leaf_deep, root, sub, deep, FX_NOW) == X509_V_ERR_PATH_LENGTH_EXCEEDED);
	CHECK(fx_verify(leaf_ok, root, sub2, ok, FX_NOW) == X509_V_OK);
	X509_free(leaf_ok);
	X509_free(leaf_deep);
	X509_REQ_free(csr);
	X509_free(ok);
	X509_free(deep);
	X509_free(sub2);
	X509_free(sub);
	X509_free(root);
	EVP_PKEY_free(k4);
	EVP_PKEY_free(k3);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k1);
}

/* RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
TEST(x509_issue_time_encodings)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *csr = fx_ca_csr(key, "Root");
	static const struct {
		int64_t not_after;
		int type;
	} cases[] = {
	    {2524607999, V_ASN1_UTCTIME},	    /* 2049-12-31T23:59:59Z */
	    {2524608000, V_ASN1_GENERALIZEDTIME},   /* 2050-01-01T00:00:00Z */
	    {253402300799, V_ASN1_GENERALIZEDTIME}, /* 9999-12-31T23:59:59Z */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cm_err err = {0};
		struct x509_cert_info info;
		X509 *cert = fx_issue(csr, FX_TMPL("RootCACertificate"), key, NULL, NULL,
				      cases[i].not_after, &err);
		CHECK(cert != NULL);
		if (cert == NULL)
			continue;
		CHECK(ASN1_STRING_type(X509_get0_notBefore(cert)) == V_ASN1_UTCTIME);
		CHECK(ASN1_STRING_type(X509_get0_notAfter(cert)) == cases[i].type);
		CHECK(x509_cert_info_get(cert, &info, &err) == 0);
		CHECK(info.not_after == cases[i].not_after);
		CHECK(info.not_before == FX_NOW - 3600);
		x509_cert_info_clear(&info);
		X509_free(cert);
	}
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
}

TEST(x509_issue_serial_properties)
{
	unsigned char s[16], prev[16] = {0};
	bool all_ok = true, distinct = true;
	for (int i = 0; i < 2000; i++) {
		x509_serial_random(s);
		all_ok = all_ok && s[0] >= 0x01 && s[0] <= 0x7f;
		distinct = distinct && memcmp(s, prev, 16) != 0;
		memcpy(prev, s, 16);
	}
	CHECK(all_ok);
	CHECK(distinct);
	/* The serial lands in the certificate as given: 16 octets, no sign octet. */
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *csr = fx_ca_csr(key, "Root");
	struct x509_csr *parsed = fx_parsed(csr);
	struct cm_err err = {0};
	x509_serial_random(s);
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(FX_TMPL("RootCACertificate")),
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA256WITHECDSA,
	    .serial = s,
	    .serial_len = 16,
	    .not_before = FX_NOW,
	    .not_after = FX_NOW + FX_YEAR,
	};
	X509 *cert = x509_issue(&p, &err);
	CHECK(cert != NULL);
	if (cert != NULL) {
		const ASN1_INTEGER *sn = X509_get0_serialNumber(cert);
		struct x509_cert_info info;
		CHECK(ASN1_STRING_length(sn) == 16 &&
		      memcmp(ASN1_STRING_get0_data(sn), s, 16) == 0);
		CHECK(ASN1_STRING_type(sn) == V_ASN1_INTEGER);
		CHECK(x509_cert_info_get(cert, &info, &err) == 0);
		CHECK(strlen(info.serial_hex) == 32);
		x509_cert_info_clear(&info);
	}
	X509_free(cert);
	x509_csr_free(parsed);
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
}

/* x509_issue_der copies the CSR's public key as encoded instead of through
 * X509_set_pubkey: the certificate must be the same one. RSA PKCS#1 v1.5
 * signatures are deterministic, so the bytes must match exactly; ECDSA's are
 * not, so the P-256 certificate is compared but for its signature. */
static void issue_der_matches(int *harness_failures, enum x509_key_alg alg,
			      enum x509_sig_alg sig)
{
	EVP_PKEY *ca_key = fx_key(alg), *leaf_key = fx_key(alg);
	X509 *root = fx_root(ca_key, "Root");
	X509_REQ *csr = fx_csr(leaf_key, "leaf", "leaf.example", NULL);
	struct x509_csr *parsed = fx_parsed(csr);
	unsigned char serial[16] = {0x11, 0x22};
	struct cm_err err = {0};
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(PCA_TEMPLATE_DEFAULT_ARN),
	    .signing_key = ca_key,
	    .issuer_cert = root,
	    .sig_alg = sig,
	    .serial = serial,
	    .serial_len = 16,
	    .not_before = FX_NOW,
	    .not_after = FX_NOW + FX_YEAR,
	};
	size_t len = 0, ref_len = 0;
	unsigned char *der = x509_issue_der(&p, &len, &err);
	X509 *ref = x509_issue(&p, &err);
	unsigned char *ref_der = ref != NULL ? x509_cert_to_der(ref, &ref_len) : NULL;
	const unsigned char *q = der;
	X509 *got = der != NULL ? d2i_X509(NULL, &q, (long)len) : NULL;
	CHECK(got != NULL && ref_der != NULL);
	if (got != NULL && ref != NULL && ref_der != NULL) {
		CHECK(EVP_PKEY_eq(X509_get0_pubkey(got), leaf_key) == 1);
		CHECK(X509_verify(got, ca_key) == 1);
		CHECK(fx_verify(got, root, NULL, NULL, FX_NOW + 60) == X509_V_OK);
		/* The signed part (tbsCertificate) is identical. */
		unsigned char *a = NULL, *b = NULL;
		int na = i2d_re_X509_tbs(got, &a), nb = i2d_re_X509_tbs(ref, &b);
		CHECK(na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0);
		OPENSSL_free(a);
		OPENSSL_free(b);
		if (alg != X509_KEY_EC_P256)
			CHECK(len == ref_len && memcmp(der, ref_der, len) == 0);
		/* The certificate as built, its key never decoded, read with the
		 * key the caller holds, says what the decoded certificate says. */
		X509 *unkeyed = x509_issue_unkeyed(&p, &err);
		struct x509_leaf_details du = {0}, dg = {0};
		CHECK(unkeyed != NULL &&
		      x509_leaf_details_get_keyed(unkeyed, leaf_key, &du, &err) == 0);
		CHECK(x509_leaf_details_get(got, &dg, &err) == 0);
		CHECK(du.subject != NULL && dg.subject != NULL &&
		      strcmp(du.subject, dg.subject) == 0);
		CHECK_STR_EQ(du.key_alg, dg.key_alg);
		CHECK_STR_EQ(du.info.key_alg, dg.info.key_alg);
		CHECK_STR_EQ(du.sig_alg, dg.sig_alg);
		CHECK(strcmp(du.info.serial_colon, dg.info.serial_colon) == 0);
		CHECK(du.info.not_before == dg.info.not_before &&
		      du.info.not_after == dg.info.not_after);
		CHECK(du.n_names == dg.n_names && du.key_usage == dg.key_usage &&
		      du.eku_bits == dg.eku_bits);
		x509_leaf_details_clear(&du);
		x509_leaf_details_clear(&dg);
		X509_free(unkeyed);
	}
	X509_free(got);
	X509_free(ref);
	free(der);
	free(ref_der);
	X509_free(root);
	x509_csr_free(parsed);
	X509_REQ_free(csr);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(ca_key);
}

TEST(x509_issue_der_same_certificate)
{
	issue_der_matches(harness_failures, X509_KEY_EC_P256, X509_SIG_SHA256WITHECDSA);
	issue_der_matches(harness_failures, X509_KEY_RSA_2048, X509_SIG_SHA256WITHRSA);
}
