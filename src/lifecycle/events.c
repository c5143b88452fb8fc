/* Building ACM events (spec acm.md §7): the envelope every EventBridge event
 * has, and the detail members of each detail-type, in the spec's order.
 * Consumers match on detail-type and read detail, so the members and their
 * JSON types (booleans, an integer DaysToExpiry, "YYYY-MM-DDTHH:MM:SSZ"
 * dates) are the contract. */
#include "lifecycle/events.h"
#include "aws/json_out.h"
#include "deploy/deploy.h"
#include "lifecycle/delivery.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400

const char *lifecycle_event_detail_type(enum lifecycle_event_type type)
{
	switch (type) {
	case LIFECYCLE_EVENT_APPROACHING_EXPIRATION:
		return "ACM Certificate Approaching Expiration";
	case LIFECYCLE_EVENT_EXPIRED:
		return "ACM Certificate Expired";
	case LIFECYCLE_EVENT_AVAILABLE:
		return "ACM Certificate Available";
	case LIFECYCLE_EVENT_RENEWAL_ACTION_REQUIRED:
		return "ACM Certificate Renewal Action Required";
	case LIFECYCLE_EVENT_REVOKED:
		return "ACM Certificate Revoked";
	case LIFECYCLE_EVENT_DEPLOYMENT_FAILED:
		return "Certain Deployment Failed";
	}
	return "ACM Certificate Available";
}

int64_t lifecycle_days_to_expiry(const struct store_acm_cert *c, int64_t now)
{
	int64_t left = c->not_after - now;
	/* Floor, also below zero (C division truncates toward zero). */
	return left >= 0 ? left / DAY : -((-left + DAY - 1) / DAY);
}

static json_t *lifecycle_time(int64_t t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, sizeof(buf), "1970-01-01T00:00:00Z");
	return json_string(buf);
}

/* CommonName: the certificate's subject CN, else its DomainName (a
 * certificate named only by SANs). */
static const char *lifecycle_common_name(const struct store_acm_cert *c)
{
	return c->subject_cn[0] != '\0' ? c->subject_cn : c->domain_name;
}

/* DomainValidationMethod: only public certificates have one (§7: omit for
 * PRIVATE; IMPORTED have none either). */
static void lifecycle_set_validation(json_t *d, const struct store_acm_cert *c)
{
	if (strcmp(c->type, "AMAZON_ISSUED") == 0 && c->validation_method[0] != '\0')
		json_object_set_new(d, "DomainValidationMethod", json_string(c->validation_method));
}

static json_t *lifecycle_detail_expired(const struct store_acm_cert *c)
{
	json_t *d = json_object();
	json_object_set_new(d, "CertificateType", json_string(c->type));
	json_object_set_new(d, "CommonName", json_string(lifecycle_common_name(c)));
	lifecycle_set_validation(d, c);
	json_object_set_new(d, "CertificateCreatedDate", lifecycle_time(c->created_at));
	json_object_set_new(d, "CertificateExpirationDate", lifecycle_time(c->not_after));
	json_object_set_new(d, "InUse", json_boolean(c->in_use));
	json_object_set_new(d, "Exported", json_boolean(c->exported));
	return d;
}

static json_t *lifecycle_detail_available(const struct store_acm_cert *c, const char *action,
					  int64_t now)
{
	json_t *d = json_object();
	json_object_set_new(d, "Action", json_string(action != NULL ? action : "ISSUANCE"));
	json_object_set_new(d, "CertificateType", json_string(c->type));
	json_object_set_new(d, "CommonName", json_string(lifecycle_common_name(c)));
	lifecycle_set_validation(d, c);
	json_object_set_new(d, "CertificateCreatedDate", lifecycle_time(c->created_at));
	json_object_set_new(d, "CertificateExpirationDate", lifecycle_time(c->not_after));
	json_object_set_new(d, "DaysToExpiry", json_integer(lifecycle_days_to_expiry(c, now)));
	json_object_set_new(d, "InUse", json_boolean(c->in_use));
	json_object_set_new(d, "Exported", json_boolean(c->exported));
	return d;
}

static json_t *lifecycle_detail_action(const struct store_acm_cert *c, const char *reason,
				       int64_t now)
{
	json_t *d = json_object();
	json_object_set_new(d, "CertificateType", json_string(c->type));
	json_object_set_new(d, "CommonName", json_string(lifecycle_common_name(c)));
	lifecycle_set_validation(d, c);
	json_object_set_new(d, "RenewalStatusReason",
			    json_string(reason != NULL ? reason : "OTHER"));
	json_object_set_new(d, "DaysToExpiry", json_integer(lifecycle_days_to_expiry(c, now)));
	json_object_set_new(d, "CertificateExpirationDate", lifecycle_time(c->not_after));
	json_object_set_new(d, "InUse", json_boolean(c->in_use));
	json_object_set_new(d, "Exported", json_boolean(c->exported));
	return d;
}

