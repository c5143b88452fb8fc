/* The store's ACME part (issue 8): the job queue of public certificates
 * (claims with a lease, compare-and-set updates, idle jobs never due) and
 * the ACME accounts. */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "scratch.h"
#include "store/store.h"

static int add_public_cert(struct store *st, const char *id)
{
	struct store_acm_cert c = {0};
	struct cm_err err = {0};
	snprintf(c.id, sizeof(c.id), "%s", id);
	snprintf(c.account_id, sizeof(c.account_id), "%s", SCRATCH_ACCOUNT);
	strcpy(c.type, "AMAZON_ISSUED");
	strcpy(c.status, "PENDING_VALIDATION");
	strcpy(c.domain_name, "www.example.com");
	strcpy(c.key_alg, "RSA_2048");
	strcpy(c.validation_method, "DNS");
	c.names_json = "[\"www.example.com\"]";
	return store_acm_cert_insert(st, &c, &err);
}

static struct store_acme_job job(const char *id, const char *reason, int64_t due)
{
	struct store_acme_job j = {.due_at = due};
	snprintf(j.cert_id, sizeof(j.cert_id), "%s", id);
	snprintf(j.account_id, sizeof(j.account_id), "%s", SCRATCH_ACCOUNT);
	snprintf(j.ca_name, sizeof(j.ca_name), "pebble");
	snprintf(j.reason, sizeof(j.reason), "%s", reason);
	return j;
}

TEST(store_acme_jobs)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acme_job *jobs = NULL, got;
	size_t n = 0;
	if (st == NULL || add_public_cert(st, "c1") < 0 || add_public_cert(st, "c2") < 0 ||
	    add_public_cert(st, "c3") < 0) {
		CHECK(0);
		scratch_done(st, dir);
		return;
	}
	struct store_acme_job a = job("c1", "ISSUANCE", 100), b = job("c2", "ISSUANCE", 200),
			      idle = job("c3", "IDLE", INT64_MAX);
	CHECK(store_acme_job_put(st, &a, true, &err) == 0);
	CHECK(store_acme_job_put(st, &b, true, &err) == 0);
	CHECK(store_acme_job_put(st, &idle, true, &err) == 0);
	/* A job for a certificate that does not exist is refused. */
	struct store_acme_job ghost = job("nope", "ISSUANCE", 1);
	CHECK(store_acme_job_put(st, &ghost, true, &err) < 0);

	/* At 150 only c1 is due; the claim moves it to the lease's end. */
	CHECK(store_acme_job_claim(st, 150, 900, 4, &jobs, &n, &err) == 0);
	CHECK(n == 1 && strcmp(jobs[0].cert_id, "c1") == 0 && jobs[0].due_at == 1050);
	CHECK_STR_EQ(jobs[0].state, "{}");
	store_acme_jobs_free(jobs, n);
	CHECK(store_acme_job_claim(st, 150, 900, 4, &jobs, &n, &err) == 0 && n == 0);
	store_acme_jobs_free(jobs, n);

	/* The claimer's update lands only while the job is still the one claimed. */
	a.due_at = 2000;
	a.attempts = 1;
	a.state = "{\"names\":{\"www.example.com\":\"PENDING_VALIDATION\"}}";
	CHECK(store_acme_job_update(st, &a, 1050, &err) == 0);
	CHECK(store_acme_job_update(st, &a, 1050, &err) < 0 && err.code == CM_ERR_CONFLICT);
	CHECK(store_acme_job_get(st, "c1", &got, &err) == 0);
	CHECK(got.attempts == 1 && got.due_at == 2000);
	CHECK(strstr(got.state, "PENDING_VALIDATION") != NULL);
	store_acme_job_clear(&got);

	/* Without replace a running job is kept; with it, it is replaced. */
	struct store_acme_job renew = job("c1", "RENEWAL", 10);
	CHECK(store_acme_job_put(st, &renew, false, &err) == 0);
	CHECK(store_acme_job_get(st, "c1", &got, &err) == 0 && strcmp(got.reason, "ISSUANCE") == 0);
	store_acme_job_clear(&got);
	CHECK(store_acme_job_put(st, &renew, true, &err) == 0);
	CHECK(store_acme_job_get(st, "c1", &got, &err) == 0 && strcmp(got.reason, "RENEWAL") == 0 &&
	      got.due_at == 10 && got.attempts == 0);
	store_acme_job_clear(&got);

	/* An idle job is never due, however late it is. */
	CHECK(store_acme_job_claim(st, INT64_MAX - 1, 1, 4, &jobs, &n, &err) == 0);
	for (size_t i = 0; i < n; i++)
		CHECK(strcmp(jobs[i].cert_id, "c3") != 0);
	store_acme_jobs_free(jobs, n);

	/* Deleting the certificate takes its job with it. */
	CHECK(store_acm_cert_delete(st, SCRATCH_ACCOUNT, "c2", &err) == 0);
	CHECK(store_acme_job_get(st, "c2", &got, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	scratch_done(st, dir);
}

TEST(store_acme_accounts)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acme_account a = {0}, got;
	unsigned char blob[3] = {1, 2, 3};
	if (st == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_acme_account_get(st, "pebble", &got, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	strcpy(a.ca_name, "pebble");
	strcpy(a.directory, "https://127.0.0.1:14000/dir");
	a.key_sealed = blob;
	a.key_sealed_len = sizeof(blob);
	a.created_at = 5;
	CHECK(store_acme_account_put(st, &a, &err) == 0);
	strcpy(a.account_url, "https://127.0.0.1:14000/my-account/1");
	CHECK(store_acme_account_put(st, &a, &err) == 0);
	CHECK(store_acme_account_get(st, "pebble", &got, &err) == 0);
	CHECK_STR_EQ(got.account_url, "https://127.0.0.1:14000/my-account/1");
	CHECK(got.key_sealed_len == 3 && got.key_sealed[2] == 3 && got.created_at == 5);
	store_acme_account_clear(&got);
	scratch_done(st, dir);
}
