/* libFuzzer target: the CSR checks IssueCertificate makes (PEM or DER,
 * signature, key type and size, subject or SAN). Input: the CSR bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "x509/pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_err err = {0};
	X509_REQ *req = x509_csr_parse(data, size, &err);
	/* Every refusal is a MalformedCSR, never another error type. */
	if (req == NULL && err.code != CM_ERR_MALFORMED_CSR)
		abort();
	if (req != NULL) {
		char *pem = x509_req_to_pem(req);
		free(pem);
	}
	X509_REQ_free(req);
	return 0;
}
