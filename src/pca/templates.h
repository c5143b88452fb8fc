/* AWS Private CA certificate templates (spec pca.md §6.6): one table row per
 * template base, and the lookup of the 53 template ARNs. */
#ifndef CERTAIN_PCA_TEMPLATES_H
#define CERTAIN_PCA_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

#include "x509/usage.h"

#define PCA_TEMPLATE_DEFAULT_ARN "arn:aws:acm-pca:::template/EndEntityCertificate/V1"

/* The suffixes a base name may carry (inserted before "/V1"). */
enum pca_template_variety {
	PCA_TEMPLATE_BASE,		  /* no suffix */
	PCA_TEMPLATE_CSR_PASSTHROUGH,	  /* _CSRPassthrough */
	PCA_TEMPLATE_API_PASSTHROUGH,	  /* _APIPassthrough */
	PCA_TEMPLATE_API_CSR_PASSTHROUGH, /* _APICSRPassthrough */
	PCA_TEMPLATE__VARIETIES
};

/* One template (a base in one variety). Read-only rows of a static table. */
struct pca_template {
	const char *name; /* base name, e.g. "EndEntityCertificate" */
	enum pca_template_variety variety;
	bool exists;		/* false: AWS has no such base+variety (never returned) */
	bool api_passthrough;	/* ApiPassthrough values are used where not defined here */
	bool csr_passthrough;	/* CSR extensions are copied where not defined here */
	bool is_root;		/* RootCACertificate: self-signed by the CA's own key */
	bool is_ca;		/* critical BasicConstraints CA:TRUE (else CA:FALSE) */
	int pathlen;		/* BasicConstraints pathLenConstraint; -1: none */
	bool is_blank;		/* KeyUsage/EKU only from passthrough */
	unsigned key_usage;	/* enum x509_ku bits, critical; 0 = no KeyUsage defined */
	const char *const *eku; /* NULL-terminated EKU OIDs; NULL = no EKU defined */
	bool eku_critical;
};

/* The template of an ARN ("arn:aws:acm-pca:::template/<Name>[suffix]/V1"),
 * or NULL when AWS has no such template. The pointer is static. */
const struct pca_template *pca_template_find(const char *arn);

/* The ARN of a template into buf; returns buf. */
char *pca_template_arn(const struct pca_template *t, char *buf, size_t size);

#endif
