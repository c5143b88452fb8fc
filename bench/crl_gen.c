/* crl_gen: how long building and signing a CRL takes (issue 7: 100,000
 * entries well under a second, a million practical). For each CA key
 * (EC P-256, RSA-2048) and size it times, on the same random entries:
 *   certain      x509_crl_build (hand-written DER, one signature);
 *   openssl_api  the same CRL through OpenSSL's X509_CRL object API
 *                (add0_revoked, sort, sign, i2d): why crl.c writes DER itself;
 *   openssl_ca   `openssl ca -gencrl` over an index.txt listing the same
 *                revoked serials (reading the database, building, signing, PEM).
 * Prints one JSON object per line:
 *   {"key":..,"entries":N,"bytes":B,"certain_s":..,"openssl_api_s":..,
 *    "openssl_ca_s":..,"ratio_ca":..,"ratio_api":..,"parse_verify_s":..}
 *
 * usage: crl_gen [--entries N[,N...]] [--no-openssl-ca] [--no-api] [--keep DIR] */
#include <errno.h>
#include <getopt.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pca/templates.h"
#include "util/clock.h"
#include "util/hex.h"
#include "x509/ca_csr.h"
#include "x509/crl.h"
#include "x509/csr.h"
#include "x509/issue.h"
#include "x509/keys.h"

struct cg_ca {
	enum x509_key_alg alg;
	enum x509_sig_alg sig;
	EVP_PKEY *key;
	X509 *cert;
};

struct cg_opts {
	size_t sizes[8];
	size_t n_sizes;
	bool openssl_ca, api;
	const char *keep; /* keep the openssl ca folders under this path */
};

static double cg_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A self-signed CA of alg, made with the module itself. */
static int cg_make_ca(struct cg_ca *ca, int64_t now)
{
	struct cm_err err = {0};
	struct x509_subject subj = {.common_name = "CRL bench CA", .organization = "Certain"};
	unsigned char serial[16];
	ca->key = x509_key_generate(ca->alg, &err);
	X509_REQ *req =
	    ca->key != NULL ? x509_ca_csr_build(ca->key, ca->sig, &subj, NULL, &err) : NULL;
	struct x509_csr *csr = req != NULL ? x509_csr_from_req(req, &err) : NULL;
	x509_serial_random(serial);
	struct x509_issue_params p = {
	    .csr = csr,
	    .tmpl = pca_template_find("arn:aws:acm-pca:::template/RootCACertificate/V1"),
	    .signing_key = ca->key,
	    .sig_alg = ca->sig,
	    .serial = serial,
	    .serial_len = sizeof(serial),
	    .not_before = now - 86400,
	    .not_after = now + 3650 * 86400,
	};
	ca->cert = csr != NULL ? x509_issue(&p, &err) : NULL;
	x509_csr_free(csr);
	X509_REQ_free(req);
	if (ca->cert == NULL)
		fprintf(stderr, "crl_gen: %s\n", err.msg);
	return ca->cert != NULL ? 0 : -1;
}

/* n random entries: 16-octet serials as the store keeps them, times in the
 * past year, every AWS reason. hex holds 33 characters per entry. */
static void cg_entries(struct x509_crl_entry *e, char (*hex)[33], size_t n, int64_t now)
{
	static const enum x509_crl_reason reasons[] = {
	    X509_CRL_UNSPECIFIED,	  X509_CRL_KEY_COMPROMISE, X509_CRL_CA_COMPROMISE,
	    X509_CRL_AFFILIATION_CHANGED, X509_CRL_SUPERSEDED,	   X509_CRL_CESSATION_OF_OPERATION,
	    X509_CRL_PRIVILEGE_WITHDRAWN, X509_CRL_AA_COMPROMISE,
	};
	for (size_t i = 0; i < n; i++) {
		unsigned char s[16];
		x509_serial_random(s);
		hex_encode(s, sizeof(s), hex[i]);
		e[i].serial_hex = hex[i];
		e[i].revoked_at = now - (int64_t)(i % (365 * 86400));
		e[i].reason = reasons[i % 8];
	}
}

