/* x509/dn.c: names taken apart for SearchCertificates (DistinguishedName by
 * NID with repeats and unknown OIDs as custom attributes, every GeneralName
 * kind of the union) and the subject CN cut at a character boundary. */
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/dn.h"
#include "x509/pem.h"

static X509 *dn_cert(EVP_PKEY *key)
{
	struct fx_cert_spec spec = {
	    .key = key,
	    .subject = "DC=org,DC=example,C=DE,O=Example,OU=One,OU=Two,2.5.4.97=VATDE-1,"
		       "CN=h\xc3\xa9llo.example.org",
	    .exts = {{"subjectAltName",
		      "DNS:a.example.org, IP:2001:db8::1, IP:192.0.2.1, RID:1.2.3.4, "
		      "email:x@example.org, URI:https://example.org/, "
		      "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@example.org"}}};
	return fx_cert(&spec);
}

TEST(x509_dn_attrs)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509 *cert = dn_cert(key);
	struct x509_attrs a;
	struct cm_err err = {0};
	size_t len = 0;
	unsigned char *der = x509_cert_to_der(cert, &len);
	CHECK(der != NULL);
	CHECK(x509_attrs_from_der(der, len, &a, &err) == 0);
	CHECK_STR_EQ(a.subject.common_name, "h\xc3\xa9llo.example.org");
	CHECK(a.subject.n_domain_components == 2);
	if (a.subject.n_domain_components == 2) {
		CHECK_STR_EQ(a.subject.domain_components[0], "org");
		CHECK_STR_EQ(a.subject.domain_components[1], "example");
	}
	CHECK_STR_EQ(a.subject.country, "DE");
	CHECK_STR_EQ(a.subject.organizational_unit, "One");
	CHECK(a.subject.n_custom == 2);
	if (a.subject.n_custom == 2) {
		CHECK_STR_EQ(a.subject.custom[0].oid, "2.5.4.11");
		CHECK_STR_EQ(a.subject.custom[0].value, "Two");
		CHECK_STR_EQ(a.subject.custom[1].oid, "2.5.4.97");
		CHECK_STR_EQ(a.subject.custom[1].value, "VATDE-1");
	}
	CHECK_STR_EQ(a.issuer.common_name, a.subject.common_name); /* self-signed */
	CHECK(a.n_sans == 7);
	if (a.n_sans == 7) {
		CHECK(a.sans[0].kind == X509_GN_DNS);
		CHECK_STR_EQ(a.sans[1].value, "2001:db8::1");
		CHECK_STR_EQ(a.sans[2].value, "192.0.2.1");
		CHECK(a.sans[3].kind == X509_GN_REGISTERED_ID);
		CHECK_STR_EQ(a.sans[3].value, "1.2.3.4");
		CHECK(a.sans[4].kind == X509_GN_RFC822);
		CHECK(a.sans[5].kind == X509_GN_URI);
		CHECK(a.sans[6].kind == X509_GN_OTHER_NAME);
		CHECK_STR_EQ(a.sans[6].oid, "1.3.6.1.4.1.311.20.2.3");
		CHECK_STR_EQ(a.sans[6].value, "user@example.org");
	}
	x509_attrs_clear(&a);
	CHECK(x509_attrs_from_der(der, len - 1, &a, &err) < 0);
	CHECK(err.code == CM_ERR_MALFORMED_CERTIFICATE);
	free(der);
	X509_free(cert);
	EVP_PKEY_free(key);
}

TEST(x509_dn_subject_cn_cut)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509 *cert = dn_cert(key);
	char buf[8];
	x509_subject_cn(cert, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "h\xc3\xa9llo."); /* 7 bytes fit */
	x509_subject_cn(cert, buf, 3);
	CHECK_STR_EQ(buf, "h"); /* never half of the 2-byte e-acute */
	struct fx_cert_spec none = {.key = key, .subject = "O=No CN"};
	X509 *no_cn = fx_cert(&none);
	x509_subject_cn(no_cn, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "");
	X509_free(no_cn);
	X509_free(cert);
	EVP_PKEY_free(key);
}
