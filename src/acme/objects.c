/* Parsers of the ACME objects a CA sends (RFC 8555 §7.1): directory, order,
 * authorization. Every member's JSON type is checked, every URL must be one
 * we would fetch, counts are bounded; on any doubt the struct is cleared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/internal.h"

/* An order for more names than this is not one we made (CAs allow 100). */
#define ACME_MAX_ORDER_ITEMS 100

void acme_directory_clear(struct acme_directory *d)
{
	if (d == NULL)
		return;
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->renewal_info);
	free(d->terms_of_service);
	memset(d, 0, sizeof(*d));
}

static void acme_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void acme_order_clear(struct acme_order *o)
{
	if (o == NULL)
		return;
	free(o->url);
	acme_strv_free(o->identifiers, o->nidentifiers);
	acme_strv_free(o->authorizations, o->nauthorizations);
	free(o->finalize);
	free(o->certificate);
	memset(o, 0, sizeof(*o));
	o->retry_after = -1;
}

void acme_authz_clear(struct acme_authz *a)
{
	if (a == NULL)
		return;
	free(a->url);
	free(a->identifier);
	free(a->challenge_url);
	free(a->token);
	memset(a, 0, sizeof(*a));
	a->retry_after = -1;
}

/* An optional URL member: absent is fine (*out stays NULL) unless required;
 * present, it must be a string and a URL we accept. */
static int acme_url_member(json_t *obj, const char *key, bool required, bool allow_http, char **out,
			   struct cm_err *err)
{
	json_t *v = json_object_get(obj, key);
	if (v == NULL && !required)
		return 0;
	if (!json_is_string(v) || !acme_url_ok(json_string_value(v), allow_http))
		return cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: \"%s\" is not a usable URL", key);
	if ((*out = strdup(json_string_value(v))) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return 0;
}

static int acme_status_member(json_t *obj, enum acme_status *st, struct cm_err *err)
{
	json_t *v = json_object_get(obj, "status");
	if (!json_is_string(v) ||
	    (*st = acme_status_parse(json_string_value(v))) == ACME_STATUS_UNKNOWN)
		return cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: missing or unknown \"status\"");
	return 0;
}

int acme_directory_parse(const char *body, size_t len, bool allow_http, struct acme_directory *d,
			 struct cm_err *err)
{
	memset(d, 0, sizeof(*d));
	json_t *root = acme_json_load(body, len), *meta;
	int rc = -1;
	if (!json_is_object(root)) {
		cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: the directory is not a JSON object");
		goto out;
	}
	if (acme_url_member(root, "newNonce", true, allow_http, &d->new_nonce, err) < 0 ||
	    acme_url_member(root, "newAccount", true, allow_http, &d->new_account, err) < 0 ||
	    acme_url_member(root, "newOrder", true, allow_http, &d->new_order, err) < 0 ||
	    acme_url_member(root, "revokeCert", false, allow_http, &d->revoke_cert, err) < 0 ||
	    acme_url_member(root, "keyChange", false, allow_http, &d->key_change, err) < 0 ||
	    acme_url_member(root, "renewalInfo", false, allow_http, &d->renewal_info, err) < 0)
		goto out;
	if ((meta = json_object_get(root, "meta")) != NULL) {
		json_t *eab = json_object_get(meta, "externalAccountRequired");
		json_t *tos = json_object_get(meta, "termsOfService");
		if (!json_is_object(meta) || (eab != NULL && !json_is_boolean(eab)) ||
		    (tos != NULL && !json_is_string(tos))) {
			cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: malformed directory \"meta\"");
			goto out;
		}
		d->eab_required = json_is_true(eab);
		if (tos != NULL && (d->terms_of_service = strdup(json_string_value(tos))) == NULL) {
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		acme_directory_clear(d);
	json_decref(root);
	return rc;
}

/* A JSON array of strings into an owned vector; each passes check (if any). */
static int acme_strv(json_t *arr, const char *key, bool urls, bool allow_http, char ***out,
		     size_t *n, struct cm_err *err)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > ACME_MAX_ORDER_ITEMS)
		return cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: \"%s\" must be a short list",
			       key);
	if ((*out = calloc(json_array_size(arr), sizeof(char *))) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		if (s == NULL || (urls && !acme_url_ok(s, allow_http)) || strlen(s) >= ACME_MAX_URL)
			return cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: bad entry in \"%s\"",
				       key);
		if (((*out)[*n] = strdup(s)) == NULL)
			return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		(*n)++;
	}
	return 0;
}

