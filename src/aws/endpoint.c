/* The API listener's request path: request id → route → SigV4 → target →
 * JSON → operation → JSON 1.1 response or {"__type","message"} error, and one
 * log line per request. The processing order follows the AWS one (auth before
 * target before JSON), so an unauthenticated caller learns nothing. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/arn.h"
#include "aws/json_out.h"
#include "aws/service.h"
#include "aws/sigv4.h"
#include "iam/accounts.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

#define AWS_CONTENT_TYPE "application/x-amz-json-1.1"

/* The tables of every service this endpoint speaks, searched in order. */
static const struct aws_operation *const aws_tables[] = {pca_operations, acm_operations,
								ext_operations, NULL};

struct aws_exchange {
	char request_id[40];
	char account[16];
	const char *op_name;
	int status;
	const char *error_type;
};

static const struct aws_operation *aws_find_operation(const char *target)
{
	if (target == NULL)
		return NULL;
	for (size_t t = 0; aws_tables[t] != NULL; t++)
		for (const struct aws_operation *op = aws_tables[t]; op->target != NULL; op++)
			if (strcmp(op->target, target) == 0)
				return op;
	return NULL;
}

static void aws_add_header(struct http_response *resp, const char *name, const char *value)
{
	if (resp->n_headers >= HTTP_MAX_RESPONSE_HEADERS)
		return;
	resp->headers[resp->n_headers].name = name;
	snprintf(resp->headers[resp->n_headers].value, sizeof(resp->headers[0].value), "%s",
		 value);
	resp->n_headers++;
}

static void aws_set_body(struct http_response *resp, struct aws_exchange *x, int status,
			 char *body)
{
	resp->status = status;
	resp->content_type = AWS_CONTENT_TYPE;
	resp->body = body;
	resp->body_len = body != NULL ? strlen(body) : 0;
	aws_add_header(resp, "x-amzn-RequestId", x->request_id);
	x->status = status;
}

static void aws_send_error(struct http_response *resp, struct aws_exchange *x,
			   const struct cm_err *err)
{
	json_t *j = json_pack("{s:s, s:s}", "__type", cm_code_type(err->code), "message",
			      err->msg);
	char *body = aws_json_compact(j, NULL);
	json_decref(j);
	x->error_type = cm_code_type(err->code);
	aws_add_header(resp, "x-amzn-ErrorType", x->error_type);
	aws_set_body(resp, x, cm_code_http_status(err->code), body);
}

/* SigV4 key lookup through the account store and the signing-key cache; the
 * key never leaves this stack frame and the verifier's. */
static int aws_lookup_key(void *ctx, const struct sigv4_auth *auth, unsigned char key[32],
			  char *account_out, size_t account_size)
{
	const struct aws_env *env = ctx;
	struct cm_err err;
	char scope[sizeof(auth->date) + sizeof(auth->region) + sizeof(auth->service)];
	(void)snprintf(scope, sizeof(scope), "%s/%s/%s", auth->date, auth->region, auth->service);
	return iam_access_key_signing_key(env->store, env->keys, env->signing_keys,
					  auth->access_key_id, scope, key, account_out,
					  account_size, &err);
}

static int aws_authenticate(const struct aws_env *env, const struct http_request *req,
			    const struct aws_operation *op, struct aws_exchange *x,
			    struct cm_err *err)
{
	static const char *const any_service[] = {"acm-pca", "acm", "certain", NULL};
	const char *one_service[] = {op != NULL ? op->service : NULL, NULL};
	struct sigv4_request sreq = {
		.method = req->method,
		.path = req->path,
		.query = req->query,
		.headers = req->headers,
		.n_headers = req->n_headers,
		.body = req->body,
		.body_len = req->body_len,
	};
	struct sigv4_result res;
	/* The signer stamped its real clock: checked against ours, not the
	 * (possibly advanced) test clock. */
	if (sigv4_verify(&sreq, op != NULL ? one_service : any_service, env->region,
			 clock_wall_now(), aws_lookup_key, (void *)env, &res, err) < 0)
		return -1;
	snprintf(x->account, sizeof(x->account), "%s", res.account_id);
	return 0;
}

