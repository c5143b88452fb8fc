/* x509_csr_parse against OpenSSL's own reader: every key type and signature
 * algorithm IssueCertificate takes reads to the same subject, key, SPKI and
 * requested extensions as d2i_X509_REQ; the ones it refuses say why. */
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/csr.h"
#include "x509/pem.h"

/* A CSR for key (CN=alg.example, SAN DNS:alg.example) signed with md, with
 * RSASSA-PSS when pss_salt >= 0 (mgf1 = md); DER into *len (owned). */
static unsigned char *alg_csr(EVP_PKEY *key, const EVP_MD *md, int pss_salt, size_t *len)
{
	X509_REQ *req = fx_csr(key, "alg.example", "alg.example", NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	int ok = EVP_DigestSignInit(ctx, &pctx, md, NULL, key) == 1;
	if (ok && pss_salt >= 0)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
	int n = ok && X509_REQ_sign_ctx(req, ctx) > 0 ? i2d_X509_REQ(req, &der) : -1;
	*len = n > 0 ? (size_t)n : 0;
	EVP_MD_CTX_free(ctx);
	X509_REQ_free(req);
	return der;
}

/* Parses der and checks it reads as OpenSSL reads it; 1 when it does. */
static int same_as_openssl(const unsigned char *der, size_t len)
{
	struct cm_err err = {0};
	struct x509_csr *csr = x509_csr_parse(der, len, &err);
	const unsigned char *p = der;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
	STACK_OF(X509_EXTENSION) *exts = req != NULL ? X509_REQ_get_extensions(req) : NULL;
	unsigned char *e1 = NULL, *e2 = NULL, *spki = NULL;
	size_t spki_len = 0;
	const unsigned char *ours = csr != NULL ? x509_csr_spki(csr, &spki_len) : NULL;
	int n1 = exts != NULL ? i2d_X509_EXTENSIONS(exts, &e1) : -1;
	int n2 = csr != NULL
		     ? i2d_X509_EXTENSIONS((const X509_EXTENSIONS *)x509_csr_extensions(csr), &e2)
		     : -2;
	int ns = req != NULL ? i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), &spki) : -1;
	int same = csr != NULL && req != NULL &&
		   X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1 &&
		   X509_NAME_cmp(X509_REQ_get_subject_name(req), x509_csr_subject(csr)) == 0 &&
		   EVP_PKEY_eq(X509_REQ_get0_pubkey(req), x509_csr_pubkey(csr)) == 1 && n1 > 0 &&
		   n1 == n2 && memcmp(e1, e2, (size_t)n1) == 0 && ns > 0 &&
		   (size_t)ns == spki_len && memcmp(spki, ours, spki_len) == 0;
	if (!same)
		fprintf(stderr, "  same_as_openssl: %s\n", csr == NULL ? err.msg : "differs");
	OPENSSL_free(spki);
	OPENSSL_free(e1);
	OPENSSL_free(e2);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	x509_csr_free(csr);
	return same;
}

TEST(x509_csr_every_key_type)
{
	enum x509_key_alg algs[] = {X509_KEY_RSA_2048, X509_KEY_RSA_3072, X509_KEY_RSA_4096,
				    X509_KEY_EC_P256,  X509_KEY_EC_P384,  X509_KEY_EC_P521};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		EVP_PKEY *key = fx_key(algs[i]);
		size_t len = 0;
		unsigned char *der = alg_csr(key, EVP_sha256(), -1, &len);
		CHECK(der != NULL && same_as_openssl(der, len));
		OPENSSL_free(der);
		EVP_PKEY_free(key);
	}
}

