/* Handlers: CreatePermission, DeletePermission, ListPermissions (spec pca.md
 * §5.15). Only the ACM service principal can be granted anything. */
#include <stdio.h>
#include <string.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "aws/jv.h"
#include "aws/token.h"
#include "pca/access.h"

#define ARN_MEMBER    "CertificateAuthorityArn"
#define ACM_PRINCIPAL "acm.amazonaws.com"

static const char *const action_names[] = {"IssueCertificate", "GetCertificate", "ListPermissions",
					   NULL};
static const unsigned action_bits[] = {PCA_PERM_ISSUE, PCA_PERM_GET, PCA_PERM_LIST_PERMISSIONS};

/* Principal (model: 0–128, [^*]+; AWS accepts only acm.amazonaws.com) and
 * the optional SourceAccount (12 digits). */
static int perm_principal(json_t *in, const char **principal, const char **source,
			  struct cm_err *err)
{
	*source = NULL;
	if (jv_string(in, NULL, "Principal", true, 0, 128, principal, err) < 0 ||
	    jv_string(in, NULL, "SourceAccount", false, 12, 12, source, err) < 0)
		return -1;
	if ((*principal)[0] == '\0' || strchr(*principal, '*') != NULL)
		return jv_fail_constraint(err, "principal", *principal,
					  "Member must satisfy regular expression pattern: [^*]+");
	if (strcmp(*principal, ACM_PRINCIPAL) != 0)
		return jv_fail_constraint(err, "principal", *principal,
					  "Member must be acm.amazonaws.com");
	if (*source != NULL && !jv_is_in_charset(*source, "0123456789"))
		return jv_fail_constraint(err, "sourceAccount", *source,
					  "Member must satisfy regular expression pattern: [0-9]+");
	return 0;
}

/* Actions: 1–3 distinct ActionType names into bits. */
static int perm_actions(json_t *in, unsigned *bits, struct cm_err *err)
{
	json_t *list = NULL, *item;
	size_t i;
	*bits = 0;
	if (jv_array(in, NULL, "Actions", true, 1, 3, &list, err) < 0)
		return -1;
	json_array_foreach(list, i, item)
	{
		json_t *wrap = json_pack("{s:O}", "member", item);
		int k = 0;
		int rc = jv_enum(wrap, "Actions", "member", true, action_names, &k, NULL, err);
		json_decref(wrap);
		if (rc < 0)
			return -1;
		if ((*bits & action_bits[k]) != 0)
			return jv_fail_constraint(err, "actions", action_names[k],
						  "Member must not repeat an action");
		*bits |= action_bits[k];
	}
	return 0;
}

int pca_api_create_permission(const struct aws_ctx *actx, json_t *in, json_t **out,
			      struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL, *principal = NULL, *source = NULL;
	unsigned bits = 0;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    perm_principal(in, &principal, &source, err) < 0 || perm_actions(in, &bits, err) < 0 ||
	    pca_permission_create(&ctx, arn, principal, source, bits, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int pca_api_delete_permission(const struct aws_ctx *actx, json_t *in, json_t **out,
			      struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL, *principal = NULL, *source = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    perm_principal(in, &principal, &source, err) < 0 ||
	    pca_permission_delete(&ctx, arn, principal, source, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

/* The IAM policy a permission amounts to (Permission.Policy), as AWS shows it. */
static char *perm_policy(const struct store_permission *p, json_t *actions, const char *ca_arn)
{
	json_t *names = json_array(), *a;
	size_t i;
	json_array_foreach(actions, i, a)
	{
		char full[64];
		snprintf(full, sizeof(full), "acm-pca:%s", json_string_value(a));
		json_array_append_new(names, json_string(full));
	}
	json_t *doc =
	    json_pack("{s:s, s:[{s:s, s:s, s:{s:s}, s:o, s:s, s:{s:{s:s}}}]}", "Version",
		      "2012-10-17", "Statement", "Sid", "acm-pca-permission", "Effect", "Allow",
		      "Principal", "Service", p->principal, "Action", names, "Resource", ca_arn,
		      "Condition", "StringEquals", "aws:SourceAccount", p->source_account);
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return text;
}

static void perm_add(void *p, const struct store_permission *perm, const char *ca_arn)
{
	json_t *list = p, *actions = json_array();
	unsigned bits = pca_perm_actions_parse(perm->actions);
	for (int k = 0; action_names[k] != NULL; k++)
		if ((bits & action_bits[k]) != 0)
			json_array_append_new(actions, json_string(action_names[k]));
	json_t *item =
	    json_pack("{s:s, s:I, s:s, s:s, s:O}", "CertificateAuthorityArn", ca_arn, "CreatedAt",
		      (json_int_t)perm->created_at, "Principal", perm->principal, "SourceAccount",
		      perm->source_account, "Actions", actions);
	pca_api_set_owned_string(item, "Policy", perm_policy(perm, actions, ca_arn));
	json_decref(actions);
	json_array_append_new(list, item);
}

int pca_api_list_permissions(const struct aws_ctx *actx, json_t *in, json_t **out,
			     struct cm_err *err)
{
	static const char scope[] = "ListPermissions";
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL, *token = NULL;
	long long max = 100;
	char cursor[200] = "", next[200];
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_int(in, NULL, "MaxResults", false, 1, 1000, &max, NULL, err) < 0 ||
	    jv_string(in, NULL, "NextToken", false, 1, 43739, &token, err) < 0)
		return -1;
	if (token != NULL && token_decode(actx->env->token_key, ctx.account, scope, token, cursor,
					  sizeof(cursor), err) < 0)
		return -1;
	json_t *list = json_array();
	if (pca_permission_list(&ctx, arn, cursor, max > 100 ? 100 : (int)max, perm_add, list, next,
				sizeof(next), err) < 0) {
		json_decref(list);
		return -1;
	}
	*out = json_pack("{s:o}", "Permissions", list);
	return next[0] != '\0' ? pca_api_set_next_token(actx, out, scope, next, err) : 0;
}
