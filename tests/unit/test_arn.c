/* ARN parsing: pattern errors, wrong kinds, round trips. */
#include "aws/arn.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CA "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/" \
	   "0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

TEST(arn_ca_round_trip)
{
	struct arn_ca ca = {0};
	struct cm_err err = {0};
	char back[ARN_MAX];
	CHECK(arn_parse_ca(CA, "Arn", &ca, &err) == 0);
	CHECK_STR_EQ(ca.region, "us-east-1");
	CHECK_STR_EQ(ca.account, "123456789012");
	CHECK_STR_EQ(ca.ca_id, "0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
	arn_format_ca(back, sizeof(back), ca.partition, ca.region, ca.account, ca.ca_id);
	CHECK_STR_EQ(back, CA);
}

TEST(arn_ca_errors)
{
	struct arn_ca ca = {0};
	struct cm_err err = {0};
	CHECK(arn_parse_ca("not an arn", "Arn", &ca, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	/* Another service's ARN breaks the model pattern, which names acm-pca. */
	CHECK(arn_parse_ca("arn:aws:acm:us-east-1:123456789012:certificate/x", "Arn", &ca, &err) < 0);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(arn_parse_ca("arn:aws:acm-pca:us-east-1:123456789012:template/x", "Arn", &ca, &err) <
	      0);
	CHECK(err.code == CM_ERR_INVALID_ARN);
	CHECK(arn_parse_ca("arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/NOTUUID",
			   "Arn", &ca, &err) < 0);
	CHECK(err.code == CM_ERR_INVALID_ARN);
	/* A certificate ARN is not a CA ARN. */
	CHECK(arn_parse_ca(CA "/certificate/0a", "Arn", &ca, &err) < 0);
	CHECK(err.code == CM_ERR_INVALID_ARN);
}

TEST(arn_certificate)
{
	struct arn_ca ca = {0};
	struct cm_err err = {0};
	char serial[48], arn[ARN_MAX + 64];
	arn_format_pca_certificate(arn, sizeof(arn), CA, "0a1b2c");
	CHECK(arn_parse_pca_certificate(arn, "CertificateArn", &ca, serial, sizeof(serial), &err) ==
	      0);
	CHECK_STR_EQ(serial, "0a1b2c");
	CHECK(arn_parse_pca_certificate(CA, "CertificateArn", &ca, serial, sizeof(serial), &err) <
	      0);
	CHECK(err.code == CM_ERR_INVALID_ARN);
	CHECK(arn_parse_pca_certificate(CA "/certificate/XYZ", "CertificateArn", &ca, serial,
					sizeof(serial), &err) < 0);
	CHECK(err.code == CM_ERR_INVALID_ARN);
}

TEST(arn_uuid4_shape)
{
	char a[37], b[37];
	arn_uuid4(a);
	arn_uuid4(b);
	CHECK(strlen(a) == 36 && a[8] == '-' && a[14] == '4');
	CHECK(strchr("89ab", a[19]) != NULL);
	CHECK(strcmp(a, b) != 0);
}

/* Ids come from a per-thread pool refilled every 32 ids: across refills they
 * stay well formed and distinct (a refill bug would repeat or zero them). */
TEST(arn_uuid4_across_pool_refills)
{
	enum { N = 100 };
	static char ids[N][37];
	for (int i = 0; i < N; i++) {
		arn_uuid4(ids[i]);
		CHECK(strlen(ids[i]) == 36);
		CHECK(ids[i][8] == '-' && ids[i][13] == '-' && ids[i][18] == '-' &&
		      ids[i][23] == '-' && ids[i][14] == '4');
		CHECK(strspn(ids[i], "0123456789abcdef-") == 36);
		CHECK(strcmp(ids[i], "00000000-0000-4000-8000-000000000000") != 0);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(ids[i], ids[j]) != 0);
	}
}

/* uuid7: version 7, the variant, the current Unix milliseconds in the
 * first 48 bits, distinct ids, and never falling in text order over time. */
TEST(arn_uuid7_shape_and_order)
{
	char a[37], b[37], prev[37] = "";
	struct timespec t0, t1;
	clock_gettime(CLOCK_REALTIME, &t0);
	arn_uuid7(a);
	clock_gettime(CLOCK_REALTIME, &t1);
	CHECK(strlen(a) == 36 && a[8] == '-' && a[13] == '-' && a[14] == '7');
	CHECK(strchr("89ab", a[19]) != NULL);
	char ms_hex[13];
	memcpy(ms_hex, a, 8);
	memcpy(ms_hex + 8, a + 9, 4);
	ms_hex[12] = '\0';
	long long ms = strtoll(ms_hex, NULL, 16);
	CHECK(ms >= (long long)t0.tv_sec * 1000 + t0.tv_nsec / 1000000);
	CHECK(ms <= (long long)t1.tv_sec * 1000 + t1.tv_nsec / 1000000);
	for (int i = 0; i < 50; i++) {
		struct timespec pause = {0, 1100000}; /* next millisecond */
		nanosleep(&pause, NULL);
		arn_uuid7(b);
		CHECK(strcmp(b, a) != 0 && strspn(b, "0123456789abcdef-") == 36);
		CHECK(strcmp(prev, b) < 0);
		memcpy(prev, b, sizeof(prev));
	}
}

TEST(arn_acm_certificate)
{
	struct arn_acm_cert a;
	struct cm_err err = {0};
	const char *ok = "arn:aws:acm:us-east-1:123456789012:certificate/"
			 "0b5e6f6a-8d1c-4f5e-9a77-3c2f1a9d0e11";
	CHECK(arn_parse_acm_certificate(ok, "CertificateArn", &a, &err) == 0);
	CHECK_STR_EQ(a.account, "123456789012");
	CHECK_STR_EQ(a.region, "us-east-1");
	CHECK_STR_EQ(a.id, "0b5e6f6a-8d1c-4f5e-9a77-3c2f1a9d0e11");
	char back[ARN_MAX];
	arn_format_acm_certificate(back, sizeof(back), "aws", "us-east-1", "123456789012", a.id);
	CHECK_STR_EQ(back, ok);
	/* Pattern violations (service, length, characters) are ValidationExceptions ... */
	const char *pattern[] = {
	    "arn:aws:acm-pca:us-east-1:123456789012:certificate/0b5e6f6a-8d1c-4f5e-9a77-3c2f1a9d0e11",
	    "arn:aws:s3:::some-bucket-name-here", "arn:aws:acm:x:1:c", "not an arn at all, really"};
	for (size_t i = 0; i < sizeof(pattern) / sizeof(pattern[0]); i++) {
		CHECK(arn_parse_acm_certificate(pattern[i], "CertificateArn", &a, &err) < 0);
		CHECK(err.code == CM_ERR_VALIDATION);
	}
	/* ... well-formed ARNs naming no certificate are InvalidArnExceptions. */
	const char *invalid[] = {"arn:aws:acm:us-east-1:123456789012:bogus/x",
				 "arn:aws:acm:us-east-1:123456789012:certificate",
				 "arn:aws:acm:us-east-1:123456789012:certificate/NOT-A-UUID",
				 "arn:aws:acm:us-east-1:1234:certificate/"
				 "0b5e6f6a-8d1c-4f5e-9a77-3c2f1a9d0e11"};
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		CHECK(arn_parse_acm_certificate(invalid[i], "CertificateArn", &a, &err) < 0);
		CHECK(err.code == CM_ERR_INVALID_ARN);
	}
}
