/* The body of the API fuzz targets: one operation table's request decoding,
 * validation and domain checks, in process against a scratch data folder
 * (SigV4 is fuzzed apart). Input: one byte choosing the operation, then the
 * JSON body. Included by a target that defines FUZZ_API_TABLE. */
#ifndef FUZZ_API_TABLE
#error "define FUZZ_API_TABLE before including api_fuzz.h"
#endif

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/service.h"
#include "iam/accounts.h"
#include "keystore/keystore.h"
#include "store/store.h"

static struct aws_env fuzz_env;
static char fuzz_account[IAM_ACCOUNT_LEN + 1];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static char dir[] = "/tmp/certain-fuzz-XXXXXX";
	char path[256];
	struct cm_err err = {0};
	if (mkdtemp(dir) == NULL)
		abort();
	fuzz_env.keys = keystore_open(dir, true, &err);
	snprintf(path, sizeof(path), "%s/certain.db", dir);
	fuzz_env.store = store_open(path, true, &err);
	if (fuzz_env.keys == NULL || fuzz_env.store == NULL ||
	    iam_account_create(fuzz_env.store, fuzz_account, &err) < 0)
		abort();
	fuzz_env.region = "us-east-1";
	fuzz_env.partition = "aws";
	fuzz_env.acm_validation_zone = "acm-validations.aws";
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n_ops = 0;
	while (FUZZ_API_TABLE[n_ops].target != NULL)
		n_ops++;
	if (size < 1 || n_ops == 0)
		return 0;
	const struct aws_operation *op = &FUZZ_API_TABLE[data[0] % n_ops];
	json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
	if (in == NULL || !json_is_object(in)) {
		json_decref(in);
		return 0;
	}
	struct aws_ctx ctx = {.env = &fuzz_env, .account = fuzz_account, .request_id = "fuzz",
			      .now = 1800000000};
	struct cm_err err = {0};
	json_t *out = NULL;
	int rc = op->fn(&ctx, in, &out, &err);
	/* Success has output; failure has a code and never a server fault. */
	if ((rc == 0 && out == NULL) || (rc < 0 && (err.code == CM_OK)))
		abort();
	json_decref(out);
	json_decref(in);
	return 0;
}
