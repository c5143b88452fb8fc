/* The template table: all 53 ARNs of spec pca.md §6.6 and nothing else. */
#include "harness.h"
#include "pca/templates.h"

#define T(name) "arn:aws:acm-pca:::template/" name "/V1"
#define ALL4(name)                                                                                 \
	T(name), T(name "_CSRPassthrough"), T(name "_APIPassthrough"), T(name "_APICSRPassthrough")
#define PASS3(name)                                                                                \
	T(name "_CSRPassthrough"), T(name "_APIPassthrough"), T(name "_APICSRPassthrough")

static const char *const template_arns[] = {
    ALL4("CodeSigningCertificate"),
    ALL4("EndEntityCertificate"),
    ALL4("EndEntityClientAuthCertificate"),
    ALL4("EndEntityServerAuthCertificate"),
    ALL4("OCSPSigningCertificate"),
    ALL4("SubordinateCACertificate_PathLen0"),
    ALL4("SubordinateCACertificate_PathLen1"),
    ALL4("SubordinateCACertificate_PathLen2"),
    ALL4("SubordinateCACertificate_PathLen3"),
    T("RootCACertificate"),
    T("RootCACertificate_APIPassthrough"),
    PASS3("BlankEndEntityCertificate"),
    PASS3("BlankSubordinateCACertificate_PathLen0"),
    PASS3("BlankSubordinateCACertificate_PathLen1"),
    PASS3("BlankSubordinateCACertificate_PathLen2"),
    PASS3("BlankSubordinateCACertificate_PathLen3"),
};

TEST(templates_all_53_arns)
{
	size_t n = sizeof(template_arns) / sizeof(template_arns[0]);
	char buf[160];
	CHECK(n == 53);
	for (size_t i = 0; i < n; i++) {
		const struct pca_template *t = pca_template_find(template_arns[i]);
		if (t == NULL)
			fprintf(stderr, "  missing %s\n", template_arns[i]);
		CHECK(t != NULL);
		if (t == NULL)
			continue;
		/* The ARN rebuilt from the row is the ARN looked up. */
		CHECK_STR_EQ(pca_template_arn(t, buf, sizeof(buf)), template_arns[i]);
		bool api = strstr(template_arns[i], "_APIPassthrough") != NULL ||
			   strstr(template_arns[i], "_APICSRPassthrough") != NULL;
		bool csr = strstr(template_arns[i], "CSRPassthrough") != NULL;
		CHECK(t->api_passthrough == api && t->csr_passthrough == csr);
		for (size_t k = 0; k < i; k++)
			CHECK(pca_template_find(template_arns[k]) != t);
	}
	/* Other partitions name the same templates. */
	CHECK(pca_template_find("arn:aws-us-gov:acm-pca:::template/EndEntityCertificate/V1") ==
	      pca_template_find(PCA_TEMPLATE_DEFAULT_ARN));
}

TEST(templates_rows)
{
	const struct pca_template *t = pca_template_find(PCA_TEMPLATE_DEFAULT_ARN);
	CHECK(t != NULL && !t->is_ca && !t->is_root && t->pathlen == -1 && !t->is_blank);
	CHECK(t != NULL && t->key_usage == (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT));
	CHECK(t != NULL && t->eku != NULL && strcmp(t->eku[0], "1.3.6.1.5.5.7.3.1") == 0 &&
	      strcmp(t->eku[1], "1.3.6.1.5.5.7.3.2") == 0 && t->eku[2] == NULL && !t->eku_critical);
	t = pca_template_find(T("RootCACertificate_APIPassthrough"));
	CHECK(t != NULL && t->is_root && t->is_ca && t->pathlen == -1 && t->api_passthrough);
	CHECK(t != NULL && t->eku == NULL);
	for (int n = 0; n <= 3; n++) {
		char arn[128];
		snprintf(arn, sizeof(arn), T("SubordinateCACertificate_PathLen%d_CSRPassthrough"),
			 n);
		t = pca_template_find(arn);
		CHECK(t != NULL && t->is_ca && !t->is_root && t->pathlen == n);
		CHECK(t != NULL && t->key_usage == (X509_KU_DIGITAL_SIGNATURE |
						    X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN));
		snprintf(arn, sizeof(arn),
			 T("BlankSubordinateCACertificate_PathLen%d_APIPassthrough"), n);
		t = pca_template_find(arn);
		CHECK(t != NULL && t->is_ca && t->is_blank && t->pathlen == n && t->key_usage == 0);
	}
	t = pca_template_find(T("CodeSigningCertificate"));
	CHECK(t != NULL && t->eku_critical && t->key_usage == X509_KU_DIGITAL_SIGNATURE);
	t = pca_template_find(T("OCSPSigningCertificate_APICSRPassthrough"));
	CHECK(t != NULL && t->eku_critical && strcmp(t->eku[0], "1.3.6.1.5.5.7.3.9") == 0);
	t = pca_template_find(T("BlankEndEntityCertificate_APICSRPassthrough"));
	CHECK(t != NULL && t->is_blank && !t->is_ca && t->eku == NULL);
}

TEST(templates_bogus_arns)
{
	static const char *const bogus[] = {
	    T("RootCACertificate_CSRPassthrough"),
	    T("RootCACertificate_APICSRPassthrough"),
	    T("BlankEndEntityCertificate"),
	    T("BlankSubordinateCACertificate_PathLen0"),
	    T("SubordinateCACertificate_PathLen4"),
	    T("EndEntityCertificate_Passthrough"),
	    T("endentitycertificate"),
	    "arn:aws:acm-pca:::template/EndEntityCertificate/V2",
	    "arn:aws:acm-pca:::template/EndEntityCertificate",
	    "arn:aws:acm-pca:::template/EndEntityCertificate/V1/",
	    "arn:aws:acm-pca:us-east-1:123456789012:template/EndEntityCertificate/V1",
	    "arn:aws:acm:::template/EndEntityCertificate/V1",
	    "EndEntityCertificate",
	    "arn:aws:acm-pca:::template//V1",
	    "",
	    NULL,
	};
	for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		if (pca_template_find(bogus[i]) != NULL)
			fprintf(stderr, "  accepted %s\n", bogus[i]);
		CHECK(pca_template_find(bogus[i]) == NULL);
	}
}
