/* x509_csr_parse: every MalformedCSR case of spec pca.md §5.10; and the CA's
 * own CSR from x509_ca_csr_build (§5.7). */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/csr.h"
#include "x509/pem.h"

/* PEM text of a request (owned). */
static char *csr_pem(X509_REQ *req)
{
	return x509_req_to_pem(req);
}

/* DER of a request (owned, *len set). */
static unsigned char *csr_der(X509_REQ *req, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509_REQ(req, &der);
	*len = n > 0 ? (size_t)n : 0;
	return der;
}

/* Parses text and expects the error code (CM_OK = success). */
static bool parse_is(const void *data, size_t len, enum cm_code want)
{
	struct cm_err err = {0};
	struct x509_csr *csr = x509_csr_parse(data, len, &err);
	bool ok = want == CM_OK ? csr != NULL : csr == NULL && err.code == want;
	if (!ok)
		fprintf(stderr, "  parse: got %d (%s), want %d\n", err.code, err.msg, want);
	x509_csr_free(csr);
	return ok;
}

TEST(x509_csr_parse_pem_and_der)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *req = fx_csr(key, "ok.example", "ok.example", NULL);
	char *pem = csr_pem(req);
	size_t der_len = 0;
	unsigned char *der = csr_der(req, &der_len);
	char buf[4096];
	CHECK(parse_is(pem, strlen(pem), CM_OK));
	CHECK(parse_is(der, der_len, CM_OK));
	/* Whitespace around PEM and a trailing NUL are harmless. */
	snprintf(buf, sizeof(buf), "\n  %s\n\n", pem);
	CHECK(parse_is(buf, strlen(buf) + 1, CM_OK));
	/* The legacy "NEW CERTIFICATE REQUEST" label. */
	char *legacy = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509_REQ_NEW(bio, req);
	long n = BIO_get_mem_data(bio, &legacy);
	CHECK(strstr(legacy, "NEW CERTIFICATE REQUEST") != NULL);
	CHECK(parse_is(legacy, (size_t)n, CM_OK));
	BIO_free(bio);
	/* RSA 2048 and the other NIST curves pass. */
	EVP_PKEY *keys[] = {fx_key(X509_KEY_RSA_2048), fx_key(X509_KEY_EC_P384),
			    fx_key(X509_KEY_EC_P521)};
	for (int i = 0; i < 3; i++) {
		X509_REQ *r = fx_csr(keys[i], "k", NULL, NULL);
		char *p = csr_pem(r);
		CHECK(parse_is(p, strlen(p), CM_OK));
		free(p);
		X509_REQ_free(r);
		EVP_PKEY_free(keys[i]);
	}
	OPENSSL_free(der);
	free(pem);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

TEST(x509_csr_parse_rejects_weak_and_odd_keys)
{
	EVP_PKEY *rsa1024 = EVP_RSA_gen(1024);
	EVP_PKEY *k256 = EVP_EC_gen("secp256k1");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *keys[] = {rsa1024, k256};
	const char *why[] = {"1024 bits", "curve"};
	struct cm_err err = {0};
	for (int i = 0; i < 2; i++) {
		X509_REQ *r = fx_csr(keys[i], "weak", NULL, NULL);
		char *p = csr_pem(r);
		cm_err_clear(&err);
		struct x509_csr *parsed = x509_csr_parse((const unsigned char *)p, strlen(p), &err);
		CHECK(parsed == NULL && err.code == CM_ERR_MALFORMED_CSR);
		CHECK(strstr(err.msg, why[i]) != NULL);
		free(p);
		X509_REQ_free(r);
	}
	/* Ed25519 signs with no digest. */
	X509_REQ *r = X509_REQ_new();
	X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(r), "CN", MBSTRING_UTF8,
				   (const unsigned char *)"ed", -1, -1, 0);
	X509_REQ_set_pubkey(r, ed);
	CHECK(X509_REQ_sign(r, ed, NULL) > 0);
	char *p = csr_pem(r);
	cm_err_clear(&err);
	CHECK(x509_csr_parse((const unsigned char *)p, strlen(p), &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CSR && strstr(err.msg, "ED25519") != NULL);
	free(p);
	X509_REQ_free(r);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(k256);
	EVP_PKEY_free(rsa1024);
}

