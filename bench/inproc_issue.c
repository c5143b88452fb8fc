/* inproc_issue: the in-process OpenSSL baseline for IssueCertificate. Each
 * thread parses the same CSR and builds and signs the same end-entity
 * certificate (EndEntityCertificate/V1, with Certain's own x509 module) in a
 * loop, with the CA key and certificate already in memory. No HTTP, no store:
 * the ceiling the server's issuing rate is compared against. Prints one JSON
 * line {"issued":N,"seconds":S,"rps":R}.
 *
 * With --leaf-key ALG it is the baseline of a private RequestCertificate
 * instead: every iteration also generates a new leaf key of ALG and builds its
 * CSR (x509_leaf_csr_build, as acm/issue.c does) before parsing and signing,
 * so key generation is part of each issue; --csr is then not needed.
 *
 * usage: inproc_issue (--csr FILE | --leaf-key ALG) --key RSA_2048|EC_prime256v1
 *                     [--threads N] [--seconds S] */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pca/templates.h"
#include "util/clock.h"
#include "x509/ca_csr.h"
#include "x509/issue.h"
#include "x509/keys.h"
#include "x509/leaf.h"
#include "x509/csr.h"

struct ip_shared {
	unsigned char *csr;
	size_t csr_len;
	EVP_PKEY *ca_key;
	X509 *ca_cert;
	enum x509_sig_alg sig;
	bool gen_leaf;		 /* --leaf-key: a new key and CSR per iteration */
	enum x509_key_alg leaf_alg;
	double deadline;
};

struct ip_worker {
	const struct ip_shared *s;
	long issued;
	pthread_t tid;
};

static double ip_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The DER, as the server's issuing path builds it (x509_issue_der); the
 * CA's own certificate (template root) as an X509, for use as the issuer. */
static unsigned char *ip_issue(const struct ip_shared *s, const struct x509_csr *csr,
			       const struct pca_template *t, X509 *issuer, X509 **as_x509)
{
	unsigned char serial[16];
	struct cm_err err = {0};
	int64_t now = (int64_t)time(NULL);
	x509_serial_random(serial);
	struct x509_issue_params p = {.csr = csr, .tmpl = t, .signing_key = s->ca_key,
				      .issuer_cert = issuer, .sig_alg = s->sig, .serial = serial,
				      .serial_len = 16, .not_before = now - 3600,
				      .not_after = now + 30 * 86400};
	size_t len = 0;
	unsigned char *der = NULL;
	if (as_x509 != NULL)
		*as_x509 = x509_issue(&p, &err);
	else
		der = x509_issue_der(&p, &len, &err);
	if (as_x509 != NULL ? *as_x509 == NULL : der == NULL)
		fprintf(stderr, "inproc_issue: %s\n", err.msg);
	return der;
}

/* What RequestCertificate does before signing: a new key, its CSR as DER
 * (the form the PCA issuing path receives), parsed and checked again. */
static struct x509_csr *ip_leaf_csr(const struct ip_shared *s, struct cm_err *err)
{
	static const char *const names[] = {"bench.example.com"};
	EVP_PKEY *key = x509_key_generate(s->leaf_alg, err);
	X509_REQ *req = key != NULL ? x509_leaf_csr_build(key, names[0], names, 1, err) : NULL;
	struct x509_csr *out = req != NULL ? x509_csr_from_req(req, err) : NULL;
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return out;
}

static void *ip_run(void *p)
{
	struct ip_worker *w = p;
	const struct pca_template *t =
		pca_template_find("arn:aws:acm-pca:::template/EndEntityCertificate/V1");
	while (ip_now() < w->s->deadline) {
		struct cm_err err = {0};
		struct x509_csr *csr = w->s->gen_leaf
					   ? ip_leaf_csr(w->s, &err)
					   : x509_csr_parse(w->s->csr, w->s->csr_len, &err);
		if (csr == NULL)
			fprintf(stderr, "inproc_issue: %s\n", err.msg);
		unsigned char *der =
		    csr != NULL ? ip_issue(w->s, csr, t, w->s->ca_cert, NULL) : NULL;
		x509_csr_free(csr);
		if (der == NULL)
			break;
		free(der);
		w->issued++;
	}
	return NULL;
}

/* A self-signed CA of the requested key type, made with the module itself. */
static int ip_make_ca(struct ip_shared *s, enum x509_key_alg alg)
{
	struct cm_err err = {0};
	struct x509_subject subj;
	memset(&subj, 0, sizeof(subj));
	subj.common_name = "inproc bench CA";
	s->ca_key = x509_key_generate(alg, &err);
	X509_REQ *req = NULL;
	if (s->ca_key != NULL)
		req = x509_ca_csr_build(s->ca_key, s->sig, &subj, NULL, &err);
	struct x509_csr *csr = req != NULL ? x509_csr_from_req(req, &err) : NULL;
	const struct pca_template *root =
		pca_template_find("arn:aws:acm-pca:::template/RootCACertificate/V1");
	s->ca_cert = NULL;
	if (csr != NULL)
		ip_issue(s, csr, root, NULL, &s->ca_cert);
	x509_csr_free(csr);
	X509_REQ_free(req);
	return s->ca_cert != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"csr", 1, 0, 'c'},     {"key", 1, 0, 'k'},
					     {"threads", 1, 0, 't'}, {"seconds", 1, 0, 's'},
					     {"leaf-key", 1, 0, 'l'}, {0, 0, 0, 0}};
	const char *csr_path = NULL, *key = "RSA_2048", *leaf_key = NULL;
	int threads = 1, c;
	double seconds = 5;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': csr_path = optarg; break;
		case 'k': key = optarg; break;
		case 't': threads = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'l': leaf_key = optarg; break;
		default: return 2;
		}
	}
	struct ip_shared s = {0};
	enum x509_key_alg alg;
	FILE *f = csr_path != NULL ? fopen(csr_path, "rb") : NULL;
	s.gen_leaf = leaf_key != NULL;
	if ((f == NULL && !s.gen_leaf) || x509_key_alg_from_name(key, &alg) < 0 ||
	    (s.gen_leaf && x509_key_alg_from_name(leaf_key, &s.leaf_alg) < 0)) {
		fprintf(stderr, "usage: inproc_issue (--csr FILE | --leaf-key ALG) --key ALG "
				"[--threads N] [--seconds S]\n");
		if (f != NULL)
			fclose(f);
		return 2;
	}
	if (f != NULL) {
		s.csr = malloc(65536);
		s.csr_len = s.csr != NULL ? fread(s.csr, 1, 65536, f) : 0;
		fclose(f);
	}
	x509_sig_alg_from_name(strncmp(key, "RSA", 3) == 0 ? "SHA256WITHRSA" : "SHA256WITHECDSA",
			       &s.sig);
	if (ip_make_ca(&s, alg) < 0)
		return 1;
	struct ip_worker *w = calloc((size_t)threads, sizeof(*w));
	double start = ip_now();
	s.deadline = start + seconds;
	for (int i = 0; i < threads; i++) {
		w[i].s = &s;
		pthread_create(&w[i].tid, NULL, ip_run, &w[i]);
	}
	long total = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].issued;
	}
	double elapsed = ip_now() - start;
	printf("{\"issued\":%ld,\"seconds\":%.3f,\"rps\":%.1f}\n", total, elapsed,
	       (double)total / elapsed);
	free(w);
	free(s.csr);
	X509_free(s.ca_cert);
	EVP_PKEY_free(s.ca_key);
	return total > 0 ? 0 : 1;
}
