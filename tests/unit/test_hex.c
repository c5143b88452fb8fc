/* Hex and base64: RFC 4648 §10 vectors, and every kind of text the strict
 * decoders must refuse. */
#include <stdlib.h>

#include "harness.h"
#include "util/hex.h"

static const char *const rfc_plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const rfc_b64[] = {"",	  "Zg==",     "Zm8=",	 "Zm9v",
				      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *const rfc_b64url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

TEST(hex_round_trip)
{
	unsigned char in[] = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff}, back[8];
	char out[13];
	hex_encode(in, sizeof(in), out);
	CHECK_STR_EQ(out, "0001abcdefff");
	CHECK(hex_decode(out, 12, back, sizeof(back)) == 6 && memcmp(back, in, 6) == 0);
	CHECK(hex_decode("0001ABCDEFFF", 12, back, sizeof(back)) == 6 && memcmp(back, in, 6) == 0);
	hex_encode(in, 0, out);
	CHECK_STR_EQ(out, "");
	CHECK(hex_decode("", 0, back, 0) == 0);
}

TEST(hex_decode_refuses)
{
	unsigned char b[4];
	CHECK(hex_decode("abc", 3, b, sizeof(b)) < 0); /* odd */
	CHECK(hex_decode("zz", 2, b, sizeof(b)) < 0);  /* not hex */
	CHECK(hex_decode("0 ", 2, b, sizeof(b)) < 0);  /* whitespace */
	CHECK(hex_decode("0011223344", 10, b, 4) < 0); /* too small out */
	CHECK(hex_decode("-1", 2, b, sizeof(b)) < 0);
}

TEST(hex_b64_rfc4648_vectors)
{
	for (size_t i = 0; i < 7; i++) {
		size_t n = strlen(rfc_plain[i]);
		char out[16];
		unsigned char back[16];
		CHECK(b64_encode((const unsigned char *)rfc_plain[i], n, out) ==
		      B64_ENCODED_LEN(n));
		CHECK_STR_EQ(out, rfc_b64[i]);
		CHECK(b64_decode_strict(out, strlen(out), back, sizeof(back)) == (long)n);
		CHECK(memcmp(back, rfc_plain[i], n) == 0);
		CHECK(b64url_encode((const unsigned char *)rfc_plain[i], n, out) ==
		      B64URL_ENCODED_LEN(n));
		CHECK_STR_EQ(out, rfc_b64url[i]);
		CHECK(b64url_decode(out, strlen(out), back, sizeof(back)) == (long)n);
		CHECK(memcmp(back, rfc_plain[i], n) == 0);
	}
}

TEST(hex_b64_alphabets)
{
	const unsigned char in[] = {0xfb, 0xff, 0xbf};
	char out[8];
	unsigned char back[4];
	b64_encode(in, 3, out);
	CHECK_STR_EQ(out, "+/+/");
	b64url_encode(in, 3, out);
	CHECK_STR_EQ(out, "-_-_");
	CHECK(b64_decode_strict("-_-_", 4, back, sizeof(back)) < 0);
	CHECK(b64url_decode("+/+/", 4, back, sizeof(back)) < 0);
}

TEST(hex_b64_strict_refuses)
{
	unsigned char b[32];
	const char *bad[] = {
	    "Zg",	 /* padding missing */
	    "Zg=",	 /* length not a multiple of 4 */
	    "Zg===",	 /* too much padding */
	    "Z===",	 /* a 1-character group */
	    "====",	 /* padding only */
	    "Zm 9v",	 /* whitespace inside */
	    "Zm9v\n",	 /* trailing newline */
	    " Zm9v",	 /* leading space */
	    "Zm=v",	 /* padding in the middle */
	    "Zg==Zg==",	 /* padding before the end */
	    "Zm9*",	 /* not in the alphabet */
	    "Zm9v\0AAA", /* NUL */
	    NULL,
	};
	for (int i = 0; bad[i] != NULL; i++) {
		size_t len = strlen(bad[i]);
		if (i == 11)
			len = 8;
		CHECK(b64_decode_strict(bad[i], len, b, sizeof(b)) < 0);
	}
	/* Out too small. */
	CHECK(b64_decode_strict("Zm9vYmFy", 8, b, 5) < 0);
	CHECK(b64_decode_strict("Zm9vYmFy", 8, b, 6) == 6);
	/* Non-zero unused bits are tolerated on the JSON edge (RFC 4648 §3.5). */
	CHECK(b64_decode_strict("Zh==", 4, b, sizeof(b)) == 1 && b[0] == 'f');
}

TEST(hex_b64url_refuses)
{
	unsigned char b[32];
	CHECK(b64url_decode("Zg==", 4, b, sizeof(b)) < 0); /* padding */
	CHECK(b64url_decode("Z", 1, b, sizeof(b)) < 0);	   /* 1 mod 4 */
	CHECK(b64url_decode("Zh", 2, b, sizeof(b)) < 0);   /* unused bits set */
	CHECK(b64url_decode("Zm9", 3, b, sizeof(b)) < 0);  /* unused bits set */
	CHECK(b64url_decode("Zm8", 3, b, sizeof(b)) == 2);
	CHECK(b64url_decode("Zm 9", 4, b, sizeof(b)) < 0);
	CHECK(b64url_decode("Zm9vYmFy", 8, b, 5) < 0);
}

TEST(hex_b64_round_trip_all_lengths)
{
	unsigned char in[64], back[64];
	char out[B64_ENCODED_LEN(64) + 1];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof(in); n++) {
		b64_encode(in, n, out);
		CHECK(b64_decode_strict(out, strlen(out), back, sizeof(back)) == (long)n &&
		      memcmp(in, back, n) == 0);
		b64url_encode(in, n, out);
		CHECK(strlen(out) == B64URL_ENCODED_LEN(n));
		CHECK(b64url_decode(out, strlen(out), back, sizeof(back)) == (long)n &&
		      memcmp(in, back, n) == 0);
	}
}
