/* RequestCertificate (spec acm.md §5.1, §6.2, §6.3): checks the names and
 * options, issues a private certificate at once (the call returns an ISSUED
 * or FAILED certificate) or leaves a public one PENDING_VALIDATION for its
 * DNS records, and records it with its tags in one transaction. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acm/internal.h"
#include "lifecycle/events.h"
#include "util/log.h"

/* Key algorithms RequestCertificate may generate; the others are import-only. */
static const char *const acm_request_key_algs[] = {"RSA_2048", "EC_prime256v1", "EC_secp384r1",
						   NULL};

/* The distinct names, DomainName first, then the SANs in request order. */
static int acm_request_names(const struct acm_request *req, const char **names, size_t *n,
			     struct cm_err *err)
{
	*n = 0;
	names[(*n)++] = req->domain_name;
	for (size_t i = 0; i < req->n_sans; i++) {
		bool dup = false;
		for (size_t j = 0; j < *n && !dup; j++)
			dup = strcasecmp(names[j], req->sans[i]) == 0;
		if (dup)
			continue;
		if (*n >= ACM_MAX_NAMES)
			return cm_fail(err, CM_ERR_LIMIT_EXCEEDED,
				       "A certificate may name at most %d domains", ACM_MAX_NAMES);
		names[(*n)++] = req->sans[i];
	}
	return 0;
}

static int acm_request_dvo(const struct acm_request *req, const char *const *names, size_t n,
			   struct cm_err *err)
{
	for (size_t i = 0; i < req->n_dvo; i++) {
		bool known = false;
		for (size_t j = 0; j < n && !known; j++)
			known = strcasecmp(names[j], req->dvo_names[i]) == 0;
		if (!known)
			return cm_fail(err, CM_ERR_INVALID_DOMAIN,
				       "DomainValidationOption %.253s is not one of the requested "
				       "domain names",
				       req->dvo_names[i]);
		if (!acm_domain_is_self_or_parent(req->dvo_names[i], req->dvo_domains[i]))
			return cm_fail(err, CM_ERR_INVALID_DOMAIN,
				       "ValidationDomain %.253s is not %.253s or a parent domain of it",
				       req->dvo_domains[i], req->dvo_names[i]);
	}
	return 0;
}

static int acm_request_check(const struct acm_request *req, const char **names, size_t *n,
			     struct cm_err *err)
{
	if (acm_domain_check(req->domain_name, "domainName", err) < 0)
		return -1;
	for (size_t i = 0; i < req->n_sans; i++)
		if (acm_domain_check(req->sans[i], "subjectAlternativeNames", err) < 0)
			return -1;
	if (strlen(req->domain_name) > 64)
		return cm_fail(err, CM_ERR_INVALID_PARAMETER,
			       "DomainName %.253s is longer than 64 characters: it becomes the "
			       "certificate's common name",
			       req->domain_name);
	bool key_ok = req->key_alg == NULL;
	for (size_t i = 0; !key_ok && acm_request_key_algs[i] != NULL; i++)
		key_ok = strcmp(req->key_alg, acm_request_key_algs[i]) == 0;
	if (!key_ok)
		return cm_fail(err, CM_ERR_INVALID_PARAMETER,
			       "Key algorithm %s cannot be requested; use RSA_2048, EC_prime256v1 "
			       "or EC_secp384r1 (the others are for imported certificates)",
			       req->key_alg);
	if (req->ca_arn == NULL && req->validation_method != NULL &&
	    strcmp(req->validation_method, "HTTP") == 0)
		return cm_fail(err, CM_ERR_INVALID_PARAMETER,
			       "HTTP validation is only for certificates managed by CLOUDFRONT; "
			       "use DNS validation");
	if (pca_ca_tags_check(req->tags, req->n_tags, err) < 0)
		return -1;
	if (req->ca_arn != NULL) {
		struct arn_ca ca;
		if (arn_parse_ca(req->ca_arn, "certificateAuthorityArn", &ca, err) < 0)
			return -1;
	}
	if (acm_request_names(req, names, n, err) < 0)
		return -1;
	return req->ca_arn == NULL ? acm_request_dvo(req, names, *n, err) : 0;
}

/* {name: ValidationDomain} of DomainValidationOptions (EMAIL), owned; NULL when none. */
static char *acm_validation_json(const struct acm_request *req)
{
	if (req->n_dvo == 0)
		return NULL;
	json_t *obj = json_object();
	for (size_t i = 0; i < req->n_dvo; i++)
		json_object_set_new(obj, req->dvo_names[i], json_string(req->dvo_domains[i]));
	char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	return s;
}

