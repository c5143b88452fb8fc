/* Parsers of what an ACME CA sends: problem documents and their ACM
 * FailureReason, Link and Retry-After headers, directory, order and
 * authorization objects; malformed input is an error, never a crash. */
#include <stdlib.h>

#include "acme/internal.h"
#include "harness.h"

#define S(x) x, strlen(x)

TEST(acme_problem_parse_and_reason)
{
	struct acme_problem p = {.retry_after = 7};
	const char *doc = "{\"type\":\"urn:ietf:params:acme:error:compound\",\"detail\":\"two\","
			  "\"status\":403,\"subproblems\":[{\"type\":\"urn:ietf:params:acme:"
			  "error:malformed\",\"detail\":\"bad\",\"identifier\":{\"type\":\"dns\","
			  "\"value\":\"a..b\"}},{\"type\":\"urn:ietf:params:acme:error:caa\"}]}";
	CHECK(acme_problem_parse(S(doc), &p) == 0);
	CHECK_STR_EQ(p.type, "urn:ietf:params:acme:error:compound");
	CHECK_STR_EQ(p.detail, "two");
	CHECK(p.status == 403 && p.retry_after == 7 && p.nsub == 2);
	CHECK_STR_EQ(p.sub[0].identifier, "a..b");
	CHECK_STR_EQ(acme_problem_reason(&p), "INVALID_PUBLIC_DOMAIN");
	CHECK(!acme_problem_is_transient(&p));
	CHECK(acme_problem_parse(S("[]"), &p) < 0);
	CHECK(acme_problem_parse(S("{\"type\":5}"), &p) < 0);
	CHECK(acme_problem_parse(S("{\"type\":\"x\",\"subproblems\":7,\"status\":\"a\"}"), &p) ==
	      0);
	CHECK(p.nsub == 0 && p.status == 0);
	CHECK(acme_problem_parse(S("{\"type\":\"a\",\"type\":\"b\"}"), &p) < 0); /* duplicate */
	CHECK(acme_problem_parse(NULL, 0, &p) < 0);
}

