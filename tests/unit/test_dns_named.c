/* The DNS layer of ACME dns-01 against a real named (BIND 9): signed updates
 * that add and remove single TXT values, the errors a wrong key or a foreign
 * zone give, and CNAME lookups. One named is started by the first test that
 * needs it (fork/exec, temp folder, free loopback port) and stopped by PID at
 * exit; without /usr/sbin/named the tests print a note and pass. */
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "acme/dns.h"
#include "harness.h"
#include "util/clock.h"

#define NAMED_BIN "/usr/sbin/named"

static struct {
	bool tried;
	int up; /* as named_up returns */
	pid_t pid;
	unsigned port;
	char dir[64];
	char secret[64];      /* certain-key: updates in validation.test */
	char user_secret[64]; /* user-key: updates in user.test */
	char secret512[64];   /* certain-512 (hmac-sha512): updates in validation.test */
} ns;

static void secret_new(char *out)
{
	unsigned char raw[32];
	RAND_bytes(raw, sizeof(raw));
	EVP_EncodeBlock((unsigned char *)out, raw, sizeof(raw));
}

/* A loopback port free for UDP and TCP a moment ago (named needs both). */
static unsigned port_free(void)
{
	for (int i = 0; i < 50; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(a);
		int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);
		unsigned port = 0;
		if (u >= 0 && t >= 0 && bind(u, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    getsockname(u, (struct sockaddr *)&a, &len) == 0 &&
		    bind(t, (struct sockaddr *)&a, sizeof(a)) == 0)
			port = ntohs(a.sin_port);
		if (u >= 0)
			close(u);
		if (t >= 0)
			close(t);
		if (port != 0)
			return port;
	}
	return 0;
}

static int file_write(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

#define SOA_NS(z)                                                                                  \
	"$TTL 60\n@ IN SOA ns." z ". hostmaster." z ". 1 3600 600 86400 60\n"                      \
	"@ IN NS ns." z ".\nns IN A 127.0.0.1\n"

/* named.conf and zones as tests/integration/bindharness.py writes them, plus
 * a CNAME into the validation zone; a local root zone keeps every query on
 * this machine. */
static int named_config(void)
{
	char conf[4096];
	snprintf(conf, sizeof(conf),
		 "options { directory \"%s\"; pid-file \"%s/named.pid\";\n"
		 " session-keyfile \"%s/session.key\"; managed-keys-directory \"%s\";\n"
		 " listen-on port %u { 127.0.0.1; }; listen-on-v6 { none; };\n"
		 " recursion yes; allow-recursion { 127.0.0.1; }; dnssec-validation no;\n"
		 " notify no; allow-query { 127.0.0.1; }; };\n"
		 "controls { };\n"
		 "key \"certain-key\" { algorithm hmac-sha256; secret \"%s\"; };\n"
		 "key \"certain-512\" { algorithm hmac-sha512; secret \"%s\"; };\n"
		 "key \"user-key\" { algorithm hmac-sha256; secret \"%s\"; };\n"
		 "zone \".\" { type primary; file \"root.db\"; };\n"
		 "zone \"validation.test\" { type primary; file \"validation.test.db\";\n"
		 " update-policy { grant certain-key zonesub TXT; grant certain-512 zonesub TXT; };"
		 " };\n"
		 "zone \"user.test\" { type primary; file \"user.test.db\";\n"
		 " allow-update { key user-key; }; };\n",
		 ns.dir, ns.dir, ns.dir, ns.dir, ns.port, ns.secret, ns.secret512, ns.user_secret);
	if (file_write(ns.dir, "named.conf", conf) < 0 ||
	    file_write(ns.dir, "root.db",
		       "$TTL 60\n@ IN SOA ns. hostmaster. 1 3600 600 86400 60\n@ IN NS ns.\n"
		       "ns. IN A 127.0.0.1\n") < 0 ||
	    file_write(ns.dir, "validation.test.db", SOA_NS("validation.test")) < 0 ||
	    file_write(
		ns.dir, "user.test.db",
		SOA_NS("user.test") "_acme-challenge.www IN CNAME _C0FFEE.Validation.test.\n") < 0)
		return -1;
	return 0;
}

static void named_stop(void)
{
	char cmd[128];
	if (ns.pid > 0) {
		kill(ns.pid, SIGTERM);
		while (waitpid(ns.pid, NULL, 0) < 0 && errno == EINTR)
			;
		ns.pid = 0;
	}
	/* Kept when named failed: its log is what the failure message points at. */
	if (ns.dir[0] != '\0' && ns.up == 1) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ns.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "  cannot remove %s\n", ns.dir);
		ns.dir[0] = '\0';
	}
}

