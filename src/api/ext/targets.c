/* Handlers: CreateEventTarget, ListEventTargets, DeleteEventTarget. A target
 * is where an account's events go: a webhook URL (with the secret its
 * requests are signed with, sealed by the keystore and never returned) or the
 * absolute path of a command. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/ext/handlers.h"
#include "aws/arn.h"
#include "aws/jv.h"
#include "keystore/keystore.h"
#include "store/store.h"

#define EXT_ENDPOINT_MAX 2048
#define EXT_SECRET_MIN	 16
#define EXT_SECRET_MAX	 256
/* Every event fans out to every target of the account: a bound on targets
 * is a bound on the work one event makes. */
#define EXT_TARGETS_MAX 100

enum ext_kind { EXT_WEBHOOK, EXT_COMMAND };

static bool ext_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

/* http(s)://host...: the scheme is checked here, so a file:// or gopher://
 * URL can never reach the HTTP client. */
static int ext_check_url(const char *url, struct cm_err *err)
{
	size_t skip = strncasecmp(url, "https://", 8) == 0  ? 8
		      : strncasecmp(url, "http://", 7) == 0 ? 7
							    : 0;
	if (skip == 0)
		return jv_fail_constraint(err, "Endpoint", url,
					  "Member must be an http:// or https:// URL");
	if (strchr("/?#", url[skip]) != NULL || ext_has_control(url))
		return jv_fail_constraint(err, "Endpoint", url,
					  "Member must be a URL with a host and no spaces");
	return 0;
}

static int ext_check_command(const char *path, struct cm_err *err)
{
	if (path[0] != '/' || ext_has_control(path))
		return jv_fail_constraint(err, "Endpoint", path,
					  "Member must be an absolute path without spaces");
	return 0;
}

/* The secret is never echoed back, not even in an error message. */
static int ext_secret(json_t *in, enum ext_kind kind, const char **out, struct cm_err *err)
{
	json_t *v = json_object_get(in, "Secret");
	if (v != NULL && json_is_null(v))
		v = NULL;
	if (kind == EXT_COMMAND && v != NULL)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "1 validation error detected: Value at 'Secret' failed to satisfy "
			       "constraint: Member must be absent for a command target");
	if (kind == EXT_COMMAND)
		return 0;
	if (v == NULL)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "1 validation error detected: Value at 'Secret' failed to satisfy "
			       "constraint: Member must not be null for a webhook target");
	if (!json_is_string(v))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member 'Secret' must be a JSON string");
	size_t len = json_string_length(v);
	if (len < EXT_SECRET_MIN || len > EXT_SECRET_MAX || strlen(json_string_value(v)) != len)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "1 validation error detected: Value at 'Secret' failed to satisfy "
			       "constraint: Member must have length between %d and %d",
			       EXT_SECRET_MIN, EXT_SECRET_MAX);
	*out = json_string_value(v);
	return 0;
}

static void ext_target_arn(const struct aws_ctx *actx, const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "arn:%s:certain:%s:%s:event-target/%s", actx->env->partition,
		 actx->env->region, actx->account, id);
}

int ext_api_target_id(const char *given, const char *member, char id[40], struct cm_err *err)
{
	const char *slash = strrchr(given, '/');
	const char *uuid = strncmp(given, "arn:", 4) == 0 && slash != NULL ? slash + 1 : given;
	size_t len = strlen(uuid);
	bool ok = len == 36 && strspn(uuid, "0123456789abcdef-") == 36;
	if (ok && uuid != given)
		ok = strstr(given, ":event-target/") != NULL;
	if (!ok)
		return jv_fail_constraint(err, member, given,
					  "Member must be an event target id or ARN");
	memcpy(id, uuid, 37);
	return 0;
}

static int ext_target_count(const struct aws_ctx *actx, size_t *n, struct cm_err *err)
{
	struct store_event_target *list = NULL;
	if (store_event_target_list(actx->env->store, actx->account, &list, n, err) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		store_event_target_clear(&list[i]);
	free(list);
	return 0;
}

static int ext_seal(const struct aws_ctx *actx, struct store_event_target *t, const char *secret,
		    struct cm_err *err)
{
	char binding[96];
	snprintf(binding, sizeof(binding), "certain:event-target:%s", t->id);
	return keystore_seal_secret(actx->env->keys, (const unsigned char *)secret, strlen(secret),
				    binding, &t->secret_sealed, &t->secret_sealed_len, err);
}

int ext_api_create_target(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	static const char *const kinds[] = {"webhook", "command", NULL};
	struct store_event_target t = {0};
	const char *endpoint = NULL, *secret = NULL;
	int kind = 0, rc = -1;
	size_t n = 0;
	char arn[ARN_MAX];
	if (jv_enum(in, NULL, "Kind", true, kinds, &kind, NULL, err) < 0 ||
	    jv_string(in, NULL, "Endpoint", true, 1, EXT_ENDPOINT_MAX, &endpoint, err) < 0 ||
	    (kind == EXT_WEBHOOK ? ext_check_url(endpoint, err)
				 : ext_check_command(endpoint, err)) < 0 ||
	    ext_secret(in, (enum ext_kind)kind, &secret, err) < 0)
		return -1;
	if (ext_target_count(actx, &n, err) < 0)
		return -1;
	if (n >= EXT_TARGETS_MAX)
		return cm_fail(err, CM_ERR_LIMIT_EXCEEDED,
			       "An account may have at most %d event targets", EXT_TARGETS_MAX);
	arn_uuid4(t.id);
	snprintf(t.account_id, sizeof(t.account_id), "%s", actx->account);
	snprintf(t.kind, sizeof(t.kind), "%s", kinds[kind]);
	t.endpoint = strdup(endpoint);
	t.created_at = actx->now;
	if (t.endpoint == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if ((secret != NULL && ext_seal(actx, &t, secret, err) < 0) ||
	    store_event_target_add(actx->env->store, &t, err) < 0)
		goto out;
	ext_target_arn(actx, t.id, arn, sizeof(arn));
	*out = json_pack("{s:s, s:s}", "TargetId", t.id, "TargetArn", arn);
	rc = 0;
out:
	store_event_target_clear(&t);
	return rc;
}

int ext_api_list_targets(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct store_event_target *list = NULL;
	size_t n = 0;
	char arn[ARN_MAX];
	(void)in;
	if (store_event_target_list(actx->env->store, actx->account, &list, &n, err) < 0)
		return -1;
	json_t *targets = json_array();
	for (size_t i = 0; i < n; i++) {
		ext_target_arn(actx, list[i].id, arn, sizeof(arn));
		json_array_append_new(targets,
				      json_pack("{s:s, s:s, s:s, s:s, s:I}", "TargetId", list[i].id,
						"TargetArn", arn, "Kind", list[i].kind, "Endpoint",
						list[i].endpoint, "CreatedAt",
						(json_int_t)list[i].created_at));
		store_event_target_clear(&list[i]);
	}
	free(list);
	*out = json_pack("{s:o}", "Targets", targets);
	return 0;
}

int ext_api_delete_target(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	const char *given = NULL;
	char id[40];
	if (jv_string(in, NULL, "TargetId", true, 1, ARN_MAX, &given, err) < 0 ||
	    ext_api_target_id(given, "TargetId", id, err) < 0)
		return -1;
	if (store_event_target_delete(actx->env->store, actx->account, id, err) < 0) {
		if (err->code == CM_ERR_NOT_FOUND)
			cm_fail(err, CM_ERR_NOT_FOUND, "Event target %s not found", id);
		return -1;
	}
	*out = json_object();
	return 0;
}
