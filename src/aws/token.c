/* NextToken encoding and checking: base64url(version | cursor | MAC), where
 * MAC = HMAC-SHA256(key, "certain-next-token\0" account "\0" scope "\0" cursor)
 * cut to 16 bytes. The NUL separators make the MAC input unambiguous, so a
 * token of account "1" scope "23" never passes for account "12" scope "3". */
#include "aws/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"

#define TOKEN_VERSION 0x01
#define TOKEN_MAC_LEN 16
#define TOKEN_RAW_MAX (1 + TOKEN_CURSOR_MAX + TOKEN_MAC_LEN)

static const char token_domain[] = "certain-next-token";

/* The truncated MAC binding cursor to account and scope. */
static int token_mac(const unsigned char key[32], const char *account, const char *scope,
		     const unsigned char *cursor, size_t cursor_len,
		     unsigned char mac[TOKEN_MAC_LEN])
{
	unsigned char full[EVP_MAX_MD_SIZE];
	int rc = -1;
	/* A fresh context per call: no shared state between request threads. */
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
			       OSSL_PARAM_construct_end()};
	size_t out_len = 0;
	if (c == NULL || !EVP_MAC_init(c, key, 32, params) ||
	    !EVP_MAC_update(c, (const unsigned char *)token_domain, sizeof(token_domain)) ||
	    !EVP_MAC_update(c, (const unsigned char *)account, strlen(account) + 1) ||
	    !EVP_MAC_update(c, (const unsigned char *)scope, strlen(scope) + 1) ||
	    !EVP_MAC_update(c, cursor, cursor_len) ||
	    !EVP_MAC_final(c, full, &out_len, sizeof(full)) || out_len < TOKEN_MAC_LEN)
		goto out;
	memcpy(mac, full, TOKEN_MAC_LEN);
	rc = 0;
out:
	OPENSSL_cleanse(full, sizeof(full));
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return rc;
}

char *token_encode(const unsigned char key[32], const char *account, const char *scope,
		   const char *cursor)
{
	unsigned char raw[TOKEN_RAW_MAX];
	size_t len = strlen(cursor);
	char *text = NULL;
	if (len == 0 || len > TOKEN_CURSOR_MAX)
		return NULL;
	raw[0] = TOKEN_VERSION;
	memcpy(raw + 1, cursor, len);
	if (token_mac(key, account, scope, raw + 1, len, raw + 1 + len) < 0)
		return NULL;
	text = malloc(B64URL_ENCODED_LEN(1 + len + TOKEN_MAC_LEN) + 1);
	if (text != NULL)
		b64url_encode(raw, 1 + len + TOKEN_MAC_LEN, text);
	return text;
}

int token_decode(const unsigned char key[32], const char *account, const char *scope,
		 const char *token, char *cursor_out, size_t size, struct cm_err *err)
{
	unsigned char raw[TOKEN_RAW_MAX], mac[TOKEN_MAC_LEN];
	size_t text_len = strlen(token);
	long n;
	if (size > 0)
		cursor_out[0] = '\0';
	/* Refuse by length before decoding: a token is never longer than the
	 * longest one token_encode makes. */
	if (text_len > B64URL_ENCODED_LEN(TOKEN_RAW_MAX))
		goto bad;
	n = b64url_decode(token, text_len, raw, sizeof(raw));
	if (n < 1 + 1 + TOKEN_MAC_LEN || raw[0] != TOKEN_VERSION)
		goto bad;
	size_t len = (size_t)n - 1 - TOKEN_MAC_LEN;
	if (token_mac(key, account, scope, raw + 1, len, mac) < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot check NextToken");
	/* Constant time: a timing oracle on the MAC would let a client forge one. */
	if (CRYPTO_memcmp(mac, raw + 1 + len, TOKEN_MAC_LEN) != 0)
		goto bad;
	/* Authentic, but a cursor with a NUL or one too long for the caller
	 * cannot come from token_encode's callers: refuse it rather than cut it. */
	if (len >= size || memchr(raw + 1, '\0', len) != NULL)
		goto bad;
	memcpy(cursor_out, raw + 1, len);
	cursor_out[len] = '\0';
	return 0;
bad:
	return cm_fail(err, CM_ERR_INVALID_NEXT_TOKEN, "Invalid NextToken");
}
