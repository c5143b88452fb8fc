/* The hashing half of SigV4: payload hash, string to sign, the derived signing
 * key and the signature. No shared mutable contexts, so request threads never
 * contend; algorithms fetched once (util/algs.h); every intermediate key wiped. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "util/algs.h"
#include "util/hex.h"

void sigv4_payload_hash(const unsigned char *body, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int md_len = 0;
	static const unsigned char empty[1] = {0};
	if (EVP_Digest(body != NULL ? body : empty, body != NULL ? len : 0, md, &md_len,
		       algs_sha256(), NULL) != 1 ||
	    md_len != sizeof(md)) {
		/* Cannot happen short of a broken OpenSSL; an impossible hash makes
		 * every signature fail rather than pass. */
		memset(hex, 'x', 64);
		hex[64] = '\0';
		return;
	}
	hex_encode(md, sizeof(md), hex);
}

char *sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request)
{
	char hash[65];
	sigv4_payload_hash((const unsigned char *)canonical_request, strlen(canonical_request),
			   hash);
	size_t size = sizeof(SIGV4_ALGORITHM) + strlen(amz_date) + strlen(scope) + 64 + 4;
	char *out = malloc(size);
	if (out != NULL)
		(void)snprintf(out, size, "%s\n%s\n%s\n%s", SIGV4_ALGORITHM, amz_date, scope, hash);
	return out;
}

static int sigv4_hmac(const unsigned char *key, size_t key_len, const void *data, size_t len,
		      unsigned char out[32])
{
	return algs_hmac_sha256(key, key_len, data, len, out);
}

int sigv4_signing_key(const char *secret, const char *date, const char *region, const char *service,
		      unsigned char key[32])
{
	/* Two buffers, so no HMAC call writes over the key it is reading. */
	unsigned char k_secret[4 + SIGV4_SECRET_MAX], k1[32], k2[32];
	size_t slen = strlen(secret);
	int rc = -1;
	if (slen > SIGV4_SECRET_MAX)
		return -1;
	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, secret, slen);
	if (sigv4_hmac(k_secret, 4 + slen, date, strlen(date), k1) < 0 ||
	    sigv4_hmac(k1, 32, region, strlen(region), k2) < 0 ||
	    sigv4_hmac(k2, 32, service, strlen(service), k1) < 0 ||
	    sigv4_hmac(k1, 32, "aws4_request", 12, key) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(k_secret, sizeof(k_secret));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return rc;
}

int sigv4_signature(const unsigned char key[32], const char *string_to_sign, unsigned char sig[32])
{
	return sigv4_hmac(key, 32, string_to_sign, strlen(string_to_sign), sig);
}
