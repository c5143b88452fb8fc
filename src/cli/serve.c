/* `certain serve`: options, the data folder (lock, first-start bootstrap),
 * the API listener, and a clean stop on SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/service.h"
#include "cli/cli.h"
#include "deploy/deploy.h"
#include "http/server.h"
#include "iam/accounts.h"
#include "keystore/keystore.h"
#include "lifecycle/lifecycle.h"
#include "pca/access.h"
#include "pca/revocation.h"
#include "revocation/revocation.h"
#include "store/store.h"
#include "util/log.h"
#include "util/ref_cache.h"
#include "x509/pem.h"

/* The largest valid request: ImportCertificate with a 2 MiB chain, a 32 KiB
 * certificate and a 5 KiB key, base64 in JSON (about 2.8 MiB); 4 MiB leaves room. */
#define SERVE_MAX_BODY (4 * 1024 * 1024)

struct serve_opts {
	char addr[64];
	unsigned port;
	const char *data;
	const char *region;
	const char *tls_cert;
	const char *tls_key;
	int insecure_http;
	unsigned threads;
	long long scan_interval; /* seconds between lifecycle scans */
	long long delivery_attempts; /* then a delivery is dead-lettered */
	long long delivery_interval; /* seconds between idle delivery passes */
	int test_clock;		 /* the clock API exists (tests only) */
	struct deploy_cfg deploy; /* --deploy-allow folders, --deploy-allow-shell */
	char public_addr[64];	 /* --public-listen: "" = no public listener */
	unsigned public_port;
	const char *public_url;	 /* base URL certificates name for CRLs and OCSP */
	long long crl_delay;	 /* seconds from a revocation to the new CRL */
	const char *acme_config; /* --acme-config FILE: public certificates (issue 8) */
	bool ocsp_delegated;	 /* OCSP signed by a delegated responder, not the CA */
};

static void serve_usage(FILE *f)
{
	fprintf(f,
		"usage: certain serve [options]\n\n"
		"Runs the ACM and Private CA APIs on one listener, and the lifecycle scheduler\n"
		"(expiry events, managed renewal, event delivery). On first start with an\n"
		"empty data folder it creates the database, a master key, an account and an\n"
		"access key (written to DIR/credentials, profile 'certain').\n\n"
		"  --listen ADDR:PORT   address to listen on (default 127.0.0.1:8443;\n"
		"                       IPv6 as [::1]:8443)\n"
		"  --data DIR           data folder (default ./var)\n"
		"  --region REGION      region in ARNs and SigV4 scopes (default us-east-1)\n"
		"  --tls-cert FILE      serve HTTPS with this PEM certificate (chain) ...\n"
		"  --tls-key FILE       ... and this PEM private key\n"
		"  --insecure-http      allow plain HTTP on a non-loopback address\n"
		"  --threads N          worker threads (default 2 x CPUs, at least 4)\n"
		"  --log-level LEVEL    debug, info, warn or error (default info)\n"
		"  --scan-interval SECONDS\n"
		"                       seconds between expiry scans (expiry events, EXPIRED\n"
		"                       marking, managed renewal); one also runs at start\n"
		"                       (default 86400)\n"
		"  --delivery-attempts N\n"
		"                       attempts to deliver an event to a target before it\n"
		"                       goes to the dead-letter list (default 8)\n"
		"  --delivery-interval SECONDS\n"
		"                       seconds between delivery passes when idle (default 5)\n"
		"  --public-listen ADDR:PORT\n"
		"                       also serve CRLs (GET /crl/<CA id>.crl) and OCSP (POST\n"
		"                       /ocsp, GET /ocsp/<base64>) on this address, plain HTTP,\n"
		"                       no authentication (both are signed)\n"
		"  --public-url URL     http://host[:port] that certificates name for CRLs and OCSP\n"
		"                       when the CA has no CustomCname/OcspCustomCname (default\n"
		"                       http://<--public-listen address>)\n"
		"  --crl-delay SECONDS  a revocation is in the CA's CRL within this delay\n"
		"                       (default 5); CRLs go to DATA/crl/<S3BucketName>/crl/\n"
		"  --ocsp-delegated     sign OCSP responses with a delegated responder certificate\n"
		"                       each CA issues itself (30 days, renewed at 15), not with\n"
		"                       the CA's key\n"
		"  --deploy-allow DIR   deployment targets may write certificates and keys in\n"
		"                       DIR and below (repeat for more folders; none by default)\n"
		"  --deploy-allow-shell let a deployment target's reload command run through\n"
		"                       /bin/sh -c (\"Shell\": true); without it, never\n"
		"  --acme-config FILE   issue public certificates from ACME CAs, validating\n"
		"                       names with DNS records in a zone Certain updates (JSON;\n"
		"                       see the README, \"Public certificates\")\n"
		"  --test-clock         let `certain clock advance` move this server's clock\n"
		"                       through the API (tests only; never in production)\n\n"
		"example:\n"
		"  certain serve --data ./var --listen 127.0.0.1:8443\n"
		"  AWS_SHARED_CREDENTIALS_FILE=var/credentials AWS_DEFAULT_REGION=us-east-1 \\\n"
		"    aws --profile certain --endpoint-url http://127.0.0.1:8443 \\\n"
		"    acm-pca list-certificate-authorities\n");
}

