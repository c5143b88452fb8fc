/* The client object: configuration copied in, the cached directory, the
 * kept nonce, the account, and the problem behind the last failure. */
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/internal.h"
#include "util/hex.h"

static char *acme_dup_opt(const char *s)
{
	return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

/* EAB keys are printed base64url, some CAs with '=' padding: accept both. */
static int acme_eab_decode(struct acme_client *c, const char *text, struct cm_err *err)
{
	size_t len = strlen(text);
	while (len > 0 && text[len - 1] == '=')
		len--;
	c->eab_key = malloc(len + 1);
	long n = c->eab_key != NULL ? b64url_decode(text, len, c->eab_key, len + 1) : -1;
	if (n <= 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "ACME CA %s: eab_hmac_key is not base64url", c->name);
	c->eab_key_len = (size_t)n;
	return 0;
}

struct acme_client *acme_client_new(const struct acme_ca_cfg *cfg, struct cm_err *err)
{
	struct acme_client *c = NULL;
	if (cfg == NULL || cfg->directory_url == NULL) {
		cm_fail(err, CM_ERR_INVALID_ARGS, "ACME CA: directory_url is required");
		goto fail;
	}
	bool http = strncmp(cfg->directory_url, "http://", 7) == 0;
	if (!acme_url_ok(cfg->directory_url, http)) {
		cm_fail(err, CM_ERR_INVALID_ARGS, "ACME CA %s: directory_url must be an https URL",
			cfg->name != NULL ? cfg->name : "");
		goto fail;
	}
	bool has_kid = cfg->eab_kid != NULL && cfg->eab_kid[0] != '\0';
	bool has_key = cfg->eab_hmac_key != NULL && cfg->eab_hmac_key[0] != '\0';
	if (has_kid != has_key) {
		cm_fail(err, CM_ERR_INVALID_ARGS,
			"ACME CA %s: eab_kid and eab_hmac_key go together",
			cfg->name != NULL ? cfg->name : "");
		goto fail;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto oom;
	c->allow_http = http;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
	c->name = strdup(cfg->name != NULL ? cfg->name : "");
	c->directory_url = strdup(cfg->directory_url);
	c->contact = acme_dup_opt(cfg->contact);
	c->eab_kid = acme_dup_opt(cfg->eab_kid);
	c->ca_bundle = acme_dup_opt(cfg->ca_bundle);
	c->preferred_chain = acme_dup_opt(cfg->preferred_chain);
	if (c->name == NULL || c->directory_url == NULL ||
	    (cfg->contact != NULL && cfg->contact[0] != '\0' && c->contact == NULL) ||
	    (has_kid && c->eab_kid == NULL) ||
	    (cfg->ca_bundle != NULL && cfg->ca_bundle[0] != '\0' && c->ca_bundle == NULL) ||
	    (cfg->preferred_chain != NULL && cfg->preferred_chain[0] != '\0' &&
	     c->preferred_chain == NULL))
		goto oom;
	if (has_key && acme_eab_decode(c, cfg->eab_hmac_key, err) < 0)
		goto fail;
	c->problem.retry_after = -1;
	return c;
oom:
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
fail:
	acme_client_free(c);
	return NULL;
}

void acme_client_free(struct acme_client *c)
{
	if (c == NULL)
		return;
	if (c->eab_key != NULL)
		OPENSSL_cleanse(c->eab_key, c->eab_key_len);
	free(c->eab_key);
	free(c->name);
	free(c->directory_url);
	free(c->contact);
	free(c->eab_kid);
	free(c->ca_bundle);
	free(c->preferred_chain);
	free(c->kid);
	acme_directory_clear(&c->dir);
	free(c);
}

const struct acme_problem *acme_client_problem(const struct acme_client *c)
{
	return &c->problem;
}

int acme_client_set_account(struct acme_client *c, EVP_PKEY *key, const char *kid,
			    struct cm_err *err)
{
	char thumb[ACME_B64_SHA256_LEN];
	if (acme_jwk_thumbprint(key, thumb) < 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "ACME account key must be an EC P-256 key");
	char *k = NULL;
	if (kid != NULL && kid[0] != '\0' && (k = strdup(kid)) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	free(c->kid);
	c->kid = k;
	c->key = key;
	return 0;
}

const char *acme_client_kid(const struct acme_client *c)
{
	return c->kid;
}

int acme_fail(struct acme_client *c, struct cm_err *err, enum cm_code code, const char *fmt, ...)
{
	va_list ap;
	memset(&c->problem, 0, sizeof(c->problem));
	c->problem.retry_after = -1;
	/* 0 = no answer from the network (transient); -1 = our own refusal. */
	c->problem.status = code == CM_ERR_UNAVAILABLE ? 0 : -1;
	va_start(ap, fmt);
	vsnprintf(c->problem.detail, sizeof(c->problem.detail), fmt, ap);
	va_end(ap);
	return cm_fail(err, code, "%s", c->problem.detail);
}

bool acme_url_ok(const char *url, bool allow_http)
{
	if (url == NULL)
		return false;
	size_t len = strlen(url);
	if (len >= ACME_MAX_URL)
		return false;
	size_t scheme;
	if (strncmp(url, "https://", 8) == 0)
		scheme = 8;
	else if (allow_http && strncmp(url, "http://", 7) == 0)
		scheme = 7;
	else
		return false;
	if (len == scheme)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return false;
	return true;
}

json_t *acme_json_load(const char *body, size_t len)
{
	if (body == NULL || len > ACME_MAX_BODY)
		return NULL;
	return json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
}

static const char *const acme_status_names[] = {
    [ACME_STATUS_UNKNOWN] = "unknown", [ACME_STATUS_PENDING] = "pending",
    [ACME_STATUS_READY] = "ready",     [ACME_STATUS_PROCESSING] = "processing",
    [ACME_STATUS_VALID] = "valid",     [ACME_STATUS_INVALID] = "invalid",
    [ACME_STATUS_EXPIRED] = "expired", [ACME_STATUS_DEACTIVATED] = "deactivated",
    [ACME_STATUS_REVOKED] = "revoked",
};

const char *acme_status_name(enum acme_status s)
{
	return (size_t)s < sizeof(acme_status_names) / sizeof(acme_status_names[0])
		   ? acme_status_names[s]
		   : "unknown";
}

enum acme_status acme_status_parse(const char *s)
{
	for (size_t i = 1;
	     s != NULL && i < sizeof(acme_status_names) / sizeof(acme_status_names[0]); i++)
		if (strcmp(s, acme_status_names[i]) == 0)
			return (enum acme_status)i;
	return ACME_STATUS_UNKNOWN;
}
