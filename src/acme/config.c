/* Reading `serve --acme-config FILE` (issue 8). The file is JSON:
 *   {"certificate_authorities": [{"name", "directory", "contact", "default",
 *     "eab": {"kid", "hmac_key"}, "ca_bundle", "preferred_chain"}, ...],
 *    "validation": {"zone", "dns_server", "tsig": {"name", "algorithm",
 *     "secret"}, "hook", "resolver", "recheck_seconds"}}
 * Every member is checked here, at start, so a mistake stops the server
 * with a message instead of failing the first certificate hours later. */
#include "acme/config.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Members each object may have; anything else is a typo. */
static const char *const acme_top_members[] = {"certificate_authorities", "validation", NULL};
static const char *const acme_ca_members[] = {"name", "directory", "contact",	      "default",
					      "eab",  "ca_bundle", "preferred_chain", NULL};
static const char *const acme_eab_members[] = {"kid", "hmac_key", NULL};
static const char *const acme_val_members[] = {"zone",	   "dns_server",      "tsig", "hook",
					       "resolver", "recheck_seconds", NULL};
static const char *const acme_tsig_members[] = {"name", "algorithm", "secret", NULL};

static int acme_members_known(json_t *obj, const char *const *known, const char *where,
			      struct cm_err *err)
{
	const char *key;
	json_t *value;
	json_object_foreach(obj, key, value)
	{
		bool ok = false;
		for (size_t i = 0; known[i] != NULL && !ok; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok)
			return cm_fail(err, CM_ERR_VALIDATION, "%s: unknown member \"%.64s\"",
				       where, key);
	}
	return 0;
}

