/* Building a v2 CRL (RFC 5280 §5) straight into DER. The TBSCertList is
 * written by hand (crl_der.h) because OpenSSL's X509_CRL object API spends
 * several allocations and an ASN.1 template walk per entry, which dominates
 * at 10^5..10^6 entries; the result is checked against OpenSSL's parser and
 * verifier in tests/unit/test_x509_crl.c. */
#include "x509/crl.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "x509/crl_der.h"
#include "x509/ext.h"
#include "x509/info.h"

static const struct {
	const char *name;
	enum x509_crl_reason reason;
} crl_reasons[] = {
    {"UNSPECIFIED", X509_CRL_UNSPECIFIED},
    {"KEY_COMPROMISE", X509_CRL_KEY_COMPROMISE},
    {"CERTIFICATE_AUTHORITY_COMPROMISE", X509_CRL_CA_COMPROMISE},
    {"AFFILIATION_CHANGED", X509_CRL_AFFILIATION_CHANGED},
    {"SUPERSEDED", X509_CRL_SUPERSEDED},
    {"CESSATION_OF_OPERATION", X509_CRL_CESSATION_OF_OPERATION},
    {"PRIVILEGE_WITHDRAWN", X509_CRL_PRIVILEGE_WITHDRAWN},
    {"A_A_COMPROMISE", X509_CRL_AA_COMPROMISE},
};

#define CRL_N_REASONS (sizeof(crl_reasons) / sizeof(crl_reasons[0]))

int x509_crl_reason_from_name(const char *name, enum x509_crl_reason *out)
{
	for (size_t i = 0; name != NULL && i < CRL_N_REASONS; i++) {
		if (strcmp(crl_reasons[i].name, name) == 0) {
			*out = crl_reasons[i].reason;
			return 0;
		}
	}
	return -1;
}

const char *x509_crl_reason_name(enum x509_crl_reason reason)
{
	for (size_t i = 0; i < CRL_N_REASONS; i++)
		if (crl_reasons[i].reason == reason)
			return crl_reasons[i].name;
	return NULL;
}

void x509_crl_number_u64(uint64_t v, unsigned char out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (unsigned char)v;
		v >>= 8;
	}
}

/* OID contents (X.690 §8.19) of the extensions written here. */
static const unsigned char oid_reason[] = {0x55, 0x1d, 0x15};	  /* 2.5.29.21 reasonCode */
static const unsigned char oid_crl_number[] = {0x55, 0x1d, 0x14}; /* 2.5.29.20 */
static const unsigned char oid_aki[] = {0x55, 0x1d, 0x23};	  /* 2.5.29.35 */
static const unsigned char oid_idp[] = {0x55, 0x1d, 0x1c};	  /* 2.5.29.28 */

/* The issuer's key identifier: its SKI, else SHA-1 of its key (RFC 5280
 * §4.2.1.2 method 1, what issue.c writes as AKI in the certificates). */
static int crl_issuer_key_id(X509 *issuer, unsigned char *buf, size_t size, size_t *len)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(issuer);
	if (skid != NULL && ASN1_STRING_length(skid) > 0 &&
	    (size_t)ASN1_STRING_length(skid) <= size) {
		*len = (size_t)ASN1_STRING_length(skid);
		memcpy(buf, ASN1_STRING_get0_data(skid), *len);
		return 0;
	}
	*len = 20;
	return size >= 20 ? x509_key_id(X509_get_X509_PUBKEY(issuer), buf) : -1;
}

static bool crl_reason_valid(enum x509_crl_reason r)
{
	return x509_crl_reason_name(r) != NULL;
}

static bool crl_time_valid(int64_t t)
{
	return t >= 0 && t <= X509_DER_TIME_MAX;
}

/* A URI fits an IA5String and holds no space or control character. */
static bool crl_uri_valid(const char *uri)
{
	size_t n = strlen(uri);
	if (n == 0 || n > 2048)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f)
			return false;
	return true;
}

