/* What ACM shows of an end-entity certificate (spec acm.md §2–§4): names,
 * key and extended key usages, key and signature algorithms, issuer. */
#include "x509/leaf.h"

#include <ctype.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "x509/usage.h"

/* Indexed by bit number of enum x509_eku_bit. */
static const struct {
	const char *name;
	const char *oid; /* NULL for NONE and CUSTOM */
} leaf_ekus[X509_EKU_BITS] = {
    {"TLS_WEB_SERVER_AUTHENTICATION", "1.3.6.1.5.5.7.3.1"},
    {"TLS_WEB_CLIENT_AUTHENTICATION", "1.3.6.1.5.5.7.3.2"},
    {"CODE_SIGNING", "1.3.6.1.5.5.7.3.3"},
    {"EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"},
    {"TIME_STAMPING", "1.3.6.1.5.5.7.3.8"},
    {"OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"},
    {"IPSEC_END_SYSTEM", "1.3.6.1.5.5.7.3.5"},
    {"IPSEC_TUNNEL", "1.3.6.1.5.5.7.3.6"},
    {"IPSEC_USER", "1.3.6.1.5.5.7.3.7"},
    {"ANY", "2.5.29.37.0"},
    {"NONE", NULL},
    {"CUSTOM", NULL},
};

/* Indexed by RFC 5280 KeyUsage bit (enum x509_ku). */
static const char *const leaf_ku_names[X509_KU_BITS] = {
    "DIGITAL_SIGNATURE", "NON_REPUDIATION", "KEY_ENCIPHERMENT",
    "DATA_ENCIPHERMENT", "KEY_AGREEMENT",   "CERTIFICATE_SIGNING",
    "CRL_SIGNING",	 "ENCIPHER_ONLY",   "DECIPHER_ONLY",
};

/* AWS spells the common signature algorithms HASHWITHKEY; the rest fall
 * back to OpenSSL's short name, upper-cased. */
/* clang-format off */
static const struct {
	int nid;
	const char *name;
} leaf_sig_names[] = {
    {NID_sha256WithRSAEncryption, "SHA256WITHRSA"},
    {NID_sha384WithRSAEncryption, "SHA384WITHRSA"},
    {NID_sha512WithRSAEncryption, "SHA512WITHRSA"},
    {NID_sha224WithRSAEncryption, "SHA224WITHRSA"},
    {NID_sha1WithRSAEncryption, "SHA1WITHRSA"},
    {NID_md5WithRSAEncryption, "MD5WITHRSA"},
    {NID_ecdsa_with_SHA256, "SHA256WITHECDSA"},
    {NID_ecdsa_with_SHA384, "SHA384WITHECDSA"},
    {NID_ecdsa_with_SHA512, "SHA512WITHECDSA"},
    {NID_ecdsa_with_SHA224, "SHA224WITHECDSA"},
    {NID_ecdsa_with_SHA1, "SHA1WITHECDSA"},
};
/* clang-format on */

const char *x509_eku_bit_name(unsigned bit_index)
{
	return bit_index < X509_EKU_BITS ? leaf_ekus[bit_index].name : NULL;
}

unsigned x509_eku_bit_from_name(const char *name)
{
	for (unsigned i = 0; name != NULL && i < X509_EKU_BITS; i++)
		if (strcmp(leaf_ekus[i].name, name) == 0)
			return 1u << i;
	return 0;
}

const char *x509_ku_acm_name(unsigned bit_index)
{
	return bit_index < X509_KU_BITS ? leaf_ku_names[bit_index] : NULL;
}

unsigned x509_ku_from_acm_name(const char *name)
{
	for (unsigned i = 0; name != NULL && i < X509_KU_BITS; i++)
		if (strcmp(leaf_ku_names[i], name) == 0)
			return 1u << i;
	return 0;
}

/* An extension decoded (owned) into *out, NULL when absent. -1 when it is
 * there twice or does not decode: OpenSSL would silently ignore it, and a
 * certificate whose usages we cannot read must not pass as one without. */
static int leaf_ext(const X509 *cert, int nid, void **out, struct cm_err *err)
{
	int crit = -1;
	*out = X509_get_ext_d2i(cert, nid, &crit, NULL);
	if (*out == NULL && crit != -1)
		return cm_fail(err, CM_ERR_MALFORMED_CERTIFICATE,
			       "The certificate's %s extension is repeated or does not decode",
			       OBJ_nid2ln(nid));
	return 0;
}

/* A host name as ACM accepts one in a CN: LDH labels (and '_', which real
 * certificates carry) of 1..63 octets, 253 in all, a wildcard only as the
 * whole first label, no trailing dot, and not a dotted-quad IP address. */
