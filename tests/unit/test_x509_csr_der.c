/* x509_csr_parse on hostile shapes: requests built field by field and
 * signed again, so each carries exactly one defect (a length, a version, a
 * point, an attribute) and the parser must name it or refuse the bytes. */
#include <openssl/core_names.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/csr.h"
#include "x509/pem.h"

/* A DER buffer, big enough for any request here. */
struct der {
	unsigned char b[8192];
	size_t n;
};

static void put(struct der *d, const void *p, size_t len)
{
	if (d->n + len <= sizeof(d->b)) {
		memcpy(d->b + d->n, p, len);
		d->n += len;
	}
}

/* tag, minimal length, content. */
static void put_tlv(struct der *d, unsigned char tag, const void *p, size_t len)
{
	unsigned char h[4] = {tag};
	size_t hl = 2;
	if (len < 0x80) {
		h[1] = (unsigned char)len;
	} else if (len < 0x100) {
		h[1] = 0x81;
		h[2] = (unsigned char)len;
		hl = 3;
	} else {
		h[1] = 0x82;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	}
	put(d, h, hl);
	put(d, p, len);
}

/* The parts of a CertificationRequestInfo, each DER with its header. */
struct info_parts {
	struct der version, subject, spki, attrs; /* attrs: the whole [0] */
	struct der extra;			  /* appended inside the SEQUENCE */
};

static const unsigned char ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					     0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

/* Standard parts for key: v1, CN=der.example, key's SPKI, a SAN request. */
static void parts_for(struct info_parts *ip, EVP_PKEY *key)
{
	memset(ip, 0, sizeof(*ip));
	put(&ip->version, "\x02\x01\x00", 3);
	X509_REQ *req = fx_csr(key, "der.example", "der.example", NULL);
	unsigned char *p = NULL;
	int n = i2d_X509_NAME(X509_REQ_get_subject_name(req), &p);
	put(&ip->subject, p, (size_t)n);
	OPENSSL_free(p);
	p = NULL;
	n = i2d_PUBKEY(key, &p);
	put(&ip->spki, p, (size_t)n);
	OPENSSL_free(p);
	/* The attributes exactly as OpenSSL wrote them: [0] is the last
	 * field of the request info it encodes. */
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	struct der ext_der = {0}, set = {0}, attr = {0};
	p = NULL;
	n = i2d_X509_EXTENSIONS(exts, &p);
	put(&ext_der, p, (size_t)n);
	OPENSSL_free(p);
	put_tlv(&set, 0x31, ext_der.b, ext_der.n);
	put(&attr, "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x09\x0e", 11); /* extensionRequest */
	put(&attr, set.b, set.n);
	struct der one = {0};
	put_tlv(&one, 0x30, attr.b, attr.n);
	put_tlv(&ip->attrs, 0xa0, one.b, one.n);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
}

/* The request of ip, signed by key (P-256) with ecdsa-with-SHA256 under
 * the algorithm identifier alg (alg_len bytes; NULL: the standard one). */
static void build_signed(struct der *out, const struct info_parts *ip, EVP_PKEY *key,
			 const unsigned char *alg, size_t alg_len)
{
	struct der body = {0}, info = {0}, req = {0}, bits = {0};
	put(&body, ip->version.b, ip->version.n);
	put(&body, ip->subject.b, ip->subject.n);
	put(&body, ip->spki.b, ip->spki.n);
	put(&body, ip->attrs.b, ip->attrs.n);
	put(&body, ip->extra.b, ip->extra.n);
	put_tlv(&info, 0x30, body.b, body.n);
	unsigned char sig[160];
	size_t sig_len = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig + 1, &sig_len, info.b, info.n) != 1)
		abort();
	EVP_MD_CTX_free(ctx);
	sig[0] = 0; /* no unused bits */
	put(&req, info.b, info.n);
	if (alg == NULL)
		put(&req, ecdsa_sha256, sizeof(ecdsa_sha256));
	else
		put(&req, alg, alg_len);
	put_tlv(&bits, 0x03, sig, sig_len + 1);
	put(&req, bits.b, bits.n);
	out->n = 0;
	put_tlv(out, 0x30, req.b, req.n);
}

