/* Helpers shared inside src/acm/. */
#ifndef CERTAIN_ACM_INTERNAL_H
#define CERTAIN_ACM_INTERNAL_H

#include <openssl/x509.h>

#include "acm/acm.h"
#include "x509/leaf.h"

/* The keystore binding of a certificate's sealed key. */
void acm_key_binding(const char *id, char *buf, size_t size);

/* The PCA context for the same caller. */
struct pca_ctx acm_pca_ctx(const struct acm_ctx *ctx);

/* Replaces the record's certificate material and everything Describe derives
 * from it (serial, subject, issuer, validity, algorithms, usages). */
int acm_set_material(struct store_acm_cert *c, X509 *cert, const char *chain_pem,
		     const struct x509_leaf_details *d, struct cm_err *err);

/* Issues (or reissues, for a renewal) a PRIVATE certificate from c->ca_arn
 * with a new key; on success fills the key and material of *c and the CA's
 * record of the certificate in *issued (pca_issued_clear), neither stored:
 * the caller stores both in one transaction (pca_issued_store), and nothing
 * of the certificate leaves before that commit. A CA problem is returned as
 * -1 with *reason set to the FailureReason. */
int acm_issue_private(const struct acm_ctx *ctx, struct store_acm_cert *c, const char **reason,
		      struct pca_issued *issued, struct cm_err *err);

/* Seals key for this record and installs it with the certificate material
 * into *c (not stored). */
int acm_install(const struct acm_ctx *ctx, struct store_acm_cert *c, EVP_PKEY *key, X509 *cert,
		const char *chain, struct cm_err *err);

/* A renewal's copy of c sharing nothing owned, to install into. */
int acm_renew_copy(const struct store_acm_cert *c, struct store_acm_cert *next,
		   struct cm_err *err);

/* Inside the caller's transaction: the old serial to the history, the renewed
 * record and its Available/RENEWAL event (which queues the redeploys). */
int acm_renew_write(const struct acm_ctx *ctx, const struct store_acm_cert *old,
		    const struct store_acm_cert *next, struct cm_err *err);

/* acm_issue_private for a renewal, which ACM does on its own: only when the
 * CA has granted ACM its permissions (spec pca.md §6.10; else *reason is
 * PCA_ACCESS_DENIED). RenewCertificate and managed renewal both come here. */
int acm_renew_private(const struct acm_ctx *ctx, struct store_acm_cert *c, const char **reason,
		      struct pca_issued *issued, struct cm_err *err);

/* Domain names (spec §6.4): the model's FQDN pattern, a wildcard only as the
 * whole left-most label. member names the field in messages. */
int acm_domain_check(const char *name, const char *member, struct cm_err *err);

/* Whether parent is domain itself or one of its parent domains (a wildcard's
 * "*." ignored): the ValidationDomain rule of spec §5.1 and §5.12. */
bool acm_domain_is_self_or_parent(const char *domain, const char *parent);

/* The JSON text of a names array (owned). */
char *acm_names_json(const char *const *names, size_t n);

#endif
