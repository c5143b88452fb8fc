/* serve --acme-config: the file is read and checked at start (issue 8), so
 * every mistake must be an error naming the member, never a default. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acme/config.h"
#include "harness.h"

/* Writes text to a new temporary file with mode; its path into path. */
static void write_conf(char *path, const char *text, mode_t mode)
{
	strcpy(path, "/tmp/certain-acme-conf-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		path[0] = '\0';
	fchmod(fd, mode);
	close(fd);
}

/* Loads text; returns the rc and leaves the message in err. */
static int load(const char *text, mode_t mode, struct acme_config *c, struct cm_err *err)
{
	char path[64];
	write_conf(path, text, mode);
	int rc = acme_config_load(path, c, err);
	unlink(path);
	return rc;
}

#define GOOD_VALIDATION                                                                            \
	"\"validation\": {\"zone\": \"acme.example.net.\", \"dns_server\": \"127.0.0.1:5353\", "   \
	"\"tsig\": {\"name\": \"certain\", \"secret\": \"c2VjcmV0c2VjcmV0\"}, "                    \
	"\"resolver\": \"127.0.0.1:5353\", \"recheck_seconds\": 2}"

TEST(acme_config_good)
{
	struct acme_config c;
	struct cm_err err = {0};
	const char *text =
	    "{\"certificate_authorities\": ["
	    "{\"name\": \"le\", \"directory\": \"https://acme.example/dir\", \"contact\": "
	    "\"ops@example.com\"},"
	    "{\"name\": \"corp\", \"directory\": \"https://ca.corp/dir\", \"default\": true, "
	    "\"eab\": {\"kid\": \"kid-1\", \"hmac_key\": \"abc\"}, \"preferred_chain\": \"Root "
	    "X\"}]," GOOD_VALIDATION "}";
	CHECK(load(text, 0600, &c, &err) == 0);
	CHECK(c.n_cas == 2);
	CHECK(c.default_ca == 1);
	CHECK_STR_EQ(c.ca_names[1], "corp");
	CHECK_STR_EQ(c.cas[1].eab_kid, "kid-1");
	CHECK_STR_EQ(c.cas[0].eab_kid, "");
	CHECK_STR_EQ(c.cas[1].preferred_chain, "Root X");
	CHECK_STR_EQ(c.zone, "acme.example.net"); /* one spelling, no trailing dot */
	CHECK_STR_EQ(c.publisher.zone, "acme.example.net");
	CHECK(c.publisher.has_tsig);
	CHECK_STR_EQ(c.publisher.tsig.algorithm, "hmac-sha256");
	CHECK(c.publisher.server.port == 5353);
	CHECK(c.has_resolver && c.resolver.port == 5353);
	CHECK(c.recheck_seconds == 2);
	acme_config_free(&c);
}

TEST(acme_config_single_ca_is_default_and_hook)
{
	struct acme_config c;
	struct cm_err err = {0};
	const char *text = "{\"certificate_authorities\": [{\"name\": \"pebble\", \"directory\": "
			   "\"http://127.0.0.1:14000/dir\"}], \"validation\": {\"zone\": "
			   "\"v.test\", \"hook\": \"/usr/local/bin/dns-hook\"}}";
	/* No secret in it: a readable file is fine. */
	CHECK(load(text, 0644, &c, &err) == 0);
	CHECK(c.default_ca == 0);
	CHECK(!c.has_resolver);
	CHECK(c.recheck_seconds == ACME_RECHECK_DEFAULT);
	CHECK_STR_EQ(c.publisher.hook, "/usr/local/bin/dns-hook");
	acme_config_free(&c);
}

/* Each bad file fails, and its message names what is wrong. */
TEST(acme_config_errors)
{
	static const struct {
		const char *text;
		const char *says;
	} cases[] = {
	    {"{", "line"},
	    {"[]", "JSON object"},
	    {"{\"certificate_authorities\": [], " GOOD_VALIDATION "}", "non-empty"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\", "
	     "\"colour\": 1}], " GOOD_VALIDATION "}",
	     "unknown member \"colour\""},
	    {"{\"certificate_authorities\": [{\"name\": \"A b\", \"directory\": "
	     "\"https://x/d\"}], " GOOD_VALIDATION "}",
	     ".name"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": "
	     "\"http://ca.example/d\"}], " GOOD_VALIDATION "}",
	     ".directory"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\"}, "
	     "{\"name\": \"a\", \"directory\": \"https://y/d\", \"default\": "
	     "true}], " GOOD_VALIDATION "}",
	     "two certificate_authorities"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\"}, "
	     "{\"name\": \"b\", \"directory\": \"https://y/d\"}], " GOOD_VALIDATION "}",
	     "default"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\", "
	     "\"eab\": {\"kid\": \"k\"}}], " GOOD_VALIDATION "}",
	     "hmac_key"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\"}], "
	     "\"validation\": {\"zone\": \"v.test\"}}",
	     "exactly one of dns_server"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\"}], "
	     "\"validation\": {\"zone\": \"bad zone\", \"hook\": \"/bin/true\"}}",
	     "validation.zone"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\"}], "
	     "\"validation\": {\"zone\": \"v.test\", \"hook\": \"/bin/true\", \"recheck_seconds\": "
	     "0}}",
	     "recheck_seconds"},
	    {"{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": \"https://x/d\"}], "
	     "\"validation\": {\"zone\": \"v.test\", \"hook\": \"relative\"}}",
	     "absolute"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct acme_config c;
		struct cm_err err = {0};
		int rc = load(cases[i].text, 0600, &c, &err);
		CHECK(rc < 0);
		if (rc == 0)
			acme_config_free(&c);
		if (strstr(err.msg, cases[i].says) == NULL) {
			fprintf(stderr, "  case %zu: \"%s\" lacks \"%s\"\n", i, err.msg,
				cases[i].says);
			CHECK(0);
		}
	}
}

/* A TSIG secret in a file others can read is refused. */
TEST(acme_config_secret_file_mode)
{
	struct acme_config c;
	struct cm_err err = {0};
	const char *text = "{\"certificate_authorities\": [{\"name\": \"a\", \"directory\": "
			   "\"https://x/d\"}], " GOOD_VALIDATION "}";
	CHECK(load(text, 0644, &c, &err) < 0);
	CHECK(strstr(err.msg, "chmod 600") != NULL);
}
