/* The CSR of a CA's own key: built once at creation and stored, so every
 * GetCertificateAuthorityCsr returns the same bytes (spec pca.md §5.7). */
#include "x509/ca_csr.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "x509/ext.h"

/* BasicConstraints (always), KeyUsage and SubjectInfoAccess (when given). */
static STACK_OF(X509_EXTENSION) *
    x509_ca_csr_exts(const struct x509_csr_extensions *ext, struct cm_err *err)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *e[3] = {NULL, NULL, NULL};
	if (exts == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	/* AWS CA CSRs carry a critical CA:TRUE without a path length: the
	 * parent's template decides the path length. */
	e[0] = x509_ext_basic_constraints(true, -1, true, err);
	if (e[0] == NULL)
		goto fail;
	if (ext != NULL && ext->has_key_usage &&
	    (e[1] = x509_ext_key_usage(ext->key_usage, err)) == NULL)
		goto fail;
	if (ext != NULL && ext->n_sia > 0 &&
	    (e[2] = x509_ext_sia(ext->sia, ext->n_sia, err)) == NULL)
		goto fail;
	for (int i = 0; i < 3; i++) {
		if (e[i] != NULL && !sk_X509_EXTENSION_push(exts, e[i])) {
			cm_fail(err, CM_ERR_INTERNAL, "out of memory");
			goto fail;
		}
		e[i] = NULL;
	}
	return exts;
fail:
	for (int i = 0; i < 3; i++)
		X509_EXTENSION_free(e[i]);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return NULL;
}

X509_REQ *x509_ca_csr_build(EVP_PKEY *key, enum x509_sig_alg sig_alg,
			    const struct x509_subject *subject,
			    const struct x509_csr_extensions *ext, struct cm_err *err)
{
	const EVP_MD *md = x509_sig_alg_md(sig_alg);
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_NAME *name = NULL;
	X509_REQ *req = NULL;
	if (md == NULL || !x509_sig_alg_fits_key(sig_alg, key)) {
		cm_fail(err, CM_ERR_INVALID_ARGS,
			"Signing algorithm %s is not supported by this server for this key",
			x509_sig_alg_name(sig_alg));
		return NULL;
	}
	if ((name = x509_name_build(subject, false, err)) == NULL ||
	    (exts = x509_ca_csr_exts(ext, err)) == NULL)
		goto out;
	if ((req = X509_REQ_new()) == NULL || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, name) || !X509_REQ_set_pubkey(req, key) ||
	    !X509_REQ_add_extensions(req, exts) || X509_REQ_sign(req, key, md) <= 0) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot build the certificate authority's CSR");
		X509_REQ_free(req);
		req = NULL;
	}
out:
	ERR_clear_error();
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	return req;
}
