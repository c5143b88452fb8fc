/* Deployment targets as a service: create, update and delete targets,
 * associate a certificate (InUseBy in the same transaction) and deploy it,
 * and the one path every deployment takes (deploy_run), whether from the
 * API, after a renewal (the worker), or after an update. Deployments run
 * one at a time in this process: two writers on one target's files would
 * break the rollback of both. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/deploy.h"
#include "lifecycle/events.h"
#include "util/clock.h"
#include "util/log.h"
#include "x509/pem.h"

static pthread_mutex_t deploy_mu = PTHREAD_MUTEX_INITIALIZER;

void deploy_target_arn(const struct acm_ctx *ctx, const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "arn:%s:certain:%s:%s:deployment-target/%s", ctx->partition,
		 ctx->region, ctx->account, id);
}

int deploy_target_id(const char *given, const char *member, char id[40], struct cm_err *err)
{
	const char *slash = strrchr(given, '/');
	const char *uuid = strncmp(given, "arn:", 4) == 0 && slash != NULL ? slash + 1 : given;
	bool ok = strlen(uuid) == 36 && strspn(uuid, "0123456789abcdef-") == 36;
	if (ok && uuid != given)
		ok = strstr(given, ":certain:") != NULL &&
		     strstr(given, ":deployment-target/") != NULL;
	if (!ok)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "1 validation error detected: Value at '%s' failed to satisfy "
			       "constraint: Member must be a deployment target id or ARN",
			       member);
	memcpy(id, uuid, 37);
	return 0;
}

/* The normalised specification as stored (owned), or NULL with *err. */
static char *deploy_spec_text(json_t *spec, struct cm_err *err)
{
	struct deploy_spec s;
	char *text = NULL;
	if (deploy_spec_parse(deploy_config(), spec, &s, err) == 0) {
		json_t *j = deploy_spec_json(&s);
		text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(j);
		if (text == NULL)
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	deploy_spec_clear(&s);
	return text;
}

int deploy_target_create(const struct acm_ctx *ctx, json_t *spec, struct store_deploy_target *out,
			 struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	if ((out->spec_json = deploy_spec_text(spec, err)) == NULL)
		return -1;
	int n = store_deploy_target_count(ctx->store, ctx->account, err);
	if (n < 0)
		return -1;
	if (n >= DEPLOY_TARGETS_MAX)
		return cm_fail(err, CM_ERR_LIMIT_EXCEEDED,
			       "An account may have at most %d deployment targets",
			       DEPLOY_TARGETS_MAX);
	arn_uuid4(out->id);
	snprintf(out->account_id, sizeof(out->account_id), "%s", ctx->account);
	out->created_at = out->updated_at = ctx->now;
	return store_deploy_target_add(ctx->store, out, err);
}

int deploy_target_update(const struct acm_ctx *ctx, const char *id, json_t *spec,
			 struct store_deploy_target *out, struct cm_err *err)
{
	char *text = deploy_spec_text(spec, err);
	if (text == NULL)
		return -1;
	if (store_deploy_target_get(ctx->store, ctx->account, id, out, err) < 0) {
		free(text);
		return -1;
	}
	free(out->spec_json);
	out->spec_json = text;
	out->updated_at = ctx->now;
	/* The files move or change with the specification: redeploy. */
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_deploy_target_update(ctx->store, out, err) < 0 ||
	    store_deploy_job_enqueue_target(ctx->store, out->id, "UPDATE", ctx->now, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	return lifecycle_events_commit(ctx->store, err);
}

int deploy_target_delete(const struct acm_ctx *ctx, const char *id, struct cm_err *err)
{
	struct store_deploy_target t;
	char arn[ARN_MAX];
	int rc = -1;
	if (store_deploy_target_get(ctx->store, ctx->account, id, &t, err) < 0)
		goto out;
	deploy_target_arn(ctx, id, arn, sizeof(arn));
	if (t.cert_id[0] != '\0') {
		cm_fail(err, CM_ERR_RESOURCE_IN_USE,
			"Deployment target %s has a certificate associated: disassociate it first",
			arn);
		goto out;
	}
	rc = store_deploy_target_delete(ctx->store, ctx->account, id, err);
out:
	store_deploy_target_clear(&t);
	return rc;
}

/* Certificates with a key Certain holds: every type. A deployment target is
 * to Certain what an integrated service (a load balancer, CloudFront) is to
 * ACM, which uses public certificates there whether or not they can be
 * exported: the key goes to a server the account configured, in a folder
 * the operator allowed, never back through the API. */
static int deploy_cert_usable(const struct acm_ctx *ctx, const struct store_acm_cert *c,
			      const char *arn, struct cm_err *err)
{
	const char *status = store_acm_effective_status(c, ctx->now);
	if (strcmp(status, "ISSUED") != 0)
		return cm_fail(
		    err, CM_ERR_INVALID_STATE,
		    "Certificate %.300s is %s: only an ISSUED certificate can be deployed", arn,
		    status);
	if (c->key_sealed == NULL || c->cert_der == NULL)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "Certificate %.300s cannot be deployed: Certain holds no key for it",
			       arn);
	return 0;
}

static int deploy_link(const struct acm_ctx *ctx, const struct store_deploy_target *t,
		       const char *cert_id, struct cm_err *err)
{
	char arn[ARN_MAX];
	deploy_target_arn(ctx, t->id, arn, sizeof(arn));
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_deploy_assoc_add(ctx->store, ctx->account, t->id, cert_id, ctx->now, err) < 0 ||
	    store_acm_usage_add(ctx->store, cert_id, arn, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	return store_commit(ctx->store, err);
}

int deploy_associate(const struct acm_ctx *ctx, const char *target_id, const char *cert_arn,
		     struct store_deployment *out, struct cm_err *err)
{
	struct store_deploy_target t;
	struct store_acm_cert c;
	int rc = -1;
	memset(&c, 0, sizeof(c));
	if (store_deploy_target_get(ctx->store, ctx->account, target_id, &t, err) < 0 ||
	    acm_load(ctx, cert_arn, &c, err) < 0 || deploy_cert_usable(ctx, &c, cert_arn, err) < 0)
		goto out;
	if (t.cert_id[0] != '\0' && strcmp(t.cert_id, c.id) != 0) {
		char other[ARN_MAX];
		acm_arn(ctx, t.cert_id, other, sizeof(other));
		cm_fail(err, CM_ERR_RESOURCE_IN_USE,
			"Deployment target %s already serves %s: disassociate it first", target_id,
			other);
		goto out;
	}
	if (t.cert_id[0] == '\0') {
		if (deploy_link(ctx, &t, c.id, err) < 0)
			goto out;
		snprintf(t.cert_id, sizeof(t.cert_id), "%s", c.id);
	}
	rc = deploy_run(ctx, &t, "ASSOCIATE", out, err);
out:
	store_acm_cert_clear(&c);
	store_deploy_target_clear(&t);
	return rc;
}

int deploy_disassociate(const struct acm_ctx *ctx, const char *target_id, struct cm_err *err)
{
	struct store_deploy_target t;
	char arn[ARN_MAX];
	int rc = -1;
	if (store_deploy_target_get(ctx->store, ctx->account, target_id, &t, err) < 0)
		goto out;
	if (t.cert_id[0] == '\0') {
		cm_fail(err, CM_ERR_NOT_FOUND, "Deployment target %s has no certificate",
			target_id);
		goto out;
	}
	deploy_target_arn(ctx, t.id, arn, sizeof(arn));
	if (store_begin(ctx->store, err) < 0)
		goto out;
	if (store_deploy_assoc_remove(ctx->store, ctx->account, t.id, err) < 0 ||
	    store_acm_usage_remove(ctx->store, t.cert_id, arn, err) < 0) {
		store_rollback(ctx->store);
		goto out;
	}
	rc = store_commit(ctx->store, err);
out:
	store_deploy_target_clear(&t);
	return rc;
}

/* --- one deployment ---------------------------------------------------------- */

struct deploy_key_ctx {
	const struct acm_ctx *ctx;
	const struct store_acm_cert *cert;
};

static int deploy_write_key(void *p, int fd, struct cm_err *err)
{
	const struct deploy_key_ctx *k = p;
	return acm_key_write_pem(k->ctx, k->cert, fd, err);
}

/* Loads, checks and writes; the outcome goes to d (result, error). */
static void deploy_do(const struct acm_ctx *ctx, const struct store_deploy_target *t,
		      const struct store_acm_cert *c, struct store_deployment *d)
{
	struct deploy_spec spec;
	struct cm_err err = {0};
	char *cert_pem = NULL, env_t[320], env_c[320], env_s[120], arn[ARN_MAX];
	json_t *j = json_loads(t->spec_json, 0, NULL);
	snprintf(d->result, sizeof(d->result), "FAILED");
	if (deploy_spec_parse(deploy_config(), j, &spec, &err) < 0) {
		snprintf(d->error, sizeof(d->error), "the target is no longer valid: %.400s",
			 err.msg);
		goto out;
	}
	X509 *x = x509_cert_from_der(c->cert_der, c->cert_der_len, &err);
	cert_pem = x != NULL ? x509_cert_to_pem(x) : NULL;
	X509_free(x);
	if (cert_pem == NULL) {
		snprintf(d->error, sizeof(d->error), "cannot read the certificate");
		goto out;
	}
	deploy_target_arn(ctx, t->id, arn, sizeof(arn));
	snprintf(env_t, sizeof(env_t), "CERTAIN_TARGET_ARN=%s", arn);
	acm_arn(ctx, c->id, arn, sizeof(arn));
	snprintf(env_c, sizeof(env_c), "CERTAIN_CERTIFICATE_ARN=%s", arn);
	snprintf(env_s, sizeof(env_s), "CERTAIN_SERIAL=%s", c->serial);
	char *env[] = {env_t, env_c, env_s, NULL};
	struct deploy_key_ctx kc = {ctx, c};
	struct deploy_material m = {cert_pem,	      c->chain_pem, c->cert_der, c->cert_der_len,
				    deploy_write_key, &kc,	    env};
	deploy_apply(deploy_config(), &spec, &m, d->result, d->error, sizeof(d->error));
out:
	free(cert_pem);
	json_decref(j);
	deploy_spec_clear(&spec);
}

/* The record, and on failure the event, in one transaction. */
static int deploy_record(const struct acm_ctx *ctx, const struct store_deployment *d,
			 struct cm_err *err)
{
	char target_arn[ARN_MAX], cert_arn[ARN_MAX];
	deploy_target_arn(ctx, d->target_id, target_arn, sizeof(target_arn));
	acm_arn(ctx, d->cert_id, cert_arn, sizeof(cert_arn));
	bool ok = strcmp(d->result, "SUCCEEDED") == 0;
	log_event(ok ? LOG_INFO : LOG_WARN, "deployment", "target", target_arn, "certificate",
		  cert_arn, "serial", d->serial, "trigger", d->trigger, "result", d->result,
		  "error", d->error, LOG_END);
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_deployment_add(ctx->store, d, err) < 0 ||
	    (!ok && lifecycle_deploy_failed_emit(ctx, target_arn, cert_arn, d->serial, d->error,
						 err) < 0)) {
		store_rollback(ctx->store);
		return -1;
	}
	return lifecycle_events_commit(ctx->store, err);
}

int deploy_run(const struct acm_ctx *ctx, const struct store_deploy_target *t, const char *trigger,
	       struct store_deployment *out, struct cm_err *err)
{
	struct store_acm_cert c;
	memset(out, 0, sizeof(*out));
	if (store_acm_cert_get(ctx->store, ctx->account, t->cert_id, &c, err) < 0)
		return -1;
	arn_uuid4(out->id);
	snprintf(out->account_id, sizeof(out->account_id), "%s", ctx->account);
	snprintf(out->target_id, sizeof(out->target_id), "%s", t->id);
	snprintf(out->cert_id, sizeof(out->cert_id), "%s", c.id);
	snprintf(out->serial, sizeof(out->serial), "%s", c.serial);
	snprintf(out->trigger, sizeof(out->trigger), "%s", trigger);
	pthread_mutex_lock(&deploy_mu);
	out->started_at = clock_now();
	if (c.cert_der == NULL || c.key_sealed == NULL) {
		snprintf(out->result, sizeof(out->result), "FAILED");
		snprintf(out->error, sizeof(out->error),
			 "the certificate has no certificate or key");
	} else {
		deploy_do(ctx, t, &c, out);
	}
	out->finished_at = clock_now();
	pthread_mutex_unlock(&deploy_mu);
	store_acm_cert_clear(&c);
	return deploy_record(ctx, out, err);
}
