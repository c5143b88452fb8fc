/* Distinguished names and general names as AWS shapes them (ASN1Subject,
 * GeneralName), and their DER building. Strings are borrowed: the decoder in
 * api/pca/shapes.c points them into the request JSON. */
#ifndef CERTAIN_X509_NAME_H
#define CERTAIN_X509_NAME_H

#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct x509_custom_attr {
	const char *oid;
	const char *value;
};

/* ASN1Subject; NULL members are absent. */
struct x509_subject {
	const char *country, *organization, *organizational_unit, *dn_qualifier, *state,
	    *common_name, *serial_number, *locality, *title, *surname, *given_name, *initials,
	    *pseudonym, *generation_qualifier;
	struct x509_custom_attr *custom; /* owned array (shapes.c frees it) */
	size_t n_custom;
};

/* An X509_NAME with the attributes in AWS's member order (owned). An empty
 * subject is allowed only when allow_empty (end-entity certificates with a
 * SAN); CustomAttributes mixed with standard ones is CM_ERR_INVALID_ARGS. */
X509_NAME *x509_name_build(const struct x509_subject *s, bool allow_empty, struct cm_err *err);

/* RFC 2253 text of a name (owned, free()). */
char *x509_name_to_string(const X509_NAME *name);

enum x509_gn_kind {
	X509_GN_OTHER_NAME,
	X509_GN_RFC822,
	X509_GN_DNS,
	X509_GN_DIRECTORY,
	X509_GN_EDI_PARTY,
	X509_GN_URI,
	X509_GN_IP,
	X509_GN_REGISTERED_ID,
};

struct x509_general_name {
	enum x509_gn_kind kind;
	const char *value;	   /* text of every kind but DIRECTORY/EDI_PARTY */
	const char *type_id;	   /* OTHER_NAME: the OID */
	const char *name_assigner; /* EDI_PARTY (value = PartyName) */
	struct x509_subject directory;
};

/* A GENERAL_NAME (owned); CM_ERR_INVALID_ARGS for a bad IP address or OID. */
GENERAL_NAME *x509_general_name_build(const struct x509_general_name *gn, struct cm_err *err);

#endif
