/* KeyUsage bits, ExtendedKeyUsage and AccessMethod types of the AWS model,
 * with the OIDs they stand for (spec pca.md §3). */
#ifndef CERTAIN_X509_USAGE_H
#define CERTAIN_X509_USAGE_H

/* KeyUsage as a bit set; bit n is RFC 5280's KeyUsage bit n, so the set reads
 * the same as the DER BIT STRING. */
enum x509_ku {
	X509_KU_DIGITAL_SIGNATURE = 1u << 0,
	X509_KU_NON_REPUDIATION = 1u << 1,
	X509_KU_KEY_ENCIPHERMENT = 1u << 2,
	X509_KU_DATA_ENCIPHERMENT = 1u << 3,
	X509_KU_KEY_AGREEMENT = 1u << 4,
	X509_KU_KEY_CERT_SIGN = 1u << 5,
	X509_KU_CRL_SIGN = 1u << 6,
	X509_KU_ENCIPHER_ONLY = 1u << 7,
	X509_KU_DECIPHER_ONLY = 1u << 8,
};

/* The AWS KeyUsage member name of bit i (0..8): "DigitalSignature", ... "DecipherOnly". */
#define X509_KU_BITS 9
const char *x509_ku_member_name(unsigned bit_index);

/* ExtendedKeyUsageType name → dotted OID (static string); NULL when unknown. */
const char *x509_eku_type_oid(const char *type_name);

/* AccessMethodType name → dotted OID (static string); NULL when unknown. */
const char *x509_access_method_oid(const char *type_name);

#endif
