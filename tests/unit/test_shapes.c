/* api/pca/shapes.c: model constraints (ValidationException), union and
 * exclusivity rules (InvalidArgsException), JSON types (SerializationException),
 * and that decoded structs point into the JSON and free cleanly. */
#include <jansson.h>
#include <stdlib.h>

#include "api/pca/shapes.h"
#include "harness.h"

static json_t *js(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (j == NULL)
		fprintf(stderr, "  bad test JSON: %s: %s\n", e.text, text);
	return j;
}

static enum cm_code subject_code(const char *text)
{
	json_t *j = js(text);
	struct x509_subject s;
	struct cm_err err = {0};
	int rc = pca_shape_subject_decode(j, "Subject", &s, &err);
	if (rc == 0)
		pca_shape_subject_free(&s);
	json_decref(j);
	return rc == 0 ? CM_OK : err.code;
}

static enum cm_code gn_code(const char *text)
{
	json_t *j = js(text);
	struct x509_general_name gn;
	struct cm_err err = {0};
	int rc = pca_shape_general_name_decode(j, "Name", &gn, &err);
	if (rc == 0)
		pca_shape_general_name_free(&gn);
	json_decref(j);
	return rc == 0 ? CM_OK : err.code;
}

static enum cm_code passthrough_code(const char *text, char *msg, size_t size)
{
	json_t *j = js(text);
	struct x509_passthrough p;
	struct cm_err err = {0};
	int rc = pca_shape_passthrough_decode(j, "ApiPassthrough", &p, &err);
	if (rc == 0)
		pca_shape_passthrough_free(&p);
	if (msg != NULL)
		snprintf(msg, size, "%s", err.msg);
	json_decref(j);
	return rc == 0 ? CM_OK : err.code;
}

TEST(shapes_subject)
{
	json_t *j = js("{\"Country\":\"US\",\"Organization\":\"Example\",\"CommonName\":\"ca\","
		       "\"DistinguishedNameQualifier\":\"a-b.c:d/e=f?(g)+'h' 1\","
		       "\"SerialNumber\":\"42\",\"GenerationQualifier\":\"III\",\"Unknown\":1}");
	struct x509_subject s;
	struct cm_err err = {0};
	CHECK(pca_shape_subject_decode(j, "Subject", &s, &err) == 0);
	CHECK_STR_EQ(s.country, "US");
	CHECK_STR_EQ(s.organization, "Example");
	CHECK_STR_EQ(s.common_name, "ca");
	CHECK_STR_EQ(s.serial_number, "42");
	CHECK_STR_EQ(s.generation_qualifier, "III");
	CHECK(s.state == NULL && s.n_custom == 0);
	/* Borrowed: the very bytes of the JSON string. */
	CHECK(s.common_name == json_string_value(json_object_get(j, "CommonName")));
	pca_shape_subject_free(&s);
	json_decref(j);

	j = js("{\"CustomAttributes\":[{\"ObjectIdentifier\":\"1.3.6.1.4.1.5\",\"Value\":\"v\"},"
	       "{\"ObjectIdentifier\":\"2.5.4.3\",\"Value\":\"cn\"}]}");
	CHECK(pca_shape_subject_decode(j, "Subject", &s, &err) == 0);
	CHECK(s.n_custom == 2 && strcmp(s.custom[1].oid, "2.5.4.3") == 0 &&
	      strcmp(s.custom[1].value, "cn") == 0);
	pca_shape_subject_free(&s);
	json_decref(j);

	CHECK(subject_code("{}") == CM_OK);
	CHECK(subject_code("{\"Country\":\"USA\"}") == CM_ERR_VALIDATION);
	CHECK(subject_code("{\"Country\":\"U1\"}") == CM_ERR_VALIDATION);
	CHECK(subject_code("{\"DistinguishedNameQualifier\":\"a*b\"}") == CM_ERR_VALIDATION);
	CHECK(subject_code("{\"SerialNumber\":\"a_b\"}") == CM_ERR_VALIDATION);
	CHECK(subject_code("{\"CommonName\":\"0123456789012345678901234567890123456789"
			   "0123456789012345678901234\"}") == CM_ERR_VALIDATION);
	CHECK(subject_code("{\"Initials\":\"ABCDEF\"}") == CM_ERR_VALIDATION);
	CHECK(subject_code("{\"CommonName\":7}") == CM_ERR_SERIALIZATION);
	CHECK(subject_code("[]") == CM_ERR_SERIALIZATION);
	CHECK(subject_code("{\"CustomAttributes\":[]}") == CM_ERR_VALIDATION);
	CHECK(subject_code(
		  "{\"CustomAttributes\":[{\"ObjectIdentifier\":\"CN\",\"Value\":\"v\"}]}") ==
	      CM_ERR_VALIDATION);
	CHECK(subject_code(
		  "{\"CustomAttributes\":[{\"ObjectIdentifier\":\"1.2.3\",\"Value\":\"\"}]}") ==
	      CM_ERR_VALIDATION);
	CHECK(subject_code("{\"CustomAttributes\":[{\"ObjectIdentifier\":\"1.2.3\"}]}") ==
	      CM_ERR_VALIDATION);
	CHECK(subject_code("{\"CustomAttributes\":[7]}") == CM_ERR_SERIALIZATION);
	CHECK(subject_code("{\"CommonName\":\"x\",\"CustomAttributes\":"
			   "[{\"ObjectIdentifier\":\"1.2.3\",\"Value\":\"v\"}]}") ==
	      CM_ERR_INVALID_ARGS);
}

