/* The lifecycle scan on a scratch store with a real Private CA: daily
 * Approaching Expiration events with the right DaysToExpiry, a changed
 * DaysBeforeExpiry, EXPIRED marking (no event for imported), managed
 * renewal of an eligible private certificate at 60 days, no renewal when
 * not eligible, the failure path with the CA disabled (PENDING_AUTO_RENEWAL
 * and Renewal Action Required once at each of 45/30/15/3/1 days), the
 * Available events of issue and import, and two schedulers on one store
 * acting once per certificate. Time is passed explicitly (ctx.now and the
 * scan's now): nothing here waits. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/pem.h>

#include "acm/acm.h"
#include "harness.h"
#include "keystore/keystore.h"
#include "lifecycle/events.h"
#include "lifecycle/scan.h"
#include "pca/access.h"
#include "pca/ca.h"
#include "scratch.h"
#include "store/internal.h"
#include "test_x509_fixtures.h"
#include "util/log.h"
#include "x509/info.h"
#include "x509/pem.h"

#define LC_ACCT	    "111111111111"
#define DAY	    ((int64_t)86400)
#define T0	    FX_NOW
#define LC_PERM_ALL (PCA_PERM_ISSUE | PCA_PERM_GET | PCA_PERM_LIST_PERMISSIONS)

struct lc_env {
	char dir[64];
	struct store *st;
	struct keystore *ks;
	char ca_arn[ARN_MAX];
	struct lifecycle_cfg cfg;
};

static struct acm_ctx lc_ctx(const struct lc_env *e, int64_t now)
{
	return (struct acm_ctx){.store = e->st,
				.keys = e->ks,
				.account = LC_ACCT,
				.region = "us-east-1",
				.partition = "aws",
				.now = now,
				.validation_zone = "acm-validations.aws"};
}

static struct pca_ctx lc_pca(const struct lc_env *e, int64_t now)
{
	return (struct pca_ctx){.store = e->st,
				.keys = e->ks,
				.account = LC_ACCT,
				.region = "us-east-1",
				.partition = "aws",
				.now = now};
}

/* An ACTIVE EC root CA made through the PCA domain, as the API would. */
static int lc_make_ca(struct lc_env *e)
{
	struct pca_ctx p = lc_pca(e, T0 - DAY);
	struct cm_err err = {0};
	struct x509_subject subj = {.common_name = "Lifecycle Test Root",
				    .organization = "Certain"};
	struct pca_create_req req = {.key_alg = X509_KEY_EC_P256,
				     .sig_alg = X509_SIG_SHA256WITHECDSA,
				     .subject = &subj,
				     .config_json = "{}",
				     .revocation_json = "{}",
				     .usage_mode = "GENERAL_PURPOSE",
				     .key_storage = "FIPS_140_2_LEVEL_3_OR_HIGHER"};
	char cert_arn[ARN_MAX + 64], *csr = NULL, *pem = NULL, *chain = NULL;
	int rc = -1;
	if (pca_ca_create(&p, &req, e->ca_arn, sizeof(e->ca_arn), &err) < 0 ||
	    pca_ca_get_csr(&p, e->ca_arn, &csr, &err) < 0)
		goto out;
	struct pca_issue_req ir = {.ca_arn = e->ca_arn,
				   .csr = (const unsigned char *)csr,
				   .csr_len = strlen(csr),
				   .sig_alg = X509_SIG_SHA256WITHECDSA,
				   .validity = {PCA_VALIDITY_YEARS, 10},
				   .template_arn = FX_TMPL("RootCACertificate"),
				   .requester = LC_ACCT};
	if (pca_issue(&p, &ir, cert_arn, sizeof(cert_arn), &err) < 0 ||
	    pca_get_certificate(&p, e->ca_arn, cert_arn, &pem, &chain, &err) < 0 ||
	    pca_ca_import_certificate(&p, e->ca_arn, (const unsigned char *)pem, strlen(pem), NULL,
				      0, &err) < 0)
		goto out;
	/* Managed renewal needs ACM's permissions on the CA (spec pca.md §6.10). */
	if (pca_permission_create(&p, e->ca_arn, PCA_ACM_PRINCIPAL, NULL, LC_PERM_ALL, &err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "  lifecycle CA: %s\n", err.msg);
	free(csr);
	free(pem);
	free(chain);
	return rc;
}

static bool lc_setup(struct lc_env *e)
{
	struct cm_err err = {0};
	char path[128];
	memset(e, 0, sizeof(*e));
	log_set_level(LOG_WARN); /* renewals and expiries log at info */
	strcpy(e->dir, "/tmp/certain-lc-XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return false;
	snprintf(path, sizeof(path), "%s/certain.db", e->dir);
	e->ks = keystore_open(e->dir, true, &err);
	e->st = e->ks != NULL ? store_open(path, true, &err) : NULL;
	if (e->st == NULL || store_account_create(e->st, LC_ACCT, 1, &err) < 0 || lc_make_ca(e) < 0)
		return false;
	e->cfg = (struct lifecycle_cfg){.store = e->st,
					.keys = e->ks,
					.region = "us-east-1",
					.partition = "aws",
					.scan_interval = 86400};
	return true;
}

static void lc_done(struct lc_env *e)
{
	char cmd[128];
	store_close(e->st);
	keystore_close(e->ks);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", e->dir);
}

/* A private certificate requested at now; its id into id. */
static int lc_request(struct lc_env *e, int64_t now, const char *name, char *id)
{
	struct acm_ctx ctx = lc_ctx(e, now);
	struct acm_request req = {
	    .domain_name = name, .ca_arn = e->ca_arn, .key_alg = "EC_prime256v1"};
	struct cm_err err = {0};
	char arn[ARN_MAX];
	if (acm_request(&ctx, &req, arn, sizeof(arn), &err) < 0) {
		fprintf(stderr, "  request: %s\n", err.msg);
		return -1;
	}
	snprintf(id, 40, "%s", strrchr(arn, '/') + 1);
	return 0;
}

static struct store_acm_cert lc_get(struct lc_env *e, const char *id)
{
	struct store_acm_cert c;
	struct cm_err err = {0};
	if (store_acm_cert_get(e->st, LC_ACCT, id, &c, &err) < 0)
		memset(&c, 0, sizeof(c));
	return c;
}

static struct lifecycle_scan_stats lc_scan(struct lc_env *e, int64_t now)
{
	struct lifecycle_scan_stats s;
	struct cm_err err = {0};
	if (lifecycle_scan(&e->cfg, now, &s, &err) < 0) {
		fprintf(stderr, "  scan: %s\n", err.msg);
		memset(&s, 0, sizeof(s));
		s.examined = -1;
	}
	return s;
}

struct lc_events {
	const char *detail_type; /* NULL: all */
	int n;
	char last[4096];
	int64_t last_created_at;
	char last_id[40];
};

static void lc_event_cb(void *ctx, const struct store_event *ev)
{
	struct lc_events *l = ctx;
	l->last_created_at = ev->created_at;
	snprintf(l->last_id, sizeof(l->last_id), "%s", ev->id);
	if (l->detail_type != NULL && strcmp(ev->detail_type, l->detail_type) != 0)
		return;
	l->n++;
	snprintf(l->last, sizeof(l->last), "%s", ev->body);
}

/* Events of detail_type since since; the last one's body in l->last. */
static struct lc_events lc_events(struct lc_env *e, const char *detail_type, int64_t since)
{
	struct lc_events l = {.detail_type = detail_type};
	struct cm_err err = {0};
	int got;
	do {
		got = store_event_list(e->st, LC_ACCT, since, l.last_created_at, l.last_id, 100,
				       lc_event_cb, &l, &err);
	} while (got == 100);
	return l;
}

/* detail.<member> of an event body as an integer (-1 when absent). */
static long long lc_detail_int(const char *body, const char *member)
{
	json_t *o = json_loads(body, 0, NULL);
	json_t *v = json_object_get(json_object_get(o, "detail"), member);
	long long n = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
	json_decref(o);
	return n;
}

static bool lc_detail_str(const char *body, const char *member, const char *want)
{
	json_t *o = json_loads(body, 0, NULL);
	const char *s = json_string_value(json_object_get(json_object_get(o, "detail"), member));
	bool eq = s != NULL && want != NULL && strcmp(s, want) == 0;
	if (s == NULL && want == NULL)
		eq = json_object_get(json_object_get(o, "detail"), member) == NULL;
	json_decref(o);
	return eq;
}

#define AE "ACM Certificate Approaching Expiration"
#define AV "ACM Certificate Available"
#define AR "ACM Certificate Renewal Action Required"
#define EX "ACM Certificate Expired"

TEST(lifecycle_action_marks)
{
	CHECK(lifecycle_action_mark(59, 0, false) == 0);
	CHECK(lifecycle_action_mark(46, 0, false) == 0);
	CHECK(lifecycle_action_mark(45, 0, false) == 45);
	CHECK(lifecycle_action_mark(44, 45, false) == 0);
	CHECK(lifecycle_action_mark(30, 45, false) == 30);
	CHECK(lifecycle_action_mark(20, 0, false) == 30); /* late: the nearest mark passed */
	CHECK(lifecycle_action_mark(20, 30, false) == 0);
	CHECK(lifecycle_action_mark(3, 15, false) == 3);
	CHECK(lifecycle_action_mark(0, 3, false) == 1);
	CHECK(lifecycle_action_mark(0, 1, false) == 0);
	/* Public certificates: 30, 15, 7, 3, 1 (no 45). */
	CHECK(lifecycle_action_mark(45, 0, true) == 0);
	CHECK(lifecycle_action_mark(30, 0, true) == 30);
	CHECK(lifecycle_action_mark(7, 15, true) == 7);
	CHECK(lifecycle_action_mark(5, 7, true) == 0);
	CHECK(lifecycle_action_mark(3, 7, true) == 3);
}

TEST(lifecycle_event_json_shapes)
{
	struct store_acm_cert c = {0};
	struct acm_ctx ctx = {
	    .account = LC_ACCT, .region = "eu-west-1", .partition = "aws", .now = T0};
	strcpy(c.id, "0b5e6f6a-8d1c-4f5e-9a77-3c2f1a9d0e11");
	strcpy(c.type, "PRIVATE");
	strcpy(c.domain_name, "api.internal.example");
	strcpy(c.subject_cn, "api.internal.example");
	strcpy(c.export_option, "DISABLED");
	c.created_at = T0 - 10 * DAY;
	c.not_after = T0 + 395 * DAY - 1; /* floor: 394 */
	c.exported = true;
	char *s = lifecycle_event_json(LIFECYCLE_EVENT_AVAILABLE, &ctx, &c, "RENEWAL", "ev-1");
	json_t *o = s != NULL ? json_loads(s, 0, NULL) : NULL;
	CHECK(o != NULL);
	CHECK_STR_EQ(json_string_value(json_object_get(o, "version")), "0");
	CHECK_STR_EQ(json_string_value(json_object_get(o, "id")), "ev-1");
	CHECK_STR_EQ(json_string_value(json_object_get(o, "detail-type")), AV);
	CHECK_STR_EQ(json_string_value(json_object_get(o, "source")), "aws.acm");
	CHECK_STR_EQ(json_string_value(json_object_get(o, "account")), LC_ACCT);
	CHECK_STR_EQ(json_string_value(json_object_get(o, "time")), "2026-01-01T00:00:00Z");
	CHECK_STR_EQ(json_string_value(json_object_get(o, "region")), "eu-west-1");
	CHECK_STR_EQ(json_string_value(json_array_get(json_object_get(o, "resources"), 0)),
		     "arn:aws:acm:eu-west-1:111111111111:certificate/"
		     "0b5e6f6a-8d1c-4f5e-9a77-3c2f1a9d0e11");
	json_t *d = json_object_get(o, "detail");
	CHECK(json_object_size(d) == 8); /* no DomainValidationMethod for PRIVATE */
	CHECK(lc_detail_str(s, "Action", "RENEWAL"));
	CHECK(lc_detail_str(s, "CertificateType", "PRIVATE"));
	CHECK(lc_detail_str(s, "CommonName", "api.internal.example"));
	CHECK(lc_detail_str(s, "CertificateCreatedDate", "2025-12-22T00:00:00Z"));
	CHECK(lc_detail_str(s, "CertificateExpirationDate", "2027-01-30T23:59:59Z"));
	CHECK(lc_detail_int(s, "DaysToExpiry") == 394);
	CHECK(json_is_false(json_object_get(d, "InUse")));
	CHECK(json_is_true(json_object_get(d, "Exported")));
	json_decref(o);
	free(s);

	s = lifecycle_event_json(LIFECYCLE_EVENT_APPROACHING_EXPIRATION, &ctx, &c, NULL, "ev-2");
	o = s != NULL ? json_loads(s, 0, NULL) : NULL;
	CHECK(json_object_size(json_object_get(o, "detail")) == 2);
	CHECK(lc_detail_int(s, "DaysToExpiry") == 394);
	CHECK(lc_detail_str(s, "CommonName", "api.internal.example"));
	json_decref(o);
	free(s);

	/* A public certificate says how it was validated; a CN-less one is
	 * named by its DomainName. */
	strcpy(c.type, "AMAZON_ISSUED");
	strcpy(c.validation_method, "DNS");
	c.subject_cn[0] = '\0';
	strcpy(c.domain_name, "www.example.com");
	s = lifecycle_event_json(LIFECYCLE_EVENT_EXPIRED, &ctx, &c, NULL, "ev-3");
	o = s != NULL ? json_loads(s, 0, NULL) : NULL;
	CHECK(json_object_size(json_object_get(o, "detail")) == 7);
	CHECK(lc_detail_str(s, "DomainValidationMethod", "DNS"));
	CHECK(lc_detail_str(s, "CommonName", "www.example.com"));
	CHECK(lc_detail_str(s, "CertificateType", "AMAZON_ISSUED"));
	json_decref(o);
	free(s);

	s = lifecycle_event_json(LIFECYCLE_EVENT_RENEWAL_ACTION_REQUIRED, &ctx, &c,
				 "PCA_INVALID_STATE", "ev-4");
	o = s != NULL ? json_loads(s, 0, NULL) : NULL;
	CHECK(json_object_size(json_object_get(o, "detail")) == 8);
	CHECK(lc_detail_str(s, "RenewalStatusReason", "PCA_INVALID_STATE"));
	CHECK(lc_detail_int(s, "DaysToExpiry") == 394);
	json_decref(o);
	free(s);

	strcpy(c.type, "IMPORTED");
	s = lifecycle_event_json(LIFECYCLE_EVENT_REVOKED, &ctx, &c, NULL, "ev-5");
	o = s != NULL ? json_loads(s, 0, NULL) : NULL;
	d = json_object_get(o, "detail");
	CHECK(json_object_size(d) == 4);
	CHECK(json_is_false(json_object_get(d, "Exportable")));
	CHECK(lc_detail_str(s, "CertificateExpirationDate", "2027-01-30T23:59:59Z"));
	json_decref(o);
	free(s);

	/* DaysToExpiry rounds down, also when less than a day is left. */
	c.not_after = T0 + DAY / 2;
	CHECK(lifecycle_days_to_expiry(&c, T0) == 0);
	c.not_after = T0 - 1;
	CHECK(lifecycle_days_to_expiry(&c, T0) == -1);
}

/* A private RequestCertificate stores the CA's record of the certificate and
 * ACM's record in one commit: when the ACM write fails, the CA has no
 * certificate either (a crash there leaves nothing), and when it succeeds
 * the two name the same serial. */
TEST(lifecycle_private_request_is_one_commit)
{
	struct lc_env e;
	char id[40];
	struct cm_err err = {0};
	if (!lc_setup(&e)) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	long long certs = scratch_sql_int(e.st, "SELECT count(*) FROM certificates");
	sqlite3 *db = store_db(e.st, &err);
	CHECK(sqlite3_exec(db,
			   "CREATE TEMP TRIGGER lc_refuse BEFORE INSERT ON main.acm_certificates "
			   "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(lc_request(&e, T0, "refused.example.com", id) < 0);
	CHECK(scratch_sql_int(e.st, "SELECT count(*) FROM certificates") == certs);
	CHECK(scratch_sql_int(e.st, "SELECT count(*) FROM acm_certificates") == 0);
	CHECK(scratch_sql_int(e.st, "SELECT count(*) FROM events") == 0);
	CHECK(sqlite3_exec(db, "DROP TRIGGER temp.lc_refuse", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(lc_request(&e, T0, "stored.example.com", id) == 0);
	CHECK(scratch_sql_int(e.st, "SELECT count(*) FROM certificates") == certs + 1);
	struct store_acm_cert c = lc_get(&e, id);
	CHECK_STR_EQ(c.status, "ISSUED");
	/* The CA's row carries the same serial (hex without colons) and DER. */
	char sql[256], hex[80];
	CHECK(x509_serial_hex_normalize(c.serial, hex, sizeof(hex)) == 0);
	snprintf(sql, sizeof(sql),
		 "SELECT length(der) FROM certificates WHERE lower(serial) = lower('%s')", hex);
	CHECK(c.cert_der_len > 0 && scratch_sql_int(e.st, sql) == (long long)c.cert_der_len);
	store_acm_cert_clear(&c);
	lc_done(&e);
}

TEST(lifecycle_issue_emits_available_and_daily_warnings)
{
	struct lc_env e;
	char id[40];
	if (!lc_setup(&e) || lc_request(&e, T0, "warn.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	struct lc_events av = lc_events(&e, AV, 0);
	CHECK(av.n == 1);
	CHECK(lc_detail_str(av.last, "Action", "ISSUANCE"));
	CHECK(lc_detail_int(av.last, "DaysToExpiry") == 395);
	struct store_acm_cert c = lc_get(&e, id);
	int64_t na = c.not_after;
	CHECK(c.scan_due_at == na - 60 * DAY);
	store_acm_cert_clear(&c);
	/* Nothing is due before the scan lead: the pass reads no row. */
	CHECK(lc_scan(&e, T0 + DAY).examined == 0);
	CHECK(lc_scan(&e, na - 50 * DAY).warned == 0);
	CHECK(lc_events(&e, AE, 0).n == 0);
	/* Inside the 45 days: one event a day, the whole days left in it. */
	int64_t t = na - 45 * DAY + 3600;
	for (int day = 0; day < 5; day++, t += DAY) {
		CHECK(lc_scan(&e, t).warned == 1);
		CHECK(lc_scan(&e, t + 600).warned == 0); /* the same day: nothing more */
		struct lc_events ae = lc_events(&e, AE, t);
		CHECK(ae.n == 1);
		CHECK(lc_detail_int(ae.last, "DaysToExpiry") == 44 - day);
		CHECK(lc_detail_str(ae.last, "CommonName", "warn.example.com"));
	}
	CHECK(lc_events(&e, AE, 0).n == 5);
	/* Not exported, not in use: no renewal, however close. */
	c = lc_get(&e, id);
	CHECK(c.renewal_json == NULL);
	CHECK_STR_EQ(c.status, "ISSUED");
	store_acm_cert_clear(&c);
	lc_done(&e);
}

TEST(lifecycle_days_before_expiry_change)
{
	struct lc_env e;
	struct cm_err err = {0};
	char id[40];
	if (!lc_setup(&e) || lc_request(&e, T0, "days.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	struct store_acm_cert c = lc_get(&e, id);
	int64_t na = c.not_after;
	store_acm_cert_clear(&c);
	struct acm_ctx ctx = lc_ctx(&e, na - 30 * DAY);
	CHECK(acm_put_days_before_expiry(&ctx, "tok1", true, 10, &err) == 0);
	CHECK(lc_scan(&e, na - 30 * DAY + 60).warned == 0);
	CHECK(lc_scan(&e, na - 20 * DAY + 60).warned == 0);
	/* Back to 45: the very next pass warns, the same day. */
	ctx.now = na - 20 * DAY + 120;
	CHECK(acm_put_days_before_expiry(&ctx, "tok2", true, 45, &err) == 0);
	struct lifecycle_scan_stats s = lc_scan(&e, na - 20 * DAY + 180);
	CHECK(s.warned == 1);
	struct lc_events ae = lc_events(&e, AE, 0);
	CHECK(ae.n == 1 && lc_detail_int(ae.last, "DaysToExpiry") == 19);
	/* And down to 5: no warning the next days, until the last five. */
	ctx.now = na - 20 * DAY + 240;
	CHECK(acm_put_days_before_expiry(&ctx, "tok3", true, 5, &err) == 0);
	CHECK(lc_scan(&e, na - 19 * DAY + 60).warned == 0);
	CHECK(lc_scan(&e, na - 5 * DAY + 60).warned == 1);
	CHECK(lc_events(&e, AE, 0).n == 2);
	lc_done(&e);
}

/* A self-signed certificate and key valid until not_after, imported at now. */
static int lc_import(struct lc_env *e, int64_t now, int64_t not_after, const char *reimport_arn,
		     char *id)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	struct fx_cert_spec spec = {.key = key,
				    .subject = "CN=imported.example.com",
				    .not_after = not_after,
				    .exts = {{"subjectAltName", "DNS:imported.example.com"}}};
	X509 *cert = fx_cert(&spec);
	char *pem = x509_cert_to_pem(cert), *kpem = fx_key_pem(key, FX_PEM_PKCS8);
	struct acm_ctx ctx = lc_ctx(e, now);
	struct acm_import_req req = {.arn = reimport_arn,
				     .cert = (const unsigned char *)pem,
				     .cert_len = strlen(pem),
				     .key = (const unsigned char *)kpem,
				     .key_len = strlen(kpem)};
	struct cm_err err = {0};
	char arn[ARN_MAX];
	int rc = acm_import(&ctx, &req, arn, sizeof(arn), &err);
	if (rc == 0)
		snprintf(id, 40, "%s", strrchr(arn, '/') + 1);
	else
		fprintf(stderr, "  import: %s\n", err.msg);
	free(pem);
	free(kpem);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

TEST(lifecycle_expiry_marks_expired)
{
	struct lc_env e;
	char pid[40], iid[40], iid2[40], arn[ARN_MAX];
	if (!lc_setup(&e) || lc_request(&e, T0, "expire.example.com", pid) < 0 ||
	    lc_import(&e, T0 + 60, T0 + 20 * DAY, NULL, iid) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	struct lc_events av = lc_events(&e, AV, 0);
	CHECK(av.n == 2 && lc_detail_str(av.last, "Action", "IMPORT"));
	CHECK(lc_detail_str(av.last, "CertificateType", "IMPORTED"));
	/* Imported certificates are warned about like any other. */
	CHECK(lc_scan(&e, T0 + 120).warned == 1);
	CHECK(lc_scan(&e, T0 + 20 * DAY + 1).expired == 1);
	struct store_acm_cert c = lc_get(&e, iid);
	CHECK_STR_EQ(c.status, "EXPIRED");
	CHECK_STR_EQ(store_acm_effective_status(&c, T0 + 21 * DAY), "EXPIRED");
	store_acm_cert_clear(&c);
	CHECK(lc_events(&e, EX, 0).n == 0); /* none for IMPORTED */
	/* Reimporting a fresh one makes it ISSUED again, with its event. */
	struct acm_ctx ctx = lc_ctx(&e, T0);
	acm_arn(&ctx, iid, arn, sizeof(arn));
	CHECK(lc_import(&e, T0 + 21 * DAY, T0 + 300 * DAY, arn, iid2) == 0);
	CHECK(strcmp(iid, iid2) == 0);
	av = lc_events(&e, AV, 0);
	CHECK(av.n == 3 && lc_detail_str(av.last, "Action", "REIMPORT"));
	c = lc_get(&e, iid);
	CHECK_STR_EQ(c.status, "ISSUED");
	int64_t pna = 0;
	store_acm_cert_clear(&c);
	c = lc_get(&e, pid);
	pna = c.not_after;
	store_acm_cert_clear(&c);
	/* The private one, never exported: expired with its event (and the
	 * reimported one again, silently). */
	int before = lc_events(&e, AE, 0).n;
	struct lifecycle_scan_stats s = lc_scan(&e, pna + 1);
	CHECK(s.expired == 2 && s.warned == 0); /* no warning after expiry */
	CHECK(lc_events(&e, AE, 0).n == before);
	struct lc_events ex = lc_events(&e, EX, 0);
	CHECK(ex.n == 1);
	CHECK(lc_detail_str(ex.last, "CertificateType", "PRIVATE"));
	CHECK(lc_detail_str(ex.last, "DomainValidationMethod", NULL));
	CHECK(lc_scan(&e, pna + DAY).expired == 0); /* once */
	c = lc_get(&e, pid);
	CHECK_STR_EQ(c.status, "EXPIRED");
	store_acm_cert_clear(&c);
	lc_done(&e);
}

/* The two records' certificates have different public keys. */
static bool lc_new_key(const struct store_acm_cert *a, const struct store_acm_cert *b)
{
	const unsigned char *pa = a->cert_der, *pb = b->cert_der;
	X509 *xa = pa != NULL ? d2i_X509(NULL, &pa, (long)a->cert_der_len) : NULL;
	X509 *xb = pb != NULL ? d2i_X509(NULL, &pb, (long)b->cert_der_len) : NULL;
	bool differ = xa != NULL && xb != NULL &&
		      EVP_PKEY_eq(X509_get0_pubkey(xa), X509_get0_pubkey(xb)) != 1;
	X509_free(xa);
	X509_free(xb);
	return differ;
}

TEST(lifecycle_renews_exported_private_certificate)
{
	struct lc_env e;
	struct cm_err err = {0};
	char id[40];
	if (!lc_setup(&e) || lc_request(&e, T0, "renew.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, id, &err) == 0);
	struct store_acm_cert old = lc_get(&e, id);
	/* 61 days before: not yet; 60 days before: renewed. */
	CHECK(lc_scan(&e, old.not_after - 61 * DAY).renewed == 0);
	int64_t t = old.not_after - 60 * DAY + 60;
	struct lifecycle_scan_stats s = lc_scan(&e, t);
	CHECK(s.renewed == 1);
	struct store_acm_cert c = lc_get(&e, id);
	CHECK_STR_EQ(c.status, "ISSUED");
	CHECK(strcmp(c.serial, old.serial) != 0);
	CHECK(c.not_after > old.not_after);
	CHECK(c.not_after - t >= 395 * DAY - 3600 && c.not_after - t <= 395 * DAY);
	CHECK(c.issued_at == t);
	CHECK(!c.exported); /* eligible again only once exported again */
	CHECK_STR_EQ(c.renewal_status, "SUCCESS");
	CHECK(lc_new_key(&old, &c)); /* a new key pair (spec §6.7, Certain) */
	CHECK_STR_EQ(c.ca_arn, e.ca_arn);
	struct store_acm_history *h = NULL;
	size_t n = 0;
	CHECK(store_acm_history_list(e.st, id, &h, &n, &err) == 0 && n == 1);
	if (n == 1) {
		CHECK_STR_EQ(h[0].serial, old.serial);
		CHECK(h[0].not_after == old.not_after);
	}
	free(h);
	struct lc_events av = lc_events(&e, AV, t);
	CHECK(av.n == 1);
	CHECK(lc_detail_str(av.last, "Action", "RENEWAL"));
	CHECK(lc_detail_int(av.last, "DaysToExpiry") == 395 ||
	      lc_detail_int(av.last, "DaysToExpiry") == 394);
	/* Not exported since: no second renewal, even inside the new window. */
	CHECK(lc_scan(&e, c.not_after - 59 * DAY).renewed == 0);
	store_acm_cert_clear(&c);
	store_acm_cert_clear(&old);
	lc_done(&e);
}

TEST(lifecycle_renewal_failure_action_required)
{
	struct lc_env e;
	struct cm_err err = {0};
	char id[40];
	if (!lc_setup(&e) || lc_request(&e, T0, "fail.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, id, &err) == 0);
	struct store_acm_cert c = lc_get(&e, id);
	int64_t na = c.not_after;
	char serial[80];
	snprintf(serial, sizeof(serial), "%s", c.serial);
	store_acm_cert_clear(&c);
	struct pca_ctx p = lc_pca(&e, na - 61 * DAY);
	CHECK(pca_ca_update(&p, e.ca_arn, "DISABLED", NULL, &err) == 0);
	struct lifecycle_scan_stats s = lc_scan(&e, na - 60 * DAY + 60);
	CHECK(s.renewal_failed == 1 && s.action_required == 0);
	c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "PENDING_AUTO_RENEWAL");
	CHECK(c.renewal_json != NULL && strstr(c.renewal_json, "PCA_INVALID_STATE") != NULL);
	CHECK_STR_EQ(c.serial, serial);
	store_acm_cert_clear(&c);
	/* Retried every pass; Renewal Action Required once at each mark. */
	int passes = 0;
	for (int64_t t = na - 59 * DAY + 3600; t < na; t += DAY / 2, passes++)
		lc_scan(&e, t);
	struct lc_events ar = lc_events(&e, AR, 0);
	CHECK(ar.n == 5);
	CHECK(lc_detail_str(ar.last, "RenewalStatusReason", "PCA_INVALID_STATE"));
	CHECK(lc_detail_int(ar.last, "DaysToExpiry") == 1);
	CHECK(lc_events(&e, AE, 0).n == 45); /* and the daily warnings meanwhile */
	c = lc_get(&e, id);
	CHECK(c.action_required_days == 1);
	CHECK_STR_EQ(c.serial, serial);
	store_acm_cert_clear(&c);
	/* Expired before success: FAILED, and the Expired event. */
	CHECK(lc_scan(&e, na + 1).expired == 1);
	c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "FAILED");
	store_acm_cert_clear(&c);
	CHECK(lc_events(&e, EX, 0).n == 1);
	lc_done(&e);
}

TEST(lifecycle_renewal_recovers_when_ca_enabled)
{
	struct lc_env e;
	struct cm_err err = {0};
	char id[40];
	if (!lc_setup(&e) || lc_request(&e, T0, "recover.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, id, &err) == 0);
	struct store_acm_cert c = lc_get(&e, id);
	int64_t na = c.not_after;
	store_acm_cert_clear(&c);
	struct pca_ctx p = lc_pca(&e, na - 61 * DAY);
	CHECK(pca_ca_update(&p, e.ca_arn, "DISABLED", NULL, &err) == 0);
	CHECK(lc_scan(&e, na - 44 * DAY).action_required == 1);
	p.now = na - 44 * DAY + 60;
	CHECK(pca_ca_update(&p, e.ca_arn, "ACTIVE", NULL, &err) == 0);
	/* The next pass, even the same day, retries and succeeds. */
	CHECK(lc_scan(&e, na - 44 * DAY + 120).renewed == 1);
	c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "SUCCESS");
	CHECK(c.action_required_days == 0);
	CHECK(c.not_after > na);
	store_acm_cert_clear(&c);
	lc_done(&e);
}

/* Without ACM's permissions on the CA the renewal does not issue: it stays
 * PENDING_AUTO_RENEWAL with PCA_ACCESS_DENIED (spec pca.md §6.10), with the
 * Action Required events of any CA problem; two of the three actions are not
 * enough; once all three are granted the next pass renews. */
TEST(lifecycle_renewal_needs_acm_permission)
{
	struct lc_env e;
	struct cm_err err = {0};
	char id[40];
	if (!lc_setup(&e) || lc_request(&e, T0, "perm.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, id, &err) == 0);
	struct store_acm_cert c = lc_get(&e, id);
	int64_t na = c.not_after;
	char serial[80];
	snprintf(serial, sizeof(serial), "%s", c.serial);
	store_acm_cert_clear(&c);
	struct pca_ctx p = lc_pca(&e, na - 61 * DAY);
	CHECK(pca_permission_delete(&p, e.ca_arn, PCA_ACM_PRINCIPAL, NULL, &err) == 0);
	struct lifecycle_scan_stats s = lc_scan(&e, na - 60 * DAY + 60);
	CHECK(s.renewed == 0 && s.renewal_failed == 1);
	c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "PENDING_AUTO_RENEWAL");
	CHECK(c.renewal_json != NULL && strstr(c.renewal_json, "PCA_ACCESS_DENIED") != NULL);
	CHECK_STR_EQ(c.serial, serial);
	store_acm_cert_clear(&c);
	CHECK(lc_scan(&e, na - 44 * DAY).action_required == 1);
	struct lc_events ar = lc_events(&e, AR, 0);
	CHECK(ar.n == 1 && lc_detail_str(ar.last, "RenewalStatusReason", "PCA_ACCESS_DENIED"));
	/* GetCertificate and IssueCertificate without ListPermissions: still denied. */
	p.now = na - 44 * DAY + 60;
	CHECK(pca_permission_create(&p, e.ca_arn, PCA_ACM_PRINCIPAL, NULL,
				    PCA_PERM_ISSUE | PCA_PERM_GET, &err) == 0);
	CHECK(lc_scan(&e, na - 44 * DAY + 120).renewed == 0);
	CHECK(pca_permission_delete(&p, e.ca_arn, PCA_ACM_PRINCIPAL, NULL, &err) == 0);
	/* A permission for another source account does not count either. */
	CHECK(pca_permission_create(&p, e.ca_arn, PCA_ACM_PRINCIPAL, "222222222222", LC_PERM_ALL,
				    &err) == 0);
	CHECK(lc_scan(&e, na - 44 * DAY + 180).renewed == 0);
	CHECK(pca_permission_create(&p, e.ca_arn, PCA_ACM_PRINCIPAL, NULL, LC_PERM_ALL, &err) == 0);
	CHECK(lc_scan(&e, na - 44 * DAY + 240).renewed == 1);
	c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "SUCCESS");
	CHECK(strcmp(c.serial, serial) != 0);
	store_acm_cert_clear(&c);
	lc_done(&e);
}

TEST(lifecycle_manual_renew_same_path)
{
	struct lc_env e;
	struct cm_err err = {0};
	char id[40], arn[ARN_MAX];
	if (!lc_setup(&e) || lc_request(&e, T0, "manual.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	struct acm_ctx ctx = lc_ctx(&e, T0 + DAY);
	acm_arn(&ctx, id, arn, sizeof(arn));
	CHECK(acm_renew(&ctx, arn, &err) < 0 && err.code == CM_ERR_VALIDATION);
	CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, id, &err) == 0);
	CHECK(acm_renew(&ctx, arn, &err) == 0);
	struct store_acm_cert c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "SUCCESS");
	CHECK(c.scan_due_at == c.not_after - 60 * DAY);
	store_acm_cert_clear(&c);
	struct lc_events av = lc_events(&e, AV, T0 + DAY);
	CHECK(av.n == 1 && lc_detail_str(av.last, "Action", "RENEWAL"));
	lc_done(&e);
}

struct lc_race {
	struct lc_env *e;
	int64_t now;
	struct lifecycle_scan_stats s;
};

static void *lc_race_run(void *p)
{
	struct lc_race *r = p;
	struct cm_err err = {0};
	if (lifecycle_scan(&r->e->cfg, r->now, &r->s, &err) < 0)
		r->s.examined = -1;
	return NULL;
}

/* Two schedulers on one store, at the same moment, over many due
 * certificates: each change and its event happen once; the loser of each
 * race rolls back, its event with it. */
TEST(lifecycle_two_schedulers_act_once)
{
	struct lc_env e;
	struct cm_err err = {0};
	enum { N = 120 };
	if (!lc_setup(&e)) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	CHECK(store_begin(e.st, &err) == 0);
	for (int i = 0; i < N; i++) {
		struct store_acm_cert c = {0};
		snprintf(c.id, sizeof(c.id), "00000000-0000-4000-8000-%012d", i);
		strcpy(c.account_id, LC_ACCT);
		strcpy(c.type, "IMPORTED");
		strcpy(c.status, "ISSUED");
		strcpy(c.domain_name, "race.example.com");
		c.created_at = T0;
		c.not_after = i % 2 ? T0 + 10 * DAY : T0 - 1; /* half warn, half expire */
		CHECK(store_acm_cert_insert(e.st, &c, &err) == 0);
	}
	CHECK(store_commit(e.st, &err) == 0);
	struct lc_race a = {&e, T0, {0}}, b = {&e, T0, {0}};
	pthread_t ta, tb;
	pthread_create(&ta, NULL, lc_race_run, &a);
	pthread_create(&tb, NULL, lc_race_run, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK(a.s.examined >= 0 && b.s.examined >= 0);
	CHECK(a.s.warned + b.s.warned == N / 2);
	CHECK(a.s.expired + b.s.expired == N / 2);
	CHECK(lc_events(&e, AE, 0).n == N / 2);
	lc_done(&e);
}

/* The same for renewals, which sign before they write: the claim makes the
 * second scheduler give up before signing, so each certificate gets one new
 * serial, one history row and one Available event. */
TEST(lifecycle_two_schedulers_renew_once)
{
	struct lc_env e;
	struct cm_err err = {0};
	enum { N = 8 };
	char ids[N][40];
	int64_t na = 0;
	if (!lc_setup(&e)) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	for (int i = 0; i < N; i++) {
		char name[64];
		snprintf(name, sizeof(name), "race%d.example.com", i);
		CHECK(lc_request(&e, T0, name, ids[i]) == 0);
		CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, ids[i], &err) == 0);
	}
	struct store_acm_cert c = lc_get(&e, ids[0]);
	na = c.not_after;
	store_acm_cert_clear(&c);
	struct lc_race a = {&e, na - 59 * DAY, {0}}, b = {&e, na - 59 * DAY, {0}};
	pthread_t ta, tb;
	pthread_create(&ta, NULL, lc_race_run, &a);
	pthread_create(&tb, NULL, lc_race_run, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK(a.s.renewed + b.s.renewed == N);
	CHECK(lc_events(&e, AV, na - 60 * DAY).n == N);
	for (int i = 0; i < N; i++) {
		struct store_acm_history *h = NULL;
		size_t n = 0;
		CHECK(store_acm_history_list(e.st, ids[i], &h, &n, &err) == 0 && n == 1);
		free(h);
	}
	lc_done(&e);
}

/* RenewCertificate outside the window with the CA disabled: the call
 * succeeds, the summary says why, and the scheduler retries until it works. */
TEST(lifecycle_manual_renew_failure_retried)
{
	struct lc_env e;
	struct cm_err err = {0};
	char id[40], arn[ARN_MAX];
	if (!lc_setup(&e) || lc_request(&e, T0, "retry.example.com", id) < 0) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, id, &err) == 0);
	struct pca_ctx p = lc_pca(&e, T0 + DAY);
	CHECK(pca_ca_update(&p, e.ca_arn, "DISABLED", NULL, &err) == 0);
	struct acm_ctx ctx = lc_ctx(&e, T0 + DAY);
	acm_arn(&ctx, id, arn, sizeof(arn));
	CHECK(acm_renew(&ctx, arn, &err) == 0);
	struct store_acm_cert c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "PENDING_AUTO_RENEWAL");
	CHECK(c.renewal_json != NULL && strstr(c.renewal_json, "PCA_INVALID_STATE") != NULL);
	store_acm_cert_clear(&c);
	CHECK(lc_scan(&e, T0 + DAY + 60).renewal_failed == 1);
	CHECK(lc_scan(&e, T0 + DAY + 120).renewal_failed == 1);
	CHECK(lc_events(&e, AR, 0).n == 0); /* far from the 45-day mark */
	p.now = T0 + DAY + 130;
	CHECK(pca_ca_update(&p, e.ca_arn, "ACTIVE", NULL, &err) == 0);
	CHECK(lc_scan(&e, T0 + DAY + 180).renewed == 1);
	c = lc_get(&e, id);
	CHECK_STR_EQ(c.renewal_status, "SUCCESS");
	store_acm_cert_clear(&c);
	lc_done(&e);
}

/* A pass over more rows than one commit holds (SCAN_TX_STEPS, 256), with a
 * renewal in the middle (it commits the open batch first and signs on its
 * own): every row is handled once, with its event, and all of it is kept. */
TEST(lifecycle_batched_pass_many_due_and_a_renewal)
{
	enum { N = 300, RENEWED = 150 };
	struct lc_env e;
	struct cm_err err = {0};
	static char ids[N][40];
	bool ok = lc_setup(&e);
	for (int i = 0; ok && i < N; i++) {
		char name[64];
		snprintf(name, sizeof(name), "batch%d.example.com", i);
		ok = lc_request(&e, T0, name, ids[i]) == 0;
	}
	if (!ok) {
		CHECK(false);
		lc_done(&e);
		return;
	}
	CHECK(store_acm_cert_mark_exported(e.st, LC_ACCT, ids[RENEWED], &err) == 0);
	struct store_acm_cert c = lc_get(&e, ids[0]);
	int64_t na = c.not_after, t = na - 45 * DAY + 3600;
	store_acm_cert_clear(&c);
	struct lifecycle_scan_stats s = lc_scan(&e, t);
	CHECK(s.examined == N);
	CHECK(s.warned == N - 1);
	CHECK(s.renewed == 1);
	CHECK(lc_events(&e, AE, t).n == N - 1);
	struct lc_events av = lc_events(&e, AV, t);
	CHECK(av.n == 1 && lc_detail_str(av.last, "Action", "RENEWAL"));
	for (int i = 0; i < N; i++) {
		c = lc_get(&e, ids[i]);
		if (i == RENEWED)
			CHECK(c.not_after > na && c.expiry_warned_day == 0);
		else
			CHECK(c.expiry_warned_day == t / DAY && c.scan_due_at > t);
		store_acm_cert_clear(&c);
	}
	/* The same day again: all of it was committed, nothing is done twice. */
	s = lc_scan(&e, t + 600);
	CHECK(s.warned == 0 && s.renewed == 0);
	CHECK(lc_events(&e, AE, t).n == N - 1);
	lc_done(&e);
}
