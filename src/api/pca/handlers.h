/* The ACM PCA operation handlers, one per row of pca_operations. */
#ifndef CERTAIN_API_PCA_HANDLERS_H
#define CERTAIN_API_PCA_HANDLERS_H

#include "aws/service.h"

#define PCA_HANDLER(name) \
	int name(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)

PCA_HANDLER(pca_api_create_ca);
PCA_HANDLER(pca_api_describe_ca);
PCA_HANDLER(pca_api_list_cas);
PCA_HANDLER(pca_api_update_ca);
PCA_HANDLER(pca_api_delete_ca);
PCA_HANDLER(pca_api_restore_ca);
PCA_HANDLER(pca_api_get_csr);
PCA_HANDLER(pca_api_import_ca_cert);
PCA_HANDLER(pca_api_get_ca_cert);
PCA_HANDLER(pca_api_issue);
PCA_HANDLER(pca_api_get_cert);
PCA_HANDLER(pca_api_revoke);
PCA_HANDLER(pca_api_tag_ca);
PCA_HANDLER(pca_api_untag_ca);
PCA_HANDLER(pca_api_list_tags);
PCA_HANDLER(pca_api_create_audit_report);
PCA_HANDLER(pca_api_describe_audit_report);
PCA_HANDLER(pca_api_create_permission);
PCA_HANDLER(pca_api_delete_permission);
PCA_HANDLER(pca_api_list_permissions);
PCA_HANDLER(pca_api_put_policy);
PCA_HANDLER(pca_api_get_policy);
PCA_HANDLER(pca_api_delete_policy);

#endif
