/* New access keys in AWS's shapes, so SDKs and tools that check the form of
 * an access key id or a secret accept ours. Drawn from OpenSSL's CSPRNG. */
#ifndef CERTAIN_KEYSTORE_CREDENTIALS_H
#define CERTAIN_KEYSTORE_CREDENTIALS_H

#include <stddef.h>

#define KEYSTORE_AKID_LEN   20
#define KEYSTORE_SECRET_LEN 40

/* akid: "AKIA" + 16 characters of the base32 alphabet [A-Z2-7] (80 bits), as
 * AWS long-term keys look; secret: 40 characters of [A-Za-z0-9+/] (240 bits).
 * Both NUL-terminated. 0, or -1 when the random generator fails (both wiped). */
int keystore_new_access_key(char akid[KEYSTORE_AKID_LEN + 1], char secret[KEYSTORE_SECRET_LEN + 1]);

/* n random characters from `alphabet`, whose length must be a power of two up
 * to 256 (so each byte maps without bias), then a NUL: out holds n + 1. 0 or -1. */
int keystore_random_chars(char *out, size_t n, const char *alphabet);

#endif