/* The same CRL through OpenSSL's object API (without the IDP). */
static unsigned char *cg_api_build(const struct x509_crl_params *p, int *len)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	unsigned char *der = NULL;
	X509_CRL_set_version(crl, X509_CRL_VERSION_2);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(p->issuer_cert));
	ASN1_TIME_set(t, (time_t)p->this_update);
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_TIME_set(t, (time_t)p->next_update);
	X509_CRL_set1_nextUpdate(crl, t);
	for (size_t i = 0; i < p->n_entries; i++) {
		const struct x509_crl_entry *e = &p->entries[i];
		X509_REVOKED *r = X509_REVOKED_new();
		BIGNUM *bn = NULL;
		BN_hex2bn(&bn, e->serial_hex);
		ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
		ASN1_TIME_set(t, (time_t)e->revoked_at);
		X509_REVOKED_set_serialNumber(r, ai);
		X509_REVOKED_set_revocationDate(r, t);
		if (e->reason != X509_CRL_UNSPECIFIED) {
			ASN1_ENUMERATED *en = ASN1_ENUMERATED_new();
			ASN1_ENUMERATED_set(en, e->reason);
			X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, en, 0, 0);
			ASN1_ENUMERATED_free(en);
		}
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(ai);
		BN_free(bn);
	}
	X509_CRL_sort(crl);
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	akid->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(p->issuer_cert));
	X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, 0);
	AUTHORITY_KEYID_free(akid);
	BIGNUM *bn = BN_bin2bn(p->number, (int)p->number_len, NULL);
	ASN1_INTEGER *num = BN_to_ASN1_INTEGER(bn, NULL);
	X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0);
	if (X509_CRL_sign(crl, p->signing_key, x509_sig_alg_md(p->sig_alg)) > 0)
		*len = i2d_X509_CRL(crl, &der);
	ASN1_INTEGER_free(num);
	BN_free(bn);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return der;
}

/* Parsing and verifying our CRL with OpenSSL: what a relying party pays. */
static double cg_parse_verify(const unsigned char *der, size_t len, EVP_PKEY *key, size_t n)
{
	double t0 = cg_now();
	const unsigned char *q = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &q, (long)len);
	int ok = crl != NULL && X509_CRL_verify(crl, key) == 1 &&
		 (size_t)sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) == n;
	double t = cg_now() - t0;
	X509_CRL_free(crl);
	if (!ok) {
		fprintf(stderr, "crl_gen: OpenSSL does not accept the CRL\n");
		return -1;
	}
	return t;
}

static int cg_write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	int ok =
	    f != NULL && (cert != NULL ? PEM_write_X509(f, cert)
				       : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL));
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* index.txt time: YYMMDDHHMMSSZ (openssl ca keeps UTCTime text). */
static void cg_index_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, 32, "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, (tm.tm_mon + 1) % 100,
		 tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100);
}

/* The openssl ca database: one "R" line per entry. openssl ca knows no
 * privilegeWithdrawn/aACompromise, so those become keyCompromise (the same
 * encoded size); UNSPECIFIED has no reason, as in our CRL. */
static int cg_write_index(const char *path, const struct x509_crl_entry *e, size_t n, int64_t now)
{
	static const char *names[11] = {
	    NULL,	  "keyCompromise",	  "CACompromise", "affiliationChanged",
	    "superseded", "cessationOfOperation", NULL,		  NULL,
	    NULL,	  "keyCompromise",	  "keyCompromise"};
	char exp[32], rev[32], serial[33];
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	cg_index_time(now + 365 * 86400, exp);
	for (size_t i = 0; i < n; i++) {
		const char *r = names[e[i].reason];
		size_t k = 0;
		for (const char *s = e[i].serial_hex; *s != '\0'; s++)
			serial[k++] = (char)(*s >= 'a' ? *s - 32 : *s);
		serial[k] = '\0';
		cg_index_time(e[i].revoked_at, rev);
		fprintf(f, "R\t%s\t%s%s%s\t%s\tunknown\t/CN=leaf-%zu\n", exp, rev, r ? "," : "",
			r ? r : "", serial, i);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int cg_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Seconds `openssl ca -gencrl` takes on the same entries; -1 on failure. */
static double cg_openssl_ca(const struct cg_ca *ca, const struct x509_crl_entry *e, size_t n,
			    int64_t now, const char *keep)
{
	char dir[256], path[512], cmd[1536];
	snprintf(dir, sizeof(dir), "%s/crl-%s-%zu", keep != NULL ? keep : "/tmp",
		 x509_key_alg_name(ca->alg), n);
	if (keep == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/certain-crl-bench-XXXXXX");
		if (mkdtemp(dir) == NULL)
			return -1;
	} else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		return -1;
	}
	char cnf[1024];
	snprintf(cnf, sizeof(cnf),
		 "[ca]\ndefault_ca = bench\n[bench]\ndir = %s\ndatabase = $dir/index.txt\n"
		 "crlnumber = $dir/crlnumber\ncertificate = $dir/ca.pem\n"
		 "private_key = $dir/ca.key\ndefault_md = sha256\ndefault_crl_days = 7\n"
		 "unique_subject = no\ncrl_extensions = crl_ext\n"
		 "[crl_ext]\nauthorityKeyIdentifier = keyid:always\n",
		 dir);
	int rc = 0;
	snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
	rc |= cg_write_text(path, cnf);
	snprintf(path, sizeof(path), "%s/crlnumber", dir);
	rc |= cg_write_text(path, "1000\n");
	snprintf(path, sizeof(path), "%s/index.txt.attr", dir);
	rc |= cg_write_text(path, "unique_subject = no\n");
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	rc |= cg_write_pem(path, ca->cert, NULL);
	snprintf(path, sizeof(path), "%s/ca.key", dir);
	rc |= cg_write_pem(path, NULL, ca->key);
	snprintf(path, sizeof(path), "%s/index.txt", dir);
	rc |= cg_write_index(path, e, n, now);
	snprintf(cmd, sizeof(cmd),
		 "openssl ca -batch -gencrl -config %s/openssl.cnf -out %s/crl.pem >%s/log 2>&1",
		 dir, dir, dir);
	double t0 = cg_now();
	if (rc == 0 && system(cmd) != 0)
		rc = -1;
	double t = cg_now() - t0;
	if (rc != 0)
		fprintf(stderr, "crl_gen: openssl ca -gencrl failed, see %s/log\n", dir);
	if (keep == NULL && rc == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "crl_gen: cannot remove %s\n", dir);
	}
	return rc == 0 ? t : -1;
}

