/* The ACM operation handlers (spec acm.md §5), one per X-Amz-Target. */
#ifndef CERTAIN_API_ACM_HANDLERS_H
#define CERTAIN_API_ACM_HANDLERS_H

#include "aws/service.h"

#define ACM_HANDLER(name) int name(const struct aws_ctx *ctx, json_t *in, json_t **out, \
				   struct cm_err *err)

ACM_HANDLER(acm_api_request);
ACM_HANDLER(acm_api_import);
ACM_HANDLER(acm_api_describe);
ACM_HANDLER(acm_api_get);
ACM_HANDLER(acm_api_export);
ACM_HANDLER(acm_api_delete);
ACM_HANDLER(acm_api_renew);
ACM_HANDLER(acm_api_update_options);
ACM_HANDLER(acm_api_resend);
ACM_HANDLER(acm_api_revoke);
ACM_HANDLER(acm_api_list);
ACM_HANDLER(acm_api_add_tags);
ACM_HANDLER(acm_api_remove_tags);
ACM_HANDLER(acm_api_list_tags);
ACM_HANDLER(acm_api_get_account);
ACM_HANDLER(acm_api_put_account);
ACM_HANDLER(acm_api_search);

#endif
