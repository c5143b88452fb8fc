/* Get/PutAccountConfiguration (spec acm.md §5.10): the account's
 * ExpiryEvents.DaysBeforeExpiry, read by the expiry scan. */
#include "acm/internal.h"

#define ACM_ACCOUNT_SCOPE "PutAccountConfiguration"

int acm_days_before_expiry(const struct acm_ctx *ctx, int *days, struct cm_err *err)
{
	int found = store_account_days_before_expiry(ctx->store, ctx->account, days, err);
	if (found < 0)
		return -1;
	if (found == 0)
		*days = ACM_DEFAULT_DAYS_BEFORE_EXPIRY;
	return 0;
}

int acm_put_days_before_expiry(const struct acm_ctx *ctx, const char *token, bool has_days,
			       int days, struct cm_err *err)
{
	char seen[8];
	int found = store_idempotency_get(ctx->store, ctx->account, ACM_ACCOUNT_SCOPE, token,
					  ctx->now - ACM_IDEMPOTENCY_WINDOW, seen, sizeof(seen), err);
	if (found != 0)
		return found < 0 ? -1 : 0; /* the same token within the hour: a no-op */
	if (has_days && (days < 1 || days > ACM_MAX_DAYS_BEFORE_EXPIRY))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "DaysBeforeExpiry must be between 1 and %d",
			       ACM_MAX_DAYS_BEFORE_EXPIRY);
	struct store_idempotency idem = {.account_id = ctx->account,
					 .scope = ACM_ACCOUNT_SCOPE,
					 .token = token,
					 .result = "done",
					 .created_at = ctx->now,
					 .not_before = ctx->now - ACM_IDEMPOTENCY_WINDOW,
					 .winner = seen,
					 .winner_size = sizeof(seen)};
	if (store_begin(ctx->store, err) < 0)
		return -1;
	/* The same token's other request may have stored first: then a no-op. */
	int claimed = store_idempotency_claim(ctx->store, &idem, err);
	if (claimed != 0) {
		store_rollback(ctx->store);
		return claimed < 0 ? -1 : 0;
	}
	/* The scan looks at the account's near certificates again at its next
	 * pass, with the new value (spec §6.8). */
	if (has_days &&
	    (store_account_set_days_before_expiry(ctx->store, ctx->account, days, err) < 0 ||
	     store_acm_due_reset(ctx->store, ctx->account,
				 ctx->now + (int64_t)ACM_SCAN_LEAD_DAYS * 86400, err) < 0)) {
		store_rollback(ctx->store);
		return -1;
	}
	return store_commit(ctx->store, err);
}
