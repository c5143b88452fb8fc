/* x509_name_build (attribute order and string types of spec pca.md §4),
 * x509_name_to_string, and x509_general_name_build for every kind. */
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "harness.h"
#include "x509/name.h"

TEST(x509_name_order_and_types)
{
	struct x509_subject s = {
	    .country = "US",
	    .organization = "O",
	    .organizational_unit = "OU",
	    .dn_qualifier = "dnq",
	    .state = "WA",
	    .common_name = "Ünïcode CN",
	    .serial_number = "SN-1",
	    .locality = "Seattle",
	    .title = "T",
	    .surname = "S",
	    .given_name = "G",
	    .initials = "I",
	    .pseudonym = "P",
	    .generation_qualifier = "III",
	};
	static const struct {
		int nid;
		int type;
	} want[] = {
	    {NID_countryName, V_ASN1_PRINTABLESTRING},
	    {NID_organizationName, V_ASN1_UTF8STRING},
	    {NID_organizationalUnitName, V_ASN1_UTF8STRING},
	    {NID_dnQualifier, V_ASN1_PRINTABLESTRING},
	    {NID_stateOrProvinceName, V_ASN1_UTF8STRING},
	    {NID_commonName, V_ASN1_UTF8STRING},
	    {NID_serialNumber, V_ASN1_PRINTABLESTRING},
	    {NID_localityName, V_ASN1_UTF8STRING},
	    {NID_title, V_ASN1_UTF8STRING},
	    {NID_surname, V_ASN1_UTF8STRING},
	    {NID_givenName, V_ASN1_UTF8STRING},
	    {NID_initials, V_ASN1_UTF8STRING},
	    {NID_pseudonym, V_ASN1_UTF8STRING},
	    {NID_generationQualifier, V_ASN1_UTF8STRING},
	};
	struct cm_err err = {0};
	X509_NAME *name = x509_name_build(&s, false, &err);
	CHECK(name != NULL && X509_NAME_entry_count(name) == 14);
	for (int i = 0; name != NULL && i < 14; i++) {
		X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		CHECK(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == want[i].nid);
		CHECK(ASN1_STRING_type(X509_NAME_ENTRY_get_data(e)) == want[i].type);
	}
	char *text = x509_name_to_string(name);
	CHECK(text != NULL && strncmp(text, "generationQualifier=III,", 24) == 0);
	CHECK(text != NULL && strstr(text, "CN=Ünïcode CN,") != NULL);
	CHECK(text != NULL && strcmp(text + strlen(text) - 5, ",C=US") == 0);
	free(text);
	X509_NAME_free(name);
}

TEST(x509_name_custom_attributes_and_errors)
{
	struct x509_custom_attr attrs[2] = {{"1.3.6.1.4.1.99999.7", "x"}, {"2.5.4.3", "cn"}};
	struct x509_subject custom = {.custom = attrs, .n_custom = 2};
	struct cm_err err = {0};
	X509_NAME *name = x509_name_build(&custom, false, &err);
	char *text = x509_name_to_string(name);
	/* Unknown OIDs print as OID=#hexDER (RFC 2253 §2.4). */
	CHECK_STR_EQ(text, "CN=cn,1.3.6.1.4.1.99999.7=#0C0178");
	free(text);
	X509_NAME_free(name);
	struct x509_subject mixed = {.common_name = "a", .custom = attrs, .n_custom = 1};
	struct x509_subject empty = {.common_name = ""};
	struct x509_subject bad_country = {.country = "U*"};
	struct x509_custom_attr bad_oid = {"CN", "x"};
	struct x509_subject bad_custom = {.custom = &bad_oid, .n_custom = 1};
	struct x509_subject too_long = {.country = "USA"};
	const struct x509_subject *bads[] = {&mixed, &empty, &bad_country, &bad_custom, &too_long};
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		cm_err_clear(&err);
		CHECK(x509_name_build(bads[i], false, &err) == NULL);
		CHECK(err.code == CM_ERR_INVALID_ARGS);
	}
	/* Empty is fine where the caller allows it (end-entity subjects with a SAN). */
	name = x509_name_build(&empty, true, &err);
	CHECK(name != NULL && X509_NAME_entry_count(name) == 0);
	X509_NAME_free(name);
}

TEST(x509_name_general_names)
{
	struct x509_general_name ok[] = {
	    {.kind = X509_GN_DNS, .value = "www.example.com"},
	    {.kind = X509_GN_RFC822, .value = "a@example.com"},
	    {.kind = X509_GN_URI, .value = "https://example.com/x"},
	    {.kind = X509_GN_IP, .value = "192.0.2.1"},
	    {.kind = X509_GN_IP, .value = "2001:db8::1"},
	    {.kind = X509_GN_REGISTERED_ID, .value = "1.2.3.4"},
	    {.kind = X509_GN_OTHER_NAME, .type_id = "1.3.6.1.4.1.311.20.2.3", .value = "upn@x"},
	    {.kind = X509_GN_EDI_PARTY, .value = "party", .name_assigner = "assigner"},
	    {.kind = X509_GN_DIRECTORY, .directory = {.common_name = "dir"}},
	};
	static const int types[] = {GEN_DNS, GEN_EMAIL,	    GEN_URI,	  GEN_IPADD,  GEN_IPADD,
				    GEN_RID, GEN_OTHERNAME, GEN_EDIPARTY, GEN_DIRNAME};
	struct cm_err err = {0};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		GENERAL_NAME *gn = x509_general_name_build(&ok[i], &err);
		CHECK(gn != NULL && gn->type == types[i]);
		if (gn != NULL && gn->type == GEN_IPADD)
			CHECK(ASN1_STRING_length(gn->d.iPAddress) == (i == 3 ? 4 : 16));
		unsigned char *der = NULL;
		CHECK(gn != NULL && i2d_GENERAL_NAME(gn, &der) > 0);
		OPENSSL_free(der);
		GENERAL_NAME_free(gn);
	}
	struct x509_general_name bad[] = {
	    {.kind = X509_GN_IP, .value = "256.0.0.1"},
	    {.kind = X509_GN_IP, .value = "example.com"},
	    {.kind = X509_GN_IP, .value = "2001:db8::1::2"},
	    {.kind = X509_GN_REGISTERED_ID, .value = "CN"},
	    {.kind = X509_GN_OTHER_NAME, .type_id = "nope", .value = "v"},
	    {.kind = X509_GN_DNS, .value = "bücher.example"},
	    {.kind = X509_GN_DNS, .value = ""},
	    {.kind = X509_GN_DIRECTORY},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cm_err_clear(&err);
		GENERAL_NAME *gn = x509_general_name_build(&bad[i], &err);
		CHECK(gn == NULL && err.code == CM_ERR_INVALID_ARGS);
		GENERAL_NAME_free(gn);
	}
}
