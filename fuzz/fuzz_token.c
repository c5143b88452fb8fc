/* libFuzzer target: NextToken decoding and the base64/hex decoders under it.
 * Input: the token text. Oracles: whatever decodes re-encodes to the same
 * token; a token only decodes for the account and scope it was made for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/token.h"
#include "util/hex.h"

static const unsigned char fz_key[32] = {7};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char cursor[TOKEN_CURSOR_MAX + 1];
	unsigned char raw[4096];
	struct cm_err err;
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	size_t len = strlen(text);
	if (token_decode(fz_key, "123456789012", "ListTags", text, cursor, sizeof(cursor), &err) ==
	    0) {
		/* Only a MAC forgery gets here: the token must be ours. */
		char *again = token_encode(fz_key, "123456789012", "ListTags", cursor);
		if (again == NULL || strcmp(again, text) != 0)
			abort();
		free(again);
		if (token_decode(fz_key, "123456789013", "ListTags", text, cursor, sizeof(cursor),
				 &err) == 0)
			abort();
	} else if (err.code != CM_ERR_INVALID_NEXT_TOKEN) {
		abort();
	}
	/* The decoders on the same text: a decoded blob re-encodes to it. */
	long n = b64url_decode(text, len, raw, sizeof(raw));
	if (n >= 0) {
		char *enc = malloc(B64URL_ENCODED_LEN((size_t)n) + 1);
		if (enc != NULL &&
		    (b64url_encode(raw, (size_t)n, enc) != len || memcmp(enc, text, len) != 0))
			abort();
		free(enc);
	}
	n = b64_decode_strict(text, len, raw, sizeof(raw));
	if (n >= 0 && ((size_t)n > len || B64_ENCODED_LEN((size_t)n) != len))
		abort();
	n = hex_decode(text, len, raw, sizeof(raw));
	if (n >= 0 && (size_t)n * 2 != len)
		abort();
	/* And a cursor made of the input round-trips. */
	char *t = token_encode(fz_key, "1", "s", text);
	if (t != NULL) {
		if (token_decode(fz_key, "1", "s", t, cursor, sizeof(cursor), &err) != 0 ||
		    strcmp(cursor, text) != 0)
			abort();
		free(t);
	}
	free(text);
	return 0;
}