static pid_t named_spawn(void)
{
	char conf[128], log[128];
	snprintf(conf, sizeof(conf), "%s/named.conf", ns.dir);
	snprintf(log, sizeof(log), "%s/named.stderr", ns.dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execl(NAMED_BIN, NAMED_BIN, "-g", "-4", "-n", "1", "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* 1 once named is up (started here, on the first call); 0 when it is not
 * installed (the tests skip); -1 when it is and does not start (they fail). */
static int named_up(void)
{
	if (ns.tried)
		return ns.up;
	ns.tried = true;
	ns.up = -1;
	if (access(NAMED_BIN, X_OK) != 0) {
		fprintf(stderr, "  note: %s not installed, DNS server tests skipped\n", NAMED_BIN);
		ns.up = 0;
		return 0;
	}
	snprintf(ns.dir, sizeof(ns.dir), "/tmp/certain-named-XXXXXX");
	secret_new(ns.secret);
	secret_new(ns.user_secret);
	secret_new(ns.secret512);
	if (mkdtemp(ns.dir) == NULL || (ns.port = port_free()) == 0 || named_config() < 0 ||
	    (ns.pid = named_spawn()) < 0) {
		fprintf(stderr, "  cannot set up named\n");
		return -1;
	}
	atexit(named_stop);
	struct dns_server s = {.port = ns.port};
	snprintf(s.host, sizeof(s.host), "127.0.0.1");
	int64_t deadline = clock_monotonic_ms() + 15000;
	char target[256];
	struct cm_err err;
	while (clock_monotonic_ms() < deadline && waitpid(ns.pid, NULL, WNOHANG) == 0) {
		/* Answers (with NOERROR, no CNAME) once the zones are loaded. */
		if (dns_cname_lookup_timeout(&s, "validation.test", 200, target, sizeof(target),
					     &err) == 0) {
			ns.up = 1;
			return 1;
		}
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "  named did not start; see %s/named.stderr\n", ns.dir);
	return -1;
}

/* Skips the test (passing) without named; fails it when named will not start. */
#define NEED_NAMED()                                                                               \
	do {                                                                                       \
		int named_state = named_up();                                                      \
		CHECK(named_state >= 0);                                                           \
		if (named_state <= 0)                                                              \
			return;                                                                    \
	} while (0)

static void publisher(struct dns_publisher *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->server.host, sizeof(p->server.host), "127.0.0.1");
	p->server.port = ns.port;
	snprintf(p->zone, sizeof(p->zone), "validation.test.");
	p->has_tsig = true;
	snprintf(p->tsig.name, sizeof(p->tsig.name), "certain-key");
	snprintf(p->tsig.algorithm, sizeof(p->tsig.algorithm), "hmac-sha256");
	snprintf(p->tsig.secret_b64, sizeof(p->tsig.secret_b64), "%s", ns.secret);
	p->timeout_ms = 2000;
}

/* How many TXT records name holds, and whether one of them is want. */
static int txt_count(const char *name, const char *want, bool *found)
{
	ldns_resolver *r = ldns_resolver_new();
	ldns_rdf *addr = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "127.0.0.1");
	ldns_rdf *qname = ldns_dname_new_frm_str(name);
	ldns_pkt *reply = NULL;
	int n = -1;
	char quoted[300];
	snprintf(quoted, sizeof(quoted), "\"%s\"", want);
	*found = false;
	if (r == NULL || addr == NULL || qname == NULL ||
	    ldns_resolver_push_nameserver(r, addr) != LDNS_STATUS_OK)
		goto out;
	ldns_resolver_set_port(r, (uint16_t)ns.port);
	reply = ldns_resolver_query(r, qname, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, LDNS_RD);
	if (reply == NULL)
		goto out;
	n = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(reply)); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(reply), i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		n++;
		char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		if (s != NULL && strcmp(s, quoted) == 0)
			*found = true;
		free(s);
	}
out:
	ldns_pkt_free(reply);
	ldns_rdf_deep_free(qname);
	ldns_rdf_deep_free(addr);
	ldns_resolver_deep_free(r);
	return n;
}

TEST(dns_named_txt_add_two_remove_one)
{
	struct dns_publisher p;
	struct cm_err err;
	bool found = false;
	const char *name = "_acme-challenge.two.validation.test.";
	NEED_NAMED();
	publisher(&p);
	/* A wildcard and its base name: two challenges under one name. */
	CHECK(dns_txt_add(&p, name, "first-token_-AZ09", 60, &err) == 0);
	CHECK(dns_txt_add(&p, name, "second-token", 60, &err) == 0);
	CHECK(txt_count(name, "first-token_-AZ09", &found) == 2 && found);
	CHECK(txt_count(name, "second-token", &found) == 2 && found);
	CHECK(dns_txt_remove(&p, name, "first-token_-AZ09", &err) == 0);
	CHECK(txt_count(name, "second-token", &found) == 1 && found);
	CHECK(txt_count(name, "first-token_-AZ09", &found) == 1 && !found);
	/* Removing what is not there succeeds; the other value stays. */
	CHECK(dns_txt_remove(&p, name, "first-token_-AZ09", &err) == 0);
	CHECK(txt_count(name, "second-token", &found) == 1 && found);
	CHECK(dns_txt_remove(&p, name, "second-token", &err) == 0);
	CHECK(txt_count(name, "second-token", &found) == 0);
}

