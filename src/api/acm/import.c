/* Handler: ImportCertificate (spec acm.md §5.5). The model's blob limits are
 * the first import check (§6.5 step 1): they apply to the decoded bytes. */
#include <openssl/crypto.h>
#include <stdlib.h>

#include "api/acm/common.h"
#include "api/acm/handlers.h"
#include "api/pca/common.h"
#include "aws/jv.h"

#define MAX_CERT  32768
#define MAX_KEY	  5120
#define MAX_CHAIN 2097152

int acm_api_import(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct acm_import_req req = {0};
	unsigned char *cert = NULL, *key = NULL, *chain = NULL;
	struct pca_tag *tags = NULL;
	char arn[ARN_MAX];
	int rc = -1;
	if (jv_string(in, NULL, ACM_ARN_MEMBER, false, 20, 2048, &req.arn, err) < 0 ||
	    jv_blob(in, NULL, "Certificate", true, 1, MAX_CERT, &cert, &req.cert_len, err) < 0 ||
	    jv_blob(in, NULL, "PrivateKey", true, 1, MAX_KEY, &key, &req.key_len, err) < 0 ||
	    jv_blob(in, NULL, "CertificateChain", false, 1, MAX_CHAIN, &chain, &req.chain_len,
		    err) < 0 ||
	    pca_api_tags_decode(in, "Tags", false, 50, &tags, &req.n_tags, err) < 0)
		goto out;
	req.cert = cert;
	req.key = key;
	req.chain = chain;
	req.tags = tags;
	req.has_tags = json_object_get(in, "Tags") != NULL;
	if (acm_import(&ctx, &req, arn, sizeof(arn), err) < 0)
		goto out;
	*out = json_pack("{s:s}", "CertificateArn", arn);
	rc = 0;
out:
	free(cert);
	if (key != NULL)
		OPENSSL_clear_free(key, req.key_len + 1); /* jv_blob adds a NUL */
	free(chain);
	free(tags);
	return rc;
}
