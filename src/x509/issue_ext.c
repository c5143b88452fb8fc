/* The extensions of an issued certificate (spec pca.md §6.6). They are added
 * source by source in precedence order: the template, then ApiPassthrough
 * (API varieties), then CustomExtensions, then the CSR. A later source never
 * replaces an earlier one: template over passthrough is silent (AWS ignores
 * what the template fixes), a CustomExtension that redefines an extension is
 * an error (AWS: InvalidArgsException). */
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "x509/ext.h"

/* What the extension builders need beyond the parameters. */
struct x509_ext_job {
	X509 *cert;
	const struct x509_issue_params *p;
	const struct x509_passthrough *api;	   /* NULL unless an API variety got one */
	bool csr_pass;				   /* CSR variety */
	bool san_critical;			   /* the subject is empty (RFC 5280 §4.2.1.6) */
	const STACK_OF(X509_EXTENSION) * csr_exts; /* borrowed from the CSR */
};

static bool x509_has_ext(X509 *cert, const ASN1_OBJECT *obj)
{
	return X509_get_ext_by_OBJ(cert, obj, -1) >= 0;
}

/* Adds ext (consumed) unless its extension is already there (then dropped). */
static int x509_add_owned(X509 *cert, X509_EXTENSION *ext, struct cm_err *err)
{
	int rc = 0;
	if (ext == NULL)
		return -1;
	if (!x509_has_ext(cert, X509_EXTENSION_get_object(ext)) && !X509_add_ext(cert, ext, -1))
		rc = cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	X509_EXTENSION_free(ext);
	return rc;
}

/* BasicConstraints, KeyUsage, EKU, key identifiers, CDP and AIA. */
static int x509_ext_template(struct x509_ext_job *j, const unsigned char *aki, size_t aki_len,
			     bool self_signed, struct cm_err *err)
{
	const struct pca_template *t = j->p->tmpl;
	unsigned char ski[20];
	size_t n_eku = 0;
	/* CA:TRUE is critical (RFC 5280 §4.2.1.9); end-entity certificates get a
	 * non-critical CA:FALSE, as AWS's do. */
	if (x509_add_owned(j->cert, x509_ext_basic_constraints(t->is_ca, t->pathlen, t->is_ca, err),
			   err) < 0)
		return -1;
	if (t->key_usage != 0 &&
	    x509_add_owned(j->cert, x509_ext_key_usage(t->key_usage, err), err) < 0)
		return -1;
	while (t->eku != NULL && t->eku[n_eku] != NULL)
		n_eku++;
	if (n_eku > 0 &&
	    x509_add_owned(j->cert, x509_ext_eku(t->eku, n_eku, t->eku_critical, err), err) < 0)
		return -1;
	if (x509_key_id(X509_get_X509_PUBKEY(j->cert), ski) < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "cannot hash the public key");
	if (x509_add_owned(j->cert, x509_ext_key_id(NID_subject_key_identifier, ski, 20, err),
			   err) < 0)
		return -1;
	if (self_signed) {
		aki = ski;
		aki_len = sizeof(ski);
	}
	if (x509_add_owned(
		j->cert, x509_ext_key_id(NID_authority_key_identifier, aki, aki_len, err), err) < 0)
		return -1;
	/* A self-signed root carries neither CDP nor AIA (spec §6.8). */
	if (!self_signed && j->p->crl_url != NULL &&
	    x509_add_owned(j->cert, x509_ext_crl_dp(j->p->crl_url, err), err) < 0)
		return -1;
	if (!self_signed && j->p->ocsp_url != NULL &&
	    x509_add_owned(j->cert, x509_ext_aia_ocsp(j->p->ocsp_url, err), err) < 0)
		return -1;
	return 0;
}

