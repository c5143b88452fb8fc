/* PEM/DER in and out: round trips, line format, chains, and what is refused. */
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/pem.h"

/* Every line of a PEM text is at most 64 characters and ends in "\n". */
static bool pem_lines_ok(const char *pem)
{
	size_t col = 0;
	for (const char *p = pem; *p != '\0'; p++) {
		if (*p == '\r')
			return false;
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if (++col > 64 && strncmp(p - col + 1, "-----", 5) != 0)
			return false;
	}
	return col == 0 && pem[0] != '\0';
}

TEST(x509_pem_cert_round_trip)
{
	EVP_PKEY *key = fx_key(X509_KEY_RSA_2048);
	X509 *cert = fx_root(key, "PEM Root");
	char *pem = x509_cert_to_pem(cert);
	size_t der_len = 0;
	unsigned char *der = x509_cert_to_der(cert, &der_len);
	struct cm_err err = {0};
	CHECK(pem != NULL && der != NULL);
	if (pem == NULL || der == NULL)
		return;
	CHECK(pem_lines_ok(pem));
	CHECK(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	X509 *a = x509_cert_parse((unsigned char *)pem, strlen(pem), &err);
	X509 *b = x509_cert_parse(der, der_len, &err);
	X509 *c = x509_cert_from_der(der, der_len, &err);
	CHECK(a != NULL && X509_cmp(a, cert) == 0);
	CHECK(b != NULL && X509_cmp(b, cert) == 0);
	CHECK(c != NULL && X509_cmp(c, cert) == 0);
	X509_free(c);
	X509_free(b);
	X509_free(a);
	/* Trailing garbage, truncation, garbage. */
	char *buf = malloc(strlen(pem) + 160);
	sprintf(buf, "%sxx", pem);
	cm_err_clear(&err);
	CHECK(x509_cert_parse((unsigned char *)buf, strlen(buf), &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CERTIFICATE);
	cm_err_clear(&err);
	CHECK(x509_cert_parse((unsigned char *)pem, strlen(pem) - 40, &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CERTIFICATE);
	cm_err_clear(&err);
	CHECK(x509_cert_parse((const unsigned char *)"nope", 4, &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CERTIFICATE);
	/* An encrypted PEM block is refused, never a password prompt. */
	const char *body = strchr(pem, '\n') + 1;
	sprintf(buf, "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n"
		     "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n");
	strcat(buf, body);
	cm_err_clear(&err);
	CHECK(x509_cert_parse((unsigned char *)buf, strlen(buf), &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CERTIFICATE);
	/* Stored DER must be exact: trailing bytes are our bug, an internal error. */
	unsigned char *longer = malloc(der_len + 1);
	memcpy(longer, der, der_len);
	longer[der_len] = 0;
	cm_err_clear(&err);
	CHECK(x509_cert_from_der(longer, der_len + 1, &err) == NULL);
	CHECK(err.code == CM_ERR_INTERNAL);
	free(longer);
	free(buf);
	free(der);
	free(pem);
	X509_free(cert);
	EVP_PKEY_free(key);
}

TEST(x509_pem_chain)
{
	EVP_PKEY *rk = fx_key(X509_KEY_EC_P256), *sk = fx_key(X509_KEY_EC_P384);
	X509 *root = fx_root(rk, "Root");
	X509 *sub = fx_sub(sk, "Sub", FX_TMPL("SubordinateCACertificate_PathLen0"), rk, root);
	char *p1 = x509_cert_to_pem(sub), *p2 = x509_cert_to_pem(root);
	char *both = malloc(strlen(p1) + strlen(p2) + 8);
	struct cm_err err = {0};
	sprintf(both, "%s\n%s", p1, p2);
	STACK_OF(X509) *chain = x509_chain_parse((unsigned char *)both, strlen(both), &err);
	CHECK(chain != NULL && sk_X509_num(chain) == 2);
	if (chain != NULL) {
		CHECK(X509_cmp(sk_X509_value(chain, 0), sub) == 0);
		CHECK(X509_cmp(sk_X509_value(chain, 1), root) == 0);
		char *out = x509_chain_to_pem(chain);
		char *want = malloc(strlen(p1) + strlen(p2) + 1);
		sprintf(want, "%s%s", p1, p2);
		CHECK_STR_EQ(out, want);
		CHECK(pem_lines_ok(out));
		free(want);
		free(out);
	}
	sk_X509_pop_free(chain, X509_free);
	/* One certificate is a chain too. */
	chain = x509_chain_parse((unsigned char *)p2, strlen(p2), &err);
	CHECK(chain != NULL && sk_X509_num(chain) == 1);
	sk_X509_pop_free(chain, X509_free);
	/* Text between certificates, a broken second one, nothing at all. */
	sprintf(both, "%sjunk\n%s", p1, p2);
	cm_err_clear(&err);
	CHECK(x509_chain_parse((unsigned char *)both, strlen(both), &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CERTIFICATE && strstr(err.msg, "2") != NULL);
	sprintf(both, "%s%.*s", p1, (int)strlen(p2) / 2, p2);
	cm_err_clear(&err);
	CHECK(x509_chain_parse((unsigned char *)both, strlen(both), &err) == NULL);
	cm_err_clear(&err);
	CHECK(x509_chain_parse((const unsigned char *)"\n \n", 3, &err) == NULL);
	CHECK(err.code == CM_ERR_MALFORMED_CERTIFICATE);
	free(both);
	free(p2);
	free(p1);
	X509_free(sub);
	X509_free(root);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(rk);
}

/* PEM straight from DER is the text x509_cert_to_pem writes for the same
 * certificate, so GetCertificate need not decode what it stored. */
TEST(x509_der_to_pem_same_text)
{
	EVP_PKEY *key = fx_key(X509_KEY_RSA_2048);
	X509 *root = key != NULL ? fx_root(key, "der to pem") : NULL;
	unsigned char *der = NULL;
	int len = root != NULL ? i2d_X509(root, &der) : -1;
	CHECK(len > 0);
	if (len > 0) {
		char *want = x509_cert_to_pem(root);
		char *got = x509_der_to_pem("CERTIFICATE", der, (size_t)len);
		CHECK(want != NULL && got != NULL && strcmp(want, got) == 0);
		free(want);
		free(got);
	}
	OPENSSL_free(der);
	X509_free(root);
	EVP_PKEY_free(key);
}
