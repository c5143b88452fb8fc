/* DeleteCertificate, RenewCertificate, UpdateCertificateOptions and
 * RevokeCertificate (spec acm.md §5.7, §5.8, §5.11, §5.13). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "util/log.h"

int acm_delete(const struct acm_ctx *ctx, const char *arn, struct cm_err *err)
{
	struct store_acm_cert c;
	char **users = NULL;
	size_t n = 0;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (store_acm_usage_list(ctx->store, c.id, &users, &n, err) < 0)
		goto out;
	if (n > 0) {
		cm_fail(err, CM_ERR_RESOURCE_IN_USE,
			"Certificate %.300s is in use by %.300s and cannot be deleted", arn,
			users[0]);
		goto out;
	}
	/* The row holds the only copy of the sealed key: deleting it is for good. */
	rc = store_acm_cert_delete(ctx->store, ctx->account, c.id, err);
out:
	store_strings_free(users, n);
	store_acm_cert_clear(&c);
	return rc;
}

/* RenewalSummary without its DomainValidationOptions (those are derived). */
static char *acm_renewal_json(const char *status, const char *reason, int64_t now)
{
	json_t *o = json_pack("{s:s, s:I}", "RenewalStatus", status, "UpdatedAt", (json_int_t)now);
	if (reason != NULL)
		json_object_set_new(o, "RenewalStatusReason", json_string(reason));
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void acm_set_renewal(struct store_acm_cert *c, const char *status, const char *reason,
			    int64_t now)
{
	free(c->renewal_json);
	c->renewal_json = acm_renewal_json(status, reason, now);
}

/* A new key and certificate under the same ARN; the old serial goes to the
 * history so it can still be revoked. On a CA problem the certificate keeps
 * its current material and the summary says why (spec §6.7). */
static int acm_renew_private(const struct acm_ctx *ctx, struct store_acm_cert *c,
			     struct cm_err *err)
{
	struct store_acm_history h = {0};
	snprintf(h.cert_id, sizeof(h.cert_id), "%s", c->id);
	snprintf(h.serial, sizeof(h.serial), "%s", c->serial);
	snprintf(h.ca_arn, sizeof(h.ca_arn), "%s", c->ca_arn);
	h.not_before = c->not_before;
	h.not_after = c->not_after;
	h.replaced_at = ctx->now;
	const char *reason = NULL;
	struct cm_err issue_err = {0};
	struct store_acm_cert next = *c;
	/* Issue into a copy that shares nothing owned: on failure *c is intact. */
	next.names_json = c->names_json != NULL ? strdup(c->names_json) : NULL;
	next.validation_json = NULL; /* private certificates have none */
	next.key_sealed = NULL;
	next.cert_der = NULL;
	next.chain_pem = NULL;
	next.subject = NULL;
	next.issuer = NULL;
	next.eku_json = NULL;
	next.renewal_json = NULL;
	if (acm_issue_private(ctx, &next, &reason, &issue_err) < 0) {
		log_event(LOG_INFO, "acm renewal failed", "certificate", c->id, "reason",
			  reason != NULL ? reason : "OTHER", "detail", issue_err.msg, LOG_END);
		store_acm_cert_clear(&next);
		acm_set_renewal(c, "PENDING_AUTO_RENEWAL", reason != NULL ? reason : "OTHER",
				ctx->now);
		return store_acm_cert_update(ctx->store, c, err);
	}
	next.issued_at = ctx->now;
	next.exported = false; /* eligible again once exported again (§6.2) */
	acm_set_renewal(&next, "SUCCESS", NULL, ctx->now);
	int rc = -1;
	if (store_begin(ctx->store, err) == 0) {
		if (store_acm_history_add(ctx->store, &h, err) == 0 &&
		    store_acm_cert_update(ctx->store, &next, err) == 0)
			rc = store_commit(ctx->store, err);
		else
			store_rollback(ctx->store);
	}
	store_acm_cert_clear(&next);
	return rc;
}

int acm_renew(const struct acm_ctx *ctx, const char *arn, struct cm_err *err)
{
	struct store_acm_cert c;
	struct acm_view v;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (acm_view_get(ctx, &c, &v, err) < 0)
		goto out;
	if (strcmp(c.type, "IMPORTED") == 0) {
		cm_fail(err, CM_ERR_VALIDATION,
			"Certificate ARN %.300s is an imported certificate and cannot be renewed",
			arn);
	} else if (strcmp(v.status, "PENDING_VALIDATION") == 0) {
		cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS, "Certificate %.300s is not yet issued", arn);
	} else if (!v.renewal_eligible) {
		cm_fail(err, CM_ERR_VALIDATION,
			"Certificate ARN %.300s has not been exported so it is not eligible for the "
			"Renew Certificate API.",
			arn);
	} else if (strcmp(c.type, "PRIVATE") != 0) {
		/* Public renewal needs the ACME client (issue: public certificates). */
		cm_fail(err, CM_ERR_VALIDATION,
			"Certificate ARN %.300s is a public certificate; this server renews only "
			"private certificates so far",
			arn);
	} else {
		rc = acm_renew_private(ctx, &c, err);
	}
	acm_view_clear(&v);
out:
	store_acm_cert_clear(&c);
	return rc;
}