TEST(x509_csr_parse_rejects_bad_bytes)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *req = fx_csr(key, "bytes.example", NULL, NULL);
	char *pem = csr_pem(req);
	size_t der_len = 0;
	unsigned char *der = csr_der(req, &der_len);
	char buf[4096];
	struct cm_err err = {0};
	/* A corrupted signature byte (the last octet of the DER is signature). */
	CHECK(der != NULL && der_len > 0);
	if (der == NULL || der_len == 0)
		return;
	unsigned char *bad = malloc(der_len);
	memcpy(bad, der, der_len);
	bad[der_len - 1] ^= 0x01;
	struct x509_csr *r = x509_csr_parse(bad, der_len, &err);
	CHECK(r == NULL && err.code == CM_ERR_MALFORMED_CSR && strstr(err.msg, "signature"));
	/* Garbage, empty, truncated. */
	CHECK(parse_is("hello, world", 12, CM_ERR_MALFORMED_CSR));
	CHECK(parse_is("", 0, CM_ERR_MALFORMED_CSR));
	CHECK(parse_is(der, der_len / 2, CM_ERR_MALFORMED_CSR));
	CHECK(parse_is(pem, strlen(pem) / 2, CM_ERR_MALFORMED_CSR));
	/* Trailing bytes after PEM and after DER. */
	snprintf(buf, sizeof(buf), "%sgarbage\n", pem);
	cm_err_clear(&err);
	r = x509_csr_parse((unsigned char *)buf, strlen(buf), &err);
	CHECK(r == NULL && err.code == CM_ERR_MALFORMED_CSR && strstr(err.msg, "followed"));
	memcpy(bad, der, der_len);
	unsigned char *longer = malloc(der_len + 1);
	memcpy(longer, der, der_len);
	longer[der_len] = 0x30;
	CHECK(parse_is(longer, der_len + 1, CM_ERR_MALFORMED_CSR));
	/* Text before the PEM block. */
	snprintf(buf, sizeof(buf), "junk\n%s", pem);
	CHECK(parse_is(buf, strlen(buf), CM_ERR_MALFORMED_CSR));
	/* Two CSRs. */
	snprintf(buf, sizeof(buf), "%s%s", pem, pem);
	CHECK(parse_is(buf, strlen(buf), CM_ERR_MALFORMED_CSR));
	/* A certificate is not a CSR. */
	X509 *root = fx_root(key, "Root");
	char *cert_pem = x509_cert_to_pem(root);
	CHECK(parse_is(cert_pem, strlen(cert_pem), CM_ERR_MALFORMED_CSR));
	free(cert_pem);
	X509_free(root);
	free(longer);
	free(bad);
	OPENSSL_free(der);
	free(pem);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

TEST(x509_csr_parse_needs_subject_or_san)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *none = fx_csr(key, NULL, NULL, NULL);
	X509_REQ *san_only = fx_csr(key, NULL, "only-san.example", NULL);
	char *a = csr_pem(none), *b = csr_pem(san_only);
	struct cm_err err = {0};
	CHECK(x509_csr_parse((unsigned char *)a, strlen(a), &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CSR && strstr(err.msg, "subject") != NULL);
	CHECK(parse_is(b, strlen(b), CM_OK));
	free(b);
	free(a);
	X509_REQ_free(san_only);
	X509_REQ_free(none);
	EVP_PKEY_free(key);
}

