/* ARN parsing with the model's pattern checks, and formatting. */
#include "aws/arn.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/jv.h"

#define ARN_WORD "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* The model pattern arn:[\w+=/,.@-]+:<service>:[\w+=/,.@-]*:[0-9]*:[\w+=,.@-]+(/[\w+=,.@-]+)*
 * split into its six fields; the resource is returned in *resource. The
 * length limits are the model's: 5–200 for acm-pca, 20–2048 for acm. */
static int arn_split(const char *arn, const char *service, const char *member, char parts[5][64],
		     const char **resource, struct cm_err *err)
{
	size_t len = strlen(arn);
	const char *p = arn;
	bool acm = strcmp(service, "acm") == 0;
	if (len < (acm ? 20 : 5) || len > (acm ? 2048 : 200))
		goto bad;
	for (int i = 0; i < 5; i++) {
		const char *colon = strchr(p, ':');
		if (colon == NULL || (size_t)(colon - p) >= 64)
			goto bad;
		memcpy(parts[i], p, (size_t)(colon - p));
		parts[i][colon - p] = '\0';
		p = colon + 1;
	}
	*resource = p;
	if (strcmp(parts[0], "arn") != 0 || parts[1][0] == '\0' ||
	    !jv_is_in_charset(parts[1], ARN_WORD "+=/,.@-") ||
	    !jv_is_in_charset(parts[3], ARN_WORD "+=/,.@-") ||
	    !jv_is_in_charset(parts[4], "0123456789") || p[0] == '\0' || p[0] == '/' ||
	    p[strlen(p) - 1] == '/' || strstr(p, "//") != NULL ||
	    !jv_is_in_charset(p, ARN_WORD "+=,.@-/") || strcmp(parts[2], service) != 0)
		goto bad; /* the service is part of the model's pattern */
	return 0;
bad:
	/* Explicit -1 (not the callee's value): the analyzer cannot see across files. */
	jv_fail_constraint(err, member, arn,
			   acm ? "Member must satisfy regular expression pattern: "
				 "arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]*:[0-9]+:[\\w+=,.@-]+"
				 "(/[\\w+=,.@-]+)*"
			       : "Member must satisfy regular expression pattern: "
				 "arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+"
				 "(/[\\w+=,.@-]+)*");
	return -1;
}

static int arn_is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int want_dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (want_dash ? s[i] != '-' : strchr("0123456789abcdef", s[i]) == NULL)
			return 0;
	}
	return 1;
}

/* Fills *out from the split fields and a resource starting with the CA part;
 * *rest points after "certificate-authority/<uuid>". */
static int arn_fill_ca(const char *arn, char parts[5][64], const char *resource,
		       struct arn_ca *out, const char **rest, struct cm_err *err)
{
	static const char prefix[] = "certificate-authority/";
	memset(out, 0, sizeof(*out));
	if (strncmp(resource, prefix, sizeof(prefix) - 1) != 0)
		goto wrong;
	const char *id = resource + sizeof(prefix) - 1;
	size_t n = strcspn(id, "/");
	if (!arn_is_uuid(id, n) || parts[3][0] == '\0' || strlen(parts[4]) != 12)
		goto wrong;
	snprintf(out->partition, sizeof(out->partition), "%s", parts[1]);
	snprintf(out->region, sizeof(out->region), "%s", parts[3]);
	snprintf(out->account, sizeof(out->account), "%s", parts[4]);
	memcpy(out->ca_id, id, n);
	out->ca_id[n] = '\0';
	*rest = id + n;
	return 0;
wrong:
	cm_fail(err, CM_ERR_INVALID_ARN, "The ARN %.200s is not a valid certificate authority ARN",
		arn);
	return -1;
}

int arn_parse_ca(const char *arn, const char *member, struct arn_ca *out, struct cm_err *err)
{
	char parts[5][64] = {{0}};
	const char *resource = NULL, *rest = NULL;
	if (arn_split(arn, "acm-pca", member, parts, &resource, err) < 0 ||
	    arn_fill_ca(arn, parts, resource, out, &rest, err) < 0)
		return -1;
	if (*rest != '\0')
		return cm_fail(err, CM_ERR_INVALID_ARN,
			       "The ARN %.200s is not a valid certificate authority ARN", arn);
	return 0;
}

