/* Resource policies (spec pca.md §5.16, §6.10): the IAM policy grammar a CA
 * accepts, and its evaluation as IAM does it: an explicit Deny beats any
 * Allow, and without an Allow the answer is no. Only what a CA policy can
 * mean is accepted (AWS answers InvalidPolicyException for the rest), so a
 * stored policy never holds a statement the evaluator would misread. */
#include "pca/policy.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCA_TEMPLATE_KEY "acm-pca:TemplateArn"

static const char *const pca_action_names[PCA_ACTION__COUNT] = {
    [PCA_ACTION_DESCRIBE_CA] = "acm-pca:DescribeCertificateAuthority",
    [PCA_ACTION_GET_CA_CERT] = "acm-pca:GetCertificateAuthorityCertificate",
    [PCA_ACTION_ISSUE] = "acm-pca:IssueCertificate",
    [PCA_ACTION_GET_CERT] = "acm-pca:GetCertificate",
    [PCA_ACTION_LIST_PERMISSIONS] = "acm-pca:ListPermissions",
    [PCA_ACTION_LIST_TAGS] = "acm-pca:ListTags",
};

/* Condition operators; the Not forms are true when the key is absent (IAM). */
static const char *const pca_cond_ops[] = {"StringEquals", "StringNotEquals", "StringLike",
					   "StringNotLike", NULL};

const char *pca_action_name(enum pca_action a)
{
	return (unsigned)a < PCA_ACTION__COUNT ? pca_action_names[a] : "";
}

static bool pca_char_eq(char a, char b, bool fold)
{
	return fold ? tolower((unsigned char)a) == tolower((unsigned char)b) : a == b;
}

/* IAM wildcards: '*' any run, '?' any one character; nothing else is special. */
static bool pca_glob(const char *pat, const char *s, bool fold)
{
	const char *star = NULL, *resume = NULL;
	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat != '\0' && (*pat == '?' || pca_char_eq(*pat, *s, fold))) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* A string, or a non-empty array of strings: the element i (NULL past the end). */
static const char *pca_str_at(json_t *v, size_t i)
{
	if (json_is_string(v))
		return i == 0 ? json_string_value(v) : NULL;
	return json_string_value(json_array_get(v, i));
}

static int pca_check_str_list(json_t *v, const char *what, struct cm_err *err)
{
	size_t i;
	json_t *item;
	if (json_is_string(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return cm_fail(err, CM_ERR_INVALID_POLICY,
			       "%s must be a string or a non-empty list of strings", what);
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item))
			return cm_fail(err, CM_ERR_INVALID_POLICY, "%s must hold only strings",
				       what);
	}
	return 0;
}

static bool pca_is_account_id(const char *s)
{
	size_t n = strlen(s);
	return n == 12 && strspn(s, "0123456789") == 12;
}

/* "*", "<12 digits>" or "arn:<partition>:iam::<12 digits>:root": the account
 * it names in *account (NULL for "*"); false when it is none of them. */
static bool pca_principal_parse(const char *p, char account[13])
{
	if (strcmp(p, "*") == 0) {
		account[0] = '\0';
		return true;
	}
	if (pca_is_account_id(p)) {
		memcpy(account, p, 13);
		return true;
	}
	const char *iam = strncmp(p, "arn:", 4) == 0 ? strstr(p + 4, ":iam::") : NULL;
	if (iam == NULL || strchr(p + 4, ':') != iam || strlen(iam + 6) != 17 ||
	    strcmp(iam + 18, ":root") != 0)
		return false;
	memcpy(account, iam + 6, 12);
	account[12] = '\0';
	return pca_is_account_id(account);
}

static int pca_check_principal(json_t *p, struct cm_err *err)
{
	json_t *aws = json_object_get(p, "AWS");
	const char *s;
	char account[13];
	if (!json_is_object(p) || aws == NULL || json_object_size(p) != 1)
		return cm_fail(err, CM_ERR_INVALID_POLICY,
			       "Principal must be an object with only an AWS member");
	if (pca_check_str_list(aws, "Principal.AWS", err) < 0)
		return -1;
	for (size_t i = 0; (s = pca_str_at(aws, i)) != NULL; i++)
		if (!pca_principal_parse(s, account))
			return cm_fail(err, CM_ERR_INVALID_POLICY,
				       "Principal %.100s is not an account id, an account root ARN "
				       "or *",
				       s);
	return 0;
}

static int pca_check_actions(json_t *a, struct cm_err *err)
{
	const char *s;
	if (pca_check_str_list(a, "Action", err) < 0)
		return -1;
	for (size_t i = 0; (s = pca_str_at(a, i)) != NULL; i++) {
		bool any = false;
		for (int k = 0; k < PCA_ACTION__COUNT && !any; k++)
			any = pca_glob(s, pca_action_names[k], true);
		if (!any)
			return cm_fail(err, CM_ERR_INVALID_POLICY,
				       "Action %.100s is not an action a certificate authority "
				       "policy can share",
				       s);
	}
	return 0;
}