/* ADDR:PORT or [V6]:PORT; "localhost" means 127.0.0.1. */
static int serve_parse_listen(const char *s, struct serve_opts *o)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL)
		return -1;
	size_t n = (size_t)(colon - s);
	if (s[0] == '[') {
		if (n < 2 || s[n - 1] != ']')
			return -1;
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(o->addr))
		return -1;
	memcpy(o->addr, s, n);
	o->addr[n] = '\0';
	if (strcmp(o->addr, "localhost") == 0)
		strcpy(o->addr, "127.0.0.1");
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port > 65535 || colon[1] == '\0')
		return -1;
	o->port = (unsigned)port;
	return 0;
}

static int serve_is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* A whole number from 1 to max for option name. */
static int serve_parse_number(const char *name, const char *s, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "certain serve: %s wants a whole number from 1 to %lld, got '%s'\n",
			name, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* --public-listen ADDR:PORT, parsed like --listen. */
static int serve_parse_public(const char *s, struct serve_opts *o)
{
	struct serve_opts tmp = {0};
	if (serve_parse_listen(s, &tmp) < 0) {
		fprintf(stderr, "certain serve: --public-listen wants ADDR:PORT, got '%s'\n", s);
		return -1;
	}
	memcpy(o->public_addr, tmp.addr, sizeof(o->public_addr));
	o->public_port = tmp.port;
	return 0;
}

/* --deploy-allow DIR: an existing folder, kept by its canonical path. */
static int serve_parse_deploy_allow(const char *dir, struct serve_opts *o)
{
	struct cm_err err = {0};
	if (deploy_cfg_allow(&o->deploy, dir, &err) < 0) {
		fprintf(stderr, "certain serve: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int serve_parse(int argc, char **argv, struct serve_opts *o)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'}, {"data", required_argument, NULL, 'd'},
		{"region", required_argument, NULL, 'r'}, {"tls-cert", required_argument, NULL, 'c'},
		{"tls-key", required_argument, NULL, 'k'}, {"insecure-http", no_argument, NULL, 'i'},
		{"threads", required_argument, NULL, 't'}, {"log-level", required_argument, NULL, 'v'},
		{"scan-interval", required_argument, NULL, 's'},
		{"delivery-attempts", required_argument, NULL, 'a'},
		{"delivery-interval", required_argument, NULL, 'D'},
		{"public-listen", required_argument, NULL, 0x200},
		{"public-url", required_argument, NULL, 0x201},
		{"crl-delay", required_argument, NULL, 0x202},
		{"ocsp-delegated", no_argument, NULL, 0x203},
		{"deploy-allow", required_argument, NULL, 0x300},
		{"deploy-allow-shell", no_argument, NULL, 0x301},
		{"acme-config", required_argument, NULL, 0x400},
		{"test-clock", no_argument, NULL, 'T'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const levels[] = {"debug", "info", "warn", "error"};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (serve_parse_listen(optarg, o) < 0) {
				fprintf(stderr, "certain serve: --listen wants ADDR:PORT, got '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'd': o->data = optarg; break;
		case 'r': o->region = optarg; break;
		case 'c': o->tls_cert = optarg; break;
		case 'k': o->tls_key = optarg; break;
		case 'i': o->insecure_http = 1; break;
		case 't': o->threads = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'v':
			for (int i = 0; i < 4; i++)
				if (strcmp(optarg, levels[i]) == 0)
					log_set_level((enum log_level)i);
			break;
		case 's':
			if (serve_parse_number("--scan-interval", optarg, 366LL * 86400,
					       &o->scan_interval) < 0)
				return -1;
			break;
		case 'a':
			if (serve_parse_number("--delivery-attempts", optarg, 100,
					       &o->delivery_attempts) < 0)
				return -1;
			break;
		case 'D':
			if (serve_parse_number("--delivery-interval", optarg, 86400,
					       &o->delivery_interval) < 0)
				return -1;
			break;
		case 'T': o->test_clock = 1; break;
		case 0x300:
			if (serve_parse_deploy_allow(optarg, o) < 0)
				return -1;
			break;
		case 0x301: o->deploy.allow_shell = true; break;
		case 0x400: o->acme_config = optarg; break;
		case 0x200:
			if (serve_parse_public(optarg, o) < 0)
				return -1;
			break;
		case 0x201:
			if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0) {
				fprintf(stderr, "certain serve: --public-url wants http://host[:port], "
						"got '%s'\n", optarg);
				return -1;
			}
			o->public_url = optarg;
			break;
		case 0x202:
			if (serve_parse_number("--crl-delay", optarg, 86400, &o->crl_delay) < 0)
				return -1;
			break;
		case 0x203:
			o->ocsp_delegated = true;
			break;
		case 'h': serve_usage(stdout); exit(0);
		default: serve_usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "certain serve: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
		fprintf(stderr, "certain serve: --tls-cert and --tls-key go together\n");
		return -1;
	}
	if (o->tls_cert == NULL && !o->insecure_http && !serve_is_loopback(o->addr)) {
		fprintf(stderr, "certain serve: refusing plain HTTP on non-loopback address %s: "
				"use --tls-cert/--tls-key, or --insecure-http if you mean it\n",
			o->addr);
		return -1;
	}
	return 0;
}

/* Holds DIR/certain.lock for the life of the process: a second server on
 * the same folder would break the one-writer assumptions of the scheduler. */
static int serve_lock(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/certain.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "certain serve: cannot open lock file %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr,
			"certain serve: another certain server is already running on data folder "
			"%s (lock %s is held)\n",
			dir, path);
		close(fd);
		return -1;
	}
	return fd;
}

static int serve_read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	char *buf = malloc(1 << 20);
	size_t n = buf != NULL ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf == NULL || n == 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* First start: one account, one admin key, DIR/credentials (0600). */
static int serve_bootstrap(const char *dir, struct store *st, struct keystore *ks)
{
	char path[4096], account[IAM_ACCOUNT_LEN + 1], akid[21], secret[41];
	struct cm_err err = {0};
	snprintf(path, sizeof(path), "%s/credentials", dir);
	if (access(path, F_OK) == 0)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "certain serve: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = -1;
	if (iam_account_create(st, account, &err) < 0 ||
	    iam_access_key_create(st, ks, account, akid, secret, &err) < 0) {
		fprintf(stderr, "certain serve: cannot create the first account: %s\n", err.msg);
		goto out;
	}
	FILE *f = fdopen(fd, "w");
	if (f == NULL)
		goto out;
	fd = -1;
	fprintf(f, "[certain]\naws_access_key_id = %s\naws_secret_access_key = %s\n", akid,
		secret);
	rc = fclose(f) == 0 ? 0 : -1;
	log_event(LOG_INFO, "first start: account and access key created", "account", account,
		  "access_key_id", akid, "credentials", path, LOG_END);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(path);
	return rc;
}

static void serve_print_usage_hint(const struct serve_opts *o, int tls)
{
	int v6 = strchr(o->addr, ':') != NULL;
	fprintf(stderr,
		"\nCertain is listening on %s://%s%s%s:%u\nTry:\n"
		"  AWS_SHARED_CREDENTIALS_FILE=%s/credentials AWS_DEFAULT_REGION=%s aws --profile "
		"certain --endpoint-url %s://%s%s%s:%u acm-pca list-certificate-authorities\n\n",
		tls ? "https" : "http", v6 ? "[" : "", o->addr, v6 ? "]" : "", o->port, o->data,
		o->region, tls ? "https" : "http", v6 ? "[" : "", o->addr, v6 ? "]" : "", o->port);
}

static void serve_wait_for_signal(void)
{
	sigset_t set;
	int sig = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	log_event(LOG_INFO, "stopping", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT", LOG_END);
}

/* The scheduler and the delivery worker, on the server's store and keys. */
static int serve_lifecycle_start(const struct serve_opts *o, const struct aws_env *env,
				 struct cm_err *err)
{
	struct lifecycle_cfg cfg = {.store = env->store,
				    .keys = env->keys,
				    .region = env->region,
				    .partition = env->partition,
				    .ca_certs = env->ca_certs,
				    .validation_zone = env->acm_validation_zone,
				    .public_cfg = env->acm_public,
				    .scan_interval = o->scan_interval,
				    .delivery_max_attempts = (int)o->delivery_attempts,
				    .delivery_interval = o->delivery_interval};
	return lifecycle_start(&cfg, err);
}

/* CRL publishing and OCSP (issue 7), and the public listener when asked
 * for (*pub stays NULL without --public-listen). */
static int serve_revocation_start(const struct serve_opts *o, const struct aws_env *env,
				  struct http_server **pub, struct cm_err *err)
{
	char url[300] = "";
	struct revocation_cfg cfg = {.store = env->store, .keys = env->keys,
				     .region = env->region, .partition = env->partition,
				     .ca_certs = env->ca_certs, .data_dir = o->data,
				     .crl_delay = o->crl_delay, .ocsp_delegated = o->ocsp_delegated};
	int v6 = strchr(o->public_addr, ':') != NULL;
	*pub = NULL;
	if (o->public_url != NULL)
		snprintf(url, sizeof(url), "%s", o->public_url);
	else if (o->public_addr[0] != '\0')
		snprintf(url, sizeof(url), "http://%s%s%s:%u", v6 ? "[" : "", o->public_addr,
			 v6 ? "]" : "", o->public_port);
	pca_set_public_url(url);
	if (revocation_start(&cfg, err) < 0)
		return -1;
	if (o->public_addr[0] == '\0')
		return 0;
	struct http_config hc = {.listen_addr = o->public_addr, .port = (uint16_t)o->public_port,
				 .threads = o->threads, .max_body = REVOCATION_PUBLIC_MAX_BODY};
	*pub = http_server_start(&hc, revocation_public_handle, NULL, err);
	if (*pub == NULL) {
		revocation_stop();
		return -1;
	}
	log_event(LOG_INFO, "public listener (CRL, OCSP)", "address", o->public_addr, "url", url,
		  LOG_END);
	return 0;
}

static int serve_run(const struct serve_opts *o, struct store *st, struct keystore *ks)
{
	struct aws_env env = {.store = st, .keys = ks, .region = o->region, .partition = "aws",
			      .data_dir = o->data};
	struct http_config hc = {.listen_addr = o->addr, .port = (uint16_t)o->port,
				 .threads = o->threads, .max_body = SERVE_MAX_BODY};
	char *cert = NULL, *key = NULL;
	struct serve_acme *acme = NULL;
	struct cm_err err = {0};
	int rc = 1;
	if (keystore_derive(ks, "certain/next-token/v1", env.token_key) < 0)
		goto out;
	env.ca_certs = x509_cert_cache_new();
	env.signing_keys = iam_signing_key_cache_new();
	/* AWS's shape; the public-certificate issue makes the zone configurable. */
	env.acm_validation_zone = "acm-validations.aws";
	if (o->tls_cert != NULL && (serve_read_file(o->tls_cert, &cert) < 0 ||
				    serve_read_file(o->tls_key, &key) < 0)) {
		fprintf(stderr, "certain serve: cannot read %s or %s\n", o->tls_cert, o->tls_key);
		goto out;
	}
	hc.tls_cert_pem = cert;
	hc.tls_key_pem = key;
	if (o->test_clock) {
		env.test_clock = true;
		log_event(LOG_WARN,
			  "TEST CLOCK ENABLED: time can be moved by API; never use in production",
			  LOG_END);
	}
	deploy_configure(&o->deploy); /* before the deploy worker and any request */
	if (pca_policy_reindex(st, &err) < 0) {
		fprintf(stderr, "certain serve: %s\n", err.msg);
		goto out;
	}
	/* Before the scheduler, which renews public certificates through it. */
	if (o->acme_config != NULL &&
	    (acme = serve_acme_start(o->acme_config, &env, &err)) == NULL) {
		fprintf(stderr, "certain serve: %s\n", err.msg);
		goto out;
	}
	/* Before the listener: the test clock's advance runs a lifecycle pass. */
	if (serve_lifecycle_start(o, &env, &err) < 0) {
		fprintf(stderr, "certain serve: %s\n", err.msg);
		goto out;
	}
	struct http_server *pub = NULL;
	if (serve_revocation_start(o, &env, &pub, &err) < 0) {
		fprintf(stderr, "certain serve: %s\n", err.msg);
		lifecycle_stop();
		goto out;
	}
	struct http_server *srv = http_server_start(&hc, aws_endpoint_handle, &env, &err);
	if (srv == NULL) {
		fprintf(stderr, "certain serve: %s\n", err.msg);
		http_server_stop(pub, 0);
		revocation_stop();
		lifecycle_stop();
		goto out;
	}
	log_event(LOG_INFO, "listening", "address", o->addr, "data", o->data, "region",
		  o->region, "tls", cert != NULL ? "on" : "off", LOG_END);
	serve_print_usage_hint(o, cert != NULL);
	serve_wait_for_signal();
	http_server_stop(srv, 10000);
	http_server_stop(pub, 10000);
	revocation_stop(); /* a CRL being written is finished */
	lifecycle_stop(); /* a pass in progress finishes; then the store may close */
	rc = 0;
out:
	serve_acme_stop(acme); /* after the scheduler, which wakes it */
	if (key != NULL)
		OPENSSL_cleanse(key, strlen(key));
	free(cert);
	free(key);
	OPENSSL_cleanse(env.token_key, sizeof(env.token_key));
	ref_cache_free(env.ca_certs);
	ref_cache_free(env.signing_keys);
	return rc;
}

int cli_serve(int argc, char **argv)
{
	struct serve_opts o = {.addr = "127.0.0.1", .port = 8443, .data = "./var",
			       .region = "us-east-1", .scan_interval = 86400,
			       .delivery_attempts = 8, .delivery_interval = 5, .crl_delay = 5};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	o.threads = ncpu > 2 ? (unsigned)ncpu * 2 : 4;
	if (serve_parse(argc, argv, &o) < 0)
		return 2;
	/* Signals are taken by sigwait in this thread only: block them before the
	 * worker threads start so they inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Everything in the data folder (database, WAL, lock) is the operator's alone. */
	umask(077);
	if (mkdir(o.data, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "certain serve: cannot create %s: %s\n", o.data, strerror(errno));
		return 1;
	}
	int lock = serve_lock(o.data);
	if (lock < 0)
		return 1;
	struct keystore *ks = NULL;
	struct store *st = NULL;
	int rc = 1;
	if (cli_open_data(o.data, 1, &ks, &st) < 0 || serve_bootstrap(o.data, st, ks) < 0)
		goto out;
	rc = serve_run(&o, st, ks);
out:
	store_close(st);
	keystore_close(ks);
	close(lock);
	if (rc == 0)
		log_event(LOG_INFO, "stopped cleanly", LOG_END);
	return rc;
}