TEST(dns_named_txt_value_needs_no_escaping)
{
	struct dns_publisher p;
	struct cm_err err;
	bool found = false;
	NEED_NAMED();
	publisher(&p);
	/* Text a zone file would need escaping for goes in as bytes. */
	CHECK(dns_txt_add(&p, "_q.validation.test", "a \"b\" ;c", 60, &err) == 0);
	CHECK(txt_count("_q.validation.test", "a \\\"b\\\" ;c", &found) == 1 && found);
}

TEST(dns_named_hmac_sha512)
{
	struct dns_publisher p;
	struct cm_err err;
	bool found = false;
	NEED_NAMED();
	publisher(&p);
	snprintf(p.tsig.name, sizeof(p.tsig.name), "certain-512");
	snprintf(p.tsig.algorithm, sizeof(p.tsig.algorithm), "hmac-sha512");
	snprintf(p.tsig.secret_b64, sizeof(p.tsig.secret_b64), "%s", ns.secret512);
	CHECK(dns_txt_add(&p, "_512.validation.test", "sha512", 60, &err) == 0);
	CHECK(txt_count("_512.validation.test", "sha512", &found) == 1 && found);
	CHECK(dns_txt_remove(&p, "_512.validation.test", "sha512", &err) == 0);
	/* The right secret under the wrong algorithm: BIND says BADKEY. */
	snprintf(p.tsig.algorithm, sizeof(p.tsig.algorithm), "hmac-sha256");
	CHECK(dns_txt_add(&p, "_512.validation.test", "sha512", 60, &err) == -1);
	CHECK(strstr(err.msg, "NOTAUTH") != NULL);
}

TEST(dns_named_wrong_secret_is_badsig)
{
	struct dns_publisher p;
	struct cm_err err;
	bool found = true;
	NEED_NAMED();
	publisher(&p);
	secret_new(p.tsig.secret_b64);
	CHECK(dns_txt_add(&p, "_bad.validation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_INTERNAL);
	CHECK(strstr(err.msg, "NOTAUTH") != NULL && strstr(err.msg, "BADSIG") != NULL);
	CHECK(strstr(err.msg, p.tsig.secret_b64) == NULL && strstr(err.msg, ns.secret) == NULL);
	CHECK(txt_count("_bad.validation.test.", "v", &found) == 0 && !found);
	/* An unknown key name is BADKEY. */
	publisher(&p);
	snprintf(p.tsig.name, sizeof(p.tsig.name), "other-key");
	CHECK(dns_txt_add(&p, "_bad.validation.test.", "v", 60, &err) == -1);
	CHECK(strstr(err.msg, "NOTAUTH") != NULL && strstr(err.msg, "BADKEY") != NULL);
	/* Unsigned: the server refuses. */
	publisher(&p);
	p.has_tsig = false;
	CHECK(dns_txt_add(&p, "_bad.validation.test.", "v", 60, &err) == -1);
	CHECK(strstr(err.msg, "REFUSED") != NULL);
}

TEST(dns_named_update_outside_zone_refused)
{
	struct dns_publisher p;
	struct cm_err err;
	NEED_NAMED();
	publisher(&p);
	/* The user's zone: the server does not let certain-key change it. */
	snprintf(p.zone, sizeof(p.zone), "user.test");
	CHECK(dns_txt_add(&p, "_x.user.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_INTERNAL && strstr(err.msg, "REFUSED") != NULL);
	/* A zone the server does not serve at all. */
	snprintf(p.zone, sizeof(p.zone), "elsewhere.test");
	CHECK(dns_txt_add(&p, "_x.elsewhere.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_INTERNAL);
	CHECK(strstr(err.msg, "NOTAUTH") != NULL || strstr(err.msg, "REFUSED") != NULL);
}

TEST(dns_named_cname_lookup)
{
	struct dns_server s = {.port = 0};
	char target[256];
	struct cm_err err;
	NEED_NAMED();
	snprintf(s.host, sizeof(s.host), "127.0.0.1");
	s.port = ns.port;
	CHECK(dns_cname_lookup(&s, "_acme-challenge.www.user.test", target, sizeof(target), &err) ==
	      1);
	CHECK_STR_EQ(target, "_c0ffee.validation.test.");
	/* NODATA: the name exists, without a CNAME. */
	CHECK(dns_cname_lookup(&s, "ns.user.test.", target, sizeof(target), &err) == 0);
	CHECK_STR_EQ(target, "");
	/* NXDOMAIN, inside and outside the zones this server has. */
	CHECK(dns_cname_lookup(&s, "_acme-challenge.none.user.test", target, sizeof(target),
			       &err) == 0);
	CHECK(dns_cname_lookup(&s, "_acme-challenge.example.com", target, sizeof(target), &err) ==
	      0);
	/* Too small for the target. */
	CHECK(dns_cname_lookup(&s, "_acme-challenge.www.user.test", target, 8, &err) == -1);
}
