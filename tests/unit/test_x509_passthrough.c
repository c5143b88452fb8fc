/* Precedence template > ApiPassthrough > CSR (spec pca.md §6.6), blank
 * templates, CustomExtensions and the empty-subject rule. */
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/name.h"

#define KU_EE	      (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT)
#define SERVER_CLIENT "1.3.6.1.5.5.7.3.1,1.3.6.1.5.5.7.3.2"

/* A small CA and a client key; freed by pt_fixture_free. */
struct pt_fixture {
	EVP_PKEY *ca_key, *leaf_key;
	X509 *ca;
};

static void pt_fixture_init(struct pt_fixture *f)
{
	f->ca_key = fx_key(X509_KEY_EC_P256);
	f->leaf_key = fx_key(X509_KEY_EC_P256);
	f->ca = fx_root(f->ca_key, "Passthrough CA");
}

static void pt_fixture_free(struct pt_fixture *f)
{
	X509_free(f->ca);
	EVP_PKEY_free(f->leaf_key);
	EVP_PKEY_free(f->ca_key);
}

/* The SAN of cert as "DNS:a,IP:..." text. */
static const char *san_text(const X509 *cert, char *buf, size_t size)
{
	GENERAL_NAMES *gns = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; gns != NULL && i < sk_GENERAL_NAME_num(gns); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(gns, i);
		int type = 0;
		ASN1_STRING *s = GENERAL_NAME_get0_value(gn, &type);
		const char *tag = type == GEN_DNS ? "DNS" : type == GEN_EMAIL ? "EMAIL" : "OTHER";
		used +=
		    (size_t)snprintf(buf + used, size - used, "%s%s:%.*s", i ? "," : "", tag,
				     ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
	}
	GENERAL_NAMES_free(gns);
	return buf;
}

/* The DER value of the extension with dotted OID oid, as a UTF8String's text. */
static bool ext_utf8_is(const X509 *cert, const char *oid, const char *want)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int i = X509_get_ext_by_OBJ(cert, obj, -1);
	ASN1_OBJECT_free(obj);
	if (i < 0)
		return false;
	ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(cert, i));
	const unsigned char *p = ASN1_STRING_get0_data(v);
	ASN1_UTF8STRING *s = d2i_ASN1_UTF8STRING(NULL, &p, ASN1_STRING_length(v));
	bool ok = s != NULL && (size_t)ASN1_STRING_length(s) == strlen(want) &&
		  memcmp(ASN1_STRING_get0_data(s), want, strlen(want)) == 0;
	ASN1_UTF8STRING_free(s);
	return ok;
}

static int has_oid(const X509 *cert, const char *oid)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int i = X509_get_ext_by_OBJ(cert, obj, -1);
	ASN1_OBJECT_free(obj);
	return i < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(cert, i));
}

/* DER of UTF8String "api" (0C 03 61 70 69). */
static unsigned char der_api[] = {0x0c, 0x03, 'a', 'p', 'i'};

