/* Certain's extension operations (X-Amz-Target "Certain.*", signed for the
 * service "certain"): event targets, the event log and its dead letters, and
 * the test clock. One handler per row of ext_operations. */
#ifndef CERTAIN_API_EXT_HANDLERS_H
#define CERTAIN_API_EXT_HANDLERS_H

#include "aws/service.h"

#define EXT_HANDLER(name)                                                                          \
	int name(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)

EXT_HANDLER(ext_api_create_target);
EXT_HANDLER(ext_api_list_targets);
EXT_HANDLER(ext_api_delete_target);
EXT_HANDLER(ext_api_list_events);
EXT_HANDLER(ext_api_list_dead_letters);
EXT_HANDLER(ext_api_replay_dead_letter);
EXT_HANDLER(ext_api_advance_clock);
EXT_HANDLER(ext_api_create_deploy_target);
EXT_HANDLER(ext_api_describe_deploy_target);
EXT_HANDLER(ext_api_list_deploy_targets);
EXT_HANDLER(ext_api_update_deploy_target);
EXT_HANDLER(ext_api_delete_deploy_target);
EXT_HANDLER(ext_api_associate_certificate);
EXT_HANDLER(ext_api_disassociate_certificate);
EXT_HANDLER(ext_api_list_deployments);

/* The uuid of a target given as its id or its ARN, checked for shape; a
 * malformed one is a ValidationException naming member. */
int ext_api_target_id(const char *given, const char *member, char id[40], struct cm_err *err);

#endif
