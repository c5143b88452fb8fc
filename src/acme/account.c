/* newAccount (RFC 8555 §7.3): the one request signed with the jwk rather than
 * a kid; optionally bound to a CA-side account by EAB (§7.3.4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/internal.h"

static json_t *acme_account_payload(struct acme_client *c, const struct acme_directory *d)
{
	json_t *p = json_pack("{s:b}", "termsOfServiceAgreed", 1);
	if (p == NULL)
		return NULL;
	if (c->contact != NULL) {
		char mail[320];
		int n = snprintf(mail, sizeof(mail), "mailto:%s", c->contact);
		if (n < 0 || (size_t)n >= sizeof(mail) ||
		    json_object_set_new(p, "contact", json_pack("[s]", mail)) < 0)
			goto fail;
	}
	if (c->eab_kid != NULL) {
		json_t *eab =
		    acme_jws_eab(c->key, c->eab_kid, c->eab_key, c->eab_key_len, d->new_account);
		if (eab == NULL || json_object_set_new(p, "externalAccountBinding", eab) < 0)
			goto fail;
	}
	return p;
fail:
	json_decref(p);
	return NULL;
}

int acme_account_register(struct acme_client *c, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	json_t *payload = NULL;
	int rc = -1;
	const struct acme_directory *d = acme_client_directory(c, err);
	if (d == NULL)
		goto out;
	if (c->key == NULL) {
		acme_fail(c, err, CM_ERR_INVALID_STATE, "ACME CA %s: no account key", c->name);
		goto out;
	}
	if ((payload = acme_account_payload(c, d)) == NULL) {
		acme_fail(c, err, CM_ERR_INTERNAL, "ACME CA %s: cannot build newAccount", c->name);
		goto out;
	}
	if (acme_post(c, d->new_account, payload, true, NULL, &r, err) < 0)
		goto out;
	/* 201 for a new account, 200 for the existing one of this key (§7.3.1). */
	if ((r.status != 200 && r.status != 201) || r.header_error ||
	    !acme_url_ok(r.location, c->allow_http)) {
		acme_fail(c, err, CM_ERR_REQUEST_FAILED,
			  "ACME CA %s: newAccount answered HTTP %ld without a usable Location",
			  c->name, r.status);
		goto out;
	}
	char *kid = strdup(r.location);
	if (kid == NULL) {
		acme_fail(c, err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	free(c->kid);
	c->kid = kid;
	rc = 0;
out:
	json_decref(payload);
	acme_resp_clear(&r);
	return rc;
}