TEST(x509_passthrough_api_precedence)
{
	struct pt_fixture f;
	pt_fixture_init(&f);
	X509_REQ *csr = fx_csr(f.leaf_key, "csr.example", "csr.example", NULL);
	struct x509_general_name san[2] = {
	    {.kind = X509_GN_DNS, .value = "api.example"},
	    {.kind = X509_GN_RFC822, .value = "ops@api.example"},
	};
	const char *eku[] = {"1.3.6.1.5.5.7.3.4"};
	const char *cps[] = {"https://cps.example/"};
	struct x509_policy pol = {.policy_oid = "2.23.140.1.2.1", .cps_uris = cps, .n_cps = 1};
	struct x509_custom_ext custom = {.oid = "1.3.6.1.4.1.99999.1",
					 .value = der_api,
					 .value_len = sizeof(der_api),
					 .critical = true};
	struct x509_passthrough api = {
	    .has_subject = true,
	    .subject = {.common_name = "api-subject", .organization = "API Org"},
	    .has_key_usage = true,
	    .key_usage = X509_KU_KEY_AGREEMENT,
	    .eku = eku,
	    .n_eku = 1,
	    .san = san,
	    .n_san = 2,
	    .policies = &pol,
	    .n_policies = 1,
	    .custom = &custom,
	    .n_custom = 1,
	};
	struct cm_err err = {0};
	char buf[512];
	X509 *c = fx_issue(csr, FX_TMPL("EndEntityCertificate_APIPassthrough"), f.ca_key, f.ca,
			   &api, FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL);
	if (c != NULL) {
		char *subject = x509_name_to_string(X509_get_subject_name(c));
		CHECK_STR_EQ(subject, "CN=api-subject,O=API Org");
		free(subject);
		/* Template-defined KU and EKU win silently over the passthrough. */
		CHECK(fx_ku(c) == KU_EE);
		CHECK_STR_EQ(fx_eku(c, buf, sizeof(buf)), SERVER_CLIENT);
		/* Undefined by the template: SAN, policies, custom extension. */
		CHECK_STR_EQ(san_text(c, buf, sizeof(buf)),
			     "DNS:api.example,EMAIL:ops@api.example");
		CHECK(fx_ext_crit(c, NID_subject_alt_name) == 0);
		CHECK(fx_ext_crit(c, NID_certificate_policies) == 0);
		CERTIFICATEPOLICIES *pols =
		    X509_get_ext_d2i(c, NID_certificate_policies, NULL, NULL);
		POLICYINFO *pi = pols != NULL ? sk_POLICYINFO_value(pols, 0) : NULL;
		CHECK(pi != NULL && OBJ_obj2txt(buf, sizeof(buf), pi->policyid, 1) > 0 &&
		      strcmp(buf, "2.23.140.1.2.1") == 0);
		POLICYQUALINFO *q = pi != NULL ? sk_POLICYQUALINFO_value(pi->qualifiers, 0) : NULL;
		CHECK(q != NULL && OBJ_obj2nid(q->pqualid) == NID_id_qt_cps &&
		      strcmp((const char *)ASN1_STRING_get0_data(q->d.cpsuri), cps[0]) == 0);
		CERTIFICATEPOLICIES_free(pols);
		CHECK(has_oid(c, "1.3.6.1.4.1.99999.1") == 1);
		CHECK(ext_utf8_is(c, "1.3.6.1.4.1.99999.1", "api"));
		CHECK(fx_ext_count(c) == 8);
	}
	X509_free(c);
	/* A template without API passthrough ignores ApiPassthrough entirely. */
	c = fx_issue(csr, FX_TMPL("EndEntityCertificate"), f.ca_key, f.ca, &api, FX_NOW + FX_YEAR,
		     &err);
	CHECK(c != NULL);
	if (c != NULL) {
		char *subject = x509_name_to_string(X509_get_subject_name(c));
		CHECK_STR_EQ(subject, "CN=csr.example");
		free(subject);
		CHECK_STR_EQ(san_text(c, buf, sizeof(buf)), "DNS:csr.example");
		CHECK(fx_ext_crit(c, NID_certificate_policies) == -1);
		CHECK(has_oid(c, "1.3.6.1.4.1.99999.1") == -1);
		CHECK(fx_ext_count(c) == 6);
	}
	X509_free(c);
	X509_REQ_free(csr);
	pt_fixture_free(&f);
}

