/* Resource policies of private CAs (spec pca.md §5.16, §6.10): checking a
 * policy document when it is put, and deciding whether it lets an account
 * perform one of the shareable actions on the CA. Pure functions over the
 * JSON text: no store, no clock, so they are unit-tested directly. */
#ifndef CERTAIN_PCA_POLICY_H
#define CERTAIN_PCA_POLICY_H

#include <stdbool.h>

#include "util/err.h"

/* AWS documents a 20 KB limit on a CA policy; the model's 81,920 characters
 * are the API edge's (ValidationException) to enforce. */
#define PCA_POLICY_MAX 20480

/* The actions a resource policy can share with another account. */
enum pca_action {
	PCA_ACTION_DESCRIBE_CA,
	PCA_ACTION_GET_CA_CERT,
	PCA_ACTION_ISSUE,
	PCA_ACTION_GET_CERT,
	PCA_ACTION_LIST_PERMISSIONS,
	PCA_ACTION_LIST_TAGS,
	PCA_ACTION__COUNT
};

/* "acm-pca:IssueCertificate" etc. */
const char *pca_action_name(enum pca_action a);

/* Checks an IAM policy document for the CA ca_arn: Version, Statement(s)
 * with Effect, Principal {"AWS": account id | arn:aws:iam::<id>:root | "*"},
 * Action (shareable acm-pca actions, wildcards allowed), Resource (the CA's
 * ARN) and an optional Condition on acm-pca:TemplateArn. Anything else is
 * CM_ERR_INVALID_POLICY with a message naming the fault. */
int pca_policy_check(const char *text, const char *ca_arn, struct cm_err *err);

enum pca_policy_verdict {
	PCA_POLICY_NO_MATCH, /* no statement applies: implicit deny */
	PCA_POLICY_ALLOW,
	PCA_POLICY_DENY, /* an explicit Deny applies: it beats every Allow */
};

/* Whether the policy (already checked) lets `account` perform `action` on
 * ca_arn. template_arn is IssueCertificate's template (NULL otherwise): the
 * value of the acm-pca:TemplateArn condition key. */
enum pca_policy_verdict pca_policy_evaluate(const char *text, const char *ca_arn,
					    const char *account, enum pca_action action,
					    const char *template_arn);

/* The accounts the policy (already checked) names in the Principal of its
 * Allow statements: 12 digits each, "*" for everyone. *out is owned (free());
 * returns how many, or -1 when out of memory. An index to find candidates:
 * pca_policy_evaluate still decides. */
int pca_policy_grantees(const char *text, char (**out)[13]);

#endif
