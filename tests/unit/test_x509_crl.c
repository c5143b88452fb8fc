/* x509_crl_build: byte-identical to OpenSSL's own CRL encoder (RSA signatures
 * are deterministic), accepted by OpenSSL's parser, verifier and path
 * validation with CRL checks (in process and with the openssl CLI),
 * partitioned CRLs with an IssuingDistributionPoint, and the input errors. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "util/hex.h"
#include "x509/crl.h"

#define CRL_SERIAL_A  "0badc0ffee00000000000000000000a1"
#define CRL_TIME_2051 ((int64_t)2556144000)   /* 2051-01-01T00:00:00Z */
#define CRL_TIME_MAX  ((int64_t)253402300799) /* 9999-12-31T23:59:59Z */

/* Builds the CRL of p and parses it back (owned; NULL on any failure). */
static X509_CRL *crl_make(const struct x509_crl_params *p)
{
	struct cm_err err = {0};
	size_t len = 0;
	unsigned char *der = x509_crl_build(p, &len, &err);
	if (der == NULL) {
		fprintf(stderr, "crl_make: %s\n", err.msg);
		return NULL;
	}
	const unsigned char *q = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &q, (long)len);
	if (q != der + len) {
		X509_CRL_free(crl);
		crl = NULL;
	}
	free(der);
	return crl;
}

static X509_REVOKED *crl_find(X509_CRL *crl, const char *hex)
{
	BIGNUM *bn = NULL;
	X509_REVOKED *rev = NULL;
	BN_hex2bn(&bn, hex);
	ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
	if (X509_CRL_get0_by_serial(crl, &rev, ai) != 1)
		rev = NULL;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return rev;
}

/* The reasonCode of an entry; -1 when absent. */
static long crl_reason_of(const X509_REVOKED *rev)
{
	ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
	long r = e != NULL ? ASN1_ENUMERATED_get(e) : -1;
	ASN1_ENUMERATED_free(e);
	return r;
}

/* The CRLNumber of crl as a decimal string (owned, OPENSSL_free); NULL when absent. */
static char *crl_number_dec(X509_CRL *crl)
{
	ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	char *dec = n != NULL ? i2s_ASN1_INTEGER(NULL, n) : NULL;
	ASN1_INTEGER_free(n);
	return dec;
}

/* The AKI keyIdentifier of crl equals want. */
static bool crl_akid_is(X509_CRL *crl, const ASN1_OCTET_STRING *want)
{
	AUTHORITY_KEYID *akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
	bool ok = akid != NULL && akid->keyid != NULL && akid->issuer == NULL &&
		  akid->serial == NULL && ASN1_OCTET_STRING_cmp(akid->keyid, want) == 0;
	AUTHORITY_KEYID_free(akid);
	return ok;
}

/* The same CRL through OpenSSL's object API, for a byte comparison. */
static void ref_add_entry(X509_CRL *crl, const struct x509_crl_entry *e)
{
	X509_REVOKED *r = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	BN_hex2bn(&bn, e->serial_hex);
	ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)e->revoked_at);
	X509_REVOKED_set_serialNumber(r, ai);
	X509_REVOKED_set_revocationDate(r, t);
	if (e->reason != X509_CRL_UNSPECIFIED) {
		ASN1_ENUMERATED *en = ASN1_ENUMERATED_new();
		ASN1_ENUMERATED_set(en, e->reason);
		X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, en, 0, 0);
		ASN1_ENUMERATED_free(en);
	}
	X509_CRL_add0_revoked(crl, r);
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
}

static void ref_add_idp(X509_CRL *crl, const char *uri)
{
	ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	ASN1_STRING_set(s, uri, -1);
	GENERAL_NAME_set0_value(gn, GEN_URI, s);
	idp->distpoint = DIST_POINT_NAME_new();
	idp->distpoint->type = 0;
	idp->distpoint->name.fullname = GENERAL_NAMES_new();
	sk_GENERAL_NAME_push(idp->distpoint->name.fullname, gn);
	X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0);
	ISSUING_DIST_POINT_free(idp);
}

