/* The AWS JSON 1.1 endpoint: what an operation handler receives and returns,
 * and the table row that names it. Handlers decode `in`, call the domain and
 * set `*out`; they never see HTTP or SigV4. */
#ifndef CERTAIN_AWS_SERVICE_H
#define CERTAIN_AWS_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/server.h"
#include "util/err.h"

struct store;
struct keystore;
struct ref_cache;
struct acm_public_cfg;

/* Read-only after start: shared by every request thread. */
struct aws_env {
	struct store *store;
	struct keystore *keys;
	const char *region;
	const char *partition;          /* "aws" */
	unsigned char token_key[32];    /* MAC key for NextTokens */
	struct ref_cache *ca_certs;     /* parsed CA certificates (may be NULL) */
	struct ref_cache *signing_keys; /* derived SigV4 keys (iam; may be NULL) */
	const char *acm_validation_zone; /* suffix of ACM DNS validation CNAME targets */
	const struct acm_public_cfg *acm_public; /* ACME CAs (issue 8); NULL = none */
	bool test_clock;                /* serve --test-clock: the clock API exists */
	const char *data_dir;           /* the data folder (audit reports under audit/) */
};

/* One request's context. */
struct aws_ctx {
	const struct aws_env *env;
	const char *account;     /* the caller's account id (12 digits) */
	const char *request_id;
	int64_t now;             /* clock_now() at arrival */
};

typedef int (*aws_op_fn)(const struct aws_ctx *ctx, json_t *in, json_t **out,
			 struct cm_err *err);

struct aws_operation {
	const char *target;  /* full X-Amz-Target value, e.g. "ACMPrivateCA.IssueCertificate" */
	const char *service; /* SigV4 signing name: "acm-pca" or "acm" */
	aws_op_fn fn;
	/* Only reads the store: the request (its key lookup included) runs in one
	 * read scope (store_read_begin). A write inside would still work. */
	bool read_only;
};

/* Tables of each service's operations, terminated by a NULL target. */
extern const struct aws_operation pca_operations[];
extern const struct aws_operation acm_operations[];
/* Certain's own operations (X-Amz-Target "Certain.*", signing name "certain"). */
extern const struct aws_operation ext_operations[];

/* The HTTP handler for the API listener (ctx is a struct aws_env *). */
void aws_endpoint_handle(void *ctx, const struct http_request *req, struct http_response *resp);

#endif
