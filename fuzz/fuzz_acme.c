/* libFuzzer target: the parsers of what an ACME CA sends. Input: one selector
 * byte, then the text (a directory, order, authorization, renewalInfo or
 * problem body, a Link or Retry-After header value, a PEM chain). Oracles: no
 * crash or leak; whatever parses holds only URLs the client would fetch and
 * bounded counts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/internal.h"
#include "x509/pem_chain.h"

static void fz_check_url(const char *u, bool allow_http)
{
	if (u != NULL && !acme_url_ok(u, allow_http))
		abort();
}

static void fz_objects(unsigned sel, const char *text, size_t len)
{
	struct cm_err err;
	bool http = (sel & 0x10) != 0;
	struct acme_directory d;
	struct acme_order o;
	struct acme_authz a;
	struct acme_problem p = {.retry_after = -1};
	struct acme_renewal_info ri;
	switch (sel & 0x7) {
	case 0:
		if (acme_directory_parse(text, len, http, &d, &err) == 0) {
			if (d.new_nonce == NULL || d.new_account == NULL || d.new_order == NULL)
				abort();
			fz_check_url(d.new_nonce, http);
			fz_check_url(d.renewal_info, http);
		}
		acme_directory_clear(&d);
		break;
	case 1:
		if (acme_order_parse(text, len, http, &o, &err) == 0) {
			if (o.status == ACME_STATUS_UNKNOWN || o.nauthorizations == 0 ||
			    o.nauthorizations > 100 || o.finalize == NULL)
				abort();
			for (size_t i = 0; i < o.nauthorizations; i++)
				fz_check_url(o.authorizations[i], http);
			fz_check_url(o.certificate, http);
			(void)acme_problem_reason(&o.error);
		}
		acme_order_clear(&o);
		break;
	case 2:
		if (acme_authz_parse(text, len, http, &a, &err) == 0) {
			if (a.identifier == NULL || (a.challenge_url == NULL) != (a.token == NULL))
				abort();
			fz_check_url(a.challenge_url, http);
		}
		acme_authz_clear(&a);
		break;
	case 3:
		if (acme_renewal_info_parse(text, len, &ri, &err) == 0 && ri.end <= ri.start)
			abort();
		acme_renewal_info_clear(&ri);
		break;
	default:
		if (acme_problem_parse(text, len, &p) == 0) {
			if (p.nsub > ACME_MAX_SUBPROBLEMS || strlen(p.type) >= sizeof(p.type))
				abort();
			(void)acme_problem_reason(&p);
			(void)acme_problem_is_transient(&p);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned sel = data[0];
	char *text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	size_t len = size - 1;
	if ((sel & 0x60) == 0x00) {
		fz_objects(sel, text, len);
	} else if ((sel & 0x60) == 0x20) {
		char *urls[ACME_MAX_ALTERNATES];
		size_t n = 0;
		(void)acme_link_parse(text, "alternate", urls, &n, ACME_MAX_ALTERNATES);
		if (n > ACME_MAX_ALTERNATES)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (urls[i][0] == '\0' || strlen(urls[i]) >= ACME_MAX_URL)
				abort();
			free(urls[i]);
		}
	} else if ((sel & 0x60) == 0x40) {
		long s = acme_retry_after_parse(text, 1700000000LL);
		if (s < -1 || s > 86400)
			abort();
	} else {
		struct x509_pem_chain ch;
		struct cm_err err;
		if (x509_pem_chain_split(text, len, &ch, &err) == 0 &&
		    (ch.count == 0 || ch.leaf_pem == NULL || ch.chain_pem == NULL))
			abort();
		x509_pem_chain_clear(&ch);
	}
	free(text);
	return 0;
}
