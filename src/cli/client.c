/* The CLI's signed HTTP client (see client.h): credential lookup, SigV4 with
 * the server's own signer pieces, one POST per call, errors printed the way
 * the aws CLI names them (the AWS error type, then the message). */
#include "cli/client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/sigv4.h"
#include "util/clock.h"
#include "util/curl_init.h"

#define CLI_RESPONSE_MAX (16 * 1024 * 1024)
#define CLI_CONTENT_TYPE "application/x-amz-json-1.1"

void cli_client_init(struct cli_client *c)
{
	memset(c, 0, sizeof(*c));
	c->endpoint = CLI_CLIENT_DEFAULT_ENDPOINT;
	c->region = "us-east-1";
	c->data = "./var";
}

void cli_client_clear(struct cli_client *c)
{
	OPENSSL_cleanse(c->secret, sizeof(c->secret));
}

bool cli_client_option(struct cli_client *c, int opt, const char *arg)
{
	switch (opt) {
	case CLI_CLIENT_OPT_ENDPOINT:
		c->endpoint = arg;
		return true;
	case CLI_CLIENT_OPT_REGION:
		c->region = arg;
		return true;
	case CLI_CLIENT_OPT_DATA:
		c->data = arg;
		return true;
	default:
		return false;
	}
}

static char *cli_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Reads profile's keys from an INI credentials file; 0 when both were found. */
static int cli_read_profile(const char *path, const char *profile, struct cli_client *c)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool in = false;
	if (f == NULL)
		return -1;
	c->akid[0] = c->secret[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = cli_trim(line), *eq;
		if (s[0] == '[') {
			char *end = strchr(s, ']');
			if (end != NULL)
				*end = '\0';
			in = strcmp(cli_trim(s + 1), profile) == 0;
		} else if (in && (eq = strchr(s, '=')) != NULL) {
			*eq = '\0';
			const char *key = cli_trim(s), *val = cli_trim(eq + 1);
			if (strcmp(key, "aws_access_key_id") == 0)
				snprintf(c->akid, sizeof(c->akid), "%s", val);
			else if (strcmp(key, "aws_secret_access_key") == 0)
				snprintf(c->secret, sizeof(c->secret), "%s", val);
		}
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	return c->akid[0] != '\0' && c->secret[0] != '\0' ? 0 : -1;
}

/* The aws CLI's order: environment, shared credentials file and profile;
 * then ours: the data folder's first-start key. */
static int cli_credentials(struct cli_client *c)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *file = getenv("AWS_SHARED_CREDENTIALS_FILE"), *profile = getenv("AWS_PROFILE");
	const char *home = getenv("HOME");
	char path[4096];
	if (akid != NULL && secret != NULL && akid[0] != '\0' && secret[0] != '\0') {
		snprintf(c->akid, sizeof(c->akid), "%s", akid);
		snprintf(c->secret, sizeof(c->secret), "%s", secret);
		return 0;
	}
	if (file == NULL && home != NULL) {
		snprintf(path, sizeof(path), "%s/.aws/credentials", home);
		file = path;
	}
	if (file != NULL &&
	    cli_read_profile(file, profile != NULL && profile[0] ? profile : "default", c) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/credentials", c->data);
	if (cli_read_profile(path, "certain", c) == 0)
		return 0;
	fprintf(stderr, "certain: no credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
			"AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE, or --data DIR\n");
	return -1;
}

/* The authority of the endpoint URL ("127.0.0.1:8443"): signed as Host. */
static int cli_host(const char *endpoint, char *host, size_t size)
{
	const char *p = strstr(endpoint, "://");
	if (p == NULL ||
	    (strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0)) {
		fprintf(stderr, "certain: --endpoint wants http(s)://HOST[:PORT], got '%s'\n",
			endpoint);
		return -1;
	}
	p += 3;
	size_t n = strcspn(p, "/?#");
	if (n == 0 || n >= size) {
		fprintf(stderr, "certain: no host in --endpoint '%s'\n", endpoint);
		return -1;
	}
	memcpy(host, p, n);
	host[n] = '\0';
	return 0;
}

/* The Authorization header line for a POST / with these headers and body. */
static int cli_sign(const struct cli_client *c, const char *host, const char *date,
		    const char *target, const char *body, char *auth, size_t size)
{
	struct http_header h[] = {{"Content-Type", CLI_CONTENT_TYPE},
				  {"Host", host},
				  {"X-Amz-Date", date},
				  {"X-Amz-Target", target}};
	struct sigv4_request req = {"POST",	 "/", "", h, 4, (const unsigned char *)body,
				    strlen(body)};
	static const char signed_headers[] = "content-type;host;x-amz-date;x-amz-target";
	char scope[256], day[9], hash[65], hex[65];
	unsigned char key[32], sig[32];
	int rc = -1;
	memcpy(day, date, 8);
	day[8] = '\0';
	snprintf(scope, sizeof(scope), "%s/%s/certain/aws4_request", day, c->region);
	sigv4_payload_hash(req.body, req.body_len, hash);
	char *creq = sigv4_canonical_request(&req, signed_headers, hash);
	char *sts = creq != NULL ? sigv4_string_to_sign(date, scope, creq) : NULL;
	if (sts == NULL || sigv4_signing_key(c->secret, day, c->region, "certain", key) < 0 ||
	    sigv4_signature(key, sts, sig) < 0)
		goto out;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sig[i]);
	snprintf(auth, size,
		 "Authorization: " SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, "
		 "Signature=%s",
		 c->akid, scope, signed_headers, hex);
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	free(creq);
	free(sts);
	return rc;
}