TEST(acme_problem_failure_reasons)
{
	static const char *const map[][2] = {
	    {"urn:ietf:params:acme:error:caa", "CAA_ERROR"},
	    {"caa", "CAA_ERROR"},
	    {"urn:ietf:params:acme:error:rejectedIdentifier", "DOMAIN_NOT_ALLOWED"},
	    {"urn:ietf:params:acme:error:unsupportedIdentifier", "INVALID_PUBLIC_DOMAIN"},
	    {"urn:ietf:params:acme:error:dns", "DOMAIN_VALIDATION_DENIED"},
	    {"urn:ietf:params:acme:error:unauthorized", "DOMAIN_VALIDATION_DENIED"},
	    {"urn:ietf:params:acme:error:incorrectResponse", "DOMAIN_VALIDATION_DENIED"},
	    {"urn:ietf:params:acme:error:connection", "DOMAIN_VALIDATION_DENIED"},
	    {"urn:ietf:params:acme:error:tls", "DOMAIN_VALIDATION_DENIED"},
	    {"urn:ietf:params:acme:error:rateLimited", "OTHER"},
	    {"urn:ietf:params:acme:error:malformed", "OTHER"},
	    {"urn:other:caa", "OTHER"},
	    {"", "OTHER"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		CHECK_STR_EQ(acme_problem_failure_reason(map[i][0]), map[i][1]);
	CHECK_STR_EQ(acme_problem_failure_reason(NULL), "OTHER");
	struct acme_problem p = {.type = "urn:ietf:params:acme:error:malformed",
				 .detail = "Invalid identifiers requested",
				 .status = 400};
	CHECK_STR_EQ(acme_problem_reason(&p), "INVALID_PUBLIC_DOMAIN");
	snprintf(p.detail, sizeof(p.detail), "JWS has no signature");
	CHECK_STR_EQ(acme_problem_reason(&p), "OTHER");
}

TEST(acme_problem_transient)
{
	struct acme_problem p = {.status = 400, .retry_after = -1};
	snprintf(p.type, sizeof(p.type), "urn:ietf:params:acme:error:rateLimited");
	CHECK(acme_problem_is_transient(&p));
	snprintf(p.type, sizeof(p.type), "urn:ietf:params:acme:error:serverInternal");
	CHECK(acme_problem_is_transient(&p));
	snprintf(p.type, sizeof(p.type), "urn:ietf:params:acme:error:badNonce");
	CHECK(acme_problem_is_transient(&p));
	snprintf(p.type, sizeof(p.type), "urn:ietf:params:acme:error:caa");
	CHECK(!acme_problem_is_transient(&p));
	p.status = 503;
	CHECK(acme_problem_is_transient(&p));
	p.status = 429;
	CHECK(acme_problem_is_transient(&p));
	p.status = 0; /* no answer: the network */
	CHECK(acme_problem_is_transient(&p));
	p.status = -1; /* refused by us */
	CHECK(!acme_problem_is_transient(&p));
}

TEST(acme_link_headers)
{
	char *u[8];
	size_t n = 0;
	CHECK(acme_link_parse("<https://ca/cert/1/1>;rel=\"alternate\"", "alternate", u, &n, 8) ==
	      0);
	CHECK(acme_link_parse("<https://ca/dir>;rel=\"index\", <https://ca/c/2> ; rel=alternate, "
			      "<https://ca/c/3>; title=\"x;y,z\"; rel=\"up alternate\"",
			      "alternate", u, &n, 8) == 0);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR_EQ(u[0], "https://ca/cert/1/1");
		CHECK_STR_EQ(u[1], "https://ca/c/2");
		CHECK_STR_EQ(u[2], "https://ca/c/3");
	}
	CHECK(acme_link_parse("<https://ca/up>;rel=\"up\"", "alternate", u, &n, 8) == 0 && n == 3);
	CHECK(acme_link_parse("https://ca/x;rel=alternate", "alternate", u, &n, 8) < 0);
	CHECK(acme_link_parse("<https://ca/x;rel=alternate", "alternate", u, &n, 8) < 0);
	CHECK(acme_link_parse("<https://ca/x>;rel=\"alternate", "alternate", u, &n, 8) < 0);
	CHECK(acme_link_parse("<https://ca/x> junk", "alternate", u, &n, 8) < 0);
	CHECK(n == 3);
	/* The cap holds. */
	size_t m = 0;
	char *v[1];
	CHECK(acme_link_parse("<https://a>;rel=alternate,<https://b>;rel=alternate", "alternate", v,
			      &m, 1) == 0 &&
	      m == 1);
	free(v[0]);
	for (size_t i = 0; i < n; i++)
		free(u[i]);
}

TEST(acme_retry_after)
{
	CHECK(acme_retry_after_parse("120", 0) == 120);
	CHECK(acme_retry_after_parse(" 0 ", 0) == 0);
	CHECK(acme_retry_after_parse("99999999999999999999", 0) == 86400);
	CHECK(acme_retry_after_parse("12a", 0) < 0);
	CHECK(acme_retry_after_parse("-5", 0) < 0);
	CHECK(acme_retry_after_parse("", 0) < 0);
	/* 1994-11-06 08:49:37 UTC = 784111777 */
	CHECK(acme_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL - 30) == 30);
	CHECK(acme_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL + 30) == 0);
}