/* The parse of d: NULL-or-not as want_ok, and the message holding why. */
static bool parse_says(const struct der *d, bool want_ok, const char *why)
{
	struct cm_err err = {0};
	struct x509_csr *csr = x509_csr_parse(d->b, d->n, &err);
	bool ok = want_ok ? csr != NULL
			  : csr == NULL && err.code == CM_ERR_MALFORMED_CSR &&
				(why == NULL || strstr(err.msg, why) != NULL);
	if (!ok)
		fprintf(stderr, "  parse: %s (want %s)\n", csr != NULL ? "accepted" : err.msg,
			want_ok ? "accepted" : why);
	x509_csr_free(csr);
	return ok;
}

TEST(x509_csr_der_built_request_parses)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d;
	parts_for(&ip, key);
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, true, NULL));
	/* Without the attributes field at all (OpenSSL reads that too). */
	ip.attrs.n = 0;
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, true, NULL));
	EVP_PKEY_free(key);
}

TEST(x509_csr_der_bad_signatures)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d;
	parts_for(&ip, key);
	build_signed(&d, &ip, key, NULL, 0);
	/* One bit flipped in the subject's CN, then in the signature's last octet. */
	unsigned char *cn = memmem(d.b, d.n, "der.example", 11);
	CHECK(cn != NULL);
	if (cn != NULL) {
		cn[0] ^= 0x01;
		CHECK(parse_says(&d, false, "signature does not verify"));
		cn[0] ^= 0x01;
	}
	d.b[d.n - 1] ^= 0x80;
	CHECK(parse_says(&d, false, "signature does not verify"));
	d.b[d.n - 1] ^= 0x80;
	CHECK(parse_says(&d, true, NULL));
	/* ECDSA with parameters (NULL), which RFC 5758 forbids. */
	static const unsigned char with_null[] = {0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48,
						  0xce, 0x3d, 0x04, 0x03, 0x02, 0x05, 0x00};
	build_signed(&d, &ip, key, with_null, sizeof(with_null));
	CHECK(parse_says(&d, false, "signature"));
	/* An RSA algorithm over an EC key. */
	static const unsigned char rsa_sha256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
						   0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
	build_signed(&d, &ip, key, rsa_sha256, sizeof(rsa_sha256));
	CHECK(parse_says(&d, false, "signature"));
	EVP_PKEY_free(key);
}

/* Every prefix of a request, DER and PEM, is refused. */
TEST(x509_csr_der_truncated_everywhere)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d;
	parts_for(&ip, key);
	build_signed(&d, &ip, key, NULL, 0);
	int accepted = 0;
	for (size_t len = 0; len < d.n; len++) {
		struct cm_err err = {0};
		struct x509_csr *csr = x509_csr_parse(d.b, len, &err);
		accepted += csr != NULL || err.code != CM_ERR_MALFORMED_CSR;
		x509_csr_free(csr);
	}
	CHECK(accepted == 0);
	X509_REQ *req = fx_csr(key, "pem.example", NULL, NULL);
	char *pem = x509_req_to_pem(req);
	size_t pem_len = strlen(pem);
	/* Cut before the END line's last dash: every shorter text is refused. */
	for (size_t len = 0; len + 2 < pem_len; len++) {
		struct cm_err err = {0};
		struct x509_csr *csr = x509_csr_parse((unsigned char *)pem, len, &err);
		accepted += csr != NULL || err.code != CM_ERR_MALFORMED_CSR;
		x509_csr_free(csr);
	}
	CHECK(accepted == 0);
	free(pem);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
}

/* BER's freedoms are refused: an indefinite length, a padded length. */
TEST(x509_csr_der_only_definite_minimal_lengths)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d, indef = {0}, padded = {0};
	parts_for(&ip, key);
	build_signed(&d, &ip, key, NULL, 0);
	/* The outer SEQUENCE as 30 80 ... 00 00 (d's header is 30 81 xx or 30 82 xx xx). */
	size_t hdr = d.b[1] == 0x81 ? 3 : 4;
	put(&indef, "\x30\x80", 2);
	put(&indef, d.b + hdr, d.n - hdr);
	put(&indef, "\x00\x00", 2);
	CHECK(parse_says(&indef, false, "not a valid"));
	/* The same length in one octet more than it needs. */
	size_t content = d.n - hdr;
	unsigned char h[5] = {0x30, 0x83, (unsigned char)(content >> 16),
			      (unsigned char)(content >> 8), (unsigned char)content};
	put(&padded, h, 5);
	put(&padded, d.b + hdr, content);
	CHECK(parse_says(&padded, false, "not a valid"));
	EVP_PKEY_free(key);
}

