/* Names of a certificate as SearchCertificates shows them: X509_NAME entries
 * walked by NID into DistinguishedName members, SubjectAltName entries into
 * the GeneralName union. Nothing is parsed from the RFC 2253 text: a comma
 * or plus inside a value would split it wrongly. */
#include "x509/dn.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

/* The DistinguishedName members that hold one value, by NID. */
static const struct {
	int nid;
	size_t offset;
} x509_dn_members[] = {
    {NID_commonName, offsetof(struct x509_dn, common_name)},
    {NID_countryName, offsetof(struct x509_dn, country)},
    {NID_organizationName, offsetof(struct x509_dn, organization)},
    {NID_organizationalUnitName, offsetof(struct x509_dn, organizational_unit)},
    {NID_localityName, offsetof(struct x509_dn, locality)},
    {NID_stateOrProvinceName, offsetof(struct x509_dn, state)},
    {NID_serialNumber, offsetof(struct x509_dn, serial_number)},
    {NID_title, offsetof(struct x509_dn, title)},
    {NID_surname, offsetof(struct x509_dn, surname)},
    {NID_givenName, offsetof(struct x509_dn, given_name)},
    {NID_initials, offsetof(struct x509_dn, initials)},
    {NID_pseudonym, offsetof(struct x509_dn, pseudonym)},
    {NID_generationQualifier, offsetof(struct x509_dn, generation_qualifier)},
    {NID_dnQualifier, offsetof(struct x509_dn, dn_qualifier)},
};

#define X509_DN_N_MEMBERS (sizeof(x509_dn_members) / sizeof(x509_dn_members[0]))

/* An ASN.1 string as UTF-8 (owned, free()); NULL when it is not text, holds
 * a NUL (a C string would cut it short), or memory runs out. */
static char *x509_dn_text(const ASN1_STRING *s)
{
	unsigned char *utf8 = NULL;
	char *out = NULL;
	int len = s != NULL ? ASN1_STRING_to_UTF8(&utf8, s) : -1;
	if (len >= 0 && memchr(utf8, '\0', (size_t)len) == NULL)
		out = strndup((const char *)utf8, (size_t)len);
	OPENSSL_free(utf8);
	return out;
}

static char *x509_dn_oid(const ASN1_OBJECT *obj)
{
	char buf[128];
	/* An OID longer than buf is cut short by OpenSSL; it stays a string. */
	if (OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
		return NULL;
	return strdup(buf);
}

static int x509_dn_push_dc(struct x509_dn *dn, char *value)
{
	char **grown =
	    realloc(dn->domain_components, (dn->n_domain_components + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	dn->domain_components = grown;
	grown[dn->n_domain_components++] = value;
	return 0;
}

static int x509_dn_push_custom(struct x509_dn *dn, const ASN1_OBJECT *obj, char *value)
{
	char *oid = x509_dn_oid(obj);
	struct x509_dn_custom *grown = NULL;
	if (oid != NULL)
		grown = realloc(dn->custom, (dn->n_custom + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(oid);
		return -1;
	}
	dn->custom = grown;
	grown[dn->n_custom++] = (struct x509_dn_custom){oid, value};
	return 0;
}

/* Files one attribute; takes value. */
static int x509_dn_file(struct x509_dn *dn, const ASN1_OBJECT *obj, char *value)
{
	int nid = OBJ_obj2nid(obj);
	if (nid == NID_domainComponent)
		return x509_dn_push_dc(dn, value);
	for (size_t i = 0; i < X509_DN_N_MEMBERS; i++) {
		char **slot = (char **)((char *)dn + x509_dn_members[i].offset);
		if (x509_dn_members[i].nid == nid && *slot == NULL) {
			*slot = value;
			return 0;
		}
	}
	/* Unknown OIDs and repeats (a second OU) keep their OID: nothing is lost. */
	return x509_dn_push_custom(dn, obj, value);
}

static void x509_dn_clear(struct x509_dn *dn)
{
	for (size_t i = 0; i < X509_DN_N_MEMBERS; i++)
		free(*(char **)((char *)dn + x509_dn_members[i].offset));
	for (size_t i = 0; i < dn->n_domain_components; i++)
		free(dn->domain_components[i]);
	free(dn->domain_components);
	for (size_t i = 0; i < dn->n_custom; i++) {
		free(dn->custom[i].oid);
		free(dn->custom[i].value);
	}
	free(dn->custom);
	memset(dn, 0, sizeof(*dn));
}

static int x509_dn_get(const X509_NAME *name, struct x509_dn *dn)
{
	memset(dn, 0, sizeof(*dn));
	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		char *value = x509_dn_text(X509_NAME_ENTRY_get_data(e));
		if (value == NULL)
			continue;
		if (x509_dn_file(dn, X509_NAME_ENTRY_get_object(e), value) < 0) {
			free(value);
			return -1;
		}
	}
	return 0;
}

static char *x509_gn_ip(const ASN1_OCTET_STRING *ip)
{
	char buf[INET6_ADDRSTRLEN];
	int len = ASN1_STRING_length(ip);
	if ((len != 4 && len != 16) ||
	    inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), buf, sizeof(buf)) ==
		NULL)
		return NULL;
	return strdup(buf);
}

/* An otherName's value when it is a string (e.g. a UPN); NULL otherwise. */
static char *x509_gn_other_value(const ASN1_TYPE *v)
{
	switch (v != NULL ? v->type : -1) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
	case V_ASN1_VISIBLESTRING:
		return x509_dn_text(v->value.asn1_string);
	default:
		return NULL;
	}
}

