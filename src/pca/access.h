/* Who may use a CA besides its owner (spec pca.md §5.15–5.16, §6.10): the
 * resource policy that shares a CA with other accounts, the permissions that
 * let ACM (the service principal) use it, and loading a CA on behalf of
 * another account when its policy says so. */
#ifndef CERTAIN_PCA_ACCESS_H
#define CERTAIN_PCA_ACCESS_H

#include "pca/ca.h"
#include "pca/policy.h"

#define PCA_SHARED_TEMPLATE "arn:aws:acm-pca:::template/EndEntityCertificate/V1"

/* Loads a CA for `action`: the caller's own exactly as pca_ca_load does, or
 * another account's (the ARN's account decides) when that CA's resource
 * policy allows the caller the action (template_arn: IssueCertificate's
 * template, NULL otherwise; cross-account issuers may use only
 * EndEntityCertificate/V1). A CA whose policy allows the caller nothing is
 * invisible (CM_ERR_NOT_FOUND, exactly as if it did not exist); one that
 * allows something else, or denies explicitly, is CM_ERR_ACCESS_DENIED. */
int pca_ca_load_shared(const struct pca_ctx *ctx, const char *arn, const char *member,
		       enum pca_action action, const char *template_arn, struct store_ca *out,
		       struct cm_err *err);

/* ListCertificateAuthorities with ResourceOwner OTHER_ACCOUNTS (spec §5.3):
 * pages the CAs of other accounts whose resource policy allows the caller
 * at least one action, in id order; fn gets each with its effective status;
 * next_cursor is "" at the end. A page may hold fewer than limit CAs. */
int pca_ca_list_shared(const struct pca_ctx *ctx, const char *cursor, int limit,
		       void (*fn)(void *fctx, const struct store_ca *ca, enum pca_status status),
		       void *fctx, char *next_cursor, size_t next_size, struct cm_err *err);

/* Files under their grantees the policies stored before the grantee index
 * existed (store migration 9), so OTHER_ACCOUNTS lists them; at start. */
int pca_policy_reindex(struct store *st, struct cm_err *err);

/* PutPolicy / GetPolicy (*policy owned: the exact text stored) / DeletePolicy
 * on the caller's own CA. */
int pca_policy_put(const struct pca_ctx *ctx, const char *arn, const char *policy,
		   struct cm_err *err);
int pca_policy_get(const struct pca_ctx *ctx, const char *arn, char **policy, struct cm_err *err);
int pca_policy_delete(const struct pca_ctx *ctx, const char *arn, struct cm_err *err);

/* ActionType bits of a permission. */
enum pca_perm_action {
	PCA_PERM_ISSUE = 1 << 0,	    /* IssueCertificate */
	PCA_PERM_GET = 1 << 1,		    /* GetCertificate */
	PCA_PERM_LIST_PERMISSIONS = 1 << 2, /* ListPermissions */
};

/* CreatePermission (source_account NULL: the caller's account) and
 * DeletePermission. The principal is already checked by the caller. */
int pca_permission_create(const struct pca_ctx *ctx, const char *arn, const char *principal,
			  const char *source_account, unsigned actions, struct cm_err *err);
int pca_permission_delete(const struct pca_ctx *ctx, const char *arn, const char *principal,
			  const char *source_account, struct cm_err *err);

/* ListPermissions (shareable: another account may list when the policy
 * allows it): fn gets each permission with the CA's ARN; next_cursor is ""
 * at the end. */
int pca_permission_list(const struct pca_ctx *ctx, const char *arn, const char *cursor, int limit,
			void (*fn)(void *fctx, const struct store_permission *p,
				   const char *ca_arn),
			void *fctx, char *next_cursor, size_t next_size, struct cm_err *err);

/* The service principal ACM acts as when it uses a CA. */
#define PCA_ACM_PRINCIPAL "acm.amazonaws.com"

/* Whether ACM may renew, by itself, a certificate of ctx->account issued by
 * this CA (spec pca.md §6.10, acm.md §6.7): on a CA of the same account the
 * CA must have granted PCA_ACM_PRINCIPAL, for this account, all of
 * IssueCertificate, GetCertificate and ListPermissions; without them
 * CM_ERR_ACCESS_DENIED (ACM's PCA_ACCESS_DENIED). A CA of another account is
 * shared through its resource policy, which the issuance itself checks
 * (permissions do not cross accounts), so it passes here. An unknown CA is
 * CM_ERR_NOT_FOUND. First issuance does not need this (§6.10). */
int pca_acm_renewal_allowed(const struct pca_ctx *ctx, const char *ca_arn, struct cm_err *err);

/* Parses the stored comma-separated ActionType names into bits. */
unsigned pca_perm_actions_parse(const char *text);

#endif
