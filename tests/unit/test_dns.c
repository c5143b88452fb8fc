/* The DNS layer of ACME dns-01 without a DNS server: name, value and server
 * string checks, the refusals that happen before anything is sent, and the
 * hook publisher (a script that records its arguments, fails, or hangs). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acme/dns.h"
#include "harness.h"
#include "util/clock.h"

TEST(dns_name_valid_cases)
{
	CHECK(dns_name_valid("example.com"));
	CHECK(dns_name_valid("example.com."));
	CHECK(dns_name_valid("_acme-challenge.www.example.com"));
	CHECK(dns_name_valid("_0123abcd.validation.test."));
	CHECK(dns_name_valid("localhost"));
	CHECK(dns_name_valid("127.0.0.1"));
	CHECK(!dns_name_valid(""));
	CHECK(!dns_name_valid("."));
	CHECK(!dns_name_valid(NULL));
	CHECK(!dns_name_valid("a..b"));
	CHECK(!dns_name_valid(".a"));
	CHECK(!dns_name_valid("a b.com"));
	CHECK(!dns_name_valid("a\"b.com"));
	CHECK(!dns_name_valid("a\\.com"));
	CHECK(!dns_name_valid("*.example.com")); /* wildcards are never published */
	CHECK(!dns_name_valid("caf\xc3\xa9.example"));
	char label[80];
	memset(label, 'a', 64);
	label[64] = '\0';
	CHECK(!dns_name_valid(label)); /* 64-octet label */
	label[63] = '\0';
	CHECK(dns_name_valid(label));
	char longname[300] = "";
	for (int i = 0; i < 63; i++)
		strcat(longname, "abc.");
	strcat(longname, "x"); /* 253 characters */
	CHECK(strlen(longname) == 253 && dns_name_valid(longname));
	strcat(longname, "y");
	CHECK(!dns_name_valid(longname));
}

TEST(dns_name_in_zone_cases)
{
	CHECK(dns_name_in_zone("_x.validation.test.", "validation.test"));
	CHECK(dns_name_in_zone("_x.VALIDATION.test", "validation.TEST."));
	CHECK(dns_name_in_zone("validation.test", "validation.test."));
	CHECK(!dns_name_in_zone("_x.evilvalidation.test", "validation.test"));
	CHECK(!dns_name_in_zone("validation.test", "_x.validation.test"));
	CHECK(!dns_name_in_zone("_x.user.test", "validation.test"));
	CHECK(!dns_name_in_zone("bad name.validation.test", "validation.test"));
}

TEST(dns_txt_value_cases)
{
	char v[300];
	CHECK(dns_txt_value_valid("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"));
	CHECK(dns_txt_value_valid("with space \"quote\" and \\"));
	CHECK(!dns_txt_value_valid(""));
	CHECK(!dns_txt_value_valid(NULL));
	CHECK(!dns_txt_value_valid("tab\there"));
	CHECK(!dns_txt_value_valid("line\n"));
	CHECK(!dns_txt_value_valid("\xc3\xa9"));
	memset(v, 'x', 255);
	v[255] = '\0';
	CHECK(dns_txt_value_valid(v));
	v[255] = 'x';
	v[256] = '\0';
	CHECK(!dns_txt_value_valid(v));
}

TEST(dns_server_parse_cases)
{
	struct dns_server s;
	CHECK(dns_server_parse("127.0.0.1:5353", &s) == 0);
	CHECK_STR_EQ(s.host, "127.0.0.1");
	CHECK(s.port == 5353);
	CHECK(dns_server_parse("ns1.example.com", &s) == 0);
	CHECK_STR_EQ(s.host, "ns1.example.com");
	CHECK(s.port == 53);
	CHECK(dns_server_parse("[::1]:8053", &s) == 0);
	CHECK_STR_EQ(s.host, "::1");
	CHECK(s.port == 8053);
	CHECK(dns_server_parse("[2001:db8::53]", &s) == 0);
	CHECK_STR_EQ(s.host, "2001:db8::53");
	CHECK(s.port == 53);
	CHECK(dns_server_parse("2001:db8::53", &s) == 0);
	CHECK(s.port == 53);
	CHECK(dns_server_parse("", &s) == -1);
	CHECK(dns_server_parse(":53", &s) == -1);
	CHECK(dns_server_parse("host:", &s) == -1);
	CHECK(dns_server_parse("host:0", &s) == -1);
	CHECK(dns_server_parse("host:65536", &s) == -1);
	CHECK(dns_server_parse("host:53x", &s) == -1);
	CHECK(dns_server_parse("host:+53", &s) == -1);
	CHECK(dns_server_parse("[::1", &s) == -1);
	CHECK(dns_server_parse("[::1]x", &s) == -1);
	CHECK(dns_server_parse("[]:53", &s) == -1);
	CHECK(dns_server_parse("[host]:53", &s) == -1);
	CHECK(dns_server_parse("bad host:53", &s) == -1);
	CHECK(dns_server_parse(NULL, &s) == -1);
}

static void publisher_init(struct dns_publisher *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->server.host, sizeof(p->server.host), "127.0.0.1");
	p->server.port = 1;
	snprintf(p->zone, sizeof(p->zone), "validation.test.");
	p->has_tsig = true;
	snprintf(p->tsig.name, sizeof(p->tsig.name), "certain-key");
	snprintf(p->tsig.secret_b64, sizeof(p->tsig.secret_b64),
		 "o2USVi1TwI0wkSdi8Xor82sQMAzhLuPk3NUWE5EnWjw=");
	p->timeout_ms = 200;
}