/* One line of results for one CA and one size. */
static int cg_run(const struct cg_ca *ca, size_t n, const struct cg_opts *o, int64_t now)
{
	struct x509_crl_entry *e = calloc(n, sizeof(*e));
	char(*hex)[33] = calloc(n, sizeof(*hex));
	unsigned char num[8];
	struct cm_err err = {0};
	size_t len = 0;
	int rc = -1;
	if (e == NULL || hex == NULL)
		goto out;
	cg_entries(e, hex, n, now);
	x509_crl_number_u64((uint64_t)now * 1000, num);
	struct x509_crl_params p = {.issuer_cert = ca->cert,
				    .signing_key = ca->key,
				    .sig_alg = ca->sig,
				    .number = num,
				    .number_len = sizeof(num),
				    .this_update = now,
				    .next_update = now + 7 * 86400,
				    .entries = e,
				    .n_entries = n};
	double t0 = cg_now();
	unsigned char *der = x509_crl_build(&p, &len, &err);
	double ours = cg_now() - t0;
	if (der == NULL) {
		fprintf(stderr, "crl_gen: %s\n", err.msg);
		goto out;
	}
	double pv = cg_parse_verify(der, len, ca->key, n);
	free(der);
	double api = -1, oca = -1;
	if (o->api) {
		int api_len = 0;
		t0 = cg_now();
		unsigned char *ref = cg_api_build(&p, &api_len);
		api = ref != NULL ? cg_now() - t0 : -1;
		OPENSSL_free(ref);
	}
	if (o->openssl_ca)
		oca = cg_openssl_ca(ca, e, n, now, o->keep);
	printf("{\"key\":\"%s\",\"entries\":%zu,\"bytes\":%zu,\"certain_s\":%.4f,"
	       "\"openssl_api_s\":%.4f,\"openssl_ca_s\":%.4f,\"ratio_api\":%.1f,"
	       "\"ratio_ca\":%.1f,\"parse_verify_s\":%.4f}\n",
	       x509_key_alg_name(ca->alg), n, len, ours, api, oca, api > 0 ? api / ours : 0.0,
	       oca > 0 ? oca / ours : 0.0, pv);
	fflush(stdout);
	rc = pv >= 0 ? 0 : -1;
out:
	free(hex);
	free(e);
	return rc;
}

static int cg_parse_sizes(const char *arg, struct cg_opts *o)
{
	o->n_sizes = 0;
	for (const char *s = arg; *s != '\0' && o->n_sizes < 8;) {
		char *end = NULL;
		unsigned long long v = strtoull(s, &end, 10);
		if (end == s || v == 0 || v > 10000000)
			return -1;
		o->sizes[o->n_sizes++] = (size_t)v;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -1;
	}
	return o->n_sizes > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"entries", 1, 0, 'n'},
					     {"no-openssl-ca", 0, 0, 'c'},
					     {"no-api", 0, 0, 'a'},
					     {"keep", 1, 0, 'k'},
					     {0, 0, 0, 0}};
	struct cg_opts o = {
	    .sizes = {100000, 1000000}, .n_sizes = 2, .openssl_ca = true, .api = true};
	int c, rc = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (cg_parse_sizes(optarg, &o) < 0)
				return 2;
			break;
		case 'c':
			o.openssl_ca = false;
			break;
		case 'a':
			o.api = false;
			break;
		case 'k':
			o.keep = optarg;
			break;
		default:
			fprintf(stderr, "usage: crl_gen [--entries N[,N...]] [--no-openssl-ca] "
					"[--no-api] [--keep DIR]\n");
			return 2;
		}
	}
	int64_t now = clock_now();
	struct cg_ca cas[] = {{X509_KEY_EC_P256, X509_SIG_SHA256WITHECDSA, NULL, NULL},
			      {X509_KEY_RSA_2048, X509_SIG_SHA256WITHRSA, NULL, NULL}};
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		rc = cg_make_ca(&cas[i], now);
		for (size_t k = 0; k < o.n_sizes && rc == 0; k++)
			rc = cg_run(&cas[i], o.sizes[k], &o, now);
	}
	for (size_t i = 0; i < 2; i++) {
		X509_free(cas[i].cert);
		EVP_PKEY_free(cas[i].key);
	}
	return rc == 0 ? 0 : 1;
}