static int aws_parse_body(const struct http_request *req, json_t **out, struct cm_err *err)
{
	json_error_t jerr;
	if (req->body_len == 0) {
		*out = json_object();
		return 0;
	}
	*out = json_loadb((const char *)req->body, req->body_len,
			  JSON_REJECT_DUPLICATES, &jerr);
	if (*out == NULL)
		return cm_fail(err, CM_ERR_SERIALIZATION, "Request body is not valid JSON: %s",
			       jerr.text);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cm_fail(err, CM_ERR_SERIALIZATION, "Request body must be a JSON object");
	}
	return 0;
}

/* Runs one API call once the caller is known; fills resp. */
static void aws_call(const struct aws_env *env, const struct http_request *req,
		     const struct aws_operation *op, struct aws_exchange *x,
		     struct http_response *resp)
{
	struct cm_err err = {0};
	json_t *in = NULL, *out = NULL;
	struct aws_ctx ctx = {
		.env = env, .account = x->account, .request_id = x->request_id, .now = clock_now()};
	if (aws_parse_body(req, &in, &err) < 0 || op->fn(&ctx, in, &out, &err) < 0) {
		if (err.code == CM_OK)
			cm_fail(&err, CM_ERR_INTERNAL, "internal error");
		aws_send_error(resp, x, &err);
		goto out;
	}
	char *body = out != NULL ? aws_json_compact(out, NULL) : strdup("{}");
	if (body == NULL) {
		cm_fail(&err, CM_ERR_INTERNAL, "cannot encode response");
		aws_send_error(resp, x, &err);
		goto out;
	}
	aws_set_body(resp, x, 200, body);
out:
	json_decref(in);
	json_decref(out);
}

/* Authenticates, then runs the operation; a read-only one runs with its key
 * lookup in one read scope of the store. */
static void aws_serve(const struct aws_env *env, const struct http_request *req,
		      const struct aws_operation *op, struct aws_exchange *x,
		      struct http_response *resp)
{
	struct cm_err err = {0};
	bool scoped = op != NULL && op->read_only && store_read_begin(env->store, &err) == 0;
	if (aws_authenticate(env, req, op, x, &err) < 0) {
		aws_send_error(resp, x, &err);
	} else if (op == NULL) {
		cm_fail(&err, CM_ERR_UNKNOWN_OPERATION, "Unknown operation %.100s",
			x->op_name != NULL ? x->op_name : "(no X-Amz-Target)");
		aws_send_error(resp, x, &err);
	} else {
		aws_call(env, req, op, x, resp);
	}
	if (scoped)
		store_read_end(env->store);
}

static void aws_log(const struct aws_exchange *x, const struct http_request *req,
		    int64_t started_ms)
{
	char status[8], ms[24];
	snprintf(status, sizeof(status), "%d", x->status);
	snprintf(ms, sizeof(ms), "%lld", (long long)(clock_monotonic_ms() - started_ms));
	log_event(x->status >= 500 ? LOG_ERROR : LOG_INFO, "request", "request_id",
		  x->request_id, "remote", req->remote_addr != NULL ? req->remote_addr : "",
		  "account", x->account, "op", x->op_name != NULL ? x->op_name : "",
		  "status", status, "error", x->error_type != NULL ? x->error_type : "",
		  "duration_ms", ms, LOG_END);
}

void aws_endpoint_handle(void *ctx, const struct http_request *req, struct http_response *resp)
{
	const struct aws_env *env = ctx;
	struct aws_exchange x = {0};
	struct cm_err err = {0};
	int64_t started = clock_monotonic_ms();
	arn_uuid4(x.request_id);

	/* Unauthenticated liveness probe for load balancers and benchmarks. */
	if (strcmp(req->method, "GET") == 0 && strcmp(req->path, "/ping") == 0) {
		aws_set_body(resp, &x, 200, strdup("{\"status\":\"ok\"}"));
		return;
	}
	const char *target = http_request_header(req, "X-Amz-Target");
	const struct aws_operation *op = aws_find_operation(target);
	x.op_name = target;
	if (req->body_too_large) {
		cm_fail(&err, CM_ERR_PAYLOAD_TOO_LARGE, "Request body is larger than the limit");
		aws_send_error(resp, &x, &err);
	} else if (strcmp(req->method, "POST") != 0 || strcmp(req->path, "/") != 0) {
		cm_fail(&err, CM_ERR_UNKNOWN_OPERATION, "Only POST / is served here");
		aws_send_error(resp, &x, &err);
	} else {
		aws_serve(env, req, op, &x, resp);
	}
	aws_log(&x, req, started);
}
