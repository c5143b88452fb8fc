/* Resource policies of private CAs: what PutPolicy accepts, and how a stored
 * policy answers "may this account do this to this CA" (pca/policy.c); the
 * audit report's bucket names and CSV quoting (pca/audit.c). */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "pca/access.h"
#include "pca/audit.h"
#include "pca/policy.h"
#include "scratch.h"

#define CA                                                                                         \
	"arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/"                            \
	"11111111-2222-4333-8444-555555555555"
#define B    "222222222222"
#define EE   "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
#define CODE "arn:aws:acm-pca:::template/CodeSigningCertificate/V1"

static char *policy(const char *statements)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "{\"Version\":\"2012-10-17\",\"Statement\":%s}", statements);
	return buf;
}

static int check(const char *text)
{
	struct cm_err err = {0};
	int rc = pca_policy_check(text, CA, &err);
	return rc < 0 ? (int)err.code : 0;
}

TEST(pca_policy_check_accepts_iam_shapes)
{
	CHECK(check(policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" B "\"},"
			   "\"Action\":\"acm-pca:IssueCertificate\",\"Resource\":\"" CA "\"}")) ==
	      0);
	CHECK(check(policy("[{\"Sid\":\"x\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":["
			   "\"arn:aws:iam::" B ":root\",\"*\"]},\"Action\":[\"acm-pca:Get*\","
			   "\"acm-pca:ListTags\"],\"Resource\":[\"" CA "\"],\"Condition\":{"
			   "\"StringEquals\":{\"acm-pca:TemplateArn\":[\"" EE "\"]}}}]")) == 0);
}

TEST(pca_policy_check_rejects_malformed)
{
	const char *bad[] = {
	    "not json",
	    "[]",
	    "{\"Statement\":[]}",
	    policy("[]"),
	    policy("[{\"Effect\":\"Maybe\",\"Principal\":{\"AWS\":\"" B "\"},"
		   "\"Action\":\"acm-pca:IssueCertificate\",\"Resource\":\"" CA "\"}]"),
	    policy("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"12\"},"
		   "\"Action\":\"acm-pca:IssueCertificate\",\"Resource\":\"" CA "\"}]"),
	    policy("[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"x\"},"
		   "\"Action\":\"acm-pca:IssueCertificate\",\"Resource\":\"" CA "\"}]"),
	    policy("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" B "\"},"
		   "\"Action\":\"acm-pca:RevokeCertificate\",\"Resource\":\"" CA "\"}]"),
	    policy("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" B "\"},"
		   "\"Action\":\"acm-pca:IssueCertificate\",\"Resource\":\"arn:aws:s3:::x\"}]"),
	    policy("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" B "\"},"
		   "\"Action\":\"acm-pca:IssueCertificate\",\"Resource\":\"" CA "\","
		   "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"1.2.3.4\"}}}]"),
	    policy("[{\"Effect\":\"Allow\",\"NotAction\":\"x\",\"Principal\":{\"AWS\":\"" B
		   "\"},\"Action\":\"acm-pca:IssueCertificate\",\"Resource\":\"" CA "\"}]"),
	    "{\"Version\":\"2012-10-17\",\"Version\":\"2012-10-17\",\"Statement\":[]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *copy = strdup(bad[i]);
		if (check(copy) != CM_ERR_INVALID_POLICY)
			fprintf(stderr, "  accepted: %s\n", copy);
		CHECK(check(copy) == CM_ERR_INVALID_POLICY);
		free(copy);
	}
	char *big = malloc(PCA_POLICY_MAX + 64);
	memset(big, ' ', PCA_POLICY_MAX + 10);
	memcpy(big + PCA_POLICY_MAX + 10, "{}", 3);
	CHECK(check(big) == CM_ERR_INVALID_POLICY);
	free(big);
}

TEST(pca_policy_evaluate_allow_deny_and_conditions)
{
	char *p = strdup(
	    policy("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" B "\"},\"Action\":["
		   "\"acm-pca:IssueCertificate\",\"acm-pca:Describe*\"],\"Resource\":\"" CA "\","
		   "\"Condition\":{\"StringLike\":{\"acm-pca:templatearn\":\"*EndEntity*\"}}}]"));
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_ISSUE, EE) == PCA_POLICY_ALLOW);
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_ISSUE, CODE) == PCA_POLICY_NO_MATCH);
	/* the template key is absent for other actions: StringLike cannot hold */
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_DESCRIBE_CA, NULL) == PCA_POLICY_NO_MATCH);
	CHECK(pca_policy_evaluate(p, CA, "333333333333", PCA_ACTION_ISSUE, EE) ==
	      PCA_POLICY_NO_MATCH);
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_GET_CERT, NULL) == PCA_POLICY_NO_MATCH);
	free(p);

	p = strdup(policy("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":"
			  "\"acm-pca:*\",\"Resource\":\"" CA "\"},{\"Effect\":\"Deny\","
			  "\"Principal\":{\"AWS\":\"arn:aws:iam::" B ":root\"},\"Action\":"
			  "\"acm-pca:GetCertificate\",\"Resource\":\"*\"}]"));
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_GET_CERT, NULL) == PCA_POLICY_DENY);
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_LIST_TAGS, NULL) == PCA_POLICY_ALLOW);
	CHECK(pca_policy_evaluate(p, CA, "333333333333", PCA_ACTION_GET_CERT, NULL) ==
	      PCA_POLICY_ALLOW);
	/* the same policy read for another CA (a copied ARN) grants nothing */
	CHECK(pca_policy_evaluate(p, CA "0", B, PCA_ACTION_LIST_TAGS, NULL) == PCA_POLICY_NO_MATCH);
	CHECK(pca_policy_evaluate("garbage", CA, B, PCA_ACTION_LIST_TAGS, NULL) ==
	      PCA_POLICY_NO_MATCH);
	free(p);

	p = strdup(policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" B "\"},\"Action\":"
			  "\"ACM-PCA:issuecertificate\",\"Resource\":\"" CA "\",\"Condition\":"
			  "{\"StringNotEquals\":{\"acm-pca:TemplateArn\":\"" CODE "\"}}}"));
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_ISSUE, EE) == PCA_POLICY_ALLOW);
	CHECK(pca_policy_evaluate(p, CA, B, PCA_ACTION_ISSUE, CODE) == PCA_POLICY_NO_MATCH);
	free(p);
}