static unsigned char *ref_crl(const struct x509_crl_params *p, int *len)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t1 = ASN1_TIME_set(NULL, (time_t)p->this_update);
	ASN1_TIME *t2 = ASN1_TIME_set(NULL, (time_t)p->next_update);
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	BIGNUM *bn = BN_bin2bn(p->number, (int)p->number_len, NULL);
	ASN1_INTEGER *num = BN_to_ASN1_INTEGER(bn, NULL);
	unsigned char *der = NULL;
	X509_CRL_set_version(crl, X509_CRL_VERSION_2);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(p->issuer_cert));
	X509_CRL_set1_lastUpdate(crl, t1);
	X509_CRL_set1_nextUpdate(crl, t2);
	for (size_t i = 0; i < p->n_entries; i++)
		ref_add_entry(crl, &p->entries[i]);
	akid->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(p->issuer_cert));
	X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, 0);
	X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0);
	if (p->idp_uri != NULL)
		ref_add_idp(crl, p->idp_uri);
	if (X509_CRL_sign(crl, p->signing_key, x509_sig_alg_md(p->sig_alg)) > 0)
		*len = i2d_X509_CRL(crl, &der);
	X509_CRL_free(crl);
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(num);
	BN_free(bn);
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	return der;
}

TEST(x509_crl_reason_names)
{
	enum x509_crl_reason r = X509_CRL_UNSPECIFIED;
	CHECK(x509_crl_reason_from_name("KEY_COMPROMISE", &r) == 0 && r == 1);
	CHECK(x509_crl_reason_from_name("CERTIFICATE_AUTHORITY_COMPROMISE", &r) == 0 && r == 2);
	CHECK(x509_crl_reason_from_name("PRIVILEGE_WITHDRAWN", &r) == 0 && r == 9);
	CHECK(x509_crl_reason_from_name("A_A_COMPROMISE", &r) == 0 && r == 10);
	CHECK(x509_crl_reason_from_name("UNSPECIFIED", &r) == 0 && r == 0);
	/* No hold: AWS revocation is final. */
	CHECK(x509_crl_reason_from_name("CERTIFICATE_HOLD", &r) == -1);
	CHECK(x509_crl_reason_from_name("key_compromise", &r) == -1);
	CHECK(x509_crl_reason_from_name(NULL, &r) == -1);
	CHECK_STR_EQ(x509_crl_reason_name(X509_CRL_SUPERSEDED), "SUPERSEDED");
	CHECK(x509_crl_reason_name((enum x509_crl_reason)6) == NULL);
}

/* RSA PKCS#1 v1.5 signatures are deterministic, so the whole CRL must be
 * byte for byte what OpenSSL's X509_CRL_sign writes: proof the hand-written
 * DER is canonical, including odd serials, GeneralizedTime and the IDP. */
