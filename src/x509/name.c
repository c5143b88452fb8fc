/* Names: ASN1Subject → X509_NAME in AWS's attribute order, GeneralName →
 * GENERAL_NAME, and names back to RFC 2253 text. Country, DN qualifier and
 * serial number are PrintableString (their model patterns are
 * PrintableString's alphabet); everything else is UTF8String (RFC 5280 §4.1.2.4). */
#include "x509/name.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

/* The attributes of ASN1Subject in member order (spec pca.md §4); Country first. */
static const struct {
	const char *oid;
	const char *member; /* AWS member name, for messages */
	size_t offset;
	bool printable;
} x509_subject_attrs[] = {
    {"2.5.4.6", "Country", offsetof(struct x509_subject, country), true},
    {"2.5.4.10", "Organization", offsetof(struct x509_subject, organization), false},
    {"2.5.4.11", "OrganizationalUnit", offsetof(struct x509_subject, organizational_unit), false},
    {"2.5.4.46", "DistinguishedNameQualifier", offsetof(struct x509_subject, dn_qualifier), true},
    {"2.5.4.8", "State", offsetof(struct x509_subject, state), false},
    {"2.5.4.3", "CommonName", offsetof(struct x509_subject, common_name), false},
    {"2.5.4.5", "SerialNumber", offsetof(struct x509_subject, serial_number), true},
    {"2.5.4.7", "Locality", offsetof(struct x509_subject, locality), false},
    {"2.5.4.12", "Title", offsetof(struct x509_subject, title), false},
    {"2.5.4.4", "Surname", offsetof(struct x509_subject, surname), false},
    {"2.5.4.42", "GivenName", offsetof(struct x509_subject, given_name), false},
    {"2.5.4.43", "Initials", offsetof(struct x509_subject, initials), false},
    {"2.5.4.65", "Pseudonym", offsetof(struct x509_subject, pseudonym), false},
    {"2.5.4.44", "GenerationQualifier", offsetof(struct x509_subject, generation_qualifier), false},
};

#define X509_N_ATTRS (sizeof(x509_subject_attrs) / sizeof(x509_subject_attrs[0]))

static const char *x509_subject_member(const struct x509_subject *s, size_t i)
{
	return *(const char *const *)((const char *)s + x509_subject_attrs[i].offset);
}

/* X.680 PrintableString alphabet. */
static bool x509_is_printable(const char *s)
{
	static const char extra[] = " '()+,-./:=?";
	for (; *s != '\0'; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(extra, c) != NULL))
			return false;
	}
	return true;
}

static int x509_name_add(X509_NAME *name, const char *oid, const char *member, const char *value,
			 bool printable, struct cm_err *err)
{
	if (printable && !x509_is_printable(value))
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "Subject %s '%.64s' has characters a PrintableString cannot hold",
			       member, value);
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int ok = obj != NULL && X509_NAME_add_entry_by_OBJ(
				    name, obj, printable ? V_ASN1_PRINTABLESTRING : MBSTRING_UTF8,
				    (const unsigned char *)value, -1, -1, 0);
	ASN1_OBJECT_free(obj);
	ERR_clear_error();
	if (!ok)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "Subject %s '%.64s' is not valid", member,
			       value);
	return 0;
}

X509_NAME *x509_name_build(const struct x509_subject *s, bool allow_empty, struct cm_err *err)
{
	X509_NAME *name = X509_NAME_new();
	size_t n_std = 0;
	if (name == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < X509_N_ATTRS; i++) {
		const char *v = x509_subject_member(s, i);
		/* An empty string is the same as an absent member: an empty
		 * attribute value is not a valid DirectoryString. */
		if (v == NULL || v[0] == '\0')
			continue;
		n_std++;
		/* X.520 countryName is exactly two letters (ISO 3166). */
		if (i == 0 && strlen(v) != 2) {
			cm_fail(err, CM_ERR_INVALID_ARGS,
				"Subject Country '%.16s' is not 2 letters", v);
			goto fail;
		}
		if (x509_name_add(name, x509_subject_attrs[i].oid, x509_subject_attrs[i].member, v,
				  x509_subject_attrs[i].printable, err) < 0)
			goto fail;
	}
	if (n_std > 0 && s->n_custom > 0) {
		cm_fail(err, CM_ERR_INVALID_ARGS,
			"CustomAttributes cannot be combined with other subject attributes");
		goto fail;
	}
	for (size_t i = 0; i < s->n_custom; i++) {
		const char *oid = s->custom[i].oid;
		if (oid == NULL || oid[0] == '\0' || strspn(oid, "0123456789.") != strlen(oid)) {
			cm_fail(err, CM_ERR_INVALID_ARGS,
				"CustomAttributes ObjectIdentifier '%.64s' is not valid",
				oid != NULL ? oid : "");
			goto fail;
		}
		if (x509_name_add(name, oid, "CustomAttribute", s->custom[i].value, false, err) < 0)
			goto fail;
	}
	if (X509_NAME_entry_count(name) == 0 && !allow_empty) {
		cm_fail(err, CM_ERR_INVALID_ARGS, "The subject must have at least one attribute");
		goto fail;
	}
	return name;
fail:
	X509_NAME_free(name);
	return NULL;
}

