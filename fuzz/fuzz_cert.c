/* libFuzzer target: certificate and chain import (PEM and DER), and what is
 * read back from a parsed certificate. Input: the certificate bytes; the
 * first byte chooses single-certificate or chain parsing. */
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>

#include "x509/info.h"
#include "x509/pem.h"

static void fuzz_inspect(X509 *cert)
{
	struct x509_cert_info info;
	struct cm_err err = {0};
	size_t len = 0;
	if (x509_cert_info_get(cert, &info, &err) == 0)
		x509_cert_info_clear(&info);
	free(x509_cert_to_der(cert, &len));
	free(x509_cert_to_pem(cert));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_err err = {0};
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		STACK_OF(X509) *chain = x509_chain_parse(data + 1, size - 1, &err);
		if (chain == NULL && err.code != CM_ERR_MALFORMED_CERTIFICATE)
			abort();
		for (int i = 0; i < sk_X509_num(chain); i++)
			fuzz_inspect(sk_X509_value(chain, i));
		free(x509_chain_to_pem(chain));
		sk_X509_pop_free(chain, X509_free);
		return 0;
	}
	X509 *cert = x509_cert_parse(data + 1, size - 1, &err);
	if (cert == NULL && err.code != CM_ERR_MALFORMED_CERTIFICATE)
		abort();
	if (cert != NULL)
		fuzz_inspect(cert);
	X509_free(cert);
	return 0;
}
