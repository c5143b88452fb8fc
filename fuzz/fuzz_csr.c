/* libFuzzer target: the CSR checks IssueCertificate makes (PEM or DER,
 * signature, key type and size, subject or SAN), differential against
 * OpenSSL's reader (csr_diff.h). Input: the CSR bytes. Mutations rarely keep
 * a signature valid, so fuzz_csr_info covers the signed part. */
#include "csr_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	csr_diff_check(data, size);
	return 0;
}