/* Refusals that happen before any packet leaves: the server at port 1 would
 * time out, so a quick CM_ERR_VALIDATION proves nothing was sent. */
TEST(dns_update_input_refused)
{
	struct dns_publisher p;
	struct cm_err err;
	publisher_init(&p);
	CHECK(dns_txt_add(&p, "_x.user.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION && strstr(err.msg, "not inside zone") != NULL);
	CHECK(dns_txt_add(&p, "_x.evilvalidation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(dns_txt_add(&p, "bad name.validation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(dns_txt_add(&p, "_x.validation.test.", "", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION && strstr(err.msg, "TXT value") != NULL);
	CHECK(dns_txt_remove(&p, "_x.validation.test.", "new\nline", &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION);
	snprintf(p.tsig.algorithm, sizeof(p.tsig.algorithm), "hmac-sha384");
	CHECK(dns_txt_add(&p, "_x.validation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION && strstr(err.msg, "unsupported") != NULL);
	snprintf(p.tsig.algorithm, sizeof(p.tsig.algorithm), "HMAC-SHA256");
	snprintf(p.tsig.secret_b64, sizeof(p.tsig.secret_b64), "not base64 secret!");
	CHECK(dns_txt_add(&p, "_x.validation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION && strstr(err.msg, "base64") != NULL);
	CHECK(strstr(err.msg, "not base64 secret!") == NULL); /* never the secret */
	publisher_init(&p);
	p.zone[0] = '\0';
	CHECK(dns_txt_add(&p, "_x.validation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(dns_txt_add(NULL, "_x.validation.test.", "v", 60, &err) == -1);
	publisher_init(&p);
	CHECK(dns_txt_add(&p, "_x.validation.test.", "v", 0x80000000u, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION && strstr(err.msg, "TTL") != NULL);
}

TEST(dns_cname_lookup_input_refused)
{
	char target[256];
	struct cm_err err;
	CHECK(dns_cname_lookup(NULL, "bad name", target, sizeof(target), &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION);
	CHECK(dns_cname_lookup(NULL, NULL, target, sizeof(target), &err) == -1);
	CHECK(dns_cname_lookup(NULL, "a.test", NULL, 0, &err) == -1);
}

/* A folder with an executable hook script. */
static int hook_fixture(char *dir, size_t dsize, char *hook, size_t hsize, const char *body)
{
	snprintf(dir, dsize, "/tmp/certain-dns-hook-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(hook, hsize, "%s/hook.sh", dir);
	FILE *f = fopen(hook, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	return chmod(hook, 0700);
}

static void hook_cleanup(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "  cannot remove %s\n", dir);
}

TEST(dns_hook_records_add_and_remove)
{
	char dir[256], hook[300], log[300], body[700], got[512] = "";
	struct dns_publisher p;
	struct cm_err err;
	snprintf(dir, sizeof(dir), "/tmp");
	/* The script writes its arguments, one per line, to log beside it. */
	snprintf(body, sizeof(body),
		 "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done >> \"$(dirname \"$0\")/log\"");
	CHECK(hook_fixture(dir, sizeof(dir), hook, sizeof(hook), body) == 0);
	memset(&p, 0, sizeof(p));
	snprintf(p.hook, sizeof(p.hook), "%s", hook);
	snprintf(p.zone, sizeof(p.zone), "validation.test");
	CHECK(dns_txt_add(&p, "_a.validation.test.", "value with \"quotes\"; $(rm -rf /)", 60,
			  &err) == 0);
	CHECK(dns_txt_remove(&p, "_a.validation.test.", "v2", &err) == 0);
	/* The zone still fences the names a hook is called for. */
	CHECK(dns_txt_add(&p, "_a.user.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION);
	snprintf(log, sizeof(log), "%s/log", dir);
	FILE *f = fopen(log, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		size_t n = fread(got, 1, sizeof(got) - 1, f);
		got[n] = '\0';
		fclose(f);
	}
	CHECK_STR_EQ(got, "add\n_a.validation.test.\nvalue with \"quotes\"; $(rm -rf /)\n"
			  "remove\n_a.validation.test.\nv2\n");
	hook_cleanup(dir);
}

TEST(dns_hook_failure_and_timeout)
{
	char dir[256], hook[300];
	struct dns_publisher p;
	struct cm_err err;
	memset(&p, 0, sizeof(p));
	CHECK(hook_fixture(dir, sizeof(dir), hook, sizeof(hook), "exit 1") == 0);
	snprintf(p.hook, sizeof(p.hook), "%s", hook);
	CHECK(dns_txt_add(&p, "_a.validation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_INTERNAL && strstr(err.msg, "status 1") != NULL);
	hook_cleanup(dir);

	CHECK(hook_fixture(dir, sizeof(dir), hook, sizeof(hook), "sleep 30") == 0);
	snprintf(p.hook, sizeof(p.hook), "%s", hook);
	p.timeout_ms = 300;
	int64_t t0 = clock_monotonic_ms();
	CHECK(dns_txt_remove(&p, "_a.validation.test.", "v", &err) == -1);
	CHECK(clock_monotonic_ms() - t0 < 3000);
	CHECK(strstr(err.msg, "timed out") != NULL);
	hook_cleanup(dir);

	snprintf(p.hook, sizeof(p.hook), "relative/hook");
	CHECK(dns_txt_add(&p, "_a.validation.test.", "v", 60, &err) == -1);
	snprintf(p.hook, sizeof(p.hook), "/nonexistent/hook");
	CHECK(dns_txt_add(&p, "_a.validation.test.", "v", 60, &err) == -1);
	CHECK(err.code == CM_ERR_INTERNAL);
}
