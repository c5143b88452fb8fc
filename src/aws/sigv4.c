/* SigV4 verification: the order of checks and the AWS error each failure
 * maps to. Free checks first (header shape, scope, clock), then the key
 * lookup (a store read, and a decryption unless the resolver keeps the
 * derived key), then the HMAC, so a flood of junk costs little. The signing
 * key lives on this stack only and is wiped before return. */
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/sigv4.h"

static const char sigv4_mismatch[] =
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details.";

/* The only header of this name, or NULL; *count says how many there were. */
static const char *sigv4_header(const struct sigv4_request *req, const char *name, size_t *count)
{
	const char *found = NULL;
	*count = 0;
	for (size_t i = 0; i < req->n_headers; i++) {
		if (req->headers[i].name != NULL && strcasecmp(req->headers[i].name, name) == 0) {
			if (found == NULL)
				found = req->headers[i].value != NULL ? req->headers[i].value : "";
			(*count)++;
		}
	}
	return found;
}

static bool sigv4_signs(const char *signed_headers, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = signed_headers; *p != '\0';) {
		size_t len = strcspn(p, ";");
		if (len == n && strncasecmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == ';')
			p++;
	}
	return false;
}

/* The request time as the string to sign carries it, and which header gave it. */
static int sigv4_request_time(const struct sigv4_request *req, const struct sigv4_auth *auth,
			      int64_t *when, char amz_date[SIGV4_DATE_LEN + 1], struct cm_err *err)
{
	size_t n = 0;
	const char *name = "x-amz-date";
	const char *v = sigv4_header(req, name, &n);
	if (v == NULL) {
		name = "date";
		v = sigv4_header(req, name, &n);
	}
	if (v == NULL)
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "Authorization header requires existence of either a 'X-Amz-Date' "
			       "or a 'Date' header.");
	if (n > 1)
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE, "More than one '%s' header.",
			       name);
	if ((name[0] == 'x' ? sigv4_parse_amz_date(v, when) : sigv4_parse_http_date(v, when)) < 0)
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "Date must be in ISO-8601 'basic format'. Got '%.40s'. See "
			       "http://en.wikipedia.org/wiki/ISO_8601",
			       v);
	if (!sigv4_signs(auth->signed_headers, "host"))
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
			       "Authorization.");
	/* An unsigned date would let a captured request be replayed forever. */
	if (!sigv4_signs(auth->signed_headers, name))
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "'%s' must be a 'SignedHeader' in the AWS Authorization.",
			       name[0] == 'x' ? "X-Amz-Date" : "Date");
	sigv4_format_amz_date(*when, amz_date);
	return 0;
}

/* Region, service and date of the credential scope; sets res->service. */
static int sigv4_check_scope(const struct sigv4_auth *auth, const char *const *services,
			     const char *region, const char *amz_date, struct sigv4_result *res,
			     struct cm_err *err)
{
	if (strcmp(auth->region, region) != 0)
		return cm_fail(err, CM_ERR_INVALID_SIGNATURE,
			       "Credential should be scoped to a valid region, not '%s'. ",
			       auth->region);
	res->service = NULL;
	for (size_t i = 0; services[i] != NULL; i++)
		if (strcmp(auth->service, services[i]) == 0)
			res->service = services[i];
	if (res->service == NULL)
		return cm_fail(err, CM_ERR_INVALID_SIGNATURE,
			       "Credential should be scoped to correct service: '%s'. ",
			       services[0] != NULL ? services[0] : "");
	if (memcmp(auth->date, amz_date, 8) != 0)
		return cm_fail(err, CM_ERR_INVALID_SIGNATURE,
			       "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
			       "version of date from HTTP: '%s' != '%.8s', from '%s'.",
			       auth->date, amz_date, amz_date);
	return 0;
}