TEST(x509_crl_same_bytes_as_openssl)
{
	EVP_PKEY *key = fx_key(X509_KEY_RSA_2048);
	X509 *ca = fx_root(key, "CRL Root RSA");
	unsigned char num[8];
	struct cm_err err = {0};
	const struct x509_crl_entry entries[] = {
	    {CRL_SERIAL_A, FX_NOW - 100, X509_CRL_KEY_COMPROMISE},
	    {"ff", FX_NOW - 50, X509_CRL_UNSPECIFIED},	    /* sign octet needed */
	    {"00ABC", FX_NOW - 40, X509_CRL_AA_COMPROMISE}, /* odd, uppercase, zeros */
	    {"0", FX_NOW, X509_CRL_SUPERSEDED},
	    {"7f"
	     "0102030405060708090a0b0c0d0e0f10111213",
	     CRL_TIME_2051,
	     X509_CRL_PRIVILEGE_WITHDRAWN}, /* 20 octets; GeneralizedTime from 2050 */
	};
	x509_crl_number_u64((uint64_t)FX_NOW * 1000 + 123, num);
	for (int idp = 0; idp < 2; idp++) {
		struct x509_crl_params p = {
		    .issuer_cert = ca,
		    .signing_key = key,
		    .sig_alg = idp ? X509_SIG_SHA384WITHRSA : X509_SIG_SHA256WITHRSA,
		    .number = num,
		    .number_len = sizeof(num),
		    .this_update = FX_NOW,
		    .next_update = idp ? CRL_TIME_2051 : FX_NOW + 7 * 86400,
		    .entries = entries,
		    .n_entries = sizeof(entries) / sizeof(entries[0]),
		    .idp_uri = idp ? "http://crl.example/crl/part-1.crl" : NULL,
		};
		size_t len = 0;
		int ref_len = 0;
		unsigned char *der = x509_crl_build(&p, &len, &err);
		unsigned char *ref = ref_crl(&p, &ref_len);
		CHECK(der != NULL && ref != NULL);
		CHECK(der != NULL && ref != NULL && (size_t)ref_len == len &&
		      memcmp(der, ref, len) == 0);
		free(der);
		OPENSSL_free(ref);
	}
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* What a relying party reads from an EC CRL: every field and extension. */
TEST(x509_crl_fields_ec)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509 *ca = fx_root(key, "CRL Root EC");
	unsigned char num[] = {0x01, 0x02};
	const struct x509_crl_entry entries[] = {
	    {CRL_SERIAL_A, FX_NOW - 100, X509_CRL_KEY_COMPROMISE},
	    {"0badc0ffee00000000000000000000a2", FX_NOW - 90, X509_CRL_UNSPECIFIED},
	    {"0badc0ffee00000000000000000000a3", FX_NOW - 80, X509_CRL_CESSATION_OF_OPERATION},
	};
	struct x509_crl_params p = {
	    .issuer_cert = ca,
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA256WITHECDSA,
	    .number = num,
	    .number_len = sizeof(num),
	    .this_update = FX_NOW,
	    .next_update = FX_NOW + 86400,
	    .entries = entries,
	    .n_entries = 3,
	};
	X509_CRL *crl = crl_make(&p);
	CHECK(crl != NULL);
	if (crl == NULL)
		goto out;
	CHECK(X509_CRL_get_version(crl) == X509_CRL_VERSION_2);
	CHECK(X509_CRL_verify(crl, key) == 1);
	CHECK(X509_CRL_get_signature_nid(crl) == NID_ecdsa_with_SHA256);
	CHECK(fx_name_der_eq(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)));
	CHECK(ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(crl), (time_t)FX_NOW) == 0);
	CHECK(ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(crl), (time_t)FX_NOW + 86400) == 0);
	CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) == 3);
	CHECK(X509_CRL_get_ext_count(crl) == 2);
	CHECK(crl_akid_is(crl, X509_get0_subject_key_id(ca)));
	char *dec = crl_number_dec(crl);
	CHECK_STR_EQ(dec, "258");
	OPENSSL_free(dec);
	X509_REVOKED *r1 = crl_find(crl, CRL_SERIAL_A);
	X509_REVOKED *r2 = crl_find(crl, "0badc0ffee00000000000000000000a2");
	X509_REVOKED *r3 = crl_find(crl, "0badc0ffee00000000000000000000a3");
	CHECK(r1 != NULL && r2 != NULL && r3 != NULL);
	CHECK(crl_find(crl, "0badc0ffee00000000000000000000a4") == NULL);
	CHECK(r1 != NULL && crl_reason_of(r1) == 1 &&
	      ASN1_TIME_cmp_time_t(X509_REVOKED_get0_revocationDate(r1), (time_t)FX_NOW - 100) ==
		  0);
	/* UNSPECIFIED: no entry extension at all (RFC 5280 §5.3.1). */
	CHECK(r2 != NULL && X509_REVOKED_get_ext_count(r2) == 0);
	CHECK(r3 != NULL && crl_reason_of(r3) == 5);
out:
	X509_CRL_free(crl);
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* Path validation with CRL checking: the revoked leaf fails, the good one
 * passes; a CRL of another CA key does not count. */
