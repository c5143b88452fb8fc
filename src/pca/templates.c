/* The template table (spec pca.md §6.6). PCA_TEMPLATE_ROWS holds one row per
 * template base; the preprocessor expands each row into its four varieties,
 * so the table is static, read-only, and adding a template is adding a row. */
#include "pca/templates.h"

#include <stdio.h>
#include <string.h>

#define SERVER_AUTH  "1.3.6.1.5.5.7.3.1"
#define CLIENT_AUTH  "1.3.6.1.5.5.7.3.2"
#define CODE_SIGNING "1.3.6.1.5.5.7.3.3"
#define OCSP_SIGNING "1.3.6.1.5.5.7.3.9"

static const char *const eku_server_client[] = {SERVER_AUTH, CLIENT_AUTH, NULL};
static const char *const eku_server[] = {SERVER_AUTH, NULL};
static const char *const eku_client[] = {CLIENT_AUTH, NULL};
static const char *const eku_code[] = {CODE_SIGNING, NULL};
static const char *const eku_ocsp[] = {OCSP_SIGNING, NULL};

#define KU_EE (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT)
#define KU_CA (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN)

/* Which varieties a base has: bit n is enum pca_template_variety n. */
#define V_BASE	 (1u << PCA_TEMPLATE_BASE)
#define V_CSR	 (1u << PCA_TEMPLATE_CSR_PASSTHROUGH)
#define V_API	 (1u << PCA_TEMPLATE_API_PASSTHROUGH)
#define V_APICSR (1u << PCA_TEMPLATE_API_CSR_PASSTHROUGH)
#define V_ALL	 (V_BASE | V_CSR | V_API | V_APICSR)
#define V_PASS	 (V_CSR | V_API | V_APICSR) /* Blank templates: passthrough only */

/* clang-format off */
/* X(name, is_root, is_ca, pathlen, is_blank, key_usage, eku, eku_critical, varieties) */
#define PCA_TEMPLATE_ROWS(X)                                                                     \
	X("EndEntityCertificate", false, false, -1, false, KU_EE, eku_server_client, false, V_ALL) \
	X("EndEntityServerAuthCertificate", false, false, -1, false, KU_EE, eku_server, false,    \
	  V_ALL)                                                                                 \
	X("EndEntityClientAuthCertificate", false, false, -1, false, KU_EE, eku_client, false,    \
	  V_ALL)                                                                                 \
	X("CodeSigningCertificate", false, false, -1, false, X509_KU_DIGITAL_SIGNATURE, eku_code,  \
	  true, V_ALL)                                                                           \
	X("OCSPSigningCertificate", false, false, -1, false, X509_KU_DIGITAL_SIGNATURE, eku_ocsp,  \
	  true, V_ALL)                                                                           \
	X("RootCACertificate", true, true, -1, false, KU_CA, NULL, false, V_BASE | V_API)        \
	X("SubordinateCACertificate_PathLen0", false, true, 0, false, KU_CA, NULL, false, V_ALL)  \
	X("SubordinateCACertificate_PathLen1", false, true, 1, false, KU_CA, NULL, false, V_ALL)  \
	X("SubordinateCACertificate_PathLen2", false, true, 2, false, KU_CA, NULL, false, V_ALL)  \
	X("SubordinateCACertificate_PathLen3", false, true, 3, false, KU_CA, NULL, false, V_ALL)  \
	X("BlankEndEntityCertificate", false, false, -1, true, 0, NULL, false, V_PASS)            \
	X("BlankSubordinateCACertificate_PathLen0", false, true, 0, true, 0, NULL, false, V_PASS) \
	X("BlankSubordinateCACertificate_PathLen1", false, true, 1, true, 0, NULL, false, V_PASS) \
	X("BlankSubordinateCACertificate_PathLen2", false, true, 2, true, 0, NULL, false, V_PASS) \
	X("BlankSubordinateCACertificate_PathLen3", false, true, 3, true, 0, NULL, false, V_PASS)

#define PCA_VARIETY(name, root, ca, pl, blank, ku, eku, ekuc, vars, v, api, csr)             \
	{name, v, ((vars) & (1u << (v))) != 0, api, csr, root, ca, pl, blank, ku, eku, ekuc},
#define PCA_ROW(name, root, ca, pl, blank, ku, eku, ekuc, vars)                                \
	PCA_VARIETY(name, root, ca, pl, blank, ku, eku, ekuc, vars, PCA_TEMPLATE_BASE, false,  \
		    false)                                                                       \
	PCA_VARIETY(name, root, ca, pl, blank, ku, eku, ekuc, vars,                            \
		    PCA_TEMPLATE_CSR_PASSTHROUGH, false, true)                                   \
	PCA_VARIETY(name, root, ca, pl, blank, ku, eku, ekuc, vars,                            \
		    PCA_TEMPLATE_API_PASSTHROUGH, true, false)                                   \
	PCA_VARIETY(name, root, ca, pl, blank, ku, eku, ekuc, vars,                            \
		    PCA_TEMPLATE_API_CSR_PASSTHROUGH, true, true)

/* clang-format on */

static const struct pca_template pca_templates[] = {PCA_TEMPLATE_ROWS(PCA_ROW)};

static const char *const pca_variety_suffix[PCA_TEMPLATE__VARIETIES] = {
    [PCA_TEMPLATE_BASE] = "",
    [PCA_TEMPLATE_CSR_PASSTHROUGH] = "_CSRPassthrough",
    [PCA_TEMPLATE_API_PASSTHROUGH] = "_APIPassthrough",
    [PCA_TEMPLATE_API_CSR_PASSTHROUGH] = "_APICSRPassthrough",
};

/* Template ARNs have no region or account; the partition varies (aws,
 * aws-cn, aws-us-gov), so any lowercase partition name is taken. */
static const char *pca_template_arn_name(const char *arn, size_t *len)
{
	static const char service[] = ":acm-pca:::template/";
	if (arn == NULL || strncmp(arn, "arn:", 4) != 0)
		return NULL;
	const char *p = arn + 4;
	size_t part = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
	if (part == 0 || strncmp(p + part, service, sizeof(service) - 1) != 0)
		return NULL;
	const char *name = p + part + sizeof(service) - 1;
	size_t n = strlen(name);
	if (n < 4 || strcmp(name + n - 3, "/V1") != 0)
		return NULL;
	*len = n - 3;
	return name;
}

const struct pca_template *pca_template_find(const char *arn)
{
	size_t len = 0;
	const char *name = pca_template_arn_name(arn, &len);
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(pca_templates) / sizeof(pca_templates[0]); i++) {
		const struct pca_template *t = &pca_templates[i];
		size_t base = strlen(t->name);
		const char *suffix = pca_variety_suffix[t->variety];
		if (t->exists && len == base + strlen(suffix) &&
		    strncmp(name, t->name, base) == 0 &&
		    strncmp(name + base, suffix, len - base) == 0)
			return t;
	}
	return NULL;
}

char *pca_template_arn(const struct pca_template *t, char *buf, size_t size)
{
	snprintf(buf, size, "arn:aws:acm-pca:::template/%s%s/V1", t->name,
		 pca_variety_suffix[t->variety]);
	return buf;
}
