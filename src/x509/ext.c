/* Building single extensions from our structs. Every extension is encoded
 * from OpenSSL's typed structures, never from a config string, so a comma or
 * a colon in a client's URL cannot turn into a second value. */
#include "x509/ext.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#include "util/algs.h"

ASN1_OBJECT *x509_oid_parse(const char *dotted, struct cm_err *err)
{
	ASN1_OBJECT *obj = NULL;
	/* Only digits and dots: OBJ_txt2obj alone would also accept "CN". */
	if (dotted != NULL && dotted[0] != '\0' && strspn(dotted, "0123456789.") == strlen(dotted))
		obj = OBJ_txt2obj(dotted, 1);
	if (obj == NULL) {
		ERR_clear_error();
		cm_fail(err, CM_ERR_INVALID_ARGS, "'%.64s' is not a valid object identifier",
			dotted != NULL ? dotted : "");
	}
	return obj;
}

/* i2d of a typed value into an extension; frees nothing. */
static X509_EXTENSION *x509_ext_i2d(int nid, bool critical, void *value, struct cm_err *err)
{
	X509_EXTENSION *ext = X509V3_EXT_i2d(nid, critical ? 1 : 0, value);
	if (ext == NULL) {
		ERR_clear_error();
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode extension %s", OBJ_nid2sn(nid));
	}
	return ext;
}

X509_EXTENSION *x509_ext_basic_constraints(bool ca, int pathlen, bool critical, struct cm_err *err)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	X509_EXTENSION *ext = NULL;
	if (bc == NULL)
		goto oom;
	bc->ca = ca ? 0xFF : 0;
	if (ca && pathlen >= 0) {
		bc->pathlen = ASN1_INTEGER_new();
		if (bc->pathlen == NULL || !ASN1_INTEGER_set(bc->pathlen, pathlen))
			goto oom;
	}
	ext = x509_ext_i2d(NID_basic_constraints, critical, bc, err);
	BASIC_CONSTRAINTS_free(bc);
	return ext;
oom:
	BASIC_CONSTRAINTS_free(bc);
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return NULL;
}

X509_EXTENSION *x509_ext_key_usage(unsigned bits, struct cm_err *err)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	X509_EXTENSION *ext = NULL;
	if (ku == NULL)
		goto oom;
	for (int i = 0; i < X509_KU_BITS; i++)
		if ((bits & (1u << i)) != 0 && !ASN1_BIT_STRING_set_bit(ku, i, 1))
			goto oom;
	/* RFC 5280 §4.2.1.3: conforming CAs SHOULD mark KeyUsage critical. */
	ext = x509_ext_i2d(NID_key_usage, true, ku, err);
	ASN1_BIT_STRING_free(ku);
	return ext;
oom:
	ASN1_BIT_STRING_free(ku);
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return NULL;
}