/* Fills e from gn; 1 = filled, 0 = a kind SearchCertificates has no member
 * for (or no readable value), -1 = out of memory. */
static int x509_gn_get(const GENERAL_NAME *gn, struct x509_gn_entry *e)
{
	memset(e, 0, sizeof(*e));
	switch (gn->type) {
	case GEN_DNS:
		e->kind = X509_GN_DNS;
		e->value = x509_dn_text(gn->d.dNSName);
		break;
	case GEN_EMAIL:
		e->kind = X509_GN_RFC822;
		e->value = x509_dn_text(gn->d.rfc822Name);
		break;
	case GEN_URI:
		e->kind = X509_GN_URI;
		e->value = x509_dn_text(gn->d.uniformResourceIdentifier);
		break;
	case GEN_IPADD:
		e->kind = X509_GN_IP;
		e->value = x509_gn_ip(gn->d.iPAddress);
		break;
	case GEN_RID:
		e->kind = X509_GN_REGISTERED_ID;
		e->value = x509_dn_oid(gn->d.registeredID);
		break;
	case GEN_OTHERNAME:
		e->kind = X509_GN_OTHER_NAME;
		if ((e->oid = x509_dn_oid(gn->d.otherName->type_id)) == NULL)
			return -1;
		e->value = x509_gn_other_value(gn->d.otherName->value);
		return 1;
	case GEN_DIRNAME:
		e->kind = X509_GN_DIRECTORY;
		return x509_dn_get(gn->d.directoryName, &e->directory) < 0 ? -1 : 1;
	default:
		return 0;
	}
	/* No value: not text, or memory ran out; either way left out. */
	return e->value != NULL ? 1 : 0;
}

static void x509_gn_clear(struct x509_gn_entry *e)
{
	free(e->value);
	free(e->oid);
	x509_dn_clear(&e->directory);
}

static int x509_attrs_sans(const X509 *cert, struct x509_attrs *a, struct cm_err *err)
{
	int crit = -1, rc = -1;
	GENERAL_NAMES *san = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
	if (san == NULL && crit != -1)
		return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			       "The certificate's SubjectAltName does not decode");
	int n = sk_GENERAL_NAME_num(san);
	if (n > 0 && (a->sans = calloc((size_t)n, sizeof(*a->sans))) == NULL)
		goto nomem;
	for (int i = 0; i < n; i++) {
		int got = x509_gn_get(sk_GENERAL_NAME_value(san, i), &a->sans[a->n_sans]);
		if (got < 0) {
			x509_gn_clear(&a->sans[a->n_sans]);
			goto nomem;
		}
		if (got == 0)
			x509_gn_clear(&a->sans[a->n_sans]);
		else
			a->n_sans++;
	}
	rc = 0;
	goto out;
nomem:
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
out:
	GENERAL_NAMES_free(san);
	return rc;
}

int x509_attrs_from_der(const unsigned char *der, size_t len, struct x509_attrs *out,
			struct cm_err *err)
{
	const unsigned char *p = der;
	X509 *cert = len <= (size_t)INT32_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (cert == NULL) {
		cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE, "The certificate does not decode");
		goto out;
	}
	if (x509_dn_get(X509_get_subject_name(cert), &out->subject) < 0 ||
	    x509_dn_get(X509_get_issuer_name(cert), &out->issuer) < 0) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = x509_attrs_sans(cert, out, err);
out:
	if (rc < 0)
		x509_attrs_clear(out);
	X509_free(cert);
	ERR_clear_error();
	return rc;
}

void x509_attrs_clear(struct x509_attrs *a)
{
	if (a == NULL)
		return;
	x509_dn_clear(&a->subject);
	x509_dn_clear(&a->issuer);
	for (size_t i = 0; i < a->n_sans; i++)
		x509_gn_clear(&a->sans[i]);
	free(a->sans);
	memset(a, 0, sizeof(*a));
}

void x509_subject_cn(const X509 *cert, char *buf, size_t size)
{
	const X509_NAME *name = X509_get_subject_name(cert);
	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	char *cn = idx >= 0 ? x509_dn_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)))
			    : NULL;
	if (size == 0)
		goto out;
	buf[0] = '\0';
	if (cn == NULL)
		goto out;
	size_t len = strlen(cn);
	if (len >= size) {
		len = size - 1;
		/* Back off over UTF-8 continuation bytes: never half a character. */
		while (len > 0 && ((unsigned char)cn[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(buf, cn, len);
	buf[len] = '\0';
out:
	free(cn);
	ERR_clear_error();
}
