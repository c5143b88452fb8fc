/* The attributes of a CSR: each is decoded by OpenSSL's X509_ATTRIBUTE
 * template (cheap: no key, no provider), so what it refuses in one is
 * refused here too; only the extension request is kept. OpenSSL reads the
 * PKCS #9 extensionRequest and, when there is none, Microsoft's older
 * 1.3.6.1.4.1.311.2.1.14; so does this. challengePassword and the rest
 * are ignored, as AWS ignores them. */
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "x509/csr_internal.h"

/* Each extension-request attribute at most once (a second would make the
 * requested extensions depend on which one a reader picks). */
static int csr_ext_attr(struct csr_der *attrs, X509_ATTRIBUTE **ext_req, X509_ATTRIBUTE **ms_req,
			struct cm_err *err)
{
	struct csr_der content, whole;
	if (!csr_der_take(attrs, 0x30, &content, &whole))
		return cm_fail(err, CM_ERR_MALFORMED_CSR,
			       "The CSR is not a valid PEM or DER PKCS #10 request");
	const unsigned char *p = whole.p;
	X509_ATTRIBUTE *attr = d2i_X509_ATTRIBUTE(NULL, &p, (long)whole.len);
	if (attr == NULL || (size_t)(p - whole.p) != whole.len) {
		X509_ATTRIBUTE_free(attr);
		return cm_fail(err, CM_ERR_MALFORMED_CSR,
			       "The CSR is not a valid PEM or DER PKCS #10 request");
	}
	int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attr));
	X509_ATTRIBUTE **slot = nid == NID_ext_req	? ext_req
				: nid == NID_ms_ext_req ? ms_req
							: NULL;
	if (slot == NULL) {
		X509_ATTRIBUTE_free(attr);
		return 0;
	}
	if (*slot != NULL) {
		X509_ATTRIBUTE_free(attr);
		return cm_fail(err, CM_ERR_MALFORMED_CSR,
			       "The CSR has more than one extension request attribute");
	}
	*slot = attr;
	return 0;
}

/* Extensions ::= SEQUENCE OF Extension, the attribute's one value. */
static int csr_ext_value(X509_ATTRIBUTE *attr, STACK_OF(X509_EXTENSION) * *out, struct cm_err *err)
{
	ASN1_TYPE *value =
	    X509_ATTRIBUTE_count(attr) == 1 ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
	if (value != NULL && value->type == V_ASN1_SEQUENCE) {
		const unsigned char *start = value->value.sequence->data, *p = start;
		long len = value->value.sequence->length;
		*out = d2i_X509_EXTENSIONS(NULL, &p, len);
		if (*out != NULL && p - start == len)
			return 0;
		sk_X509_EXTENSION_pop_free(*out, X509_EXTENSION_free);
		*out = NULL;
	}
	return cm_fail(err, CM_ERR_MALFORMED_CSR, "The CSR extension request cannot be read");
}

int csr_ext_read(const struct csr_der *attrs, STACK_OF(X509_EXTENSION) * *out, struct cm_err *err)
{
	struct csr_der in = *attrs;
	X509_ATTRIBUTE *ext_req = NULL, *ms_req = NULL;
	int rc = 0;
	*out = NULL;
	while (rc == 0 && in.len > 0)
		rc = csr_ext_attr(&in, &ext_req, &ms_req, err);
	if (rc == 0 && (ext_req != NULL || ms_req != NULL))
		rc = csr_ext_value(ext_req != NULL ? ext_req : ms_req, out, err);
	else if (rc == 0 && (*out = sk_X509_EXTENSION_new_null()) == NULL)
		rc = cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	X509_ATTRIBUTE_free(ms_req);
	X509_ATTRIBUTE_free(ext_req);
	return rc;
}