TEST(shapes_general_name)
{
	json_t *j = js("{\"DirectoryName\":{\"CommonName\":\"dir\",\"Country\":\"FR\"}}");
	struct x509_general_name gn;
	struct cm_err err = {0};
	CHECK(pca_shape_general_name_decode(j, "Name", &gn, &err) == 0);
	CHECK(gn.kind == X509_GN_DIRECTORY);
	CHECK_STR_EQ(gn.directory.common_name, "dir");
	pca_shape_general_name_free(&gn);
	json_decref(j);
	j = js("{\"OtherName\":{\"TypeId\":\"1.3.6.1.4.1.311.20.2.3\",\"Value\":\"upn\"}}");
	CHECK(pca_shape_general_name_decode(j, "Name", &gn, &err) == 0);
	CHECK(gn.kind == X509_GN_OTHER_NAME && strcmp(gn.type_id, "1.3.6.1.4.1.311.20.2.3") == 0 &&
	      strcmp(gn.value, "upn") == 0);
	pca_shape_general_name_free(&gn);
	json_decref(j);
	j = js("{\"EdiPartyName\":{\"PartyName\":\"p\",\"NameAssigner\":\"n\"}}");
	CHECK(pca_shape_general_name_decode(j, "Name", &gn, &err) == 0);
	CHECK(gn.kind == X509_GN_EDI_PARTY && strcmp(gn.name_assigner, "n") == 0);
	pca_shape_general_name_free(&gn);
	json_decref(j);

	CHECK(gn_code("{\"DnsName\":\"a.example\"}") == CM_OK);
	CHECK(gn_code("{\"Rfc822Name\":\"a@example\"}") == CM_OK);
	CHECK(gn_code("{\"UniformResourceIdentifier\":\"https://x\"}") == CM_OK);
	CHECK(gn_code("{\"IpAddress\":\"10.0.0.1\"}") == CM_OK);
	CHECK(gn_code("{\"IpAddress\":\"fe80::1\"}") == CM_OK);
	CHECK(gn_code("{\"RegisteredId\":\"1.2.3.4\"}") == CM_OK);
	/* The union: exactly one member. */
	CHECK(gn_code("{}") == CM_ERR_INVALID_ARGS);
	CHECK(gn_code("{\"DnsName\":\"a\",\"IpAddress\":\"10.0.0.1\"}") == CM_ERR_INVALID_ARGS);
	CHECK(gn_code("{\"DnsName\":null}") == CM_ERR_INVALID_ARGS);
	/* Semantics and model. */
	CHECK(gn_code("{\"IpAddress\":\"10.0.0.256\"}") == CM_ERR_INVALID_ARGS);
	CHECK(gn_code("{\"IpAddress\":\"0123:4567:89ab:cdef:0123:4567:89ab:cdef:1\"}") ==
	      CM_ERR_VALIDATION);
	CHECK(gn_code("{\"RegisteredId\":\"3.1\"}") == CM_ERR_VALIDATION);
	CHECK(gn_code("{\"OtherName\":{\"Value\":\"v\"}}") == CM_ERR_VALIDATION);
	CHECK(gn_code("{\"EdiPartyName\":{\"NameAssigner\":\"n\"}}") == CM_ERR_VALIDATION);
	CHECK(gn_code("{\"DirectoryName\":{\"Country\":\"XYZ\"}}") == CM_ERR_VALIDATION);
	CHECK(gn_code("{\"DnsName\":5}") == CM_ERR_SERIALIZATION);
	CHECK(gn_code("{\"OtherName\":\"x\"}") == CM_ERR_SERIALIZATION);
}