TEST(x509_crl_verify_revoked_leaf)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P384);
	X509 *ca = fx_root(key, "CRL Root P384");
	char bad_hex[33], good_hex[33];
	X509 *bad = fx_leaf(key, ca, NULL, NULL, bad_hex);
	X509 *good = fx_leaf(key, ca, NULL, NULL, good_hex);
	unsigned char num[] = {7};
	struct x509_crl_entry e = {bad_hex, FX_NOW - 10, X509_CRL_SUPERSEDED};
	struct x509_crl_params p = {
	    .issuer_cert = ca,
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA384WITHECDSA,
	    .number = num,
	    .number_len = 1,
	    .this_update = FX_NOW - 5,
	    .next_update = FX_NOW + 86400,
	    .entries = &e,
	    .n_entries = 1,
	};
	X509_CRL *crl = crl_make(&p);
	CHECK(crl != NULL && bad != NULL && good != NULL);
	if (crl == NULL || bad == NULL || good == NULL)
		goto out;
	CHECK(fx_verify_crl(bad, ca, crl, FX_NOW) == X509_V_ERR_CERT_REVOKED);
	CHECK(fx_verify_crl(good, ca, crl, FX_NOW) == X509_V_OK);
	/* After nextUpdate the CRL is stale. */
	CHECK(fx_verify_crl(good, ca, crl, FX_NOW + 2 * 86400) == X509_V_ERR_CRL_HAS_EXPIRED);
out:
	X509_CRL_free(crl);
	X509_free(bad);
	X509_free(good);
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* An empty CRL has no revokedCertificates at all (§5.1.2.6) and still verifies. */
TEST(x509_crl_empty)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509 *ca = fx_root(key, "CRL Root Empty");
	char hex[33];
	X509 *leaf = fx_leaf(key, ca, NULL, NULL, hex);
	unsigned char num[] = {0, 0, 1}; /* leading zeros dropped */
	struct x509_crl_params p = {.issuer_cert = ca,
				    .signing_key = key,
				    .sig_alg = X509_SIG_SHA512WITHECDSA,
				    .number = num,
				    .number_len = sizeof(num),
				    .this_update = FX_NOW,
				    .next_update = FX_NOW + 3600};
	X509_CRL *crl = crl_make(&p);
	CHECK(crl != NULL);
	if (crl != NULL) {
		CHECK(X509_CRL_get_REVOKED(crl) == NULL);
		CHECK(X509_CRL_verify(crl, key) == 1);
		char *dec = crl_number_dec(crl);
		CHECK_STR_EQ(dec, "1");
		OPENSSL_free(dec);
		CHECK(fx_verify_crl(leaf, ca, crl, FX_NOW + 60) == X509_V_OK);
	}
	X509_CRL_free(crl);
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* Partitioned CRLs: the IDP is critical and carries the URI; OpenSSL uses
 * the CRL only for certificates whose CDP names that URI. */
TEST(x509_crl_idp_partition)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509 *ca = fx_root(key, "CRL Root Partitioned");
	const char *uri = "http://crl.example/crl/part-7.crl";
	char in_hex[33], other_hex[33];
	X509 *in = fx_leaf(key, ca, uri, NULL, in_hex);
	X509 *other = fx_leaf(key, ca, "http://crl.example/crl/part-8.crl", NULL, other_hex);
	unsigned char num[] = {9};
	struct x509_crl_entry e = {in_hex, FX_NOW - 10, X509_CRL_KEY_COMPROMISE};
	struct x509_crl_params p = {
	    .issuer_cert = ca,
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA256WITHECDSA,
	    .number = num,
	    .number_len = 1,
	    .this_update = FX_NOW - 5,
	    .next_update = FX_NOW + 86400,
	    .entries = &e,
	    .n_entries = 1,
	    .idp_uri = uri,
	};
	X509_CRL *crl = crl_make(&p);
	CHECK(crl != NULL && in != NULL && other != NULL);
	if (crl == NULL || in == NULL || other == NULL)
		goto out;
	int i = X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1);
	CHECK(i >= 0 && X509_EXTENSION_get_critical(X509_CRL_get_ext(crl, i)) == 1);
	ISSUING_DIST_POINT *idp =
	    X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, NULL, NULL);
	CHECK(idp != NULL && idp->distpoint != NULL && idp->distpoint->type == 0);
	if (idp != NULL && idp->distpoint != NULL && idp->distpoint->type == 0) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(idp->distpoint->name.fullname, 0);
		CHECK(gn != NULL && gn->type == GEN_URI &&
		      strcmp((const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
			     uri) == 0);
		CHECK(idp->onlyuser == 0 && idp->onlyCA == 0 && idp->onlysomereasons == NULL);
	}
	ISSUING_DIST_POINT_free(idp);
	CHECK(fx_verify_crl(in, ca, crl, FX_NOW) == X509_V_ERR_CERT_REVOKED);
	/* Another partition's certificate: this CRL does not cover it. */
	CHECK(fx_verify_crl(other, ca, crl, FX_NOW) == X509_V_ERR_DIFFERENT_CRL_SCOPE);