/* Trailing bytes inside the request info (signed along), inside the outer
 * SEQUENCE after the signature, and after the request. */
TEST(x509_csr_der_trailing_bytes)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d, outer = {0}, body = {0};
	parts_for(&ip, key);
	put(&ip.extra, "\x05\x00", 2);
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, false, "not a valid"));
	ip.extra.n = 0;
	build_signed(&d, &ip, key, NULL, 0);
	size_t hdr = d.b[1] == 0x81 ? 3 : 4;
	put(&body, d.b + hdr, d.n - hdr);
	put(&body, "\x05\x00", 2);
	put_tlv(&outer, 0x30, body.b, body.n);
	CHECK(parse_says(&outer, false, "not a valid"));
	put(&d, "\x05\x00", 2);
	CHECK(parse_says(&d, false, "followed by unexpected data"));
	d.n -= 2;
	put(&d, "\n\r\t \0", 5); /* whitespace and a NUL are fine */
	CHECK(parse_says(&d, true, NULL));
	EVP_PKEY_free(key);
}

TEST(x509_csr_der_version_must_be_v1)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d;
	parts_for(&ip, key);
	const char *versions[] = {"\x02\x01\x01", "\x02\x01\x02", "\x02\x02\x00\x00",
				  "\x02\x01\xff"};
	for (int i = 0; i < 4; i++) {
		ip.version.n = 0;
		put(&ip.version, versions[i], versions[i][1] == 2 ? 4 : 3);
		build_signed(&d, &ip, key, NULL, 0);
		CHECK(parse_says(&d, false, "version"));
	}
	EVP_PKEY_free(key);
}

/* A P-256 point moved off the curve, signed by the real key: the key
 * cannot be built, whatever the signature. And the point at infinity. */
TEST(x509_csr_der_point_not_on_curve)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d;
	parts_for(&ip, key);
	ip.spki.b[ip.spki.n - 1] ^= 0x01; /* the last octet of y */
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, false, "not a point on its curve"));
	const unsigned char *p = d.b;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)d.n);
	CHECK(req == NULL || X509_REQ_get0_pubkey(req) == NULL);
	X509_REQ_free(req);
	/* SEQUENCE { id-ecPublicKey, prime256v1 } BIT STRING { 00 00 } */
	static const unsigned char inf[] = {0x30, 0x19, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
					    0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
					    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x02, 0x00, 0x00};
	ip.spki.n = 0;
	put(&ip.spki, inf, sizeof(inf));
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, false, "public key cannot be read"));
	EVP_PKEY_free(key);
}

/* The extension request twice, or with a value that is not Extensions. */
TEST(x509_csr_der_extension_request_shapes)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct info_parts ip;
	struct der d, twice = {0}, inner = {0};
	parts_for(&ip, key);
	/* [0] { attr } -> [0] { attr attr } */
	size_t hdr = ip.attrs.b[1] == 0x81 ? 3 : 2;
	put(&inner, ip.attrs.b + hdr, ip.attrs.n - hdr);
	put(&inner, ip.attrs.b + hdr, ip.attrs.n - hdr);
	put_tlv(&twice, 0xa0, inner.b, inner.n);
	ip.attrs = twice;
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, false, "more than one extension request"));
	/* extensionRequest with SET { INTEGER 5 } */
	static const unsigned char bad_value[] = {0xa0, 0x14, 0x30, 0x12, 0x06, 0x09, 0x2a, 0x86,
						  0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e, 0x31,
						  0x05, 0x30, 0x03, 0x02, 0x01, 0x05};
	ip.attrs.n = 0;
	put(&ip.attrs, bad_value, sizeof(bad_value));
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, false, "extension request cannot be read"));
	/* An unknown attribute (here with an empty value set) is ignored. */
	static const unsigned char other[] = {0xa0, 0x07, 0x30, 0x05, 0x06, 0x01, 0x2a, 0x31, 0x00};
	ip.attrs.n = 0;
	put(&ip.attrs, other, sizeof(other));
	build_signed(&d, &ip, key, NULL, 0);
	CHECK(parse_says(&d, true, NULL));
	EVP_PKEY_free(key);
}