/* Exportable: what ExportCertificate would accept (spec §6.6). */
static json_t *lifecycle_detail_revoked(const struct store_acm_cert *c)
{
	bool exportable =
	    strcmp(c->type, "PRIVATE") == 0 ||
	    (strcmp(c->type, "AMAZON_ISSUED") == 0 && strcmp(c->export_option, "ENABLED") == 0);
	json_t *d = json_object();
	json_object_set_new(d, "CertificateType", json_string(c->type));
	json_object_set_new(d, "CommonName", json_string(lifecycle_common_name(c)));
	json_object_set_new(d, "CertificateExpirationDate", lifecycle_time(c->not_after));
	json_object_set_new(d, "Exportable", json_boolean(exportable));
	return d;
}

static json_t *lifecycle_detail(enum lifecycle_event_type type, const struct store_acm_cert *c,
				const char *arg, int64_t now)
{
	switch (type) {
	case LIFECYCLE_EVENT_APPROACHING_EXPIRATION:
		return json_pack("{s:I, s:s}", "DaysToExpiry",
				 (json_int_t)lifecycle_days_to_expiry(c, now), "CommonName",
				 lifecycle_common_name(c));
	case LIFECYCLE_EVENT_EXPIRED:
		return lifecycle_detail_expired(c);
	case LIFECYCLE_EVENT_AVAILABLE:
		return lifecycle_detail_available(c, arg, now);
	case LIFECYCLE_EVENT_RENEWAL_ACTION_REQUIRED:
		return lifecycle_detail_action(c, arg, now);
	case LIFECYCLE_EVENT_REVOKED:
		return lifecycle_detail_revoked(c);
	case LIFECYCLE_EVENT_DEPLOYMENT_FAILED:
		break; /* not about a certificate record: lifecycle_deploy_failed_emit */
	}
	return NULL;
}

char *lifecycle_event_json(enum lifecycle_event_type type, const struct acm_ctx *ctx,
			   const struct store_acm_cert *c, const char *arg, const char *id)
{
	char arn[ARN_MAX];
	acm_arn(ctx, c->id, arn, sizeof(arn));
	json_t *detail = lifecycle_detail(type, c, arg, ctx->now);
	if (detail == NULL)
		return NULL;
	/* json_pack's "o" steals detail, also when packing fails. */
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:[s], s:o}", "version", "0",
			       "id", id, "detail-type", lifecycle_event_detail_type(type), "source",
			       "aws.acm", "account", ctx->account, "time", lifecycle_time(ctx->now),
			       "region", ctx->region, "resources", arn, "detail", detail);
	if (ev == NULL)
		return NULL;
	char *s = aws_json_compact(ev, NULL);
	json_decref(ev);
	return s;
}

int lifecycle_event_emit(enum lifecycle_event_type type, const struct acm_ctx *ctx,
			 const struct store_acm_cert *c, const char *arg, struct cm_err *err)
{
	struct store_event e = {0};
	arn_uuid7(e.id);
	snprintf(e.account_id, sizeof(e.account_id), "%s", ctx->account);
	snprintf(e.detail_type, sizeof(e.detail_type), "%s", lifecycle_event_detail_type(type));
	acm_arn(ctx, c->id, e.resource, sizeof(e.resource));
	e.created_at = ctx->now;
	e.body = lifecycle_event_json(type, ctx, c, arg, e.id);
	if (e.body == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	int rc = store_event_add(ctx->store, &e, err);
	store_event_clear(&e);
	/* The redeploy commits with the renewal: a crash after it still deploys. */
	if (rc == 0 && type == LIFECYCLE_EVENT_AVAILABLE && arg != NULL &&
	    (strcmp(arg, "RENEWAL") == 0 || strcmp(arg, "REIMPORT") == 0))
		rc = store_deploy_jobs_enqueue_cert(ctx->store, c->id, arg, ctx->now, err);
	return rc;
}

int lifecycle_deploy_failed_emit(const struct acm_ctx *ctx, const char *target_arn,
				 const char *cert_arn, const char *serial, const char *error,
				 struct cm_err *err)
{
	struct store_event e = {0};
	arn_uuid7(e.id);
	snprintf(e.account_id, sizeof(e.account_id), "%s", ctx->account);
	snprintf(e.detail_type, sizeof(e.detail_type), "%s",
		 lifecycle_event_detail_type(LIFECYCLE_EVENT_DEPLOYMENT_FAILED));
	snprintf(e.resource, sizeof(e.resource), "%s", cert_arn);
	e.created_at = ctx->now;
	json_t *ev = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:[s, s], s:{s:s, s:s, s:s, s:s}}", "version", "0",
	    "id", e.id, "detail-type", e.detail_type, "source", "certain.deploy", "account",
	    ctx->account, "time", lifecycle_time(ctx->now), "region", ctx->region, "resources",
	    cert_arn, target_arn, "detail", "TargetArn", target_arn, "CertificateArn", cert_arn,
	    "Serial", serial, "Error", error);
	e.body = aws_json_compact(ev, NULL);
	json_decref(ev);
	if (e.body == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	int rc = store_event_add(ctx->store, &e, err);
	store_event_clear(&e);
	return rc;
}

int lifecycle_events_commit(struct store *st, struct cm_err *err)
{
	if (store_commit(st, err) < 0)
		return -1;
	delivery_wake();
	deploy_worker_wake(); /* redeploys a renewal or reimport enqueued */
	return 0;
}