/* The accounts an index of shared CAs files a policy under: Allow only, every
 * principal form, "*" as itself. */
TEST(pca_policy_grantees_of_allow_statements)
{
	char(*g)[13] = NULL;
	int n = pca_policy_grantees(
	    policy("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"" B "\","
		   "\"arn:aws:iam::333333333333:root\"]},\"Action\":\"acm-pca:*\","
		   "\"Resource\":\"" CA "\"},"
		   "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"444444444444\"},"
		   "\"Action\":\"acm-pca:*\",\"Resource\":\"" CA "\"},"
		   "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
		   "\"Action\":\"acm-pca:ListTags\",\"Resource\":\"" CA "\"}]"),
	    &g);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR_EQ(g[0], B);
		CHECK_STR_EQ(g[1], "333333333333");
		CHECK_STR_EQ(g[2], "*");
	}
	free(g);
	CHECK(pca_policy_grantees("not json", &g) == 0 && g == NULL);
}

static void shared_count(void *ctx, const struct store_ca *ca)
{
	(void)ca;
	(*(int *)ctx)++;
}

/* A policy stored before the grantee index (migration 8) is filed under its
 * grantees at start, and then lists for them only. */
TEST(pca_policy_reindex_files_old_policies)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	static unsigned char key[4] = {1, 2, 3, 4};
	struct store_ca ca = {.type = "ROOT",
			      .status = "ACTIVE",
			      .usage_mode = "GENERAL_PURPOSE",
			      .key_storage = "FIPS_140_2_LEVEL_3_OR_HIGHER",
			      .key_alg = "EC_prime256v1",
			      .sig_alg = "SHA256WITHECDSA",
			      .config_json = "{}",
			      .revocation_json = "{}",
			      .key_sealed = key,
			      .key_sealed_len = sizeof(key),
			      .csr_pem = "csr",
			      .created_at = 1};
	int n = 0;
	CHECK(st != NULL);
	if (st == NULL)
		return;
	strcpy(ca.id, "11111111-2222-4333-8444-555555555555");
	strcpy(ca.account_id, SCRATCH_ACCOUNT);
	CHECK(store_ca_insert(st, &ca, &err) == 0);
	CHECK(store_policy_put(st, ca.id,
			       policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" B
				      "\"},\"Action\":\"acm-pca:*\",\"Resource\":\"" CA "\"}"),
			       1, &err) == 0);
	CHECK(store_ca_shared_list(st, B, "", 10, shared_count, &n, &err) == 0 && n == 0);
	CHECK(pca_policy_reindex(st, &err) == 0);
	CHECK(store_ca_shared_list(st, B, "", 10, shared_count, &n, &err) == 1 && n == 1);
	CHECK(store_ca_shared_list(st, "333333333333", "", 10, shared_count, &n, &err) == 0);
	CHECK(store_ca_shared_list(st, SCRATCH_ACCOUNT, "", 10, shared_count, &n, &err) == 0);
	CHECK(pca_policy_reindex(st, &err) == 0); /* nothing left to file */
	scratch_done(st, dir);
}

TEST(pca_audit_bucket_names)
{
	CHECK(pca_audit_bucket_ok("audit-bucket"));
	CHECK(pca_audit_bucket_ok("a.b-c.1"));
	CHECK(!pca_audit_bucket_ok("ab"));
	CHECK(!pca_audit_bucket_ok("Upper"));
	CHECK(!pca_audit_bucket_ok("../etc"));
	CHECK(!pca_audit_bucket_ok("a..b"));
	CHECK(!pca_audit_bucket_ok("a/b"));
	CHECK(!pca_audit_bucket_ok("-abc"));
	CHECK(!pca_audit_bucket_ok("abc."));
	CHECK(!pca_audit_bucket_ok("192.168.5.4"));
	CHECK(pca_audit_bucket_ok("192.168.5.x"));
}

TEST(pca_audit_csv_quoting)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	pca_audit_csv_field(f, "plain");
	fputc('|', f);
	pca_audit_csv_field(f, "CN=a,O=\"b\"");
	fputc('|', f);
	pca_audit_csv_field(f, NULL);
	fclose(f);
	CHECK_STR_EQ(buf, "plain|\"CN=a,O=\"\"b\"\"\"|");
	free(buf);
}