static int acm_request_record(const struct acm_ctx *ctx, const struct acm_request *req,
			      const char *const *names, size_t n, struct store_acm_cert *c,
			      struct cm_err *err)
{
	bool private = req->ca_arn != NULL;
	memset(c, 0, sizeof(*c));
	arn_uuid4(c->id);
	snprintf(c->account_id, sizeof(c->account_id), "%s", ctx->account);
	snprintf(c->type, sizeof(c->type), "%s", private ? "PRIVATE" : "AMAZON_ISSUED");
	snprintf(c->status, sizeof(c->status), "PENDING_VALIDATION");
	snprintf(c->domain_name, sizeof(c->domain_name), "%s", req->domain_name);
	snprintf(c->key_alg, sizeof(c->key_alg), "%s",
		 req->key_alg != NULL ? req->key_alg : "RSA_2048");
	snprintf(c->ca_arn, sizeof(c->ca_arn), "%s", private ? req->ca_arn : "");
	snprintf(c->validation_method, sizeof(c->validation_method), "%s",
		 private ? "" : (req->validation_method != NULL ? req->validation_method : "EMAIL"));
	snprintf(c->ct_logging, sizeof(c->ct_logging), "%s",
		 req->ct_logging != NULL ? req->ct_logging : "ENABLED");
	snprintf(c->export_option, sizeof(c->export_option), "%s",
		 req->export_option != NULL ? req->export_option : "DISABLED");
	snprintf(c->managed_by, sizeof(c->managed_by), "%s",
		 req->managed_by != NULL ? req->managed_by : "");
	c->created_at = ctx->now;
	c->validation_deadline = private ? 0 : ctx->now + ACM_VALIDATION_TIMEOUT;
	c->names_json = acm_names_json(names, n);
	c->validation_json = private ? NULL : acm_validation_json(req);
	if (c->names_json == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return 0;
}

/* The configured ACME CA a public DNS-validated request goes to: the one its
 * ACM_ACME_CA_TAG names, else the default; "" when no ACME CA is configured
 * or the request cannot be validated by ACME (EMAIL). */
static int acm_request_acme_ca(const struct acm_ctx *ctx, const struct acm_request *req,
			       char *out, size_t size, struct cm_err *err)
{
	const struct acm_public_cfg *pc = ctx->public_cfg;
	out[0] = '\0';
	if (pc == NULL || req->ca_arn != NULL || req->validation_method == NULL ||
	    strcmp(req->validation_method, "DNS") != 0)
		return 0;
	const char *want = pc->default_ca;
	for (size_t i = 0; i < req->n_tags; i++)
		if (strcmp(req->tags[i].key, ACM_ACME_CA_TAG) == 0)
			want = req->tags[i].value != NULL ? req->tags[i].value : "";
	for (size_t i = 0; i < pc->n_cas; i++)
		if (strcmp(pc->ca_names[i], want) == 0) {
			snprintf(out, size, "%s", want);
			return 0;
		}
	return cm_fail(err, CM_ERR_VALIDATION,
		       "Tag %s names ACME certificate authority '%.64s', which this server does "
		       "not have configured",
		       ACM_ACME_CA_TAG, want);
}

/* The job that has the ACME worker issue a public certificate, due now. */
static int acm_request_job(const struct acm_ctx *ctx, const struct store_acm_cert *c,
			   const char *ca_name, struct cm_err *err)
{
	struct store_acme_job j = {.attempts = 0, .due_at = ctx->now};
	snprintf(j.cert_id, sizeof(j.cert_id), "%s", c->id);
	snprintf(j.account_id, sizeof(j.account_id), "%s", c->account_id);
	snprintf(j.ca_name, sizeof(j.ca_name), "%s", ca_name);
	snprintf(j.reason, sizeof(j.reason), "ISSUANCE");
	return store_acme_job_put(ctx->store, &j, true, err);
}

/* The record, its tags, its ACME job, the idempotency token and, for an
 * issued certificate, the CA's record of it and its Available event: all or
 * nothing, one commit. 1 when the same token's other request stored first:
 * then nothing is stored, and arn becomes that request's answer. */
static int acm_request_store(const struct acm_ctx *ctx, const struct acm_request *req,
			     const struct store_acm_cert *c, const struct pca_issued *issued,
			     char *arn, size_t arn_size, const char *acme_ca, struct cm_err *err)
{
	struct pca_ctx pctx = acm_pca_ctx(ctx);
	char winner[ARN_MAX] = "";
	struct store_idempotency idem = {.account_id = ctx->account,
					 .scope = "RequestCertificate",
					 .token = req->idempotency_token,
					 .result = arn,
					 .created_at = ctx->now,
					 .not_before = ctx->now - ACM_IDEMPOTENCY_WINDOW,
					 .winner = winner,
					 .winner_size = sizeof(winner)};
	if (store_begin(ctx->store, err) < 0)
		return -1;
	int claimed = req->idempotency_token != NULL ? store_idempotency_claim(ctx->store, &idem, err)
						     : 0;
	if (claimed != 0) {
		store_rollback(ctx->store);
		if (claimed > 0)
			snprintf(arn, arn_size, "%s", winner);
		return claimed;
	}
	if ((issued->rec.der != NULL && pca_issued_store(&pctx, issued, err) < 0) ||
	    store_acm_cert_insert(ctx->store, c, err) < 0 ||
	    (acme_ca[0] != '\0' && acm_request_job(ctx, c, acme_ca, err) < 0))
		goto fail;
	for (size_t i = 0; i < req->n_tags; i++)
		if (store_acm_tag_put(ctx->store, c->id, req->tags[i].key,
				      req->tags[i].value != NULL ? req->tags[i].value : "", err) < 0)
			goto fail;
	if (strcmp(c->status, "ISSUED") == 0 &&
	    lifecycle_event_emit(LIFECYCLE_EVENT_AVAILABLE, ctx, c, "ISSUANCE", err) < 0)
		goto fail;
	return lifecycle_events_commit(ctx->store, err);
fail:
	store_rollback(ctx->store);
	return -1;
}

/* Issues a private certificate before anything is stored: ISSUED, or FAILED
 * with the reason. The record and the CA's record of the certificate are
 * then written once, in one commit, so a crash before it leaves nothing
 * behind: the caller was never given the ARN, nor the certificate anyone. */
static void acm_request_issue(const struct acm_ctx *ctx, struct store_acm_cert *c,
			      struct pca_issued *issued)
{
	const char *reason = NULL;
	struct cm_err issue_err = {0};
	if (acm_issue_private(ctx, c, &reason, issued, &issue_err) == 0) {
		snprintf(c->status, sizeof(c->status), "ISSUED");
		c->issued_at = ctx->now;
		return;
	}
	if (reason == NULL)
		reason = "OTHER";
	log_event(LOG_INFO, "acm certificate failed", "certificate", c->id, "reason", reason,
		  "detail", issue_err.msg, LOG_END);
	snprintf(c->status, sizeof(c->status), "FAILED");
	snprintf(c->failure_reason, sizeof(c->failure_reason), "%s", reason);
}

int acm_request(const struct acm_ctx *ctx, const struct acm_request *req, char *arn_out,
		size_t arn_size, struct cm_err *err)
{
	const char *names[ACM_MAX_NAMES];
	char acme_ca[64];
	size_t n = 0;
	struct store_acm_cert c = {0};
	struct pca_issued issued = {0};
	int rc = -1;
	if (acm_request_check(req, names, &n, err) < 0 ||
	    acm_request_acme_ca(ctx, req, acme_ca, sizeof(acme_ca), err) < 0)
		return -1;
	if (req->idempotency_token != NULL) {
		int found = store_idempotency_get(ctx->store, ctx->account, "RequestCertificate",
						  req->idempotency_token,
						  ctx->now - ACM_IDEMPOTENCY_WINDOW, arn_out, arn_size,
						  err);
		if (found != 0)
			return found < 0 ? -1 : 0;
	}
	if (acm_request_record(ctx, req, names, n, &c, err) < 0)
		goto out;
	acm_arn(ctx, c.id, arn_out, arn_size);
	if (c.ca_arn[0] != '\0')
		acm_request_issue(ctx, &c, &issued);
	int stored = acm_request_store(ctx, req, &c, &issued, arn_out, arn_size, acme_ca, err);
	if (stored < 0)
		goto out;
	if (stored == 0 && acme_ca[0] != '\0' && ctx->public_cfg->wake != NULL)
		ctx->public_cfg->wake();
	rc = 0;
out:
	if (rc < 0 && arn_size > 0)
		arn_out[0] = '\0'; /* not stored, so never answered */
	pca_issued_clear(&issued);
	store_acm_cert_clear(&c);
	return rc;
}
