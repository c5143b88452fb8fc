/* The DER writer and signer of crl_der.h: lengths, INTEGERs, times and the
 * signature tail, for the CRL and OCSP builders. */
#include "x509/crl_der.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"

bool x509_der_reserve(struct x509_der *d, size_t more)
{
	if (d->failed)
		return false;
	if (d->cap - d->len >= more)
		return true;
	size_t want = d->cap < 256 ? 256 : d->cap;
	while (want - d->len < more) {
		if (want > SIZE_MAX / 2) {
			d->failed = true;
			return false;
		}
		want *= 2;
	}
	unsigned char *p = realloc(d->buf, want);
	if (p == NULL) {
		d->failed = true;
		return false;
	}
	d->buf = p;
	d->cap = want;
	return true;
}

void x509_der_free(struct x509_der *d)
{
	free(d->buf);
	d->buf = NULL;
	d->len = d->cap = 0;
}

unsigned char *x509_der_take(struct x509_der *d, size_t *len)
{
	unsigned char *out = d->failed ? NULL : d->buf;
	if (out == NULL)
		free(d->buf);
	*len = out != NULL ? d->len : 0;
	d->buf = NULL;
	d->len = d->cap = 0;
	return out;
}

void x509_der_raw(struct x509_der *d, const void *p, size_t n)
{
	if (n == 0 || !x509_der_reserve(d, n))
		return;
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

/* The octets of a definite length (X.690 §8.1.3: short form below 128). */
static size_t x509_der_len_octets(size_t n, unsigned char out[9])
{
	if (n < 0x80) {
		out[0] = (unsigned char)n;
		return 1;
	}
	size_t k = 0;
	for (size_t v = n; v != 0; v >>= 8)
		k++;
	out[0] = (unsigned char)(0x80 | k);
	for (size_t i = 0; i < k; i++)
		out[k - i] = (unsigned char)(n >> (8 * i));
	return k + 1;
}

void x509_der_tlv(struct x509_der *d, unsigned char tag, const void *p, size_t n)
{
	unsigned char hdr[10];
	hdr[0] = tag;
	size_t h = 1 + x509_der_len_octets(n, hdr + 1);
	if (!x509_der_reserve(d, h + n))
		return;
	memcpy(d->buf + d->len, hdr, h);
	d->len += h;
	x509_der_raw(d, p, n);
}

void x509_der_uint(struct x509_der *d, const unsigned char *be, size_t n)
{
	unsigned char v[64];
	while (n > 1 && be[0] == 0) {
		be++;
		n--;
	}
	if (n == 0 || n >= sizeof(v)) {
		d->failed = true;
		return;
	}
	size_t k = 0;
	if (be[0] & 0x80)
		v[k++] = 0;
	memcpy(v + k, be, n);
	x509_der_tlv(d, X509_DER_INTEGER, v, k + n);
}

/* Days since 1970-01-01 → civil date (proleptic Gregorian; H. Hinnant's
 * days_from_civil inverse), so no gmtime() and no time_t range issues. */
static void x509_der_civil(int64_t days, int *y, int *m, int *dd)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2 ? 1 : 0));
}

static void x509_der_digits(unsigned char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)('0' + v % 10);
		v /= 10;
	}
}

void x509_der_time(struct x509_der *d, int64_t t, bool generalized)
{
	unsigned char s[15];
	int y, m, dd;
	if (t < 0 || t > X509_DER_TIME_MAX) {
		d->failed = true;
		return;
	}
	x509_der_civil(t / 86400, &y, &m, &dd);
	int64_t sec = t % 86400;
	/* RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050
	 * (years before 1950 cannot occur: t >= 0). */
	bool utc = !generalized && y < 2050;
	unsigned char *p = s;
	if (utc) {
		x509_der_digits(p, y % 100, 2);
		p += 2;
	} else {
		x509_der_digits(p, y, 4);
		p += 4;
	}
	x509_der_digits(p, m, 2);
	x509_der_digits(p + 2, dd, 2);
	x509_der_digits(p + 4, (int)(sec / 3600), 2);
	x509_der_digits(p + 6, (int)(sec / 60 % 60), 2);
	x509_der_digits(p + 8, (int)(sec % 60), 2);
	p[10] = 'Z';
	x509_der_tlv(d, utc ? 0x17 : 0x18, s, (size_t)(p + 11 - s));
}

size_t x509_der_open(struct x509_der *d, unsigned char tag)
{
	if (!x509_der_reserve(d, 2))
		return 0;
	d->buf[d->len++] = tag;
	d->buf[d->len++] = 0;
	return d->len;
}

void x509_der_close(struct x509_der *d, size_t mark)
{
	unsigned char hdr[9];
	if (d->failed || mark == 0 || mark > d->len)
		return;
	size_t n = d->len - mark;
	size_t h = x509_der_len_octets(n, hdr);
	/* Long contents move once by the extra length octets: one memmove per
	 * large value, none for the short ones a CRL entry is made of. */
	if (h > 1) {
		if (!x509_der_reserve(d, h - 1))
			return;
		memmove(d->buf + mark + h - 1, d->buf + mark, n);
		d->len += h - 1;
	}
	memcpy(d->buf + mark - 1, hdr, h);
}

