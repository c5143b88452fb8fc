/* DomainValidationOptions (spec acm.md §4, §6.2, §6.3): per name, how it is
 * validated and how far. DNS records are derived from a keyed hash of
 * (account, base name), so every certificate and every call shows the same
 * record for a name, as AWS does, and nobody can predict another account's. */
#include <ctype.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acm/internal.h"
#include "keystore/keystore.h"
#include "util/hex.h"

#define ACM_DNS_LABEL "certain/acm-dns-validation/v1"

/* HMAC-SHA256(k, account | NUL | purpose | NUL | base name) into out. */
static int acm_dns_mac(const unsigned char key[32], const char *account, const char *purpose,
		       const char *base, unsigned char out[32])
{
	char msg[600];
	int len = snprintf(msg, sizeof(msg), "%s%c%s%c%s", account, 0, purpose, 0, base);
	unsigned int out_len = 0;
	if (len < 0 || (size_t)len >= sizeof(msg))
		return -1;
	for (int i = 0; i < len; i++) /* DNS names compare case-insensitively */
		msg[i] = (char)tolower((unsigned char)msg[i]);
	return HMAC(EVP_sha256(), key, 32, (unsigned char *)msg, (size_t)len, out, &out_len) != NULL
		       ? 0
		       : -1;
}

/* The CNAME of a name: "_<32 hex>.<base>." → "_<32 hex>.<10 letters>.<zone>.";
 * key is the keystore subkey of ACM_DNS_LABEL. */
static int acm_dns_record(const struct acm_ctx *ctx, const unsigned char key[32],
			  const char *name, struct acm_validation *v, struct cm_err *err)
{
	unsigned char a[32], b[32];
	char hex_a[33], hex_b[33], letters[11];
	const char *base = strncmp(name, "*.", 2) == 0 ? name + 2 : name;
	if (acm_dns_mac(key, ctx->account, "name", base, a) < 0 ||
	    acm_dns_mac(key, ctx->account, "value", base, b) < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot derive the DNS validation record");
	hex_encode(a, 16, hex_a);
	hex_encode(b, 16, hex_b);
	for (int i = 0; i < 10; i++)
		letters[i] = (char)('a' + b[16 + i] % 26);
	letters[10] = '\0';
	if (ctx->public_cfg != NULL) {
		/* ACME (issue 8): the CA looks up _acme-challenge.<base>; the CNAME
		 * sends it into the zone where Certain publishes the TXT. */
		snprintf(v->record_name, sizeof(v->record_name), "_acme-challenge.%s.", base);
		snprintf(v->record_value, sizeof(v->record_value), "_%s.%s.", hex_b,
			 ctx->public_cfg->zone);
	} else {
		snprintf(v->record_name, sizeof(v->record_name), "_%s.%s.", hex_a, base);
		snprintf(v->record_value, sizeof(v->record_value), "_%s.%s.%s.", hex_b, letters,
			 ctx->validation_zone);
	}
	for (char *p = v->record_name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* DomainStatus of every name while the certificate has this status. */
static const char *acm_domain_status(const char *status)
{
	if (strcmp(status, "PENDING_VALIDATION") == 0)
		return "PENDING_VALIDATION";
	if (strcmp(status, "FAILED") == 0 || strcmp(status, "VALIDATION_TIMED_OUT") == 0)
		return "FAILED";
	return "SUCCESS";
}

/* While the ACME worker validates a certificate, its job holds each name's
 * status ({"names": {name: status}}); NULL when there is none. Owned. */
static json_t *acm_job_names(const struct acm_ctx *ctx, const struct store_acm_cert *c,
			     const char *status)
{
	struct store_acme_job j;
	struct cm_err err = {0};
	if (ctx->public_cfg == NULL || strcmp(status, "PENDING_VALIDATION") != 0 ||
	    store_acme_job_get(ctx->store, c->id, &j, &err) < 0)
		return NULL;
	json_t *state = json_loads(j.state, 0, NULL);
	json_t *names = json_incref(json_object_get(state, "names"));
	json_decref(state);
	store_acme_job_clear(&j);
	return names;
}

/* ValidationDomain of a name: the DomainValidationOptions value (map, from
 * the record's validation_json; may be NULL), else the name itself. */
static void acm_validation_domain(json_t *map, const char *name, char *out, size_t size)
{
	const char *vd = json_string_value(json_object_get(map, name));
	snprintf(out, size, "%s", vd != NULL ? vd : name);
}

/* One entry per name; the DNS subkey and the validation map are read once
 * for all of them (Describe calls this for every public certificate). */
int acm_validations(const struct acm_ctx *ctx, const struct store_acm_cert *c,
		    const char *status, char **names, size_t n_names,
		    struct acm_validation **out, struct cm_err *err)
{
	bool private = strcmp(c->type, "PRIVATE") == 0;
	bool dns = strcmp(c->validation_method, "DNS") == 0;
	unsigned char key[32];
	int rc = 0;
	if (dns && keystore_derive(ctx->keys, ACM_DNS_LABEL, key) < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot derive the DNS validation key");
	struct acm_validation *list = calloc(n_names + 1, sizeof(*list));
	*out = list;
	if (list == NULL) {
		OPENSSL_cleanse(key, sizeof(key));
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	json_t *map = c->validation_json != NULL ? json_loads(c->validation_json, 0, NULL) : NULL;
	json_t *job = dns ? acm_job_names(ctx, c, status) : NULL;
	for (size_t i = 0; rc == 0 && i < n_names; i++) {
		struct acm_validation *v = &list[i];
		const char *seen = json_string_value(json_object_get(job, names[i]));
		v->domain_name = names[i];
		v->status = seen != NULL && strcmp(seen, "SUCCESS") == 0 ? "SUCCESS"
									: acm_domain_status(status);
		v->method = private ? NULL : c->validation_method;
		acm_validation_domain(map, names[i], v->validation_domain,
				      sizeof(v->validation_domain));
		if (dns)
			rc = acm_dns_record(ctx, key, names[i], v, err);
	}
	json_decref(map);
	json_decref(job);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc < 0) {
		free(list);
		*out = NULL;
	}
	return rc;
}

int acm_resend_validation(const struct acm_ctx *ctx, const char *arn, const char *domain,
			  const char *validation_domain, struct cm_err *err)
{
	struct store_acm_cert c;
	char **names = NULL;
	size_t n = 0;
	int rc = -1;
	if (acm_load(ctx, arn, &c, err) < 0)
		return -1;
	const char *status = store_acm_effective_status(&c, ctx->now);
	if (strcmp(status, "PENDING_VALIDATION") != 0 ||
	    strcmp(c.validation_method, "EMAIL") != 0) {
		cm_fail(err, CM_ERR_INVALID_STATE,
			"Certificate %.300s is not waiting for email validation", arn);
		goto out;
	}
	if (acm_names(&c, &names, &n, err) < 0)
		goto out;
	bool known = false;
	for (size_t i = 0; i < n && !known; i++)
		known = strcasecmp(names[i], domain) == 0;
	if (!known || !acm_domain_is_self_or_parent(domain, validation_domain)) {
		cm_fail(err, CM_ERR_INVALID_DOMAIN,
			"Domain %.253s with ValidationDomain %.253s is not part of certificate "
			"%.300s",
			domain, validation_domain, arn);
		goto out;
	}
	/* Certain sends no mail: the resend is recorded (spec §5.12). */
	c.resent_at = ctx->now;
	rc = store_acm_cert_update(ctx->store, &c, err);
out:
	store_strings_free(names, n);
	store_acm_cert_clear(&c);
	return rc;
}