TEST(shapes_csr_extensions)
{
	json_t *j =
	    js("{\"KeyUsage\":{\"KeyCertSign\":true,\"CRLSign\":true,\"DigitalSignature\":false},"
	       "\"SubjectInformationAccess\":["
	       "{\"AccessMethod\":{\"AccessMethodType\":\"CA_REPOSITORY\"},"
	       " \"AccessLocation\":{\"UniformResourceIdentifier\":\"rsync://r/\"}},"
	       "{\"AccessMethod\":{\"CustomObjectIdentifier\":\"1.2.3.4\"},"
	       " \"AccessLocation\":{\"DirectoryName\":{\"CommonName\":\"d\"}}}]}");
	struct x509_csr_extensions ext;
	struct cm_err err = {0};
	CHECK(pca_shape_csr_extensions_decode(j, "CsrExtensions", &ext, &err) == 0);
	CHECK(ext.has_key_usage && ext.key_usage == (X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN));
	CHECK(ext.n_sia == 2);
	if (ext.n_sia == 2) {
		CHECK_STR_EQ(ext.sia[0].method_oid, "1.3.6.1.5.5.7.48.5");
		CHECK(ext.sia[0].location.kind == X509_GN_URI);
		CHECK_STR_EQ(ext.sia[1].method_oid, "1.2.3.4");
		CHECK(ext.sia[1].location.kind == X509_GN_DIRECTORY);
	}
	pca_shape_csr_extensions_free(&ext);
	json_decref(j);
	static const struct {
		const char *text;
		enum cm_code code;
	} cases[] = {
	    {"{}", CM_OK},
	    {"{\"KeyUsage\":{}}", CM_OK},
	    {"{\"KeyUsage\":{\"CRLSign\":\"yes\"}}", CM_ERR_SERIALIZATION},
	    {"{\"SubjectInformationAccess\":[{\"AccessMethod\":{\"AccessMethodType\":"
	     "\"CA_REPOSITORY\",\"CustomObjectIdentifier\":\"1.2\"},\"AccessLocation\":"
	     "{\"DnsName\":\"x\"}}]}",
	     CM_ERR_INVALID_ARGS},
	    {"{\"SubjectInformationAccess\":[{\"AccessMethod\":{},\"AccessLocation\":"
	     "{\"DnsName\":\"x\"}}]}",
	     CM_ERR_INVALID_ARGS},
	    {"{\"SubjectInformationAccess\":[{\"AccessMethod\":{\"AccessMethodType\":\"OCSP\"},"
	     "\"AccessLocation\":{\"DnsName\":\"x\"}}]}",
	     CM_ERR_VALIDATION},
	    {"{\"SubjectInformationAccess\":[{\"AccessMethod\":{\"AccessMethodType\":"
	     "\"CA_REPOSITORY\"}}]}",
	     CM_ERR_VALIDATION},
	    {"{\"SubjectInformationAccess\":[{\"AccessMethod\":{\"AccessMethodType\":"
	     "\"CA_REPOSITORY\"},\"AccessLocation\":{\"DnsName\":\"x\",\"IpAddress\":\"::1\"}}]}",
	     CM_ERR_INVALID_ARGS},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cm_err_clear(&err);
		j = js(cases[i].text);
		int rc = pca_shape_csr_extensions_decode(j, "CsrExtensions", &ext, &err);
		CHECK(cases[i].code == CM_OK ? rc == 0 : rc < 0 && err.code == cases[i].code);
		/* A failed decode leaves nothing to free, and free is safe anyway. */
		pca_shape_csr_extensions_free(&ext);
		json_decref(j);
	}
}

