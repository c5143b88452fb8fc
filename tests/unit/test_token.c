/* NextTokens: a token round-trips only for the account, operation and key it
 * was made for; forged, foreign, truncated and oversized ones are all
 * InvalidNextTokenException "Invalid NextToken". */
#include <stdlib.h>

#include "aws/token.h"
#include "harness.h"
#include "util/hex.h"

static const unsigned char tk_key[32] = {1,  2,	 3,  4,	 5,  6,	 7,  8,	 9,  10, 11,
					 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
					 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
#define TK_ACCOUNT "111122223333"
#define TK_SCOPE   "ListCertificateAuthorities"
#define TK_CURSOR  "1732670000|0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

/* Decodes and reports whether it was refused with the right code and text. */
static int tk_refused(const unsigned char *key, const char *account, const char *scope,
		      const char *token)
{
	char cursor[128] = "x";
	struct cm_err err = {0};
	int rc = token_decode(key, account, scope, token, cursor, sizeof(cursor), &err);
	return rc < 0 && err.code == CM_ERR_INVALID_NEXT_TOKEN &&
	       strcmp(err.msg, "Invalid NextToken") == 0 && cursor[0] == '\0';
}

TEST(token_round_trip)
{
	char cursor[128];
	struct cm_err err = {0};
	char *t = token_encode(tk_key, TK_ACCOUNT, TK_SCOPE, TK_CURSOR);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	/* URL-safe text without padding: clients pass it back as is. */
	CHECK(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	      strlen(t));
	CHECK(token_decode(tk_key, TK_ACCOUNT, TK_SCOPE, t, cursor, sizeof(cursor), &err) == 0);
	CHECK_STR_EQ(cursor, TK_CURSOR);
	/* Deterministic: the same page gives the same token. */
	char *again = token_encode(tk_key, TK_ACCOUNT, TK_SCOPE, TK_CURSOR);
	CHECK_STR_EQ(again, t);
	free(again);
	free(t);
}

TEST(token_bound_to_account_scope_key)
{
	unsigned char other_key[32];
	memcpy(other_key, tk_key, 32);
	other_key[31] ^= 1;
	char *t = token_encode(tk_key, TK_ACCOUNT, TK_SCOPE, TK_CURSOR);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(tk_refused(tk_key, "444455556666", TK_SCOPE, t));
	CHECK(tk_refused(tk_key, TK_ACCOUNT, "ListTags", t));
	CHECK(tk_refused(other_key, TK_ACCOUNT, TK_SCOPE, t));
	free(t);
	/* The MAC input is unambiguous: moving a character between account and
	 * scope does not keep the token valid. */
	t = token_encode(tk_key, "1", "23", "c");
	CHECK(t != NULL && tk_refused(tk_key, "12", "3", t));
	free(t);
}

TEST(token_forged)
{
	char *t = token_encode(tk_key, TK_ACCOUNT, TK_SCOPE, TK_CURSOR);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	size_t len = strlen(t);
	/* Every single-character change is refused (cursor, MAC or version). */
	for (size_t i = 0; i < len; i++) {
		char saved = t[i];
		t[i] = saved == 'A' ? 'B' : 'A';
		CHECK(tk_refused(tk_key, TK_ACCOUNT, TK_SCOPE, t));
		t[i] = saved;
	}
	/* A client-built token: the version byte and a cursor, with a zero MAC. */
	unsigned char raw[1 + sizeof(TK_CURSOR) - 1 + 16] = {0x01};
	char text[B64URL_ENCODED_LEN(sizeof(raw)) + 1];
	memcpy(raw + 1, TK_CURSOR, sizeof(TK_CURSOR) - 1);
	b64url_encode(raw, sizeof(raw), text);
	CHECK(tk_refused(tk_key, TK_ACCOUNT, TK_SCOPE, text));
	/* Truncated and extended. */
	t[len - 2] = '\0';
	CHECK(tk_refused(tk_key, TK_ACCOUNT, TK_SCOPE, t));
	free(t);
}

TEST(token_garbage)
{
	const char *bad[] = {"", "=", "abc=", "a b", "!!!!", "AAAA", "AQ", "not a token", NULL};
	for (int i = 0; bad[i] != NULL; i++)
		CHECK(tk_refused(tk_key, TK_ACCOUNT, TK_SCOPE, bad[i]));
	/* Far too long, refused before decoding. */
	char *big = malloc(100001);
	memset(big, 'A', 100000);
	big[100000] = '\0';
	CHECK(tk_refused(tk_key, TK_ACCOUNT, TK_SCOPE, big));
	free(big);
}

TEST(token_cursor_limits)
{
	char small[8], cursor[TOKEN_CURSOR_MAX + 1];
	struct cm_err err = {0};
	CHECK(token_encode(tk_key, TK_ACCOUNT, TK_SCOPE, "") == NULL);
	memset(cursor, 'c', TOKEN_CURSOR_MAX);
	cursor[TOKEN_CURSOR_MAX] = '\0';
	char *t = token_encode(tk_key, TK_ACCOUNT, TK_SCOPE, cursor);
	CHECK(t != NULL);
	/* Authentic but longer than the caller's buffer: refused, never cut. */
	CHECK(t != NULL &&
	      token_decode(tk_key, TK_ACCOUNT, TK_SCOPE, t, small, sizeof(small), &err) < 0 &&
	      err.code == CM_ERR_INVALID_NEXT_TOKEN);
	free(t);
	char over[TOKEN_CURSOR_MAX + 2];
	memset(over, 'c', TOKEN_CURSOR_MAX + 1);
	over[TOKEN_CURSOR_MAX + 1] = '\0';
	CHECK(token_encode(tk_key, TK_ACCOUNT, TK_SCOPE, over) == NULL);
}

/* The wire format, pinned: base64url(0x01 | cursor | HMAC-SHA256(key,
 * "certain-next-token\0" account "\0" scope "\0" cursor)[0..16)), computed
 * independently (Python hmac). A change here breaks tokens clients hold. */
TEST(token_known_answer)
{
	static const unsigned char key[32] = {7};
	char *t = token_encode(key, "123456789012", "ListTags", "k");
	CHECK_STR_EQ(t, "AWv4SiRscZ_vypEiaYnqvKcv");
	free(t);
}