out:
	X509_CRL_free(crl);
	X509_free(in);
	X509_free(other);
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* The openssl CLI, as issue 7 checks it: `openssl crl -CAfile` verifies the
 * DER; `openssl verify -crl_check` rejects the revoked leaf, accepts the good. */
TEST(x509_crl_openssl_cli)
{
	EVP_PKEY *key = fx_key(X509_KEY_RSA_2048);
	X509 *ca = fx_root(key, "CRL Root CLI");
	char bad_hex[33], good_hex[33], dir[64], ca_pem[256], crl_der[256], crl_pem[256];
	char bad_pem[256], good_pem[256], cmd[2048], out[4096];
	X509 *bad = fx_leaf(key, ca, NULL, NULL, bad_hex);
	X509 *good = fx_leaf(key, ca, NULL, NULL, good_hex);
	unsigned char num[] = {0x42};
	struct x509_crl_entry e = {bad_hex, FX_NOW - 10, X509_CRL_KEY_COMPROMISE};
	struct x509_crl_params p = {
	    .issuer_cert = ca,
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA256WITHRSA,
	    .number = num,
	    .number_len = 1,
	    .this_update = FX_NOW - 5,
	    .next_update = FX_NOW + 86400,
	    .entries = &e,
	    .n_entries = 1,
	};
	struct cm_err err = {0};
	size_t len = 0;
	unsigned char *der = x509_crl_build(&p, &len, &err);
	CHECK(der != NULL && bad != NULL && good != NULL);
	if (der == NULL || bad == NULL || good == NULL)
		goto out;
	fx_tmpdir(dir, sizeof(dir));
	fx_write_cert(dir, "ca.pem", ca, ca_pem, sizeof(ca_pem));
	fx_write_cert(dir, "bad.pem", bad, bad_pem, sizeof(bad_pem));
	fx_write_cert(dir, "good.pem", good, good_pem, sizeof(good_pem));
	fx_write(dir, "x.crl", der, len, crl_der, sizeof(crl_der));
	snprintf(cmd, sizeof(cmd), "openssl crl -inform DER -in %s -CAfile %s -noout", crl_der,
		 ca_pem);
	CHECK(fx_run(cmd, out, sizeof(out)) == 0 && strstr(out, "verify OK") != NULL);
	snprintf(crl_pem, sizeof(crl_pem), "%s/x.crl.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl crl -inform DER -in %s -out %s", crl_der, crl_pem);
	CHECK(fx_run(cmd, out, sizeof(out)) == 0);
	snprintf(cmd, sizeof(cmd),
		 "openssl verify -attime %lld -crl_check -CRLfile %s -CAfile %s %s",
		 (long long)FX_NOW, crl_pem, ca_pem, bad_pem);
	CHECK(fx_run(cmd, out, sizeof(out)) != 0 && strstr(out, "certificate revoked") != NULL);
	snprintf(cmd, sizeof(cmd),
		 "openssl verify -attime %lld -crl_check -CRLfile %s -CAfile %s %s",
		 (long long)FX_NOW, crl_pem, ca_pem, good_pem);
	CHECK(fx_run(cmd, out, sizeof(out)) == 0 && strstr(out, ": OK") != NULL);
	/* The text form names the reason as openssl ca would. */
	snprintf(cmd, sizeof(cmd), "openssl crl -inform DER -in %s -noout -text", crl_der);
	CHECK(fx_run(cmd, out, sizeof(out)) == 0 && strstr(out, "Key Compromise") != NULL &&
	      strstr(out, "Version 2") != NULL);
	fx_rmdir(dir);
out:
	free(der);
	X509_free(bad);
	X509_free(good);
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* Enough entries to cross every long-form length, and still findable. */
TEST(x509_crl_many_entries)
{
	enum { N = 20000 };
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509 *ca = fx_root(key, "CRL Root Many");
	struct x509_crl_entry *e = calloc(N, sizeof(*e));
	char(*hex)[33] = calloc(N, sizeof(*hex));
	unsigned char num[8];
	x509_crl_number_u64(UINT64_MAX, num); /* top bit set: needs a sign octet */
	for (int i = 0; i < N; i++) {
		unsigned char s[16];
		x509_serial_random(s);
		hex_encode(s, sizeof(s), hex[i]);
		e[i] = (struct x509_crl_entry){hex[i], FX_NOW - i, (enum x509_crl_reason)(i % 6)};
	}
	struct x509_crl_params p = {.issuer_cert = ca,
				    .signing_key = key,
				    .sig_alg = X509_SIG_SHA256WITHECDSA,
				    .number = num,
				    .number_len = sizeof(num),
				    .this_update = FX_NOW,
				    .next_update = FX_NOW + 86400,
				    .entries = e,
				    .n_entries = N};
	X509_CRL *crl = crl_make(&p);
	CHECK(crl != NULL);
	if (crl != NULL) {
		CHECK(X509_CRL_verify(crl, key) == 1);
		CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) == N);
		X509_REVOKED *r = crl_find(crl, hex[N - 1]);
		CHECK(r != NULL && crl_reason_of(r) == (N - 1) % 6);
		char *dec = crl_number_dec(crl);
		CHECK_STR_EQ(dec, "18446744073709551615");
		OPENSSL_free(dec);
	}
	X509_CRL_free(crl);
	free(hex);
	free(e);
	X509_free(ca);
	EVP_PKEY_free(key);
}

