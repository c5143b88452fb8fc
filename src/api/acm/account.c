/* Handlers: GetAccountConfiguration, PutAccountConfiguration (spec acm.md §5.10). */
#include "api/acm/common.h"
#include "api/acm/handlers.h"
#include "aws/jv.h"

int acm_api_get_account(const struct aws_ctx *actx, json_t *in, json_t **out,
			struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	int days = 0;
	(void)in;
	if (acm_days_before_expiry(&ctx, &days, err) < 0)
		return -1;
	*out = json_pack("{s:{s:i}}", "ExpiryEvents", "DaysBeforeExpiry", days);
	return 0;
}

int acm_api_put_account(const struct aws_ctx *actx, json_t *in, json_t **out,
			struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	const char *token = NULL;
	json_t *expiry = NULL;
	long long days = 0;
	bool has_days = false;
	if (jv_string(in, NULL, "IdempotencyToken", true, 1, 32, &token, err) < 0 ||
	    jv_object(in, NULL, "ExpiryEvents", false, &expiry, err) < 0)
		return -1;
	if (!jv_is_in_charset(token, JV_WORD))
		return jv_fail_constraint(err, "idempotencyToken", token,
					  "Member must satisfy regular expression pattern: \\w+");
	if (expiry != NULL && jv_int(expiry, "ExpiryEvents", "DaysBeforeExpiry", false, 1,
				     ACM_MAX_DAYS_BEFORE_EXPIRY, &days, &has_days, err) < 0)
		return -1;
	if (acm_put_days_before_expiry(&ctx, token, has_days, (int)days, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}
