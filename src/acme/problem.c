/* RFC 7807 problem documents from the CA (RFC 8555 §6.7), and what they mean
 * for ACM: the FailureReason a certificate gets, and whether to retry later. */
#include <stdio.h>
#include <string.h>

#include "acme/internal.h"

#define ACME_ERR_NS "urn:ietf:params:acme:error:"

/* A table, not a chain of ifs: ACME error type -> ACM FailureReason. */
static const struct {
	const char *type;
	const char *reason;
} acme_reasons[] = {
    {"caa", "CAA_ERROR"},
    {"rejectedIdentifier", "DOMAIN_NOT_ALLOWED"},
    {"unsupportedIdentifier", "INVALID_PUBLIC_DOMAIN"},
    {"dns", "DOMAIN_VALIDATION_DENIED"},
    {"unauthorized", "DOMAIN_VALIDATION_DENIED"},
    {"incorrectResponse", "DOMAIN_VALIDATION_DENIED"},
    {"connection", "DOMAIN_VALIDATION_DENIED"},
    {"tls", "DOMAIN_VALIDATION_DENIED"},
};

/* Problems that say "later" rather than "no" (§6.6: rateLimited; badNonce
 * only reaches the caller after our own retries ran out). */
static const char *const acme_transient[] = {"rateLimited", "serverInternal", "badNonce"};

static const char *acme_short_type(const char *type)
{
	if (type == NULL)
		return "";
	return strncmp(type, ACME_ERR_NS, strlen(ACME_ERR_NS)) == 0 ? type + strlen(ACME_ERR_NS)
								    : type;
}

const char *acme_problem_failure_reason(const char *type)
{
	const char *t = acme_short_type(type);
	for (size_t i = 0; i < sizeof(acme_reasons) / sizeof(acme_reasons[0]); i++)
		if (strcmp(t, acme_reasons[i].type) == 0)
			return acme_reasons[i].reason;
	return "OTHER";
}

/* "malformed" is about the request in general; only when it names an
 * identifier is it the domain's fault (e.g. Boulder's "Invalid identifiers"). */
static bool acme_malformed_identifier(const char *detail)
{
	return strstr(detail, "identifier") != NULL || strstr(detail, "Identifier") != NULL ||
	       strstr(detail, "domain name") != NULL || strstr(detail, "DNS name") != NULL;
}

const char *acme_problem_reason(const struct acme_problem *p)
{
	const char *r = acme_problem_failure_reason(p->type);
	if (strcmp(r, "OTHER") != 0)
		return r;
	for (size_t i = 0; i < p->nsub; i++) {
		r = acme_problem_failure_reason(p->sub[i].type);
		if (strcmp(r, "OTHER") != 0)
			return r;
		if (strcmp(acme_short_type(p->sub[i].type), "malformed") == 0 &&
		    p->sub[i].identifier[0] != '\0')
			return "INVALID_PUBLIC_DOMAIN";
	}
	if (strcmp(acme_short_type(p->type), "malformed") == 0 &&
	    acme_malformed_identifier(p->detail))
		return "INVALID_PUBLIC_DOMAIN";
	return "OTHER";
}

bool acme_problem_is_transient(const struct acme_problem *p)
{
	if (p->status == 0 || p->status == 429 || p->status >= 500)
		return true;
	const char *t = acme_short_type(p->type);
	for (size_t i = 0; i < sizeof(acme_transient) / sizeof(acme_transient[0]); i++)
		if (strcmp(t, acme_transient[i]) == 0)
			return true;
	return false;
}

static void acme_copy_str(json_t *obj, const char *key, char *out, size_t size)
{
	const char *s = json_string_value(json_object_get(obj, key));
	snprintf(out, size, "%s", s != NULL ? s : "");
	/* Keep the text printable: it ends up in logs and API answers. */
	for (char *q = out; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
}

int acme_problem_parse(const char *body, size_t len, struct acme_problem *p)
{
	long retry = p->retry_after;
	memset(p, 0, sizeof(*p));
	p->retry_after = retry;
	json_t *root = acme_json_load(body, len);
	int rc = -1;
	if (!json_is_object(root) || !json_is_string(json_object_get(root, "type")))
		goto out;
	acme_copy_str(root, "type", p->type, sizeof(p->type));
	acme_copy_str(root, "detail", p->detail, sizeof(p->detail));
	json_t *st = json_object_get(root, "status");
	if (json_is_integer(st) && json_integer_value(st) >= 100 && json_integer_value(st) <= 599)
		p->status = (int)json_integer_value(st);
	json_t *subs = json_object_get(root, "subproblems");
	size_t i;
	json_t *sub;
	json_array_foreach(subs, i, sub)
	{
		if (p->nsub == ACME_MAX_SUBPROBLEMS)
			break;
		if (!json_is_object(sub) || !json_is_string(json_object_get(sub, "type")))
			continue;
		struct acme_subproblem *s = &p->sub[p->nsub++];
		acme_copy_str(sub, "type", s->type, sizeof(s->type));
		acme_copy_str(sub, "detail", s->detail, sizeof(s->detail));
		acme_copy_str(json_object_get(sub, "identifier"), "value", s->identifier,
			      sizeof(s->identifier));
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int acme_fail_resp(struct acme_client *c, const struct acme_resp *r, const char *what,
		   struct cm_err *err)
{
	struct acme_problem *p = &c->problem;
	p->retry_after = r->retry_after;
	if (acme_problem_parse(r->body, r->body_len, p) < 0) {
		/* Not a problem document: keep only the status, never the body. */
		snprintf(p->detail, sizeof(p->detail), "unexpected answer (HTTP %ld)", r->status);
	}
	if (r->status >= 100 && r->status <= 599)
		p->status = (int)r->status; /* the real status wins over the document's */
	return cm_fail(err,
		       acme_problem_is_transient(p) ? CM_ERR_UNAVAILABLE : CM_ERR_REQUEST_FAILED,
		       "ACME CA %s: %s: %s%s%s", c->name, what, p->type[0] ? p->type : "",
		       p->type[0] ? ": " : "", p->detail);
}