static int pca_check_resources(json_t *r, const char *ca_arn, struct cm_err *err)
{
	const char *s;
	if (pca_check_str_list(r, "Resource", err) < 0)
		return -1;
	for (size_t i = 0; (s = pca_str_at(r, i)) != NULL; i++)
		if (!pca_glob(s, ca_arn, false))
			return cm_fail(err, CM_ERR_INVALID_POLICY,
				       "Resource %.200s is not this certificate authority", s);
	return 0;
}

static int pca_check_condition(json_t *c, struct cm_err *err)
{
	const char *op, *key;
	json_t *block, *v;
	if (!json_is_object(c))
		return cm_fail(err, CM_ERR_INVALID_POLICY, "Condition must be an object");
	json_object_foreach(c, op, block)
	{
		bool known = false;
		for (int i = 0; pca_cond_ops[i] != NULL; i++)
			known = known || strcmp(op, pca_cond_ops[i]) == 0;
		if (!known || !json_is_object(block))
			return cm_fail(err, CM_ERR_INVALID_POLICY,
				       "Condition operator %.60s is not supported", op);
		json_object_foreach(block, key, v)
		{
			if (strcasecmp(key, PCA_TEMPLATE_KEY) != 0)
				return cm_fail(err, CM_ERR_INVALID_POLICY,
					       "Condition key %.100s is not supported", key);
			if (pca_check_str_list(v, "Condition value", err) < 0)
				return -1;
		}
	}
	return 0;
}

static int pca_check_statement(json_t *st, const char *ca_arn, struct cm_err *err)
{
	const char *key, *effect = json_string_value(json_object_get(st, "Effect"));
	json_t *v, *cond = json_object_get(st, "Condition");
	if (!json_is_object(st))
		return cm_fail(err, CM_ERR_INVALID_POLICY, "A Statement must be an object");
	json_object_foreach(st, key, v)
	{
		if (strcmp(key, "Sid") != 0 && strcmp(key, "Effect") != 0 &&
		    strcmp(key, "Principal") != 0 && strcmp(key, "Action") != 0 &&
		    strcmp(key, "Resource") != 0 && strcmp(key, "Condition") != 0)
			return cm_fail(err, CM_ERR_INVALID_POLICY,
				       "Statement member %.60s is not supported", key);
	}
	if (effect == NULL || (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0))
		return cm_fail(err, CM_ERR_INVALID_POLICY, "Effect must be Allow or Deny");
	v = json_object_get(st, "Sid");
	if (v != NULL && !json_is_string(v))
		return cm_fail(err, CM_ERR_INVALID_POLICY, "Sid must be a string");
	if (pca_check_principal(json_object_get(st, "Principal"), err) < 0 ||
	    pca_check_actions(json_object_get(st, "Action"), err) < 0 ||
	    pca_check_resources(json_object_get(st, "Resource"), ca_arn, err) < 0)
		return -1;
	return cond != NULL ? pca_check_condition(cond, err) : 0;
}

/* The Statement member as an array (a new reference), whichever form it has. */
static json_t *pca_statements(json_t *doc)
{
	json_t *st = json_object_get(doc, "Statement");
	if (json_is_object(st))
		return json_pack("[O]", st);
	return json_is_array(st) ? json_incref(st) : NULL;
}

