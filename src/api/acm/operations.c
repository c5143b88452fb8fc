/* The ACM dispatch table: X-Amz-Target → handler. New operations go at the
 * end: the fuzz corpus names an operation by its row. */
#include "api/acm/handlers.h"

#define ACM_OP(name, fn)   {"CertificateManager." name, "acm", fn, false}
#define ACM_READ(name, fn) {"CertificateManager." name, "acm", fn, true}

const struct aws_operation acm_operations[] = {
	ACM_OP("RequestCertificate", acm_api_request),
	ACM_OP("ImportCertificate", acm_api_import),
	ACM_READ("DescribeCertificate", acm_api_describe),
	ACM_READ("GetCertificate", acm_api_get),
	ACM_OP("ExportCertificate", acm_api_export),
	ACM_OP("DeleteCertificate", acm_api_delete),
	ACM_OP("RenewCertificate", acm_api_renew),
	ACM_OP("UpdateCertificateOptions", acm_api_update_options),
	ACM_OP("ResendValidationEmail", acm_api_resend),
	ACM_OP("RevokeCertificate", acm_api_revoke),
	ACM_READ("ListCertificates", acm_api_list),
	ACM_OP("AddTagsToCertificate", acm_api_add_tags),
	ACM_OP("RemoveTagsFromCertificate", acm_api_remove_tags),
	ACM_READ("ListTagsForCertificate", acm_api_list_tags),
	ACM_READ("GetAccountConfiguration", acm_api_get_account),
	ACM_OP("PutAccountConfiguration", acm_api_put_account),
	ACM_READ("SearchCertificates", acm_api_search),
	{NULL, NULL, NULL, false},
};