TEST(x509_passthrough_blank_templates)
{
	struct pt_fixture f;
	pt_fixture_init(&f);
	X509_REQ *csr = fx_csr(f.leaf_key, "blank", NULL, NULL);
	const char *eku[] = {"1.3.6.1.5.5.7.3.4", "1.2.3.4.5"};
	struct x509_passthrough api = {
	    .has_key_usage = true,
	    .key_usage = X509_KU_NON_REPUDIATION | X509_KU_DECIPHER_ONLY,
	    .eku = eku,
	    .n_eku = 2,
	};
	struct cm_err err = {0};
	char buf[256];
	X509 *c = fx_issue(csr, FX_TMPL("BlankEndEntityCertificate_APIPassthrough"), f.ca_key, f.ca,
			   &api, FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(fx_ku(c) == (X509_KU_NON_REPUDIATION | X509_KU_DECIPHER_ONLY));
		CHECK(fx_ext_crit(c, NID_key_usage) == 1);
		CHECK_STR_EQ(fx_eku(c, buf, sizeof(buf)), "1.3.6.1.5.5.7.3.4,1.2.3.4.5");
		CHECK(fx_ext_crit(c, NID_ext_key_usage) == 0);
		CHECK(fx_ext_crit(c, NID_basic_constraints) == 0);
		CHECK(fx_ext_count(c) == 5); /* BC, KU, EKU, SKI, AKI */
	}
	X509_free(c);
	/* Without passthrough values a blank certificate has no KU/EKU at all. */
	c = fx_issue(csr, FX_TMPL("BlankSubordinateCACertificate_PathLen2_APIPassthrough"),
		     f.ca_key, f.ca, NULL, FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(fx_ext_crit(c, NID_key_usage) == -1);
		CHECK(fx_ext_crit(c, NID_ext_key_usage) == -1);
		CHECK(fx_ext_crit(c, NID_basic_constraints) == 1);
		CHECK(x509_cert_pathlen(c) == 2);
		CHECK(fx_ext_count(c) == 3);
	}
	X509_free(c);
	/* An all-false KeyUsage is not a KeyUsage (RFC 5280 requires a bit). */
	api.key_usage = 0;
	c = fx_issue(csr, FX_TMPL("BlankEndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c == NULL && err.code == CM_ERR_INVALID_ARGS);
	X509_REQ_free(csr);
	pt_fixture_free(&f);
}

TEST(x509_passthrough_csr_extensions)
{
	struct pt_fixture f;
	pt_fixture_init(&f);
	STACK_OF(X509_EXTENSION) *extra = sk_X509_EXTENSION_new_null();
	sk_X509_EXTENSION_push(extra, fx_utf8_ext("1.3.6.1.4.1.99999.2", "from-csr", false));
	sk_X509_EXTENSION_push(extra, fx_utf8_ext("1.3.6.1.4.1.99999.1", "csr-loses", false));
	sk_X509_EXTENSION_push(
	    extra, X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,keyAgreement"));
	sk_X509_EXTENSION_push(
	    extra, X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE"));
	X509_REQ *csr = fx_csr(f.leaf_key, "csr", "csr.example", extra);
	struct x509_custom_ext custom = {
	    .oid = "1.3.6.1.4.1.99999.1", .value = der_api, .value_len = sizeof(der_api)};
	struct x509_passthrough api = {.custom = &custom, .n_custom = 1};
	struct cm_err err = {0};
	X509 *c = fx_issue(csr, FX_TMPL("EndEntityCertificate_CSRPassthrough"), f.ca_key, f.ca,
			   NULL, FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL);
	if (c != NULL) {
		/* Copied: what the template does not define. Not copied: KU, BC. */
		CHECK(ext_utf8_is(c, "1.3.6.1.4.1.99999.2", "from-csr"));
		CHECK(ext_utf8_is(c, "1.3.6.1.4.1.99999.1", "csr-loses"));
		CHECK(fx_ku(c) == KU_EE);
		CHECK((X509_get_extension_flags(c) & EXFLAG_CA) == 0);
		CHECK(fx_ext_count(c) == 8);
	}
	X509_free(c);
	/* Base template: the CSR gives its SAN only. */
	c = fx_issue(csr, FX_TMPL("EndEntityCertificate"), f.ca_key, f.ca, NULL, FX_NOW + FX_YEAR,
		     &err);
	CHECK(c != NULL && has_oid(c, "1.3.6.1.4.1.99999.2") == -1 && fx_ext_count(c) == 6);
	X509_free(c);
	/* Both: the API's custom extension beats the CSR's same extension. */
	c = fx_issue(csr, FX_TMPL("EndEntityCertificate_APICSRPassthrough"), f.ca_key, f.ca, &api,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(ext_utf8_is(c, "1.3.6.1.4.1.99999.1", "api"));
		CHECK(ext_utf8_is(c, "1.3.6.1.4.1.99999.2", "from-csr"));
		CHECK(fx_ext_count(c) == 8);
	}
	X509_free(c);
	X509_REQ_free(csr);
	sk_X509_EXTENSION_pop_free(extra, X509_EXTENSION_free);
	pt_fixture_free(&f);
}

TEST(x509_passthrough_custom_extension_errors)
{
	struct pt_fixture f;
	pt_fixture_init(&f);
	X509_REQ *csr = fx_csr(f.leaf_key, "csr", "csr.example", NULL);
	/* DER of KeyUsage digitalSignature: 03 02 07 80. */
	unsigned char ku_der[] = {0x03, 0x02, 0x07, 0x80};
	struct x509_custom_ext custom = {
	    .oid = "2.5.29.15", .value = ku_der, .value_len = sizeof(ku_der)};
	struct x509_general_name san = {.kind = X509_GN_DNS, .value = "api.example"};
	struct x509_passthrough api = {.custom = &custom, .n_custom = 1};
	struct cm_err err = {0};
	/* KeyUsage is the template's. */
	X509 *c = fx_issue(csr, FX_TMPL("EndEntityCertificate_APIPassthrough"), f.ca_key, f.ca,
			   &api, FX_NOW + FX_YEAR, &err);
	CHECK(c == NULL && err.code == CM_ERR_INVALID_ARGS);
	CHECK(strstr(err.msg, "2.5.29.15") != NULL);
	/* On a blank template nothing else sets KeyUsage: allowed. */
	cm_err_clear(&err);
	c = fx_issue(csr, FX_TMPL("BlankEndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL && fx_ku(c) == X509_KU_DIGITAL_SIGNATURE);
	X509_free(c);
	/* ...unless the passthrough's own KeyUsage sets it. */
	api.has_key_usage = true;
	api.key_usage = X509_KU_KEY_AGREEMENT;
	cm_err_clear(&err);
	c = fx_issue(csr, FX_TMPL("BlankEndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c == NULL && err.code == CM_ERR_INVALID_ARGS);
	/* A SAN from the passthrough cannot be redefined either. */
	unsigned char san_der[] = {0x30, 0x05, 0x82, 0x03, 'x', '.', 'y'};
	struct x509_custom_ext san_custom = {
	    .oid = "2.5.29.17", .value = san_der, .value_len = sizeof(san_der)};
	struct x509_passthrough api2 = {
	    .san = &san, .n_san = 1, .custom = &san_custom, .n_custom = 1};
	cm_err_clear(&err);
	c = fx_issue(csr, FX_TMPL("EndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api2,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c == NULL && err.code == CM_ERR_INVALID_ARGS);
	/* A value that is not one DER element. */
	unsigned char bad[] = {0x0c, 0x05, 'a'};
	struct x509_custom_ext bad_custom = {.oid = "1.2.3.4", .value = bad, .value_len = 3};
	struct x509_passthrough api3 = {.custom = &bad_custom, .n_custom = 1};
	cm_err_clear(&err);
	c = fx_issue(csr, FX_TMPL("EndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api3,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c == NULL && err.code == CM_ERR_INVALID_ARGS);
	/* A bad IP address in the passthrough SAN. */
	struct x509_general_name bad_ip = {.kind = X509_GN_IP, .value = "300.1.2.3"};
	struct x509_passthrough api4 = {.san = &bad_ip, .n_san = 1};
	cm_err_clear(&err);
	c = fx_issue(csr, FX_TMPL("EndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api4,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c == NULL && err.code == CM_ERR_INVALID_ARGS);
	X509_REQ_free(csr);
	pt_fixture_free(&f);
}

TEST(x509_passthrough_empty_subject)
{
	struct pt_fixture f;
	pt_fixture_init(&f);
	X509_REQ *csr = fx_csr(f.leaf_key, NULL, "nosubject.example", NULL);
	X509_REQ *csr_cn = fx_csr(f.leaf_key, "has-cn", NULL, NULL);
	struct cm_err err = {0};
	/* Empty subject from the CSR: the SAN becomes critical. */
	X509 *c =
	    fx_issue(csr, PCA_TEMPLATE_DEFAULT_ARN, f.ca_key, f.ca, NULL, FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK(X509_NAME_entry_count(X509_get_subject_name(c)) == 0);
		CHECK(fx_ext_crit(c, NID_subject_alt_name) == 1);
		CHECK(fx_verify(c, f.ca, NULL, NULL, FX_NOW) == X509_V_OK);
	}
	X509_free(c);
	/* An empty ApiPassthrough subject with no SAN anywhere is refused. */
	struct x509_passthrough api = {.has_subject = true};
	cm_err_clear(&err);
	c = fx_issue(csr_cn, FX_TMPL("EndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c == NULL && err.code == CM_ERR_INVALID_ARGS);
	/* With a passthrough SAN it is fine, and that SAN is critical. */
	struct x509_general_name san = {.kind = X509_GN_IP, .value = "2001:db8::1"};
	api.san = &san;
	api.n_san = 1;
	c = fx_issue(csr_cn, FX_TMPL("EndEntityCertificate_APIPassthrough"), f.ca_key, f.ca, &api,
		     FX_NOW + FX_YEAR, &err);
	CHECK(c != NULL && fx_ext_crit(c, NID_subject_alt_name) == 1);
	X509_free(c);
	X509_REQ_free(csr_cn);
	X509_REQ_free(csr);
	pt_fixture_free(&f);
}
