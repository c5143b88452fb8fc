/* Orders, authorizations and challenges (RFC 8555 §7.4–7.5), one request per
 * step so the worker can persist progress between them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme/internal.h"
#include "util/clock.h"

/* One order response into *o, keeping url (owned, moved in) and Retry-After. */
static int acme_order_take(struct acme_client *c, struct acme_resp *r, char *url,
			   struct acme_order *o, struct cm_err *err)
{
	acme_order_clear(o);
	if (acme_order_parse(r->body, r->body_len, c->allow_http, o, err) < 0) {
		free(url);
		return acme_fail(c, err, CM_ERR_REQUEST_FAILED, "ACME CA %s: %s", c->name,
				 err != NULL ? err->msg : "bad order");
	}
	o->url = url;
	o->retry_after = r->retry_after;
	return 0;
}

int acme_order_new(struct acme_client *c, const char *const *names, size_t nnames,
		   struct acme_order *o, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	json_t *ids = json_array(), *payload = NULL;
	int rc = -1;
	const struct acme_directory *d = acme_client_directory(c, err);
	if (d == NULL)
		goto out;
	if (nnames == 0 || nnames > 100) {
		acme_fail(c, err, CM_ERR_INVALID_ARGS, "ACME: an order needs 1 to 100 names");
		goto out;
	}
	for (size_t i = 0; i < nnames; i++)
		if (json_array_append_new(
			ids, json_pack("{s:s, s:s}", "type", "dns", "value", names[i])) < 0) {
			acme_fail(c, err, CM_ERR_INVALID_ARGS, "ACME: bad name");
			goto out;
		}
	payload = json_pack("{s:O}", "identifiers", ids);
	if (payload == NULL || acme_post(c, d->new_order, payload, false, NULL, &r, err) < 0)
		goto out;
	if (r.status != 201 || r.header_error || !acme_url_ok(r.location, c->allow_http)) {
		acme_fail(c, err, CM_ERR_REQUEST_FAILED,
			  "ACME CA %s: newOrder answered HTTP %ld without a usable Location",
			  c->name, r.status);
		goto out;
	}
	char *url = strdup(r.location);
	rc = url != NULL ? acme_order_take(c, &r, url, o, err)
			 : acme_fail(c, err, CM_ERR_INTERNAL, "out of memory");
out:
	json_decref(ids);
	json_decref(payload);
	acme_resp_clear(&r);
	return rc;
}

int acme_order_fetch(struct acme_client *c, const char *url, struct acme_order *o,
		     struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	int rc = -1;
	char *u = url != NULL ? strdup(url) : NULL; /* url may be o->url, which take() clears */
	if (u == NULL) {
		acme_fail(c, err, url != NULL ? CM_ERR_INTERNAL : CM_ERR_INVALID_ARGS,
			  "ACME: no order URL");
		goto out;
	}
	if (acme_post(c, u, NULL, false, NULL, &r, err) < 0) {
		free(u);
		goto out;
	}
	rc = acme_order_take(c, &r, u, o, err);
out:
	acme_resp_clear(&r);
	return rc;
}

int acme_authz_fetch(struct acme_client *c, const char *url, struct acme_authz *a,
		     struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	int rc = -1;
	if (acme_post(c, url, NULL, false, NULL, &r, err) < 0)
		goto out;
	acme_authz_clear(a);
	if (acme_authz_parse(r.body, r.body_len, c->allow_http, a, err) < 0) {
		acme_fail(c, err, CM_ERR_REQUEST_FAILED, "ACME CA %s: %s", c->name,
			  err != NULL ? err->msg : "bad authorization");
		goto out;
	}
	if ((a->url = strdup(url)) == NULL) {
		acme_fail(c, err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	a->retry_after = r.retry_after;
	rc = 0;
out:
	acme_resp_clear(&r);
	return rc;
}

int acme_challenge_respond(struct acme_client *c, const char *challenge_url, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	json_t *empty = json_object(); /* "{}": the challenge is ready (§7.5.1) */
	int rc = empty != NULL ? acme_post(c, challenge_url, empty, false, NULL, &r, err)
			       : acme_fail(c, err, CM_ERR_INTERNAL, "out of memory");
	json_decref(empty);
	acme_resp_clear(&r);
	return rc;
}

int acme_order_finalize(struct acme_client *c, struct acme_order *o, const unsigned char *csr_der,
			size_t csr_len, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	char *csr = NULL, *url = NULL;
	json_t *payload = NULL;
	int rc = -1;
	if (o->finalize == NULL || o->url == NULL || csr_der == NULL || csr_len == 0 ||
	    csr_len > 65536) {
		acme_fail(c, err, CM_ERR_INVALID_ARGS, "ACME: finalize needs an order and a CSR");
		goto out;
	}
	if ((csr = acme_b64url(csr_der, csr_len)) == NULL ||
	    (payload = json_pack("{s:s}", "csr", csr)) == NULL || (url = strdup(o->url)) == NULL) {
		acme_fail(c, err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (acme_post(c, o->finalize, payload, false, NULL, &r, err) < 0)
		goto out;
	rc = acme_order_take(c, &r, url, o, err);
	url = NULL;
out:
	free(url);
	free(csr);
	json_decref(payload);
	acme_resp_clear(&r);
	return rc;
}

int acme_order_poll(struct acme_client *c, struct acme_order *o, long max_wait_ms,
		    struct cm_err *err)
{
	int64_t deadline = clock_monotonic_ms() + (max_wait_ms > 0 ? max_wait_ms : 0);
	if (o->url == NULL)
		return acme_fail(c, err, CM_ERR_INVALID_ARGS, "ACME: no order URL");
	for (;;) {
		if (o->status != ACME_STATUS_PENDING && o->status != ACME_STATUS_PROCESSING)
			return 0;
		/* Honour Retry-After; a wait past the budget is the worker's (it reschedules). */
		long wait = o->retry_after >= 0 ? o->retry_after * 1000L : 1000L;
		if (clock_monotonic_ms() + wait > deadline)
			return 0; /* not yet: o->retry_after says when to come back */
		struct timespec ts = {wait / 1000, (wait % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		if (acme_order_fetch(c, o->url, o, err) < 0)
			return -1;
	}
}
