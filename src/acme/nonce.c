/* Signed requests (RFC 8555 §6.2) and the anti-replay nonces they carry
 * (§6.5): each response's Replay-Nonce is kept for the next request, newNonce
 * is asked only when none is kept, and badNonce is retried with the fresh
 * nonce that came with the error (bounded). */
#include <stdlib.h>
#include <string.h>

#include "acme/internal.h"

static int acme_nonce_get(struct acme_client *c, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	int rc = -1;
	const struct acme_directory *d = acme_client_directory(c, err);
	if (d == NULL || acme_http(c, "HEAD", d->new_nonce, NULL, NULL, &r, err) < 0)
		goto out;
	if ((r.status != 200 && r.status != 204) || c->nonce[0] == '\0') {
		acme_fail(c, err, CM_ERR_UNAVAILABLE,
			  "ACME CA %s: newNonce gave no nonce (HTTP %ld)", c->name, r.status);
		goto out;
	}
	rc = 0;
out:
	acme_resp_clear(&r);
	return rc;
}

/* The JWS body for one attempt (owned), consuming the kept nonce. */
static char *acme_sign_request(struct acme_client *c, const char *url, const char *payload_b64,
			       bool use_jwk)
{
	char *body = NULL;
	json_t *hdr = json_pack("{s:s, s:s}", "nonce", c->nonce, "url", url);
	c->nonce[0] = '\0'; /* a nonce is good for one request only */
	if (hdr == NULL)
		return NULL;
	if (use_jwk ? json_object_set_new(hdr, "jwk", acme_jwk(c->key)) < 0
		    : json_object_set_new(hdr, "kid", json_string(c->kid)) < 0)
		goto out;
	body = acme_jws_es256(c->key, hdr, payload_b64);
out:
	json_decref(hdr);
	return body;
}

static bool acme_is_bad_nonce(const struct acme_resp *r)
{
	struct acme_problem p = {.retry_after = -1};
	return r->status == 400 && acme_problem_parse(r->body, r->body_len, &p) == 0 &&
	       strcmp(p.type, "urn:ietf:params:acme:error:badNonce") == 0;
}

int acme_post(struct acme_client *c, const char *url, const json_t *payload, bool use_jwk,
	      const char *accept, struct acme_resp *r, struct cm_err *err)
{
	char *text = NULL, *payload_b64 = NULL, *body = NULL;
	int rc = -1;
	if (c->key == NULL || (!use_jwk && c->kid == NULL))
		return acme_fail(c, err, CM_ERR_INVALID_STATE, "ACME CA %s: no account yet",
				 c->name);
	if (payload == NULL) {
		payload_b64 = strdup(""); /* POST-as-GET, §6.3 */
	} else if ((text = json_dumps(payload, JSON_COMPACT)) != NULL) {
		payload_b64 = acme_b64url((unsigned char *)text, strlen(text));
	}
	if (payload_b64 == NULL) {
		acme_fail(c, err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		if (c->nonce[0] == '\0' && acme_nonce_get(c, err) < 0)
			goto out;
		free(body);
		if ((body = acme_sign_request(c, url, payload_b64, use_jwk)) == NULL) {
			acme_fail(c, err, CM_ERR_INTERNAL, "ACME CA %s: cannot sign", c->name);
			goto out;
		}
		if (acme_http(c, "POST", url, body, accept, r, err) < 0)
			goto out;
		if (!acme_is_bad_nonce(r) || attempt == ACME_BADNONCE_RETRIES)
			break;
	}
	if (r->status >= 400 || r->status < 200) {
		acme_fail_resp(c, r, "request refused", err);
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(payload_b64);
	free(body);
	return rc;
}
