/* Handlers: CreateDeploymentTarget, DescribeDeploymentTarget,
 * ListDeploymentTargets, UpdateDeploymentTarget, DeleteDeploymentTarget,
 * AssociateCertificate, DisassociateCertificate, ListDeployments (issue 6).
 * A target's specification is the request body itself (Kind, Files, Owner,
 * Group, Mode, KeyMode, Reload, Check); deploy/ checks it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/acm/common.h"
#include "api/ext/handlers.h"
#include "aws/jv.h"
#include "aws/token.h"
#include "deploy/deploy.h"

#define EXT_DEPLOY_PAGE_DEFAULT 100
#define EXT_DEPLOY_PAGE_MAX	1000

static json_t *ext_deploy_target_json(const struct acm_ctx *ctx,
				      const struct store_deploy_target *t)
{
	char arn[ARN_MAX];
	json_t *j = json_loads(t->spec_json, 0, NULL);
	if (j == NULL)
		j = json_object();
	deploy_target_arn(ctx, t->id, arn, sizeof(arn));
	json_object_set_new(j, "TargetArn", json_string(arn));
	json_object_set_new(j, "TargetId", json_string(t->id));
	json_object_set_new(j, "CreatedAt", json_integer(t->created_at));
	json_object_set_new(j, "UpdatedAt", json_integer(t->updated_at));
	if (t->cert_id[0] != '\0') {
		acm_arn(ctx, t->cert_id, arn, sizeof(arn));
		json_object_set_new(j, "CertificateArn", json_string(arn));
	}
	return j;
}

static json_t *ext_deployment_json(const struct acm_ctx *ctx, const struct store_deployment *d)
{
	char target[ARN_MAX], cert[ARN_MAX];
	deploy_target_arn(ctx, d->target_id, target, sizeof(target));
	acm_arn(ctx, d->cert_id, cert, sizeof(cert));
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "DeploymentId", d->id,
			      "TargetArn", target, "CertificateArn", cert, "Serial", d->serial,
			      "Trigger", d->trigger, "StartedAt", (json_int_t)d->started_at,
			      "FinishedAt", (json_int_t)d->finished_at, "Result", d->result);
	if (j != NULL && d->error[0] != '\0')
		json_object_set_new(j, "Error", json_string(d->error));
	return j;
}

/* The TargetArn member (an ARN or the bare id) as an id. */
static int ext_deploy_target_member(json_t *in, char id[40], struct cm_err *err)
{
	const char *given = NULL;
	if (jv_string(in, NULL, "TargetArn", true, 1, ARN_MAX, &given, err) < 0)
		return -1;
	return deploy_target_id(given, "TargetArn", id, err);
}

int ext_api_create_deploy_target(const struct aws_ctx *actx, json_t *in, json_t **out,
				 struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct store_deploy_target t;
	int rc = deploy_target_create(&ctx, in, &t, err);
	if (rc == 0)
		*out = json_pack("{s:o}", "Target", ext_deploy_target_json(&ctx, &t));
	store_deploy_target_clear(&t);
	return rc;
}

int ext_api_describe_deploy_target(const struct aws_ctx *actx, json_t *in, json_t **out,
				   struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct store_deploy_target t;
	char id[40];
	if (ext_deploy_target_member(in, id, err) < 0)
		return -1;
	int rc = store_deploy_target_get(actx->env->store, actx->account, id, &t, err);
	if (rc == 0)
		*out = json_pack("{s:o}", "Target", ext_deploy_target_json(&ctx, &t));
	store_deploy_target_clear(&t);
	return rc;
}

int ext_api_update_deploy_target(const struct aws_ctx *actx, json_t *in, json_t **out,
				 struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct store_deploy_target t;
	char id[40];
	memset(&t, 0, sizeof(t));
	if (ext_deploy_target_member(in, id, err) < 0)
		return -1;
	int rc = deploy_target_update(&ctx, id, in, &t, err);
	if (rc == 0)
		*out = json_pack("{s:o}", "Target", ext_deploy_target_json(&ctx, &t));
	store_deploy_target_clear(&t);
	return rc;
}