/* An optional string member, copied (owned; "" when absent). */
static int acme_str(json_t *obj, const char *member, const char *where, size_t max, char **out,
		    struct cm_err *err)
{
	json_t *v = json_object_get(obj, member);
	const char *s = v != NULL ? json_string_value(v) : "";
	*out = NULL;
	if (s == NULL)
		cm_fail(err, CM_ERR_VALIDATION, "%s.%s must be a string", where, member);
	else if (strlen(s) > max)
		cm_fail(err, CM_ERR_VALIDATION, "%s.%s is longer than %zu characters", where,
			member, max);
	else if ((*out = strdup(s)) == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return *out != NULL ? 0 : -1;
}

/* An optional string member into a fixed buffer ("" when absent). */
static int acme_str_buf(json_t *obj, const char *member, const char *where, char *buf, size_t size,
			struct cm_err *err)
{
	char *s = NULL;
	buf[0] = '\0';
	int rc = acme_str(obj, member, where, size - 1, &s, err);
	if (rc == 0)
		snprintf(buf, size, "%s", s);
	if (s != NULL)
		OPENSSL_clear_free(s, strlen(s)); /* may be a secret */
	return rc;
}

static bool acme_ca_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* https://, or http:// to a loopback address (a test CA on this machine):
 * anything else would send the account's requests in clear text. */
static bool acme_directory_ok(const char *url)
{
	if (strncmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	return strncmp(url, "http://127.", 11) == 0 || strncmp(url, "http://localhost", 16) == 0 ||
	       strncmp(url, "http://[::1]", 12) == 0;
}

static int acme_ca_eab(json_t *ca, struct acme_ca_conf *c, const char *where, bool *secret,
		       struct cm_err *err)
{
	json_t *eab = json_object_get(ca, "eab");
	if (eab == NULL) {
		c->eab_kid = strdup("");
		c->eab_hmac_key = strdup("");
		return c->eab_kid != NULL && c->eab_hmac_key != NULL
			   ? 0
			   : cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	char sub[96];
	snprintf(sub, sizeof(sub), "%s.eab", where);
	if (!json_is_object(eab))
		return cm_fail(err, CM_ERR_VALIDATION, "%s must be an object", sub);
	if (acme_members_known(eab, acme_eab_members, sub, err) < 0 ||
	    acme_str(eab, "kid", sub, 256, &c->eab_kid, err) < 0 ||
	    acme_str(eab, "hmac_key", sub, 512, &c->eab_hmac_key, err) < 0)
		return -1;
	if (c->eab_kid[0] == '\0' || c->eab_hmac_key[0] == '\0')
		return cm_fail(err, CM_ERR_VALIDATION, "%s needs both kid and hmac_key", sub);
	*secret = true;
	return 0;
}

static int acme_ca_load(json_t *ca, size_t i, struct acme_ca_conf *c, bool *is_default,
			bool *secret, struct cm_err *err)
{
	char where[64];
	snprintf(where, sizeof(where), "certificate_authorities[%zu]", i);
	if (!json_is_object(ca))
		return cm_fail(err, CM_ERR_VALIDATION, "%s must be an object", where);
	json_t *def = json_object_get(ca, "default");
	if (def != NULL && !json_is_boolean(def))
		return cm_fail(err, CM_ERR_VALIDATION, "%s.default must be true or false", where);
	*is_default = json_is_true(def);
	if (acme_members_known(ca, acme_ca_members, where, err) < 0 ||
	    acme_str(ca, "name", where, 63, &c->name, err) < 0 ||
	    acme_str(ca, "directory", where, 1000, &c->directory, err) < 0 ||
	    acme_str(ca, "contact", where, 254, &c->contact, err) < 0 ||
	    acme_str(ca, "ca_bundle", where, 4000, &c->ca_bundle, err) < 0 ||
	    acme_str(ca, "preferred_chain", where, 255, &c->preferred_chain, err) < 0 ||
	    acme_ca_eab(ca, c, where, secret, err) < 0)
		return -1;
	if (!acme_ca_name_ok(c->name))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "%s.name must be 1-63 lower-case letters, digits or '-'", where);
	if (!acme_directory_ok(c->directory))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "%s.directory must be an https:// URL (http:// only on loopback)",
			       where);
	if (c->contact[0] != '\0' && strchr(c->contact, '@') == NULL)
		return cm_fail(err, CM_ERR_VALIDATION, "%s.contact must be an email address",
			       where);
	return 0;
}

static int acme_cas_load(json_t *root, struct acme_config *out, bool *secret, struct cm_err *err)
{
	json_t *cas = json_object_get(root, "certificate_authorities");
	size_t n_default = 0;
	if (!json_is_array(cas) || json_array_size(cas) == 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "certificate_authorities must be a non-empty array");
	if (json_array_size(cas) > ACME_CONFIG_MAX_CAS)
		return cm_fail(err, CM_ERR_VALIDATION, "at most %d certificate_authorities",
			       ACME_CONFIG_MAX_CAS);
	for (size_t i = 0; i < json_array_size(cas); i++) {
		bool is_default = false;
		out->n_cas = i + 1; /* what acme_config_free must free */
		if (acme_ca_load(json_array_get(cas, i), i, &out->cas[i], &is_default, secret,
				 err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(out->cas[j].name, out->cas[i].name) == 0)
				return cm_fail(err, CM_ERR_VALIDATION,
					       "two certificate_authorities are named %s",
					       out->cas[i].name);
		out->ca_names[i] = out->cas[i].name;
		if (is_default) {
			n_default++;
			out->default_ca = i;
		}
	}
	if (n_default > 1 || (n_default == 0 && out->n_cas > 1))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "exactly one of the certificate_authorities must have "
			       "\"default\": true");
	return 0;
}

static int acme_server_member(json_t *obj, const char *member, struct dns_server *out,
			      bool *present, struct cm_err *err)
{
	char buf[300];
	if (acme_str_buf(obj, member, "validation", buf, sizeof(buf), err) < 0)
		return -1;
	*present = buf[0] != '\0';
	if (*present && dns_server_parse(buf, out) < 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "validation.%s must be HOST, HOST:PORT or [V6]:PORT", member);
	return 0;
}

static int acme_tsig_load(json_t *val, struct dns_publisher *p, bool *secret, struct cm_err *err)
{
	json_t *tsig = json_object_get(val, "tsig");
	if (tsig == NULL)
		return 0;
	if (!json_is_object(tsig))
		return cm_fail(err, CM_ERR_VALIDATION, "validation.tsig must be an object");
	if (acme_members_known(tsig, acme_tsig_members, "validation.tsig", err) < 0 ||
	    acme_str_buf(tsig, "name", "validation.tsig", p->tsig.name, sizeof(p->tsig.name), err) <
		0 ||
	    acme_str_buf(tsig, "algorithm", "validation.tsig", p->tsig.algorithm,
			 sizeof(p->tsig.algorithm), err) < 0 ||
	    acme_str_buf(tsig, "secret", "validation.tsig", p->tsig.secret_b64,
			 sizeof(p->tsig.secret_b64), err) < 0)
		return -1;
	if (!dns_name_valid(p->tsig.name) || p->tsig.secret_b64[0] == '\0')
		return cm_fail(err, CM_ERR_VALIDATION,
			       "validation.tsig needs a key name and its base64 secret");
	if (p->tsig.algorithm[0] == '\0')
		snprintf(p->tsig.algorithm, sizeof(p->tsig.algorithm), "hmac-sha256");
	p->has_tsig = true;
	*secret = true;
	return 0;
}

static int acme_validation_load(json_t *root, struct acme_config *out, bool *secret,
				struct cm_err *err)
{
	json_t *val = json_object_get(root, "validation");
	struct dns_publisher *p = &out->publisher;
	bool has_server = false;
	if (!json_is_object(val))
		return cm_fail(err, CM_ERR_VALIDATION, "validation must be an object");
	json_t *recheck = json_object_get(val, "recheck_seconds");
	if (recheck != NULL && (!json_is_integer(recheck) || json_integer_value(recheck) < 1 ||
				json_integer_value(recheck) > 86400))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "validation.recheck_seconds must be an integer from 1 to 86400");
	out->recheck_seconds =
	    recheck != NULL ? (int)json_integer_value(recheck) : ACME_RECHECK_DEFAULT;
	if (acme_members_known(val, acme_val_members, "validation", err) < 0 ||
	    acme_str_buf(val, "zone", "validation", out->zone, sizeof(out->zone), err) < 0 ||
	    acme_str_buf(val, "hook", "validation", p->hook, sizeof(p->hook), err) < 0 ||
	    acme_server_member(val, "dns_server", &p->server, &has_server, err) < 0 ||
	    acme_server_member(val, "resolver", &out->resolver, &out->has_resolver, err) < 0 ||
	    acme_tsig_load(val, p, secret, err) < 0)
		return -1;
	size_t zl = strlen(out->zone);
	if (zl > 0 && out->zone[zl - 1] == '.')
		out->zone[zl - 1] = '\0'; /* one spelling: CNAME targets add the dot */
	if (!dns_name_valid(out->zone))
		return cm_fail(err, CM_ERR_VALIDATION, "validation.zone must be a DNS zone name");
	snprintf(p->zone, sizeof(p->zone), "%s", out->zone);
	if (has_server == (p->hook[0] != '\0'))
		return cm_fail(err, CM_ERR_VALIDATION,
			       "validation needs exactly one of dns_server (RFC 2136 updates) and "
			       "hook (a command that publishes the records)");
	if (p->hook[0] != '\0' && p->hook[0] != '/')
		return cm_fail(err, CM_ERR_VALIDATION, "validation.hook must be an absolute path");
	return 0;
}

