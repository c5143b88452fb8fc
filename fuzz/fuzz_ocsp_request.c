/* libFuzzer target: the OCSP request parser of the public responder (DER
 * from a POST body, and the base64 GET form). Input: the request bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x509/ocsp.h"

/* Every refusal is malformedRequest (or out of memory), never another error,
 * and a parsed request holds what the header promises. */
static void check(int rc, const struct x509_ocsp_request *req, const struct cm_err *err)
{
	if (rc < 0) {
		if (err->code != CM_ERR_INVALID_REQUEST && err->code != CM_ERR_INTERNAL)
			abort();
		if (req->ids != NULL || req->n_ids != 0)
			abort();
		return;
	}
	if (req->n_ids == 0 || req->n_ids > X509_OCSP_MAX_IDS ||
	    req->nonce_len > X509_OCSP_NONCE_MAX)
		abort();
	for (size_t i = 0; i < req->n_ids; i++) {
		const struct x509_ocsp_certid *id = &req->ids[i];
		size_t n = strlen(id->serial_hex);
		if (n == 0 || n % 2 != 0 || id->name_hash_len > sizeof(id->name_hash) ||
		    id->key_hash_len > sizeof(id->key_hash))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_ocsp_request req;
	struct cm_err err = {0};
	int rc = x509_ocsp_request_parse(data, size, &req, &err);
	check(rc, &req, &err);
	x509_ocsp_request_clear(&req);
	rc = x509_ocsp_request_parse_get((const char *)data, size, &req, &err);
	check(rc, &req, &err);
	x509_ocsp_request_clear(&req);
	return 0;
}
