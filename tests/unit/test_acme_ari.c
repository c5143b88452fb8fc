/* ACME Renewal Information (RFC 9773): the certificate ID of the RFC's own
 * example (Appendix A: AKI keyIdentifier 69:88:5B:..., serial 0x87654321),
 * RFC 3339 times and renewalInfo bodies. */
#include <openssl/ec.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "acme/acme.h"
#include "harness.h"
#include "util/hex.h"
#include "x509/ari.h"
#include "x509/pem.h"

/* A throwaway certificate with the given AKI keyIdentifier and serial. */
static char *ari_cert(const char *kid_hex, unsigned long serial)
{
	unsigned char kid[32];
	long klen = kid_hex != NULL ? hex_decode(kid_hex, strlen(kid_hex), kid, sizeof(kid)) : 0;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	char *pem = NULL;
	X509_NAME *n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"ari", -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	if (klen > 0) {
		akid->keyid = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(akid->keyid, kid, (int)klen);
		X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, 0);
	}
	if (X509_sign(x, k, EVP_sha256()) > 0)
		pem = x509_cert_to_pem(x);
	AUTHORITY_KEYID_free(akid);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
	return pem;
}

TEST(acme_ari_cert_id_rfc9773_example)
{
	struct cm_err err = {0};
	char *pem = ari_cert("69885b6b87464041e1b37b847ba0ae2cde01c8d4", 0x87654321UL);
	CHECK(pem != NULL);
	char *id = pem != NULL ? x509_ari_cert_id((unsigned char *)pem, strlen(pem), &err) : NULL;
	CHECK_STR_EQ(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	free(id);
	free(pem);
	/* No AKI: no ID. */
	pem = ari_cert(NULL, 5);
	id = pem != NULL ? x509_ari_cert_id((unsigned char *)pem, strlen(pem), &err) : NULL;
	CHECK(id == NULL && err.code == CM_ERR_MALFORMED_CERTIFICATE);
	free(pem);
	CHECK(x509_ari_cert_id((const unsigned char *)"junk", 4, &err) == NULL);
}

TEST(acme_ari_rfc3339)
{
	long long t = 0;
	CHECK(acme_rfc3339_parse("1970-01-01T00:00:00Z", &t) == 0 && t == 0);
	CHECK(acme_rfc3339_parse("2025-01-02T04:00:00Z", &t) == 0 && t == 1735790400LL);
	CHECK(acme_rfc3339_parse("2025-01-02T04:00:00.123456Z", &t) == 0 && t == 1735790400LL);
	CHECK(acme_rfc3339_parse("2025-01-02T05:30:00+01:30", &t) == 0 && t == 1735790400LL);
	CHECK(acme_rfc3339_parse("2025-01-02T02:00:00-02:00", &t) == 0 && t == 1735790400LL);
	const char *bad[] = {"",
			     "2025-01-02",
			     "2025-01-02T04:00:00",
			     "2025-13-02T04:00:00Z",
			     "2025-01-02T04:00:00Zjunk",
			     "2025-01-02T04:00:00.Z",
			     "2025-01-02 04:00:00Z",
			     "2025-01-02T04:00:00+0100"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(acme_rfc3339_parse(bad[i], &t) < 0);
	CHECK(acme_rfc3339_parse(NULL, &t) < 0);
}

TEST(acme_ari_renewal_info_parse)
{
	struct acme_renewal_info ri;
	struct cm_err err;
	const char *ok = "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\",\"end\":"
			 "\"2025-01-03T04:00:00Z\"},\"explanationURL\":\"https://ca/why\"}";
	CHECK(acme_renewal_info_parse(ok, strlen(ok), &ri, &err) == 0);
	CHECK(ri.start == 1735790400LL && ri.end == 1735790400LL + 86400);
	CHECK_STR_EQ(ri.explanation_url, "https://ca/why");
	acme_renewal_info_clear(&ri);
	const char *bad[] = {
	    "{}",
	    "[]",
	    "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\"}}",
	    "{\"suggestedWindow\":{\"start\":\"2025-01-03T04:00:00Z\",\"end\":"
	    "\"2025-01-02T04:00:00Z\"}}",
	    "{\"suggestedWindow\":{\"start\":1,\"end\":2}}",
	    "{\"suggestedWindow\":{\"start\":\"2025-01-02T04:00:00Z\",\"end\":"
	    "\"2025-01-03T04:00:00Z\"},\"explanationURL\":5}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(acme_renewal_info_parse(bad[i], strlen(bad[i]), &ri, &err) < 0);
		acme_renewal_info_clear(&ri);
	}
}
