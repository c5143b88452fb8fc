/* The ACM PCA dispatch table: X-Amz-Target → handler. Adding an operation is
 * adding a row. */
#include "api/pca/handlers.h"

#define PCA_OP(name, fn)   {"ACMPrivateCA." name, "acm-pca", fn, false}
#define PCA_READ(name, fn) {"ACMPrivateCA." name, "acm-pca", fn, true}

const struct aws_operation pca_operations[] = {
	PCA_OP("CreateCertificateAuthority", pca_api_create_ca),
	PCA_READ("DescribeCertificateAuthority", pca_api_describe_ca),
	PCA_READ("ListCertificateAuthorities", pca_api_list_cas),
	PCA_OP("UpdateCertificateAuthority", pca_api_update_ca),
	PCA_OP("DeleteCertificateAuthority", pca_api_delete_ca),
	PCA_OP("RestoreCertificateAuthority", pca_api_restore_ca),
	PCA_READ("GetCertificateAuthorityCsr", pca_api_get_csr),
	PCA_OP("ImportCertificateAuthorityCertificate", pca_api_import_ca_cert),
	PCA_READ("GetCertificateAuthorityCertificate", pca_api_get_ca_cert),
	PCA_OP("IssueCertificate", pca_api_issue),
	PCA_READ("GetCertificate", pca_api_get_cert),
	PCA_OP("RevokeCertificate", pca_api_revoke),
	PCA_OP("TagCertificateAuthority", pca_api_tag_ca),
	PCA_OP("UntagCertificateAuthority", pca_api_untag_ca),
	PCA_READ("ListTags", pca_api_list_tags),
	PCA_OP("CreateCertificateAuthorityAuditReport", pca_api_create_audit_report),
	PCA_OP("DescribeCertificateAuthorityAuditReport", pca_api_describe_audit_report),
	PCA_OP("CreatePermission", pca_api_create_permission),
	PCA_OP("DeletePermission", pca_api_delete_permission),
	PCA_READ("ListPermissions", pca_api_list_permissions),
	PCA_OP("PutPolicy", pca_api_put_policy),
	PCA_READ("GetPolicy", pca_api_get_policy),
	PCA_OP("DeletePolicy", pca_api_delete_policy),
	{NULL, NULL, NULL, false},
};
