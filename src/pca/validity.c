/* Validity of an issued certificate (spec pca.md §6.5): relative periods use
 * UTC calendar arithmetic, a day past the end of a month clamps to its last
 * day (31 Jan + 1 month = 28/29 Feb), absolute times are epoch seconds, and
 * END_DATE is an ASN.1 UTCTime/GeneralizedTime digit string. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pca/ca.h"

/* 9999-12-31T23:59:59Z: the largest GeneralizedTime RFC 5280 allows. */
#define PCA_MAX_TIME 253402300799LL

static int pca_days_in_month(int year, int mon)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[mon] + (mon == 1 && leap);
}

static int pca_add_months(int64_t now, long long months, int64_t *out, struct cm_err *err)
{
	struct tm tm;
	time_t t = (time_t)now;
	gmtime_r(&t, &tm);
	long long total = (long long)tm.tm_year + 1900;
	total = total * 12 + tm.tm_mon + months;
	if (months > 12LL * 10000 || total / 12 > 9999)
		return cm_fail(err, CM_ERR_VALIDATION, "Validity is too long");
	tm.tm_year = (int)(total / 12) - 1900;
	tm.tm_mon = (int)(total % 12);
	int dim = pca_days_in_month(tm.tm_year + 1900, tm.tm_mon);
	if (tm.tm_mday > dim)
		tm.tm_mday = dim;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* Parses YYMMDDHHMMSS (UTCTime rule: YY >= 50 is 19YY) or YYYYMMDDHHMMSS. */
static int pca_parse_end_date(long long value, int64_t *out, struct cm_err *err)
{
	char s[32];
	struct tm tm = {0};
	int n = snprintf(s, sizeof(s), "%lld", value);
	int year, off;
	if (n == 11)
		n = snprintf(s, sizeof(s), "%012lld", value); /* years 2000-2009 lose a digit */
	if (n == 12) {
		year = (s[0] - '0') * 10 + (s[1] - '0');
		year += year >= 50 ? 1900 : 2000;
		off = 2;
	} else if (n == 14) {
		year = 0;
		for (int i = 0; i < 4; i++)
			year = year * 10 + (s[i] - '0');
		off = 4;
	} else {
		goto bad;
	}
	int f[5];
	for (int i = 0; i < 5; i++)
		f[i] = (s[off + 2 * i] - '0') * 10 + (s[off + 2 * i + 1] - '0');
	if (f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > pca_days_in_month(year, f[0] - 1) ||
	    f[2] > 23 || f[3] > 59 || f[4] > 59)
		goto bad;
	tm.tm_year = year - 1900;
	tm.tm_mon = f[0] - 1;
	tm.tm_mday = f[1];
	tm.tm_hour = f[2];
	tm.tm_min = f[3];
	tm.tm_sec = f[4];
	*out = (int64_t)timegm(&tm);
	return 0;
bad:
	return cm_fail(err, CM_ERR_INVALID_ARGS,
		       "Validity END_DATE %lld is not YYMMDDHHMMSS or YYYYMMDDHHMMSS", value);
}

int pca_validity_resolve(const struct pca_validity *v, int64_t now, int64_t *not_after,
			 struct cm_err *err)
{
	switch (v->type) {
	case PCA_VALIDITY_DAYS:
		if (v->value > 3660000)
			return cm_fail(err, CM_ERR_VALIDATION, "Validity is too long");
		*not_after = now + (int64_t)v->value * 86400;
		break;
	case PCA_VALIDITY_MONTHS:
		if (pca_add_months(now, v->value, not_after, err) < 0)
			return -1;
		break;
	case PCA_VALIDITY_YEARS:
		if (v->value > 10000 || pca_add_months(now, v->value * 12, not_after, err) < 0)
			return cm_fail(err, CM_ERR_VALIDATION, "Validity is too long");
		break;
	case PCA_VALIDITY_ABSOLUTE:
		*not_after = (int64_t)v->value;
		break;
	case PCA_VALIDITY_END_DATE:
		if (pca_parse_end_date(v->value, not_after, err) < 0)
			return -1;
		break;
	}
	if (*not_after > PCA_MAX_TIME)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "Validity ends after 9999-12-31T23:59:59Z");
	return 0;
}
