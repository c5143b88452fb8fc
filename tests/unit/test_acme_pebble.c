/* End-to-end ACME against a real pebble, started by
 * tests/integration/test_acme_client.py, which passes it in the environment:
 *   CERTAIN_ACME_DIRECTORY   pebble's directory URL (tests skip without it)
 *   CERTAIN_ACME_CA_BUNDLE   pebble's TLS certificate
 *   CERTAIN_ACME_NAMES       names to order, comma-separated
 *   CERTAIN_ACME_CSR         a DER CSR for them
 *   CERTAIN_ACME_OUT         folder for leaf.pem, chain.pem, kid.txt, problem.txt
 *   CERTAIN_ACME_PREFERRED_CHAIN, CERTAIN_ACME_EAB_KID, CERTAIN_ACME_EAB_KEY
 * The Python side checks the results with openssl. */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "acme/acme.h"
#include "harness.h"
#include "x509/ari.h"

static const char *penv(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

static char *dup_env(const char *name)
{
	const char *v = penv(name);
	return v != NULL ? strdup(v) : NULL;
}

static void pebble_cfg(struct acme_ca_cfg *cfg)
{
	*cfg = (struct acme_ca_cfg){.name = "pebble",
				    .directory_url = penv("CERTAIN_ACME_DIRECTORY"),
				    .contact = "admin@example.com",
				    .ca_bundle = penv("CERTAIN_ACME_CA_BUNDLE"),
				    .preferred_chain = penv("CERTAIN_ACME_PREFERRED_CHAIN"),
				    .eab_kid = penv("CERTAIN_ACME_EAB_KID"),
				    .eab_hmac_key = penv("CERTAIN_ACME_EAB_KEY"),
				    .timeout_ms = 10000};
}

static void out_write(const char *file, const char *text)
{
	char path[1024];
	const char *dir = penv("CERTAIN_ACME_OUT");
	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* The problem of the last failure, for the Python side: type, reason, transient. */
static void out_problem(const struct acme_client *c)
{
	const struct acme_problem *p = acme_client_problem(c);
	char text[1024];
	snprintf(text, sizeof(text),
		 "type=%s\nreason=%s\ntransient=%d\nstatus=%d\nretry_after=%ld\ndetail=%s\n",
		 p->type, acme_problem_reason(p), acme_problem_is_transient(p), p->status,
		 p->retry_after, p->detail);
	out_write("problem.txt", text);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = path != NULL ? fopen(path, "rb") : NULL;
	unsigned char *buf = malloc(65536);
	*len = 0;
	if (f != NULL && buf != NULL)
		*len = fread(buf, 1, 65536, f);
	if (f != NULL)
		fclose(f);
	return buf;
}

static size_t split_names(char *names, const char **out, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(names, ",", &save); t != NULL && n < max;
	     t = strtok_r(NULL, ",", &save))
		out[n++] = t;
	return n;
}

/* Every authorization of the order through its dns-01 challenge. */
static void pebble_authorize(int *harness_failures, struct acme_client *c, EVP_PKEY *key,
			     struct acme_order *o, size_t nnames)
{
	struct cm_err err;
	size_t wildcards = 0;
	CHECK(o->nauthorizations == nnames);
	for (size_t i = 0; i < o->nauthorizations; i++) {
		struct acme_authz a = {0};
		char txt[ACME_B64_SHA256_LEN];
		CHECK(acme_authz_fetch(c, o->authorizations[i], &a, &err) == 0);
		CHECK(a.challenge_url != NULL && a.token != NULL);
		CHECK(acme_dns01_txt(key, a.token, txt) == 0 && strlen(txt) == 43);
		wildcards += a.wildcard;
		if (a.status == ACME_STATUS_PENDING && a.challenge_url != NULL)
			CHECK(acme_challenge_respond(c, a.challenge_url, &err) == 0);
		acme_authz_clear(&a);
	}
	CHECK(wildcards >= 1 || nnames == 1);
}

TEST(acme_pebble_issue)
{
	struct acme_ca_cfg cfg;
	struct cm_err err;
	struct acme_order o = {0};
	const char *names[16];
	char *namebuf = dup_env("CERTAIN_ACME_NAMES");
	char *leaf = NULL, *chain = NULL;
	size_t csr_len = 0;
	unsigned char *csr = read_file(penv("CERTAIN_ACME_CSR"), &csr_len);
	pebble_cfg(&cfg);
	if (cfg.directory_url == NULL || namebuf == NULL) {
		fprintf(stderr, "  acme_pebble_issue: skipped (no CERTAIN_ACME_DIRECTORY)\n");
		goto out_nokey;
	}
	size_t nnames = split_names(namebuf, names, 16);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	struct acme_client *c = acme_client_new(&cfg, &err);
	CHECK(c != NULL);
	if (c == NULL)
		goto out;
	CHECK(acme_client_set_account(c, key, NULL, &err) == 0);
	CHECK(acme_account_register(c, &err) == 0);
	char kid[1024];
	snprintf(kid, sizeof(kid), "%s", acme_client_kid(c) ? acme_client_kid(c) : "");
	/* The same key again: the same account (200 + Location). */
	CHECK(acme_account_register(c, &err) == 0);
	CHECK_STR_EQ(acme_client_kid(c), kid);
	out_write("kid.txt", kid);
	if (acme_order_new(c, names, nnames, &o, &err) < 0) {
		fprintf(stderr, "  newOrder: %s\n", err.msg);
		out_problem(c);
		CHECK(0);
		goto out;
	}
	CHECK(o.status == ACME_STATUS_PENDING || o.status == ACME_STATUS_READY);
	pebble_authorize(harness_failures, c, key, &o, nnames);
	CHECK(acme_order_fetch(c, o.url, &o, &err) == 0);
	CHECK(acme_order_poll(c, &o, 30000, &err) == 0);
	CHECK(o.status == ACME_STATUS_READY);
	CHECK(acme_order_finalize(c, &o, csr, csr_len, &err) == 0);
	CHECK(acme_order_poll(c, &o, 30000, &err) == 0);
	CHECK(o.status == ACME_STATUS_VALID && o.certificate != NULL);
	if (o.certificate == NULL ||
	    acme_cert_download(c, o.certificate, &leaf, &chain, &err) < 0) {
		fprintf(stderr, "  download: %s\n", err.msg);
		CHECK(0);
		goto out;
	}
	out_write("leaf.pem", leaf);
	out_write("chain.pem", chain);
out:
	if (c != NULL && err.code != CM_OK)
		fprintf(stderr, "  last error: %s\n", err.msg);
	free(leaf);
	free(chain);
	acme_order_clear(&o);
	acme_client_free(c);
	EVP_PKEY_free(key);
out_nokey:
	free(csr);
	free(namebuf);
}

/* One registration as configured; kid.txt on success, problem.txt always. */
TEST(acme_pebble_register)
{
	struct acme_ca_cfg cfg;
	struct cm_err err;
	pebble_cfg(&cfg);
	if (cfg.directory_url == NULL) {
		fprintf(stderr, "  acme_pebble_register: skipped (no CERTAIN_ACME_DIRECTORY)\n");
		return;
	}
	EVP_PKEY *key = EVP_EC_gen("P-256");
	struct acme_client *c = acme_client_new(&cfg, &err);
	CHECK(c != NULL);
	if (c != NULL && acme_client_set_account(c, key, NULL, &err) == 0) {
		if (acme_account_register(c, &err) == 0)
			out_write("kid.txt", acme_client_kid(c));
		out_problem(c);
	}
	acme_client_free(c);
	EVP_PKEY_free(key);
}

/* newOrder for CERTAIN_ACME_NAMES, expected to be refused: problem.txt. */
TEST(acme_pebble_order_refused)
{
	struct acme_ca_cfg cfg;
	struct cm_err err;
	struct acme_order o = {0};
	const char *names[16];
	char *namebuf = dup_env("CERTAIN_ACME_NAMES");
	pebble_cfg(&cfg);
	if (cfg.directory_url == NULL || namebuf == NULL) {
		fprintf(stderr,
			"  acme_pebble_order_refused: skipped (no CERTAIN_ACME_DIRECTORY)\n");
		free(namebuf);
		return;
	}
	size_t nnames = split_names(namebuf, names, 16);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	struct acme_client *c = acme_client_new(&cfg, &err);
	CHECK(c != NULL && acme_client_set_account(c, key, NULL, &err) == 0 &&
	      acme_account_register(c, &err) == 0);
	CHECK(c != NULL && acme_order_new(c, names, nnames, &o, &err) < 0);
	if (c != NULL)
		out_problem(c);
	acme_order_clear(&o);
	acme_client_free(c);
	EVP_PKEY_free(key);
	free(namebuf);
}

/* renewalInfo for the certificate in CERTAIN_ACME_CERT: ari.txt on success
 * (id, start, end, retry_after), problem.txt always. */
TEST(acme_pebble_ari)
{
	struct acme_ca_cfg cfg;
	struct cm_err err;
	struct acme_renewal_info ri = {.retry_after = -1};
	size_t len = 0;
	unsigned char *pem = read_file(penv("CERTAIN_ACME_CERT"), &len);
	pebble_cfg(&cfg);
	if (cfg.directory_url == NULL || len == 0) {
		fprintf(stderr, "  acme_pebble_ari: skipped (no CERTAIN_ACME_DIRECTORY)\n");
		free(pem);
		return;
	}
	char *id = x509_ari_cert_id(pem, len, &err);
	struct acme_client *c = acme_client_new(&cfg, &err);
	CHECK(id != NULL && c != NULL);
	if (id != NULL && c != NULL) {
		if (acme_renewal_info_fetch(c, id, &ri, &err) == 0) {
			char text[512];
			snprintf(text, sizeof(text),
				 "id=%s\nstart=%lld\nend=%lld\nretry_after=%ld\n", id, ri.start,
				 ri.end, ri.retry_after);
			out_write("ari.txt", text);
		} else {
			fprintf(stderr, "  renewalInfo: %s (%s)\n", err.msg,
				cm_code_type(err.code));
		}
		out_problem(c);
	}
	acme_renewal_info_clear(&ri);
	acme_client_free(c);
	free(id);
	free(pem);
}