char *x509_name_to_string(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL, *data = NULL;
	if (bio == NULL)
		return NULL;
	/* RFC 2253 order and escaping; UTF-8 kept as is rather than \XX-escaped;
	 * attributes without a short name print as OID=#hexDER. */
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		long n = BIO_get_mem_data(bio, &data);
		out = n >= 0 ? malloc((size_t)n + 1) : NULL;
		if (out != NULL) {
			if (n > 0) /* an empty name has no data pointer at all */
				memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

static GENERAL_NAME *x509_gn_other_name(const struct x509_general_name *gn, struct cm_err *err)
{
	ASN1_OBJECT *oid = NULL;
	ASN1_TYPE *val = ASN1_TYPE_new();
	ASN1_UTF8STRING *str = ASN1_UTF8STRING_new();
	GENERAL_NAME *out = GENERAL_NAME_new();
	if (gn->type_id != NULL && strspn(gn->type_id, "0123456789.") == strlen(gn->type_id))
		oid = OBJ_txt2obj(gn->type_id, 1);
	if (oid == NULL) {
		cm_fail(err, CM_ERR_INVALID_ARGS, "OtherName TypeId '%.64s' is not valid",
			gn->type_id != NULL ? gn->type_id : "");
		goto fail;
	}
	if (val == NULL || str == NULL || out == NULL ||
	    !ASN1_STRING_set(str, gn->value != NULL ? gn->value : "", -1)) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto fail;
	}
	ASN1_TYPE_set(val, V_ASN1_UTF8STRING, str);
	str = NULL;
	if (!GENERAL_NAME_set0_othername(out, oid, val)) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto fail;
	}
	return out;
fail:
	ERR_clear_error();
	ASN1_OBJECT_free(oid);
	ASN1_TYPE_free(val);
	ASN1_UTF8STRING_free(str);
	GENERAL_NAME_free(out);
	return NULL;
}

static GENERAL_NAME *x509_gn_edi(const struct x509_general_name *gn, struct cm_err *err)
{
	GENERAL_NAME *out = GENERAL_NAME_new();
	EDIPARTYNAME *edi = EDIPARTYNAME_new();
	if (out == NULL || edi == NULL)
		goto fail;
	/* EDIPARTYNAME_new allocates a default partyName; replace it. */
	ASN1_STRING_free(edi->partyName);
	edi->partyName = ASN1_STRING_type_new(V_ASN1_UTF8STRING);
	if (edi->partyName == NULL ||
	    !ASN1_STRING_set(edi->partyName, gn->value != NULL ? gn->value : "", -1))
		goto fail;
	if (gn->name_assigner != NULL) {
		edi->nameAssigner = ASN1_STRING_type_new(V_ASN1_UTF8STRING);
		if (edi->nameAssigner == NULL ||
		    !ASN1_STRING_set(edi->nameAssigner, gn->name_assigner, -1))
			goto fail;
	}
	GENERAL_NAME_set0_value(out, GEN_EDIPARTY, edi);
	return out;
fail:
	EDIPARTYNAME_free(edi);
	GENERAL_NAME_free(out);
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return NULL;
}

static GENERAL_NAME *x509_gn_directory(const struct x509_general_name *gn, struct cm_err *err)
{
	X509_NAME *dn = x509_name_build(&gn->directory, false, err);
	GENERAL_NAME *out = dn != NULL ? GENERAL_NAME_new() : NULL;
	if (out == NULL) {
		if (dn != NULL)
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		X509_NAME_free(dn);
		return NULL;
	}
	GENERAL_NAME_set0_value(out, GEN_DIRNAME, dn);
	return out;
}

/* IA5String kinds hold 7-bit text only (RFC 5280 §4.2.1.6). */
static bool x509_is_ia5(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s > 0x7e || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/* Text kinds through OpenSSL's own parser (it validates IP addresses). */
static GENERAL_NAME *x509_gn_text(int type, const char *what, const struct x509_general_name *gn,
				  struct cm_err *err)
{
	const char *v = gn->value != NULL ? gn->value : "";
	GENERAL_NAME *out = NULL;
	bool ok = v[0] != '\0';
	if (type == GEN_RID)
		ok = ok && strspn(v, "0123456789.") == strlen(v);
	else if (type != GEN_IPADD)
		ok = ok && x509_is_ia5(v);
	if (ok)
		out = a2i_GENERAL_NAME(NULL, NULL, NULL, type, v, 0);
	ERR_clear_error();
	if (out == NULL)
		cm_fail(err, CM_ERR_INVALID_ARGS, "%s '%.256s' is not valid", what, v);
	return out;
}

GENERAL_NAME *x509_general_name_build(const struct x509_general_name *gn, struct cm_err *err)
{
	switch (gn->kind) {
	case X509_GN_OTHER_NAME:
		return x509_gn_other_name(gn, err);
	case X509_GN_RFC822:
		return x509_gn_text(GEN_EMAIL, "Rfc822Name", gn, err);
	case X509_GN_DNS:
		return x509_gn_text(GEN_DNS, "DnsName", gn, err);
	case X509_GN_DIRECTORY:
		return x509_gn_directory(gn, err);
	case X509_GN_EDI_PARTY:
		return x509_gn_edi(gn, err);
	case X509_GN_URI:
		return x509_gn_text(GEN_URI, "UniformResourceIdentifier", gn, err);
	case X509_GN_IP:
		return x509_gn_text(GEN_IPADD, "IpAddress", gn, err);
	case X509_GN_REGISTERED_ID:
		return x509_gn_text(GEN_RID, "RegisteredId", gn, err);
	}
	cm_fail(err, CM_ERR_INVALID_ARGS, "unknown general name kind");
	return NULL;
}
