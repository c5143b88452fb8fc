/* Handlers: GetCertificateAuthorityCsr, ImportCertificateAuthorityCertificate,
 * GetCertificateAuthorityCertificate (spec pca.md §5.7–5.9). */
#include <stdlib.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "aws/jv.h"

#define ARN_MEMBER "CertificateAuthorityArn"
#define MAX_CERT (32 * 1024)
#define MAX_CHAIN (2 * 1024 * 1024)

int pca_api_get_csr(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	char *csr = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    pca_ca_get_csr(&ctx, arn, &csr, err) < 0)
		return -1;
	*out = json_object();
	pca_api_set_owned_string(*out, "Csr", csr);
	return 0;
}

int pca_api_import_ca_cert(const struct aws_ctx *actx, json_t *in, json_t **out,
			   struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	unsigned char *cert = NULL, *chain = NULL;
	size_t cert_len = 0, chain_len = 0;
	int rc = -1;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_blob(in, NULL, "Certificate", true, 1, MAX_CERT, &cert, &cert_len, err) < 0 ||
	    jv_blob(in, NULL, "CertificateChain", false, 0, MAX_CHAIN, &chain, &chain_len, err) < 0)
		goto out;
	if (pca_ca_import_certificate(&ctx, arn, cert, cert_len, chain, chain_len, err) < 0)
		goto out;
	*out = json_object();
	rc = 0;
out:
	free(cert);
	free(chain);
	return rc;
}

int pca_api_get_ca_cert(const struct aws_ctx *actx, json_t *in, json_t **out,
			struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	char *cert = NULL, *chain = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    pca_ca_get_certificate(&ctx, arn, &cert, &chain, err) < 0)
		return -1;
	*out = json_object();
	pca_api_set_owned_string(*out, "Certificate", cert);
	pca_api_set_owned_string(*out, "CertificateChain", chain);
	return 0;
}