/* Everything checked before any work, so a failure never costs a signature. */
static int crl_check(const struct x509_crl_params *p, struct cm_err *err)
{
	if (p->issuer_cert == NULL || p->signing_key == NULL || p->number == NULL ||
	    (p->entries == NULL && p->n_entries > 0))
		return cm_fail(err, CM_ERR_INTERNAL, "x509_crl_build: incomplete parameters");
	size_t nl = p->number_len;
	const unsigned char *num = p->number;
	while (nl > 1 && num[0] == 0) {
		num++;
		nl--;
	}
	/* 20 octets of INTEGER contents, sign octet included (§5.2.3). */
	if (nl == 0 || nl + ((num[0] & 0x80) ? 1 : 0) > X509_CRL_NUMBER_MAX)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "The CRL number must fit 20 octets");
	if (!crl_time_valid(p->this_update) || !crl_time_valid(p->next_update) ||
	    p->this_update >= p->next_update)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "The CRL's nextUpdate must follow its thisUpdate");
	if (p->idp_uri != NULL && !crl_uri_valid(p->idp_uri))
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "The issuing distribution point must be an ASCII URI");
	if (EVP_PKEY_eq(X509_get0_pubkey(p->issuer_cert), p->signing_key) != 1) {
		ERR_clear_error();
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "The signing key does not match the CA certificate");
	}
	return 0;
}

/* revokedCertificates (§5.1.2.6): SEQUENCE OF { userCertificate,
 * revocationDate, crlEntryExtensions [reasonCode] }. Absent when empty. */
static int crl_entries(struct x509_der *d, const struct x509_crl_params *p, struct cm_err *err)
{
	unsigned char serial[X509_SERIAL_MAX_OCTETS];
	if (p->n_entries == 0)
		return 0;
	/* ~50 octets an entry; one reserve up front avoids most regrowth. */
	if (p->n_entries < SIZE_MAX / 64)
		x509_der_reserve(d, p->n_entries * 52);
	size_t list = x509_der_open(d, X509_DER_SEQUENCE);
	for (size_t i = 0; i < p->n_entries; i++) {
		const struct x509_crl_entry *e = &p->entries[i];
		long n = x509_der_hex_serial(e->serial_hex, serial, sizeof(serial));
		if (n <= 0)
			return cm_fail(
			    err, CM_ERR_INVALID_ARGS,
			    "Entry %zu: '%.60s' is not a hex serial of at most %d octets", i,
			    e->serial_hex != NULL ? e->serial_hex : "", X509_SERIAL_MAX_OCTETS);
		if (!crl_time_valid(e->revoked_at) || !crl_reason_valid(e->reason))
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "Entry %zu: bad revocation time or reason", i);
		size_t m = x509_der_open(d, X509_DER_SEQUENCE);
		x509_der_uint(d, serial, (size_t)n);
		x509_der_time(d, e->revoked_at, false);
		/* §5.3.1: the reasonCode unspecified (0) SHOULD be absent. */
		if (e->reason != X509_CRL_UNSPECIFIED) {
			size_t exts = x509_der_open(d, X509_DER_SEQUENCE), ext[2];
			unsigned char code = (unsigned char)e->reason;
			x509_der_ext_open(d, oid_reason, sizeof(oid_reason), false, ext);
			x509_der_tlv(d, X509_DER_ENUMERATED, &code, 1);
			x509_der_ext_close(d, ext);
			x509_der_close(d, exts);
		}
		x509_der_close(d, m);
	}
	x509_der_close(d, list);
	return 0;
}

/* IssuingDistributionPoint { distributionPoint [0] { fullName [0] {
 * uniformResourceIdentifier [6] } } } (§5.2.5; DistributionPointName is a
 * CHOICE, so its [0] is explicit). Critical, as §5.2.5 requires. */