/* AWS's own wording, which tells the user which clock is off and by how much. */
static int sigv4_check_clock(int64_t when, int64_t now, const char *amz_date, struct cm_err *err)
{
	char now_s[SIGV4_DATE_LEN + 1], edge[SIGV4_DATE_LEN + 1];
	sigv4_format_amz_date(now, now_s);
	if (when < now - SIGV4_MAX_SKEW) {
		sigv4_format_amz_date(now - SIGV4_MAX_SKEW, edge);
		return cm_fail(err, CM_ERR_INVALID_SIGNATURE,
			       "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			       amz_date, edge, now_s);
	}
	if (when > now + SIGV4_MAX_SKEW) {
		sigv4_format_amz_date(now + SIGV4_MAX_SKEW, edge);
		return cm_fail(
		    err, CM_ERR_INVALID_SIGNATURE,
		    "Signature not yet current: %s is still later than %s (%s + 15 min.)", amz_date,
		    edge, now_s);
	}
	return 0;
}

/* Recomputes the signature with the scope's signing key and compares in
 * constant time. */
static int sigv4_check_signature(const struct sigv4_request *req, const struct sigv4_auth *auth,
				 const char *amz_date, const char *payload_hash,
				 const unsigned char key[32], struct cm_err *err)
{
	char scope[sizeof(auth->date) + sizeof(auth->region) + sizeof(auth->service) + 16];
	unsigned char sig[32];
	char *creq = NULL, *sts = NULL;
	int rc = -1;
	(void)snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", auth->date, auth->region,
		       auth->service);
	creq = sigv4_canonical_request(req, auth->signed_headers, payload_hash);
	sts = creq != NULL ? sigv4_string_to_sign(amz_date, scope, creq) : NULL;
	if (sts == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot build the canonical request");
		goto out;
	}
	if (sigv4_signature(key, sts, sig) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot compute the signature");
		goto out;
	}
	if (CRYPTO_memcmp(sig, auth->signature, sizeof(sig)) != 0) {
		cm_fail(err, CM_ERR_INVALID_SIGNATURE, "%s", sigv4_mismatch);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(sig, sizeof(sig));
	free(creq);
	free(sts);
	return rc;
}

int sigv4_verify(const struct sigv4_request *req, const char *const *services, const char *region,
		 int64_t now, sigv4_lookup_fn lookup, void *lookup_ctx, struct sigv4_result *res,
		 struct cm_err *err)
{
	struct sigv4_auth auth;
	char amz_date[SIGV4_DATE_LEN + 1], payload[65];
	char account[sizeof(res->account_id)] = "";
	unsigned char key[32] = {0};
	int64_t when = 0;
	size_t n = 0;
	int rc = -1;
	memset(res, 0, sizeof(*res));
	const char *authz = sigv4_header(req, "authorization", &n);
	if (authz == NULL || authz[strspn(authz, " \t")] == '\0')
		return cm_fail(err, CM_ERR_MISSING_AUTH, "Missing Authentication Token");
	/* Two headers would leave room to argue about which one was checked. */
	if (n > 1)
		return cm_fail(err, CM_ERR_INCOMPLETE_SIGNATURE,
			       "More than one Authorization header.");
	if (sigv4_parse_authorization(authz, &auth, err) < 0 ||
	    sigv4_request_time(req, &auth, &when, amz_date, err) < 0 ||
	    sigv4_check_scope(&auth, services, region, amz_date, res, err) < 0 ||
	    sigv4_check_clock(when, now, amz_date, err) < 0)
		goto out;
	/* One body hash for the whole request: a client's x-amz-content-sha256 must
	 * agree with the bytes received (no UNSIGNED-PAYLOAD here). */
	sigv4_payload_hash(req->body, req->body_len, payload);
	const char *claimed = sigv4_header(req, "x-amz-content-sha256", &n);
	if (claimed != NULL && (n > 1 || strcasecmp(claimed, payload) != 0)) {
		cm_fail(err, CM_ERR_INVALID_SIGNATURE,
			"The provided 'x-amz-content-sha256' header does not match what was "
			"computed.");
		goto out;
	}
	if (lookup(lookup_ctx, &auth, key, account, sizeof(account)) < 0 || account[0] == '\0') {
		cm_fail(err, CM_ERR_UNRECOGNIZED_CLIENT,
			"The security token included in the request is invalid.");
		goto out;
	}
	account[sizeof(account) - 1] = '\0';
	if (sigv4_check_signature(req, &auth, amz_date, payload, key, err) < 0)
		goto out;
	(void)snprintf(res->access_key_id, sizeof(res->access_key_id), "%s", auth.access_key_id);
	(void)snprintf(res->account_id, sizeof(res->account_id), "%s", account);
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (rc < 0)
		res->service = NULL;
	return rc;
}