/* The identifiers' values (type "dns" only: that is all we order). */
static int acme_identifiers(json_t *arr, struct acme_order *o, struct cm_err *err)
{
	size_t i;
	json_t *v, *vals = json_array();
	int rc = -1;
	json_array_foreach(arr, i, v)
	{
		json_t *type = json_object_get(v, "type"), *val = json_object_get(v, "value");
		if (!json_is_string(type) || strcmp(json_string_value(type), "dns") != 0 ||
		    !json_is_string(val)) {
			cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: bad order identifier");
			goto out;
		}
		json_array_append(vals, val);
	}
	rc = acme_strv(vals, "identifiers", false, false, &o->identifiers, &o->nidentifiers, err);
out:
	json_decref(vals);
	return rc;
}

int acme_order_parse(const char *body, size_t len, bool allow_http, struct acme_order *o,
		     struct cm_err *err)
{
	memset(o, 0, sizeof(*o));
	o->retry_after = -1;
	json_t *root = acme_json_load(body, len), *e;
	int rc = -1;
	if (!json_is_object(root)) {
		cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: the order is not a JSON object");
		goto out;
	}
	if (acme_status_member(root, &o->status, err) < 0 ||
	    acme_identifiers(json_object_get(root, "identifiers"), o, err) < 0 ||
	    acme_strv(json_object_get(root, "authorizations"), "authorizations", true, allow_http,
		      &o->authorizations, &o->nauthorizations, err) < 0 ||
	    acme_url_member(root, "finalize", true, allow_http, &o->finalize, err) < 0 ||
	    acme_url_member(root, "certificate", false, allow_http, &o->certificate, err) < 0)
		goto out;
	if ((e = json_object_get(root, "error")) != NULL) {
		char *text = json_dumps(e, JSON_COMPACT);
		o->error.retry_after = -1;
		o->has_error =
		    text != NULL && acme_problem_parse(text, strlen(text), &o->error) == 0;
		free(text);
	}
	rc = 0;
out:
	if (rc < 0)
		acme_order_clear(o);
	json_decref(root);
	return rc;
}

/* The dns-01 challenge among the offered ones (others are ignored). */
static int acme_dns01(json_t *challenges, bool allow_http, struct acme_authz *a, struct cm_err *err)
{
	size_t i;
	json_t *ch;
	if (!json_is_array(challenges))
		return cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: \"challenges\" is not a list");
	json_array_foreach(challenges, i, ch)
	{
		json_t *type = json_object_get(ch, "type"), *tok = json_object_get(ch, "token"), *e;
		if (!json_is_string(type) || strcmp(json_string_value(type), "dns-01") != 0)
			continue;
		const char *t = json_string_value(tok);
		/* The token goes into a digest and a DNS name: base64url, §8.1. */
		if (t == NULL || strlen(t) < 16 || strlen(t) > 256 ||
		    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
			strlen(t))
			return cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: bad dns-01 token");
		if (acme_url_member(ch, "url", true, allow_http, &a->challenge_url, err) < 0 ||
		    acme_status_member(ch, &a->challenge_status, err) < 0)
			return -1;
		if ((a->token = strdup(t)) == NULL)
			return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		if ((e = json_object_get(ch, "error")) != NULL) {
			char *text = json_dumps(e, JSON_COMPACT);
			a->error.retry_after = -1;
			a->has_error =
			    text != NULL && acme_problem_parse(text, strlen(text), &a->error) == 0;
			free(text);
		}
		return 0;
	}
	return 0;
}

int acme_authz_parse(const char *body, size_t len, bool allow_http, struct acme_authz *a,
		     struct cm_err *err)
{
	memset(a, 0, sizeof(*a));
	a->retry_after = -1;
	json_t *root = acme_json_load(body, len);
	int rc = -1;
	if (!json_is_object(root)) {
		cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: the authorization is not a JSON object");
		goto out;
	}
	json_t *id = json_object_get(root, "identifier"), *wc = json_object_get(root, "wildcard");
	json_t *type = json_object_get(id, "type"), *val = json_object_get(id, "value");
	if (!json_is_string(type) || strcmp(json_string_value(type), "dns") != 0 ||
	    !json_is_string(val) || json_string_length(val) == 0 || json_string_length(val) > 253 ||
	    (wc != NULL && !json_is_boolean(wc))) {
		cm_fail(err, CM_ERR_REQUEST_FAILED, "ACME: bad authorization identifier");
		goto out;
	}
	if ((a->identifier = strdup(json_string_value(val))) == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	a->wildcard = json_is_true(wc);
	if (acme_status_member(root, &a->status, err) < 0 ||
	    acme_dns01(json_object_get(root, "challenges"), allow_http, a, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		acme_authz_clear(a);
	json_decref(root);
	return rc;
}
