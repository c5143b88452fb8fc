/* x509_cert_info_get and x509_serial_hex_normalize: the serial forms of
 * spec pca.md §2 and the fields the store and the API read. */
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/info.h"

TEST(x509_info_fields)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *csr = fx_ca_csr(key, "Info Root");
	struct x509_csr *parsed = fx_parsed(csr);
	/* High bit set: DER needs a 00 sign octet that the text forms omit. */
	unsigned char serial[16] = {0xe8, 0xcb, 0xd2, 0xbe, 0xdb, 0x12, 0x23, 0x29,
				    0xf9, 0x77, 0x06, 0xbc, 0xfe, 0xc9, 0x90, 0xf8};
	struct cm_err err = {0};
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(FX_TMPL("RootCACertificate")),
	    .signing_key = key,
	    .sig_alg = X509_SIG_SHA256WITHECDSA,
	    .serial = serial,
	    .serial_len = 16,
	    .not_before = 1700000000,
	    .not_after = 2524608000,
	};
	X509 *cert = x509_issue(&p, &err);
	struct x509_cert_info info;
	CHECK(cert != NULL && x509_cert_info_get(cert, &info, &err) == 0);
	if (cert == NULL)
		goto out;
	CHECK_STR_EQ(info.serial_hex, "e8cbd2bedb122329f97706bcfec990f8");
	CHECK_STR_EQ(info.serial_colon, "e8:cb:d2:be:db:12:23:29:f9:77:06:bc:fe:c9:90:f8");
	CHECK_STR_EQ(info.serial_dec, "309439205711549840956034985118008971512");
	CHECK(info.not_before == 1700000000 && info.not_after == 2524608000);
	CHECK_STR_EQ(info.subject, "CN=Info Root,O=Certain,C=US");
	CHECK_STR_EQ(info.issuer, "CN=Info Root,O=Certain,C=US");
	CHECK_STR_EQ(info.key_alg, "EC_prime256v1");
	CHECK(info.is_ca && info.pathlen == -1);
	x509_cert_info_clear(&info);
	x509_cert_info_clear(&info); /* idempotent */
	/* A small serial keeps whole octets. */
	unsigned char one = 0x0a;
	p.serial = &one;
	p.serial_len = 1;
	X509 *small = x509_issue(&p, &err);
	CHECK(small != NULL && x509_cert_info_get(small, &info, &err) == 0);
	CHECK_STR_EQ(info.serial_hex, "0a");
	CHECK_STR_EQ(info.serial_colon, "0a");
	CHECK_STR_EQ(info.serial_dec, "10");
	x509_cert_info_clear(&info);
	X509_free(small);
out:
	X509_free(cert);
	x509_csr_free(parsed);
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
}

TEST(x509_info_serial_normalize)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"E8:CB:D2:BE", "e8cbd2be"},
	    {"e8cbd2be", "e8cbd2be"},
	    {"00:e8:cb", "e8cb"},
	    {"00E8CB", "e8cb"},
	    {"0000000a", "0a"},
	    {"abc", "0abc"},
	    {"00", "00"},
	    {"0", "00"},
	    {"7f", "7f"},
	};
	static const char *const bad[] = {"",	    "zz",  "e8:c", "e8::cb", "e8cb:",  ":e8",
					  "e8:cb:", "e 8", "0x1f", "e8-cb",  "e8:cbd2"};
	char out[64];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK(x509_serial_hex_normalize(ok[i].in, out, sizeof(out)) == 0);
		CHECK_STR_EQ(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (x509_serial_hex_normalize(bad[i], out, sizeof(out)) == 0)
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
		CHECK(x509_serial_hex_normalize(bad[i], out, sizeof(out)) < 0);
	}
	/* Too long for the buffer. */
	CHECK(x509_serial_hex_normalize("0102030405", out, 8) < 0);
	CHECK(x509_serial_hex_normalize("010203", out, 8) == 0);
}
