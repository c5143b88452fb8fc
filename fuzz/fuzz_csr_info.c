/* libFuzzer target: the signed part of a CSR. Input: a
 * CertificationRequestInfo (DER); the target signs it with a fixed P-256
 * key (ecdsa-with-SHA256), wraps it into a CertificationRequest and runs the
 * differential check of csr_diff.h, so mutations of the subject, the SPKI
 * and the attributes reach the comparison with a valid signature (the seeds
 * carry this key's SPKI). */
#include <openssl/evp.h>

#include "csr_diff.h"

static const char fuzz_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBpnNOgTiTchCMqBX\n"
    "U67uBsY5iuO/EU7ddCVgPh6IPF6hRANCAARi1JU/mnQ28Mm8yJC8xp8dyVvPOdrC\n"
    "ySk/nZ1BxBOx3NcQLK6F8RwlNLJgpvjiVsf07G//Lm2eehHzbfozspA1\n"
    "-----END PRIVATE KEY-----\n";

static EVP_PKEY *fuzz_key(void)
{
	static EVP_PKEY *key;
	if (key == NULL) {
		BIO *bio = BIO_new_mem_buf(fuzz_key_pem, -1);
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	return key;
}

/* len as a DER length at p; the octets written. */
static size_t fuzz_der_len(unsigned char *p, size_t len)
{
	if (len < 0x80) {
		p[0] = (unsigned char)len;
		return 1;
	}
	size_t n = len < 0x100 ? 1 : len < 0x10000 ? 2 : 3;
	p[0] = (unsigned char)(0x80 | n);
	for (size_t i = 0; i < n; i++)
		p[1 + i] = (unsigned char)(len >> (8 * (n - 1 - i)));
	return 1 + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char alg[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					    0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
	unsigned char sig[80], body[8192], req[8200];
	size_t sig_len = sizeof(sig) - 1, n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (size > 4096 || ctx == NULL || fuzz_key() == NULL ||
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, fuzz_key()) != 1 ||
	    EVP_DigestSign(ctx, sig + 1, &sig_len, data, size) != 1)
		abort(); /* never: signing any bytes works */
	EVP_MD_CTX_free(ctx);
	sig[0] = 0;
	memcpy(body, data, size);
	n = size;
	memcpy(body + n, alg, sizeof(alg));
	n += sizeof(alg);
	body[n++] = 0x03;
	n += fuzz_der_len(body + n, sig_len + 1);
	memcpy(body + n, sig, sig_len + 1);
	n += sig_len + 1;
	req[0] = 0x30;
	size_t h = 1 + fuzz_der_len(req + 1, n);
	memcpy(req + h, body, n);
	csr_diff_check(req, h + n);
	return 0;
}
