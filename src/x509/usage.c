/* The AWS enum → OID tables of KeyUsage, ExtendedKeyUsageType and
 * AccessMethodType (spec pca.md §3). */
#include "x509/usage.h"

#include <stddef.h>
#include <string.h>

struct x509_name_oid {
	const char *name;
	const char *oid;
};

static const char *const x509_ku_members[X509_KU_BITS] = {
    "DigitalSignature", "NonRepudiation", "KeyEncipherment", "DataEncipherment", "KeyAgreement",
    "KeyCertSign",	"CRLSign",	  "EncipherOnly",    "DecipherOnly",
};

static const struct x509_name_oid x509_eku_types[] = {
    {"SERVER_AUTH", "1.3.6.1.5.5.7.3.1"},
    {"CLIENT_AUTH", "1.3.6.1.5.5.7.3.2"},
    {"CODE_SIGNING", "1.3.6.1.5.5.7.3.3"},
    {"EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"},
    {"TIME_STAMPING", "1.3.6.1.5.5.7.3.8"},
    {"OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"},
    {"SMART_CARD_LOGIN", "1.3.6.1.4.1.311.20.2.2"},
    {"DOCUMENT_SIGNING", "1.3.6.1.5.5.7.3.36"},
    {"CERTIFICATE_TRANSPARENCY", "1.3.6.1.4.1.11129.2.4.4"},
    {NULL, NULL},
};

static const struct x509_name_oid x509_access_methods[] = {
    {"CA_REPOSITORY", "1.3.6.1.5.5.7.48.5"},
    {"RESOURCE_PKI_MANIFEST", "1.3.6.1.5.5.7.48.10"},
    {"RESOURCE_PKI_NOTIFY", "1.3.6.1.5.5.7.48.13"},
    {NULL, NULL},
};

static const char *x509_lookup(const struct x509_name_oid *t, const char *name)
{
	for (; name != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t->oid;
	return NULL;
}

const char *x509_ku_member_name(unsigned bit_index)
{
	return bit_index < X509_KU_BITS ? x509_ku_members[bit_index] : NULL;
}

const char *x509_eku_type_oid(const char *type_name)
{
	return x509_lookup(x509_eku_types, type_name);
}

const char *x509_access_method_oid(const char *type_name)
{
	return x509_lookup(x509_access_methods, type_name);
}
