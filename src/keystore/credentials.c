/* Access key ids and secrets drawn from the CSPRNG in AWS's shapes. Alphabets
 * of 32 and 64 symbols divide 256, so masking a random byte is unbiased. */
#include "keystore/credentials.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

static const char cred_base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char cred_secret[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int keystore_random_chars(char *out, size_t n, const char *alphabet)
{
	unsigned char r[64];
	size_t size = strlen(alphabet);
	/* Only powers of two map a byte without bias. */
	if (size == 0 || size > 256 || (size & (size - 1)) != 0)
		return -1;
	for (size_t done = 0; done < n;) {
		size_t chunk = n - done < sizeof(r) ? n - done : sizeof(r);
		if (RAND_bytes(r, (int)chunk) != 1) {
			OPENSSL_cleanse(r, sizeof(r));
			OPENSSL_cleanse(out, n);
			return -1;
		}
		for (size_t i = 0; i < chunk; i++)
			out[done + i] = alphabet[r[i] & (size - 1)];
		done += chunk;
	}
	out[n] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

int keystore_new_access_key(char akid[KEYSTORE_AKID_LEN + 1], char secret[KEYSTORE_SECRET_LEN + 1])
{
	/* "AKIA" marks a long-term key, as in AWS; some tools check the prefix. */
	memcpy(akid, "AKIA", 4);
	if (keystore_random_chars(akid + 4, KEYSTORE_AKID_LEN - 4, cred_base32) < 0 ||
	    keystore_random_chars(secret, KEYSTORE_SECRET_LEN, cred_secret) < 0) {
		OPENSSL_cleanse(akid, KEYSTORE_AKID_LEN + 1);
		OPENSSL_cleanse(secret, KEYSTORE_SECRET_LEN + 1);
		return -1;
	}
	return 0;
}
