/* Single X.509 extensions built from our structs, shared by the CA CSR and
 * issuance code (private to src/x509/). Each returns an owned extension, or
 * NULL with *err filled. */
#ifndef CERTAIN_X509_EXT_H
#define CERTAIN_X509_EXT_H

#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "x509/ca_csr.h"
#include "x509/issue.h"
#include "x509/name.h"

/* A dotted OID (numeric only: names like "CN" are refused). */
ASN1_OBJECT *x509_oid_parse(const char *dotted, struct cm_err *err);

X509_EXTENSION *x509_ext_basic_constraints(bool ca, int pathlen, bool critical, struct cm_err *err);
X509_EXTENSION *x509_ext_key_usage(unsigned bits, struct cm_err *err); /* critical */
X509_EXTENSION *x509_ext_eku(const char *const *oids, size_t n, bool critical, struct cm_err *err);
X509_EXTENSION *x509_ext_san(const struct x509_general_name *gns, size_t n, bool critical,
			     struct cm_err *err);
X509_EXTENSION *x509_ext_sia(const struct x509_access_description *ads, size_t n,
			     struct cm_err *err);
X509_EXTENSION *x509_ext_policies(const struct x509_policy *p, size_t n, struct cm_err *err);
X509_EXTENSION *x509_ext_key_id(int nid, const unsigned char *id, size_t len,
				struct cm_err *err); /* SKI or AKI keyIdentifier */
X509_EXTENSION *x509_ext_crl_dp(const char *url, struct cm_err *err);
X509_EXTENSION *x509_ext_aia_ocsp(const char *url, struct cm_err *err);
X509_EXTENSION *x509_ext_custom(const struct x509_custom_ext *c, struct cm_err *err);

/* SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 §4.2.1.2 method 1). */
int x509_key_id(const X509_PUBKEY *pub, unsigned char out[20]);

/* Adds every extension of an issued certificate (issue_ext.c). cert has its
 * subject and public key set; aki is the issuer's key identifier. */
int x509_issue_add_extensions(X509 *cert, const struct x509_issue_params *p, bool self_signed,
			      const unsigned char *aki, size_t aki_len, struct cm_err *err);

#endif