int ext_api_delete_deploy_target(const struct aws_ctx *actx, json_t *in, json_t **out,
				 struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	char id[40];
	if (ext_deploy_target_member(in, id, err) < 0 || deploy_target_delete(&ctx, id, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int ext_api_associate_certificate(const struct aws_ctx *actx, json_t *in, json_t **out,
				  struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct store_deployment d;
	const char *cert = NULL;
	char id[40];
	if (ext_deploy_target_member(in, id, err) < 0 || acm_api_arn(in, &cert, err) < 0 ||
	    deploy_associate(&ctx, id, cert, &d, err) < 0)
		return -1;
	*out = json_pack("{s:o}", "Deployment", ext_deployment_json(&ctx, &d));
	return 0;
}

int ext_api_disassociate_certificate(const struct aws_ctx *actx, json_t *in, json_t **out,
				     struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	char id[40];
	if (ext_deploy_target_member(in, id, err) < 0 || deploy_disassociate(&ctx, id, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

/* MaxResults and the cursor of a NextToken ("" when none). */
static int ext_deploy_page(const struct aws_ctx *actx, json_t *in, const char *scope,
			   long long *max, char *cursor, size_t size, struct cm_err *err)
{
	const char *token = NULL;
	*max = EXT_DEPLOY_PAGE_DEFAULT;
	cursor[0] = '\0';
	if (jv_int(in, NULL, "MaxResults", false, 1, EXT_DEPLOY_PAGE_MAX, max, NULL, err) < 0 ||
	    jv_string(in, NULL, "NextToken", false, 1, 4096, &token, err) < 0)
		return -1;
	if (token != NULL &&
	    token_decode(actx->env->token_key, actx->account, scope, token, cursor, size, err) < 0)
		return -1;
	return 0;
}

/* "<time>|<id>" cursors, as the other Certain lists use. */
static int ext_deploy_cursor(const char *cursor, long long *at, char id[40], struct cm_err *err)
{
	id[0] = '\0';
	*at = 0;
	if (cursor[0] == '\0')
		return 0;
	if (sscanf(cursor, "%lld|%39s", at, id) != 2)
		return cm_fail(err, CM_ERR_INVALID_NEXT_TOKEN, "Invalid NextToken");
	return 0;
}

static int ext_deploy_next(const struct aws_ctx *actx, json_t *out, const char *scope, long long at,
			   const char *id, struct cm_err *err)
{
	char cursor[80];
	snprintf(cursor, sizeof(cursor), "%lld|%s", at, id);
	char *token = token_encode(actx->env->token_key, actx->account, scope, cursor);
	if (token == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encode NextToken");
	json_object_set_new(out, "NextToken", json_string(token));
	free(token);
	return 0;
}

struct ext_deploy_collect {
	const struct acm_ctx *ctx;
	json_t *items;
	long long last_at;
	char last_id[40];
};

static void ext_collect_target(void *p, const struct store_deploy_target *t)
{
	struct ext_deploy_collect *c = p;
	json_array_append_new(c->items, ext_deploy_target_json(c->ctx, t));
	c->last_at = t->created_at;
	snprintf(c->last_id, sizeof(c->last_id), "%s", t->id);
}

static void ext_collect_deployment(void *p, const struct store_deployment *d)
{
	struct ext_deploy_collect *c = p;
	json_array_append_new(c->items, ext_deployment_json(c->ctx, d));
	c->last_at = d->started_at;
	snprintf(c->last_id, sizeof(c->last_id), "%s", d->id);
}

int ext_api_list_deploy_targets(const struct aws_ctx *actx, json_t *in, json_t **out,
				struct cm_err *err)
{
	static const char scope[] = "ListDeploymentTargets";
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct ext_deploy_collect c = {.ctx = &ctx, .items = json_array()};
	char cursor[TOKEN_CURSOR_MAX + 1], after[40];
	long long max, after_at;
	int n = -1;
	if (ext_deploy_page(actx, in, scope, &max, cursor, sizeof(cursor), err) == 0 &&
	    ext_deploy_cursor(cursor, &after_at, after, err) == 0)
		n = store_deploy_target_list(actx->env->store, actx->account, after_at, after,
					     (int)max, ext_collect_target, &c, err);
	if (n < 0) {
		json_decref(c.items);
		return -1;
	}
	*out = json_pack("{s:o}", "Targets", c.items);
	if (n == max && ext_deploy_next(actx, *out, scope, c.last_at, c.last_id, err) < 0)
		return -1;
	return 0;
}

int ext_api_list_deployments(const struct aws_ctx *actx, json_t *in, json_t **out,
			     struct cm_err *err)
{
	static const char scope[] = "ListDeployments";
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct store_deploy_target t;
	struct ext_deploy_collect c = {.ctx = &ctx, .items = NULL};
	char cursor[TOKEN_CURSOR_MAX + 1], before[40], id[40];
	long long max, before_at;
	int n = -1;
	if (ext_deploy_target_member(in, id, err) < 0 ||
	    ext_deploy_page(actx, in, scope, &max, cursor, sizeof(cursor), err) < 0 ||
	    ext_deploy_cursor(cursor, &before_at, before, err) < 0)
		return -1;
	/* An unknown target is NotFound, not an empty list. */
	if (store_deploy_target_get(actx->env->store, actx->account, id, &t, err) < 0)
		return -1;
	store_deploy_target_clear(&t);
	c.items = json_array();
	n = store_deployment_list(actx->env->store, actx->account, id, before_at, before, (int)max,
				  ext_collect_deployment, &c, err);
	if (n < 0) {
		json_decref(c.items);
		return -1;
	}
	*out = json_pack("{s:o}", "Deployments", c.items);
	if (n == max && ext_deploy_next(actx, *out, scope, c.last_at, c.last_id, err) < 0)
		return -1;
	return 0;
}