struct cli_buf {
	char *data;
	size_t len;
};

static size_t cli_collect(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct cli_buf *b = ctx;
	size_t n = size * nmemb;
	if (b->len + n > CLI_RESPONSE_MAX)
		return 0;
	char *grown = realloc(b->data, b->len + n + 1);
	if (grown == NULL)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* Prints the AWS error of a non-200 answer. */
static void cli_print_error(long status, const char *body)
{
	json_t *j = body != NULL ? json_loads(body, 0, NULL) : NULL;
	const char *type = json_string_value(json_object_get(j, "__type"));
	const char *msg = json_string_value(json_object_get(j, "message"));
	if (type != NULL)
		fprintf(stderr, "certain: %s: %s\n", type, msg != NULL ? msg : "");
	else
		fprintf(stderr, "certain: HTTP status %ld from the server\n", status);
	json_decref(j);
}

static struct curl_slist *cli_headers(const char *host, const char *date, const char *target,
				      const char *auth)
{
	char lines[4][1024];
	struct curl_slist *list = NULL;
	snprintf(lines[0], sizeof(lines[0]), "Host: %s", host);
	snprintf(lines[1], sizeof(lines[1]), "X-Amz-Date: %s", date);
	snprintf(lines[2], sizeof(lines[2]), "X-Amz-Target: %s", target);
	snprintf(lines[3], sizeof(lines[3]), "Content-Type: " CLI_CONTENT_TYPE);
	for (int i = 0; i < 4; i++)
		list = curl_slist_append(list, lines[i]);
	list = curl_slist_append(list, auth);
	return curl_slist_append(list, "Expect:");
}

static int cli_post(const struct cli_client *c, const char *host, const char *target,
		    const char *body, struct cli_buf *resp, long *status)
{
	char date[SIGV4_DATE_LEN + 1], auth[2048], url[4096];
	sigv4_format_amz_date(clock_wall_now(), date);
	if (cli_sign(c, host, date, target, body, auth, sizeof(auth)) < 0) {
		fprintf(stderr, "certain: cannot sign the request\n");
		return -1;
	}
	snprintf(url, sizeof(url), "%s/", c->endpoint);
	if (strlen(c->endpoint) > 0 && c->endpoint[strlen(c->endpoint) - 1] == '/')
		snprintf(url, sizeof(url), "%s", c->endpoint);
	struct curl_slist *headers = cli_headers(host, date, target, auth);
	OPENSSL_cleanse(auth, sizeof(auth));
	CURL *h = curl_easy_init();
	int rc = -1;
	if (h == NULL || headers == NULL)
		goto out;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	/* AdvanceClock waits for a whole scheduler pass. */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 600000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cli_collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		fprintf(stderr, "certain: cannot reach %s: %s\n", c->endpoint,
			curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	rc = 0;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return rc;
}

int cli_client_call(struct cli_client *c, const char *op, json_t *body, json_t **out)
{
	char host[512], target[128];
	struct cli_buf resp = {0};
	long status = 0;
	int rc = -1;
	char *text = json_dumps(body, JSON_COMPACT);
	*out = NULL;
	snprintf(target, sizeof(target), "Certain.%s", op);
	if (text == NULL || cli_host(c->endpoint, host, sizeof(host)) < 0 ||
	    (c->akid[0] == '\0' && cli_credentials(c) < 0))
		goto out;
	curl_init_once();
	if (cli_post(c, host, target, text, &resp, &status) < 0)
		goto out;
	if (status != 200) {
		cli_print_error(status, resp.data);
		goto out;
	}
	*out = json_loads(resp.data != NULL ? resp.data : "{}", 0, NULL);
	if (*out == NULL)
		fprintf(stderr, "certain: the server's answer is not JSON\n");
	else
		rc = 0;
out:
	free(text);
	free(resp.data);
	return rc;
}

void cli_client_print(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s != NULL)
		printf("%s\n", s);
	free(s);
}

long long cli_client_parse_time(const char *s)
{
	struct tm tm = {0};
	char *end;
	if (s[0] != '\0' && strspn(s, "0123456789") == strlen(s))
		return strtoll(s, &end, 10);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL || (strcmp(end, "Z") != 0 && strcmp(end, "") != 0))
		return -1;
	return (long long)timegm(&tm);
}