X509_EXTENSION *x509_ext_eku(const char *const *oids, size_t n, bool critical, struct cm_err *err)
{
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	X509_EXTENSION *ext = NULL;
	if (eku == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		ASN1_OBJECT *obj = x509_oid_parse(oids[i], err);
		if (obj == NULL)
			goto out;
		if (!sk_ASN1_OBJECT_push(eku, obj)) {
			ASN1_OBJECT_free(obj);
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	ext = x509_ext_i2d(NID_ext_key_usage, critical, eku, err);
out:
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return ext;
}

X509_EXTENSION *x509_ext_san(const struct x509_general_name *gns, size_t n, bool critical,
			     struct cm_err *err)
{
	GENERAL_NAMES *names = GENERAL_NAMES_new();
	X509_EXTENSION *ext = NULL;
	if (names == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		GENERAL_NAME *gn = x509_general_name_build(&gns[i], err);
		if (gn == NULL)
			goto out;
		if (!sk_GENERAL_NAME_push(names, gn)) {
			GENERAL_NAME_free(gn);
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	ext = x509_ext_i2d(NID_subject_alt_name, critical, names, err);
out:
	GENERAL_NAMES_free(names);
	return ext;
}

/* An AccessDescription; takes ownership of method and location. */
static int x509_access_push(AUTHORITY_INFO_ACCESS *aia, ASN1_OBJECT *method, GENERAL_NAME *location,
			    struct cm_err *err)
{
	ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();
	if (ad == NULL || !sk_ACCESS_DESCRIPTION_push(aia, ad)) {
		ACCESS_DESCRIPTION_free(ad);
		ASN1_OBJECT_free(method);
		GENERAL_NAME_free(location);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	ASN1_OBJECT_free(ad->method);
	GENERAL_NAME_free(ad->location);
	ad->method = method;
	ad->location = location;
	return 0;
}

X509_EXTENSION *x509_ext_sia(const struct x509_access_description *ads, size_t n,
			     struct cm_err *err)
{
	AUTHORITY_INFO_ACCESS *sia = sk_ACCESS_DESCRIPTION_new_null();
	X509_EXTENSION *ext = NULL;
	if (sia == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		ASN1_OBJECT *method = x509_oid_parse(ads[i].method_oid, err);
		GENERAL_NAME *loc =
		    method != NULL ? x509_general_name_build(&ads[i].location, err) : NULL;
		if (loc == NULL) {
			ASN1_OBJECT_free(method);
			goto out;
		}
		if (x509_access_push(sia, method, loc, err) < 0)
			goto out;
	}
	/* RFC 5280 §4.2.2.2: SubjectInfoAccess MUST be non-critical. */
	ext = x509_ext_i2d(NID_sinfo_access, false, sia, err);
out:
	AUTHORITY_INFO_ACCESS_free(sia);
	return ext;
}

static POLICYINFO *x509_policy_build(const struct x509_policy *p, struct cm_err *err)
{
	POLICYINFO *pi = POLICYINFO_new();
	if (pi == NULL)
		goto oom;
	ASN1_OBJECT_free(pi->policyid);
	if ((pi->policyid = x509_oid_parse(p->policy_oid, err)) == NULL)
		goto fail;
	if (p->n_cps > 0 && (pi->qualifiers = sk_POLICYQUALINFO_new_null()) == NULL)
		goto oom;
	for (size_t i = 0; i < p->n_cps; i++) {
		POLICYQUALINFO *q = POLICYQUALINFO_new();
		if (q == NULL || !sk_POLICYQUALINFO_push(pi->qualifiers, q)) {
			POLICYQUALINFO_free(q);
			goto oom;
		}
		q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
		q->d.cpsuri = ASN1_IA5STRING_new();
		if (q->d.cpsuri == NULL || !ASN1_STRING_set(q->d.cpsuri, p->cps_uris[i], -1))
			goto oom;
	}
	return pi;
oom:
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
fail:
	POLICYINFO_free(pi);
	return NULL;
}

X509_EXTENSION *x509_ext_policies(const struct x509_policy *p, size_t n, struct cm_err *err)
{
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	X509_EXTENSION *ext = NULL;
	if (pols == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		POLICYINFO *pi = x509_policy_build(&p[i], err);
		if (pi == NULL)
			goto out;
		if (!sk_POLICYINFO_push(pols, pi)) {
			POLICYINFO_free(pi);
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto out;
		}
	}
	ext = x509_ext_i2d(NID_certificate_policies, false, pols, err);
out:
	CERTIFICATEPOLICIES_free(pols);
	return ext;
}

X509_EXTENSION *x509_ext_key_id(int nid, const unsigned char *id, size_t len, struct cm_err *err)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	AUTHORITY_KEYID *akid = NULL;
	X509_EXTENSION *ext = NULL;
	if (os == NULL || !ASN1_OCTET_STRING_set(os, id, (int)len))
		goto oom;
	if (nid == NID_subject_key_identifier) {
		ext = x509_ext_i2d(nid, false, os, err);
		ASN1_OCTET_STRING_free(os);
		return ext;
	}
	if ((akid = AUTHORITY_KEYID_new()) == NULL)
		goto oom;
	akid->keyid = os;
	ext = x509_ext_i2d(NID_authority_key_identifier, false, akid, err);
	AUTHORITY_KEYID_free(akid);
	return ext;
oom:
	ASN1_OCTET_STRING_free(os);
	cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	return NULL;
}

static GENERAL_NAME *x509_uri(const char *url, struct cm_err *err)
{
	GENERAL_NAME *gn = a2i_GENERAL_NAME(NULL, NULL, NULL, GEN_URI, url, 0);
	if (gn == NULL) {
		ERR_clear_error();
		cm_fail(err, CM_ERR_INVALID_ARGS, "'%.200s' is not a valid URI", url);
	}
	return gn;
}

X509_EXTENSION *x509_ext_crl_dp(const char *url, struct cm_err *err)
{
	CRL_DIST_POINTS *dps = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	X509_EXTENSION *ext = NULL;
	GENERAL_NAME *gn = NULL;
	if (dps == NULL || dp == NULL || !sk_DIST_POINT_push(dps, dp)) {
		DIST_POINT_free(dp);
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if ((gn = x509_uri(url, err)) == NULL)
		goto out;
	dp->distpoint = DIST_POINT_NAME_new();
	if (dp->distpoint == NULL || (dp->distpoint->name.fullname = GENERAL_NAMES_new()) == NULL ||
	    !sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn)) {
		GENERAL_NAME_free(gn);
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	dp->distpoint->type = 0; /* fullName */
	ext = x509_ext_i2d(NID_crl_distribution_points, false, dps, err);
out:
	CRL_DIST_POINTS_free(dps);
	return ext;
}

X509_EXTENSION *x509_ext_aia_ocsp(const char *url, struct cm_err *err)
{
	AUTHORITY_INFO_ACCESS *aia = sk_ACCESS_DESCRIPTION_new_null();
	X509_EXTENSION *ext = NULL;
	GENERAL_NAME *gn;
	if (aia == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if ((gn = x509_uri(url, err)) != NULL &&
	    x509_access_push(aia, OBJ_nid2obj(NID_ad_OCSP), gn, err) == 0)
		ext = x509_ext_i2d(NID_info_access, false, aia, err);
	AUTHORITY_INFO_ACCESS_free(aia);
	return ext;
}

/* Whether v is exactly one DER TLV (definite length, nothing after it). */
static bool x509_is_one_tlv(const unsigned char *v, size_t len)
{
	const unsigned char *p = v;
	long body;
	int tag, cls;
	if (len == 0 || len > 65536)
		return false;
	int r = ASN1_get_object(&p, &body, &tag, &cls, (long)len);
	ERR_clear_error();
	if ((r & 0x80) != 0 || r == 0x21)
		return false;
	return (size_t)(p - v) + (size_t)body == len;
}

X509_EXTENSION *x509_ext_custom(const struct x509_custom_ext *c, struct cm_err *err)
{
	ASN1_OBJECT *obj = x509_oid_parse(c->oid, err);
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;
	if (obj == NULL)
		return NULL;
	if (!x509_is_one_tlv(c->value, c->value_len)) {
		cm_fail(err, CM_ERR_INVALID_ARGS,
			"CustomExtension %.64s: Value is not one DER-encoded ASN.1 value", c->oid);
		goto out;
	}
	os = ASN1_OCTET_STRING_new();
	if (os == NULL || !ASN1_OCTET_STRING_set(os, c->value, (int)c->value_len) ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, c->critical ? 1 : 0, os)) == NULL)
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
out:
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return ext;
}

int x509_key_id(const X509_PUBKEY *pub, unsigned char out[20])
{
	const unsigned char *pk = NULL;
	int pklen = 0;
	unsigned int n = 0;
	if (pub == NULL || !X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, pub) ||
	    !EVP_Digest(pk, (size_t)pklen, out, &n, algs_sha1(), NULL) || n != 20)
		return -1;
	return 0;
}