/* Secrets in a file others can read are not secret. */
static int acme_config_private(const char *path, struct cm_err *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return cm_fail(err, CM_ERR_VALIDATION, "cannot read %s", path);
	if ((st.st_mode & 077) != 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "%s holds a TSIG or EAB secret and is readable by others: "
			       "chmod 600 it",
			       path);
	return 0;
}

int acme_config_load(const char *path, struct acme_config *out, struct cm_err *err)
{
	json_error_t jerr;
	bool secret = false;
	memset(out, 0, sizeof(*out));
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return cm_fail(err, CM_ERR_VALIDATION, "%s: line %d: %s", path, jerr.line,
			       jerr.text);
	int rc = -1;
	if (!json_is_object(root))
		cm_fail(err, CM_ERR_VALIDATION, "%s: the configuration must be a JSON object",
			path);
	else if (acme_members_known(root, acme_top_members, "configuration", err) == 0 &&
		 acme_cas_load(root, out, &secret, err) == 0 &&
		 acme_validation_load(root, out, &secret, err) == 0 &&
		 (!secret || acme_config_private(path, err) == 0))
		rc = 0;
	json_decref(root);
	if (rc < 0)
		acme_config_free(out);
	return rc;
}

static void acme_free_secret(char *s)
{
	if (s != NULL)
		OPENSSL_clear_free(s, strlen(s));
}

void acme_config_free(struct acme_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_cas; i++) {
		struct acme_ca_conf *ca = &c->cas[i];
		free(ca->name);
		free(ca->directory);
		free(ca->contact);
		free(ca->eab_kid);
		acme_free_secret(ca->eab_hmac_key);
		free(ca->ca_bundle);
		free(ca->preferred_chain);
	}
	OPENSSL_cleanse(c, sizeof(*c)); /* the TSIG secret lives in it */
}