/* ApiPassthrough.Extensions members, where the template left them open. */
static int x509_ext_passthrough(struct x509_ext_job *j, struct cm_err *err)
{
	const struct x509_passthrough *a = j->api;
	if (a->has_key_usage && !x509_has_ext(j->cert, OBJ_nid2obj(NID_key_usage))) {
		if (a->key_usage == 0)
			return cm_fail(
			    err, CM_ERR_INVALID_ARGS,
			    "ApiPassthrough.Extensions.KeyUsage must set at least one usage");
		if (x509_add_owned(j->cert, x509_ext_key_usage(a->key_usage, err), err) < 0)
			return -1;
	}
	if (a->n_eku > 0 && !x509_has_ext(j->cert, OBJ_nid2obj(NID_ext_key_usage)) &&
	    x509_add_owned(j->cert, x509_ext_eku(a->eku, a->n_eku, false, err), err) < 0)
		return -1;
	if (a->n_san > 0 &&
	    x509_add_owned(j->cert, x509_ext_san(a->san, a->n_san, j->san_critical, err), err) < 0)
		return -1;
	if (a->n_policies > 0 &&
	    x509_add_owned(j->cert, x509_ext_policies(a->policies, a->n_policies, err), err) < 0)
		return -1;
	return 0;
}

/* CustomExtensions: new extensions only, each once. */
static int x509_ext_customs(struct x509_ext_job *j, struct cm_err *err)
{
	for (size_t i = 0; i < j->api->n_custom; i++) {
		X509_EXTENSION *ext = x509_ext_custom(&j->api->custom[i], err);
		if (ext == NULL)
			return -1;
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
		if (x509_has_ext(j->cert, obj)) {
			X509_EXTENSION_free(ext);
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "CustomExtension %.64s redefines an extension that the "
				       "template or ApiPassthrough already sets",
				       j->api->custom[i].oid);
		}
		if (OBJ_obj2nid(obj) == NID_subject_alt_name && j->san_critical)
			X509_EXTENSION_set_critical(ext, 1);
		if (x509_add_owned(j->cert, ext, err) < 0)
			return -1;
	}
	return 0;
}

/* The CSR's SubjectAltName (every template), then, for CSR varieties, every
 * other requested extension no earlier source has set. */
static int x509_ext_from_csr(struct x509_ext_job *j, struct cm_err *err)
{
	for (int i = 0; i < sk_X509_EXTENSION_num(j->csr_exts); i++) {
		X509_EXTENSION *src = sk_X509_EXTENSION_value(j->csr_exts, i);
		bool san = OBJ_obj2nid(X509_EXTENSION_get_object(src)) == NID_subject_alt_name;
		if (!san && !j->csr_pass)
			continue;
		X509_EXTENSION *ext = X509_EXTENSION_dup(src);
		if (ext == NULL)
			return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		if (san)
			X509_EXTENSION_set_critical(ext, j->san_critical ? 1 : 0);
		if (x509_add_owned(j->cert, ext, err) < 0)
			return -1;
	}
	return 0;
}

int x509_issue_add_extensions(X509 *cert, const struct x509_issue_params *p, bool self_signed,
			      const unsigned char *aki, size_t aki_len, struct cm_err *err)
{
	struct x509_ext_job j = {
	    .cert = cert,
	    .p = p,
	    .api = p->tmpl->api_passthrough ? p->api : NULL,
	    .csr_pass = p->tmpl->csr_passthrough,
	    .san_critical = X509_NAME_entry_count(X509_get_subject_name(cert)) == 0,
	    .csr_exts = x509_csr_extensions(p->csr),
	};
	int rc = -1;
	ERR_clear_error();
	if (x509_ext_template(&j, aki, aki_len, self_signed, err) < 0)
		goto out;
	if (j.api != NULL && (x509_ext_passthrough(&j, err) < 0 || x509_ext_customs(&j, err) < 0))
		goto out;
	if (x509_ext_from_csr(&j, err) < 0)
		goto out;
	if (j.san_critical && !x509_has_ext(cert, OBJ_nid2obj(NID_subject_alt_name))) {
		cm_fail(err, CM_ERR_INVALID_ARGS,
			"A certificate with an empty subject needs a subject alternative name");
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	return rc;
}