static bool leaf_is_dns_name(const char *s, size_t len)
{
	size_t label = 0;
	bool all_digits = true;
	if (len == 0 || len > 253)
		return false;
	if (len > 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		len -= 2;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			all_digits = true;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		all_digits = all_digits && isdigit(c);
		if (++label > 63)
			return false;
	}
	return label > 0 && !all_digits;
}

/* A dNSName SAN is listed as the CA wrote it, but only if it is printable
 * ASCII without spaces: anything else cannot be a host name and would not
 * survive JSON. */
static bool leaf_is_san_text(const unsigned char *s, int len)
{
	if (len <= 0 || len > 253)
		return false;
	for (int i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/* Adds a name unless it is already there (DNS names compare case-blind). */
static int leaf_name_add(struct x509_leaf_details *d, const char *name, size_t len,
			 struct cm_err *err)
{
	char **grown;
	for (size_t i = 0; i < d->n_names; i++)
		if (strlen(d->names[i]) == len && strncasecmp(d->names[i], name, len) == 0)
			return 0;
	grown = realloc(d->names, (d->n_names + 1) * sizeof(*grown));
	if (grown == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	d->names = grown;
	if ((d->names[d->n_names] = strndup(name, len)) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	d->n_names++;
	return 0;
}

/* The first attribute nid of a name as UTF-8 (owned, OPENSSL_free), NULL
 * when absent, not convertible, or holding a NUL that would cut it short. */
static char *leaf_name_attr(const X509_NAME *name, int nid)
{
	int idx = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	int len;
	if (idx < 0)
		return NULL;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
	if (len < 0 || memchr(utf8, '\0', (size_t)len) != NULL) {
		OPENSSL_free(utf8);
		return NULL;
	}
	return (char *)utf8;
}

/* DomainName and SubjectAlternativeNames (spec acm.md §4, §6.5). */
static int leaf_names(const X509 *cert, struct x509_leaf_details *d, struct cm_err *err)
{
	GENERAL_NAMES *san = NULL;
	char *cn = leaf_name_attr(X509_get_subject_name(cert), NID_commonName);
	int rc = -1;
	if (leaf_ext(cert, NID_subject_alt_name, (void **)&san, err) < 0)
		goto out;
	if (cn != NULL && leaf_is_dns_name(cn, strlen(cn)) &&
	    leaf_name_add(d, cn, strlen(cn), err) < 0)
		goto out;
	for (int i = 0; i < sk_GENERAL_NAME_num(san); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);
		if (gn->type == GEN_IPADD)
			d->has_ip_san = true;
		if (gn->type != GEN_DNS)
			continue;
		const unsigned char *s = ASN1_STRING_get0_data(gn->d.dNSName);
		int len = ASN1_STRING_length(gn->d.dNSName);
		if (leaf_is_san_text(s, len) &&
		    leaf_name_add(d, (const char *)s, (size_t)len, err) < 0)
			goto out;
	}
	if (d->n_names > 0 && (d->domain_name = strdup(d->names[0])) == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	GENERAL_NAMES_free(san);
	OPENSSL_free(cn);
	return rc;
}

static int leaf_eku_push(struct x509_leaf_details *d, const ASN1_OBJECT *obj, struct cm_err *err)
{
	struct x509_eku_entry *e;
	unsigned bit = 11; /* CUSTOM */
	char oid[sizeof(e->oid)];
	/* An OID longer than the field is shown cut short; it is CUSTOM anyway. */
	if (OBJ_obj2txt(oid, sizeof(oid), obj, 1) <= 0)
		oid[0] = '\0';
	for (unsigned i = 0; i < X509_EKU_BITS; i++)
		if (leaf_ekus[i].oid != NULL && strcmp(leaf_ekus[i].oid, oid) == 0)
			bit = i;
	e = realloc(d->eku, (d->n_eku + 1) * sizeof(*e));
	if (e == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	d->eku = e;
	e = &d->eku[d->n_eku++];
	snprintf(e->name, sizeof(e->name), "%s", leaf_ekus[bit].name);
	snprintf(e->oid, sizeof(e->oid), "%s", oid);
	d->eku_bits |= 1u << bit;
	return 0;
}

/* KeyUsage bits and the EKU list (spec acm.md §3, X.509 mapping). */
static int leaf_usages(const X509 *cert, struct x509_leaf_details *d, struct cm_err *err)
{
	ASN1_BIT_STRING *ku = NULL;
	EXTENDED_KEY_USAGE *eku = NULL;
	int rc = -1;
	if (leaf_ext(cert, NID_key_usage, (void **)&ku, err) < 0 ||
	    leaf_ext(cert, NID_ext_key_usage, (void **)&eku, err) < 0)
		goto out;
	for (int i = 0; ku != NULL && i < X509_KU_BITS; i++)
		if (ASN1_BIT_STRING_get_bit(ku, i))
			d->key_usage |= 1u << i;
	if (eku == NULL)
		d->eku_bits = X509_EKU_NONE;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (leaf_eku_push(d, sk_ASN1_OBJECT_value(eku, i), err) < 0)
			goto out;
	rc = 0;
out:
	ASN1_BIT_STRING_free(ku);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return rc;
}

/* The longest id-ad-ocsp URI of AuthorityInfoAccess (import check 8). */
static int leaf_ocsp(const X509 *cert, struct x509_leaf_details *d, struct cm_err *err)
{
	AUTHORITY_INFO_ACCESS *aia = NULL;
	if (leaf_ext(cert, NID_info_access, (void **)&aia, err) < 0)
		return -1;
	for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) != NID_ad_OCSP || ad->location->type != GEN_URI)
			continue;
		int len = ASN1_STRING_length(ad->location->d.uniformResourceIdentifier);
		if (len > 0 && (size_t)len > d->ocsp_url_len)
			d->ocsp_url_len = (size_t)len;
	}
	AUTHORITY_INFO_ACCESS_free(aia);
	return 0;
}

static void leaf_sig_alg(const X509 *cert, char *out, size_t size)
{
	int nid = X509_get_signature_nid(cert);
	const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
	for (size_t i = 0; i < sizeof(leaf_sig_names) / sizeof(leaf_sig_names[0]); i++)
		if (leaf_sig_names[i].nid == nid)
			sn = leaf_sig_names[i].name;
	snprintf(out, size, "%s", sn != NULL ? sn : "UNKNOWN");
	for (char *p = out; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
}

/* ACM's KeyAlgorithm (spec acm.md §3): PCA's enum plus RSA_1024. */
static void leaf_key_alg(const EVP_PKEY *key, char *out, size_t size)
{
	char group[64];
	int bits, nid;
	out[0] = '\0';
	if (key == NULL)
		return;
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(key);
		if (bits == 1024 || bits == 2048 || bits == 3072 || bits == 4096)
			snprintf(out, size, "RSA_%d", bits);
		break;
	case EVP_PKEY_EC:
		/* Explicit curve parameters have no group name: not importable. */
		if (EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) != 1)
			break;
		nid = OBJ_sn2nid(group);
		if (nid == NID_undef)
			nid = EC_curve_nist2nid(group);
		if (nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1)
			snprintf(out, size, "EC_%s", OBJ_nid2sn(nid));
		break;
	default:
		break;
	}
}

/* Issuer as AWS shows it ("Amazon"): its O, else its CN, else "". */
static char *leaf_issuer_short(const X509 *cert)
{
	const X509_NAME *issuer = X509_get_issuer_name(cert);
	char *v = leaf_name_attr(issuer, NID_organizationName), *out;
	if (v == NULL)
		v = leaf_name_attr(issuer, NID_commonName);
	out = strdup(v != NULL ? v : "");
	OPENSSL_free(v);
	return out;
}

int x509_leaf_details_get(const X509 *cert, struct x509_leaf_details *d, struct cm_err *err)
{
	return x509_leaf_details_get_keyed(cert, X509_get0_pubkey(cert), d, err);
}

int x509_leaf_details_get_keyed(const X509 *cert, const EVP_PKEY *key,
				struct x509_leaf_details *d, struct cm_err *err)
{
	memset(d, 0, sizeof(*d));
	if (x509_cert_info_get_keyed(cert, key, &d->info, err) < 0 ||
	    leaf_names(cert, d, err) < 0 ||
	    leaf_usages(cert, d, err) < 0 || leaf_ocsp(cert, d, err) < 0)
		goto fail;
	leaf_sig_alg(cert, d->sig_alg, sizeof(d->sig_alg));
	leaf_key_alg(key, d->key_alg, sizeof(d->key_alg));
	d->issuer_short = leaf_issuer_short(cert);
	/* info.subject is already RFC 2253 text, which RFC 4514 keeps. */
	d->subject = strdup(d->info.subject);
	if (d->issuer_short == NULL || d->subject == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto fail;
	}
	ERR_clear_error();
	return 0;
fail:
	ERR_clear_error();
	x509_leaf_details_clear(d);
	return -1;
}

void x509_leaf_details_clear(struct x509_leaf_details *d)
{
	if (d == NULL)
		return;
	x509_cert_info_clear(&d->info);
	for (size_t i = 0; i < d->n_names; i++)
		free(d->names[i]);
	free(d->names);
	free(d->domain_name);
	free(d->eku);
	free(d->issuer_short);
	free(d->subject);
	memset(d, 0, sizeof(*d));
}