void x509_der_ext_open(struct x509_der *d, const unsigned char *oid, size_t oid_len, bool critical,
		       size_t mark[2])
{
	static const unsigned char crit[] = {X509_DER_BOOLEAN, 1, 0xff};
	mark[0] = x509_der_open(d, X509_DER_SEQUENCE);
	x509_der_tlv(d, X509_DER_OID, oid, oid_len);
	/* DER leaves out a BOOLEAN that equals its DEFAULT FALSE (X.690 §11.5). */
	if (critical)
		x509_der_raw(d, crit, sizeof(crit));
	mark[1] = x509_der_open(d, X509_DER_OCTETS);
}

void x509_der_ext_close(struct x509_der *d, const size_t mark[2])
{
	x509_der_close(d, mark[1]);
	x509_der_close(d, mark[0]);
}

/* A DigestSign context for key and alg; *pctx is owned by the returned context. */
static EVP_MD_CTX *x509_der_sign_ctx(EVP_PKEY *key, enum x509_sig_alg alg, EVP_PKEY_CTX **pctx,
				     struct cm_err *err)
{
	const EVP_MD *md = x509_sig_alg_md(alg);
	if (md == NULL || !x509_sig_alg_fits_key(alg, key)) {
		cm_fail(err, CM_ERR_INVALID_ARGS, "Signing algorithm %s does not fit the key",
			x509_sig_alg_name(alg));
		return NULL;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestSignInit(ctx, pctx, md, NULL, key) != 1) {
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		cm_fail(err, CM_ERR_INTERNAL, "cannot start a %s signature",
			x509_sig_alg_name(alg));
		return NULL;
	}
	return ctx;
}

int x509_der_sig_algid(EVP_PKEY *key, enum x509_sig_alg alg, unsigned char *out, size_t size,
		       size_t *len, struct cm_err *err)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx = x509_der_sign_ctx(key, alg, &pctx, err);
	if (ctx == NULL)
		return -1;
	/* The provider knows the exact encoding (NULL parameters for RSA,
	 * none for ECDSA: RFC 4055 §5, RFC 5758 §3.2); asking it keeps us
	 * byte-identical to what X509_sign and X509_CRL_sign write. */
	OSSL_PARAM params[] = {
	    OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, out, size),
	    OSSL_PARAM_END,
	};
	int rc = 0;
	if (EVP_PKEY_CTX_get_params(pctx, params) != 1 || !OSSL_PARAM_modified(params) ||
	    params[0].return_size == 0 || params[0].return_size > size) {
		ERR_clear_error();
		rc = cm_fail(err, CM_ERR_INTERNAL, "no AlgorithmIdentifier for %s",
			     x509_sig_alg_name(alg));
	} else {
		*len = params[0].return_size;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

int x509_der_sign(struct x509_der *d, size_t tbs_off, EVP_PKEY *key, enum x509_sig_alg alg,
		  const unsigned char *algid, size_t algid_len, struct cm_err *err)
{
	EVP_PKEY_CTX *pctx = NULL;
	size_t sig_len = 0;
	int rc = -1;
	if (d->failed || tbs_off > d->len)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	EVP_MD_CTX *ctx = x509_der_sign_ctx(key, alg, &pctx, err);
	if (ctx == NULL)
		return -1;
	size_t tbs_len = d->len - tbs_off;
	if (EVP_DigestSign(ctx, NULL, &sig_len, d->buf + tbs_off, tbs_len) != 1) {
		cm_fail(err, CM_ERR_INTERNAL, "signing failed");
		goto out;
	}
	x509_der_raw(d, algid, algid_len);
	/* BIT STRING header, the "0 unused bits" octet, then the signature
	 * written in place; the header is fixed once the real size is known. */
	size_t mark = x509_der_open(d, X509_DER_BIT_STRING);
	x509_der_raw(d, "", 1);
	if (!x509_der_reserve(d, sig_len)) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	/* Only now is d->buf stable: the reserve above may have moved it. */
	if (EVP_DigestSign(ctx, d->buf + d->len, &sig_len, d->buf + tbs_off, tbs_len) != 1) {
		cm_fail(err, CM_ERR_INTERNAL, "signing failed");
		goto out;
	}
	d->len += sig_len;
	x509_der_close(d, mark);
	rc = d->failed ? cm_fail(err, CM_ERR_INTERNAL, "out of memory") : 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return rc;
}

long x509_der_hex_serial(const char *hex, unsigned char *out, size_t size)
{
	size_t n = hex != NULL ? strlen(hex) : 0;
	size_t i = 0, k = 0;
	if (n == 0)
		return -1;
	while (i + 1 < n && hex[i] == '0')
		i++;
	/* An odd digit count: the first octet has one digit. */
	if ((n - i) % 2 == 1) {
		int v = hex_digit_value(hex[i]);
		if (v < 0 || size == 0)
			return -1;
		out[k++] = (unsigned char)v;
		i++;
	}
	for (; i < n; i += 2) {
		int hi = hex_digit_value(hex[i]), lo = hex_digit_value(hex[i + 1]);
		if (hi < 0 || lo < 0 || k >= size)
			return -1;
		out[k++] = (unsigned char)(hi << 4 | lo);
	}
	return (long)k;
}
