/* The ACME configuration of the server (issue 8): which ACME CAs issue
 * public certificates, and the validation zone where Certain answers their
 * dns-01 challenges. Read once at start from `serve --acme-config FILE`. */
#ifndef CERTAIN_ACME_CONFIG_H
#define CERTAIN_ACME_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "acme/dns.h"
#include "util/err.h"

#define ACME_CONFIG_MAX_CAS  16
#define ACME_RECHECK_DEFAULT 300 /* seconds between looks at a missing CNAME */

/* One configured ACME CA; every string owned, "" when not set. */
struct acme_ca_conf {
	char *name;	       /* [a-z0-9-], what the certain:acme-ca tag names */
	char *directory;       /* the directory URL: https://, or http:// on loopback */
	char *contact;	       /* account contact email */
	char *eab_kid;	       /* External Account Binding key id ... */
	char *eab_hmac_key;    /* ... and its MAC key, base64url as the CA shows it */
	char *ca_bundle;       /* PEM roots trusted for the CA's HTTPS ("" = system) */
	char *preferred_chain; /* common name of the root to prefer among alternates */
};

struct acme_config {
	struct acme_ca_conf cas[ACME_CONFIG_MAX_CAS];
	size_t n_cas;
	size_t default_ca;			   /* index into cas */
	const char *ca_names[ACME_CONFIG_MAX_CAS]; /* borrowed from cas[i].name */
	char zone[256];				   /* validation zone, no trailing dot */
	struct dns_publisher publisher;		   /* RFC 2136 server + TSIG, or a hook */
	struct dns_server resolver;		   /* where CNAMEs are checked ... */
	bool has_resolver;			   /* ... false: the system resolver */
	int recheck_seconds;			   /* a missing CNAME is looked up again after */
};

/* Reads and checks the JSON file at path into *out (see the README section
 * "Public certificates"). A file holding a secret (TSIG, EAB) must not be
 * readable by group or others. Unknown members are errors: a typo must not
 * silently drop a setting. -1 and *err naming the member on any problem. */
int acme_config_load(const char *path, struct acme_config *out, struct cm_err *err);

/* Frees the strings of a loaded configuration; NULL-safe. */
void acme_config_free(struct acme_config *c);

#endif
