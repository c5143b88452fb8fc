/* A certificate's names taken apart the way SearchCertificates shows them
 * (spec acm.md §5.14, X509Attributes): subject and issuer as
 * DistinguishedName, the SubjectAlternativeNames as GeneralName, and the
 * subject CN that searches match on. Everything here is owned and released
 * by x509_attrs_clear. */
#ifndef CERTAIN_X509_DN_H
#define CERTAIN_X509_DN_H

#include <openssl/x509.h>
#include <stddef.h>

#include "util/err.h"
#include "x509/name.h"

struct x509_dn_custom {
	char *oid;   /* dotted */
	char *value; /* UTF-8 */
};

/* DistinguishedName: the first value of each known attribute (NULL when
 * absent); the domain components in certificate order; every other
 * attribute, and repeats of a known one, as custom attributes. Values that
 * are not text (or hold a NUL) are left out. */
struct x509_dn {
	char *common_name, *country, *organization, *organizational_unit, *locality, *state,
	    *serial_number, *title, *surname, *given_name, *initials, *pseudonym,
	    *generation_qualifier, *dn_qualifier;
	char **domain_components;
	size_t n_domain_components;
	struct x509_dn_custom *custom;
	size_t n_custom;
};

/* One GeneralName of the union SearchCertificates knows; EDI party and X.400
 * names are left out, as are IP addresses that are neither 4 nor 16 octets. */
struct x509_gn_entry {
	enum x509_gn_kind kind;	  /* never X509_GN_EDI_PARTY */
	char *value;		  /* text of every kind but DIRECTORY: IP in text form, OID
				     dotted; OTHER_NAME: its value when a string, else NULL */
	char *oid;		  /* OTHER_NAME: the type id, dotted */
	struct x509_dn directory; /* DIRECTORY */
};

struct x509_attrs {
	struct x509_dn subject, issuer;
	struct x509_gn_entry *sans; /* SubjectAltName in certificate order */
	size_t n_sans;
};

/* Decomposes the certificate in der. CM_ERR_MALFORMED_CERTIFICATE when it
 * does not decode (or its SubjectAltName does not), CM_ERR_INTERNAL when out
 * of memory; *out is cleared either way on failure. */
int x509_attrs_from_der(const unsigned char *der, size_t len, struct x509_attrs *out,
			struct cm_err *err);
void x509_attrs_clear(struct x509_attrs *a);

/* The first CN of the certificate's subject as UTF-8 in buf, cut at a
 * character boundary to fit; "" when there is none (or it is not text). */
void x509_subject_cn(const X509 *cert, char *buf, size_t size);

#endif