TEST(acme_directory_objects)
{
	struct acme_directory d;
	struct cm_err err;
	const char *ok = "{\"newNonce\":\"https://ca/nonce\",\"newAccount\":\"https://ca/acct\","
			 "\"newOrder\":\"https://ca/order\",\"revokeCert\":\"https://ca/rev\","
			 "\"meta\":{\"externalAccountRequired\":true,\"termsOfService\":\"x\"}}";
	CHECK(acme_directory_parse(S(ok), false, &d, &err) == 0);
	CHECK_STR_EQ(d.new_order, "https://ca/order");
	CHECK(d.eab_required && d.renewal_info == NULL);
	acme_directory_clear(&d);
	CHECK(acme_directory_parse(S(ok), true, &d, &err) == 0);
	acme_directory_clear(&d);
	const char *http = "{\"newNonce\":\"http://ca/n\",\"newAccount\":\"https://ca/a\","
			   "\"newOrder\":\"https://ca/o\"}";
	CHECK(acme_directory_parse(S(http), false, &d, &err) < 0 && d.new_nonce == NULL);
	CHECK(acme_directory_parse(S(http), true, &d, &err) == 0);
	acme_directory_clear(&d);
	const char *bad[] = {
	    "",
	    "[]",
	    "{}",
	    "{\"newNonce\":1,\"newAccount\":\"https://a\",\"newOrder\":\"https://o\"}",
	    "{\"newNonce\":\"https://n\",\"newAccount\":\"https://a\",\"newOrder\":\"https://o\","
	    "\"meta\":{\"externalAccountRequired\":\"yes\"}}",
	    "{\"newNonce\":\"https://n "
	    "x\",\"newAccount\":\"https://a\",\"newOrder\":\"https://o\"}",
	    "{\"newNonce\":\"https://\",\"newAccount\":\"https://a\",\"newOrder\":\"https://o\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(acme_directory_parse(S(bad[i]), false, &d, &err) < 0);
}

TEST(acme_order_objects)
{
	struct acme_order o;
	struct cm_err err;
	const char *ok =
	    "{\"status\":\"invalid\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.example\"},"
	    "{\"type\":\"dns\",\"value\":\"*.a.example\"}],\"authorizations\":[\"https://ca/z/1\","
	    "\"https://ca/z/2\"],\"finalize\":\"https://ca/f/1\",\"error\":{\"type\":\"urn:ietf:"
	    "params:acme:error:caa\",\"detail\":\"CAA forbids\"}}";
	CHECK(acme_order_parse(S(ok), false, &o, &err) == 0);
	CHECK(o.status == ACME_STATUS_INVALID && o.nidentifiers == 2 && o.nauthorizations == 2);
	CHECK(o.has_error && strcmp(acme_problem_reason(&o.error), "CAA_ERROR") == 0);
	CHECK(o.certificate == NULL);
	acme_order_clear(&o);
	const char *bad[] = {
	    "{\"status\":\"great\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}],"
	    "\"authorizations\":[\"https://z\"],\"finalize\":\"https://f\"}",
	    "{\"status\":\"valid\",\"identifiers\":[{\"type\":\"ip\",\"value\":\"1.2.3.4\"}],"
	    "\"authorizations\":[\"https://z\"],\"finalize\":\"https://f\"}",
	    "{\"status\":\"valid\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}],"
	    "\"authorizations\":[\"http://z\"],\"finalize\":\"https://f\"}",
	    "{\"status\":\"valid\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}],"
	    "\"authorizations\":[],\"finalize\":\"https://f\"}",
	    "{\"status\":\"valid\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}],"
	    "\"authorizations\":[\"https://z\", 3],\"finalize\":\"https://f\"}",
	    "{\"status\":\"valid\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\"}],"
	    "\"authorizations\":[\"https://z\"],\"finalize\":\"https://f\",\"certificate\":7}",
	    "{\"status\":\"valid\",\"identifiers\":{},\"authorizations\":[\"https://z\"],"
	    "\"finalize\":\"https://f\"}",
	    "null",
	    "{\"status\":\"valid\"",
	    "\"x\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(acme_order_parse(S(bad[i]), false, &o, &err) < 0);
		CHECK(o.identifiers == NULL && o.authorizations == NULL && o.finalize == NULL);
	}
}

TEST(acme_authz_objects)
{
	struct acme_authz a;
	struct cm_err err;
	const char *ok = "{\"identifier\":{\"type\":\"dns\",\"value\":\"a.example\"},\"status\":"
			 "\"pending\",\"wildcard\":true,\"challenges\":[{\"type\":\"http-01\","
			 "\"url\":\"https://ca/c/1\",\"token\":\"x\",\"status\":\"pending\"},"
			 "{\"type\":\"dns-01\",\"url\":\"https://ca/c/2\",\"token\":"
			 "\"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA\",\"status\":\"invalid\","
			 "\"error\":{\"type\":\"urn:ietf:params:acme:error:dns\"}}]}";
	CHECK(acme_authz_parse(S(ok), false, &a, &err) == 0);
	CHECK_STR_EQ(a.identifier, "a.example");
	CHECK(a.wildcard && a.status == ACME_STATUS_PENDING);
	CHECK_STR_EQ(a.challenge_url, "https://ca/c/2");
	CHECK(a.challenge_status == ACME_STATUS_INVALID && a.has_error);
	CHECK_STR_EQ(acme_problem_reason(&a.error), "DOMAIN_VALIDATION_DENIED");
	acme_authz_clear(&a);
	/* No dns-01 offered: parsed, challenge_url NULL. */
	const char *none = "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},\"status\":"
			   "\"valid\",\"challenges\":[]}";
	CHECK(acme_authz_parse(S(none), false, &a, &err) == 0 && a.challenge_url == NULL);
	acme_authz_clear(&a);
	const char *bad[] = {
	    "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},\"status\":\"valid\"}",
	    "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},\"status\":\"valid\","
	    "\"wildcard\":1,\"challenges\":[]}",
	    "{\"identifier\":{\"type\":\"dns\",\"value\":\"\"},\"status\":\"valid\","
	    "\"challenges\":[]}",
	    "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},\"status\":\"valid\","
	    "\"challenges\":[{\"type\":\"dns-01\",\"url\":\"https://c\",\"token\":\"../../etc/"
	    "passwd.........\",\"status\":\"pending\"}]}",
	    "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},\"status\":\"valid\","
	    "\"challenges\":[{\"type\":\"dns-01\",\"token\":\"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ\","
	    "\"status\":\"pending\"}]}",
	    "[1]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(acme_authz_parse(S(bad[i]), false, &a, &err) < 0);
		CHECK(a.identifier == NULL && a.token == NULL);
	}
}
