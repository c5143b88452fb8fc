/* Signing a certificate from a CSR and a template (IssueCertificate; spec
 * pca.md §6.6–6.7): the one place certificate extensions are decided. */
#ifndef CERTAIN_X509_ISSUE_H
#define CERTAIN_X509_ISSUE_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pca/templates.h"
#include "util/err.h"
#include "x509/csr.h"
#include "x509/keys.h"
#include "x509/name.h"

/* PolicyInformation of CertificatePolicies. */
struct x509_policy {
	const char *policy_oid; /* CertPolicyId */
	const char **cps_uris;	/* Qualifier.CpsUri of each PolicyQualifier (array owned) */
	size_t n_cps;
};

/* A CustomExtension: the extension value is given as DER (extnValue's content). */
struct x509_custom_ext {
	const char *oid;
	unsigned char *value; /* owned (decoded base64) */
	size_t value_len;
	bool critical;
};

/* ApiPassthrough. Strings are borrowed (from the request JSON); arrays and
 * custom extension values are owned by the decoder (pca_shape_passthrough_free). */
struct x509_passthrough {
	bool has_subject;
	struct x509_subject subject; /* replaces the CSR subject as a whole */
	bool has_key_usage;
	unsigned key_usage; /* enum x509_ku bits */
	const char **eku;   /* dotted OIDs (ExtendedKeyUsageType mapped, or custom) */
	size_t n_eku;
	struct x509_general_name *san;
	size_t n_san;
	struct x509_policy *policies;
	size_t n_policies;
	struct x509_custom_ext *custom;
	size_t n_custom;
};

struct x509_issue_params {
	const struct x509_csr *csr; /* from x509_csr_parse */
	const struct pca_template *tmpl;
	EVP_PKEY *signing_key; /* the CA's private key */
	/* The issuing CA's certificate. NULL, or any root template, means
	 * self-signed: issuer = subject, AKI = own SKI, and the CSR's key must be
	 * signing_key (else CM_ERR_INVALID_ARGS). */
	X509 *issuer_cert;
	enum x509_sig_alg sig_alg;
	const unsigned char *serial; /* big-endian, positive, 1..20 octets */
	size_t serial_len;
	int64_t not_before, not_after;	    /* epoch seconds */
	const struct x509_passthrough *api; /* may be NULL; used by API-passthrough templates */
	const char *crl_url;		    /* CRLDistributionPoints URI; NULL = none */
	const char *ocsp_url;		    /* AIA id-ad-ocsp URI; NULL = none */
};

/* The signed certificate (owned). Precedence per extension: template > API
 * passthrough > CSR. Errors: CM_ERR_INVALID_ARGS for a CustomExtension that
 * redefines an extension set otherwise, a root template whose CSR key is not
 * the signing key, an empty subject without SubjectAltName, a signing
 * algorithm that does not fit the key, or a bad passthrough value. */
X509 *x509_issue(const struct x509_issue_params *p, struct cm_err *err);
/* The same certificate built faster: the CSR's public key is copied as
 * encoded rather than re-encoded (issue.c says why), so it is never decoded
 * either and X509_get0_pubkey returns NULL; i2d and every other getter work.
 * For callers that hold the key themselves (x509_leaf_details_get_keyed).
 * Owned. */
X509 *x509_issue_unkeyed(const struct x509_issue_params *p, struct cm_err *err);
/* x509_issue_unkeyed's certificate as owned DER (*len bytes). */
unsigned char *x509_issue_der(const struct x509_issue_params *p, size_t *len,
			      struct cm_err *err);

/* 16 random serial octets, first in 0x01..0x7f: positive, no sign byte,
 * always 32 hex digits (spec pca.md §2). */
void x509_serial_random(unsigned char out[16]);

/* The pathLenConstraint of a CA certificate; -1 when it has none (or is not a CA). */
long x509_cert_pathlen(const X509 *cert);

#endif
