/* Handlers: PutPolicy, GetPolicy, DeletePolicy (spec pca.md §5.16). */
#include <stdlib.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "aws/jv.h"
#include "pca/access.h"

#define ARN_MEMBER "ResourceArn"

int pca_api_put_policy(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL, *policy = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_string(in, NULL, "Policy", true, 1, 81920, &policy, err) < 0)
		return -1;
	if (!jv_is_printable_latin1(policy))
		return jv_fail_constraint(err, "policy", policy,
					  "Member must satisfy regular expression pattern: "
					  "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
	if (pca_policy_put(&ctx, arn, policy, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int pca_api_get_policy(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	char *policy = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    pca_policy_get(&ctx, arn, &policy, err) < 0)
		return -1;
	*out = json_object();
	pca_api_set_owned_string(*out, "Policy", policy);
	return 0;
}

int pca_api_delete_policy(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    pca_policy_delete(&ctx, arn, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}
