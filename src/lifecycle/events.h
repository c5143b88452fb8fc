/* ACM events in the EventBridge shape of spec acm.md §7, and the one way to
 * put one in the outbox: inside the transaction of the change that caused it. */
#ifndef CERTAIN_LIFECYCLE_EVENTS_H
#define CERTAIN_LIFECYCLE_EVENTS_H

#include "acm/acm.h"

enum lifecycle_event_type {
	LIFECYCLE_EVENT_APPROACHING_EXPIRATION,	 /* daily from DaysBeforeExpiry (§6.8) */
	LIFECYCLE_EVENT_EXPIRED,		 /* at expiry, not for IMPORTED */
	LIFECYCLE_EVENT_AVAILABLE,		 /* arg: ISSUANCE | RENEWAL | IMPORT | REIMPORT */
	LIFECYCLE_EVENT_RENEWAL_ACTION_REQUIRED, /* arg: the RenewalStatusReason */
	LIFECYCLE_EVENT_REVOKED,
	LIFECYCLE_EVENT_DEPLOYMENT_FAILED, /* Certain's own (issue 6): see lifecycle_deploy_failed_emit */
};

/* The detail-type of an event ("ACM Certificate Available", ...). */
const char *lifecycle_event_detail_type(enum lifecycle_event_type type);

/* The event JSON (owned; NULL when out of memory) for certificate c as it is
 * after the change, seen by ctx (account, region, partition) at ctx->now;
 * id is the event's uuid. arg as the type says (NULL otherwise). */
char *lifecycle_event_json(enum lifecycle_event_type type, const struct acm_ctx *ctx,
			   const struct store_acm_cert *c, const char *arg, const char *id);

/* Builds the event with a fresh id and adds it to the outbox (one PENDING
 * delivery per target of the account). An Available event of a RENEWAL or a
 * REIMPORT also enqueues a redeploy of every deployment target the
 * certificate is associated with (issue 6), in the same transaction. Call it between store_begin and
 * store_commit of the change, so both commit or neither does. */
int lifecycle_event_emit(enum lifecycle_event_type type, const struct acm_ctx *ctx,
			 const struct store_acm_cert *c, const char *arg, struct cm_err *err);

/* "Certain Deployment Failed" (source "certain.deploy"): a deployment of
 * the certificate cert_arn (serial) to the target target_arn failed with
 * error; resources are both ARNs, detail {TargetArn, CertificateArn, Serial,
 * Error}. Same transaction rule as lifecycle_event_emit. */
int lifecycle_deploy_failed_emit(const struct acm_ctx *ctx, const char *target_arn,
				 const char *cert_arn, const char *serial, const char *error,
				 struct cm_err *err);

/* Commits the transaction that emitted events and wakes the delivery worker,
 * so they go out now rather than at its next pass (only after the commit:
 * woken earlier, it could look before the events exist). */
int lifecycle_events_commit(struct store *st, struct cm_err *err);

/* Whole days left before c expires at now, rounded down (DaysToExpiry). */
int64_t lifecycle_days_to_expiry(const struct store_acm_cert *c, int64_t now);

#endif