int arn_parse_pca_certificate(const char *arn, const char *member, struct arn_ca *ca,
			      char *serial, size_t serial_size, struct cm_err *err)
{
	static const char mid[] = "/certificate/";
	char parts[5][64] = {{0}};
	const char *resource = NULL, *rest = NULL;
	if (arn_split(arn, "acm-pca", member, parts, &resource, err) < 0 ||
	    arn_fill_ca(arn, parts, resource, ca, &rest, err) < 0)
		return -1;
	if (strncmp(rest, mid, sizeof(mid) - 1) != 0)
		goto wrong;
	rest += sizeof(mid) - 1;
	size_t n = strlen(rest);
	if (n == 0 || n >= serial_size || n > 40 || !jv_is_in_charset(rest, "0123456789abcdef"))
		goto wrong;
	memcpy(serial, rest, n + 1);
	return 0;
wrong:
	return cm_fail(err, CM_ERR_INVALID_ARN, "The ARN %.200s is not a valid certificate ARN",
		       arn);
}

int arn_parse_acm_certificate(const char *arn, const char *member, struct arn_acm_cert *out,
			      struct cm_err *err)
{
	static const char prefix[] = "certificate/";
	char parts[5][64] = {{0}};
	const char *resource = NULL;
	memset(out, 0, sizeof(*out));
	if (arn_split(arn, "acm", member, parts, &resource, err) < 0)
		return -1;
	bool is_cert = strncmp(resource, prefix, sizeof(prefix) - 1) == 0;
	const char *id = is_cert ? resource + sizeof(prefix) - 1 : "";
	if (!is_cert || !arn_is_uuid(id, strlen(id)) || parts[3][0] == '\0' ||
	    strlen(parts[4]) != 12)
		return cm_fail(err, CM_ERR_INVALID_ARN, "The ARN %.200s is not a valid certificate ARN",
			       arn);
	snprintf(out->partition, sizeof(out->partition), "%s", parts[1]);
	snprintf(out->region, sizeof(out->region), "%s", parts[3]);
	memcpy(out->account, parts[4], 13); /* 12 digits, checked above, and the NUL */
	snprintf(out->id, sizeof(out->id), "%s", id);
	return 0;
}

void arn_format_acm_certificate(char *buf, size_t size, const char *partition, const char *region,
				const char *account, const char *id)
{
	snprintf(buf, size, "arn:%s:acm:%s:%s:certificate/%s", partition, region, account, id);
}

void arn_format_ca(char *buf, size_t size, const char *partition, const char *region,
		   const char *account, const char *ca_id)
{
	snprintf(buf, size, "arn:%s:acm-pca:%s:%s:certificate-authority/%s", partition, region,
		 account, ca_id);
}

void arn_format_pca_certificate(char *buf, size_t size, const char *ca_arn, const char *serial)
{
	snprintf(buf, size, "%s/certificate/%s", ca_arn, serial);
}

/* n random bytes for ids, from RAND_bytes 512 at a time per thread: one DRBG
 * call per 32 ids instead of one per id (it was 4% of a DescribeCertificate,
 * which draws a request id). Bytes handed out are wiped from the pool. */
static int arn_random(unsigned char *out, size_t n)
{
	static _Thread_local unsigned char pool[512];
	static _Thread_local size_t left;
	if (n > sizeof(pool))
		return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
	if (left < n) {
		if (RAND_bytes(pool, sizeof(pool)) != 1)
			return -1;
		left = sizeof(pool);
	}
	unsigned char *take = pool + sizeof(pool) - left;
	memcpy(out, take, n);
	OPENSSL_cleanse(take, n);
	left -= n;
	return 0;
}

/* The 8-4-4-4-12 text of 16 bytes, after setting the version and variant. */
static void arn_uuid_format(unsigned char b[16], unsigned version, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	b[6] = (unsigned char)((b[6] & 0x0F) | (version << 4));
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	char *o = out;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 0x0F];
	}
	*o = '\0';
}

void arn_uuid4(char out[37])
{
	unsigned char b[16];
	if (arn_random(b, sizeof(b)) < 0)
		memset(b, 0, sizeof(b));
	arn_uuid_format(b, 4, out);
}

void arn_uuid7(char out[37])
{
	unsigned char b[16];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	if (arn_random(b + 6, 10) < 0)
		memset(b + 6, 0, 10);
	for (int i = 5; i >= 0; i--, ms >>= 8)
		b[i] = (unsigned char)(ms & 0xFF);
	arn_uuid_format(b, 7, out);
}