int acm_update_options(const struct acm_ctx *ctx, const char *arn, const char *ct_logging,
		       const char *export_option, struct cm_err *err)
{
	struct store_acm_cert c;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (strcmp(c.type, "PRIVATE") == 0 || strcmp(c.type, "IMPORTED") == 0) {
		cm_fail(err, CM_ERR_INVALID_STATE,
			"The UpdateCertificateOptions command is not permitted for %s certificates.",
			strcmp(c.type, "PRIVATE") == 0 ? "private" : "imported");
	} else if (strcmp(store_acm_effective_status(&c, ctx->now), "ISSUED") != 0) {
		cm_fail(err, CM_ERR_INVALID_STATE, "Certificate %.300s is not ISSUED", arn);
	} else if (export_option != NULL && strcmp(export_option, c.export_option) != 0) {
		cm_fail(err, CM_ERR_VALIDATION,
			"The Export option is fixed when the certificate is requested");
	} else {
		if (ct_logging != NULL)
			snprintf(c.ct_logging, sizeof(c.ct_logging), "%s", ct_logging);
		rc = store_acm_cert_update(ctx->store, &c, err);
	}
	store_acm_cert_clear(&c);
	return rc;
}

/* Reasons a Private CA accepts in RevokeCertificate. */
static bool acm_pca_reason(const char *reason)
{
	return strcmp(reason, "CERTIFICATE_HOLD") != 0 && strcmp(reason, "REMOVE_FROM_CRL") != 0;
}

int acm_revoke(const struct acm_ctx *ctx, const char *arn, const char *reason,
	       struct cm_err *err)
{
	struct store_acm_cert c;
	struct acm_view v;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	if (acm_view_get(ctx, &c, &v, err) < 0)
		goto out;
	if (strcmp(c.type, "IMPORTED") == 0 || !c.exported) {
		cm_fail(err, CM_ERR_VALIDATION,
			"Certificate %.300s was never exported or is imported: it cannot be revoked",
			arn);
	} else if (v.n_in_use_by > 0) {
		cm_fail(err, CM_ERR_RESOURCE_IN_USE, "Certificate %.300s is in use", arn);
	} else if (strcmp(c.status, "REVOKED") == 0) {
		cm_fail(err, CM_ERR_CONFLICT, "Certificate %.300s is already revoked", arn);
	} else if (strcmp(c.type, "PRIVATE") == 0 && !acm_pca_reason(reason)) {
		cm_fail(err, CM_ERR_VALIDATION,
			"Revocation reason %s is not supported by the issuing certificate authority",
			reason);
	} else {
		struct pca_ctx pctx = acm_pca_ctx(ctx);
		/* The CA's record makes it reach the CRL and OCSP. PCA spells two
		 * reasons differently from ACM. */
		const char *pca_reason = strcmp(reason, "SUPERCEDED") == 0	? "SUPERSEDED"
					 : strcmp(reason, "CA_COMPROMISE") == 0 ? "CERTIFICATE_AUTHORITY_COMPROMISE"
										: reason;
		if (strcmp(c.type, "PRIVATE") != 0 ||
		    pca_revoke(&pctx, c.ca_arn, c.serial, pca_reason, err) == 0) {
			snprintf(c.status, sizeof(c.status), "REVOKED");
			snprintf(c.revocation_reason, sizeof(c.revocation_reason), "%s", reason);
			c.revoked_at = ctx->now;
			rc = store_acm_cert_update(ctx->store, &c, err);
		}
	}
	acm_view_clear(&v);
out:
	store_acm_cert_clear(&c);
	return rc;
}
