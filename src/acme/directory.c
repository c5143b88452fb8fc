/* The directory (RFC 8555 §7.1.1): fetched once per client, then cached, so
 * each protocol step costs only its own requests. */
#include <string.h>

#include "acme/internal.h"

const struct acme_directory *acme_client_directory(struct acme_client *c, struct cm_err *err)
{
	struct acme_resp r = {.retry_after = -1};
	const struct acme_directory *d = NULL;
	if (c->have_dir)
		return &c->dir;
	if (acme_http(c, "GET", c->directory_url, NULL, "application/json", &r, err) < 0)
		goto out;
	if (r.status != 200) {
		acme_fail_resp(c, &r, "directory", err);
		goto out;
	}
	if (acme_directory_parse(r.body, r.body_len, c->allow_http, &c->dir, err) < 0) {
		acme_fail(c, err, CM_ERR_REQUEST_FAILED, "ACME CA %s: directory: %s", c->name,
			  err != NULL ? err->msg : "malformed");
		goto out;
	}
	c->have_dir = true;
	d = &c->dir;
out:
	acme_resp_clear(&r);
	return d;
}
