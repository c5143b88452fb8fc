/* The CSR's self-signature, checked over the CertificationRequestInfo bytes
 * as received. X509_REQ_verify re-encodes the request info and resolves the
 * algorithm on every call; here the digests are fetched once, and the
 * algorithms are those X509_REQ_verify takes for RSA and EC keys, less the
 * broken digests (MD5, MD4) no CA should accept a proof of possession in. */
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdbool.h>

#include "util/algs.h"
#include "x509/csr_internal.h"

/* How to verify: the digest, and for RSASSA-PSS its parameters. */
struct csr_sig_how {
	const EVP_MD *md;
	bool pss;
	const EVP_MD *mgf1_md;
	int saltlen;
};

/* A hash AlgorithmIdentifier inside PSS parameters (RFC 4055 §2.1:
 * parameters NULL or absent); NULL when it names no digest taken here. */
static const EVP_MD *csr_pss_hash(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj = NULL;
	int ptype = V_ASN1_UNDEF;
	X509_ALGOR_get0(&obj, &ptype, NULL, alg);
	if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
		return NULL;
	return algs_md(OBJ_obj2nid(obj));
}

/* RSASSA-PSS-params (RFC 4055 §3.1), each field absent meaning its default:
 * SHA-1, MGF1 with SHA-1, a 20-octet salt, trailer 1. */
static bool csr_sig_pss(const struct csr_der *params, struct csr_sig_how *how)
{
	const unsigned char *p = params->p;
	RSA_PSS_PARAMS *pss = params->len > 0 && params->p[0] == 0x30
				  ? d2i_RSA_PSS_PARAMS(NULL, &p, (long)params->len)
				  : NULL;
	X509_ALGOR *mgf1_hash = NULL;
	bool ok = pss != NULL && (size_t)(p - params->p) == params->len;
	how->pss = true;
	how->md = how->mgf1_md = algs_md(NID_sha1);
	how->saltlen = 20;
	if (ok && pss->hashAlgorithm != NULL)
		ok = (how->md = csr_pss_hash(pss->hashAlgorithm)) != NULL;
	if (ok && pss->maskGenAlgorithm != NULL) {
		ok = OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) == NID_mgf1 &&
		     (mgf1_hash = ASN1_TYPE_unpack_sequence(
			  ASN1_ITEM_rptr(X509_ALGOR), pss->maskGenAlgorithm->parameter)) != NULL &&
		     (how->mgf1_md = csr_pss_hash(mgf1_hash)) != NULL;
	}
	if (ok && pss->saltLength != NULL) {
		long salt = ASN1_INTEGER_get(pss->saltLength);
		ok = salt >= 0 && salt <= 0xffff;
		how->saltlen = (int)salt;
	}
	if (ok && pss->trailerField != NULL)
		ok = ASN1_INTEGER_get(pss->trailerField) == 1;
	X509_ALGOR_free(mgf1_hash);
	RSA_PSS_PARAMS_free(pss);
	return ok;
}

/* The algorithm of AlgorithmIdentifier content alg for key into *how;
 * false when it is unknown, does not fit the key, or has parameters it
 * forbids: ECDSA none (RFC 5758 §3.2), PKCS #1 v1.5 NULL or none (RFC 4055
 * §5), PSS its own. */
static bool csr_sig_alg(const EVP_PKEY *key, const struct csr_der *alg, struct csr_sig_how *how)
{
	struct csr_der in = *alg, oid_content, oid, params_content, params = {NULL, 0};
	unsigned char tag = 0;
	if (!csr_der_take(&in, 0x06, &oid_content, &oid) ||
	    (in.len > 0 && !csr_der_take_any(&in, &tag, &params_content, &params)) || in.len != 0)
		return false;
	const unsigned char *p = oid.p;
	ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)oid.len);
	int nid = obj != NULL ? OBJ_obj2nid(obj) : NID_undef, md_nid = NID_undef,
	    pkey_nid = NID_undef;
	ASN1_OBJECT_free(obj);
	int key_type = EVP_PKEY_get_base_id(key);
	if (nid == NID_rsassaPss)
		return key_type == EVP_PKEY_RSA && csr_sig_pss(&params, how);
	if (nid == NID_undef || !OBJ_find_sigid_algs(nid, &md_nid, &pkey_nid))
		return false;
	how->pss = false;
	how->md = algs_md(md_nid);
	if (how->md == NULL)
		return false;
	if (pkey_nid == NID_rsaEncryption)
		return key_type == EVP_PKEY_RSA &&
		       (params.len == 0 || (params.len == 2 && tag == 0x05));
	return pkey_nid == NID_X9_62_id_ecPublicKey && key_type == EVP_PKEY_EC && params.len == 0;
}

int csr_sig_verify(EVP_PKEY *key, const struct csr_der *alg, const struct csr_der *sig,
		   const struct csr_der *tbs, struct cm_err *err)
{
	struct csr_sig_how how = {0};
	struct csr_der value;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	if (!csr_sig_alg(key, alg, &how) || !csr_der_bits(sig, &value) ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, &pctx, how.md, NULL, key) != 1)
		goto fail;
	if (how.pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
			EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, how.mgf1_md) != 1 ||
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, how.saltlen) != 1))
		goto fail;
	if (EVP_DigestVerify(ctx, value.p, value.len, tbs->p, tbs->len) != 1)
		goto fail;
	EVP_MD_CTX_free(ctx);
	return 0;
fail:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR signature does not verify");
}