TEST(x509_ca_csr_build_extensions)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P384);
	struct x509_access_description sia = {
	    .method_oid = "1.3.6.1.5.5.7.48.5",
	    .location = {.kind = X509_GN_URI, .value = "rsync://repo.example/ca/"},
	};
	struct x509_csr_extensions ext = {
	    .has_key_usage = true,
	    .key_usage = X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN,
	    .sia = &sia,
	    .n_sia = 1,
	};
	struct x509_subject subject = {
	    .country = "DE", .organization = "Certain GmbH", .common_name = "Sub CA"};
	struct cm_err err = {0};
	X509_REQ *req = x509_ca_csr_build(key, X509_SIG_SHA512WITHECDSA, &subject, &ext, &err);
	CHECK(req != NULL);
	if (req == NULL)
		goto out;
	char *pem = x509_req_to_pem(req);
	/* PEM: 64-column lines, \n endings; and it parses back as a client CSR. */
	CHECK(strncmp(pem, "-----BEGIN CERTIFICATE REQUEST-----\n", 36) == 0);
	CHECK(strchr(pem, '\r') == NULL);
	CHECK(strlen(strchr(pem, '\n') + 1) > 65 && strchr(pem, '\n')[65] == '\n');
	struct x509_csr *back = x509_csr_parse((unsigned char *)pem, strlen(pem), &err);
	CHECK(back != NULL);
	x509_csr_free(back);
	free(pem);
	CHECK(X509_REQ_verify(req, key) == 1);
	CHECK(X509_REQ_get_signature_nid(req) == NID_ecdsa_with_SHA512);
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	CHECK(sk_X509_EXTENSION_num(exts) == 3);
	int crit = -1;
	BASIC_CONSTRAINTS *bc = X509V3_get_d2i(exts, NID_basic_constraints, &crit, NULL);
	CHECK(bc != NULL && bc->ca && bc->pathlen == NULL && crit == 1);
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING *ku = X509V3_get_d2i(exts, NID_key_usage, &crit, NULL);
	CHECK(ku != NULL && crit == 1 && !ASN1_BIT_STRING_get_bit(ku, 0) &&
	      ASN1_BIT_STRING_get_bit(ku, 5) && ASN1_BIT_STRING_get_bit(ku, 6));
	ASN1_BIT_STRING_free(ku);
	AUTHORITY_INFO_ACCESS *ads = X509V3_get_d2i(exts, NID_sinfo_access, &crit, NULL);
	ACCESS_DESCRIPTION *ad = ads != NULL ? sk_ACCESS_DESCRIPTION_value(ads, 0) : NULL;
	CHECK(ad != NULL && crit == 0 && OBJ_obj2nid(ad->method) == NID_caRepository &&
	      ad->location->type == GEN_URI);
	AUTHORITY_INFO_ACCESS_free(ads);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	char *name = x509_name_to_string(X509_REQ_get_subject_name(req));
	CHECK_STR_EQ(name, "CN=Sub CA,O=Certain GmbH,C=DE");
	free(name);
out:
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

TEST(x509_ca_csr_build_errors)
{
	EVP_PKEY *key = fx_key(X509_KEY_RSA_2048);
	struct x509_subject empty = {0}, ok = {.common_name = "CA"};
	struct x509_custom_attr attr = {.oid = "1.2.3.4", .value = "x"};
	struct x509_subject mixed = {.common_name = "CA", .custom = &attr, .n_custom = 1};
	struct cm_err err = {0};
	CHECK(x509_ca_csr_build(key, X509_SIG_SHA256WITHRSA, &empty, NULL, &err) == NULL);
	CHECK(err.code == CM_ERR_INVALID_ARGS);
	cm_err_clear(&err);
	CHECK(x509_ca_csr_build(key, X509_SIG_SHA256WITHRSA, &mixed, NULL, &err) == NULL);
	CHECK(err.code == CM_ERR_INVALID_ARGS);
	cm_err_clear(&err);
	CHECK(x509_ca_csr_build(key, X509_SIG_SHA256WITHECDSA, &ok, NULL, &err) == NULL);
	CHECK(err.code == CM_ERR_INVALID_ARGS);
	cm_err_clear(&err);
	CHECK(x509_ca_csr_build(key, X509_SIG_SM3WITHSM2, &ok, NULL, &err) == NULL);
	CHECK(err.code == CM_ERR_INVALID_ARGS);
	/* Only BasicConstraints without CsrExtensions. */
	X509_REQ *req = x509_ca_csr_build(key, X509_SIG_SHA384WITHRSA, &ok, NULL, &err);
	STACK_OF(X509_EXTENSION) *exts = req != NULL ? X509_REQ_get_extensions(req) : NULL;
	CHECK(exts != NULL && sk_X509_EXTENSION_num(exts) == 1);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}
