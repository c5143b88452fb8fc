/* Rules of the ACM domain that no API call can reach yet: a certificate in
 * use (InUseBy, set by deployments) cannot be deleted and is renewal-eligible;
 * and what an import leaves behind, checked in-process on a scratch store. */
#include <openssl/pem.h>
#include <stdlib.h>
#include <unistd.h>

#include "acm/acm.h"
#include "harness.h"
#include "keystore/keystore.h"
#include "test_x509_fixtures.h"
#include "x509/pem.h"

#define ACCT "333333333333"

struct acm_fixture {
	char dir[64];
	struct store *st;
	struct keystore *ks;
	struct acm_ctx ctx;
};

static int acm_fixture_open(struct acm_fixture *f)
{
	struct cm_err err = {0};
	char path[256];
	memset(f, 0, sizeof(*f));
	strcpy(f->dir, "/tmp/certain-unit-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/certain.db", f->dir);
	f->st = store_open(path, true, &err);
	f->ks = keystore_open(f->dir, true, &err);
	if (f->st == NULL || f->ks == NULL || store_account_create(f->st, ACCT, 1, &err) < 0)
		return -1;
	f->ctx = (struct acm_ctx){.store = f->st, .keys = f->ks, .account = ACCT,
				  .region = "us-east-1", .partition = "aws", .now = FX_NOW,
				  .validation_zone = "acm-validations.aws"};
	return 0;
}

static void acm_fixture_close(struct acm_fixture *f)
{
	char cmd[300];
	store_close(f->st);
	keystore_close(f->ks);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
}

/* Imports a fresh self-signed P-256 certificate for name; arn filled. */
static int acm_fixture_import(struct acm_fixture *f, const char *name, char *arn, size_t size)
{
	char san[300];
	struct cm_err err = {0};
	snprintf(san, sizeof(san), "DNS:%s", name);
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct fx_cert_spec spec = {.key = key, .subject = "CN=unit", .exts = {{"subjectAltName", san}}};
	X509 *cert = fx_cert(&spec);
	char *cert_pem = x509_cert_to_pem(cert), *key_pem = fx_key_pem(key, FX_PEM_PKCS8);
	struct acm_import_req req = {.cert = (const unsigned char *)cert_pem,
				     .cert_len = strlen(cert_pem),
				     .key = (const unsigned char *)key_pem,
				     .key_len = strlen(key_pem)};
	int rc = acm_import(&f->ctx, &req, arn, size, &err);
	free(cert_pem);
	free(key_pem);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

TEST(acm_in_use_certificate_cannot_be_deleted)
{
	struct acm_fixture f;
	struct store_acm_cert c;
	struct acm_view v;
	struct cm_err err = {0};
	char arn[ARN_MAX];
	CHECK(acm_fixture_open(&f) == 0);
	CHECK(acm_fixture_import(&f, "used.example.com", arn, sizeof(arn)) == 0);
	CHECK(acm_load(&f.ctx, arn, &c, &err) == 0);
	CHECK(store_acm_usage_add(f.st, c.id, "arn:aws:certain:us-east-1:" ACCT ":target/t1",
				  &err) == 0);
	CHECK(acm_delete(&f.ctx, arn, &err) < 0 && err.code == CM_ERR_RESOURCE_IN_USE);
	CHECK(strstr(err.msg, "target/t1") != NULL);
	CHECK(acm_view_get(&f.ctx, &c, &v, &err) == 0);
	CHECK(v.n_in_use_by == 1 && !v.renewal_eligible); /* imported: never renewed */
	acm_view_clear(&v);
	/* Once nothing uses it, it goes, key and all. */
	CHECK(store_acm_usage_remove(f.st, c.id, "arn:aws:certain:us-east-1:" ACCT ":target/t1",
				     &err) == 0);
	CHECK(acm_delete(&f.ctx, arn, &err) == 0);
	store_acm_cert_clear(&c);
	CHECK(acm_load(&f.ctx, arn, &c, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	acm_fixture_close(&f);
}

TEST(acm_in_use_makes_private_and_public_certificates_eligible)
{
	/* Eligibility needs no issuance to check: the rule reads the record. */
	struct store_acm_cert c = {0};
	strcpy(c.type, "PRIVATE");
	CHECK(!acm_renewal_eligible(&c, "ISSUED", false));
	CHECK(acm_renewal_eligible(&c, "ISSUED", true));
	CHECK(!acm_renewal_eligible(&c, "EXPIRED", true));
	c.exported = true;
	CHECK(acm_renewal_eligible(&c, "ISSUED", false));
	/* Public: in use is enough, export or not (spec §6.7); a public
	 * certificate that cannot be exported is never "exported". */
	strcpy(c.type, "AMAZON_ISSUED");
	strcpy(c.export_option, "DISABLED");
	c.exported = false;
	CHECK(acm_renewal_eligible(&c, "ISSUED", true));
	CHECK(!acm_renewal_eligible(&c, "ISSUED", false));
	CHECK(!acm_renewal_eligible(&c, "PENDING_VALIDATION", true));
	strcpy(c.type, "IMPORTED");
	CHECK(!acm_renewal_eligible(&c, "ISSUED", true));
}