TEST(x509_csr_every_signature_algorithm)
{
	const EVP_MD *mds[] = {EVP_sha1(), EVP_sha224(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
	EVP_PKEY *rsa = fx_key(X509_KEY_RSA_2048), *ec = fx_key(X509_KEY_EC_P384);
	for (size_t i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
		size_t len = 0;
		unsigned char *der = alg_csr(rsa, mds[i], -1, &len);
		CHECK(der != NULL && same_as_openssl(der, len));
		OPENSSL_free(der);
		der = alg_csr(ec, mds[i], -1, &len);
		CHECK(der != NULL && same_as_openssl(der, len));
		OPENSSL_free(der);
		/* RSASSA-PSS with salts of 0, the digest's length, and 20. */
		int salts[] = {0, EVP_MD_get_size(mds[i]), 20};
		for (int s = 0; s < 3; s++) {
			der = alg_csr(rsa, mds[i], salts[s], &len);
			CHECK(der != NULL && same_as_openssl(der, len));
			OPENSSL_free(der);
		}
	}
	/* SHA-3: X509_REQ_verify of OpenSSL 3.0 takes it with RSA, so it is
	 * still taken; with ECDSA it knows no such algorithm, nor do we. */
	size_t len = 0;
	unsigned char *der = alg_csr(rsa, EVP_sha3_256(), -1, &len);
	CHECK(der != NULL && same_as_openssl(der, len));
	OPENSSL_free(der);
	der = alg_csr(ec, EVP_sha3_256(), -1, &len);
	struct cm_err err = {0};
	CHECK(der != NULL && x509_csr_parse(der, len, &err) == NULL &&
	      strstr(err.msg, "signature") != NULL);
	OPENSSL_free(der);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
}

/* The PSS parameters are read, not assumed: a CSR whose salt length says
 * 20 but was signed with 32 fails, as under X509_REQ_verify. */
TEST(x509_csr_pss_parameters_matter)
{
	EVP_PKEY *rsa = fx_key(X509_KEY_RSA_2048);
	size_t len = 0;
	unsigned char *der = alg_csr(rsa, EVP_sha256(), 32, &len);
	/* saltLength [2] INTEGER 32 is "a2 03 02 01 20" in the parameters. */
	unsigned char *hit = NULL;
	for (size_t i = 0; der != NULL && i + 5 <= len; i++)
		if (memcmp(der + i, "\xa2\x03\x02\x01\x20", 5) == 0)
			hit = der + i;
	CHECK(hit != NULL);
	if (hit != NULL) {
		hit[4] = 0x14;
		struct cm_err err = {0};
		CHECK(x509_csr_parse(der, len, &err) == NULL);
		CHECK(err.code == CM_ERR_MALFORMED_CSR && strstr(err.msg, "signature") != NULL);
		const unsigned char *p = der;
		X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
		CHECK(req != NULL && X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1);
		X509_REQ_free(req);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(rsa);
}

TEST(x509_csr_pem_labels_match_der)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *req = fx_csr(key, "pem.example", "pem.example", NULL);
	BIO *a = BIO_new(BIO_s_mem()), *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509_REQ(a, req);
	PEM_write_bio_X509_REQ_NEW(b, req);
	char *pa = NULL, *pb = NULL;
	long na = BIO_get_mem_data(a, &pa), nb = BIO_get_mem_data(b, &pb);
	unsigned char *der = NULL;
	int n = i2d_X509_REQ(req, &der);
	struct cm_err err = {0};
	struct x509_csr *ca = x509_csr_parse((unsigned char *)pa, (size_t)na, &err);
	struct x509_csr *cb = x509_csr_parse((unsigned char *)pb, (size_t)nb, &err);
	CHECK(ca != NULL && cb != NULL && n > 0 && same_as_openssl(der, (size_t)n));
	size_t la = 0, lb = 0;
	if (ca != NULL && cb != NULL)
		CHECK(EVP_PKEY_eq(x509_csr_pubkey(ca), key) == 1 &&
		      memcmp(x509_csr_spki(ca, &la), x509_csr_spki(cb, &lb), la) == 0 && la == lb);
	/* CRLF line ends and a short last line are PEM too. */
	char crlf[4096];
	size_t m = 0;
	for (long i = 0; i < na && m + 2 < sizeof(crlf); i++) {
		if (pa[i] == '\n')
			crlf[m++] = '\r';
		crlf[m++] = pa[i];
	}
	struct x509_csr *cc = x509_csr_parse((unsigned char *)crlf, m, &err);
	CHECK(cc != NULL);
	x509_csr_free(cc);
	x509_csr_free(cb);
	x509_csr_free(ca);
	OPENSSL_free(der);
	BIO_free(b);
	BIO_free(a);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

/* The SPKI is kept as sent: a compressed EC point stays compressed, and
 * the key is the same one. */
TEST(x509_csr_compressed_point)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	CHECK(EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
					     "compressed") == 1);
	size_t len = 0;
	unsigned char *der = alg_csr(key, EVP_sha256(), -1, &len);
	CHECK(der != NULL && same_as_openssl(der, len));
	struct cm_err err = {0};
	struct x509_csr *csr = x509_csr_parse(der, len, &err);
	size_t klen = 0;
	const unsigned char *k = csr != NULL ? x509_csr_spki_key(csr, &klen) : NULL;
	CHECK(k != NULL && klen == 33 && (k[0] == 0x02 || k[0] == 0x03));
	x509_csr_free(csr);
	OPENSSL_free(der);
	EVP_PKEY_free(key);
}

/* Keys OpenSSL decodes but IssueCertificate refuses, each with its reason. */
TEST(x509_csr_refused_keys)
{
	struct {
		EVP_PKEY *key;
		const char *why;
	} cases[] = {
	    {fx_key_other(1024), "1024 bits"},
	    {fx_key_other(0), "ED25519"},
	    {EVP_EC_gen("secp256k1"), "curve"},
	    {fx_key(X509_KEY_EC_P256), "curve"}, /* with explicit parameters below */
	};
	CHECK(EVP_PKEY_set_utf8_string_param(cases[3].key, OSSL_PKEY_PARAM_EC_ENCODING,
					     OSSL_PKEY_EC_ENCODING_EXPLICIT) == 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ed = EVP_PKEY_get_base_id(cases[i].key) == EVP_PKEY_ED25519;
		size_t len = 0;
		unsigned char *der = ed ? NULL : alg_csr(cases[i].key, EVP_sha256(), -1, &len);
		if (ed) {
			X509_REQ *r = fx_csr(cases[i].key, "ed", NULL, NULL);
			CHECK(X509_REQ_sign(r, cases[i].key, NULL) > 0);
			int n = i2d_X509_REQ(r, &der);
			len = n > 0 ? (size_t)n : 0;
			X509_REQ_free(r);
		}
		/* OpenSSL reads each and its signature holds: only the key is wrong. */
		const unsigned char *p = der;
		X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
		CHECK(req != NULL && X509_REQ_verify(req, cases[i].key) == 1);
		X509_REQ_free(req);
		struct cm_err err = {0};
		CHECK(x509_csr_parse(der, len, &err) == NULL);
		CHECK(err.code == CM_ERR_MALFORMED_CSR && strstr(err.msg, cases[i].why) != NULL);
		if (strstr(err.msg, cases[i].why) == NULL)
			fprintf(stderr, "  case %zu: %s\n", i, err.msg);
		OPENSSL_free(der);
		EVP_PKEY_free(cases[i].key);
	}
}

/* What the requested extensions are, read as OpenSSL reads them, and the
 * attributes that do not matter (challengePassword) left alone. */
TEST(x509_csr_extensions_and_attributes)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	STACK_OF(X509_EXTENSION) *extra = sk_X509_EXTENSION_new_null();
	sk_X509_EXTENSION_push(
	    extra, X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,digitalSignature"));
	sk_X509_EXTENSION_push(extra, fx_utf8_ext("1.3.6.1.4.1.99999.7", "custom", false));
	X509_REQ *req = fx_csr(key, "ext.example", "ext.example", extra);
	X509_REQ_add1_attr_by_NID(req, NID_pkcs9_challengePassword, MBSTRING_ASC,
				  (const unsigned char *)"secret", -1);
	X509_REQ_sign(req, key, EVP_sha256());
	unsigned char *der = NULL;
	int n = i2d_X509_REQ(req, &der);
	CHECK(n > 0 && same_as_openssl(der, (size_t)n));
	struct cm_err err = {0};
	struct x509_csr *csr = x509_csr_parse(der, (size_t)n, &err);
	CHECK(csr != NULL && sk_X509_EXTENSION_num(x509_csr_extensions(csr)) == 3);
	x509_csr_free(csr);
	/* No extensions at all: an empty list, not NULL. */
	X509_REQ *bare = fx_csr(key, "bare.example", NULL, NULL);
	struct x509_csr *b = fx_parsed(bare);
	CHECK(b != NULL && x509_csr_extensions(b) != NULL &&
	      sk_X509_EXTENSION_num(x509_csr_extensions(b)) == 0);
	x509_csr_free(b);
	X509_REQ_free(bare);
	OPENSSL_free(der);
	X509_REQ_free(req);
	sk_X509_EXTENSION_pop_free(extra, X509_EXTENSION_free);
	EVP_PKEY_free(key);
}