static int pca_check_document(json_t *doc, const char *ca_arn, struct cm_err *err)
{
	const char *key, *version = json_string_value(json_object_get(doc, "Version"));
	json_t *v, *list = NULL;
	size_t i;
	int rc = -1;
	if (!json_is_object(doc))
		return cm_fail(err, CM_ERR_INVALID_POLICY, "The policy must be a JSON object");
	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "Version") != 0 && strcmp(key, "Id") != 0 &&
		    strcmp(key, "Statement") != 0)
			return cm_fail(err, CM_ERR_INVALID_POLICY,
				       "Policy member %.60s is not supported", key);
	}
	if (version == NULL ||
	    (strcmp(version, "2012-10-17") != 0 && strcmp(version, "2008-10-17") != 0))
		return cm_fail(err, CM_ERR_INVALID_POLICY,
			       "Version must be 2012-10-17 or 2008-10-17");
	list = pca_statements(doc);
	if (list == NULL || json_array_size(list) == 0) {
		cm_fail(err, CM_ERR_INVALID_POLICY, "The policy has no Statement");
		goto out;
	}
	json_array_foreach(list, i, v)
	{
		if (pca_check_statement(v, ca_arn, err) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(list);
	return rc;
}

int pca_policy_check(const char *text, const char *ca_arn, struct cm_err *err)
{
	json_error_t jerr;
	if (strlen(text) > PCA_POLICY_MAX)
		return cm_fail(err, CM_ERR_INVALID_POLICY,
			       "The policy is longer than %d characters", PCA_POLICY_MAX);
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return cm_fail(err, CM_ERR_INVALID_POLICY, "The policy is not valid JSON: %.200s",
			       jerr.text);
	int rc = pca_check_document(doc, ca_arn, err);
	json_decref(doc);
	return rc;
}

/* --- evaluation ------------------------------------------------------------ */

static bool pca_any_str(json_t *list, bool (*match)(const char *item, const void *arg),
			const void *arg)
{
	const char *s;
	for (size_t i = 0; (s = pca_str_at(list, i)) != NULL; i++)
		if (match(s, arg))
			return true;
	return false;
}

static bool pca_principal_match(const char *item, const void *account)
{
	char named[13];
	return pca_principal_parse(item, named) &&
	       (named[0] == '\0' || strcmp(named, account) == 0);
}

static bool pca_action_match(const char *item, const void *name)
{
	return pca_glob(item, name, true);
}

static bool pca_resource_match(const char *item, const void *arn)
{
	return pca_glob(item, arn, false);
}

static bool pca_equals_match(const char *item, const void *value)
{
	return strcmp(item, value) == 0;
}

static bool pca_like_match(const char *item, const void *value)
{
	return pca_glob(item, value, false);
}

/* Every operator block must hold (IAM: conditions are AND-ed). */
static bool pca_condition_holds(json_t *cond, const char *template_arn)
{
	const char *op;
	json_t *block;
	json_object_foreach(cond, op, block)
	{
		bool negate = strstr(op, "Not") != NULL, like = strstr(op, "Like") != NULL;
		const char *key;
		json_t *values;
		json_object_foreach(block, key, values)
		{
			bool hit = template_arn != NULL &&
				   pca_any_str(values, like ? pca_like_match : pca_equals_match,
					       template_arn);
			if (hit == negate)
				return false;
		}
	}
	return true;
}

static bool pca_statement_applies(json_t *st, const char *ca_arn, const char *account,
				  enum pca_action action, const char *template_arn)
{
	json_t *cond = json_object_get(st, "Condition");
	return pca_any_str(json_object_get(json_object_get(st, "Principal"), "AWS"),
			   pca_principal_match, account) &&
	       pca_any_str(json_object_get(st, "Action"), pca_action_match,
			   pca_action_names[action]) &&
	       pca_any_str(json_object_get(st, "Resource"), pca_resource_match, ca_arn) &&
	       (cond == NULL || pca_condition_holds(cond, template_arn));
}

enum pca_policy_verdict pca_policy_evaluate(const char *text, const char *ca_arn,
					    const char *account, enum pca_action action,
					    const char *template_arn)
{
	enum pca_policy_verdict verdict = PCA_POLICY_NO_MATCH;
	json_t *doc = json_loads(text, 0, NULL), *list = NULL, *st;
	size_t i;
	/* A document that no longer checks grants nothing. */
	if (doc == NULL || (unsigned)action >= PCA_ACTION__COUNT ||
	    pca_check_document(doc, ca_arn, NULL) < 0)
		goto out;
	list = pca_statements(doc);
	json_array_foreach(list, i, st)
	{
		if (!pca_statement_applies(st, ca_arn, account, action, template_arn))
			continue;
		if (strcmp(json_string_value(json_object_get(st, "Effect")), "Deny") == 0) {
			verdict = PCA_POLICY_DENY;
			break;
		}
		verdict = PCA_POLICY_ALLOW;
	}
out:
	json_decref(list);
	json_decref(doc);
	return verdict;
}

int pca_policy_grantees(const char *text, char (**out)[13])
{
	json_t *doc = json_loads(text, 0, NULL), *list = doc != NULL ? pca_statements(doc) : NULL;
	json_t *st;
	size_t i, n = 0, cap = 0;
	const char *s;
	*out = NULL;
	json_array_foreach(list, i, st)
	{
		json_t *aws = json_object_get(json_object_get(st, "Principal"), "AWS");
		const char *effect = json_string_value(json_object_get(st, "Effect"));
		if (effect == NULL || strcmp(effect, "Allow") != 0)
			continue;
		for (size_t k = 0; (s = pca_str_at(aws, k)) != NULL; k++) {
			char account[13];
			if (!pca_principal_parse(s, account))
				continue;
			if (n == cap) {
				cap = cap != 0 ? cap * 2 : 8;
				char(*grown)[13] = realloc(*out, cap * sizeof(**out));
				if (grown == NULL) {
					n = (size_t)-1;
					goto out;
				}
				*out = grown;
			}
			snprintf((*out)[n++], 13, "%s", account[0] != '\0' ? account : "*");
		}
	}
out:
	json_decref(list);
	json_decref(doc);
	if (n == (size_t)-1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return (int)n;
}