static void crl_ext_idp(struct x509_der *d, const char *uri)
{
	size_t ext[2];
	x509_der_ext_open(d, oid_idp, sizeof(oid_idp), true, ext);
	size_t idp = x509_der_open(d, X509_DER_SEQUENCE);
	size_t dp = x509_der_open(d, X509_DER_CTX(0));
	size_t full = x509_der_open(d, X509_DER_CTX(0));
	x509_der_tlv(d, X509_DER_CTX_PRIM(6), uri, strlen(uri));
	x509_der_close(d, full);
	x509_der_close(d, dp);
	x509_der_close(d, idp);
	x509_der_ext_close(d, ext);
}

/* crlExtensions [0] EXPLICIT: AKI (§5.2.1, MUST), CRLNumber (§5.2.3, MUST), IDP. */
static int crl_extensions(struct x509_der *d, const struct x509_crl_params *p, struct cm_err *err)
{
	unsigned char keyid[64];
	size_t keyid_len = 0, ext[2];
	if (crl_issuer_key_id(p->issuer_cert, keyid, sizeof(keyid), &keyid_len) < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot read the CA's key identifier");
	size_t tag = x509_der_open(d, X509_DER_CTX(0));
	size_t list = x509_der_open(d, X509_DER_SEQUENCE);
	x509_der_ext_open(d, oid_aki, sizeof(oid_aki), false, ext);
	size_t aki = x509_der_open(d, X509_DER_SEQUENCE);
	x509_der_tlv(d, X509_DER_CTX_PRIM(0), keyid, keyid_len); /* keyIdentifier [0] */
	x509_der_close(d, aki);
	x509_der_ext_close(d, ext);
	x509_der_ext_open(d, oid_crl_number, sizeof(oid_crl_number), false, ext);
	x509_der_uint(d, p->number, p->number_len);
	x509_der_ext_close(d, ext);
	if (p->idp_uri != NULL)
		crl_ext_idp(d, p->idp_uri);
	x509_der_close(d, list);
	x509_der_close(d, tag);
	return 0;
}

/* TBSCertList (§5.1.2) into d. */
static int crl_tbs(struct x509_der *d, const struct x509_crl_params *p, const unsigned char *algid,
		   size_t algid_len, struct cm_err *err)
{
	static const unsigned char v2[] = {X509_DER_INTEGER, 1, 1};
	const unsigned char *issuer = NULL;
	size_t issuer_len = 0;
	/* The CA subject's DER as the certificate holds it: byte-identical
	 * names, so path building matches CRL to certificate (§5.1.2.3). */
	if (!X509_NAME_get0_der(X509_get_subject_name(p->issuer_cert), &issuer, &issuer_len))
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encode the CA's subject");
	size_t tbs = x509_der_open(d, X509_DER_SEQUENCE);
	x509_der_raw(d, v2, sizeof(v2)); /* version v2: extensions are used (§5.1.2.1) */
	x509_der_raw(d, algid, algid_len);
	x509_der_raw(d, issuer, issuer_len);
	x509_der_time(d, p->this_update, false);
	x509_der_time(d, p->next_update, false);
	if (crl_entries(d, p, err) < 0 || crl_extensions(d, p, err) < 0)
		return -1;
	x509_der_close(d, tbs);
	return 0;
}

unsigned char *x509_crl_build(const struct x509_crl_params *p, size_t *len, struct cm_err *err)
{
	struct x509_der d = {0};
	unsigned char algid[128];
	size_t algid_len = 0;
	unsigned char *out = NULL;
	*len = 0;
	if (crl_check(p, err) < 0 || x509_der_sig_algid(p->signing_key, p->sig_alg, algid,
							sizeof(algid), &algid_len, err) < 0)
		return NULL;
	/* CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm,
	 * signatureValue } (§5.1.1). */
	size_t outer = x509_der_open(&d, X509_DER_SEQUENCE);
	size_t tbs_off = d.len;
	if (crl_tbs(&d, p, algid, algid_len, err) < 0)
		goto out;
	if (d.failed) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (x509_der_sign(&d, tbs_off, p->signing_key, p->sig_alg, algid, algid_len, err) < 0)
		goto out;
	x509_der_close(&d, outer);
	out = x509_der_take(&d, len);
	if (out == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
out:
	x509_der_free(&d);
	return out;
}
