/* The CSR of a key Certain generated for RequestCertificate: what the PCA
 * (ours or a real one) signs, so it carries the names the request asked for. */
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "x509/ext.h"
#include "x509/leaf.h"

/* extensionRequest with one SubjectAltName of DNS names (PKCS#9). */
static int leaf_csr_add_san(X509_REQ *req, const char *const *names, size_t n, struct cm_err *err)
{
	struct x509_general_name *gns = calloc(n, sizeof(*gns));
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *san = NULL;
	int rc = -1;
	if (gns == NULL || exts == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		gns[i] = (struct x509_general_name){.kind = X509_GN_DNS, .value = names[i]};
	if ((san = x509_ext_san(gns, n, false, err)) == NULL)
		goto out;
	if (!sk_X509_EXTENSION_push(exts, san)) {
		X509_EXTENSION_free(san);
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (!X509_REQ_add_extensions(req, exts)) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot add the CSR's extension request");
		goto out;
	}
	rc = 0;
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	free(gns);
	return rc;
}

X509_REQ *x509_leaf_csr_build(EVP_PKEY *key, const char *cn, const char *const *names, size_t n,
			      struct cm_err *err)
{
	X509_REQ *req = X509_REQ_new();
	if (req == NULL || !X509_REQ_set_version(req, X509_REQ_VERSION_1))
		goto fail;
	if (cn != NULL && cn[0] != '\0' &&
	    !X509_NAME_add_entry_by_NID(X509_REQ_get_subject_name(req), NID_commonName,
					MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0))
		goto fail;
	if (n > 0 && leaf_csr_add_san(req, names, n, err) < 0)
		goto fail_err;
	if (!X509_REQ_set_pubkey(req, key) || X509_REQ_sign(req, key, EVP_sha256()) <= 0)
		goto fail;
	ERR_clear_error();
	return req;
fail:
	cm_fail(err, CM_ERR_INTERNAL, "cannot build the certificate signing request");
fail_err:
	ERR_clear_error();
	X509_REQ_free(req);
	return NULL;
}