static bool crl_fails(const struct x509_crl_params *p, enum cm_code code, const char *msg_part)
{
	struct cm_err err = {0};
	size_t len = 1;
	unsigned char *der = x509_crl_build(p, &len, &err);
	bool ok = der == NULL && len == 0 && err.code == code && strstr(err.msg, msg_part) != NULL;
	if (!ok)
		fprintf(stderr, "  crl_fails: code %d msg '%s'\n", (int)err.code, err.msg);
	free(der);
	return ok;
}

TEST(x509_crl_errors)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	EVP_PKEY *other = fx_key(X509_KEY_EC_P256);
	X509 *ca = fx_root(key, "CRL Root Errors");
	unsigned char num[21];
	memset(num, 0x11, sizeof(num));
	struct x509_crl_entry e[2] = {{CRL_SERIAL_A, FX_NOW, X509_CRL_UNSPECIFIED},
				      {CRL_SERIAL_A, FX_NOW, X509_CRL_UNSPECIFIED}};
	const struct x509_crl_params base = {.issuer_cert = ca,
					     .signing_key = key,
					     .sig_alg = X509_SIG_SHA256WITHECDSA,
					     .number = num,
					     .number_len = 1,
					     .this_update = FX_NOW,
					     .next_update = FX_NOW + 60,
					     .entries = e,
					     .n_entries = 2};
	struct x509_crl_params p = base;
	p.number_len = 21;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "20 octets"));
	num[0] = 0x80; /* 20 octets, but the sign octet makes 21 */
	p.number_len = 20;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "20 octets"));
	p = base;
	p.next_update = p.this_update;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "nextUpdate"));
	p = base;
	p.this_update = -1;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "nextUpdate"));
	p = base;
	p.signing_key = other;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "does not match"));
	p = base;
	p.sig_alg = X509_SIG_SHA256WITHRSA;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "SHA256WITHRSA"));
	p = base;
	p.idp_uri = "http://crl.example/a b.crl";
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "URI"));
	const char *bad_serials[] = {"", "xyz", "0x12", "ab:cd",
				     "0102030405060708090a0b0c0d0e0f101112131415161718191a1b"};
	for (size_t i = 0; i < sizeof(bad_serials) / sizeof(bad_serials[0]); i++) {
		p = base;
		e[1].serial_hex = bad_serials[i];
		CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "Entry 1:"));
	}
	e[1].serial_hex = NULL;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "Entry 1:"));
	e[1].serial_hex = CRL_SERIAL_A;
	e[1].reason = (enum x509_crl_reason)6; /* certificateHold: not an AWS reason */
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "Entry 1: bad revocation"));
	e[1].reason = X509_CRL_UNSPECIFIED;
	e[1].revoked_at = CRL_TIME_MAX + 1;
	CHECK(crl_fails(&p, CM_ERR_INVALID_ARGS, "Entry 1: bad revocation"));
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}
