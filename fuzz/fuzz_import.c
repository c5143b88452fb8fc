/* libFuzzer target: the ImportCertificate checks (x509_import_check) on
 * hostile certificate, key and chain fields. Input: certificate "\n@@\n" key,
 * optionally followed by "\n@@\n" chain (no separator: the whole input is
 * the certificate and the key is empty). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x509/leaf.h"

#define FUZZ_SEP     "\n@@\n"
#define FUZZ_SEP_LEN (sizeof(FUZZ_SEP) - 1)
/* The seeds in fuzz/corpus/import are valid at this moment (2026-01-01). */
#define FUZZ_NOW ((int64_t)1767225600)

/* The part of [*p, end) up to the next separator; advances *p past it.
 * *more tells whether a separator was found. */
static size_t fuzz_part(const uint8_t **p, const uint8_t *end, int *more)
{
	const uint8_t *sep = memmem(*p, (size_t)(end - *p), FUZZ_SEP, FUZZ_SEP_LEN);
	size_t len = sep != NULL ? (size_t)(sep - *p) : (size_t)(end - *p);
	*more = sep != NULL;
	*p = sep != NULL ? sep + FUZZ_SEP_LEN : end;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct x509_import_input in = {0};
	struct x509_import im;
	struct cm_err err = {0};
	int more = 0;
	if (size == 0)
		return 0;
	in.cert = p;
	in.cert_len = fuzz_part(&p, end, &more);
	in.key = p;
	in.key_len = more ? fuzz_part(&p, end, &more) : 0;
	if (more) {
		in.chain = p;
		in.chain_len = (size_t)(end - p);
	}
	if (x509_import_check(&in, FUZZ_NOW, &im, &err) < 0) {
		/* Bad input is a ValidationException, never anything else. */
		if (err.code != CM_ERR_VALIDATION || im.cert != NULL || im.key != NULL)
			abort();
		return 0;
	}
	if (im.cert == NULL || im.key == NULL || (in.chain != NULL) != (im.chain != NULL))
		abort();
	x509_import_clear(&im);
	return 0;
}