TEST(shapes_passthrough)
{
	json_t *j = js(
	    "{\"Subject\":{\"CommonName\":\"api\"},"
	    "\"Extensions\":{"
	    " \"CertificatePolicies\":[{\"CertPolicyId\":\"2.23.140.1.2.1\",\"PolicyQualifiers\":"
	    "   [{\"PolicyQualifierId\":\"CPS\",\"Qualifier\":{\"CpsUri\":\"https://cps/\"}}]},"
	    "   {\"CertPolicyId\":\"2.5.29.32.0\"}],"
	    " \"ExtendedKeyUsage\":[{\"ExtendedKeyUsageType\":\"SMART_CARD_LOGIN\"},"
	    "   {\"ExtendedKeyUsageObjectIdentifier\":\"1.2.3.4.5\"},"
	    "   {\"ExtendedKeyUsageType\":\"CERTIFICATE_TRANSPARENCY\"}],"
	    " \"KeyUsage\":{\"DigitalSignature\":true,\"DecipherOnly\":true},"
	    " \"SubjectAlternativeNames\":[{\"DnsName\":\"a.example\"},{\"IpAddress\":\"::1\"}],"
	    " \"CustomExtensions\":[{\"ObjectIdentifier\":\"1.3.6.1.4.1.99999.1\","
	    "   \"Value\":\"DANhcGk=\",\"Critical\":true}]}}");
	struct x509_passthrough p;
	struct cm_err err = {0};
	CHECK(pca_shape_passthrough_decode(j, "ApiPassthrough", &p, &err) == 0);
	CHECK(p.has_subject && strcmp(p.subject.common_name, "api") == 0);
	CHECK(p.n_policies == 2 && p.policies[0].n_cps == 1 &&
	      strcmp(p.policies[0].cps_uris[0], "https://cps/") == 0 && p.policies[1].n_cps == 0);
	CHECK(p.n_eku == 3);
	if (p.n_eku == 3) {
		CHECK_STR_EQ(p.eku[0], "1.3.6.1.4.1.311.20.2.2");
		CHECK_STR_EQ(p.eku[1], "1.2.3.4.5");
		CHECK_STR_EQ(p.eku[2], "1.3.6.1.4.1.11129.2.4.4");
	}
	CHECK(p.has_key_usage &&
	      p.key_usage == (X509_KU_DIGITAL_SIGNATURE | X509_KU_DECIPHER_ONLY));
	CHECK(p.n_san == 2 && p.san[1].kind == X509_GN_IP);
	CHECK(p.n_custom == 1 && p.custom[0].critical && p.custom[0].value_len == 5 &&
	      memcmp(p.custom[0].value,
		     "\x0c\x03"
		     "api",
		     5) == 0);
	pca_shape_passthrough_free(&p);
	json_decref(j);
	char msg[512];
	CHECK(passthrough_code("{}", NULL, 0) == CM_OK);
	CHECK(passthrough_code("{\"Extensions\":{}}", NULL, 0) == CM_OK);
	CHECK(passthrough_code("{\"Extensions\":{\"ExtendedKeyUsage\":[{}]}}", NULL, 0) ==
	      CM_ERR_INVALID_ARGS);
	CHECK(passthrough_code("{\"Extensions\":{\"ExtendedKeyUsage\":[{\"ExtendedKeyUsageType\":"
			       "\"SERVER_AUTH\",\"ExtendedKeyUsageObjectIdentifier\":\"1.2\"}]}}",
			       NULL, 0) == CM_ERR_INVALID_ARGS);
	CHECK(passthrough_code("{\"Extensions\":{\"ExtendedKeyUsage\":[{\"ExtendedKeyUsageType\":"
			       "\"ANY\"}]}}",
			       msg, sizeof(msg)) == CM_ERR_VALIDATION);
	CHECK(strstr(msg, "ApiPassthrough.Extensions.ExtendedKeyUsage.1.ExtendedKeyUsageType") !=
	      NULL);
	CHECK(passthrough_code("{\"Extensions\":{\"ExtendedKeyUsage\":[]}}", NULL, 0) ==
	      CM_ERR_VALIDATION);
	CHECK(passthrough_code("{\"Extensions\":{\"SubjectAlternativeNames\":[{\"DnsName\":\"a\","
			       "\"Rfc822Name\":\"b\"}]}}",
			       NULL, 0) == CM_ERR_INVALID_ARGS);
	CHECK(passthrough_code("{\"Extensions\":{\"CustomExtensions\":[{\"ObjectIdentifier\":"
			       "\"1.2.3\",\"Value\":\"not base64!\"}]}}",
			       NULL, 0) == CM_ERR_VALIDATION);
	CHECK(passthrough_code("{\"Extensions\":{\"CustomExtensions\":[{\"ObjectIdentifier\":"
			       "\"1.2.3\",\"Value\":\"BQA=\"},{\"ObjectIdentifier\":\"1.2.3\","
			       "\"Value\":\"BQA=\"}]}}",
			       NULL, 0) == CM_ERR_INVALID_ARGS);
	CHECK(passthrough_code("{\"Extensions\":{\"CustomExtensions\":[{\"ObjectIdentifier\":"
			       "\"1.2.3\"}]}}",
			       NULL, 0) == CM_ERR_VALIDATION);
	CHECK(passthrough_code("{\"Extensions\":{\"CertificatePolicies\":[{\"CertPolicyId\":"
			       "\"1.2\",\"PolicyQualifiers\":[{\"PolicyQualifierId\":\"UNOTICE\","
			       "\"Qualifier\":{\"CpsUri\":\"x\"}}]}]}}",
			       NULL, 0) == CM_ERR_VALIDATION);
	CHECK(passthrough_code("{\"Extensions\":{\"CertificatePolicies\":[{\"CertPolicyId\":"
			       "\"1.2\",\"PolicyQualifiers\":[{\"PolicyQualifierId\":\"CPS\"}]}]}}",
			       NULL, 0) == CM_ERR_VALIDATION);
	CHECK(passthrough_code("{\"Subject\":{\"Country\":\"usa\"}}", NULL, 0) ==
	      CM_ERR_VALIDATION);
	CHECK(passthrough_code("{\"Extensions\":[]}", NULL, 0) == CM_ERR_SERIALIZATION);
	/* 21 EKUs is over the model's 20. */
	json_t *many = json_pack("{s:{s:[]}}", "Extensions", "ExtendedKeyUsage");
	json_t *arr = json_object_get(json_object_get(many, "Extensions"), "ExtendedKeyUsage");
	for (int i = 0; i < 21; i++)
		json_array_append_new(arr,
				      json_pack("{s:s}", "ExtendedKeyUsageType", "SERVER_AUTH"));
	char *text = json_dumps(many, 0);
	CHECK(passthrough_code(text, NULL, 0) == CM_ERR_VALIDATION);
	free(text);
	json_decref(many);
}
